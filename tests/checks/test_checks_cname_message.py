"""C-name and commit-message rules, each with a trigger and a near miss."""

from __future__ import annotations

from conftest import Scenario, definition

from qapilint.changes.model import Change
from qapilint.checks import cname, message
from qapilint.patch import FileDiff, Hunk, HunkLine


def c_file(*lines: str) -> FileDiff:
    hl = [HunkLine("+", t, 100 + i, None, 10 + i) for i, t in enumerate(lines)]
    return FileDiff("hw/foo.c", "hw/foo.c", hunks=[Hunk(10, 0, 10, len(lines), "", hl, 99)])


def scenario(member_type: str, optional: bool, *c_lines: str) -> Scenario:
    key = ("*" if optional else "") + "stats"
    defs = {
        "Info": definition("Info", "struct", {"struct": "Info", "data": {"id": "str", key: member_type}}, 1),
        "Stats": definition("Stats", "struct", {"struct": "Stats", "data": {"n": "int"}}, 3),
        "Mode": definition("Mode", "enum", {"enum": "Mode", "data": ["a", "b"]}, 5),
    }
    return Scenario([f"{{ 'struct': 'Info', 'data': {{ 'id': 'str', '{key}': '{member_type}' }} }}"], {1},
                    changes=[Change("added", "member", "Info", "stats", meta="struct", file="qapi/example.json",
                                    line=1)],
                    after=defs, extra_files=[c_file(*c_lines)])


def test_has_flag_for_pointer_member() -> None:
    [f] = cname.check(scenario("Stats", True, "info->stats = s;", "info->has_stats = true;").context())
    assert f.rule == "cname-has-flag-absent" and f.file == "hw/foo.c" and f.line == 11
    assert "pointer" in f.message


def test_has_flag_for_mandatory_member() -> None:
    [f] = cname.check(scenario("uint32", False, "info->has_stats = true;").context())
    assert f.rule == "cname-has-flag-absent" and "mandatory" in f.message


def test_has_flag_for_scalar_array_and_enum_is_fine() -> None:
    for t in ("uint32", "[Stats]", "Mode"):
        assert cname.check(scenario(t, True, "info->stats = x;", "info->has_stats = true;").context()) == []


def test_scalar_set_without_flag() -> None:
    [f] = cname.check(scenario("uint32", True, "info->stats = 3;").context())
    assert f.rule == "cname-has-flag-not-set"


def test_pointer_set_without_flag_is_fine() -> None:
    assert cname.check(scenario("Stats", True, "info->stats = s;").context()) == []


def msg_scenario(msg: str) -> Scenario:
    d = definition("DevTime", "struct", {"struct": "DevTime", "data": {"name": "str", "instance-id": "uint32"}}, 1)
    return Scenario(["{ 'struct': 'DevTime',", "  'data': { 'name': 'str', 'instance-id': 'uint32' } }"], {1, 2},
                    changes=[Change("added", "definition", "DevTime", meta="struct", file="qapi/example.json", line=1)],
                    after={"DevTime": d}, message=msg)


def test_message_type_mismatch() -> None:
    fs = message.check(msg_scenario("Adds DevTime { 'name': 'str', 'instance-id': 'int' }").context())
    assert [f.rule for f in fs] == ["message-type-mismatch"]
    assert "'int'" in fs[0].message and "'uint32'" in fs[0].message and fs[0].line == 2


def test_message_agrees() -> None:
    assert message.check(msg_scenario("Adds DevTime { 'name': 'str', 'instance-id': 'uint32' }").context()) == []


def test_message_unknown_member() -> None:
    fs = message.check(msg_scenario("Adds DevTime { 'name': 'str', 'instance_id': 'uint32' }").context())
    assert [f.rule for f in fs] == ["message-member-unknown"]


def test_qmp_example_values_are_not_types() -> None:
    sc = msg_scenario('Example: {"return": {"name": "Foo", "instance-id": 0}}')
    assert message.check(sc.context()) == []
