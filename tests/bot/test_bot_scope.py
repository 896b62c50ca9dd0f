"""Which patches are QAPI patches, and which tree revision they are checked against."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qapilint.bot import scope, tree
from qapilint.errors import InputError


@pytest.mark.parametrize("path,expected", [
    ("qapi/block-core.json", True),
    ("qga/qapi-schema.json", True),
    ("storage-daemon/qapi/qapi-schema.json", True),
    ("tests/qapi-schema/doc-good.json", True),
    ("docs/devel/qapi-code-gen.rst", False),
    ("scripts/qapi/schema.py", False),
    ("qapi/qapi-visit-core.c", False),
    ("hw/core/qdev.c", False),
])
def test_qapi_paths(path: str, expected: bool) -> None:
    assert scope.is_qapi_path(path) is expected


def test_paths_from_renames_and_new_files() -> None:
    diff = ("diff --git a/qapi/old.json b/qapi/new.json\nsimilarity index 90%\nrename from qapi/old.json\n"
            "rename to qapi/new.json\ndiff --git a/hw/x.c b/hw/x.c\nnew file mode 100644\n--- /dev/null\n"
            "+++ b/hw/x.c\n@@ -0,0 +1 @@\n+int x;\n")
    assert scope.diff_paths(diff) == ["qapi/old.json", "qapi/new.json", "hw/x.c"]
    assert scope.qapi_paths(diff) == ["qapi/old.json", "qapi/new.json"]


def test_added_line_that_looks_like_a_header_is_not_a_path() -> None:
    diff = "diff --git a/hw/x.c b/hw/x.c\n--- a/hw/x.c\n+++ b/hw/x.c\n@@ -1 +1 @@\n-a\n+b qapi/misc.json\n"
    assert not scope.touches_qapi(diff)


def test_base_commit_from_the_first_text_that_has_one() -> None:
    assert scope.find_base_commit(None, "x\nbase-commit: abcdef1234567\n", "base-commit: 1234567") == "abcdef1234567"
    assert scope.find_base_commit("base-commit: not-hex") is None


def _git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin"}
    if date:
        env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"] = date
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def test_resolve_base_prefers_base_commit_then_head_at_date(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    for i, day in enumerate(["2026-01-10", "2026-02-10", "2026-03-10"]):
        (tmp_path / "VERSION").write_text(f"10.2.{50 + i}\n")
        _git(tmp_path, "add", "VERSION")
        _git(tmp_path, "commit", "-q", "-m", f"c{i}", date=f"{day}T12:00:00+0000")
    revs = _git(tmp_path, "rev-list", "--reverse", "HEAD").split()
    assert tree.resolve_base(str(tmp_path), revs[0], "2026-03-20T00:00:00")[0] == revs[0]
    rev, why = tree.resolve_base(str(tmp_path), None, "2026-02-20T08:00:00")
    assert rev == revs[1] and "as of" in why
    rev, why = tree.resolve_base(str(tmp_path), "deadbeefdeadbeef", "2026-03-11T00:00:00")
    assert rev == revs[2] and "is not in this repository" in why
    # No revision fits: the newest commit, saying so; never the work tree.
    (tmp_path / "VERSION").write_text("dirty\n")
    rev, why = tree.resolve_base(str(tmp_path), None, "2025-01-01T00:00:00")
    assert rev == revs[2] and "newest commit" in why and "older than every commit" in why
    rev, why = tree.resolve_base(str(tmp_path), "--output=/tmp/x", "--output=/tmp/x")
    assert rev == revs[2] and "newest commit" in why


def test_resolve_base_needs_a_git_checkout(tmp_path: Path) -> None:
    (tmp_path / "VERSION").write_text("10.2.50\n")
    with pytest.raises(InputError, match="not a git checkout"):
        tree.resolve_base(str(tmp_path), None, "2026-02-20T08:00:00")


def test_bot_refuses_a_tree_that_is_not_a_git_checkout(tmp_path: Path) -> None:
    p = subprocess.run([sys.executable, "-m", "qapilint", "bot", "--dry-run", "--once", "--patchwork",
                        "http://127.0.0.1:9/", "--project", "qemu-devel", "--state", str(tmp_path / "s.db"),
                        "--tree", str(tmp_path)],
                       capture_output=True, text=True, timeout=120, check=False)
    assert p.returncode == 2 and "not the top of a git checkout" in p.stderr and "Traceback" not in p.stderr
