"""``qapilint diff OLD NEW`` and ``qapilint check --against REV`` end to end, on fixture trees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from releasekit import ROOT, git, history, write_tree

from qapilint.cli import main

V1 = """
{ 'struct': 'Info', 'data': { 'id': 'str', '*speed': 'int' } }
{ 'command': 'query-info', 'returns': 'Info' }
{ 'command': 'stop', 'data': { '*force': 'bool' } }
{ 'command': 'old-cmd', 'features': [ 'deprecated' ] }
"""
# 9.1: the deprecated command stays; 9.2 removes it (allowed) and 'speed' (never deprecated).
V2 = V1.replace("'*force': 'bool'", "'*force': 'bool', '*wait': 'bool'")
V3 = V2.replace(", '*speed': 'int'", "").replace("{ 'command': 'old-cmd', 'features': [ 'deprecated' ] }\n", "")


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("cli") / "tree"
    return path, history(path, [("9.0.0", V1), ("9.1.0", V2), ("9.2.0", V3), ("9.2.50", V3)])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = main(["diff", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_text_changelog_and_exit_status(tree: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]) -> None:
    path, revs = tree
    rc, out, err = run(capsys, "--tree", str(path), revs["9.1.0"], revs["9.2.0"])
    assert rc == 1 and not err                               # 'speed' was never deprecated
    assert "(9.1.0) -> " in out and "(9.2.0)" in out
    removed = out.split("Removed (2):")[1]
    assert "- BREAKING command 'old-cmd' removed [deprecated since 9.0, removed in 9.2]" in removed
    assert "- BREAKING member 'speed' of struct 'Info' removed [POLICY VIOLATION" in removed
    assert "[release-removed-undeprecated]" in out
    assert out.rstrip().endswith("summary: 0 new, 0 changed, 0 deprecated, 2 removed; 2 breaking, "
                                 "1 against the deprecation policy")
    rc, out, _ = run(capsys, "--tree", str(path), revs["9.0.0"], revs["9.1.0"])
    assert rc == 0 and "New (1):\n  + new argument 'wait' of command 'stop' (optional)" in out


def test_fail_on_and_selection(tree: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]) -> None:
    path, revs = tree
    old, new = revs["9.1.0"], revs["9.2.0"]
    assert run(capsys, "--tree", str(path), "--fail-on", "never", old, new)[0] == 0
    assert run(capsys, "--tree", str(path), "--ignore", "release-removed-undeprecated", old, new)[0] == 0
    assert run(capsys, "--tree", str(path), "--ignore", "release-removed-undeprecated", "--fail-on", "note",
               old, new)[0] == 1                          # the allowed removal is a note
    rc, _out, err = run(capsys, "--tree", str(path), "--select", "no-such-rule", old, new)
    assert rc == 2 and "unknown rule" in err


def test_json_contract(tree: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]) -> None:
    path, revs = tree
    rc, out, _ = run(capsys, "--tree", str(path), "--format", "json", revs["9.1.0"], revs["9.2.0"])
    doc = json.loads(out)
    assert rc == 1
    assert doc["old"]["release"] == "9.1" and doc["new"]["release"] == "9.2" and doc["new"]["released"]
    assert doc["summary"]["removed"] == 2 and doc["summary"]["violation"] == 1
    by = {(c["op"], c["what"], c["definition"], c["name"]): c for c in doc["changes"]}
    speed = by[("removed", "member", "Info", "speed")]
    assert speed["breaking"] is True and speed["policy"] == "violation" and speed["deprecated_since"] is None
    assert speed["file"] == ROOT and isinstance(speed["line"], int) and speed["directions"] == ["receive"]
    cmd = by[("removed", "definition", "old-cmd", None)]
    assert (cmd["policy"], cmd["deprecated_since"], cmd["group"]) == ("ok", "9.0", "removed")
    assert sorted(f["rule"] for f in doc["findings"]) == ["release-declared-break", "release-removed-undeprecated"]


def test_markdown_for_release_notes(tree: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]) -> None:
    path, revs = tree
    _rc, out, _ = run(capsys, "--tree", str(path), "-f", "markdown", revs["9.0.0"], revs["9.2.50"])
    assert out.startswith("## QAPI changes from 9.0 to 10.0 (development)\n")
    assert "### New\n\n- New argument `wait` of command `stop` (optional)\n" in out
    assert "- **Breaking:** Member `speed` of struct `Info` removed (**not following the deprecation policy**" in out


def test_directories_and_other_schemas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    qga_old = "{ 'command': 'guest-ping' }\n{ 'command': 'guest-sync', 'data': { 'id': 'int' } }\n"
    qga_new = "{ 'command': 'guest-ping' }\n{ 'command': 'guest-sync', 'data': { 'id': 'int', 'more': 'int' } }\n"
    a = write_tree(tmp_path / "a", "{ 'command': 'x' }\n", files={"qga/qapi-schema.json": qga_old})
    b = write_tree(tmp_path / "b", "{ 'command': 'x' }\n", files={"qga/qapi-schema.json": qga_new})
    rc, out, _ = run(capsys, "--schema", "qga/qapi-schema.json", str(a), str(b))
    assert rc == 1 and "new argument 'more' of command 'guest-sync' (mandatory) [POLICY VIOLATION" in out
    assert out.count("[release-undeclared-break]") == 1
    assert "note: no release history" in out
    rc, out, _ = run(capsys, str(a), str(b))
    assert rc == 0 and "no change visible to clients" in out
    # The storage daemon's root includes the main schema's files through '../../qapi/'.
    sd = "{ 'include': '../../qapi/block.json' }\n{ 'command': 'nbd-start' }\n"
    blk = "{ 'command': 'blk', 'data': { 'id': 'str' } }\n"
    c = write_tree(tmp_path / "c", "{ 'command': 'x' }\n", files={
        "storage-daemon/qapi/qapi-schema.json": sd, "qapi/block.json": blk})
    d = write_tree(tmp_path / "d", "{ 'command': 'x' }\n", files={
        "storage-daemon/qapi/qapi-schema.json": sd, "qapi/block.json": "{ 'command': 'blk' }\n"})
    rc, out, _ = run(capsys, "--schema", "storage-daemon/qapi/qapi-schema.json", str(c), str(d))
    assert rc == 1 and "argument 'id' of command 'blk' removed" in out and "(qapi/block.json:1)" in out


def test_bad_sides_are_one_error_line(tmp_path: Path, tree: tuple[Path, dict[str, str]],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    path, revs = tree
    rc, out, err = run(capsys, "--tree", str(path), "no-such-rev", revs["9.0.0"])
    assert rc == 2 and not out and err.count("\n") == 1 and "unknown revision 'no-such-rev'" in err
    rc, _, err = run(capsys, "--tree", str(path), "--schema", "../etc/passwd", revs["9.0.0"], revs["9.1.0"])
    assert rc == 2 and "not a path inside the tree" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    rc, _, err = run(capsys, str(empty), str(empty))
    assert rc == 2 and "no schema there" in err
    rc, _, err = run(capsys, "--tree", str(path), "--", "--output=/tmp/x", revs["9.0.0"])
    assert rc == 2 and "not a revision" in err


def test_check_against_a_release(tree: tuple[Path, dict[str, str]], tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A series on the development tree: what breaks against release 9.1 is not what breaks against its base."""
    path, revs = tree
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(path), str(work))
    # 'wait' was released in 9.1; 'level' is added during 10.0 development, then its type changes.
    step = V3.replace("'*wait': 'bool'", "'*wait': 'bool', '*level': 'int'")
    write_tree(work, step)
    git(work, "commit", "-qam", "add level")
    base = git(work, "rev-parse", "HEAD")
    write_tree(work, step.replace(", '*wait': 'bool', '*level': 'int'", ", '*level': 'str'"))
    git(work, "commit", "-qam", "drop wait, level becomes a string")
    patch = tmp_path / "series.patch"
    patch.write_text(git(work, "format-patch", "--stdout", "-1") + "\n", encoding="utf-8")
    rc = main(["check", "--tree", str(work), "--base", base, "--against", revs["9.1.0"], "--select", "release",
               "--format", "json", str(patch)])
    out, _err = capsys.readouterr()
    [rep] = json.loads(out)["patches"]
    got = {(f["rule"], f["item"]) for f in rep["findings"]}
    # 'wait' is in 9.1: its removal is reported; 'level' is in no release: its new type breaks nobody.
    assert got == {("release-removed-undeprecated", "wait")}
    assert rc == 1
    [f] = rep["findings"]
    assert f["file"] == ROOT and f["message"].startswith(f"against {revs['9.1.0']} (9.1.0): argument 'wait'")
    rc = main(["check", "--tree", str(work), "--base", base, "--against", "nope", str(patch)])
    _out, err = capsys.readouterr()
    assert rc == 2 and err.count("\n") == 1 and "unknown revision 'nope'" in err


def test_includes_stay_inside_the_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "secret.json").write_text("{ 'command': 'leaked' }\n", encoding="utf-8")
    a = write_tree(tmp_path / "t" / "a", "{ 'command': 'x' }\n")
    b = write_tree(tmp_path / "t" / "b", "{ 'include': '../../../secret.json' }\n{ 'command': 'x' }\n")
    rc, out, _ = run(capsys, str(a), str(b))
    assert "leaked" not in out and "schema error" in out and rc == 0
