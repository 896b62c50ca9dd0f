"""Compatibility and doc-consistency rules, each with a trigger and a near miss."""

from __future__ import annotations

import pytest
from conftest import Scenario, definition, doc_block

from qapilint.changes.model import Change
from qapilint.checks import compat, docs
from qapilint.versions import Expected


def cmd_scenario(key: str, complete: bool = True, feats: list[str] | None = None) -> Scenario:
    val: object = {"type": "str", "features": feats} if feats else "str"
    before = {"do-it": definition("do-it", "command", {"command": "do-it", "data": {"id": "str"}}, 1)}
    after = {"do-it": definition("do-it", "command", {"command": "do-it", "data": {"id": "str", key: val}}, 1)}
    return Scenario([f"{{ 'command': 'do-it', 'data': {{ 'id': 'str', '{key}': 'str' }} }}"], {1},
                    changes=[Change("added", "member", "do-it", key.lstrip("*"), meta="command",
                                    file="qapi/example.json", line=1)],
                    after=after, before=before, complete=complete)


def test_new_mandatory_argument() -> None:
    [f] = compat.check(cmd_scenario("mode").context())
    assert f.rule == "compat-new-mandatory" and f.item == "mode"


def test_new_optional_argument_is_fine() -> None:
    assert compat.check(cmd_scenario("*mode").context()) == []


def test_unstable_member_exempt() -> None:
    assert compat.check(cmd_scenario("mode", feats=["unstable"]).context()) == []


def removal(meta_user: str, complete: bool = True) -> Scenario:
    info = {"struct": "Info", "data": {"id": "str", "old": "int"}}
    user = ({"command": "query-info", "returns": "Info"} if meta_user == "returns"
            else {"command": "set-info", "data": "Info"})
    before = {"Info": definition("Info", "struct", info, 1),
              user["command"]: definition(str(user["command"]), "command", user, 3)}
    after = {"Info": definition("Info", "struct", {"struct": "Info", "data": {"id": "str"}}, 1),
             user["command"]: definition(str(user["command"]), "command", user, 3)}
    return Scenario(["{ 'struct': 'Info', 'data': { 'id': 'str' } }"], set(), removed=["  'old': 'int'"],
                    changes=[Change("removed", "member", "Info", "old", meta="struct", file="qapi/example.json",
                                    line=1)], after=after, before=before, complete=complete)


def test_removed_member_of_returned_type() -> None:
    [f] = compat.check(removal("returns").context())
    assert f.rule == "compat-removed-member"


def test_mandatory_member_added_to_returned_type_is_fine() -> None:
    sc = removal("returns")
    sc.before, sc.after = sc.after, sc.before
    sc.changes = [Change("added", "member", "Info", "old", meta="struct", file="qapi/example.json", line=1)]
    assert compat.check(sc.context()) == []


def hoisting(moved_type: str = "int") -> Scenario:
    """'old' moves from Info into a new base InfoBase (as a refactoring does)."""
    sc = removal("data")
    sc.after["InfoBase"] = definition("InfoBase", "struct", {"struct": "InfoBase", "data": {"old": moved_type}}, 5)
    sc.after["Info"] = definition("Info", "struct", {"struct": "Info", "base": "InfoBase", "data": {"id": "str"}}, 1)
    sc.changes.append(Change("changed", "base", "Info", None, meta="struct", file="qapi/example.json", line=1))
    return sc


def test_member_moved_into_a_base_is_not_removed() -> None:
    assert compat.check(hoisting().context()) == []


def test_member_moved_into_a_base_with_another_type_is_a_type_change() -> None:
    got = sorted(f.rule for f in compat.check(hoisting("str").context()))
    assert got == ["compat-structure-changed", "compat-type-changed"]


def test_member_moved_out_of_a_base_is_not_new() -> None:
    sc = hoisting()
    sc.before, sc.after = sc.after, sc.before
    sc.changes = [Change("added", "member", "Info", "old", meta="struct", file="qapi/example.json", line=1),
                  Change("changed", "base", "Info", None, meta="struct", file="qapi/example.json", line=1)]
    assert compat.check(sc.context()) == []


def test_command_arguments_moved_into_a_type_the_hunks_show() -> None:
    # Without a tree: 'do-it' takes its arguments from DoItArgs now, and the hunks show DoItArgs whole.
    before = {"do-it": definition("do-it", "command", {"command": "do-it", "data": {"id": "str", "n": "int"}}, 1)}
    after = {"do-it": definition("do-it", "command", {"command": "do-it", "data": "DoItArgs"}, 1),
             "DoItArgs": definition("DoItArgs", "struct", {"struct": "DoItArgs", "data": {"id": "str", "n": "int"}},
                                    3)}
    sc = Scenario(["{ 'command': 'do-it', 'data': 'DoItArgs' }"], {1}, removed=["  'n': 'int'"],
                  changes=[Change("removed", "member", "do-it", n, meta="command", file="qapi/example.json", line=1)
                           for n in ("id", "n")], after=after, before=before, complete=False)
    assert compat.check(sc.context()) == []
    del after["DoItArgs"]        # not in view: nothing says where they went
    assert [f.rule for f in compat.check(sc.context())] == ["compat-removed-member"] * 2


@pytest.mark.parametrize(("since", "flagged"), [("11.1", False), ("10.2", True)])
def test_removing_what_this_cycle_added_breaks_no_client(since: str, flagged: bool,
                                                          expected_11_1: Expected) -> None:
    sc = removal("returns")
    sc.before["Info"].doc = doc_block(1, ["# @Info:", "#", "# @id: the id", "#",
                                          f"# @old: an old thing (since {since})", "#", "# Since: 9.0"])
    assert [f.rule for f in compat.check(sc.context(expected_11_1))] == (["compat-removed-member"] if flagged else [])


@pytest.mark.parametrize(("after_values", "flagged"), [(["on", "off"], False), (["on"], True)])
def test_renamed_enum_type_is_compared_by_its_values(after_values: list[str], flagged: bool) -> None:
    before = {"Mode": definition("Mode", "enum", {"enum": "Mode", "data": ["on", "off"]}, 1),
              "set-mode": definition("set-mode", "command", {"command": "set-mode", "data": {"m": "Mode"}}, 3)}
    after = {"ModeKind": definition("ModeKind", "enum", {"enum": "ModeKind", "data": after_values}, 1),
             "set-mode": definition("set-mode", "command", {"command": "set-mode", "data": {"m": "ModeKind"}}, 3)}
    sc = Scenario(["{ 'command': 'set-mode', 'data': { 'm': 'ModeKind' } }"], {1},
                  changes=[Change("changed", "type", "set-mode", "m", meta="command", file="qapi/example.json",
                                  line=1, before="Mode", after="ModeKind")], after=after, before=before)
    assert [f.rule for f in compat.check(sc.context())] == (["compat-type-changed"] if flagged else [])


def test_without_tree_direction_needs_tree() -> None:
    sc = removal("data", complete=False)
    sc.before, sc.after = sc.after, sc.before
    sc.changes = [Change("added", "member", "Info", "old", meta="struct", file="qapi/example.json", line=1)]
    [f] = compat.check(sc.context())
    assert f.rule == "compat-needs-tree"


def doc_scenario(doc_lines: list[str], data: dict[str, object]) -> Scenario:
    lines = ["##", *doc_lines, "##", "{ 'struct': 'Info', 'data': {...} }"]
    d = definition("Info", "struct", {"struct": "Info", "data": data}, len(lines),
                   doc_block(2, doc_lines))
    return Scenario(lines, set(range(1, len(lines) + 1)),
                    changes=[Change("added", "definition", "Info", meta="struct", file="qapi/example.json",
                                    line=len(lines))]
                    + [Change("added", "member", "Info", k.lstrip("*"), meta="struct", file="qapi/example.json")
                       for k in data],
                    after={"Info": d})


def test_undocumented_member() -> None:
    fs = docs.check(doc_scenario(["# @Info:", "#", "# @a: first", "#", "# Since: 11.1"],
                                 {"a": "int", "b": "int"}).context())
    assert [f.rule for f in fs] == ["docs-undocumented"] and fs[0].item == "b"


def test_definition_exempt_from_documentation() -> None:
    # Its doc block describes none of the members it had: QEMU's pragma exempts it.
    sc = doc_scenario(["# @Info:", "#", "# Not used by QMP.", "#", "# Since: 9.0"], {"a": "int", "b": "int"})
    sc.changes = [c for c in sc.changes if c.what != "definition" and c.name == "b"]
    assert docs.check(sc.context()) == []
    sc.after["Info"].doc = doc_block(2, ["# @Info:", "#", "# @a: first", "#", "# Since: 9.0"])
    assert [f.item for f in docs.check(sc.context())] == ["b"]


def test_description_of_missing_member_is_left_to_qemus_rule() -> None:
    fs = docs.check(doc_scenario(["# @Info:", "#", "# @a: first", "#", "# @bb: second", "#", "# Since: 11.1"],
                                 {"a": "int", "b": "int"}).context())
    assert sorted(f.rule for f in fs) == ["docs-undocumented"]


def test_descriptions_out_of_order() -> None:
    fs = docs.check(doc_scenario(["# @Info:", "#", "# @b: second", "#", "# @a: first", "#", "# Since: 11.1"],
                                 {"a": "int", "b": "int"}).context())
    assert [f.rule for f in fs] == ["docs-order"]


def test_clean_definition() -> None:
    assert docs.check(doc_scenario(["# @Info:", "#", "# @a: first", "#", "# Since: 11.1"],
                                   {"a": "int"}).context()) == []
