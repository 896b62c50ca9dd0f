"""JSON as QMP examples write it: elisions, and what is wrong where."""

from __future__ import annotations

import pytest

from qapilint.qapi.qmp_json import ELIDED, EDict, EList, iter_positions, parse


def kinds(text: str) -> list[str]:
    return [p.kind for p in parse(text).problems]


def test_plain_json_takes_the_fast_path() -> None:
    r = parse('{"execute": "query-widgets", "arguments": {"n": 1, "x": 1.5, "ok": true, "no": null}}')
    assert r.ok and r.problems == []
    assert r.value == {"execute": "query-widgets", "arguments": {"n": 1, "x": 1.5, "ok": True, "no": None}}
    assert isinstance(r.value, dict) and not isinstance(r.value, EDict)


@pytest.mark.parametrize("text", [
    '{"return": [\n  {"id": "a"},\n  ...\n]}',           # an elided array item (a line)
    '{"return": [{"id": "a"}, ..., {"id": "b"}]}',        # between items
    '{"return": {"id": "a",\n  ...\n}}',                 # an elided member
    '{"return": {"id": "a", "stats": ...}}',              # an elided value
    '{"return": [{"id": "a"},\n  ...\n  {"id": "b"}]}',   # no commas around it
    '{"return": [ {...more...}, {"id": "b"} ]}',          # words between the dots
    '{"return": [ ... more follow ... ]}',
    '{ ... }',
])
def test_elisions_are_never_syntax_errors(text: str) -> None:
    r = parse(text)
    assert r.ok and r.problems == [] and r.elided


def test_elided_containers_are_marked() -> None:
    v = parse('{"a": [1, ...], "b": {"c": 1, ...}, "d": ..., "e": {"f": 2}}').value
    assert isinstance(v, dict)
    assert isinstance(v["a"], EList) and v["a"] == [1]
    assert isinstance(v["b"], EDict) and v["b"] == {"c": 1}
    assert v["d"] is ELIDED
    assert not isinstance(v["e"], EDict)


def test_trailing_comma_is_repaired_and_carries_a_fix() -> None:
    text = '{"return": [\n  {"a": 1},\n]}'
    r = parse(text)
    [p] = r.problems
    assert p.kind == "trailing-comma" and "']'" in p.message
    assert text[p.offset] == "," and r.ok and r.value == {"return": [{"a": 1}]}
    assert p.fix is not None
    fixed = text[:p.fix.start] + p.fix.text + text[p.fix.end:]
    assert parse(fixed).problems == []


def test_comma_after_an_elision_is_no_trailing_comma() -> None:
    assert kinds('{"a": [1, ...,]}') == []


def test_missing_commas_are_each_reported_and_the_rest_is_read() -> None:
    text = '{"stats": {\n  "a": 1\n  "b": 2\n  "c": 3,\n  "d": 4}}'
    r = parse(text)
    assert [p.kind for p in r.problems] == ["missing-comma", "missing-comma"]
    assert [text[:p.offset].count("\n") + 1 for p in r.problems] == [2, 3]
    assert r.value == {"stats": {"a": 1, "b": 2, "c": 3, "d": 4}}


def test_missing_comma_between_array_items() -> None:
    assert kinds("[1 2]") == ["missing-comma"]


def test_a_bracket_closed_by_the_wrong_kind_names_the_opener() -> None:
    text = '{"return": [\n  {"a": 1},\n  ...\n}'
    r = parse(text, where=lambda off: f"offset {off}")
    [p] = r.problems
    assert p.kind == "mismatch" and not r.ok
    assert p.message == f"'}}' closes the '[' opened at offset {text.index('[')}"


def test_closing_the_command_before_its_arguments() -> None:
    r = parse('{"execute": "dump"}\n  "arguments": {"file": "x"} }')
    [p] = r.problems
    assert p.kind == "early-close" and '"arguments"' in p.message and p.offset == 18


def test_unclosed_bracket() -> None:
    r = parse('{"return": [1, 2')
    assert [p.kind for p in r.problems] == ["unclosed"] and "'['" in r.problems[0].message


def test_single_quotes_are_reported_once_and_read() -> None:
    r = parse("{'event': 'STOP', 'timestamp': {'seconds': 1, 'microseconds': 2}}")
    assert [p.kind for p in r.problems] == ["single-quotes"]
    assert r.value == {"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2}}


@pytest.mark.parametrize("text,kind", [
    ('{"a": True}', "bare-word"),
    ('{"a": 007}', "bad-number"),
    ('{"a": 0x10}', "bad-number"),
    ('{a: 1}', "unquoted-key"),
    ('{"a" 1}', "missing-colon"),
    ('{"a": "open', "unterminated-string"),
    ('{"a": 1}}', "extra"),
    ('{"a": 1, "a": 2}', "duplicate-key"),
    ('{"a": NaN}', "bare-word"),
])
def test_other_mistakes(text: str, kind: str) -> None:
    assert kind in kinds(text)


def test_deep_nesting_is_refused_not_crashed() -> None:
    r = parse("[" * 5000 + "]" * 5000)
    assert not r.ok and r.problems


@pytest.mark.parametrize("text", ['{"return": {"n": 1%s, ...}}', '{"return": {"n": 1%s}}'])
def test_an_integer_thousands_of_digits_long_is_read_as_a_number(text: str) -> None:
    r = parse(text % ("0" * 5000))
    assert r.ok and r.problems == []


def test_positions_by_path() -> None:
    text = '{"return": [\n  {"id": "a"},\n  ...,\n  {"id": "b", "n": [7, 8]}\n]}'
    pos = dict(iter_positions(text))
    key, value = pos[("return", 1, "id")]
    assert text[key:key + 4] == '"id"' and text[value:value + 3] == '"b"'
    assert text[pos[("return", 1, "n", 1)][1]] == "8"
    # The elision is not counted: paths agree with the parsed value.
    v = parse(text).value
    assert isinstance(v, dict) and v["return"][1]["id"] == "b"


def test_one_fix_repairs_every_single_quoted_string() -> None:
    """Said once, repaired everywhere: fixing the first must not merely reveal the next."""
    text = "{'return': {'id': \"x\", 'n': 1}}"
    r = parse(text)
    [p] = r.problems
    assert p.kind == "single-quotes" and p.message.endswith("(2 more in this message)")
    assert p.fix is not None and len(p.more) == 2
    fixed = text
    for fx in sorted((p.fix, *p.more), key=lambda f: f.start, reverse=True):
        fixed = fixed[:fx.start] + fx.text + fixed[fx.end:]
    assert fixed == '{"return": {"id": "x", "n": 1}}'
    assert parse(fixed).problems == []
