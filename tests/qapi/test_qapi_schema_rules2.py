"""Semantic rules, continued: alternates, commands, events, features, doc connection."""

from __future__ import annotations

from typing import Any

import pytest
from test_qapi_schema_support import doc, first, msgs

from qapilint.qapi.exprs import Pragma

_E = {"enum": "E", "data": ["a", "b"]}
_S = {"struct": "S", "data": {"x": "int"}}
_U = {"union": "U", "base": {"kind": "E"}, "discriminator": "kind", "data": {"a": "S"}}


# ------------------------------------------------------------ alternates


@pytest.mark.parametrize(("branches", "rule", "msg"), [
    ({"a": "any"}, "alternate-branch-bad-type", "branch 'a' cannot use built-in type 'any'"),
    ({"a": "Alt0"}, "alternate-branch-bad-type", "branch 'a' cannot use alternate type 'Alt0'"),
    ({"a": "int", "b": "number"}, "alternate-ambiguous", "branch 'b' can't be distinguished from 'a'"),
    ({"a": "str", "b": "E"}, "alternate-ambiguous", "branch 'b' can't be distinguished from 'a'"),
    ({"a": "S", "b": "U"}, "alternate-ambiguous", "branch 'b' can't be distinguished from 'a'"),
    ({"a": ["int"], "b": ["str"]}, "alternate-ambiguous", "branch 'b' can't be distinguished from 'a'"),
    ({"a": "bool", "b": "str"}, "alternate-ambiguous", "branch 'b' can't be distinguished from 'a'"),
    ({"a": "str", "b": "int"}, "alternate-ambiguous", "branch 'b' can't be distinguished from 'a'"),
    ({"a": "OnOff", "b": "bool"}, "alternate-ambiguous", "branch 'b' can't be distinguished from 'a'"),
    ({"a": "Digits", "b": "int"}, "alternate-ambiguous", "branch 'b' can't be distinguished from 'a'"),
    ({"__a.b_x": "int", "__a-b_x": "str"}, "alternate-branch-clash",
     "branch '__a-b_x' collides with branch '__a.b_x'"),
])
def test_alternate_errors(branches: dict[str, Any], rule: str, msg: str) -> None:
    defs = [_E, _S, _U, {"enum": "OnOff", "data": ["on", "x"]}, {"enum": "Digits", "data": ["x", "1st"]},
            {"alternate": "Alt0", "data": {"s": "str"}}, {"alternate": "Alt", "data": branches}]
    assert first(*defs) == (rule, 70, msg)


@pytest.mark.parametrize("branches", [
    {"a": "E", "b": "int", "c": "bool", "d": "S", "e": ["int"], "f": "null"},
    {"a": "str", "b": "S", "c": "null", "d": ["str"]},
    {"a": "OnOffLess", "b": "bool", "c": "number"},
])
def test_alternates_that_can_be_told_apart(branches: dict[str, Any]) -> None:
    assert first(_E, _S, {"enum": "OnOffLess", "data": ["onx", "x1"]}, {"alternate": "A", "data": branches}) is None


# ------------------------------------------------------------ commands and events


@pytest.mark.parametrize(("defn", "rule", "msg"), [
    ({"command": "c", "data": "int"}, "command-data-bad-type", "command's 'data' cannot take built-in type 'int'"),
    ({"command": "c", "data": "E"}, "command-data-bad-type", "command's 'data' cannot take enum type 'E'"),
    ({"command": "c", "data": "U"}, "command-data-union-unboxed",
     "command's 'data' can take union type 'U' only with 'boxed': true"),
    ({"command": "c", "data": {"a": {"type": "int", "if": "X"}}}, "command-args-conditional-unboxed",
     "conditional command arguments require 'boxed': true"),
    ({"command": "c", "data": "Cond"}, "command-args-conditional-unboxed",
     "conditional command arguments require 'boxed': true"),
    ({"command": "c", "returns": "int"}, "command-returns-bad-type",
     "command's 'returns' cannot take built-in type 'int'"),
    ({"command": "c", "returns": ["E"]}, "command-returns-bad-type",
     "command's 'returns' cannot take array type ['E']"),
    ({"event": "EV", "data": "str"}, "event-data-bad-type", "event's 'data' cannot take built-in type 'str'"),
    ({"event": "EV", "data": "U"}, "event-data-union-unboxed",
     "event's 'data' can take union type 'U' only with 'boxed': true"),
    ({"event": "EV", "data": {"a": {"type": "int", "if": "X"}}}, "event-args-conditional-unboxed",
     "conditional event arguments require 'boxed': true"),
])
def test_command_event_errors(defn: dict[str, Any], rule: str, msg: str) -> None:
    cond = {"struct": "Cond", "data": {"a": {"type": "int", "if": "X"}}}
    assert first(_E, _S, _U, cond, defn) == (rule, 50, msg)


@pytest.mark.parametrize("defn", [
    {"command": "c", "data": "U", "boxed": True, "returns": ["S"]},
    {"command": "c", "data": {"a": {"type": "int", "if": "X"}}, "boxed": True},
    {"command": "c", "data": {}, "returns": "U"},
    {"event": "EV", "data": "U", "boxed": True},
    {"event": "EV", "data": "S"},
])
def test_command_event_near_misses(defn: dict[str, Any]) -> None:
    assert first(_E, _S, _U, defn) is None


def test_command_returns_exceptions_pragma() -> None:
    assert first({"command": "c", "returns": ["int"]}, pragma=Pragma(command_returns_exceptions=["c"])) is None
    assert first({"command": "d", "returns": "int"}, pragma=Pragma(command_returns_exceptions=["c"])) is not None


# ------------------------------------------------------------ features


def test_feature_rules() -> None:
    assert first({"struct": "S", "data": {}, "features": ["f", "f"]}) == (
        "feature-clash", 10, "feature 'f' collides with feature 'f'")
    assert first({"struct": "S", "data": {"m": {"type": "int", "features": ["f", "f"]}}}) == (
        "feature-clash", 10, "feature 'f' of type 'm' collides with feature 'f' of type 'm'")
    assert first({"struct": "S", "data": {}, "features": ["deprecated"]}) == (
        "feature-special-on-type", 10, "feature 'deprecated' is not supported for types")
    assert first({"command": "c", "features": ["deprecated", "unstable"]}) is None


def test_features_too_many() -> None:
    # deprecated and unstable always count: 62 more names are the limit.
    ok = [{"command": f"c{i}", "features": [f"f{i}"]} for i in range(62)]
    assert first(*ok) is None
    over = ok + [{"command": "late", "features": ["deprecated", "f-new"]}]
    assert msgs(*over) == [("features-too-many", 630, "Maximum of 64 schema features is permitted")]


# ------------------------------------------------------------ docs


def test_documented_struct_is_clean() -> None:
    block = doc("S", 1, members=("x",), features=("f", "g"))
    assert msgs(({"struct": "S", "data": {"x": {"type": "int", "features": ["g"]}}, "features": ["f"]}, block)) == []


def test_undocumented_member_and_feature_order() -> None:
    block = doc("S", 1, members=("y",))
    found = msgs(({"struct": "S", "data": {"x": {"type": "int", "features": ["g"]}, "y": "int"},
                   "features": ["f"]}, block))
    assert found == [("doc-undocumented-feature", 10, "feature 'f' lacks documentation"),
                     ("doc-undocumented-member", 10, "member 'x' lacks documentation"),
                     ("doc-undocumented-feature", 10, "feature 'g' lacks documentation")]


@pytest.mark.parametrize(("defn", "msg"), [
    ({"enum": "T", "data": ["v"]}, "value 'v' lacks documentation"),
    ({"alternate": "T", "data": {"b": "int"}}, "branch 'b' lacks documentation"),
    ({"command": "T", "data": {"arg": "int"}}, "member 'arg' lacks documentation"),
    ({"event": "T", "data": {"arg": "int"}}, "member 'arg' lacks documentation"),
])
def test_undocumented_roles(defn: dict[str, Any], msg: str) -> None:
    assert first((defn, doc("T", 1))) == ("doc-undocumented-member", 10, msg)
    exempt = Pragma(documentation_exceptions=["T"])
    assert first((defn, doc("T", 1)), pragma=exempt) is None


def test_pragma_does_not_exempt_features() -> None:
    exempt = Pragma(documentation_exceptions=["T"])
    assert first(({"command": "T", "features": ["f"]}, doc("T", 1)), pragma=exempt) == (
        "doc-undocumented-feature", 10, "feature 'f' lacks documentation")


def test_union_inline_base_documented_branches_not() -> None:
    block = doc("U", 1, members=("kind",))
    assert msgs(_E, _S, (_U, block)) == []
    assert msgs(_E, _S, (_U, doc("U", 1, members=("kind", "a")))) == [
        ("doc-documented-member-missing", 3, "documented member 'a' does not exist")]


def test_named_arguments_are_documented_elsewhere() -> None:
    block = doc("c", 1, members=("x", "y"))
    assert msgs(_S, ({"command": "c", "data": "S", "boxed": True}, block)) == [
        ("doc-documented-member-missing", 2, "documented members 'x', 'y' do not exist")]


def test_documented_feature_missing() -> None:
    assert msgs(({"command": "c"}, doc("c", 1, features=("ghost",)))) == [
        ("doc-documented-feature-missing", 2, "documented feature 'ghost' does not exist")]


def test_leftovers_come_after_all_entities() -> None:
    found = msgs(({"command": "c"}, doc("c", 1, members=("ghost",))), {"struct": "S", "data": {"m": "Nope"}})
    assert [r for r, _l, _m in found] == ["type-unknown", "doc-documented-member-missing"]


def test_broken_definitions_keep_their_docs_quiet() -> None:
    # A definition whose check failed is not connected: no "does not exist" noise.
    assert [r for r, _l, _m in msgs(({"struct": "S", "data": {"m": "Nope"}}, doc("S", 1, members=("m",))))] == [
        "type-unknown"]
