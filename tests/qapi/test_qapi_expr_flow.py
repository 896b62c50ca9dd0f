"""P2 behaviour: doc attachment, QEMU order, continuing after errors, normalisation, locations."""

from __future__ import annotations

from pathlib import Path

from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.doc_model import DocBlock, DocSection
from qapilint.qapi.expr import check_exprs
from qapilint.qapi.exprs import Expr, ParsedSchema, Pragma
from qapilint.qapi.loader import load_schema
from qapilint.source import SourceInfo

Data = dict[str, object]


def _doc(symbol: str, *tags: tuple[str, int]) -> DocBlock:
    sections = [DocSection("tag", tag, "text", SourceInfo("t.json", line)) for tag, line in tags]
    return DocBlock(SourceInfo("t.json", 1), 9, symbol, SourceInfo("t.json", 2), sections)


def _expr(data: Data, line: int = 10, doc: DocBlock | None = None) -> Expr:
    return Expr(data, SourceInfo("t.json", line), doc)


def _check(*exprs: Expr, pragma: Pragma | None = None) -> list[SchemaError]:
    return check_exprs(ParsedSchema(root="t.json", exprs=list(exprs), pragma=pragma or Pragma())).errors


def _summary(errors: list[SchemaError]) -> list[tuple[str, int, str]]:
    return [(e.rule, e.info.line, e.message) for e in errors]


# -- doc attachment -------------------------------------------------------------

def test_doc_symbol_mismatch_at_definition_with_context() -> None:
    errors = _check(_expr({"command": "foo"}, doc=_doc("fo")))
    assert _summary(errors) == [("doc-symbol-mismatch", 10, "documentation comment is for 'fo'")]
    assert (errors[0].info.defn_meta, errors[0].info.defn_name) == ("command", "foo")
    assert _check(_expr({"command": "foo"}, doc=_doc("foo"))) == []


def test_doc_required_by_pragma() -> None:
    on = Pragma(doc_required=True)
    assert _summary(_check(_expr({"event": "EV"}), pragma=on)) == [
        ("doc-required", 10, "documentation comment required")]
    assert _check(_expr({"event": "EV"}, doc=_doc("EV")), pragma=on) == []
    assert _check(_expr({"event": "EV"})) == []


def test_returns_section_only_for_commands_at_section_line() -> None:
    errors = _check(_expr({"struct": "Sx", "data": {}}, doc=_doc("Sx", ("Returns", 5))))
    assert _summary(errors) == [("doc-returns-not-command", 5, "'Returns' section is only valid for commands")]
    # Section positions carry no definition context (QEMU prints no "In struct" line).
    assert errors[0].info.defn_name is None
    assert _check(_expr({"command": "c", "returns": "Sx"}, doc=_doc("c", ("Returns", 5)))) == []


def test_errors_section_only_for_commands() -> None:
    errors = _check(_expr({"event": "EV"}, doc=_doc("EV", ("Errors", 6))))
    assert _summary(errors) == [("doc-errors-not-command", 6, "'Errors' section is only valid for commands")]
    assert _check(_expr({"command": "c"}, doc=_doc("c", ("Errors", 6)))) == []


def test_returns_section_without_return() -> None:
    errors = _check(_expr({"command": "c"}, doc=_doc("c", ("Returns", 4))))
    assert _summary(errors) == [("doc-returns-without-return", 4,
                                 "'Returns' section, but command doesn't return anything")]
    assert _check(_expr({"command": "c", "returns": ["Sx"]}, doc=_doc("c", ("Returns", 4)))) == []


# -- order and independence ------------------------------------------------------

def test_errors_follow_qemu_order_within_a_definition() -> None:
    data: Data = {"struct": "bad_name", "data": {"A": "int"}, "if": "x", "features": "f", "junk": True}
    rules = [e.rule for e in _check(_expr(data, doc=_doc("other")))]
    # name rules, doc, key set (which hides the members), if, features
    assert rules == ["name-type-camel", "doc-symbol-mismatch", "expr-keys-unknown", "if-not-identifier",
                     "features-not-array"]


def test_independent_members_each_report_their_first_error() -> None:
    data: Data = {"struct": "Sx", "data": {"A": "int", "b": {"type": "int", "x": "y"}, "c": "int", "D_e": []}}
    assert _summary(_check(_expr(data))) == [
        ("name-member-case", 10, "name of 'data' member 'A' must not use uppercase or '_'"),
        ("member-keys", 10, "'data' member 'b' has unknown key 'x'"),
        ("name-member-case", 10, "name of 'data' member 'D_e' must not use uppercase or '_'"),
    ]


def test_meta_key_error_has_no_definition_context_and_next_definition_is_checked() -> None:
    result = check_exprs(ParsedSchema(root="t.json", exprs=[
        _expr({"data": {}}, 1), _expr({"command": True}, 2), _expr({"command": "Bad"}, 3),
        _expr({"command": "good"}, 4)]))
    assert [(e.rule, e.info.line, e.info.defn_name) for e in result.errors] == [
        ("expr-meta-key", 1, None), ("name-not-string", 2, None), ("name-command-case", 3, "Bad")]
    assert [e.data["command"] for e in result.valid] == ["good"]
    assert result.invalid == {"Bad"}


def test_boxed_truthy_non_bool_shapes_first_then_flag() -> None:
    rules = [e.rule for e in _check(_expr({"command": "c", "boxed": "yes"}))]
    assert rules == ["command-boxed-needs-data", "flag-true-only"]


def test_enum_values_may_start_with_digit_but_not_with_q() -> None:
    assert _check(_expr({"enum": "Mode", "data": ["1x", "2-way"]})) == []
    assert [e.rule for e in _check(_expr({"enum": "Mode", "data": ["q_x"]}))] == ["name-reserved-q"]


def test_union_branch_names_and_discriminator_names_are_not_name_checked() -> None:
    data: Data = {"union": "Un", "base": "Base", "discriminator": "Type_X", "data": {"Foo_bar": "Fb"}}
    assert _check(_expr(data)) == []


# -- normalisation contract ------------------------------------------------------

def test_normalisation_of_every_shorthand() -> None:
    exprs = [
        _expr({"enum": "Mode", "data": ["a", {"name": "b", "features": ["f"]}], "features": ["x"]}),
        _expr({"struct": "St", "data": {"*a": "int", "b": ["str"], "c": {"type": "int", "features": ["f"]}}}),
        _expr({"union": "Un", "base": {"kind": "Mode"}, "discriminator": "kind", "data": {"a": "St"}}),
        _expr({"alternate": "Alt", "data": {"n": "int", "l": ["int"]}}),
        _expr({"command": "c", "data": {"x": "int"}, "features": [{"name": "deprecated", "if": "A"}]}),
        _expr({"event": "EV", "data": {"y": "str"}}),
    ]
    result = check_exprs(ParsedSchema(root="t.json", exprs=exprs))
    assert result.errors == [] and len(result.valid) == 6
    enum, struct, union, alt, cmd, ev = (e.data for e in exprs)
    assert enum["data"] == [{"name": "a"}, {"name": "b", "features": [{"name": "f"}]}]
    assert enum["features"] == [{"name": "x"}]
    assert struct["data"] == {"*a": {"type": "int"}, "b": {"type": ["str"]},
                              "c": {"type": "int", "features": [{"name": "f"}]}}
    assert union["base"] == {"kind": {"type": "Mode"}} and union["data"] == {"a": {"type": "St"}}
    assert alt["data"] == {"n": {"type": "int"}, "l": {"type": ["int"]}}
    assert cmd["data"] == {"x": {"type": "int"}} and cmd["features"] == [{"name": "deprecated", "if": "A"}]
    assert ev["data"] == {"y": {"type": "str"}}


# -- through the real parser -----------------------------------------------------

_TEXT = """\
##
# @Sx:
#
# Returns: nothing
##
{ 'struct': 'Sx', 'data': {} }

{ 'command': 'do-it',
  'data': { 'a': 'int' },
  'allow-oob': true,
  'coroutine': true }
"""


def test_text_schema_through_loader() -> None:
    parsed = load_schema("t.json", reader=lambda path: _TEXT)
    assert parsed.errors == []
    errors = check_exprs(parsed).errors
    assert _summary(errors) == [
        ("doc-returns-not-command", 4, "'Returns' section is only valid for commands"),
        ("flag-oob-coroutine", 8, "flags 'allow-oob' and 'coroutine' are incompatible"),
    ]
    assert str(errors[1].info) == "t.json:8" and errors[1].info.defn_meta == "command"


def test_real_schema_has_no_expression_errors(qemu_clone: Path) -> None:
    parsed = load_schema(str(qemu_clone / "qapi" / "qapi-schema.json"))
    result = check_exprs(parsed)
    assert result.errors == []
    assert len(result.valid) == len(parsed.exprs) > 900
