"""Hunk-only ChangeSets agree with tree-mode ones on the same patch."""

from __future__ import annotations

import difflib
from pathlib import Path

from qapilint.changes.differ import changes_for_patch
from qapilint.patch import Patch
from qapilint.sources import load_bytes

PATH = "qapi/x.json"
Key = tuple[str, str, str, str | None]


def _patch(old: str, new: str, n: int = 3) -> Patch:
    diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{PATH}", f"b/{PATH}", n=n))
    return load_bytes(f"diff --git a/{PATH} b/{PATH}\n{diff}".encode(), "t.diff", input_format="diff").patches[0]


def _keys(p: Patch, tree: Path | None) -> set[Key]:
    pc = changes_for_patch(p, str(tree) if tree is not None else None)
    return {(c.op, c.what, c.definition, c.name) for c in pc.changes if c.op in ("added", "removed")}


def _both(tmp_path: Path, old: str, new: str, n: int = 3) -> tuple[set[Key], set[Key]]:
    (tmp_path / "qapi").mkdir(exist_ok=True)
    (tmp_path / PATH).write_text(old)
    return _keys(_patch(old, new, n), None), _keys(_patch(old, new, n), tmp_path)


def _doc(name: str, members: list[str]) -> str:
    body = "".join(f"# @{m}: the {m}\n#\n" for m in members)
    return f"##\n# @{name}:\n#\n# What {name} does.\n#\n{body}# Since: 9.0\n##\n"


def _inline_to_type(tmp_path: Path, keep: list[str]) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    members = ["path", "a", "b", "c", "d", "e", "f"]
    data = ",\n".join(f"            '{m}': 'int'" for m in members)
    moved = ",\n".join(f"            '{m}': 'int'" for m in keep)
    old = _doc("do-it", members) + "{ 'command': 'do-it',\n  'data': {\n" + data + " } }\n"
    new = (_doc("DoItArgs", keep) + "{ 'struct': 'DoItArgs',\n  'data': {\n" + moved + " } }\n\n"
           + _doc("do-it", []) + "{ 'command': 'do-it', 'data': 'DoItArgs' }\n")
    return _both(tmp_path, old, new, n=2)


def test_inline_arguments_moved_into_a_type_are_not_removed(tmp_path: Path) -> None:
    hunks, tree = _inline_to_type(tmp_path, ["path", "a", "b", "c", "d", "e", "f"])
    assert not {k for k in tree | hunks if k[0] == "removed" and k[2] == "do-it"}
    assert ("added", "definition", "DoItArgs", None) in tree


def test_inline_arguments_dropped_on_the_way_into_a_type_are_removed(tmp_path: Path) -> None:
    hunks, tree = _inline_to_type(tmp_path, ["a", "b", "c", "d", "e"])
    # 'path' is a context line under the '-' opener: the command's arguments, seen whole
    # after the patch, no longer hold it.
    seen = {k for k in hunks if k[0] == "removed" and k[2] == "do-it"}
    assert ("removed", "member", "do-it", "path") in seen
    assert seen <= tree


def test_context_member_of_a_cut_after_side_is_not_removed(tmp_path: Path) -> None:
    members = [f"m{i}" for i in range(12)]
    data = ",\n".join(f"            '{m}': 'int'" for m in members)
    old = _doc("S", members) + "{ 'struct': 'S',\n  'data': {\n" + data + " } }\n"
    new = old.replace("            'm5': 'int',\n", "            'm5': 'int',\n            '*n': 'int',\n")
    hunks, tree = _both(tmp_path, old, new)
    assert tree == {("added", "member", "S", "n")}
    assert {k for k in hunks if k[0] == "removed"} == set()


def test_members_moved_into_a_new_base_are_moves(tmp_path: Path) -> None:
    members = [f"m{i}" for i in range(6)]
    data = ",\n".join(f"            '{m}': 'int'" for m in members)
    old = _doc("S", members) + "{ 'struct': 'S',\n  'data': {\n" + data + " } }\n"
    base = ",\n".join(f"            '{m}': 'int'" for m in members[:4])
    rest = ",\n".join(f"            '{m}': 'int'" for m in members[4:])
    new = (_doc("SBase", members[:4]) + "{ 'struct': 'SBase',\n  'data': {\n" + base + " } }\n\n"
           + _doc("S", members[4:]) + "{ 'struct': 'S', 'base': 'SBase',\n  'data': {\n" + rest + " } }\n")
    _hunks, tree = _both(tmp_path, old, new)
    assert not {k for k in tree if k[0] == "removed"}
    moved = [c for c in changes_for_patch(_patch(old, new), str(tmp_path)).changes
             if c.op == "changed" and c.what == "member"]
    assert {(c.definition, c.name) for c in moved} == {("S", m) for m in members[:4]}
    assert all(c.detail == "moved into 'SBase'" for c in moved)
