"""Each rule of the example family on a minimal schema: a trigger, and near misses that stay silent.

The schema is invented (a widget hub) and written in the real format; the
example under test goes into the doc block of one definition, and
``audit_examples`` checks the loaded schema as ``qapilint audit`` does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qapilint.checks.example import audit_examples
from qapilint.findings import Finding, Severity
from qapilint.qapi.loader import load_schema

DEFS: dict[str, str] = {
    "WidgetKind": "{ 'enum': 'WidgetKind',\n"
                  "  'data': [ 'round', 'square', { 'name': 'hex', 'if': 'CONFIG_HEX' } ] }",
    "WidgetBase": "{ 'struct': 'WidgetBase', 'data': { 'id': 'str', '*label': 'str' } }",
    "WidgetInfo": "{ 'struct': 'WidgetInfo', 'base': 'WidgetBase',\n"
                  "  'data': { 'kind': 'WidgetKind', 'size': 'uint8', '*weight': 'number',\n"
                  "            'tags': [ 'str' ], '*extra': 'any', 'active': 'bool',\n"
                  "            '*serial': { 'type': 'uint64', 'if': 'CONFIG_SERIAL' },\n"
                  "            'model': { 'type': 'str', 'if': 'CONFIG_MODEL' } } }",
    "RoundOpts": "{ 'struct': 'RoundOpts', 'data': { 'radius': 'int32' } }",
    "SquareOpts": "{ 'struct': 'SquareOpts', 'data': { 'side': 'uint16', '*rounded': 'bool' } }",
    "WidgetOpts": "{ 'union': 'WidgetOpts',\n"
                  "  'base': { 'kind': 'WidgetKind', '*name': 'str' },\n"
                  "  'discriminator': 'kind',\n"
                  "  'data': { 'round': 'RoundOpts', 'square': 'SquareOpts' } }",
    "WidgetRef": "{ 'alternate': 'WidgetRef',\n"
                 "  'data': { 'id': 'str', 'definition': 'WidgetOpts', 'none': 'null' } }",
    "WidgetPart": "{ 'union': 'WidgetPart', 'data': { 'gear': 'RoundOpts', 'label': 'str' } }",
    "widget-part": "{ 'command': 'widget-part', 'data': { 'part': 'WidgetPart' } }",
    "WidgetLevel": "{ 'alternate': 'WidgetLevel', 'data': { 'value': 'int', 'auto': 'bool' } }",
    "QapiErrorClass": "{ 'enum': 'QapiErrorClass', 'data': [ 'GenericError', 'CommandNotFound' ] }",
    "query-widgets": "{ 'command': 'query-widgets', 'returns': [ 'WidgetInfo' ] }",
    "widget-add": "{ 'command': 'widget-add', 'data': 'WidgetOpts', 'boxed': true }",
    "widget-set": "{ 'command': 'widget-set',\n"
                  "  'data': { 'target': 'WidgetRef', '*level': 'WidgetLevel', '*scale': 'int8' } }",
    "widget-raw": "{ 'command': 'widget-raw', 'data': { 'driver': 'str', '*id': 'str' }, 'gen': false }",
    "widget-ping": "{ 'command': 'widget-ping', 'allow-oob': true }",
    "widget-stop": "{ 'command': 'widget-stop' }",
    "WIDGET_MOVED": "{ 'event': 'WIDGET_MOVED', 'data': { 'id': 'str', 'x': 'int', '*y': 'int' } }",
    "WIDGET_GONE": "{ 'event': 'WIDGET_GONE' }",
}


def audit(tmp_path: Path, example: str, symbol: str = "query-widgets") -> list[Finding]:
    """Findings of the example family when ``example`` (lines of QMP) documents ``symbol``."""
    parts = []
    for name, text in DEFS.items():
        doc = ["##", f"# @{name}:", "#", "# A widget thing.", "#"]
        if name == symbol:
            doc += ["# .. qmp-example::", "#"] + [f"#     {ln}" if ln else "#" for ln in example.split("\n")]
        doc.append("##")
        parts.append("\n".join(doc) + "\n" + text + "\n")
    f = tmp_path / "widgets.json"
    f.write_text("\n".join(parts), encoding="utf-8")
    return audit_examples(load_schema(str(f)))


def rules(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


QUERY = '-> { "execute": "query-widgets" }'


def widget(**members: str) -> str:
    """A WidgetInfo object; keyword values are JSON text ('_' in names stands for '-')."""
    base = {"id": '"w0"', "kind": '"round"', "size": "3", "tags": "[]", "active": "true"}
    base.update({k.replace("_", "-"): v for k, v in members.items()})
    return "{ " + ", ".join(f'"{k}": {v}' for k, v in base.items()) + " }"


GOOD_WIDGET = widget()


def test_a_correct_example_is_silent(tmp_path: Path) -> None:
    assert audit(tmp_path, f'{QUERY}\n<- {{ "return": [ {GOOD_WIDGET} ] }}') == []


# ---------------------------------------------------------------- syntax


def test_syntax_trailing_comma_at_its_line_and_column(tmp_path: Path) -> None:
    [f] = audit(tmp_path, f'{QUERY}\n<- {{ "return": [\n     {GOOD_WIDGET},\n   ] }}')
    assert f.rule == "example-syntax" and f.severity == Severity.ERROR
    assert "trailing comma" in f.message
    text = (tmp_path / "widgets.json").read_text().split("\n")
    assert text[f.line - 1][f.col - 1] == "," and text[f.line].strip() == "#        ] }"


def test_syntax_missing_comma_then_members_still_checked(tmp_path: Path) -> None:
    ex = (f'{QUERY}\n<- {{ "return": [ {{ "id": "w0", "kind": "round", "size": 3\n'
          '       "tags": [], "active": true, "colour": "red" } ] }')
    assert rules(audit(tmp_path, ex)) == ["example-syntax", "example-unknown-member"]


def test_syntax_unbalanced_bracket(tmp_path: Path) -> None:
    [f] = audit(tmp_path, f'{QUERY}\n<- {{ "return": [\n     {GOOD_WIDGET},\n     ...\n   }}')
    assert f.rule == "example-syntax" and "closes the '['" in f.message


def test_syntax_command_closed_before_its_arguments(tmp_path: Path) -> None:
    ex = '-> { "execute": "widget-set" }\n     "arguments": { "target": "w0" } }\n<- { "return": {} }'
    [f] = audit(tmp_path, ex, "widget-set")
    assert f.rule == "example-syntax" and '"arguments"' in f.message


def test_syntax_single_quotes(tmp_path: Path) -> None:
    [f] = audit(tmp_path, "-> { 'execute': 'widget-stop' }\n<- { \"return\": {} }", "widget-stop")
    assert f.rule == "example-syntax" and "double quotes" in f.message


def test_elisions_are_silent_and_turn_off_the_missing_member_check(tmp_path: Path) -> None:
    ex = (f'{QUERY}\n<- {{ "return": [\n     {{ "id": "w0", "kind": "square", ... }},\n     ...\n'
          f'     {GOOD_WIDGET}\n   ] }}')
    assert audit(tmp_path, ex) == []


# ---------------------------------------------------------------- commands, events, replies


def test_unknown_command_with_a_suggestion(tmp_path: Path) -> None:
    [f] = audit(tmp_path, '-> { "execute": "query-widget" }\n<- { "return": [] }')
    assert f.rule == "example-unknown-command" and "'query-widgets'" in f.message


def test_unknown_event(tmp_path: Path) -> None:
    ev = '<- { "event": "WIDGET_MOVE", "data": {}, "timestamp": { "seconds": 1, "microseconds": 2 } }'
    [f] = audit(tmp_path, ev, "WIDGET_MOVED")
    assert f.rule == "example-unknown-event" and "WIDGET_MOVED" in f.message


def test_unknown_member_at_its_key(tmp_path: Path) -> None:
    w = widget(colour='"red"')
    [f] = audit(tmp_path, f'{QUERY}\n<- {{ "return": [ {w} ] }}')
    assert f.rule == "example-unknown-member" and f.severity == Severity.ERROR
    assert f.message == "'colour' is not a member of 'WidgetInfo'" and f.item == "colour"
    line = (tmp_path / "widgets.json").read_text().split("\n")[f.line - 1]
    assert line[f.col - 1:].startswith('"colour"')


def test_unknown_member_suggests_the_spelling(tmp_path: Path) -> None:
    w = widget(lable='"x"')
    [f] = audit(tmp_path, f'{QUERY}\n<- {{ "return": [ {w} ] }}')
    assert "did you mean 'label'" in f.message


def test_a_misspelt_mandatory_member_is_reported_once(tmp_path: Path) -> None:
    w = widget().replace('"active"', '"actve"')
    [f] = audit(tmp_path, f'{QUERY}\n<- {{ "return": [ {w} ] }}')
    assert f.rule == "example-unknown-member" and "did you mean 'active'" in f.message


def test_inherited_and_conditional_members_are_members(tmp_path: Path) -> None:
    w = widget(label='"l"', serial="18446744073709551615", model='"m"', weight="2")
    assert audit(tmp_path, f'{QUERY}\n<- {{ "return": [ {w} ] }}') == []


@pytest.mark.parametrize("member,value,kind", [
    ("size", '"3"', "example-wrong-type"),
    ("size", "3.0", "example-wrong-type"),
    ("size", "256", "example-bad-value"),
    ("size", "-1", "example-bad-value"),
    ("active", '"true"', "example-wrong-type"),
    ("tags", '"a"', "example-wrong-type"),
    ("tags", "[1]", "example-wrong-type"),
    ("kind", '"oval"', "example-bad-value"),
    ("kind", "1", "example-wrong-type"),
    ("id", "null", "example-wrong-type"),
])
def test_wrong_types_and_bad_values(tmp_path: Path, member: str, value: str, kind: str) -> None:
    w = widget(**{member: value})
    assert rules(audit(tmp_path, f'{QUERY}\n<- {{ "return": [ {w} ] }}')) == [kind]


@pytest.mark.parametrize("member,value", [
    ("weight", "2"), ("weight", "2.5e3"), ("extra", '{"any": [1, "x"]}'), ("extra", "null"),
    ("kind", '"hex"'), ("size", "255"), ("size", "0"), ("tags", '["a", "b"]'),
])
def test_near_miss_values(tmp_path: Path, member: str, value: str) -> None:
    w = widget(**{member: value})
    assert audit(tmp_path, f'{QUERY}\n<- {{ "return": [ {w} ] }}') == []


def test_missing_mandatory_members_are_one_warning(tmp_path: Path) -> None:
    [f] = audit(tmp_path, f'{QUERY}\n<- {{ "return": [ {{ "id": "w0", "kind": "round" }} ] }}')
    assert f.rule == "example-missing-member" and f.severity == Severity.WARNING
    assert f.message == "mandatory members 'size', 'tags', 'active' of 'WidgetInfo' are missing"


def test_optional_and_conditional_members_may_be_left_out(tmp_path: Path) -> None:
    assert audit(tmp_path, f'{QUERY}\n<- {{ "return": [ {GOOD_WIDGET} ] }}') == []


def test_union_branch_members(tmp_path: Path) -> None:
    ok = '-> { "execute": "widget-add", "arguments": { "kind": "square", "side": 4, "rounded": true } }'
    assert audit(tmp_path, ok + '\n<- { "return": {} }', "widget-add") == []
    wrong = '-> { "execute": "widget-add", "arguments": { "kind": "round", "side": 4 } }'
    found = audit(tmp_path, wrong + '\n<- { "return": {} }', "widget-add")
    assert rules(found) == ["example-unknown-member", "example-missing-member"]
    assert "(kind 'round')" in found[0].message and "'radius'" in found[1].message


def test_union_without_its_discriminator(tmp_path: Path) -> None:
    ex = '-> { "execute": "widget-add", "arguments": { "side": 4 } }\n<- { "return": {} }'
    [f] = audit(tmp_path, ex, "widget-add")
    assert f.rule == "example-missing-member" and "discriminator 'kind'" in f.message


def test_union_value_without_a_branch_has_only_the_base(tmp_path: Path) -> None:
    ex = '-> { "execute": "widget-add", "arguments": { "kind": "hex", "name": "h" } }\n<- { "return": {} }'
    assert audit(tmp_path, ex, "widget-add") == []


@pytest.mark.parametrize("target", ['"w0"', "null", '{ "kind": "round", "radius": 2 }'])
def test_alternate_branches(tmp_path: Path, target: str) -> None:
    ex = f'-> {{ "execute": "widget-set", "arguments": {{ "target": {target} }} }}\n<- {{ "return": {{}} }}'
    assert audit(tmp_path, ex, "widget-set") == []


@pytest.mark.parametrize("part,found", [
    ('{ "type": "gear", "data": { "radius": 3 } }', []),
    ('{ "type": "label", "data": "front" }', []),
    ('{ "type": "label", "data": 3 }', ["example-wrong-type"]),
    ('{ "type": "gear", "data": { "radius": 3 }, "radius": 3 }', ["example-unknown-member"]),
    ('{ "type": "wheel", "data": {} }', ["example-bad-value"]),
])
def test_simple_union_of_older_trees(tmp_path: Path, part: str, found: list[str]) -> None:
    """A union without base and discriminator (QEMU before 7.0) is {"type": BRANCH, "data": VALUE}."""
    ex = f'-> {{ "execute": "widget-part", "arguments": {{ "part": {part} }} }}\n<- {{ "return": {{}} }}'
    assert rules(audit(tmp_path, ex, "widget-part")) == found


def test_an_elided_container_stands_for_any_value(tmp_path: Path) -> None:
    ex = f'{QUERY}\n<- {{ "return": [ {GOOD_WIDGET}, [ ... more widgets ... ], {{ ... }} ] }}'
    assert audit(tmp_path, ex) == []


def test_alternate_takes_no_other_json_type(tmp_path: Path) -> None:
    ex = '-> { "execute": "widget-set", "arguments": { "target": 7 } }\n<- { "return": {} }'
    [f] = audit(tmp_path, ex, "widget-set")
    assert f.rule == "example-wrong-type" and "alternate 'WidgetRef'" in f.message


def test_alternate_checks_inside_the_chosen_branch(tmp_path: Path) -> None:
    ex = '-> { "execute": "widget-set", "arguments": { "target": { "kind": "round", "radius": "2" } } }'
    [f] = audit(tmp_path, ex + '\n<- { "return": {} }', "widget-set")
    assert f.rule == "example-wrong-type" and "'radius'" in f.message


def test_alternate_number_and_bool_branches(tmp_path: Path) -> None:
    for level in ("3", "true"):
        ex = f'-> {{ "execute": "widget-set", "arguments": {{ "target": "w", "level": {level} }} }}'
        assert audit(tmp_path, ex + '\n<- { "return": {} }', "widget-set") == []


def test_int8_range(tmp_path: Path) -> None:
    ex = '-> { "execute": "widget-set", "arguments": { "target": "w", "scale": -129 } }\n<- { "return": {} }'
    [f] = audit(tmp_path, ex, "widget-set")
    assert f.rule == "example-bad-value" and "-128..127" in f.message


def test_boxed_command_takes_the_members_of_its_type(tmp_path: Path) -> None:
    ex = '-> { "execute": "widget-add", "arguments": { "kind": "round", "radius": 1, "name": "r" } }'
    assert audit(tmp_path, ex + '\n<- { "return": {} }', "widget-add") == []


def test_gen_false_takes_arguments_its_schema_does_not_list(tmp_path: Path) -> None:
    ex = '-> { "execute": "widget-raw", "arguments": { "driver": "gear", "teeth": 12 } }\n<- { "return": {} }'
    assert audit(tmp_path, ex, "widget-raw") == []
    bad = '-> { "execute": "widget-raw", "arguments": { "driver": 3 } }\n<- { "return": {} }'
    assert rules(audit(tmp_path, bad, "widget-raw")) == ["example-wrong-type"]


def test_exec_oob(tmp_path: Path) -> None:
    assert audit(tmp_path, '-> { "exec-oob": "widget-ping" }\n<- { "return": {} }', "widget-ping") == []
    [f] = audit(tmp_path, '-> { "exec-oob": "widget-stop" }\n<- { "return": {} }', "widget-stop")
    assert f.rule == "example-oob"


def test_reply_not_wrapped_in_return(tmp_path: Path) -> None:
    [f] = audit(tmp_path, f"{QUERY}\n<- [ {GOOD_WIDGET} ]")
    assert f.rule == "example-message-shape"
    [f] = audit(tmp_path, f"<- {{ {GOOD_WIDGET[1:-1]} }}", "widget-stop")
    assert f.rule == "example-message-shape" and "'widget-stop'" in f.message


def test_command_without_returns_answers_an_empty_object(tmp_path: Path) -> None:
    [f] = audit(tmp_path, '-> { "execute": "widget-stop" }\n<- { "return": { "done": true } }', "widget-stop")
    assert f.rule == "example-unknown-member" and "returns nothing" in f.message


def test_error_reply(tmp_path: Path) -> None:
    ok = '-> { "execute": "widget-stop" }\n<- { "error": { "class": "GenericError", "desc": "busy" } }'
    assert audit(tmp_path, ok, "widget-stop") == []
    bad = '-> { "execute": "widget-stop" }\n<- { "error": { "class": "Busy", "desc": "busy" } }'
    assert rules(audit(tmp_path, bad, "widget-stop")) == ["example-bad-value"]
    shape = '-> { "execute": "widget-stop" }\n<- { "error": { "desc": "busy" } }'
    assert rules(audit(tmp_path, shape, "widget-stop")) == ["example-message-shape"]


def test_replies_follow_their_commands_by_order_and_id(tmp_path: Path) -> None:
    ex = ('-> { "execute": "widget-stop", "id": "a" }\n-> { "execute": "query-widgets", "id": "b" }\n'
          f'<- {{ "return": [ {GOOD_WIDGET} ], "id": "b" }}\n<- {{ "return": {{}}, "id": "a" }}')
    assert audit(tmp_path, ex, "widget-stop") == []


def test_event_data_and_timestamp(tmp_path: Path) -> None:
    ts = '"timestamp": { "seconds": 1, "microseconds": 2 }'
    assert audit(tmp_path, f'<- {{ "event": "WIDGET_MOVED", "data": {{ "id": "w", "x": 1 }}, {ts} }}',
                 "WIDGET_MOVED") == []
    assert audit(tmp_path, f'<- {{ "event": "WIDGET_GONE", {ts} }}', "WIDGET_GONE") == []
    found = audit(tmp_path, '<- { "event": "WIDGET_MOVED", "data": { "id": "w" } }', "WIDGET_MOVED")
    assert rules(found) == ["example-event-timestamp", "example-missing-member"]
    [f] = audit(tmp_path, '<- { "event": "WIDGET_GONE", "timestamp": { "seconds": 1 } }', "WIDGET_GONE")
    assert f.rule == "example-event-timestamp" and "microseconds" in f.message


def test_arrow_pointing_the_wrong_way(tmp_path: Path) -> None:
    [f] = audit(tmp_path, '<- { "execute": "widget-stop" }', "widget-stop")
    assert f.rule == "example-message-shape" and "'->'" in f.message


def test_certain_repairs_in_file_coordinates(tmp_path: Path) -> None:
    """A trailing comma's repair (fix data once findings carry it) deletes exactly that comma."""
    from qapilint.checks.example import repair
    from qapilint.qapi import qmp_check as Q
    from qapilint.qapi.examples import examples_in_doc
    from qapilint.qapi.qmp_types import TypeTable

    audit(tmp_path, f'{QUERY}\n<- {{ "return": [\n     {GOOD_WIDGET},\n   ] }}')
    parsed = load_schema(str(tmp_path / "widgets.json"))
    exs = [x for d in parsed.docs for x in examples_in_doc(d)]
    [issue] = [i for i in Q.check_examples(exs, TypeTable((), False)).issues if i.rule == "example-syntax"]
    rep = repair(issue)
    assert rep is not None
    what, l1, c1, l2, c2, new, old = rep
    line = (tmp_path / "widgets.json").read_text().split("\n")[l1 - 1]
    assert (what, l1 == l2, new, old, line[c1 - 1:c2 - 1]) == ("remove the trailing comma", True, "", ",", ",")


def test_single_quotes_fixed_on_every_line_at_once(tmp_path: Path) -> None:
    """A reply with single-quoted keys on three lines: one finding, one fix editing all three lines,
    and the file it leaves has no syntax finding left (--fix converges in one run)."""
    import dataclasses

    from qapilint.fixer import plan, write

    reply = widget(id="'w0'", size="3").replace('"kind"', "'kind'")
    example = f"{QUERY}\n<- {{ 'return': [\n     {reply}\n   ] }}"
    [f] = audit(tmp_path, example)
    assert f.rule == "example-syntax" and f.message.endswith("(2 more in this message)")
    assert f.fix is not None and len(f.fix.edits) == 3 and len({e.start_line for e in f.fix.edits}) == 2
    # The audit names the file by its full path; the work tree is tmp_path.
    f.fix = dataclasses.replace(f.fix, edits=tuple(dataclasses.replace(e, file="widgets.json")
                                                   for e in f.fix.edits))
    p = plan(str(tmp_path), [f])
    assert [o.applied for o in p.outcomes] == [True]
    write(p)
    assert audit_examples(load_schema(str(tmp_path / "widgets.json"))) == []
