"""``qapilint changes``: text and JSON output, tree option, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qapilint.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = main(["changes", "--no-tree", *args]) if "--tree" not in args else main(["changes", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_text_output(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, str(fixtures_dir / "changes" / "add-member.patch"))
    assert rc == 0 and not err
    assert "qapi/demo.json: rebuilt from hunks" in out
    assert "+ member Point.size: int (optional) [partial]" in out
    assert "+ struct Circle" in out and "member radius: int" in out


def test_json_contract(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _err = run(capsys, "--format", "json", str(fixtures_dir / "changes" / "add-member-collapsed.json"))
    assert rc == 0
    [p] = json.loads(out)["patches"]
    assert p["id"] == "1000001" and p["subject"].endswith("add Point size and Circle")
    assert p["files"] == [{"path": "qapi/demo.json", "rebuild": "hunks", "unplaced_hunks": 0, "notes": []}]
    keys = {(c["op"], c["what"], c["definition"], c["name"], c["partial"]) for c in p["changes"]}
    assert keys == {("added", "member", "Point", "size", True), ("added", "definition", "Circle", None, False)}
    for c in p["changes"]:
        assert {"file", "line", "patch_line", "before", "after", "detail"} <= set(c)
        assert isinstance(c["patch_line"], int)


def test_tree_mode_with_collapsed_input(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _err = run(capsys, "--format", "json", "--tree", str(fixtures_dir / "changes" / "tree"),
                        str(fixtures_dir / "changes" / "add-member-collapsed.json"))
    assert rc == 0
    [p] = json.loads(out)["patches"]
    [f] = p["files"]
    assert f["rebuild"] == "tree" and f["unplaced_hunks"] == 0
    assert any("ignoring whitespace" in n for n in f["notes"])
    assert {(c["op"], c["what"], c["definition"], c["name"], c["partial"]) for c in p["changes"]} == {
        ("added", "member", "Point", "size", False), ("added", "definition", "Circle", None, False)}


def test_bad_input_is_one_line_and_others_still_processed(fixtures_dir: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, str(tmp_path / "missing.patch"), str(fixtures_dir / "changes" / "add-member.patch"))
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith("qapilint: error: ") and "missing.patch" in err
    assert "+ struct Circle" in out


def test_patch_without_qapi_files(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _err = run(capsys, str(fixtures_dir / "changes" / "no-qapi.diff"))
    assert rc == 0 and "no QAPI schema file" in out


def test_bad_tree(tmp_path: Path, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _out, err = run(capsys, "--tree", str(tmp_path / "nope"), str(fixtures_dir / "changes" / "add-member.patch"))
    assert rc == 2 and err.startswith("qapilint: error: ")


def test_seed_patch(seed_json: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _err = run(capsys, "--format", "json", str(seed_json))
    assert rc == 0
    [p] = json.loads(out)["patches"]
    by = {(c["what"], c["definition"], c["name"]): c for c in p["changes"]}
    new = by[("definition", "DeviceSaveStateTime", None)]
    assert new["op"] == "added" and not new["partial"]
    assert new["after"]["data"] == {"name": "str", "instance-id": "uint32", "save-time": "uint64"}
    m = by[("member", "MigrationInfo", "device-state-times")]
    assert m["op"] == "added" and m["partial"] and m["after"] == ["DeviceSaveStateTime"]
    assert "(optional)" in m["detail"] and "(Since 10.2)" in m["doc"]
