"""On-disk cache of the frontend's verdict on a whole schema, so a base tree seen before is not re-checked.

``qapilint check --tree`` runs the frontend on the schema before and after
the patch and keeps only the errors the patch introduced.  The before-state
is usually a tree that was checked before (the bot reviews many patches
against one base), so its errors are kept here, keyed by

* a hash of the schema's root and every loaded file's name and text, in load
  order (the loader's result is a function of exactly these: which includes
  load and which fail follows from the texts);
* the frontend's version: the parse cache's version key (parser sources,
  grammar, lark, Python, model fields) plus the text of every module of
  :mod:`qapilint.qapi` and the shared model files the checks read, so any
  change to a check misses instead of serving a stale verdict.

An entry holds only plain data: the ``(rule, message)`` pair of every error,
unfiltered, in the frontend's order.  Which rules apply (``--rules``, the
tree's release, the patch date) is decided by the caller on each use, so one
entry serves every rules version.  Like the parse cache (same directory,
same ``QAPILINT_NO_CACHE`` / ``$XDG_CACHE_HOME`` handling, same trust
checks), nothing read is trusted: magic, checksum, key and every type are
checked, and anything else is a miss.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from qapilint.qapi.cache import (
    DIGEST_SIZE,
    ParseCache,
    _trusted_dir,
    _Unusable,
    base_dir,
    blake2b,
    default_cache,
    prune,
    seal,
    unseal,
    write_entry,
)

FORMAT = 1
MAGIC = b"qapilint-result\x00\x01"
MAX_ENTRIES = 500
PRUNE_EVERY = MAX_ENTRIES // 8
PREFIX = "result-"

# Besides qapilint/qapi/*.py (all of it), what the frontend's verdict depends on.
_DEPENDS = ("grammars/qapi.lark", "source.py", "findings.py", "errors.py")

Pair = tuple[str, str]


def frontend_version(parse_version: bytes) -> bytes:
    """Digest of the frontend's code on top of the parse cache's version key."""
    h = blake2b(parse_version, digest_size=DIGEST_SIZE)
    h.update(f"result-format-{FORMAT}\0".encode())
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    qapi = os.path.join(pkg, "qapi")
    try:
        names = sorted(n for n in os.listdir(qapi) if n.endswith(".py"))
    except OSError:
        names = []
    for rel in [f"qapi/{n}" for n in names] + list(_DEPENDS):
        h.update(rel.encode() + b"\0")
        try:
            with open(os.path.join(pkg, rel), "rb") as f:
                data = f.read()
        except OSError:
            data = b"\0missing\0"
        h.update(len(data).to_bytes(8, "big") + data)
    return h.digest()


class ResultCache:
    """One directory of verdicts for one frontend version."""

    def __init__(self, base: str, version: bytes) -> None:
        self.base = base
        self.version = version
        self.dir = os.path.join(base, PREFIX + version.hex()[:16])
        self.writes = 0
        self.hits = 0
        self.misses = 0

    @classmethod
    def open(cls, base: str | None = None, parse_cache: ParseCache | None = None) -> ResultCache | None:
        """The cache under ``base`` (default: :func:`base_dir`), or None if off or unusable."""
        base = base if base is not None else base_dir()
        if base is None:
            return None
        if parse_cache is None or parse_cache.base != base:
            from qapilint.qapi.cache import version_key

            parse_version = version_key()
        else:
            parse_version = parse_cache.version
        cache = cls(base, frontend_version(parse_version))
        try:
            os.makedirs(cache.dir, mode=0o700, exist_ok=True)
        except OSError:
            return None
        if not (_trusted_dir(base) and _trusted_dir(cache.dir)):
            return None
        return cache

    def key(self, root: str, files: Iterable[tuple[str, str]]) -> str:
        """The key of a schema rooted at ``root`` whose loaded files are ``files`` (name, text)."""
        h = blake2b(self.version, digest_size=DIGEST_SIZE)
        h.update(root.encode("utf-8", "surrogatepass") + b"\0")
        for name, text in files:
            raw = text.encode("utf-8", "surrogatepass")
            # Lengths first, so no two different lists of files hash the same stream.
            h.update(b"\1" + name.encode("utf-8", "surrogatepass") + b"\0" + len(raw).to_bytes(8, "big"))
            h.update(raw)
        return h.hexdigest()

    def get(self, key: str) -> list[Pair] | None:
        try:
            with open(os.path.join(self.dir, key), "rb") as f:
                blob = f.read()
        except OSError:
            self.misses += 1
            return None
        pairs = unpack(blob, key)
        if pairs is None:
            self.misses += 1
        else:
            self.hits += 1
        return pairs

    def put(self, key: str, pairs: Iterable[Pair]) -> None:
        body = [(r, m) for r, m in pairs]
        if not all(type(r) is str and type(m) is str for r, m in body):
            return
        blob = seal(MAGIC, key, (FORMAT, body))
        if blob is not None and write_entry(self.dir, key, blob):
            # On the first write, then every PRUNE_EVERY: a long-running bot stays bounded.
            if self.writes % PRUNE_EVERY == 0:
                prune(self.base, self.dir, PREFIX, MAX_ENTRIES)
            self.writes += 1


def unpack(blob: bytes, key: str) -> list[Pair] | None:
    """The pairs of a cache entry for ``key``, or None if it is not a sound one."""
    try:
        body = unseal(MAGIC, blob, key)
    except _Unusable:
        return None
    if type(body) is not tuple or len(body) != 2 or body[0] != FORMAT or type(body[1]) is not list:
        return None
    out: list[Pair] = []
    for item in body[1]:
        if type(item) is not tuple or len(item) != 2 or type(item[0]) is not str or type(item[1]) is not str:
            return None
        out.append((item[0], item[1]))
    return out


_UNSET = object()
_cache: Any = _UNSET


def default_result_cache() -> ResultCache | None:
    """The result cache for this process (configuration is read once, like the parse cache's)."""
    global _cache
    if _cache is _UNSET:
        _cache = ResultCache.open(parse_cache=default_cache())
    result: ResultCache | None = _cache
    return result


def reset() -> None:
    """Forget the process-wide cache, so the next use re-reads the environment (tests)."""
    global _cache
    _cache = _UNSET
