"""The one base-resolution step (rebuild/base.py) and the check entry points that use it.

Every case runs on a QEMU-shaped repository whose branch ``feature`` holds a
two-patch series: the wrong 'Since: 9.2' must be reported at its true line,
the clean commit must pass, and nothing may be 'already defined'.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from qemurepo import QemuRepo, make_repo

from qapilint.errors import InputError
from qapilint.patch import Series
from qapilint.rebuild.base import _needle, fingerprint, resolve
from qapilint.sources import load_bytes


@pytest.fixture
def repo(tmp_path: Path) -> QemuRepo:
    return make_repo(tmp_path)


def _series(repo: QemuRepo, rng: str = "master..feature") -> Series:
    out = repo.git("format-patch", "--stdout", rng).stdout.encode()
    return load_bytes(out, "series.mbox")


def _check(repo: QemuRepo, *args: str, cwd: Path | None = None, stdin: str | None = None,
           env: dict[str, str] | None = None) -> tuple[int, dict[str, object], str]:
    p = subprocess.run([sys.executable, "-m", "qapilint", "check", "--format", "json", *args],
                       cwd=cwd or repo.path, input=stdin, capture_output=True, text=True, timeout=300,
                       env=env or repo.env(), check=False)
    assert "Traceback" not in p.stderr, p.stderr
    return p.returncode, (json.loads(p.stdout) if p.stdout.strip() else {}), p.stderr


def _expect_right_answer(repo: QemuRepo, doc: dict[str, object], base_note: str) -> None:
    patches = doc["patches"]
    assert isinstance(patches, list) and len(patches) == 2
    first, second = patches
    rules = [(f["rule"], f["file"], f["line"]) for f in first["findings"]]
    assert ("since-mismatch", "qapi/widgets.json", repo.wrong_line) in rules
    assert all(f["rule"] != "name-redefined" for p in patches for f in p["findings"])
    assert second["findings"] == []
    for p in patches:
        assert p["notes"][0].startswith("base: ") and base_note in p["notes"][0], p["notes"]


def test_fingerprint_ignores_context_line_numbers_and_whitespace(repo: QemuRepo) -> None:
    a = _series(repo).patches[0]
    b = load_bytes(repo.git("format-patch", "--stdout", "-U1", "master..feature~1").stdout.encode(), "x").patches[0]
    assert fingerprint(a) == fingerprint(b) and fingerprint(a)
    c = load_bytes(repo.git("format-patch", "--stdout", "feature~1..feature").stdout.encode(), "x").patches[0]
    assert fingerprint(a) != fingerprint(c)


def test_the_commit_before_a_series_head_holds(repo: QemuRepo) -> None:
    base = resolve(_series(repo), str(repo.path))
    assert base.rev == repo.base and "which HEAD already holds" in base.note
    base.close()


def test_a_partly_applied_series(repo: QemuRepo) -> None:
    repo.git("checkout", "-q", "feature~1")
    base = resolve(_series(repo), str(repo.path))
    assert base.rev == repo.base and "HEAD already holds 1 of its 2 patches" in base.note
    base.close()


def test_explicit_base_then_base_commit_then_work_tree(repo: QemuRepo) -> None:
    series = _series(repo)
    b = resolve(series, str(repo.path), base="master")
    assert b.rev == repo.base and "--base master" in b.note
    b.close()
    with pytest.raises(InputError, match="--base nosuch: not a commit"):
        resolve(series, str(repo.path), base="nosuch")
    repo.git("checkout", "-q", "master")          # HEAD does not hold the series
    series.base_commit = repo.base[:12]
    b = resolve(series, str(repo.path))
    assert b.rev == repo.base and "base-commit" in b.note
    b.close()
    for hostile in ("--output=/tmp/x", "HEAD", "master", "1234567\n--all", "deadbeefdeadbeef"):
        series.base_commit = hostile
        b = resolve(series, str(repo.path))
        assert b.rev is None and "work tree" in b.note
        b.close()


def test_a_tree_that_is_not_a_git_checkout_is_read_as_it_is(repo: QemuRepo, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(InputError, match="not a git checkout"):
        resolve(_series(repo), str(plain), base="HEAD")
    assert resolve(_series(repo), str(plain)).rev is None
    # A directory inside some other repository is not read through that repository.
    inner = repo.path / "qapi"
    b = resolve(_series(repo), str(inner))
    assert b.rev is None and "not a git checkout" in b.note


def test_git_range_reads_git_objects_on_a_dirty_tree_from_outside(repo: QemuRepo, tmp_path: Path) -> None:
    (repo.path / "qapi" / "widgets.json").write_text("{ 'garbage'\n", encoding="utf-8")
    (repo.path / "VERSION").write_text("4.0.0\n", encoding="utf-8")
    rc, doc, _err = _check(repo, "--tree", str(repo.path), "--git", "master..feature", cwd=tmp_path)
    assert rc == 1
    _expect_right_answer(repo, doc, "the merge-base of master..feature")
    assert doc["patches"][0]["expected_version"] == "10.2"    # VERSION at the base, not the work tree's


def test_git_range_on_a_detached_head(repo: QemuRepo) -> None:
    repo.git("checkout", "-q", "--detach", "feature")
    rc, doc, _err = _check(repo, "--git", "master..HEAD")
    assert rc == 1
    _expect_right_answer(repo, doc, "merge-base")


@pytest.mark.parametrize("where", ["file", "stdin"])
def test_patch_files_from_the_branch_that_holds_them(repo: QemuRepo, tmp_path: Path, where: str) -> None:
    mbox = repo.git("format-patch", "--stdout", "master..feature").stdout
    (repo.path / "VERSION").write_text("4.0.0\n", encoding="utf-8")    # dirty: must not be read
    if where == "file":
        (tmp_path / "s.mbox").write_text(mbox, encoding="utf-8")
        rc, doc, _err = _check(repo, "--tree", ".", str(tmp_path / "s.mbox"))
    else:
        rc, doc, _err = _check(repo, "--tree", ".", "-", stdin=mbox)
    assert rc == 1
    _expect_right_answer(repo, doc, "the commit before the series, which HEAD already holds")
    assert doc["patches"][0]["expected_version"] == "10.2"


def test_a_partly_applied_series_from_its_mbox(repo: QemuRepo) -> None:
    mbox = repo.git("format-patch", "--stdout", "master..feature").stdout
    repo.git("checkout", "-q", "feature~1")
    rc, doc, _err = _check(repo, "--tree", ".", "-", stdin=mbox)
    assert rc == 1
    _expect_right_answer(repo, doc, "HEAD already holds 1 of its 2 patches")


def test_same_findings_as_base_master_from_every_entry_point(repo: QemuRepo, tmp_path: Path) -> None:
    def findings(doc: dict[str, object]) -> list[list[tuple[str, str, int]]]:
        return [[(f["rule"], f["file"], f["line"]) for f in p["findings"]] for p in doc["patches"]]

    mbox = tmp_path / "s.mbox"
    mbox.write_text(repo.git("format-patch", "--stdout", "master..feature").stdout, encoding="utf-8")
    _rc, want, _e = _check(repo, "--tree", ".", "--base", "master", str(mbox))
    for args in (["--git", "master..feature"], ["--tree", ".", str(mbox)]):
        _rc, got, _e = _check(repo, *args)
        assert findings(got) == findings(want), args


def test_work_tree_when_head_does_not_hold_the_series(repo: QemuRepo) -> None:
    mbox = repo.git("format-patch", "--stdout", "master..feature").stdout
    repo.git("checkout", "-q", "master")
    rc, doc, _err = _check(repo, "--tree", ".", "-", stdin=mbox)
    assert rc == 1
    _expect_right_answer(repo, doc, "the work tree of .")


@pytest.mark.parametrize("args,message", [
    (["--git", "nosuch..HEAD"], "unknown revision"),
    (["--git", "feature..feature"], "no commits in range"),
    (["--tree", ".", "--base", "nosuch", "-"], "--base nosuch: not a commit"),
])
def test_bad_revisions_are_one_error_line(repo: QemuRepo, args: list[str], message: str) -> None:
    mbox = repo.git("format-patch", "--stdout", "master..feature").stdout
    p = subprocess.run([sys.executable, "-m", "qapilint", "check", *args], cwd=repo.path, input=mbox,
                       capture_output=True, text=True, timeout=120, env=repo.env(), check=False)
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qapilint: error: ") and message in lines[0], lines


def test_git_range_outside_a_repository(tmp_path: Path, repo: QemuRepo) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    p = subprocess.run([sys.executable, "-m", "qapilint", "check", "--git", "a..b"], cwd=plain,
                       capture_output=True, text=True, timeout=120, env=repo.env(), check=False)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "not in a git checkout" in lines[0]


def test_staged_change_against_head(repo: QemuRepo) -> None:
    repo.git("checkout", "-q", "-b", "again", "master")
    repo.git("checkout", "-q", "feature~1", "--", "qapi/widgets.json")     # stage the wrong commit's file
    (repo.path / "VERSION").write_text("4.0.0\n", encoding="utf-8")           # unstaged: not read
    rc, doc, _err = _check(repo, "--staged")
    assert rc == 1
    (p,) = doc["patches"]
    assert [(f["rule"], f["line"]) for f in p["findings"]] == [("since-mismatch", repo.wrong_line)]
    assert "HEAD, which the staged change is made against" in p["notes"][0]
    repo.git("reset", "-q", "--hard")
    rc, doc, _err = _check(repo, "--staged")
    assert rc == 0 and doc["patches"] == []


def test_pre_push_range_from_pre_commit_refs(repo: QemuRepo) -> None:
    zero = "0" * 40
    for env in ({"PRE_COMMIT_FROM_REF": repo.base, "PRE_COMMIT_TO_REF": repo.clean},
                {"PRE_COMMIT_FROM_REF": repo.base + "^{}", "PRE_COMMIT_TO_REF": repo.clean},
                {"PRE_COMMIT_FROM_REF": zero, "PRE_COMMIT_TO_REF": repo.clean},
                {}):
        rc, doc, err = _check(repo, "--pre-push", env=repo.env(**env))
        assert rc == 1, (env, err)
        _expect_right_answer(repo, doc, "merge-base")
    # Nothing new to push: nothing to say.
    rc, doc, _err = _check(repo, "--pre-push", env=repo.env(PRE_COMMIT_FROM_REF=repo.clean,
                                                             PRE_COMMIT_TO_REF=repo.clean))
    assert rc == 0 and doc["patches"] == []
    rc, _doc, err = _check(repo, "--pre-push", env=repo.env(PRE_COMMIT_TO_REF="nosuch"))
    assert rc == 2 and "PRE_COMMIT_TO_REF" in err


def test_the_base_note_in_every_format_that_has_room_for_it(repo: QemuRepo) -> None:
    def out(fmt: str) -> str:
        p = subprocess.run([sys.executable, "-m", "qapilint", "check", "--git", "master..feature", "--format", fmt],
                           cwd=repo.path, capture_output=True, text=True, timeout=300, env=repo.env(), check=False)
        assert p.returncode == 1, p.stderr
        return p.stdout

    note = f"base: {repo.base[:12]}, the merge-base of master..feature, where its commits start"
    for fmt in ("text", "json", "b4", "html"):
        assert out(fmt).count(note) >= 1, fmt
    assert f"qapilint: {note}" in out("github").splitlines()
    sarif = json.loads(out("sarif"))
    assert {"level": "note", "message": {"text": note}} in \
        sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    # b4 prep reads every line that is not an error as a warning: the note stays out.
    assert "base:" not in out("b4-prep")


def test_pickaxe_needle_is_a_line_whose_count_the_patch_changes() -> None:
    diff = (
        "--- a/qapi/x.json\n+++ b/qapi/x.json\n@@ -1,3 +1,4 @@\n"
        "-{ 'command': 'query-widgets', 'data': { 'id': 'str' } }\n"
        "+{ 'command': 'query-widgets', 'data': { 'id': 'str', 'all': 'bool' } }\n"
        "+  'id': 'str'   \n"
        " ##\n"
    )
    patch = load_bytes(diff.encode(), "x.diff").patches[0]
    # 'id': 'str' also occurs inside the removed line: its count might not change.
    assert _needle(patch) == "{ 'command': 'query-widgets', 'data': { 'id': 'str', 'all': 'bool' } }"
    removal = load_bytes(b"--- a/qapi/x.json\n+++ b/qapi/x.json\n@@ -1,2 +1,1 @@\n-{ 'command': 'gone' }\n ##\n",
                         "y.diff").patches[0]
    assert _needle(removal) == "{ 'command': 'gone' }"


def test_a_default_branch_checkout_whose_recent_commits_lack_the_series(repo: QemuRepo) -> None:
    series = _series(repo)
    repo.git("checkout", "-q", "master")
    base = resolve(series, str(repo.path))
    try:
        assert base.rev is None and "HEAD does not hold it" in base.note
    finally:
        base.close()
