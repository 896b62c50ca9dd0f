"""The on-disk parse cache: identical results to a fresh parse, and distrust of what it reads."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from qapilint.qapi import cache
from qapilint.qapi.exprs import ParsedSchema
from qapilint.qapi.loader import load_schema
from qapilint.qapi.parser import parse_file_events
from qapilint.qapi.parser_result import FileParse
from qapilint.source import SourceInfo

MAIN = """\
##
# = A free-form heading
##

{ 'include': 'sub/types.json' }
{ 'pragma': { 'doc-required': true, 'command-name-exceptions': [ 'x_y' ] } }

##
# @do-it:
#
# Does it.
#
# @arg: the argument,
#     continued on a second line
#
# Features:
#
# @unstable: not yet stable
#
# Returns: nothing much
#
# Since: 9.1
##
{ 'command': 'do-it', 'data': { 'arg': 'Thing', '*opt': ['str'] },
  'features': [ 'unstable' ] }

##
# @Broken:
#
#missing space
# @x: dangling
##
{ 'struct': 'Broken', 'data': { 'a': 'int', 'a': 'str' } }
{ 'enum': 'Odd', 'data': [ 'x', 'y' ], 'if': { 'all': [ 'CONFIG_A', 'CONFIG_B' ] } }
{ 'struct': 'Bad', 'data': { 'a' 'b' } }
{ 'union': 'Next', 'base': 'Thing', 'discriminator': 'kind', 'data': {} }
"""

TYPES = """\
##
# @Thing:
#
# A thing.
#
# @kind: what kind
##
{ 'struct': 'Thing', 'data': { 'kind': 'str', 'flag': 'bool' } }

##
# @orphan:
##

{ 'include': '../loop.json' }
"""

LOOP = "{ 'include': 'main.json' }\n{ 'enum': 'Tail', 'data': [ 'a\\\\b', 'c' ] }\n"


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("QAPILINT_NO_CACHE", raising=False)
    cache.reset()
    yield home / "qapilint"
    cache.reset()


def write_schema(root: Path) -> Path:
    (root / "sub").mkdir(parents=True, exist_ok=True)
    (root / "main.json").write_text(MAIN, encoding="utf-8")
    (root / "sub" / "types.json").write_text(TYPES, encoding="utf-8")
    (root / "loop.json").write_text(LOOP, encoding="utf-8")
    return root / "main.json"


def entries(home: Path) -> list[Path]:
    return sorted(p for p in home.glob("parse-*/*") if p.is_file())


def test_cached_schema_equals_fresh_parse(tmp_path: Path, cache_home: Path) -> None:
    root = str(write_schema(tmp_path / "schema"))
    fresh = load_schema(root, use_cache=False)
    assert entries(cache_home) == []
    filled = load_schema(root)
    c = cache.default_cache()
    n = len(fresh.files)
    assert c is not None and c.misses == n == 3 and c.hits == 0
    served = load_schema(root)
    assert c.hits == n
    # The fixture exercises what must round-trip: errors of every stage with columns,
    # doc blocks with sections, include chains, pragmas, escapes.
    assert fresh.errors and fresh.docs and fresh.pragma.doc_required
    assert any(e.info.col is not None for e in fresh.errors)
    assert any(e.info.parent is not None for e in fresh.exprs)
    assert filled == fresh
    assert served == fresh
    assert [str(e.info) for e in served.errors] == [str(e.info) for e in fresh.errors]


def test_served_objects_are_linked_like_a_fresh_parse(tmp_path: Path, cache_home: Path) -> None:
    root = str(write_schema(tmp_path / "schema"))
    load_schema(root)
    s = load_schema(root)
    c = cache.default_cache()
    assert c is not None and c.hits == len(s.files)
    docs = {id(b) for b in s.docs}
    assert all(e.doc is None or id(e.doc) in docs for e in s.exprs)
    for b in s.docs:
        lines = {id(dl) for dl in b.lines}
        assert all(id(dl) in lines for sec in b.sections for dl in sec.lines)
    thing = next(e for e in s.exprs if e.data.get("struct") == "Thing")
    # Positions in an included file hang off the include directive's position.
    assert thing.info.parent is not None and thing.info.parent.file.endswith("main.json")
    assert thing.info.parent is thing.doc.info.parent  # type: ignore[union-attr]


def test_same_text_under_another_name_or_parent(tmp_path: Path, cache_home: Path) -> None:
    text = TYPES
    outer = SourceInfo("top.json", 3)
    c = cache.default_cache()
    a = cache.parse_file_cached(text, "a.json", None, c)
    b = cache.parse_file_cached(text, "b.json", outer, c)
    b2 = cache.parse_file_cached(text, "b.json", outer, c)
    assert c is not None and c.hits == 1
    assert a.parsed == parse_file_events(text, "a.json", None).parsed
    assert b.parsed == b2.parsed == parse_file_events(text, "b.json", outer).parsed
    assert all(e.info.parent is outer for e in b2.parsed.exprs)


def test_marks_survive(tmp_path: Path, cache_home: Path) -> None:
    c = cache.default_cache()
    fresh = parse_file_events(MAIN, "m.json")
    cache.parse_file_cached(MAIN, "m.json", None, c)
    served = cache.parse_file_cached(MAIN, "m.json", None, c)
    assert c is not None and c.hits == 1

    def marks(fp: FileParse) -> list[tuple[int, tuple[int, int]]]:
        index = {id(e): i for i, e in enumerate(fp.parsed.exprs)}
        return sorted((index[k], v) for k, v in fp.marks.items())

    assert marks(served) == marks(fresh) and marks(fresh)


def damage(path: Path, how: str) -> None:
    blob = path.read_bytes()
    head = len(cache.MAGIC) + cache.CHECK_SIZE
    if how == "flip":
        mid = head + (len(blob) - head) // 2
        blob = blob[:mid] + bytes([blob[mid] ^ 0x20]) + blob[mid + 1:]
    elif how == "truncate":
        blob = blob[: len(blob) // 2]
    elif how == "empty":
        blob = b""
    elif how == "foreign":
        blob = b"\x80\x04\x95" + os.urandom(64)   # looks like a pickle; must never be unpickled
    elif how in ("wrong-types", "wrong-key", "evil-value"):
        key, body = marshal.loads(blob[head:])
        if how == "wrong-key":
            key = "0" * len(key)
        elif how == "wrong-types":
            ex = body[4]
            assert ex[1], "every file of the fixture has definitions"
            body = (*body[:4], (ex[0], [str(n) for n in ex[1]], *ex[2:]), *body[5:])
        else:
            ex = body[4]
            data = [dict(d, extra=3) for d in ex[0]]
            body = (*body[:4], (data, *ex[1:]), *body[5:])
        payload = marshal.dumps((key, body))
        blob = cache.MAGIC + zlib.crc32(payload).to_bytes(cache.CHECK_SIZE, "big") + payload
    path.write_bytes(blob)


@pytest.mark.parametrize("how", ["flip", "truncate", "empty", "foreign", "wrong-types", "wrong-key",
                                 "evil-value"])
def test_damaged_entries_are_ignored_and_replaced(tmp_path: Path, cache_home: Path, how: str) -> None:
    root = str(write_schema(tmp_path / "schema"))
    fresh = load_schema(root, use_cache=False)
    load_schema(root)
    files = entries(cache_home)
    n = len(fresh.files)
    assert len(files) == n
    for f in files:
        damage(f, how)
    cache.reset()
    again = load_schema(root)
    c = cache.default_cache()
    assert c is not None and c.hits == 0 and c.misses == n
    assert again == fresh
    cache.reset()
    assert load_schema(root) == fresh
    c = cache.default_cache()
    assert c is not None and c.hits == n


def test_no_cache_variable_turns_it_off(tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QAPILINT_NO_CACHE", "1")
    cache.reset()
    root = str(write_schema(tmp_path / "schema"))
    assert cache.default_cache() is None
    assert load_schema(root) == load_schema(root, use_cache=False)
    assert not cache_home.exists()


def test_unusable_directories_turn_it_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert cache.ParseCache.open(str(blocker / "qapilint")) is None
    shared = tmp_path / "shared" / "qapilint"
    shared.mkdir(parents=True)
    shared.chmod(0o777)
    assert cache.ParseCache.open(str(shared)) is None
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.base_dir() == str(tmp_path / "home" / ".cache" / "qapilint")


def test_write_failure_is_silent(tmp_path: Path, cache_home: Path) -> None:
    c = cache.default_cache()
    assert c is not None
    c.dir = str(tmp_path / "gone" / "away")
    fp = cache.parse_file_cached(LOOP, "l.json", None, c)
    assert fp.parsed == parse_file_events(LOOP, "l.json").parsed
    assert not c.writable


def test_key_depends_on_text_name_and_version(cache_home: Path) -> None:
    c = cache.default_cache()
    assert c is not None
    k = c.key("{}", "a.json")
    assert len({k, c.key("{ }", "a.json"), c.key("{}", "b.json")}) == 3
    other = cache.ParseCache(str(cache_home), bytes(20))
    assert other.key("{}", "a.json") != k and other.dir != c.dir
    assert cache.version_key() == c.version


def test_prune_bounds_the_directory(tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 6)
    monkeypatch.setattr(cache, "PRUNE_EVERY", 1)
    c = cache.default_cache()
    assert c is not None
    stale = Path(c.base) / "parse-0000000000000000"
    stale.mkdir()
    (stale / "x").write_text("old")
    os.utime(stale, (0, 0))
    for i in range(10):
        cache.parse_file_cached(f"{{ 'enum': 'E{i}', 'data': [] }}\n", "e.json", None, c)
    assert len(list(Path(c.dir).iterdir())) <= 6
    assert not stale.exists()


def test_a_long_lived_process_stays_bounded(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The bot parses new files for as long as it runs: pruned as it grows, on disk and in memory.
    monkeypatch.setattr(cache, "MAX_ENTRIES", 20)
    monkeypatch.setattr(cache, "PRUNE_EVERY", 4)
    monkeypatch.setattr(cache, "MEMO_ENTRIES", 10)
    c = cache.default_cache()
    assert c is not None
    most = 0
    for i in range(200):
        cache.parse_file_cached(f"{{ 'enum': 'E{i}', 'data': [] }}\n", "e.json", None, c)
        most = max(most, len(list(Path(c.dir).iterdir())))
    assert most <= 20 + 4
    assert len(c.memo) <= 10


def test_prune_by_bytes(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c = cache.default_cache()
    assert c is not None
    for i in range(12):
        cache.parse_file_cached(f"{{ 'enum': 'E{i}', 'data': [] }}\n" + "# pad\n" * 500, "e.json", None, c)
    sizes = [p.stat().st_size for p in Path(c.dir).iterdir()]
    cache.prune(c.base, c.dir, "parse-", 1000, max_bytes=sum(sizes) // 2)
    left = [p.stat().st_size for p in Path(c.dir).iterdir()]
    assert 0 < len(left) < len(sizes) and sum(left) <= sum(sizes) // 4 + max(sizes)


def test_memo_is_bounded_by_bytes(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MEMO_BYTES", 40_000)
    c = cache.default_cache()
    assert c is not None
    for i in range(30):
        text = f"{{ 'enum': 'E{i}', 'data': [] }}\n" + "".join(f"{{ 'enum': 'F{i}x{k}', 'data': [] }}\n"
                                                                for k in range(50))
        cache.parse_file_cached(text, "e.json", None, c)
    assert 0 < c.memo_bytes <= 40_000 and len(c.memo) < 30


def test_uncacheable_parse_is_not_stored(cache_home: Path) -> None:
    c = cache.default_cache()
    assert c is not None
    fp = parse_file_events(MAIN, "m.json")
    fp.parsed.errors.append(fp.parsed.errors[0].__class__("x", "elsewhere", SourceInfo("other.json", 1)))
    c.put(c.key(MAIN, "m.json"), fp, "m.json", None)
    assert entries(Path(c.base)) == []


def test_a_hit_does_not_import_lark(tmp_path: Path, cache_home: Path) -> None:
    root = str(write_schema(tmp_path / "schema"))
    load_schema(root)
    code = ("import sys; from qapilint.qapi.loader import load_schema; load_schema(sys.argv[1]); "
            "print('lark' in sys.modules)")
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home.parent))
    out = subprocess.run([sys.executable, "-c", code, root], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_real_schema_round_trips(qemu_clone: Path, cache_home: Path) -> None:
    root = str(qemu_clone / "qapi" / "qapi-schema.json")
    fresh: ParsedSchema = load_schema(root, use_cache=False)
    load_schema(root)
    served = load_schema(root)
    c = cache.default_cache()
    assert c is not None and c.hits == len(fresh.files) > 1
    assert served == fresh
