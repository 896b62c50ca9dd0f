"""check --fix / --diff and audit --fix: edits placed by content in the work tree, only inside it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qapilint.findings import Finding, Severity, replace_in_line
from qapilint.fixer import Refused, plan, read_text, summary_lines, unified_diff, write

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "fixtures" / "rules"
P = "qapi/x.json"
TEXT = "##\n# @Foo:\n#\n# Since: 10.2\n##\n{ 'struct': 'Foo', 'data': {} }\n"


def _finding(text: str, line: int, old: str, new: str, sev: Severity = Severity.ERROR,
             ctx: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())) -> Finding:
    src = text.splitlines()[line - 1]
    fix = replace_in_line(P, line, src, src.index(old) + 1, old, new, context=ctx)
    assert fix is not None
    return Finding("since-mismatch", sev, "m", file=P, line=line, fix=fix)


def _tree(tmp_path: Path, text: str = TEXT) -> Path:
    (tmp_path / "qapi").mkdir()
    (tmp_path / "qapi" / "x.json").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_fix_follows_its_line_when_the_file_moved_on(tmp_path: Path) -> None:
    f = _finding(TEXT, 4, "10.2", "11.1")
    root = _tree(tmp_path, "# one\n# two\n" + TEXT)
    p = plan(str(root), [f])
    assert [o.applied for o in p.outcomes] == [True] and p.outcomes[0].line == 6
    write(p)
    assert (root / "qapi" / "x.json").read_text() == "# one\n# two\n" + TEXT.replace("10.2", "11.1")


def test_equal_lines_are_told_apart_by_their_neighbours(tmp_path: Path) -> None:
    two = TEXT + TEXT.replace("Foo", "Bar")
    lines = two.splitlines()
    f = _finding(two, 10, "10.2", "11.1", ctx=(tuple(lines[6:9]), tuple(lines[10:13])))
    root = _tree(tmp_path, "# a moved line\n" * 5 + two)   # line 10 now holds Foo's tag
    p = plan(str(root), [f])
    assert p.outcomes[0].applied and p.outcomes[0].line == 15
    assert "# @Bar:\n#\n# Since: 11.1" in p.new[P] and "# @Foo:\n#\n# Since: 10.2" in p.new[P]


def test_a_fix_whose_text_is_gone_is_skipped_and_said(tmp_path: Path) -> None:
    f = _finding(TEXT, 4, "10.2", "11.1")
    root = _tree(tmp_path, TEXT.replace("10.2", "11.0"))
    p = plan(str(root), [f])
    assert not p.outcomes[0].applied and "not in the file" in p.outcomes[0].reason
    assert p.changed == [] and unified_diff(p) == ""


def test_overlapping_fixes_keep_the_more_severe(tmp_path: Path) -> None:
    fmt = _finding(TEXT, 4, "10.2", "10.3", Severity.WARNING)
    mismatch = _finding(TEXT, 4, "10.2", "11.1")
    twin = _finding(TEXT, 4, "10.2", "11.1")
    p = plan(str(_tree(tmp_path)), [fmt, mismatch, twin])
    assert [(o.finding is fmt, o.applied) for o in p.outcomes] == [(True, False), (False, True), (False, True)]
    assert "overlaps" in p.outcomes[0].reason
    assert p.new[P].count("11.1") == 1


@pytest.mark.parametrize("rel", ["../outside.json", "/etc/passwd", "qapi/../../outside.json", "qapi/link.json",
                                 "lnk/x.json", "qapi"])
def test_files_outside_the_tree_or_behind_links_are_refused(tmp_path: Path, rel: str) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text(TEXT, encoding="utf-8")
    root = tmp_path / "tree"
    root.mkdir()
    _tree(root)
    (root / "qapi" / "link.json").symlink_to(outside)
    (root / "lnk").symlink_to(root / "qapi")
    with pytest.raises(Refused):
        read_text(str(root), rel)
    f = _finding(TEXT, 4, "10.2", "11.1")
    f.fix = replace_in_line(rel, 4, "# Since: 10.2", 10, "10.2", "11.1")
    p = plan(str(root), [f])
    assert not p.outcomes[0].applied
    write(p)
    assert outside.read_text(encoding="utf-8") == TEXT


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    os.mkfifo(root / "qapi" / "fifo.json")
    with pytest.raises(Refused):
        read_text(str(root), "qapi/fifo.json")


# --- end to end: a QEMU-like checkout with the patch committed -------------------------------


def _git(repo: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="T", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="T",
               GIT_COMMITTER_EMAIL="t@example.org")
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout


def _qapilint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qapilint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def _checkout(tmp_path: Path, patch: str) -> Path:
    repo = tmp_path / "qemu"
    shutil.copytree(RULES / "tree", repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    _git(repo, "am", "-q", str(RULES / "version" / patch))
    return repo


CHECK = ("check", "--git", "HEAD~1..HEAD", "--base", "HEAD~1", "--target", "11.0", "--format", "json")


def _findings(repo: Path) -> list[dict[str, Any]]:
    out = _qapilint(*CHECK, cwd=repo)
    assert out.returncode in (0, 1), out.stderr
    return [f for p in json.loads(out.stdout)["patches"] for f in p["findings"]]


@pytest.mark.parametrize(("patch", "rule"), [
    ("since-mismatch-released.patch", "since-mismatch"),
    ("since-member-missing.patch", "since-member-missing"),
    ("since-member-missing-value.patch", "since-member-missing"),
    ("since-malformed.patch", "since-malformed"),
    ("since-malformed-case.patch", "since-malformed"),
    ("since-format.patch", "since-format"),
    ("since-redundant.patch", "since-redundant"),
    ("since-missing.patch", "since-missing"),
    ("since-missing-command.patch", "since-missing"),
])
def test_fix_repairs_the_commit_and_nothing_else(tmp_path: Path, patch: str, rule: str) -> None:
    repo = _checkout(tmp_path, patch)
    before = _findings(repo)
    fixable = [f for f in before if f["rule"] == rule and f["fix"]]
    assert fixable, before
    head = _git(repo, "rev-parse", "HEAD")
    diff = _qapilint(*CHECK, "--diff", cwd=repo)
    assert diff.stdout.startswith("--- a/qapi/"), diff.stdout + diff.stderr
    (tmp_path / "fix.diff").write_text(diff.stdout, encoding="utf-8")
    _git(repo, "apply", "--check", str(tmp_path / "fix.diff"))
    assert _git(repo, "status", "--porcelain") == ""       # --diff writes nothing
    res = _qapilint(*CHECK, "--fix", cwd=repo)
    assert res.returncode in (0, 1), res.stderr
    assert f": fixed: {fixable[0]['fix']['description']} [{rule}]" in res.stderr
    assert _git(repo, "rev-parse", "HEAD") == head          # nothing committed
    changed = [ln for ln in _git(repo, "diff").splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
    assert changed == [ln for ln in diff.stdout.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
    _git(repo, "commit", "-qa", "--amend", "--no-edit")
    after = _findings(repo)
    assert not [f for f in after if f["rule"] == rule], after
    assert {f["fingerprint"] for f in after} <= {f["fingerprint"] for f in before}, after
    schema = _qapilint("schema", "qapi/qapi-schema.json", cwd=repo)
    assert schema.returncode == 0, schema.stdout + schema.stderr


def test_fix_needs_a_work_tree(tmp_path: Path) -> None:
    res = _qapilint("check", "--fix", "--target", "11.0", str(RULES / "version" / "since-format.patch"), cwd=tmp_path)
    assert res.returncode == 2
    assert "--fix: needs a work tree" in res.stderr and "Traceback" not in res.stderr


def test_audit_fix_repairs_tag_spelling(tmp_path: Path) -> None:
    tree = tmp_path / "t"
    shutil.copytree(RULES / "tree", tree)
    sensor = tree / "qapi" / "sensor.json"
    text = sensor.read_text(encoding="utf-8")
    tags = [ln for ln in text.splitlines() if ln.startswith("# Since: ")]
    assert len(tags) >= 2
    broken = text.replace(tags[0], tags[0].replace("Since: ", "Since "), 1).replace(tags[1], tags[1] + ".0", 1)
    sensor.write_text(broken, encoding="utf-8")
    res = _qapilint("audit", "--diff", str(tree), cwd=tmp_path)
    assert res.stdout.count("\n+# Since: ") == 2, res.stdout + res.stderr
    res = _qapilint("audit", "--fix", str(tree), cwd=tmp_path)
    assert "2 fixes applied to 1 file." in res.stderr, res.stderr
    assert sensor.read_text(encoding="utf-8") == text
    assert _qapilint("audit", str(tree), cwd=tmp_path).returncode == 0


def test_audit_offers_only_tree_formats(tmp_path: Path) -> None:
    res = _qapilint("audit", "--format", "email", str(RULES / "tree"), cwd=tmp_path)
    assert res.returncode == 2 and "invalid choice" in res.stderr
    res = _qapilint("audit", str(RULES / "tree"), cwd=tmp_path)
    assert res.stdout.strip().endswith(f"in the tree {RULES / 'tree'}.")


def test_a_mismatch_fix_wins_over_a_format_fix_of_the_same_tag(tmp_path: Path) -> None:
    text = TEXT.replace("10.2", "10.2.0")
    fmt = _finding(text, 4, "10.2.0", "10.2")
    fmt.rule = "since-format"
    mismatch = _finding(text, 4, "10.2.0", "11.1")
    p = plan(str(_tree(tmp_path, text)), [fmt, mismatch])
    # The mismatch's edit rewrites the whole version: the spelling is repaired by it too (one run).
    assert [(o.applied, o.by) for o in p.outcomes] == [(True, mismatch), (True, None)]
    assert "# Since: 11.1\n" in p.new[P]
    assert summary_lines(p)[0] == ("qapi/x.json:4: fixed: replace '10.2.0' with '11.1' "
                                   "(with the fix of since-mismatch) [since-format]")
    # A covering fix of a rule that is not about the release does not count as fixing it.
    other = _finding(text, 4, "Since: 10.2.0", "Since: 11.1")
    other.rule = "since-edited"
    p = plan(str(tmp_path), [other, fmt])
    assert [o.applied for o in p.outcomes] == [True, False] and "overlaps" in p.outcomes[1].reason


def _commit_edit(repo: Path, path: str, old: str, new: str) -> None:
    f = repo / path
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    _git(repo, "commit", "-qam", "qapi: sensors gain a unit")


def test_fix_converges_and_the_report_lists_what_remains(tmp_path: Path) -> None:
    """'(since 10.3.0)' where 11.0 is expected: one run writes '11.0' (spelling and release);
    the report printed after --fix lists only what is left, says how many were fixed, and
    its exit status follows what is left."""
    repo = tmp_path / "qemu"
    shutil.copytree(RULES / "tree", repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    # A new enum value, its description in the first patch (a misspelled, wrong release: a
    # since-format finding there) and its value in the second (the since-mismatch is said there).
    _commit_edit(repo, "qapi/sensor.json", "# @pressure: air pressure in pascal\n",
                 "# @pressure: air pressure in pascal\n#\n# @humidity: relative humidity\n#     (since 10.3.0)\n")
    _commit_edit(repo, "qapi/sensor.json", "'pressure',", "'pressure', 'humidity',")
    text_args = ("check", "--git", "HEAD~2..HEAD", "--base", "HEAD~2", "--target", "11.0", "--select", "version")
    before = _qapilint(*text_args, cwd=repo)
    assert before.returncode == 1
    assert "[since-format]" in before.stdout and "[since-mismatch]" in before.stdout
    res = _qapilint(*text_args, "--fix", cwd=repo)
    assert res.stderr.count(": fixed: replace '10.3.0' with '11.0'") == 2, res.stderr
    assert "(since 11.0)" in (repo / "qapi" / "sensor.json").read_text(encoding="utf-8")
    # Nothing fixed is printed as if still there; the summary counts it.
    assert "[since-format]" not in res.stdout and "[since-mismatch]" not in res.stdout, res.stdout
    assert res.stdout.strip().endswith("No problems remain in 2 patches (2 fixed)."), res.stdout
    assert res.returncode == 0
    # The user squashes the fix into the series (here: the whole series into one commit).
    _git(repo, "reset", "-q", "--soft", "HEAD~2")
    _git(repo, "commit", "-qam", "qapi: sensors gain a unit")
    again = _qapilint("check", "--git", "HEAD~1..HEAD", "--base", "HEAD~1", "--target", "11.0", "--select",
                      "version", cwd=repo)
    assert again.returncode == 0 and "No problems found" in again.stdout, again.stdout


def test_fix_leaves_unfixable_findings_and_their_exit_status(tmp_path: Path) -> None:
    repo = _checkout(tmp_path, "since-format-devel.patch")      # 'Since: 10.2.50': which release is a guess
    res = _qapilint(*CHECK, "--fix", cwd=repo)
    data = json.loads(res.stdout)
    assert res.returncode == 1
    assert data["summary"]["fixed"] == 0 and data["summary"]["by_rule"].get("since-format") == 1


def test_diff_names_a_file_as_git_quotes_it(tmp_path: Path) -> None:
    """A file a patch named with a terminal escape in it (git am creates it so): --diff quotes the
    name as git does, and git apply reads it back."""
    name = "qapi/x\x1b[31m\u00e9.json"
    (tmp_path / "qapi").mkdir()
    (tmp_path / name).write_text(TEXT.replace("10.2", "10.2.0"), encoding="utf-8")
    _git(tmp_path, "init", "-q")
    src = "# Since: 10.2.0"
    f = Finding("since-format", Severity.ERROR, "m", file=name, line=4,
                fix=replace_in_line(name, 4, src, 10, "10.2.0", "10.2"))
    d = unified_diff(plan(str(tmp_path), [f]))
    assert d.startswith('--- "a/qapi/x\\033[31m\\303\\251.json"\n+++ "b/qapi/x\\033[31m\\303\\251.json"\n'), d
    assert "\x1b" not in d
    (tmp_path / "fix.diff").write_text(d, encoding="utf-8")
    _git(tmp_path, "apply", "--check", "fix.diff")
