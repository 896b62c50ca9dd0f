"""The before-state result cache: round trip, distrust of what it reads, keys, and same verdicts as without it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from qapilint import sources
from qapilint.findings import Finding
from qapilint.pipeline import CheckOptions, check_series
from qapilint.qapi import cache, result_cache
from qapilint.qapi.result_cache import ResultCache

PAIRS = [("name-redefined", "'Foo' is already defined"), ("doc-line-too-long", "documentation line longer")]

SCHEMA = "{ 'include': 'a.json' }\n"
LONG = "# A structure whose documentation line is far too long for the frontend's limit."
A_JSON = f"""##
# @Base:
#
{LONG}
#
# @x: a member
#
# Since: 9.0
##
{{ 'struct': 'Base', 'data': {{ 'x': 'int' }} }}
"""
PATCH = """diff --git a/qapi/a.json b/qapi/a.json
--- a/qapi/a.json
+++ b/qapi/a.json
@@ -10 +10,9 @@
 { 'struct': 'Base', 'data': { 'x': 'int' } }
+
+##
+# @New:
+#
+# Another structure whose documentation line is also far too long for it.
+#
+# Since: 11.0
+##
+{ 'struct': 'New', 'data': { 'y': 'Nope' } }
"""


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "xdg"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("QAPILINT_NO_CACHE", raising=False)
    cache.reset()
    result_cache.reset()
    yield home
    cache.reset()
    result_cache.reset()


def fresh_process() -> None:
    """Forget the in-process caches, as a new run would."""
    cache.reset()
    result_cache.reset()


def opened(home: Path) -> ResultCache:
    rc = ResultCache.open(str(home / "qapilint"))
    assert rc is not None
    return rc


# -- the store itself --------------------------------------------------------------

def test_round_trip(cache_home: Path) -> None:
    rc = opened(cache_home)
    key = rc.key("qapi/qapi-schema.json", [("qapi/qapi-schema.json", SCHEMA), ("qapi/a.json", A_JSON)])
    assert rc.get(key) is None
    rc.put(key, PAIRS)
    assert opened(cache_home).get(key) == PAIRS
    rc.put(key, [])
    assert rc.get(key) == []


def entry_file(rc: ResultCache, key: str) -> Path:
    return Path(rc.dir) / key


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "empty", "other key", "bad types"])
def test_damaged_entry_is_a_miss(cache_home: Path, damage: str) -> None:
    rc = opened(cache_home)
    key = rc.key("r", [("r", "text")])
    rc.put(key, PAIRS)
    path = entry_file(rc, key)
    blob = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(blob[:len(blob) // 2])
    elif damage == "flipped":
        path.write_bytes(blob[:-3] + bytes([blob[-3] ^ 0xFF]) + blob[-2:])
    elif damage == "garbage":
        path.write_bytes(b"\x00not a cache entry at all" * 10)
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "other key":
        other = rc.key("r", [("r", "other text")])
        rc.put(other, PAIRS)
        path.write_bytes(entry_file(rc, other).read_bytes())
    else:
        rc.put(key, [("rule", 3)])  # type: ignore[list-item]   # refused when writing ...
        assert rc.get(key) == PAIRS
        import marshal
        import zlib

        payload = marshal.dumps((key, (result_cache.FORMAT, [("rule", 3)])), 4)   # ... so forge one
        path.write_bytes(result_cache.MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload)
    assert rc.get(key) is None


def test_key_covers_texts_names_order_root_and_version(cache_home: Path) -> None:
    rc = opened(cache_home)
    files = [("qapi/qapi-schema.json", SCHEMA), ("qapi/a.json", A_JSON)]
    key = rc.key("qapi/qapi-schema.json", files)
    assert rc.key("qapi/qapi-schema.json", list(files)) == key
    variants = [
        rc.key("qapi/qapi-schema.json", [files[0], ("qapi/a.json", A_JSON + "\n")]),
        rc.key("qapi/qapi-schema.json", [files[0], ("qapi/b.json", A_JSON)]),
        rc.key("qapi/qapi-schema.json", files[::-1]),
        rc.key("qapi/qapi-schema.json", files[:1]),
        rc.key("qapi/other.json", files),
        # No two lists of files make the same byte stream.
        rc.key("qapi/qapi-schema.json", [("qapi/qapi-schema.json", SCHEMA + "qapi/a.json" + A_JSON)]),
        ResultCache(rc.base, b"another frontend").key("qapi/qapi-schema.json", files),
    ]
    assert len({key, *variants}) == len(variants) + 1


def test_frontend_version_follows_the_parse_version() -> None:
    assert result_cache.frontend_version(b"a") != result_cache.frontend_version(b"b")
    assert result_cache.frontend_version(b"a") == result_cache.frontend_version(b"a")


def test_no_cache_when_turned_off(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QAPILINT_NO_CACHE", "1")
    fresh_process()
    assert result_cache.default_result_cache() is None


# -- through the pipeline ----------------------------------------------------------

def make_tree(root: Path, a_json: str = A_JSON) -> Path:
    (root / "qapi").mkdir(parents=True)
    (root / "VERSION").write_text("10.2.50\n")
    (root / "qapi" / "qapi-schema.json").write_text(SCHEMA)
    (root / "qapi" / "a.json").write_text(a_json)
    return root


Verdict = tuple[list[tuple[str, str, str | None, int | None]], int]


def verdict(tree: Path, patch: Path, rules: str | None = None) -> Verdict:
    fresh_process()
    reports = check_series(sources.load(str(patch)), CheckOptions(tree=str(tree), rules=rules, target="11.0"))
    (rep,) = reports
    schema = [f for f in rep.findings if f.family == "schema"]
    return [key(f) for f in schema], rep.preexisting


def key(f: Finding) -> tuple[str, str, str | None, int | None]:
    return (f.rule, f.message, f.file, f.line)


def uncached(tree: Path, patch: Path, monkeypatch: pytest.MonkeyPatch, rules: str | None = None) -> Verdict:
    with monkeypatch.context() as m:
        m.setenv("QAPILINT_NO_CACHE", "1")
        return verdict(tree, patch, rules)


@pytest.fixture
def case(tmp_path: Path, cache_home: Path) -> tuple[Path, Path]:
    patch = tmp_path / "new.patch"
    patch.write_text(PATCH)
    return make_tree(tmp_path / "tree"), patch


def result_entries(home: Path) -> list[Path]:
    return [p for d in (home / "qapilint").glob(result_cache.PREFIX + "*") for p in d.iterdir()]


def test_cached_before_state_gives_the_same_verdict(case: tuple[Path, Path], cache_home: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    tree, patch = case
    expected = uncached(tree, patch, monkeypatch)
    assert expected[1] > 0, "the fixture's tree must have a pre-existing error"
    assert result_entries(cache_home) == []
    assert verdict(tree, patch) == expected          # cold: computed and stored
    assert len(result_entries(cache_home)) == 1
    assert verdict(tree, patch) == expected          # warm: served
    rc = result_cache.default_result_cache()
    assert rc is not None and rc.hits == 1 and rc.misses == 0


def test_one_entry_serves_every_rules_version(case: tuple[Path, Path], cache_home: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    tree, patch = case
    latest = uncached(tree, patch, monkeypatch)
    older = uncached(tree, patch, monkeypatch, rules="10.1")
    assert latest != older, "the fixture must have an error only newer rules report"
    verdict(tree, patch)
    assert verdict(tree, patch, rules="10.1") == older
    rc = result_cache.default_result_cache()
    assert rc is not None and rc.hits == 1
    assert verdict(tree, patch) == latest
    assert len(result_entries(cache_home)) == 1


def test_changed_base_text_misses(case: tuple[Path, Path], cache_home: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    tree, patch = case
    before = verdict(tree, patch)
    (tree / "qapi" / "a.json").write_text(A_JSON.replace(LONG, "# A structure."))
    after = verdict(tree, patch)
    rc = result_cache.default_result_cache()
    assert rc is not None and rc.hits == 0 and rc.misses == 1
    assert after == uncached(tree, patch, monkeypatch)
    assert after[1] < before[1]
    assert len(result_entries(cache_home)) == 2


def test_corrupt_entries_are_recomputed(case: tuple[Path, Path], cache_home: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    tree, patch = case
    expected = verdict(tree, patch)
    for p in result_entries(cache_home):
        blob = p.read_bytes()
        p.write_bytes(blob[:len(blob) - 7])
    assert verdict(tree, patch) == expected
    rc = result_cache.default_result_cache()
    assert rc is not None and rc.misses == 1
    assert verdict(tree, patch) == expected          # rewritten by the run before
    rc = result_cache.default_result_cache()
    assert rc is not None and rc.hits == 1


def test_corrupt_entry_through_the_cli(case: tuple[Path, Path], cache_home: Path) -> None:
    import subprocess
    import sys

    tree, patch = case
    argv = [sys.executable, "-m", "qapilint", "check", "--tree", str(tree), "--target", "11.0",
            "--format", "json", str(patch)]
    env = dict(os.environ)
    first = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    for p in result_entries(cache_home):
        p.write_bytes(b"qapilint-result\x00\x01 but then nothing sensible")
    second = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert "Traceback" not in second.stderr, second.stderr
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout)


def test_a_long_lived_process_stays_bounded(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The bot records a verdict per base tree for as long as it runs: pruned as it grows.
    monkeypatch.setattr(result_cache, "MAX_ENTRIES", 16)
    monkeypatch.setattr(result_cache, "PRUNE_EVERY", 4)
    rc = opened(cache_home)
    most = 0
    for i in range(120):
        rc.put(rc.key("q.json", [("q.json", f"text {i}")]), [("rule", f"message {i}")])
        most = max(most, len(list(Path(rc.dir).iterdir())))
    assert most <= 16 + 4
