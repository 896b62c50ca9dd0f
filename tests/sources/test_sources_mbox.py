"""mbox / git format-patch / single mails in various encodings -> Series."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from qapilint.errors import InputError
from qapilint.sources import load


@pytest.fixture
def inputs(fixtures_dir: Path) -> Path:
    return fixtures_dir / "inputs"


def test_series_mbox_with_cover(inputs: Path) -> None:
    s = load(str(inputs / "series-v2.mbox"))
    assert s.cover is not None
    assert s.cover.number == 0 and s.cover.title == "qapi/gadget: serial numbers and usage counters"
    assert s.cover.base_commit is not None and len(s.cover.base_commit) == 40
    assert s.base_commit == s.cover.base_commit
    assert [p.number for p in s.patches] == [1, 2]
    assert all(p.version == 2 and p.total == 2 for p in s.patches)
    assert s.id == s.cover.msgid
    assert all(p.in_reply_to == s.cover.msgid for p in s.patches)


def test_from_line_in_body_does_not_split(inputs: Path) -> None:
    s = load(str(inputs / "series-v2.mbox"))
    first = s.patches[0]
    assert "From this point on" in first.message
    assert first.trailers[-1] == ("Signed-off-by", "Ada Tester <ada@example.org>")


def test_patch_lines_are_file_lines(inputs: Path) -> None:
    path = inputs / "series-v2.mbox"
    lines = path.read_text().split("\n")
    for p in load(str(path)).patches:
        assert lines[p.diff_offset].startswith("diff --git ")
        for fd in p.files:
            assert lines[fd.patch_line - 1].startswith("diff --git ")
            for h in fd.hunks:
                assert lines[h.patch_line - 1].startswith("@@ ")
                for ln in h.lines:
                    assert lines[ln.patch_line - 1] == ln.kind + ln.text


def _shape(path: Path) -> tuple[object, ...]:
    (p,) = load(str(path)).patches
    return (p.title, p.version, p.number, p.total, p.email, p.date, p.msgid,
            [(f.path, [[(ln.kind, ln.text, ln.old_no, ln.new_no) for ln in h.lines] for h in f.hunks])
             for f in p.files])


@pytest.mark.parametrize("name", ["mail-qp.eml", "mail-base64.eml", "mail-crlf.eml",
                                  "mail-latin1.eml", "mail-badcharset.eml"])
def test_encodings_read_the_same(inputs: Path, name: str) -> None:
    assert _shape(inputs / name) == _shape(inputs / "mail-base64.eml")


@pytest.mark.parametrize("name", ["mail-qp.eml", "mail-latin1.eml", "mail-badcharset.eml"])
def test_non_ascii_decoded(inputs: Path, name: str) -> None:
    (p,) = load(str(inputs / name)).patches
    assert "façade" in p.message
    assert ("Reviewed-by", "Bob Réviewer <bob@example.org>") in p.trailers


def test_single_mail_sniffed_without_from_line(inputs: Path) -> None:
    data = (inputs / "mail-crlf.eml").read_bytes()
    assert not data.startswith(b"From ")
    s = load("-", stdin=io.BytesIO(data))
    assert s.patches[0].source == "<stdin>" and s.patches[0].files


def test_format_patch_single(inputs: Path) -> None:
    (p,) = load(str(inputs / "format-patch-0002.patch")).patches
    assert [f.path for f in p.files] == ["hw/gadget.c", "qapi/gadget.json"]
    assert p.diff.rstrip().endswith("+  'returns': 'GadgetStats' }")   # signature cut


def test_malformed_mbox(inputs: Path) -> None:
    with pytest.raises(InputError, match="no headers"):
        load(str(inputs / "bad-malformed.mbox"))


def test_forced_mbox_on_non_mail(inputs: Path) -> None:
    with pytest.raises(InputError, match="mbox"):
        load(str(inputs / "bad-no-qapi.diff"), input_format="mbox")


def test_cover_only_mbox(tmp_path: Path, inputs: Path) -> None:
    text = (inputs / "series-v2.mbox").read_text()
    cover = text.split("\nFrom ", 1)[0] + "\n"
    f = tmp_path / "cover.mbox"
    f.write_text(cover)
    s = load(str(f))
    assert s.cover is not None and s.patches == []
