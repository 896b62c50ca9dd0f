"""The parse cache's in-process memo: later reads equal the first, and never share what the frontend edits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qapilint.qapi import cache
from qapilint.qapi.parser import parse_file_events
from qapilint.qapi.parser_result import FileParse
from qapilint.source import SourceInfo

TEXT = """##
# @Thing:
#
# A thing.
#
# @a: the member
#
# Since: 9.0
##
{ 'struct': 'Thing', 'data': { 'a': 'int', '*b': ['str'] } }

{ 'include': 'other.json' }

{ 'enum': 'E', 'data': [ 'x', { 'name': 'y', 'if': 'CONFIG_Y' } ], 'bogus': true }
"""


@pytest.fixture
def parse_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[cache.ParseCache]:
    home = tmp_path / "xdg"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("QAPILINT_NO_CACHE", raising=False)
    cache.reset()
    c = cache.default_cache()
    assert c is not None
    yield c
    cache.reset()


def shape(fp: FileParse) -> object:
    p = fp.parsed
    marks = sorted((p.exprs.index(e), m) for e in p.exprs if (m := fp.marks.get(id(e))) is not None)
    return (p.path, [(e.data, e.info, e.doc) for e in p.exprs], p.docs, p.errors, marks)


PARENT = SourceInfo("qapi/qapi-schema.json", 3, None)


def test_memo_hit_equals_a_fresh_parse(parse_cache: cache.ParseCache) -> None:
    first = cache.parse_file_cached(TEXT, "qapi/t.json", None, parse_cache)      # parsed, stored, remembered
    assert parse_cache.memo
    again = cache.parse_file_cached(TEXT, "qapi/t.json", PARENT, parse_cache)
    assert shape(again) == shape(parse_file_events(TEXT, "qapi/t.json", PARENT))
    assert shape(first) == shape(parse_file_events(TEXT, "qapi/t.json", None))
    assert parse_cache.hits == 1


def test_memo_is_filled_from_disk_too(parse_cache: cache.ParseCache) -> None:
    cache.parse_file_cached(TEXT, "qapi/t.json", None, parse_cache)
    cache.reset()
    c = cache.default_cache()
    assert c is not None and not c.memo
    from_disk = cache.parse_file_cached(TEXT, "qapi/t.json", None, c)
    assert c.memo and c.hits == 1
    from_memo = cache.parse_file_cached(TEXT, "qapi/t.json", None, c)
    assert c.hits == 2
    assert shape(from_memo) == shape(from_disk)


def test_builds_share_nothing_the_frontend_edits(parse_cache: cache.ParseCache) -> None:
    reference = shape(parse_file_events(TEXT, "qapi/t.json", None))
    one = cache.parse_file_cached(TEXT, "qapi/t.json", None, parse_cache)
    two = cache.parse_file_cached(TEXT, "qapi/t.json", None, parse_cache)
    # What the frontend does in place: normalise values, rewrite positions, add notes.
    for e in one.parsed.exprs:
        for v in e.data.values():
            if isinstance(v, dict):
                v["added"] = {"type": "int"}
            elif isinstance(v, list):
                v.append("added")
        e.data["new-key"] = True
        e.info = e.info.in_defn("struct", "X")
    for err in one.parsed.errors:
        err.notes.append("a note")
    assert shape(two) == reference
    three = cache.parse_file_cached(TEXT, "qapi/t.json", None, parse_cache)
    assert shape(three) == reference


def test_memo_is_bounded(parse_cache: cache.ParseCache, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MEMO_ENTRIES", 3)
    for i in range(6):
        cache.parse_file_cached(f"{{ 'enum': 'E{i}', 'data': [] }}\n", "e.json", None, parse_cache)
    assert len(parse_cache.memo) == 3
    assert parse_cache.key("{ 'enum': 'E5', 'data': [] }\n", "e.json") in parse_cache.memo
