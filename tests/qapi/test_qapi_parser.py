"""Parser: values, QEMU's lexical/syntax messages and positions, doc-block lexing, robustness."""

from __future__ import annotations

import pytest

from qapilint.qapi.exprs import ParsedFile
from qapilint.qapi.parser import parse_file


def parse(text: str) -> ParsedFile:
    return parse_file(text, "t.json")


def first(text: str) -> tuple[str, str, str]:
    """(rule, location, message) of the first error."""
    errors = parse(text).errors
    assert errors, "expected an error"
    e = errors[0]
    return e.rule, str(e.info), e.message


# -- values -------------------------------------------------------------------


def test_values_of_every_kind() -> None:
    pf = parse("{ 'struct': 'S', 'data': { 'a': 'str', '*b': ['int'], 'c': { 'type': 'x', 'if': 'Y' } },\n"
               "  'boxed': true, 'gen': false, 'features': [ { 'name': 'f' } ], 'e': [], 'o': {} }\n")
    assert pf.errors == []
    assert pf.exprs[0].data == {
        "struct": "S", "data": {"a": "str", "*b": ["int"], "c": {"type": "x", "if": "Y"}},
        "boxed": True, "gen": False, "features": [{"name": "f"}], "e": [], "o": {}}


def test_key_order_is_kept() -> None:
    pf = parse("{ 'enum': 'E', 'data': [ 'z', 'a', 'm' ], 'if': 'X' }")
    assert list(pf.exprs[0].data) == ["enum", "data", "if"]
    assert pf.exprs[0].data["data"] == ["z", "a", "m"]


def test_backslash_escape_gives_one_backslash() -> None:
    pf = parse("{ 'a': 'x\\\\y', 'b': { 'c': 'p\\\\', 'd': ['\\\\'] } }")
    assert pf.exprs[0].data == {"a": "x\\y", "b": {"c": "p\\", "d": ["\\"]}}


def test_comments_and_hash_inside_strings() -> None:
    pf = parse("# leading comment\n{ 'a': 'b#c', # trailing, with 'quotes'\n  'd': [ 'e' # more\n ] }\n")
    assert pf.errors == []
    assert pf.exprs[0].data == {"a": "b#c", "d": ["e"]}


def test_expr_info_is_line_of_opening_brace() -> None:
    pf = parse("\n\n  { 'enum': 'A', 'data': [] }\n{ 'enum': 'B',\n 'data': [] } { 'enum': 'C', 'data': [] }")
    assert [(e.info.file, e.info.line, e.info.col) for e in pf.exprs] == [
        ("t.json", 3, None), ("t.json", 4, None), ("t.json", 5, None)]


def test_crlf_line_ends_are_newlines() -> None:
    pf = parse("{ 'enum': 'A',\r\n  'data': [] }\r\n{ 'x' }\r\n")
    assert pf.exprs[0].data == {"enum": "A", "data": []}
    assert str(pf.errors[0].info) == "t.json:3:7"


# -- lexical errors -----------------------------------------------------------


@pytest.mark.parametrize("text, rule, where, message", [
    ("{ 'a': 123 }", "lex-stray", "t.json:1:8", "stray '123'"),
    ("{ 'a': null}", "lex-stray", "t.json:1:8", "stray 'null'"),
    ('{ "a": 1 }', "lex-stray", "t.json:1:3", "stray '\"a\"'"),
    ("{ 'a': trueish }", "lex-stray", "t.json:1:12", "stray 'ish'"),
    ("{ 'a': 'b' };", "lex-stray", "t.json:1:13", "stray ';'"),
    ("{ 'a': \\ }", "lex-stray", "t.json:1:8", "stray '\\'"),
    ("{ 'a':\n  'oops }\n", "lex-string-unterminated", "t.json:2:3", "missing terminating \"'\""),
    ("{ 'a': 'oops", "lex-string-unterminated", "t.json:1:8", "missing terminating \"'\""),
    ("{ 'a': 'x\\ny' }", "lex-string-escape", "t.json:1:8", "unknown escape \\n"),
    ("{ 'a': 'x\\'' }", "lex-string-escape", "t.json:1:8", "unknown escape \\'"),
    ("{ 'a': 'tab\there' }", "lex-string-char", "t.json:1:8", "funny character in string"),
    ("{ 'a': 'caf\u00e9' }", "lex-string-char", "t.json:1:8", "funny character in string"),
    ("{ 'a': 'del\x7f' }", "lex-string-char", "t.json:1:8", "funny character in string"),
    ("{ 'a': 'unit\x1f' }", "lex-string-char", "t.json:1:8", "funny character in string"),
])
def test_lexical_errors(text: str, rule: str, where: str, message: str) -> None:
    assert first(text) == (rule, where, message)


@pytest.mark.parametrize("prefix, col", [
    # Not tab stops: a tab at column c moves to ((c + 7) mod 8) + 1.
    ("\t", 1), ("  \t", 3), ("\t\t", 1), ("       \t", 8), ("        \t", 1), ("\t  ", 3), ("x", 2),
])
def test_column_tab_rule(prefix: str, col: int) -> None:
    text = "{ 'a': 'b',\n" + prefix.replace("x", " ") + "@ }"
    assert first(text)[1] == f"t.json:2:{col}"


def test_lexical_error_only_when_reached() -> None:
    # QEMU lexes lazily: the syntax error before the stray character wins.
    assert first("{ 'a' 'b' 123 }")[0] == "syn-expected-colon"


# -- syntax errors ------------------------------------------------------------


@pytest.mark.parametrize("text, rule, where, message", [
    ("{ 'a': }", "syn-expected-value", "t.json:1:8", "expected '{', '[', string, or boolean"),
    ("{ 'a': [ 'b', ] }", "syn-expected-value", "t.json:1:15", "expected '{', '[', string, or boolean"),
    ("{ 'a': [ , 'b' ] }", "syn-expected-value-or-rbracket", "t.json:1:10",
     "expected '{', '[', ']', string, or boolean"),
    ("{ , 'a': 'b' }", "syn-expected-key-or-rbrace", "t.json:1:3", "expected string or '}'"),
    ("{ 'a': 'b', }", "syn-expected-key", "t.json:1:13", "expected string"),
    ("{ 'a': { 'b': 'c', } }", "syn-expected-key", "t.json:1:20", "expected string"),
    ("{ 'a' 'b' }", "syn-expected-colon", "t.json:1:7", "expected ':'"),
    ("{ 'a': 'b'\n  'c': 'd' }", "syn-expected-comma-or-rbrace", "t.json:2:3", "expected ',' or '}'"),
    ("{ 'a': { 'x': 'y' } 'c': 'd' }", "syn-expected-comma-or-rbrace", "t.json:1:21", "expected ',' or '}'"),
    ("{ 'a': [ 'b' 'c' ] }", "syn-expected-comma-or-rbracket", "t.json:1:14", "expected ',' or ']'"),
    ("{ 'a': [ 'b' }", "syn-expected-comma-or-rbracket", "t.json:1:14", "expected ',' or ']'"),
    ("{ 'a': [ { 'b': 'c' } 'd' ] }", "syn-expected-comma-or-rbracket", "t.json:1:23", "expected ',' or ']'"),
    ("}", "syn-expected-value", "t.json:1:1", "expected '{', '[', string, or boolean"),
    ("{ 'a': 'b' } :", "syn-expected-value", "t.json:1:14", "expected '{', '[', string, or boolean"),
])
def test_syntax_errors(text: str, rule: str, where: str, message: str) -> None:
    assert first(text) == (rule, where, message)


@pytest.mark.parametrize("text, where, message", [
    ("{ 'a': 'b'", "t.json:1:11", "expected ',' or '}'"),
    ("{ 'a': 'b'\n", "t.json:1:11", "expected ',' or '}'"),
    ("{ 'a': [ 'b'\n\n", "t.json:2:1", "expected ',' or ']'"),
    ("{ 'a':\n", "t.json:1:7", "expected '{', '[', string, or boolean"),
    ("{ 'a'   \n# a comment\n", "t.json:2:12", "expected ':'"),
])
def test_eof_errors_are_on_the_last_line(text: str, where: str, message: str) -> None:
    assert first(text)[1:] == (where, message)


@pytest.mark.parametrize("text, where", [
    ("{ 'a': 'b', 'a': 'c' }", "t.json:1:18"),                     # scalars only
    ("{ 'a': { 'x': 'y' },\n  'a':  [ 'z' ] }", "t.json:2:9"),     # nested values
    ("{ 'k': { 'a': 'b', 'a': { } } }", "t.json:1:25"),
])
def test_duplicate_key_points_at_second_value(text: str, where: str) -> None:
    assert first(text) == ("syn-duplicate-key", where, "duplicate key 'a'")


def test_duplicate_key_is_exact_string_compare() -> None:
    assert parse("{ 'a': 'b', '*a': 'c' }").errors == []


def test_duplicate_key_reported_before_bad_value() -> None:
    # QEMU checks the key right after ':' and only then parses the value.
    assert first("{ 'a': { 'b': 'c' }, 'a': }")[0] == "syn-duplicate-key"


def test_top_level_must_be_object() -> None:
    pf = parse("'string'\n[ 'a' ]\ntrue\n{ 'enum': 'E', 'data': [] }\n")
    assert [(e.rule, str(e.info)) for e in pf.errors] == [
        ("top-not-object", "t.json:1"), ("top-not-object", "t.json:2"), ("top-not-object", "t.json:3")]
    assert pf.errors[0].message == "top-level expression must be an object"
    assert len(pf.exprs) == 1


def test_errors_inside_a_list_come_before_top_level_error() -> None:
    assert first("[ 'a' 'b' ]")[0] == "syn-expected-comma-or-rbracket"


def test_resynchronises_after_syntax_error() -> None:
    pf = parse("{ 'enum': 'A', 'data': [ 'x' 'y' ] }\n"
               "{ 'enum': 'B', 'data': [] }\n"
               "{ 'enum': 'C' 'data': [] }\n"
               "{ 'enum': 'D', 'data': [] }\n")
    assert [(e.rule, e.info.line) for e in pf.errors] == [
        ("syn-expected-comma-or-rbracket", 1), ("syn-expected-comma-or-rbrace", 3)]
    assert [e.data["enum"] for e in pf.exprs] == ["B", "D"]


def test_directives_stay_in_exprs() -> None:
    pf = parse("{ 'include': 'a.json' }\n{ 'pragma': { 'doc-required': true } }\n")
    assert [e.data for e in pf.exprs] == [{"include": "a.json"}, {"pragma": {"doc-required": True}}]


# -- doc blocks -----------------------------------------------------------------


def test_doc_block_attached_with_lines() -> None:
    text = ("##\n"
            "# @Foo:\n"
            "#\n"
            "\n"
            "# Some text.   \n"
            "#   indented\n"
            "##\n"
            "{ 'struct': 'Foo', 'data': {} }\n")
    pf = parse(text)
    assert pf.errors == []
    doc = pf.exprs[0].doc
    assert doc is not None and doc.symbol == "Foo"
    assert doc.info.line == 1 and doc.end_line == 7
    assert [(dl.line, dl.text, dl.raw) for dl in doc.lines] == [
        (2, "@Foo:", "# @Foo:"), (3, "", "#"), (5, "Some text.", "# Some text.   "),
        (6, "  indented", "#   indented")]
    assert pf.docs == [doc]


def test_ordinary_comments_between_doc_and_definition() -> None:
    pf = parse("##\n# @Foo:\n##\n# just a comment\n\n{ 'struct': 'Foo', 'data': {} }\n")
    assert pf.errors == [] and pf.exprs[0].doc is not None


@pytest.mark.parametrize("text, rule, where, message", [
    ("### \n# x\n##\n", "doc-start-junk", "t.json:1:1", "junk after '##' at start of documentation comment"),
    ("  ## x\n# x\n##\n", "doc-start-junk", "t.json:1:3", "junk after '##' at start of documentation comment"),
    ("##\n# x\n## \n", "doc-end-junk", "t.json:3:1", "junk after '##' at end of documentation comment"),
    ("##\n# x\n ###\n", "doc-end-junk", "t.json:3:2", "junk after '##' at end of documentation comment"),
    ("##\n# x\n#y\n##\n", "doc-missing-space", "t.json:3:1", "missing space after #"),
    ("##\n# x\n{ 'enum': 'E', 'data': [] }\n", "doc-unterminated", "t.json:3:1",
     "documentation comment must end with '##'"),
    ("##\n# x\n#\n", "doc-unterminated", "t.json:3:2", "documentation comment must end with '##'"),
    ("##\n# x", "doc-unterminated", "t.json:2:4", "documentation comment must end with '##'"),
])
def test_doc_lexing_errors(text: str, rule: str, where: str, message: str) -> None:
    assert first(text) == (rule, where, message)


def test_doc_errors_do_not_stop_the_parse() -> None:
    pf = parse("##\n#bad\n##\n{ 'enum': 'E', 'data': [] }\n{ 'x' }\n")
    assert [e.rule for e in pf.errors][:1] == ["doc-missing-space"]
    assert "syn-expected-colon" in [e.rule for e in pf.errors]
    assert pf.exprs[0].data["enum"] == "E"


def test_doc_comment_inside_expression_is_a_syntax_error() -> None:
    assert first("{ 'enum': 'E',\n  ## doc?\n  'data': [] }\n") == (
        "syn-expected-key", "t.json:2:3", "expected string")
    assert first("{\n##\n'a': 'b' }") == ("syn-expected-key-or-rbrace", "t.json:2:1", "expected string or '}'")


def test_doc_after_value_on_same_line_opens_a_block() -> None:
    assert first("{ 'enum': 'E', 'data': [] } ## x\n##\n")[:2] == ("doc-start-junk", "t.json:1:29")


@pytest.mark.parametrize("after", [
    "##\n# free text\n##\n", "{ 'include': 'x.json' }\n", "{ 'pragma': { 'doc-required': true } }\n", "",
])
def test_doc_not_followed_by_definition(after: str) -> None:
    text = "# comment\n##\n# @foo:\n##\n" + after
    assert first(text) == ("doc-not-followed-by-definition", "t.json:2",
                           "documentation for 'foo' is not followed by the definition")


def test_freeform_doc_before_definition() -> None:
    pf = parse("##\n# = Heading\n##\n\n{ 'enum': 'E', 'data': [] }\n")
    assert [(e.rule, str(e.info), e.message) for e in pf.errors] == [
        ("doc-freeform-before-definition", "t.json:1", "definition documentation required")]
    assert pf.exprs[0].doc is None


def test_freeform_then_definition_doc_is_fine() -> None:
    pf = parse("##\n# = Heading\n##\n\n##\n# @E:\n##\n{ 'enum': 'E', 'data': [] }\n")
    assert pf.errors == []
    assert len(pf.docs) == 2 and pf.exprs[0].doc is pf.docs[1]


# -- robustness -----------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n", "   \n\n", "# only a comment", "# c\n# d\n"])
def test_empty_files(text: str) -> None:
    pf = parse(text)
    assert pf.exprs == [] and pf.errors == []


@pytest.mark.parametrize("text", [
    "# -*- Mode: Python -*-\n# vim: filetype=python\n",
    "# -*- Mode: Python -*-\n#\n",
    "# -*- Mode: Python -*-\n#\n\n# This file is empty now: everything moved out.\n",
    "# {'a': 'b'}, ['c'] : true",
    "# 'x'",
])
def test_comment_only_files_are_zero_expressions(text: str) -> None:
    # QEMU's frontend accepts such a file (a series may move every definition out of one).
    pf = parse(text)
    assert pf.exprs == [] and pf.errors == []


@pytest.mark.parametrize("text, rule, where, message", [
    # A comment runs to the end of its line, wherever a value or key was expected (QEMU:
    # the first error; these once made the one-token object reader fail).
    ("{'':'','':{'':#''}", "syn-duplicate-key", "t.json:1:11", "duplicate key ''"),
    ("{'':'',''#:''}", "syn-expected-colon", "t.json:1:15", "expected ':'"),
    ("{'a':'b',#'c':'d'}", "syn-expected-key", "t.json:1:19", "expected string"),
    ("['a',#'b']", "syn-expected-value", "t.json:1:11", "expected '{', '[', string, or boolean"),
])
def test_comment_ends_only_at_the_line_end(text: str, rule: str, where: str, message: str) -> None:
    assert first(text) == (rule, where, message)


def test_strings_in_a_last_comment_are_not_read() -> None:
    pf = parse("{ 'a': 'b' } # 'c'")
    assert pf.errors == [] and [e.data for e in pf.exprs] == [{"a": "b"}]


def test_binary_garbage_is_a_clean_error() -> None:
    text = bytes(range(256)).decode("latin-1") * 50
    pf = parse(text)
    assert pf.errors and pf.errors[0].rule.startswith(("lex-", "syn-"))


@pytest.mark.parametrize("opener, closer", [("{ 'a': ", " }"), ("[ ", " ]")])
def test_deep_nesting_does_not_recurse(opener: str, closer: str) -> None:
    depth = 10_000
    text = "{ 'x': " + opener * depth + "'v'" + closer * depth + " }\n"
    pf = parse(text)
    assert pf.errors == []
    value = pf.exprs[0].data["x"]
    n = 0
    while isinstance(value, (dict, list)):
        value = value["a"] if isinstance(value, dict) else value[0]
        n += 1
    assert n == depth and value == "v"


def test_deep_nesting_unclosed() -> None:
    text = "{ 'x': " + "[ " * 10_000
    assert first(text)[0] == "syn-expected-value-or-rbracket"


def test_ten_megabyte_file() -> None:
    chunk = "##\n# @E{0}:\n#\n# " + "x" * 60 + "\n##\n{{ 'enum': 'E{0}', 'data': [ 'a', 'b' ] }}\n"
    parts = []
    size = 0
    i = 0
    while size < 10_000_000:
        part = chunk.format(i)
        parts.append(part)
        size += len(part)
        i += 1
    pf = parse("".join(parts))
    assert pf.errors == []
    assert len(pf.exprs) == i and pf.exprs[-1].doc is not None


def test_many_errors_are_capped() -> None:
    pf = parse("{ 'a' }\n" * 5000)
    assert 1 <= len(pf.errors) <= 100
