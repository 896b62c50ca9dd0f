"""include-outside-tree from the hunks: without a tree, or when the whole schema could not be loaded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from qapilint.checks.include_hunks import problem
from qapilint.cli import main

ROOT = Path(__file__).resolve().parents[2]
TREE = ROOT / "fixtures" / "rules" / "tree"
HEAD = "From: A <a@example.org>\nSubject: [PATCH] qapi: includes\nDate: Tue, 20 Jan 2026 09:00:00 +0000\n\n---\n"


def diff(path: str, added: list[str], context: str = "# -*- Mode: Python -*-", start: int = 1) -> str:
    body = [f" {context}", *(f"+{a}" for a in added)]
    return (f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"
            f"@@ -{start},1 +{start},{1 + len(added)} @@\n" + "\n".join(body) + "\n")


def check(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, *args: str) -> list[dict[str, Any]]:
    p = tmp_path / "p.patch"
    p.write_text(HEAD + text, encoding="utf-8")
    main(["check", "--format", "json", *args, str(p)])
    out, _err = capsys.readouterr()
    return [f for rep in json.loads(out)["patches"] for f in rep["findings"]]


@pytest.mark.parametrize(("including", "include", "why"), [
    ("qapi/qapi-schema.json", "../../pw-token", "the path leads outside the tree"),
    ("qapi/qapi-schema.json", "/etc/passwd", "absolute paths are not allowed"),
    ("qapi/x.json", "a/../../../x.json", "the path leads outside the tree"),
    ("storage-daemon/qapi/qapi-schema.json", "../../qapi/block.json", None),   # QEMU's own, inside
    ("qapi/qapi-schema.json", "../VERSION", None),
    ("qapi/qapi-schema.json", "sub/../block.json", None),
])
def test_paths_are_judged_as_the_loader_joins_them(including: str, include: str, why: str | None) -> None:
    assert problem(including, include) == why


def test_added_includes_that_leave_the_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = diff("qapi/qapi-schema.json", ["{ 'include': '../../pw-token' }", "{ 'include': '/etc/passwd' }",
                                          "{ 'include': 'sensor.json' }"])
    got = [(f["rule"], f["line"], f["patch_line"], f["message"]) for f in check(tmp_path, capsys, text)
           if f["rule"] == "include-outside-tree"]
    assert got == [
        ("include-outside-tree", 2, 11, "can't include '../../pw-token': the path leads outside the tree"),
        ("include-outside-tree", 3, 12, "can't include '/etc/passwd': absolute paths are not allowed"),
    ]


def test_what_is_not_an_added_include_is_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A member named 'include', an include on a context line, a directive split over lines (its path added).
    text = diff("qapi/x.json", ["{ 'struct': 'S', 'data': { 'include': 'str' } }", "{ 'include':",
                                "  '../../split' }"], context="{ 'include': '../../old' }")
    got = [(f["line"], f["message"]) for f in check(tmp_path, capsys, text) if f["rule"] == "include-outside-tree"]
    assert got == [(4, "can't include '../../split': the path leads outside the tree")]


def _tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(TREE, tree)
    return tree


def test_with_a_whole_tree_the_loader_says_it_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = _tree(tmp_path)
    text = diff("qapi/qapi-schema.json", ["{ 'include': '../../pw-token' }"])
    got = [f for f in check(tmp_path, capsys, text, "--tree", str(tree)) if f["rule"] == "include-outside-tree"]
    assert len(got) == 1 and "'../../pw-token'" in got[0]["message"] and got[0]["line"] == 2


def test_a_file_the_tree_refused_is_said_as_such(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With --tree, a schema file that is a link out of the tree is rebuilt from its hunks: the note
    says that (not 'no tree'), and the includes are judged from the hunks as without a tree."""
    tree = _tree(tmp_path)
    (tmp_path / "secret.json").write_text("{ 'command': 'canary' }\n", encoding="utf-8")
    (tree / "qapi" / "evil.json").symlink_to(tmp_path / "secret.json")
    text = (diff("qapi/evil.json", ["{ 'command': 'more' }"], context="{ 'command': 'canary' }")
            + diff("qapi/qapi-schema.json", ["{ 'include': '../../pw-token' }"]))
    found = check(tmp_path, capsys, text, "--tree", str(tree))
    [note] = [f for f in found if f["rule"] == "schema-not-checked"]
    assert note["file"] == "qapi/evil.json" and "no tree" not in note["message"]
    assert note["message"].startswith("rebuilt from its hunks, not from the tree")
    assert "a symbolic link leads outside the tree" in note["notes"][0]
    assert {f["rule"] for f in found} >= {"path-outside-tree", "include-outside-tree"}
    # Without a tree the note still says so.
    [plain] = [f for f in check(tmp_path, capsys, text) if f["rule"] == "schema-not-checked"]
    assert plain["message"].startswith("no tree:")
