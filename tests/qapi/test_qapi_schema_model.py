"""The typed model: entity order, lookup, inherited members, send/receive type graph."""

from __future__ import annotations

from pathlib import Path

from test_qapi_schema_support import schema_of

from qapilint.qapi.schema import validate
from qapilint.qapi.schema_model import ArrayType, BuiltinType, Command, EnumType, ObjectType

_DEFS = (
    {"enum": "Mode", "data": ["fast", {"name": "slow", "if": "CONFIG_SLOW"}]},
    {"struct": "Base", "data": {"mode": "Mode", "*id": "str"}},
    {"struct": "Info", "base": "Base", "data": {"size": "int", "tags": ["str"]}, "features": ["experimental"]},
    {"command": "query-info", "data": {"*verbose": "bool", "filter": ["Mode"]}, "returns": ["Info"],
     "allow-preconfig": True},
    {"event": "INFO_CHANGED", "data": "Base"},
)


def test_entity_order_and_lookup() -> None:
    s, errs = schema_of(*_DEFS)
    assert errs == []
    names = [e.name for e in s.entities()]
    # Built-ins first, then per definition: new arrays, implicit type, the definition.
    assert names[:2] == ["str", "strList"] and names.index("q_empty") < names.index("QType") < names.index("Mode")
    assert names[names.index("Mode"):] == ["Mode", "Base", "Info", "ModeList", "q_obj_query-info-arg",
                                           "InfoList", "query-info", "INFO_CHANGED"]
    assert [d.name for d in s.definitions()] == ["Mode", "Base", "Info", "query-info", "INFO_CHANGED"]
    assert isinstance(s.lookup("int"), BuiltinType)
    assert isinstance(s.lookup("ModeList"), ArrayType) and s.lookup("ModeList").element_type is s.lookup("Mode")
    assert s.lookup_type("query-info") is None and isinstance(s.lookup("query-info"), Command)


def test_members_and_flags() -> None:
    s, _errs = schema_of(*_DEFS)
    info = s.lookup("Info")
    assert isinstance(info, ObjectType) and info.base is s.lookup("Base")
    assert [(m.name, m.optional, m.defined_in) for m in s.members_of(info)] == [
        ("mode", False, "Base"), ("id", True, "Base"), ("size", False, "Info"), ("tags", False, "Info")]
    assert s.members_of(info)[3].type_name == "strList"
    assert [f.name for f in info.features] == ["experimental"]
    cmd = s.lookup("query-info")
    assert isinstance(cmd, Command) and cmd.allow_preconfig and not cmd.boxed and cmd.gen
    assert [m.name for m in s.arguments_of(cmd)] == ["verbose", "filter"]
    mode = s.lookup("Mode")
    assert isinstance(mode, EnumType) and [(v.name, v.ifcond) for v in mode.values] == [
        ("fast", None), ("slow", "CONFIG_SLOW")]


def test_members_of_works_before_checking() -> None:
    # A struct whose check failed still lists its members (base first).
    s, errs = schema_of({"struct": "B", "data": {"x": "int"}}, {"struct": "S", "base": "B", "data": {"y": "Nope"}})
    assert [e.rule for e in errs] == ["type-unknown"]
    assert [m.name for m in s.members_of(s.lookup("S"))] == ["x", "y"]


def test_send_and_receive_directions() -> None:
    s, _errs = schema_of(*_DEFS)
    send = {t.name for t in s.send_types()}
    receive = {t.name for t in s.receive_types()}
    assert {"q_obj_query-info-arg", "Mode", "ModeList", "bool"} <= send and "Info" not in send
    assert {"InfoList", "Info", "Base", "Mode", "str", "int"} <= receive and "bool" not in receive


def test_validate_runs_every_phase(tmp_path: Path) -> None:
    f = tmp_path / "s.json"
    f.write_text("{ 'struct': 'Foo', 'data': { 'a': 'Nope' } }\n{ 'enum': 'bad name', 'data': [] }\n")
    res = validate(str(f))
    assert [e.rule for e in res.errors] == ["name-invalid", "type-unknown"]
    assert res.schema is not None and res.schema.lookup("Foo") is not None
