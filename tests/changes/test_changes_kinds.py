"""Each kind of change, found by comparing the tree before and after a synthetic patch."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from qapilint.changes.differ import changes_for_patch, changes_for_series
from qapilint.changes.model import Change
from qapilint.patch import Patch, Series
from qapilint.sources import load_bytes

DEMO = "qapi/demo.json"


def make_patch(old: str, new: str, path: str = DEMO, pid: str = "p1", n: int = 3) -> Patch:
    diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{path}", f"b/{path}", n=n))
    p = load_bytes(f"diff --git a/{path} b/{path}\n{diff}".encode(), "t.diff", input_format="diff").patches[0]
    p.id = pid
    return p


@pytest.fixture
def tree(fixtures_dir: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "tree"
    shutil.copytree(fixtures_dir / "changes" / "tree", dest)
    return dest


def changes(tree: Path, old: str, new: str) -> list[tuple[str, str, str, str | None]]:
    pc = changes_for_patch(make_patch(old, new), str(tree))
    assert pc.after.complete
    return [(c.op, c.what, c.definition, c.name) for c in pc.changes]


def one(tree: Path, a: str, b: str) -> list[tuple[str, str, str, str | None]]:
    base = (tree / DEMO).read_text()
    assert a in base
    return changes(tree, base, base.replace(a, b))


def test_member_added_removed(tree: Path) -> None:
    assert one(tree, "            '*label': 'str',\n", "            '*title': 'str',\n") == [
        ("added", "member", "Point", "title"), ("removed", "member", "Point", "label")]


def test_member_retyped_and_optionality(tree: Path) -> None:
    assert one(tree, "'y': 'int',", "'*y': 'number',") == [
        ("changed", "type", "Point", "y"), ("changed", "optional", "Point", "y")]


def test_enum_value(tree: Path) -> None:
    assert one(tree, "[ 'red', 'blue' ]", "[ 'red', 'green', 'blue' ]") == [("added", "value", "Colour", "green")]


def test_union_branch_base_discriminator(tree: Path) -> None:
    got = one(tree, "  'data': { 'dot': 'Point' } }", "  'data': { 'dot': 'Point', 'ring': 'Point' } }")
    assert got == [("added", "branch", "Shape", "ring")]
    got = one(tree, "  'base': { 'kind': 'ShapeKind' },\n  'discriminator': 'kind',",
              "  'base': 'ShapeBase',\n  'discriminator': 'type',")
    assert ("removed", "member", "Shape", "kind") in got
    assert ("changed", "base", "Shape", None) in got and ("changed", "discriminator", "Shape", None) in got


def test_alternate_branches(tree: Path) -> None:
    base = (tree / DEMO).read_text()
    with_alt = base + "\n##\n# @Either:\n#\n# Since: 9.0\n##\n{ 'alternate': 'Either',\n  'data': { 'n': 'int' } }\n"
    (tree / DEMO).write_text(with_alt)
    new = with_alt.replace("'data': { 'n': 'int' } }", "'data': { 'n': 'int', 's': 'str' } }")
    assert changes(tree, with_alt, new) == [("added", "branch", "Either", "s")]


def test_features_on_definition_and_member(tree: Path) -> None:
    got = one(tree, "            'colour': 'Colour' } }",
              "            'colour': { 'type': 'Colour', 'features': [ 'deprecated' ] } },\n"
              "  'features': [ 'unstable' ] }")
    assert ("added", "feature", "Point", "deprecated") in got and ("added", "feature", "Point", "unstable") in got


def test_conditions(tree: Path) -> None:
    assert one(tree, "{ 'event': 'DRAWN',", "{ 'event': 'DRAWN', 'if': 'CONFIG_DRAW',") == [
        ("added", "if", "DRAWN", None)]


def test_command_returns_boxed_flags(tree: Path) -> None:
    got = one(tree, "  'returns': 'Point' }", "  'returns': 'Shape', 'boxed': true, 'allow-oob': true }")
    assert ("changed", "returns", "draw", None) in got and ("added", "boxed", "draw", None) in got
    assert ("added", "flag", "draw", "allow-oob") in got
    got = one(tree, "  'data': { 'pixels': 'int' } }", "  'data': 'Point' }")
    assert ("added", "data", "DRAWN", None) in got and ("removed", "member", "DRAWN", "pixels") in got


def test_definition_added_and_removed(tree: Path) -> None:
    base = (tree / DEMO).read_text()
    start = base.index("##\n# @DRAWN:")
    got = changes(tree, base, base[:start] + base[start:].replace("DRAWN", "PAINTED"))
    assert ("added", "definition", "PAINTED", None) in got and ("removed", "definition", "DRAWN", None) in got


def test_doc_only_change(tree: Path) -> None:
    assert one(tree, "# @x: horizontal position", "# @x: horizontal position, in pixels") == [
        ("changed", "doc", "Point", "x")]
    assert one(tree, "# Since: 8.0\n##\n{ 'struct'", "# Since: 8.2\n##\n{ 'struct'") == [
        ("changed", "since", "Point", "Since")]


def test_change_points_at_patch_line(tree: Path) -> None:
    base = (tree / DEMO).read_text()
    p = make_patch(base, base.replace("[ 'red', 'blue' ]", "[ 'red', 'blue', 'green' ]"))
    [c] = changes_for_patch(p, str(tree)).changes
    plus = [ln for h in p.files[0].hunks for ln in h.lines if ln.kind == "+"]
    assert c.patch_lines == [plus[0].patch_line] and c.line == plus[0].new_no


def test_hunk_only_member_needs_plus_line(tree: Path) -> None:
    base = (tree / DEMO).read_text()
    p = make_patch(base, base.replace("            'colour': 'Colour' } }",
                                      "            'colour': 'Colour',\n            '*size': 'int' } }"), n=5)
    got: list[Change] = changes_for_patch(p).changes
    assert [(c.op, c.what, c.definition, c.name, c.partial) for c in got] == [
        ("added", "member", "Point", "size", True)]


def test_series_applies_earlier_patches_first(tree: Path) -> None:
    base = (tree / DEMO).read_text()
    mid = base.replace("[ 'red', 'blue' ]", "[ 'red', 'blue', 'green' ]")
    end = mid.replace("[ 'red', 'blue', 'green' ]", "[ 'red', 'blue', 'green', 'cyan' ]")
    series = Series(patches=[make_patch(base, mid, pid="1"), make_patch(mid, end, pid="2")])
    out = changes_for_series(series, str(tree))
    assert [[(c.op, c.name) for c in pc.changes] for pc in out] == [
        [("added", "green")], [("added", "cyan")], [("added", "green"), ("added", "cyan")]]
    assert out[-1].cumulative and all(f.rebuild == "tree" for pc in out for f in pc.files)
