"""``qapilint schema``: exit codes, output shape, rule versions and unusable input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qapilint.cli import main

LOC = re.compile(r"^(?P<file>[^\s:][^:]*?):(?P<line>\d+)(?::(?P<col>\d+))?: (?P<msg>.*)$")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(["schema", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return rc, out, err


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_clean_schema_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "ok.json", "{ 'struct': 'Foo', 'data': { 'a': 'int' } }\n")
    assert run(capsys, f) == (0, "", "")


def test_semantic_error_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "s.json", "{ 'struct': 'Foo',\n  'data': { 'a': 'Nope' } }\n")
    rc, out, _err = run(capsys, f)
    assert rc == 1
    assert out.splitlines() == [
        f"{f}: In struct 'Foo':",
        f"{f}:1: error: member 'a' uses unknown type 'Nope' [type-unknown]",
    ]


def test_redefinition_continuation_lines_are_indented(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "r.json", "{ 'struct': 'Foo', 'data': {} }\n{ 'enum': 'Foo', 'data': [] }\n")
    rc, out, _err = run(capsys, f)
    lines = out.splitlines()
    assert rc == 1
    assert lines[1] == f"{f}:2: error: 'Foo' is already defined [name-redefined]"
    assert lines[2:] == [f"  {f}: In struct 'Foo':", f"  {f}:1: previous definition"]
    # Only one line is a diagnostic: the first FILE:LINE line is the error.
    assert [m.group("line") for m in map(LOC.match, lines) if m] == ["2"]


def test_parse_error_has_column_and_no_context(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "p.json", "{ 'struct' 'Foo' }\n")
    rc, out, _err = run(capsys, f)
    assert rc == 1
    m = LOC.match(out.splitlines()[0])
    assert m is not None and m.group("col") is not None
    assert m.group("msg").startswith("error: ")


def test_include_chain_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "inc.json", "{ 'struct': 'Foo', 'data': { 'a': 'Nope' } }\n")
    f = write(tmp_path / "root.json", "# root\n{ 'include': 'inc.json' }\n")
    rc, out, _err = run(capsys, f)
    assert rc == 1
    lines = out.splitlines()
    assert lines[0] == f"In file included from {f}:2:"
    assert lines[1].endswith("inc.json: In struct 'Foo':")
    assert re.match(r".*inc\.json:1: error: member 'a' uses unknown type 'Nope'", lines[2])


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "s.json", "{ 'command': 'x', 'returns': 'int' }\n")
    rc, out, _err = run(capsys, "--format", "json", f)
    assert rc == 1
    found = json.loads(out)
    assert [(d["rule"], d["severity"], d["file"], d["line"], d["col"]) for d in found] == [
        ("command-returns-bad-type", "error", f, 1, None)]
    assert found[0]["message"] == "command's 'returns' cannot take built-in type 'int'"


def test_json_format_clean_is_empty_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "ok.json", "{ 'enum': 'Foo', 'data': [] }\n")
    rc, out, _err = run(capsys, "--format", "json", f)
    assert (rc, json.loads(out)) == (0, [])


_LONG_DOC = "##\n# @Foo:\n#\n# " + "word " * 20 + "\n#\n# Since: 1.0\n##\n{ 'enum': 'Foo', 'data': [] }\n"


@pytest.mark.parametrize(("version", "rules", "expected"), [
    ("10.0.0\n", None, 0),          # the tree's own rules: 10.0 had no line-length rule
    ("10.0.0\n", "latest", 1),
    ("10.0.0\n", "10.2", 1),
    ("10.2.50\n", None, 1),
    ("10.2.50\n", "10.1", 0),
])
def test_rules_follow_the_tree_version(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       version: str, rules: str | None, expected: int) -> None:
    (tmp_path / "VERSION").write_text(version)
    (tmp_path / "qapi").mkdir()
    f = write(tmp_path / "qapi" / "s.json", _LONG_DOC)
    rc, out, _err = run(capsys, *(["--rules", rules] if rules else []), f)
    assert rc == expected
    assert ("[doc-line-too-long]" in out) == bool(expected)


def test_bad_rules_option_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "ok.json", "{ 'enum': 'Foo', 'data': [] }\n")
    with pytest.raises(SystemExit) as exc:
        main(["schema", "--rules", "ten", f])
    assert exc.value.code == 2


# ------------------------------------------------------------ unusable input


def _one_error_line(err: str, path: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"qapilint: error: {path}: ")


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "nope.json")
    rc, _out, err = run(capsys, path)
    assert rc == 2
    _one_error_line(err, path)


def test_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _out, err = run(capsys, str(tmp_path))
    assert rc == 2
    _one_error_line(err, str(tmp_path))


def test_non_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b"{ 'enum': 'Foo', 'data': [ '\xe9' ] }\n")
    rc, _out, err = run(capsys, str(path))
    assert rc == 2
    _one_error_line(err, str(path))


def test_binary_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bin.json"
    path.write_bytes(bytes(range(256)) * 8)
    rc, out, err = run(capsys, str(path))
    assert rc in (1, 2)
    if rc == 2:
        _one_error_line(err, str(path))
    else:
        assert LOC.match(out.splitlines()[0])


def test_other_paths_still_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path / "bad.json", "{ 'struct': 'Foo', 'data': { 'a': 'Nope' } }\n")
    rc, out, err = run(capsys, str(tmp_path / "missing.json"), bad)
    assert rc == 2
    assert "missing.json" in err and "[type-unknown]" in out


@pytest.mark.parametrize(("text", "rc"), [
    ("", 0),
    ("# only a comment\n", 0),
    ("{ 'struct': 'Foo', 'data': { 'a': 'int", 1),             # unterminated string at EOF
    ("{ 'struct': 'Foo', 'data': { 'a': " + "[" * 10000 + "'int'" + "]" * 10000 + " } }\n", 1),
    ("[" * 10000, 1),
    ("{ 'include': 'sub' }\n", 1),                              # include of a directory
])
def test_hostile_input_gives_a_finding_or_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                text: str, rc: int) -> None:
    (tmp_path / "sub").mkdir()
    f = write(tmp_path / "x.json", text)
    got, out, err = run(capsys, f)
    assert got == rc
    assert err == ""
    if rc:
        assert LOC.match(out.splitlines()[0]) or LOC.match(out.splitlines()[1])


def test_ten_megabyte_file_is_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Over the 8 MiB per-file cap (qapilint.contain): one error line, exit 2, nothing parsed.
    body = ("# " + "padding " * 8 + "\n") * (10 * 1024 * 1024 // 67)
    f = write(tmp_path / "big.json", body + "{ 'struct': 'Foo', 'data': { 'a': 'Nope' } }\n")
    rc, out, err = run(capsys, f)
    assert rc == 2 and out == ""
    assert err.splitlines() == [f"qapilint: error: {f}: can't read schema file '{f}': larger than 8 MiB"]
