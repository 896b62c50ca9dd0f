"""Diff paths and rename targets that leave the tree are refused by the rebuild, never read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qapilint.rebuild import TreeReader, rebuild
from qapilint.sources import load_bytes

SECRET = "CANARY-rebuild-77aa"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "secret.json").write_text(SECRET + "\n")
    t = tmp_path / "tree"
    (t / "qapi").mkdir(parents=True)
    (t / "VERSION").write_text("10.2.50\n")
    (t / "qapi" / "qapi-schema.json").write_text("{ 'include': 'a.json' }\n")
    (t / "qapi" / "a.json").write_text("{ 'enum': 'E', 'data': [ 'a' ] }\n")
    (t / "qapi" / "out.json").symlink_to("../../secret.json")
    return t


class Counting(TreeReader):
    def __init__(self, root: str) -> None:
        super().__init__(root)
        self.asked: list[str] = []

    def read_or_refuse(self, path: str) -> str | None:
        self.asked.append(path)
        return super().read_or_refuse(path)


def _edit(path: str) -> bytes:
    return (f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"
            "@@ -1,0 +2,1 @@\n+{ 'enum': 'F', 'data': [ 'b' ] }\n").encode()


@pytest.mark.parametrize("diff, refused, reason", [
    (_edit("qapi/../../secret.json"), "qapi/../../secret.json", "the path leads outside the tree"),
    (_edit("qapi/out.json"), "qapi/out.json", "a symbolic link leads outside the tree"),
    (b"diff --git a/qapi/a.json b/qapi/../../secret.json\nsimilarity index 99%\n"
     b"rename from qapi/a.json\nrename to qapi/../../secret.json\n", "qapi/../../secret.json",
     "the path leads outside the tree"),
])
def test_refused_paths_are_rebuilt_from_hunks_only(tree: Path, diff: bytes, refused: str, reason: str) -> None:
    patch = load_bytes(diff, "p.diff").patches[0]
    reader = Counting(str(tree))
    rb = rebuild(patch, reader, want_schema=True)
    assert (refused, reason) in rb.refused
    assert all(f.rebuild == "hunks" for f in rb.files if f.path == refused)
    assert not any(".." in p for p in reader.asked)
    for f in rb.files:
        assert SECRET not in (f.before_text or "") + (f.after_text or "")


def test_refusal_is_the_same_without_a_tree(tree: Path) -> None:
    patch = load_bytes(_edit("qapi/../../secret.json"), "p.diff").patches[0]
    assert rebuild(patch, None).refused == [("qapi/../../secret.json", "the path leads outside the tree")]


def test_a_nul_in_a_diff_path_is_refused_in_a_git_tree(tree: Path, tmp_path: Path) -> None:
    """The base step asks git which commits hold the series: a NUL path is never one of
    its arguments (git cannot be given it), and the path is reported, not a traceback."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    for cmd in (["init", "-q"], ["add", "VERSION", "qapi/qapi-schema.json", "qapi/a.json"],
                ["commit", "-q", "-m", "base"], ["commit", "-q", "--allow-empty", "-m", "next"]):
        subprocess.run(["git", "-C", str(tree), *cmd], check=True, env=env, capture_output=True)
    diff = tmp_path / "nul.diff"
    diff.write_bytes(_edit("qapi/a\0.json"))
    for command in ("check", "changes"):
        p = subprocess.run([sys.executable, "-m", "qapilint", command, "--tree", str(tree), "--format", "json",
                            str(diff)], capture_output=True, text=True, timeout=120, env=env)
        assert "Traceback" not in p.stderr and p.returncode in (0, 1), p.stderr
        [pr] = json.loads(p.stdout)["patches"]
        if command == "check":
            assert any(f["rule"] == "path-outside-tree" for f in pr["findings"])
        assert [f["rebuild"] for f in pr["files"]] == ["hunks"]
