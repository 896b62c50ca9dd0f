"""Plain unified diffs, statuses, line numbers, bad diffs and size limits."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from qapilint.errors import InputError
from qapilint.patch import FileDiff
from qapilint.sources import MAX_INPUT_BYTES, load
from qapilint.sources.diff import parse_diff


@pytest.fixture
def inputs(fixtures_dir: Path) -> Path:
    return fixtures_dir / "inputs"


def _model(files: list[FileDiff]) -> list[object]:
    return [(f.old_path, f.new_path, f.status, f.patch_line,
             [(h.old_start, h.old_len, h.new_start, h.new_len, h.section, h.patch_line,
               [(ln.kind, ln.text, ln.patch_line, ln.old_no, ln.new_no) for ln in h.lines]) for h in f.hunks])
            for f in files]


def test_statuses(inputs: Path) -> None:
    (p,) = load(str(inputs / "git-diff-mixed.diff")).patches
    got = [(f.old_path, f.new_path, f.status) for f in p.files]
    assert got == [("hw/gadget.c", None, "deleted"), (None, "hw/logo.png", "binary"),
                   (None, "qapi/extra.json", "added"), ("qapi/gadget.json", "qapi/gizmo.json", "renamed")]
    assert "schema file renamed: qapi/gadget.json -> qapi/gizmo.json" in p.notes
    assert "binary change not checked: hw/logo.png" in p.notes


@pytest.mark.parametrize("name", ["git-diff-mixed.diff", "diff-u.diff", "git-diff-delete-schema.diff",
                                  "bad-no-qapi.diff"])
def test_unidiff_and_scanner_agree(inputs: Path, name: str) -> None:
    text = (inputs / name).read_text()
    assert _model(parse_diff(text, 7).files) == _model(parse_diff(text, 7, use_unidiff=False).files)


def test_line_numbers(inputs: Path) -> None:
    text = (inputs / "git-diff-mixed.diff").read_text()
    lines = text.split("\n")
    (p,) = load(str(inputs / "git-diff-mixed.diff")).patches
    rename = p.files[-1]
    h = rename.hunks[0]
    assert lines[h.patch_line - 1].startswith("@@ -2,7 +2,7 @@")
    removed = [ln for ln in h.lines if ln.kind == "-"]
    assert removed[0].old_no == 5 and removed[0].new_no is None
    assert lines[removed[0].patch_line - 1] == "-# = Gadgets"
    added = next(ln for ln in h.lines if ln.kind == "+")
    assert added.new_no == 5 and added.old_no is None


def test_diff_u_paths_and_stdin(inputs: Path) -> None:
    s = load("-", stdin=io.BytesIO((inputs / "diff-u.diff").read_bytes()))
    (p,) = s.patches
    assert [(f.old_path, f.new_path, f.status) for f in p.files] == [("qapi/gizmo.json", "qapi/gizmo.json", "modified")]
    assert not p.notes


def test_delete_schema(inputs: Path) -> None:
    (p,) = load(str(inputs / "git-diff-delete-schema.diff")).patches
    assert p.files[0].status == "deleted" and p.files[0].new_path is None
    assert p.notes == ["schema file deleted: qapi/extra.json"]


def test_not_qapi(inputs: Path) -> None:
    (p,) = load(str(inputs / "bad-no-qapi.diff")).patches
    assert p.notes == ["patch touches no QAPI schema file"]
    assert p.files[0].hunks[0].new_len == 7


def test_truncated(inputs: Path) -> None:
    (p,) = load(str(inputs / "bad-truncated.patch")).patches
    assert "diff ends in the middle of a hunk (truncated input?)" in p.notes
    last = p.files[-1].hunks[-1]
    assert len(last.new_text()) < last.new_len


def test_lying_counts(inputs: Path) -> None:
    (p,) = load(str(inputs / "bad-lying-counts.diff")).patches
    assert any(n.startswith("hunk line counts disagree") for n in p.notes)
    assert [len(h.lines) for h in p.files[0].hunks] == [4, 5]


def test_undercounting_header_reads_the_extra_lines() -> None:
    text = "--- a/qapi/x.json\n+++ b/qapi/x.json\n@@ -1,1 +1,1 @@\n-a\n+b\n+c\n"
    (p,) = load("-", stdin=io.BytesIO(text.encode())).patches
    assert [ln.text for ln in p.files[0].hunks[0].lines] == ["a", "b", "c"]
    assert any(n.startswith("hunk line counts disagree") for n in p.notes)


def test_binary_patch(inputs: Path) -> None:
    (p,) = load(str(inputs / "bad-binary.patch")).patches
    assert [(f.path, f.status, f.hunks) for f in p.files] == [("hw/logo.png", "binary", [])]


def test_not_a_patch(inputs: Path) -> None:
    with pytest.raises(InputError, match="not a patchwork JSON"):
        load(str(inputs / "bad-not-a-patch.txt"))


@pytest.mark.parametrize("spec, match", [("/nonexistent/x.diff", "no such file"), (".", "directory")])
def test_unreadable(spec: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        load(spec)


def test_empty_input() -> None:
    with pytest.raises(InputError, match="empty"):
        load("-", stdin=io.BytesIO(b""))


def test_50mb_input_refused_from_file(tmp_path: Path) -> None:
    f = tmp_path / "big.diff"
    with f.open("wb") as out:
        out.truncate(50 * 1024 * 1024)
    with pytest.raises(InputError, match="larger than"):
        load(str(f))


def test_50mb_input_refused_from_stdin() -> None:
    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, b: bytearray) -> int:  # type: ignore[override]
            b[:] = b"+" * len(b)
            return len(b)

    with pytest.raises(InputError, match="larger than"):
        load("-", stdin=io.BufferedReader(Endless()))  # type: ignore[type-var]
    assert MAX_INPUT_BYTES < 50 * 1024 * 1024


def test_large_diff_below_the_limit_loads() -> None:
    # Schema hunks have a cap of their own (512 KiB per patch); other files only the input's.
    body = "".join(f"+  int member{i};\n" for i in range(100_000))
    text = f"--- a/hw/big.c\n+++ b/hw/big.c\n@@ -0,0 +1,100000 @@\n{body}"
    (p,) = load("-", stdin=io.BytesIO(text.encode())).patches
    assert len(p.files[0].hunks[0].lines) == 100_000
    body = "".join(f"+  'member{i}': 'int',\n" for i in range(20_000))
    text = f"--- a/qapi/big.json\n+++ b/qapi/big.json\n@@ -0,0 +1,20000 @@\n{body}"
    (p,) = load("-", stdin=io.BytesIO(text.encode())).patches
    assert len(p.files[0].hunks[0].lines) == 20_000


def test_unknown_format() -> None:
    with pytest.raises(InputError, match="unknown input format"):
        load("-", input_format="rtf", stdin=io.BytesIO(b"x"))
