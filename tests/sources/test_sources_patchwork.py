"""Patchwork REST JSON (patch, series, cover) -> Patch / Series."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from qapilint.errors import InputError
from qapilint.sources import load, patch_from_patchwork_json


@pytest.fixture
def inputs(fixtures_dir: Path) -> Path:
    return fixtures_dir / "inputs"


def test_patch_fields(inputs: Path) -> None:
    s = load(str(inputs / "pw-patch-1001.json"))
    (p,) = s.patches
    assert p.id == "1001"
    assert p.title == "qapi/gadget: add a serial number to GadgetInfo"
    assert p.prefixes == ["PATCH", "v2", "1/2"]
    assert (p.version, p.number, p.total) == (2, 1, 2)
    assert (p.author, p.email) == ("Ada Tester", "ada@example.org")
    assert p.date is not None and p.date.utcoffset() == dt.timedelta(hours=1)
    assert p.msgid is not None and p.msgid.startswith("<463bcbaa")
    assert p.series_id == "77"
    assert p.message.startswith("Gadgets carry")
    assert "---" not in p.message and "qapi/gadget.json |" not in p.message
    assert p.trailers == [("Reviewed-by", "Bob Reviewer <bob@example.org>"),
                          ("Signed-off-by", "Ada Tester <ada@example.org>")]
    assert [f.path for f in p.files] == ["qapi/gadget.json"]
    assert p.diff_offset == 0 and not p.notes


def test_patch_lines_index_the_diff_field(inputs: Path) -> None:
    data = json.loads((inputs / "pw-patch-1002.json").read_text())
    p = patch_from_patchwork_json(data, "x.json")
    diff_lines = data["diff"].split("\n")
    for fd in p.files:
        assert diff_lines[fd.patch_line - 1].startswith("diff --git ")
        for h in fd.hunks:
            assert diff_lines[h.patch_line - 1].startswith("@@ ")
            for ln in h.lines:
                assert diff_lines[ln.patch_line - 1] == ln.kind + ln.text


def test_from_pseudo_header_gives_author_and_is_dropped() -> None:
    data = {
        "id": 9, "name": "[3/4] qapi: add thing", "submitter": {"name": "Sender", "email": "s@x.org"},
        "content": ("From: Real Author <real@x.org>\n\nBody text.\n\n"
                    "Signed-off-by: Real Author <real@x.org>\n---\nv2: fix"),
        "diff": "", "prefixes": ["3/4"], "headers": "", "date": "2025-01-02T03:04:05", "msgid": "",
    }
    p = patch_from_patchwork_json(data, "w")
    assert (p.author, p.email) == ("Real Author", "real@x.org")
    assert p.message == "Body text.\n\nSigned-off-by: Real Author <real@x.org>"
    assert (p.number, p.total) == (3, 4)
    assert p.date == dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert p.msgid is None
    assert any("no diff" in n for n in p.notes)


def test_empty_strings_tolerated(inputs: Path) -> None:
    (p,) = load(str(inputs / "pw-empty-strings-1203.json")).patches
    assert p.author == "" and p.msgid is None and p.date is None and p.series_id is None
    assert p.files and p.files[0].path == "qapi/gadget.json"


def test_missing_diff_names_the_field(inputs: Path) -> None:
    with pytest.raises(InputError, match="patchwork JSON: 'diff' is missing"):
        load(str(inputs / "bad-missing-diff.json"))


def test_wrong_type_names_the_field(inputs: Path) -> None:
    with pytest.raises(InputError, match="'submitter'"):
        load(str(inputs / "bad-submitter-type.json"))


@pytest.mark.parametrize("text, match", [
    ("{not json", "not valid JSON"),
    ("42", "patchwork JSON"),
    ('[{"id": 1, "name": "x"}]', "'diff' is missing"),
])
def test_bad_json(tmp_path: Path, text: str, match: str) -> None:
    f = tmp_path / "in.json"
    f.write_text(text)
    with pytest.raises(InputError, match=match):
        load(str(f), input_format="patchwork")


def test_series_from_sibling_files(inputs: Path) -> None:
    s = load(str(inputs / "pw-series-77.json"))
    assert s.id == "77" and s.version == 2 and s.received_all is True
    assert [p.id for p in s.patches] == ["1001", "1002"]
    assert s.cover is not None and s.cover.title == "qapi/gadget: serial numbers and usage counters"
    assert s.base_commit == s.cover.base_commit and s.base_commit is not None
    assert s.cover.files == []


def test_series_without_siblings_is_an_input_error(inputs: Path, tmp_path: Path) -> None:
    shutil.copy(inputs / "pw-series-77.json", tmp_path / "series.json")
    with pytest.raises(InputError, match="patch 1001 not found"):
        load(str(tmp_path / "series.json"))


def test_series_siblings_found_by_content(inputs: Path, tmp_path: Path) -> None:
    shutil.copy(inputs / "pw-series-77.json", tmp_path / "series.json")
    shutil.copy(inputs / "pw-patch-1001.json", tmp_path / "first.json")
    shutil.copy(inputs / "pw-patch-1002.json", tmp_path / "second.json")
    s = load(str(tmp_path / "series.json"))
    assert [p.number for p in s.patches] == [1, 2]
    assert s.cover is not None and s.cover.base_commit is None   # cover body not available


def test_json_array_is_a_series(inputs: Path, tmp_path: Path) -> None:
    items = [json.loads((inputs / n).read_text()) for n in ("pw-patch-1002.json", "pw-patch-1001.json")]
    f = tmp_path / "list.json"
    f.write_text(json.dumps(items))
    s = load(str(f))
    assert [p.id for p in s.patches] == ["1002", "1001"]
    assert s.id == "77"


def test_seed_is_flagged_collapsed(seed_json: Path) -> None:
    (p,) = load(str(seed_json)).patches
    assert p.whitespace_collapsed
    assert "input whitespace appears collapsed; whitespace-sensitive rules skipped" in p.notes
    assert any(f.path.startswith("qapi/") for f in p.files)
    for fd in p.files:
        for h in fd.hunks:
            assert len(h.old_text()) == h.old_len and len(h.new_text()) == h.new_len
