"""Finding QMP examples: directives, old sections, messages over several lines, commit messages."""

from __future__ import annotations

from pathlib import Path

from qapilint.qapi.examples import CommentLine, Example, examples_in_commit, examples_in_doc, examples_in_lines
from qapilint.qapi.loader import load_schema


def examples(tmp_path: Path, doc: str, definition: str = "{ 'command': 'widget-ping' }") -> list[Example]:
    """The examples of one doc block, read by the real loader from a schema file."""
    f = tmp_path / "widgets.json"
    f.write_text(doc + "\n" + definition + "\n", encoding="utf-8")
    parsed = load_schema(str(f))
    return [ex for block in parsed.docs for ex in examples_in_doc(block)]


DIRECTIVES = """\
##
# @widget-ping:
#
# Ping the widget hub.
#
# .. qmp-example::
#    :title: Ping once
#
#     -> { "execute": "widget-ping" }
#     <- { "return": {} }
#
# .. qmp-example::
#    :annotated:
#
#    Ask twice; the replies come in order::
#
#     -> { "execute": "widget-ping",
#          "id": 1 }
#     -> { "execute": "widget-ping", "id": 2 }
#     <- { "return": {},
#          "id": 1 }
#     <- { "return": {}, "id": 2 }
#
#    That is all.
#
# Since: 11.0
##"""


def test_directives_titles_and_multi_line_messages(tmp_path: Path) -> None:
    first, second = examples(tmp_path, DIRECTIVES)
    assert (first.kind, first.title, first.annotated, first.symbol) == ("qmp-example", "Ping once", False,
                                                                       "widget-ping")
    assert [m.direction for m in first.messages] == ["->", "<-"]
    assert second.annotated and second.title is None
    assert [m.lines for m in second.messages] == [[17, 18], [19], [20, 21], [22]]
    msg = second.messages[0]
    assert msg.text == '{ "execute": "widget-ping",\n"id": 1 }'
    # Positions are file positions: line 18 is '#          "id": 1 }'.
    assert msg.position(msg.text.index('"id"')) == (18, 12)
    assert all(m.parsed().ok for ex in (first, second) for m in ex.messages)


OLD_SECTION = """\
##
# @widget-ping:
#
# Ping the widget hub.
#
# Since: 9.0
#
# Examples:
#
# 1. Ping
#
# -> { "execute": "widget-ping" }
# <- {
#       "return": {}
#    }
#
# 2. Ping again
#
# -> { "execute": "widget-ping" }
# <- { "return": {} }
##"""


def test_old_examples_section(tmp_path: Path) -> None:
    [ex] = examples(tmp_path, OLD_SECTION)
    assert ex.kind == "section" and ex.line == 8
    assert [m.lines for m in ex.messages] == [[12], [13, 14, 15], [19], [20]]


def test_notation_is_no_message(tmp_path: Path) -> None:
    doc = ("##\n# = Widgets\n#\n# .. qmp-example::\n#\n#   -> ... text sent by client ...\n"
           "#   <- ... text sent by server ...\n##")
    assert examples(tmp_path, doc, "") == []


def test_an_unbalanced_message_ends_at_the_next_arrow_or_prose(tmp_path: Path) -> None:
    doc = """\
##
# @widget-ping:
#
# .. qmp-example::
#
#     -> { "execute": "widget-ping",
#     <- { "return": {} }
#
# .. qmp-example::
#
#     <- { "return": [ { "a": 1 },
#
# Since: 11.0
##"""
    first, second = examples(tmp_path, doc)
    assert [m.lines for m in first.messages] == [[6], [7]]
    assert [m.lines for m in second.messages] == [[11]]
    assert all(m.complete for m in first.messages + second.messages)
    assert [p.kind for p in second.messages[0].parsed().problems] == ["unclosed"]


def test_text_after_an_early_close_stays_in_the_message(tmp_path: Path) -> None:
    doc = """\
##
# @widget-ping:
#
# .. qmp-example::
#
#     -> { "execute": "widget-ping" }
#          "arguments": { "n": 1 } }
#     <- { "return": {} }
##"""
    [ex] = examples(tmp_path, doc)
    assert [m.lines for m in ex.messages] == [[6, 7], [8]]
    assert [p.kind for p in ex.messages[0].parsed().problems] == ["early-close"]


def test_a_message_cut_by_the_edge_of_view_is_incomplete() -> None:
    lines = [CommentLine(40, 2, '     <- { "return": ['), CommentLine(41, 2, '          { "id": "a" },')]
    [ex] = examples_in_lines("qapi/widgets.json", lines, "query-widgets", ends_known=False)
    assert not ex.messages[0].complete
    [ex] = examples_in_lines("qapi/widgets.json", lines, "query-widgets", ends_known=True)
    assert ex.messages[0].complete


def test_a_gap_in_line_numbers_cuts_a_message() -> None:
    lines = [CommentLine(40, 2, '     <- { "return": ['), CommentLine(44, 2, '          ] }')]
    [ex] = examples_in_lines("qapi/widgets.json", lines, None)
    assert not ex.messages[0].complete


COMMIT = """\
Add a counter to WidgetInfo.

The new type:
WidgetCounter { 'name': 'str', 'hits': 'int' }

* Before:
{"execute":"query-widgets"}
{
 "return": [
 { "id": "a",
   "hits": 3 },

 ...

 { "id": "z" },
 ],
 "extra": 1
}

Or with arrows:
  -> { "execute": "widget-ping" }
  <- { "return": {} }
{ "not": "qmp" }

Signed-off-by: Ada Example <ada@example.org>
"""


def test_commit_message_qmp_with_and_without_arrows() -> None:
    [ex] = examples_in_commit(COMMIT)
    assert ex.kind == "commit"
    assert [(m.direction, m.line) for m in ex.messages] == [("", 7), ("", 8), ("->", 21), ("<-", 22)]
    assert ex.messages[1].lines[-1] == 18
    reply = ex.messages[1].parsed()
    assert [p.kind for p in reply.problems] == ["trailing-comma"]


def test_commit_message_prose_ends_an_unclosed_block() -> None:
    [ex] = examples_in_commit('{"execute": "widget-ping",\n "arguments": {\n\nThis broke.\n')
    [msg] = ex.messages
    assert msg.lines == [1, 2] and [p.kind for p in msg.parsed().problems] == ["unclosed"]


def test_a_message_rewrapped_to_the_arrows_column_continues(tmp_path: Path) -> None:
    doc = """\
##
# @widget-ping:
#
# Examples:
#
# -> { "execute": "widget-ping", "arguments": { "name":
# "sw1" } }
# <- { "return": {} }
#
# 2. Then it
# -> { "execute": "widget-ping",
# 3. Broken
##"""
    [ex] = examples(tmp_path, doc)
    assert [m.lines for m in ex.messages] == [[6, 7], [8], [11]]
    assert ex.messages[0].parsed().ok and ex.messages[0].parsed().problems == []
    assert [p.kind for p in ex.messages[2].parsed().problems] == ["unclosed"]


def test_bracketed_elisions() -> None:
    [ex] = examples_in_commit('{\n "return": [\n   [...]\n   { "name": "a" },\n   {...more...}\n ]\n}\n')
    r = ex.messages[0].parsed()
    assert r.ok and r.problems == [] and r.value == {"return": [{"name": "a"}]}


LOCATE = """\
##
# @query-widgets:
#
# .. qmp-example::
#
#     -> { "execute": "query-widgets" }
#     <- { "return": [ { "id": "a", "size": 1 },
#                      { "id": "b", "colour": "red" } ] }
#     -> { "execute": "widget-tag", "arguments": { "id": "a\\u0062", "ab": 2 } }
##"""


def test_locate_finds_a_key_written_once_and_a_repeated_one_by_its_path(tmp_path: Path) -> None:
    [ex] = examples(tmp_path, LOCATE, "{ 'command': 'query-widgets' }")
    reply = ex.messages[1]
    text = reply.text
    # Written once in the message: its key and its value.
    key = reply.locate(("return", 1, "colour"), at_key=True)
    value = reply.locate(("return", 1, "colour"))
    assert key is not None and value is not None
    assert text[key:key + 8] == '"colour"' and text[value:value + 5] == '"red"'
    assert reply.position(key) == (8, 37)      # file line and column of the key
    # Written in both items: each path gets its own.
    first, second = reply.locate(("return", 0, "id")), reply.locate(("return", 1, "id"))
    assert first is not None and second is not None
    assert (text[first:first + 3], text[second:second + 3]) == ('"a"', '"b"')
    assert reply.locate(("return", 1, "size")) is None      # not there: the message's first line
    # Escapes in a text: read token by token, never matched by spelling alone.
    cmd = ex.messages[2]
    at = cmd.locate(("arguments", "ab"), at_key=True)
    assert at is not None and cmd.text[at:at + 4] == '"ab"'


def test_arrows_among_hyphenated_names_are_found(tmp_path: Path) -> None:
    # Names full of '-' and a '>' that is no arrow, before and after the example.
    doc = ("##\n# @x-query-widget-list:\n#\n# Lists block-node-like widget-hub entries (a -> b is\n"
           "# not an example: prose).  Sizes > 0, tags < 8.\n#\n# .. qmp-example::\n#\n"
           '#     -> { "execute": "x-query-widget-list" }\n#     <- { "return": [] }\n##')
    [ex] = examples(tmp_path, doc, "{ 'command': 'x-query-widget-list' }")
    assert [m.direction for m in ex.messages] == ["->", "<-"]
    assert [m.line for m in ex.messages] == [9, 10]


def test_directive_and_options_as_written(tmp_path: Path) -> None:
    doc = ("##\n# @widget-ping:\n#\n# ..  qmp-example::   \n#    :title:   Spaced   out  \n#    :annotated:\n#\n"
           '#     -> { "execute": "widget-ping" }\n#\n# ..qmp-example::\n#\n'
           '#     -> { "execute": "widget-ping" }\n##')
    [ex] = examples(tmp_path, doc)
    assert (ex.kind, ex.title, ex.annotated, ex.line) == ("qmp-example", "Spaced   out", True, 4)
    # '..qmp-example::' (no space) starts no example: its message stays in the one before.
    assert [m.line for m in ex.messages] == [8, 12]


def test_a_key_written_twice_is_located_where_its_value_is_read(tmp_path: Path) -> None:
    # The value read is the last one's (a duplicate key is a syntax problem, said apart).
    doc = ('##\n# @widget-ping:\n#\n# .. qmp-example::\n#\n'
           '#     -> { "execute": "widget-ping", "id": 1, "id": 2 }\n##')
    [ex] = examples(tmp_path, doc)
    [msg] = ex.messages
    parsed = msg.parsed()
    assert [p.kind for p in parsed.problems] == ["duplicate-key"]
    at = msg.locate(("id",))
    assert at is not None and msg.text[at] == "2"
