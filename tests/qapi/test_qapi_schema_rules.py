"""Semantic rules (P3-P6) on hand-made, already normalised expressions: trigger and near miss."""

from __future__ import annotations

from typing import Any

import pytest
from test_qapi_schema_support import first, msgs, schema_of

F = "t.json"

# ------------------------------------------------------------ P3 registration


def test_redefinition_names_previous_definition() -> None:
    _s, errs = schema_of({"struct": "Foo", "data": {}}, {"enum": "Foo", "data": ["a"]})
    assert [(e.rule, e.info.line, e.message) for e in errs] == [
        ("name-redefined", 20, "'Foo' is already defined")]
    assert errs[0].notes == [f"{F}: In struct 'Foo':", f"{F}:10: previous definition"]
    assert errs[0].info.defn_meta == "enum"


def test_commands_and_types_share_one_namespace() -> None:
    assert first({"struct": "foo", "data": {}}, {"command": "foo"}) == (
        "name-redefined", 20, "'foo' is already defined")
    assert first({"struct": "Foo", "data": {}}, {"command": "foo"}) is None


@pytest.mark.parametrize(("name", "desc"), [("int", "built-in type 'int'"), ("QType", "enum type 'QType'")])
def test_predefined_redefinition(name: str, desc: str) -> None:
    assert first({"command": name}) == ("name-redefined-predefined", 10, f"{desc} is already defined")


def test_registration_errors_come_before_type_errors() -> None:
    found = msgs({"struct": "A", "data": {"x": "Nope"}}, {"struct": "B", "data": {}}, {"struct": "B", "data": {}})
    assert [r for r, _l, _m in found] == ["name-redefined", "type-unknown"]


# ------------------------------------------------------------ type references


@pytest.mark.parametrize(("defn", "msg"), [
    ({"struct": "S", "data": {"m": "Nope"}}, "member 'm' uses unknown type 'Nope'"),
    ({"struct": "S", "base": "Nope", "data": {}}, "'base' uses unknown type 'Nope'"),
    ({"command": "c", "data": {"a": "Nope"}}, "parameter 'a' uses unknown type 'Nope'"),
    ({"command": "c", "data": "Nope"}, "command's 'data' uses unknown type 'Nope'"),
    ({"command": "c", "returns": "Nope"}, "command's 'returns' uses unknown type 'Nope'"),
    ({"event": "E", "data": "Nope"}, "event's 'data' uses unknown type 'Nope'"),
    ({"command": "c", "data": {"a": ["Nope"]}}, "command uses unknown type 'Nope'"),
    ({"alternate": "A", "data": {"b": "Nope"}}, "branch 'b' uses unknown type 'Nope'"),
])
def test_unknown_types(defn: dict[str, Any], msg: str) -> None:
    assert first(defn) == ("type-unknown", 10, msg)


def test_known_and_forward_references_are_fine() -> None:
    assert msgs({"struct": "S", "data": {"a": "T", "b": ["T"], "c": "int", "d": ["str"], "e": "any"}},
                {"struct": "T", "data": {}}) == []


def test_command_is_not_a_type() -> None:
    assert first({"command": "c"}, {"struct": "S", "data": {"m": "c"}}) == (
        "type-unknown", 20, "member 'm' uses unknown type 'c'")


def test_invalid_definitions_do_not_cascade() -> None:
    # 'Bad' failed the expression checks: references to it are not "unknown".
    assert msgs({"struct": "S", "base": "Bad", "data": {"m": "Bad"}},
                {"command": "c", "data": "Bad", "returns": "Bad"}, invalid={"Bad"}) == []


# ------------------------------------------------------------ structs


def test_base_must_be_struct() -> None:
    assert first({"enum": "E", "data": []}, {"struct": "S", "base": "E", "data": {}}) == (
        "base-not-struct", 20, "'base' requires a struct type, enum type 'E' isn't")
    assert first({"struct": "B", "data": {}}, {"struct": "S", "base": "B", "data": {}}) is None


def test_base_error_surfaces_at_the_base() -> None:
    # Checking S recurses into its base B (defined later): B's error comes first, at B.
    assert msgs({"struct": "S", "base": "B", "data": {}}, {"struct": "B", "data": {"x": "Nope"}}) == [
        ("type-unknown", 20, "member 'x' uses unknown type 'Nope'")]


def test_object_contains_itself() -> None:
    assert msgs({"struct": "A", "base": "B", "data": {}}, {"struct": "B", "base": "A", "data": {}}) == [
        ("object-contains-itself", 10, "object A contains itself")]
    # Ordinary members do not embed: a self-reference through a member is fine.
    assert msgs({"struct": "A", "data": {"*next": "A"}}) == []


def test_member_clash() -> None:
    assert first({"struct": "S", "data": {"a-b": "int", "a_b": "int"}}) == (
        "member-clash", 10, "member 'a_b' collides with member 'a-b'")
    assert first({"struct": "S", "data": {"*a": "int", "a": "int"}}) == (
        "member-clash", 10, "member 'a' collides with member 'a'")
    assert first({"struct": "B", "data": {"x": "int"}}, {"struct": "S", "base": "B", "data": {"x": "str"}}) == (
        "member-clash", 20, "member 'x' collides with member 'x' of type 'B'")
    assert first({"struct": "S", "data": {"a-b": "int", "ab": "int"}}) is None


def test_member_clash_through_two_bases() -> None:
    assert first({"struct": "A", "data": {"x": "int"}}, {"struct": "B", "base": "A", "data": {}},
                 {"struct": "S", "base": "B", "data": {"x": "int"}}) == (
        "member-clash", 30, "member 'x' collides with member 'x' of type 'A'")


# ------------------------------------------------------------ unions


def _union(**kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"union": "U", "base": {"kind": "E"}, "discriminator": "kind",
                         "data": {"a": "Ba"}}
    d.update(kw)
    return d


_E = {"enum": "E", "data": ["a", "b"]}
_BA = {"struct": "Ba", "data": {"x": "int"}}


def test_good_union_gets_implicit_branches() -> None:
    s, errs = schema_of(_E, _BA, _union())
    assert errs == []
    u = s.lookup("U")
    assert [b.name for b in u.branches] == ["a", "b"]
    assert [b.implicit for b in u.branches] == [False, True]
    assert u.tag_member.name == "kind"
    assert [m.name for m in s.members_of(u)] == ["kind"]
    assert s.lookup("q_obj_U-base") is u.base


@pytest.mark.parametrize(("kw", "rule", "msg"), [
    ({"discriminator": "nope"}, "union-discriminator-not-member", "discriminator 'nope' is not a member of 'base'"),
    ({"base": {"kind": "str"}}, "union-discriminator-not-enum",
     "discriminator member 'kind' of 'base' must be of enum type"),
    ({"base": {"*kind": "E"}}, "union-discriminator-optional",
     "discriminator member 'kind' of 'base' must not be optional"),
    ({"base": {"kind": {"type": "E", "if": "X"}}}, "union-discriminator-conditional",
     "discriminator member 'kind' of 'base' must not be conditional"),
    ({"data": {"c": "Ba"}}, "union-branch-not-enum-value", "branch 'c' is not a value of enum type 'E'"),
    ({"data": {"a": "int"}}, "union-branch-not-object", "branch 'a' cannot use built-in type 'int'"),
    ({"data": {"a": "E"}}, "union-branch-not-object", "branch 'a' cannot use enum type 'E'"),
    ({"data": {"a": "Nope"}}, "type-unknown", "branch 'a' uses unknown type 'Nope'"),
    ({"base": {"kind": "E", "x": "str"}}, "union-branch-clash",
     "member 'x' of type 'Ba' collides with base member 'x'"),
    ({"base": "Ba"}, "union-discriminator-not-member", "discriminator 'kind' is not a member of 'base'"),
    ({"base": "E"}, "base-not-struct", "'base' requires a struct type, enum type 'E' isn't"),
])
def test_union_errors(kw: dict[str, Any], rule: str, msg: str) -> None:
    assert first(_E, _BA, _union(**kw)) == (rule, 30, msg)


def test_union_named_base_is_described_by_name() -> None:
    assert first(_E, {"struct": "B", "data": {"kind": "str"}}, _union(base="B")) == (
        "union-discriminator-not-enum", 30, "discriminator member 'kind' of base type 'B' must be of enum type")


def test_discriminator_must_match_exactly() -> None:
    # 'kind_x' and 'kind-x' share a C name but the discriminator must be spelled as the member.
    assert first(_E, _BA, _union(base={"kind-x": "E"}, discriminator="kind_x"))[0] == (
        "union-discriminator-not-member")


def test_union_no_branches() -> None:
    assert first({"enum": "E", "data": []}, _union(data={})) == ("union-no-branches", 20, "union has no branches")
    assert first({"enum": "E", "data": ["a"]}, _union(data={})) is None


def test_union_branch_union_clash_is_checked_deeply() -> None:
    inner = {"union": "In", "base": {"kind": "E"}, "discriminator": "kind", "data": {"a": "Ba"}}
    assert first(_E, _BA, inner, _union(data={"a": "In"})) == (
        "union-branch-clash", 40, "base member 'kind' of type 'In' collides with base member 'kind'")
