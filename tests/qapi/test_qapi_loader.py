"""Loader: includes, pragmas, directive errors, error order across files, unreadable input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qapilint.errors import InputError
from qapilint.qapi.exprs import ParsedSchema
from qapilint.qapi.loader import load_schema


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def load(tmp_path: Path, files: dict[str, str], root: str = "main.json") -> ParsedSchema:
    write(tmp_path, files)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        return load_schema(root)
    finally:
        os.chdir(old)


def located(s: ParsedSchema) -> list[tuple[str, str]]:
    return [(str(e.info), e.message) for e in s.errors]


def enum(name: str) -> str:
    return f"{{ 'enum': '{name}', 'data': [] }}\n"


def test_includes_are_expanded_depth_first(tmp_path: Path) -> None:
    s = load(tmp_path, {
        "main.json": enum("A") + "{ 'include': 'sub/one.json' }\n" + enum("D"),
        "sub/one.json": enum("B") + "{ 'include': '../two.json' }\n",
        "two.json": enum("C"),
    })
    assert s.errors == []
    assert [e.data["enum"] for e in s.exprs] == ["A", "B", "C", "D"]
    assert s.files == ["main.json", "sub/one.json", "sub/../two.json"]
    c = s.exprs[2]
    assert c.info.file == "sub/../two.json"
    assert [(p.file, p.line) for p in c.info.include_chain()] == [("main.json", 2), ("sub/one.json", 2)]


def test_repeated_include_is_skipped(tmp_path: Path) -> None:
    s = load(tmp_path, {
        "main.json": "{ 'include': 'a.json' }\n{ 'include': 'sub/../a.json' }\n{ 'include': 'b.json' }\n",
        "a.json": enum("A"),
        "b.json": "{ 'include': 'a.json' }\n" + enum("B"),
    })
    assert s.errors == []
    assert [e.data["enum"] for e in s.exprs] == ["A", "B"]


def test_include_self_loop(tmp_path: Path) -> None:
    s = load(tmp_path, {"main.json": "\n{ 'include': 'main.json' }\n"})
    assert located(s) == [("main.json:2", "inclusion loop for main.json")]


def test_include_cycle_reports_in_innermost_file(tmp_path: Path) -> None:
    s = load(tmp_path, {
        "main.json": "{ 'include': 'b.json' }\n",
        "b.json": "\n{ 'include': 'c.json' }\n",
        "c.json": "\n\n{ 'include': 'main.json' }\n",
    })
    assert located(s) == [("c.json:3", "inclusion loop for main.json")]
    assert [(p.file, p.line) for p in s.errors[0].info.include_chain()] == [("main.json", 1), ("b.json", 2)]


def test_include_missing_file(tmp_path: Path) -> None:
    s = load(tmp_path, {"main.json": "{ 'include': 'sub/nope.json' }\n"})
    assert located(s) == [("main.json:1", "can't read include file 'sub/nope.json': No such file or directory")]
    assert s.errors[0].rule == "include-unreadable"


def test_include_directory(tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    s = load(tmp_path, {"main.json": "{ 'include': 'adir' }\n"})
    assert located(s) == [("main.json:1", "can't read include file 'adir': Is a directory")]


def test_include_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_bytes(b"{ 'enum': '\xff\xfe' }\n")
    s = load(tmp_path, {"main.json": "{ 'include': 'bad.json' }\n"})
    assert s.errors[0].rule == "include-unreadable"
    assert s.errors[0].message.startswith("can't read include file 'bad.json': ")


@pytest.mark.parametrize("text, rule, message", [
    ("{ 'include': 'a.json', 'if': 'X' }", "include-extra-keys", "invalid 'include' directive"),
    ("{ 'include': 'a.json', 'pragma': {} }", "include-extra-keys", "invalid 'include' directive"),
    ("{ 'include': ['a.json'] }", "include-not-string", "value of 'include' must be a string"),
    ("{ 'pragma': {}, 'x': 'y' }", "pragma-extra-keys", "invalid 'pragma' directive"),
    ("{ 'pragma': 'doc-required' }", "pragma-not-object", "value of 'pragma' must be an object"),
    ("{ 'pragma': { 'no-such': true } }", "pragma-unknown", "unknown pragma 'no-such'"),
    ("{ 'pragma': { 'doc-required': 'yes' } }", "pragma-doc-required-bool", "pragma 'doc-required' must be boolean"),
    ("{ 'pragma': { 'member-name-exceptions': 'X' } }", "pragma-not-string-list",
     "pragma member-name-exceptions must be a list of strings"),
    ("{ 'pragma': { 'command-name-exceptions': [ 'a', true ] } }", "pragma-not-string-list",
     "pragma command-name-exceptions must be a list of strings"),
])
def test_directive_errors(tmp_path: Path, text: str, rule: str, message: str) -> None:
    s = load(tmp_path, {"main.json": "\n\n" + text + "\n", "a.json": ""})
    assert [(e.rule, str(e.info), e.message) for e in s.errors] == [(rule, "main.json:3", message)]


def test_pragmas_are_global_and_later_ones_replace(tmp_path: Path) -> None:
    s = load(tmp_path, {
        "main.json": "{ 'include': 'pragma.json' }\n"
                     "{ 'pragma': { 'member-name-exceptions': [ 'Z' ] } }\n",
        "pragma.json": "{ 'pragma': { 'doc-required': true,\n"
                       "  'command-name-exceptions': [ 'a_b' ],\n"
                       "  'command-returns-exceptions': [ 'c' ],\n"
                       "  'documentation-exceptions': [ 'D' ],\n"
                       "  'member-name-exceptions': [ 'X', 'Y' ] } }\n",
    })
    assert s.errors == []
    p = s.pragma
    assert p.doc_required is True
    assert p.command_name_exceptions == ["a_b"]
    assert p.command_returns_exceptions == ["c"]
    assert p.documentation_exceptions == ["D"]
    assert p.member_name_exceptions == ["Z"]


def test_error_order_follows_include_position(tmp_path: Path) -> None:
    s = load(tmp_path, {
        "main.json": "{ 'enum': 'A' 'x' }\n{ 'include': 'sub.json' }\n{ 'enum': 'B' 'x' }\n",
        "sub.json": "{ 'enum': 'C' 'x' }\n",
    })
    assert [str(e.info) for e in s.errors] == ["main.json:1:15", "sub.json:1:15", "main.json:3:15"]
    assert s.errors[1].info.parent is not None and s.errors[1].info.parent.line == 2


def test_doc_before_include_is_reported_before_included_errors(tmp_path: Path) -> None:
    s = load(tmp_path, {
        "main.json": "##\n# @foo:\n##\n{ 'include': 'sub.json' }\n",
        "sub.json": "{ 'x' }\n",
    })
    assert [e.rule for e in s.errors] == ["doc-not-followed-by-definition", "syn-expected-colon"]


def test_docs_in_parse_order(tmp_path: Path) -> None:
    doc = "##\n# @{0}:\n##\n{{ 'enum': '{0}', 'data': [] }}\n"
    s = load(tmp_path, {
        "main.json": doc.format("A") + "{ 'include': 'sub.json' }\n" + doc.format("C"),
        "sub.json": doc.format("B"),
    })
    assert s.errors == []
    assert [d.symbol for d in s.docs] == ["A", "B", "C"]
    assert [e.doc.symbol if e.doc else None for e in s.exprs] == ["A", "B", "C"]


def test_reader_feeds_texts_from_memory() -> None:
    texts = {"q/root.json": "{ 'include': 'mod.json' }\n" + enum("R"), "q/mod.json": enum("M")}
    seen: list[str] = []

    def reader(path: str) -> str:
        seen.append(path)
        if path not in texts:
            raise FileNotFoundError(2, "No such file or directory", path)
        return texts[path]

    s = load_schema("q/root.json", reader=reader)
    assert seen == ["q/root.json", "q/mod.json"]
    assert [e.data["enum"] for e in s.exprs] == ["M", "R"]
    s = load_schema("q/root.json", reader=lambda p: texts[p] if p == "q/root.json" else reader("q/x"))
    assert located(s) == [("q/root.json:1", "can't read include file 'q/mod.json': No such file or directory")]


def test_root_missing_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as ei:
        load_schema(str(tmp_path / "nope.json"))
    assert "No such file or directory" in ei.value.message


def test_root_directory_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as ei:
        load_schema(str(tmp_path))
    assert "Is a directory" in ei.value.message


def test_root_not_utf8_is_input_error(tmp_path: Path) -> None:
    p = tmp_path / "bin.json"
    p.write_bytes(bytes(range(256)))
    with pytest.raises(InputError) as ei:
        load_schema(str(p))
    assert "UTF-8" in ei.value.message


def test_root_binary_but_decodable(tmp_path: Path) -> None:
    p = tmp_path / "bin.json"
    p.write_bytes(bytes(range(128)) * 100)
    s = load_schema(str(p))
    assert s.errors and s.errors[0].info.file == str(p)


def test_real_schema_loads_cleanly(qemu_clone: Path) -> None:
    s = load_schema(str(qemu_clone / "qapi" / "qapi-schema.json"))
    assert s.errors == []
    assert len(s.files) > 1 and s.files[0].endswith("qapi-schema.json")
    assert all(e.doc is not None for e in s.exprs)
    assert s.pragma.doc_required is True
