"""Every kind of change between two whole schemas, in both directions, judged as clients see it."""

from __future__ import annotations

from pathlib import Path

from releasekit import diff_dirs, find, keys

from qapilint.compare.walk import implies

BASE = """
{ 'enum': 'Mode', 'data': [ 'fast', 'slow' ] }
{ 'struct': 'Info', 'data': { 'name': 'str', '*size': 'int', 'mode': 'Mode' } }
{ 'struct': 'Args', 'data': { 'id': 'str', '*force': 'bool', 'mode': 'Mode' } }
{ 'command': 'do-it', 'data': 'Args' }
{ 'command': 'query-info', 'returns': 'Info' }
{ 'event': 'DONE', 'data': { 'id': 'str' } }
"""


def test_identical_schemas_have_no_change(tmp_path: Path) -> None:
    cmp = diff_dirs(tmp_path, BASE, BASE)
    assert cmp.entries == []


def test_commands_and_events_added_and_removed(tmp_path: Path) -> None:
    new = BASE.replace("{ 'event': 'DONE', 'data': { 'id': 'str' } }",
                       "{ 'event': 'FINISHED' }\n{ 'command': 'ping' }")
    cmp = diff_dirs(tmp_path, BASE, new)
    assert keys(cmp) == {("removed", "definition", "DONE", None), ("added", "definition", "FINISHED", None),
                         ("added", "definition", "ping", None)}
    assert find(cmp, "removed", "definition", "DONE").breaking
    assert not find(cmp, "added", "definition", "ping").breaking
    assert find(cmp, "added", "definition", "ping").group == "new"
    assert find(cmp, "removed", "definition", "DONE").group == "removed"


def test_send_direction_arguments(tmp_path: Path) -> None:
    new = BASE.replace("'data': { 'id': 'str', '*force': 'bool', 'mode': 'Mode' }",
                       "'data': { 'id': 'str', 'force': 'bool', '*mode': 'Mode', '*extra': 'int', 'must': 'str' }")
    cmp = diff_dirs(tmp_path, BASE, new)
    assert find(cmp, "changed", "optional", "Args", "force").breaking            # optional -> mandatory
    assert not find(cmp, "changed", "optional", "Args", "mode").breaking         # mandatory -> optional
    assert not find(cmp, "added", "member", "Args", "extra").breaking            # new optional
    must = find(cmp, "added", "member", "Args", "must")
    assert must.breaking and must.directions == {"send"} and must.detail == "mandatory"


def test_receive_direction_members(tmp_path: Path) -> None:
    new = BASE.replace("'data': { 'name': 'str', '*size': 'int', 'mode': 'Mode' }",
                       "'data': { '*name': 'str', 'size': 'int', 'mode': 'Mode', 'more': 'int' }")
    cmp = diff_dirs(tmp_path, BASE, new)
    assert find(cmp, "changed", "optional", "Info", "name").breaking             # mandatory -> optional
    assert not find(cmp, "changed", "optional", "Info", "size").breaking         # optional -> mandatory
    assert not find(cmp, "added", "member", "Info", "more").breaking             # clients ignore it
    gone = diff_dirs(tmp_path / "2", BASE, BASE.replace("'*size': 'int', ", ""))
    assert find(gone, "removed", "member", "Info", "size").breaking


def test_enum_values_depend_on_direction(tmp_path: Path) -> None:
    schema = BASE + "{ 'enum': 'State', 'data': [ 'on', 'off' ] }\n" \
                    "{ 'command': 'query-state', 'returns': { 'type': 'State' } }\n"
    schema = schema.replace("'returns': { 'type': 'State' }", "'returns': 'StateInfo' }\n"
                            "{ 'struct': 'StateInfo', 'data': { 'state': 'State' }")
    new = schema.replace("[ 'fast', 'slow' ]", "[ 'fast', 'medium' ]").replace("[ 'on', 'off' ]", "[ 'on' ]")
    cmp = diff_dirs(tmp_path, schema, new)
    slow = find(cmp, "removed", "value", "Mode", "slow")
    assert slow.breaking and slow.directions == {"send", "receive"}   # Mode is sent and received
    assert not find(cmp, "added", "value", "Mode", "medium").breaking
    off = find(cmp, "removed", "value", "State", "off")
    assert not off.breaking and off.directions == {"receive"}         # can no longer occur


def test_union_branches_and_discriminator(tmp_path: Path) -> None:
    old = BASE + """
{ 'enum': 'Kind', 'data': [ 'a', 'b' ] }
{ 'struct': 'OptA', 'data': { 'x': 'int' } }
{ 'struct': 'OptB', 'data': { 'y': 'int' } }
{ 'union': 'Opts', 'base': { 'kind': 'Kind' }, 'discriminator': 'kind',
  'data': { 'a': 'OptA', 'b': 'OptB' } }
{ 'command': 'set-opts', 'data': 'Opts', 'boxed': true }
"""
    new = old.replace("[ 'a', 'b' ]", "[ 'a', 'b', 'c' ]").replace(
        "'data': { 'a': 'OptA', 'b': 'OptB' }", "'data': { 'a': 'OptA', 'c': 'OptB' }")
    cmp = diff_dirs(tmp_path, old, new)
    b = find(cmp, "removed", "branch", "Opts", "b")
    assert b.breaking and "send" in b.directions
    assert not find(cmp, "added", "branch", "Opts", "c").breaking
    assert not find(cmp, "added", "value", "Kind", "c").breaking
    # A new mandatory member in a variant's type breaks the clients that send it.
    more = diff_dirs(tmp_path / "2", old, old.replace("'data': { 'x': 'int' }", "'data': { 'x': 'int', 'z': 'int' }"))
    assert find(more, "added", "member", "OptA", "z").breaking


def test_alternates_compare_by_json_type(tmp_path: Path) -> None:
    old = BASE + """
{ 'alternate': 'StrOrInt', 'data': { 's': 'str', 'i': 'int' } }
{ 'command': 'set-val', 'data': { 'v': 'StrOrInt' } }
{ 'command': 'get-val', 'returns': 'ValInfo' }
{ 'struct': 'ValInfo', 'data': { 'v': 'StrOrIntOut' } }
{ 'alternate': 'StrOrIntOut', 'data': { 's': 'str', 'i': 'int' } }
"""
    # Branch names are not on the wire: renaming one is no change; a new JSON type is.
    new = old.replace("'data': { 's': 'str', 'i': 'int' } }\n{ 'command': 'set-val'",
                      "'data': { 'text': 'str', 'i': 'int', 'b': 'bool' } }\n{ 'command': 'set-val'")
    new = new.replace("'StrOrIntOut', 'data': { 's': 'str', 'i': 'int' }",
                      "'StrOrIntOut', 'data': { 's': 'str', 'i': 'int', 'b': 'bool' }")
    cmp = diff_dirs(tmp_path, old, new)
    assert keys(cmp) == {("added", "branch", "StrOrInt", "b"), ("added", "branch", "StrOrIntOut", "b")}
    assert not find(cmp, "added", "branch", "StrOrInt", "b").breaking       # send: accepts more
    assert find(cmp, "added", "branch", "StrOrIntOut", "b").breaking        # receive: may get a bool


def test_type_changes_by_direction(tmp_path: Path) -> None:
    old = BASE + """
{ 'command': 'set-name', 'data': { 'name': 'str', 'count': 'int', 'obj': 'Info' } }
{ 'command': 'get-name', 'returns': 'NameInfo' }
{ 'struct': 'NameInfo', 'data': { 'name': 'str', 'count': 'int' } }
{ 'alternate': 'InfoOrNull', 'data': { 'i': 'Info', 'n': 'null' } }
"""
    new = old.replace("'data': { 'name': 'str', 'count': 'int', 'obj': 'Info' }",
                      "'data': { 'name': 'Mode', 'count': 'number', 'obj': 'InfoOrNull' }")
    new = new.replace("'NameInfo', 'data': { 'name': 'str', 'count': 'int' }",
                      "'NameInfo', 'data': { 'name': 'Mode', 'count': 'number' }")
    cmp = diff_dirs(tmp_path, old, new)
    assert find(cmp, "changed", "type", "set-name", "name").breaking          # send: str -> enum narrows
    assert not find(cmp, "changed", "type", "NameInfo", "name").breaking      # receive: fewer values
    assert not find(cmp, "changed", "type", "set-name", "count").breaking     # send: int -> number widens
    assert find(cmp, "changed", "type", "NameInfo", "count").breaking         # receive: may get a fraction
    obj = find(cmp, "changed", "type", "set-name", "obj")                      # T -> alternate with T
    assert not obj.breaking and obj.detail == "object 'Info' -> alternate 'InfoOrNull'"
    # Integer widths look alike in introspection: no change.
    same = diff_dirs(tmp_path / "2", old, old.replace("'count': 'int' }", "'count': 'uint8' }"))
    assert same.entries == []


def test_returns_and_flags(tmp_path: Path) -> None:
    old = BASE + "{ 'command': 'fast-op', 'allow-oob': true }\n{ 'command': 'stat', 'returns': 'Info' }\n"
    new = old.replace("'allow-oob': true", "'returns': 'Info'").replace("'stat', 'returns': 'Info'", "'stat'")
    cmp = diff_dirs(tmp_path, old, new)
    assert find(cmp, "changed", "flag", "fast-op", "allow-oob").breaking
    assert not find(cmp, "added", "returns", "fast-op").breaking
    assert find(cmp, "removed", "returns", "stat").breaking
    arr = diff_dirs(tmp_path / "2", BASE, BASE.replace("'returns': 'Info'", "'returns': ['Info']"))
    assert find(arr, "changed", "returns", "query-info").breaking


def test_features_and_deprecation_marks(tmp_path: Path) -> None:
    new = BASE.replace("'*force': 'bool'", "'*force': { 'type': 'bool', 'features': [ 'deprecated' ] }")
    new = new.replace("{ 'command': 'query-info', 'returns': 'Info' }",
                      "{ 'command': 'query-info', 'returns': 'Info', 'features': [ 'fancy' ] }")
    cmp = diff_dirs(tmp_path, BASE, new)
    dep = find(cmp, "added", "feature", "Args", "deprecated")
    assert dep.group == "deprecated" and dep.on == "member 'force'" and not dep.breaking
    assert find(cmp, "added", "feature", "query-info", "fancy").group == "new"
    typed = diff_dirs(tmp_path / "2", BASE, BASE.replace("'Info', 'data'", "'Info', 'features': [ 'shiny' ], 'data'"))
    assert find(typed, "added", "feature", "Info", "shiny").on is None


def test_type_used_both_ways_must_satisfy_both(tmp_path: Path) -> None:
    old = BASE + "{ 'command': 'set-info', 'data': { 'info': 'Info' } }\n"
    cmp = diff_dirs(tmp_path, old, old.replace("'*size': 'int'", "'*size': 'int', 'new': 'int'"))
    e = find(cmp, "added", "member", "Info", "new")
    assert e.directions == {"send", "receive"} and e.breaking


def test_locations_point_at_the_item(tmp_path: Path) -> None:
    new = BASE.replace("'*force': 'bool', 'mode': 'Mode' } }",
                       "'*force': 'bool',\n  'mode': 'Mode',\n  '*later': 'int' } }")
    cmp = diff_dirs(tmp_path, BASE, new)
    e = find(cmp, "added", "member", "Args", "later")
    assert e.file == "qapi/qapi-schema.json"
    lines = (tmp_path / "new" / "qapi" / "qapi-schema.json").read_text().split("\n")
    assert e.line is not None and "'*later'" in lines[e.line - 1]


def test_condition_implication() -> None:
    assert implies("A", None) and implies("A", "A") and not implies(None, "A")
    assert implies({"all": ["A", "B"]}, "A") and not implies("A", {"all": ["A", "B"]})
    assert implies("A", {"any": ["A", "B"]}) and not implies({"any": ["A", "B"]}, "A")
    assert implies({"all": ["A", "B", "C"]}, {"all": ["A", "B"]})
