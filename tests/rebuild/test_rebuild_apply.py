"""Placing hunks on a tree: exact, offset, whitespace-insensitive, fuzz, unplaceable."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from qapilint.patch import Patch
from qapilint.rebuild import rebuild
from qapilint.rebuild.apply import apply_hunks
from qapilint.sources import load_bytes

DEMO = "qapi/demo.json"


def make_patch(old: str, new: str, path: str = DEMO, context: int = 3) -> Patch:
    diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                        f"a/{path}", f"b/{path}", n=context))
    text = f"diff --git a/{path} b/{path}\n{diff}"
    return load_bytes(text.encode(), "test.diff", input_format="diff").patches[0]


@pytest.fixture
def tree(fixtures_dir: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "tree"
    shutil.copytree(fixtures_dir / "changes" / "tree", dest)
    return dest


def _edit(text: str) -> str:
    return text.replace("            'colour': 'Colour' } }",
                        "            'colour': 'Colour',\n            '*size': 'int' } }")


def test_exact_placement(tree: Path) -> None:
    base = (tree / DEMO).read_text()
    p = make_patch(base, _edit(base))
    res = apply_hunks(base, p.files[0].hunks, DEMO)
    assert not res.unplaced
    assert [pl.method for pl in res.placements] == ["exact"]
    assert "".join(ln.text + "\n" for ln in res.after) == _edit(base)


def test_offset_placement(tree: Path) -> None:
    base = (tree / DEMO).read_text()
    p = make_patch(base, _edit(base))
    shifted = "# one\n# two\n# three\n" + base
    res = apply_hunks(shifted, p.files[0].hunks, DEMO)
    assert [(pl.method, pl.offset) for pl in res.placements] == [("offset", 3)]
    assert "".join(ln.text + "\n" for ln in res.after) == "# one\n# two\n# three\n" + _edit(base)


def test_whitespace_insensitive_keeps_tree_text(tree: Path) -> None:
    base = (tree / DEMO).read_text()
    p = make_patch(base, _edit(base))
    for h in p.files[0].hunks:
        for ln in h.lines:
            ln.text = " ".join(ln.text.split())      # what an HTML scrape does
    res = apply_hunks(base, p.files[0].hunks, DEMO)
    assert [pl.method for pl in res.placements] == ["whitespace"]
    after = [ln.text for ln in res.after]
    assert "            'y': 'int'," in after            # context kept with the tree's indentation
    assert "'*size': 'int' } }" in after


def test_fuzz_drops_edge_context(tree: Path) -> None:
    base = (tree / DEMO).read_text()
    p = make_patch(base, _edit(base))
    drifted = base.replace("'data': { 'x': 'int',", "'data': { 'x': 'long',")   # first context line differs
    res = apply_hunks(drifted, p.files[0].hunks, DEMO)
    assert [(pl.method, pl.fuzz) for pl in res.placements] == [("fuzz", 1)]
    assert any(ln.text.endswith("'x': 'long',") for ln in res.after)     # the tree's line stands
    assert any("'*size': 'int' } }" in ln.text for ln in res.after)


def test_unplaceable_hunk_names_nearest_candidate(tree: Path) -> None:
    base = (tree / DEMO).read_text()
    p = make_patch(base, _edit(base))
    other = base.replace("'*label': 'str'", "'*title': 'str'").replace("'y': 'int'", "'z': 'int'") \
        .replace("'x': 'int'", "'w': 'int'")
    res = apply_hunks(other, p.files[0].hunks, DEMO)
    assert len(res.unplaced) == 1
    assert "nearest candidate: line" in res.unplaced[0]


def test_unplaceable_falls_back_to_hunks(tree: Path) -> None:
    base = (tree / DEMO).read_text()
    p = make_patch(base, _edit(base))
    (tree / DEMO).write_text(base.replace("'*label': 'str'", "'*title': 'str'")
                             .replace("'y': 'int'", "'z': 'int'").replace("'x': 'int'", "'w': 'int'"))
    rb = rebuild(p, str(tree))
    [fr] = rb.files
    assert fr.rebuild == "hunks" and fr.unplaced_hunks == 1
    assert any("does not apply" in n for n in fr.notes)
    assert not rb.complete


def test_tree_mode_is_complete(tree: Path) -> None:
    base = (tree / DEMO).read_text()
    rb = rebuild(make_patch(base, _edit(base)), str(tree))
    [fr] = rb.files
    assert fr.rebuild == "tree" and fr.unplaced_hunks == 0 and rb.complete
    assert rb.tree_after is not None and "Point" in rb.tree_after.definitions
    members = rb.tree_after.definitions["Point"].data["data"]
    assert isinstance(members, dict) and "*size" in members


def test_base_revision_read_with_git(tree: Path) -> None:
    import subprocess

    base = (tree / DEMO).read_text()
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "base"]):
        subprocess.run(["git", "-C", str(tree), *args], check=True)
    (tree / DEMO).write_text("garbage\n")        # the work tree no longer matters
    rb = rebuild(make_patch(base, _edit(base)), str(tree), base="HEAD")
    assert rb.files[0].rebuild == "tree" and rb.complete


def test_fuzz_two(tree: Path) -> None:
    base = (tree / DEMO).read_text()
    p = make_patch(base, _edit(base))
    drifted = base.replace("            'y': 'int',", "            'y': 'long',")
    res = apply_hunks(drifted, p.files[0].hunks, DEMO)
    assert [(pl.method, pl.fuzz) for pl in res.placements] == [("fuzz", 2)]


def test_offset_hunk_lines_renumbered_to_placement(tree: Path) -> None:
    base = (tree / DEMO).read_text()
    p = make_patch(base, _edit(base))
    given = [(ln.old_no, ln.new_no) for ln in p.files[0].hunks[0].lines]
    shifted = "# one\n# two\n# three\n" + base
    (tree / DEMO).write_text(shifted)
    rb = rebuild(p, str(tree))
    assert rb.files[0].rebuild == "tree"
    lines = p.files[0].hunks[0].lines
    assert [(ln.old_no, ln.new_no) for ln in lines] == [
        (o + 3 if o is not None else None, n + 3 if n is not None else None) for o, n in given]
    after = (rb.files[0].after_text or "").split("\n")
    for ln in lines:
        if ln.new_no is not None:
            assert after[ln.new_no - 1] == ln.text
    assert {ln.new_no for ln in lines if ln.kind == "+"} == rb.files[0].added_lines
