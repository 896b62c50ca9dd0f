"""On-disk cache of parsed schema files, so a run over an unchanged schema skips lark and the parse.

An entry holds one file's :class:`FileParse` as plain data (tuples, lists,
strings, ints, bools, the expressions' own dicts) written with
:mod:`marshal`.  Its name is a hash of the file's text, the name the file
is printed as (it is in every position), and a version key covering the
parser's sources, the grammar, lark's version, the model classes' fields
and the Python version, so any change there misses instead of serving a
stale parse.

Nothing read from the cache is trusted: an entry must carry the magic, a
checksum of its body and its own key, and decoding checks every type, so a
corrupt, truncated or foreign file is a miss and is parsed afresh.
marshal builds plain values and runs no code (unlike pickle).  A cache
directory owned by another user, or writable by others, is not used.

Location: ``$XDG_CACHE_HOME/qapilint`` (default ``~/.cache/qapilint``);
``QAPILINT_NO_CACHE=1`` turns it off; so does a directory that cannot be
created or written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import marshal
import os
import sys
import zlib
from importlib.machinery import PathFinder
from itertools import islice, repeat
from typing import Any

from qapilint.findings import Severity
from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.doc_model import DocBlock, DocLine, DocSection
from qapilint.qapi.exprs import Expr, ParsedFile
from qapilint.qapi.parser_result import FileParse
from qapilint.source import SourceInfo

try:
    # hashlib pulls in OpenSSL bindings (a few ms at start-up); blake2 is built in.
    from _blake2 import blake2b as blake2b  # re-exported: the result cache hashes alike
except ImportError:  # pragma: no cover - other Python builds
    from hashlib import blake2b as blake2b

FORMAT = 1
MAGIC = b"qapilint-parse\x00\x01"
DIGEST_SIZE = 20
CHECK_SIZE = 4
# Entries per version directory before the oldest half is dropped, and the
# bytes they may hold (a whole QEMU schema's entries take about 2 MB).
MAX_ENTRIES = 2000
MAX_BYTES = 256 * 1024 * 1024
# A long-running process (the bot) prunes again after this many writes, so the
# directory never grows much past MAX_ENTRIES.
PRUNE_EVERY = MAX_ENTRIES // 8
# Entries kept in memory by one process (a QEMU schema has ~50 files), and their bytes.
MEMO_ENTRIES = 256
MEMO_BYTES = 64 * 1024 * 1024
# A file this large is not cached (only a hostile one is: QEMU's largest is 200 KB).
MAX_ENTRY_TEXT = 8 * 1024 * 1024
# Directories of other versions (an older qapilint) are removed after this long unused.
STALE_VERSION_SECONDS = 7 * 86400

# Everything whose change can change a parse (paths relative to the package).
_DEPENDS = (
    "grammars/qapi.lark", "qapi/parser.py", "qapi/parser_lex.py", "qapi/parser_doc.py",
    "qapi/parser_result.py", "qapi/doc_parser.py", "qapi/doc_style.py", "qapi/doc_model.py",
    "qapi/exprs.py", "qapi/diagnostics.py", "qapi/cache.py", "source.py", "findings.py",
)
_MODEL = (SourceInfo, DocLine, DocSection, DocBlock, Expr, ParsedFile, SchemaError)


class _Unusable(Exception):
    """The cache entry (or the parse, when storing) cannot be used."""


# -- where, and under which version ------------------------------------------------


def base_dir() -> str | None:
    """The cache directory, or None when caching is off by configuration."""
    if os.environ.get("QAPILINT_NO_CACHE", "") not in ("", "0"):
        return None
    root = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(root):
        # The XDG spec says to ignore a relative XDG_CACHE_HOME.
        home = os.path.expanduser("~")
        if home == "~":
            return None
        root = os.path.join(home, ".cache")
    return os.path.join(root, "qapilint")


def version_key() -> bytes:
    """Digest of everything a cached parse depends on besides the file itself."""
    h = blake2b(digest_size=DIGEST_SIZE)
    h.update(f"{FORMAT}\0{sys.implementation.cache_tag}\0{marshal.version}\0".encode())
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for rel in _DEPENDS:
        h.update(rel.encode() + b"\0")
        try:
            with open(os.path.join(pkg, rel), "rb") as f:
                h.update(f.read())
        except OSError:
            h.update(b"\0missing\0")
    spec = PathFinder.find_spec("lark")
    origin = spec.origin if spec is not None else None
    if origin:
        # lark's __init__ carries its version; reading it is cheaper than importing lark.
        try:
            with open(origin, "rb") as f:
                h.update(f.read())
        except OSError:
            h.update(b"\0lark?\0")
    for cls in _MODEL:
        h.update(",".join(f.name for f in dataclasses.fields(cls)).encode() + b";")
    h.update(",".join(f"{s.name}={s.value}" for s in Severity).encode())
    return h.digest()


def _trusted_dir(path: str) -> bool:
    """Ours alone: owned by this user, not writable by group or others, writable by us."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    geteuid = getattr(os, "geteuid", None)
    if geteuid is not None and (st.st_uid != geteuid() or st.st_mode & 0o022):
        return False
    return os.access(path, os.W_OK)


class ParseCache:
    """One cache directory for one parser version."""

    def __init__(self, base: str, version: bytes) -> None:
        self.base = base
        self.version = version
        self.dir = os.path.join(base, "parse-" + version.hex()[:16])
        self.writable = True
        self.writes = 0
        self.hits = 0
        self.misses = 0
        # Entries read or written by this process, by key: validated columns and marshalled values.
        self.memo: dict[str, tuple[_Checked, bytes]] = {}
        self.memo_bytes = 0

    @classmethod
    def open(cls, base: str | None = None) -> ParseCache | None:
        """The cache under ``base`` (default: :func:`base_dir`), or None if unusable."""
        base = base if base is not None else base_dir()
        if base is None:
            return None
        cache = cls(base, version_key())
        try:
            os.makedirs(cache.dir, mode=0o700, exist_ok=True)
        except OSError:
            return None
        if not (_trusted_dir(base) and _trusted_dir(cache.dir)):
            return None
        return cache

    def key(self, text: str, path: str) -> str:
        h = blake2b(self.version, digest_size=DIGEST_SIZE)
        h.update(path.encode("utf-8", "surrogatepass") + b"\0")
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def get(self, key: str, path: str, parent: SourceInfo | None) -> FileParse | None:
        memo = self.memo.get(key)
        if memo is not None:
            # Tree mode reads most files three times (definitions, schema before, schema
            # after): only the first pays for reading, unmarshalling and checking.
            self.hits += 1
            checked, data = memo
            return _build(checked, path, parent, marshal.loads(data))
        try:
            with open(os.path.join(self.dir, key), "rb") as f:
                blob = f.read()
        except OSError:
            self.misses += 1
            return None
        try:
            checked = _unpack(blob, key)
        except _Unusable:
            self.misses += 1
            return None
        self.hits += 1
        self._remember(key, checked)
        return _build(checked, path, parent)

    def put(self, key: str, fp: FileParse, path: str, parent: SourceInfo | None) -> None:
        try:
            body = encode(fp, path, parent)
        except _Unusable:
            return
        blob = seal(MAGIC, key, body)
        if blob is None:
            return
        # Later reads build from the stored form, exactly as from the disk.
        with contextlib.suppress(TypeError, ValueError, IndexError, KeyError, _Unusable):
            self._remember(key, _validate(unseal(MAGIC, blob, key)))
        if not self.writable:
            return
        if not write_entry(self.dir, key, blob):
            self.writable = False
            return
        if self.writes % PRUNE_EVERY == 0:
            prune(self.base, self.dir, "parse-", MAX_ENTRIES, MAX_BYTES)
        self.writes += 1

    def _remember(self, key: str, checked: _Checked) -> None:
        """Keep a validated entry in memory; its values as marshal data, since the frontend edits them in place."""
        dl, sec, s_refs, blk, ex, errors_in, marks_in = checked
        try:
            data = marshal.dumps(ex[0], 4)
        except ValueError:
            return
        if len(data) > MEMO_BYTES // 4:
            return
        while self.memo and (len(self.memo) >= MEMO_ENTRIES or self.memo_bytes + len(data) > MEMO_BYTES):
            # Oldest first: a long-running bot moves from base tree to base tree.
            old = self.memo.pop(next(iter(self.memo)))
            self.memo_bytes -= len(old[1])
        self.memo[key] = ((dl, sec, s_refs, blk, [[], *ex[1:]], errors_in, marks_in), data)
        self.memo_bytes += len(data)


def write_entry(directory: str, name: str, blob: bytes) -> bool:
    """Write one entry atomically: a concurrent reader sees the old entry, none, or the whole new one."""
    final = os.path.join(directory, name)
    tmp = f"{final}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
            os.replace(tmp, final)
        except BaseException:
            _unlink(tmp)
            raise
    except OSError:
        return False
    return True


def prune(base: str, directory: str, prefix: str, max_entries: int, max_bytes: int | None = None) -> None:
    """Bound a cache directory: drop its oldest entries, and other versions' stale directories.

    Past ``max_entries`` entries (or ``max_bytes``), the oldest are dropped
    until half of each limit is left, so pruning is rare.
    """
    try:
        entries = [(e, e.stat(follow_symlinks=False)) for e in os.scandir(directory)
                   if e.is_file(follow_symlinks=False)]
        total = sum(st.st_size for _, st in entries)
        if len(entries) > max_entries or (max_bytes is not None and total > max_bytes):
            entries.sort(key=lambda es: es[1].st_mtime)
            keep_bytes = max_bytes // 2 if max_bytes is not None else total
            left = len(entries)
            for e, st in entries:
                if left <= max_entries // 2 and total <= keep_bytes:
                    break
                _unlink(e.path)
                left -= 1
                total -= st.st_size
        for d in os.scandir(base):
            if d.name.startswith(prefix) and d.path != directory and d.is_dir(follow_symlinks=False):
                import time

                if time.time() - d.stat(follow_symlinks=False).st_mtime > STALE_VERSION_SECONDS:
                    import shutil

                    shutil.rmtree(d.path, ignore_errors=True)
    except OSError:
        pass


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


# -- the process-wide cache and the entry point ------------------------------------

_UNSET = object()
_cache: Any = _UNSET


def default_cache() -> ParseCache | None:
    """The cache for this process (configuration is read once)."""
    global _cache
    if _cache is _UNSET:
        _cache = ParseCache.open()
    result: ParseCache | None = _cache
    return result


def reset() -> None:
    """Forget the process-wide cache, so the next use re-reads the environment (tests)."""
    global _cache
    _cache = _UNSET


def parse_file_cached(text: str, path: str, parent: SourceInfo | None = None,
                      cache: ParseCache | None | object = _UNSET) -> FileParse:
    """:func:`qapilint.qapi.parser.parse_file_events`, served from the cache when possible."""
    c = default_cache() if cache is _UNSET else cache
    if isinstance(c, ParseCache):
        key = c.key(text, path)
        fp = c.get(key, path, parent)
        if fp is not None:
            return fp
    from qapilint.qapi.parser import parse_file_events

    fp = parse_file_events(text, path, parent)
    if isinstance(c, ParseCache) and len(text) <= MAX_ENTRY_TEXT:
        c.put(key, fp, path, parent)
    return fp


# -- encoding ---------------------------------------------------------------------
#
# Column-wise (one list per field), so that decoding can check each column's
# types in one pass and build the objects with map() instead of a Python loop
# per object: a whole schema has ~20,000 doc lines and ~5,000 sections.

_KINDS = frozenset(("plain", "member", "feature", "tag"))


class _Encoder:
    def __init__(self, path: str, parent: SourceInfo | None) -> None:
        self.path = path
        self.parent = parent

    def info(self, si: SourceInfo) -> tuple[int, int | None]:
        # Every position of a parse is in the file itself; anything else is not ours to rebuild.
        if (si.file != self.path or si.parent is not self.parent or si.defn_meta is not None
                or si.defn_name is not None):
            raise _Unusable("foreign position")
        return si.line, si.col


def encode(fp: FileParse, path: str, parent: SourceInfo | None) -> tuple[Any, ...]:
    """``fp`` as plain marshal-able data; raises _Unusable if it cannot round-trip."""
    p = fp.parsed
    if p.path != path:
        raise _Unusable("path")
    enc = _Encoder(path, parent)
    dl_line: list[int] = []
    dl_text: list[str] = []
    dl_raw: list[str] = []
    sec: list[tuple[str, str | None, str, int, int | None, int]] = []
    refs: list[int] = []
    blk: list[tuple[int, int | None, int, str | None, int | None, int | None, int, int]] = []
    for b in p.docs:
        base = len(dl_line)
        index = {id(x): base + i for i, x in enumerate(b.lines)}
        for x in b.lines:
            dl_line.append(x.line)
            dl_text.append(x.text)
            dl_raw.append(x.raw)
        for s in b.sections:
            try:
                refs.extend([index[id(x)] for x in s.lines])
            except KeyError:
                raise _Unusable("section line outside its block") from None
            sec.append((s.kind, s.name, s.text, *enc.info(s.info), len(s.lines)))
        sym = enc.info(b.symbol_info) if b.symbol_info is not None else (None, None)
        blk.append((*enc.info(b.info), b.end_line, b.symbol, *sym, len(b.sections), len(b.lines)))
    doc_index = {id(b): i for i, b in enumerate(p.docs)}
    ex: list[tuple[dict[str, Any], int, int | None, int]] = []
    for e in p.exprs:
        if e.doc is not None and id(e.doc) not in doc_index:
            raise _Unusable("doc block not in the file's list")
        _check_value(e.data)
        ex.append((e.data, *enc.info(e.info), -1 if e.doc is None else doc_index[id(e.doc)]))
    errors = [(e.rule, e.message, *enc.info(e.info), list(e.notes), int(e.severity)) for e in p.errors]
    expr_index = {id(e): i for i, e in enumerate(p.exprs)}
    if not all(k in expr_index for k in fp.marks):
        raise _Unusable("mark for an unknown expression")
    marks = [(expr_index[k], n_err, n_doc) for k, (n_err, n_doc) in fp.marks.items()]
    return (FORMAT, (dl_line, dl_text, dl_raw), (*_transpose(sec, 6), refs), _transpose(blk, 8),
            _transpose(ex, 4), errors, marks)


def _transpose(rows: list[tuple[Any, ...]], width: int) -> tuple[list[Any], ...]:
    if not rows:
        return tuple([] for _ in range(width))
    return tuple(list(col) for col in zip(*rows, strict=True))


def _check_value(v: object) -> None:
    """Only what the parser makes (str, bool, list, dict with str keys), so that decoding may trust it."""
    stack = [v]
    pop, push = stack.pop, stack.extend
    while stack:
        x = pop()
        t = type(x)
        if t is dict:
            assert isinstance(x, dict)
            if not _only(x, _STR):
                raise _Unusable("non-string key")
            push(x.values())
        elif t is list:
            assert isinstance(x, list)
            push(x)
        elif t is not str and t is not bool:
            raise _Unusable(f"unexpected {t.__name__} value")


# -- decoding ---------------------------------------------------------------------

_INT = frozenset((int,))
_STR = frozenset((str,))
_NONE: type = type(None)
_OPT_INT = frozenset((int, _NONE))
_OPT_STR = frozenset((str, _NONE))
_DICT = frozenset((dict,))


def _only(values: Any, types: frozenset[type]) -> bool:
    # map(type, ...) and set() run in C: about 30 ns per value, against ~500 ns
    # for a Python-level isinstance loop.
    return set(map(type, values)) <= types


def seal(magic: bytes, key: str, body: Any) -> bytes | None:
    """A cache entry: ``magic``, a checksum, then ``(key, body)`` marshalled; None if it cannot be."""
    try:
        payload = marshal.dumps((key, body), 4)
    except ValueError:
        return None     # nested too deeply for marshal (hostile input): just don't cache it
    return magic + zlib.crc32(payload).to_bytes(CHECK_SIZE, "big") + payload


def unseal(magic: bytes, blob: bytes, key: str) -> Any:
    """The body of a sound entry for ``key`` (types still unchecked); raises _Unusable otherwise."""
    head = len(magic) + CHECK_SIZE
    if len(blob) < head or not blob.startswith(magic):
        raise _Unusable("not a cache entry")
    payload = memoryview(blob)[head:]
    # Catches disk corruption; a CRC is enough for that (the key in the body is a
    # strong hash) and 3x cheaper than a second blake2 pass over ~2 MB.
    if zlib.crc32(payload) != int.from_bytes(blob[len(magic):head], "big"):
        raise _Unusable("checksum mismatch")
    try:
        data = marshal.loads(payload)
    except (ValueError, EOFError, TypeError) as e:
        raise _Unusable("unreadable") from e
    if type(data) is not tuple or len(data) != 2 or data[0] != key:
        raise _Unusable("entry for another key")
    return data[1]


def _unpack(blob: bytes, key: str) -> _Checked:
    body = unseal(MAGIC, blob, key)
    try:
        return _validate(body)
    except (TypeError, ValueError, IndexError, KeyError, _Unusable) as e:
        raise _Unusable(f"malformed entry: {e}") from e


def _columns(cols: Any, *types: frozenset[type]) -> list[list[Any]]:
    """``cols`` as equally long lists whose values have the given types."""
    if type(cols) is not tuple or len(cols) != len(types):
        raise ValueError("column count")
    n = -1
    for col, tps in zip(cols, types, strict=True):
        if type(col) is not list or not _only(col, tps):
            raise TypeError("column type")
        if n >= 0 and len(col) != n:
            raise ValueError("column length")
        n = len(col)
    return list(cols)


def _non_negative(values: list[int]) -> None:
    if values and min(values) < 0:
        raise ValueError("negative count or index")


_INFO_FIELDS = ("file", "line", "col", "parent", "defn_meta", "defn_name")
_FAST_INFO = (not hasattr(SourceInfo, "__slots__")
              and tuple(f.name for f in dataclasses.fields(SourceInfo)) == _INFO_FIELDS)


def _infos(path: str, parent: SourceInfo | None, lines: list[int], cols: list[int | None]) -> list[SourceInfo]:
    """SourceInfo(path, line, col, parent) for each line/col.

    A frozen dataclass's __init__ sets each field through object.__setattr__,
    ~0.7 us per object; filling the instance dict directly is 3x faster and
    gives equal objects.  Used only while SourceInfo has exactly the fields
    above and no __slots__; otherwise the constructor.
    """
    if not _FAST_INFO:
        return list(map(SourceInfo, repeat(path), lines, cols, repeat(parent)))
    new = object.__new__
    objs = [new(SourceInfo) for _ in lines]
    for o, line, col in zip(objs, lines, cols, strict=True):
        d = o.__dict__
        d["file"] = path
        d["line"] = line
        d["col"] = col
        d["parent"] = parent
        d["defn_meta"] = None
        d["defn_name"] = None
    return objs


def decode(body: Any, path: str, parent: SourceInfo | None) -> FileParse:
    """Rebuild a FileParse from :func:`encode`'s data, checking every type on the way."""
    return _build(_validate(body), path, parent)


# A body that passed _validate, as its columns (see _build).
_Checked = tuple[Any, ...]


def _validate(body: Any) -> _Checked:
    """:func:`encode`'s data checked for every type and count, as the columns _build takes."""
    if type(body) is not tuple or len(body) != 7 or body[0] != FORMAT:
        raise ValueError("format")
    _, dl_in, sec_in, blk_in, ex_in, errors_in, marks_in = body
    dl = _columns(dl_in, _INT, _STR, _STR)
    sec = _columns(sec_in[:6] if type(sec_in) is tuple else None, _STR, _OPT_STR, _STR, _INT, _OPT_INT, _INT)
    (s_refs,) = _columns(sec_in[6:], _INT)
    blk = _columns(blk_in, _INT, _OPT_INT, _INT, _OPT_STR, _OPT_INT, _OPT_INT, _INT, _INT)
    ex = _columns(ex_in, _DICT, _INT, _OPT_INT, _INT)
    s_kind, s_nref = sec[0], sec[5]
    b_nsec, b_nlines, e_doc = blk[6], blk[7], ex[3]
    if not set(s_kind) <= _KINDS:
        raise ValueError("section kind")
    for counts in (s_nref, s_refs, b_nsec, b_nlines):
        _non_negative(counts)
    if (sum(s_nref) != len(s_refs) or sum(b_nsec) != len(s_kind) or sum(b_nlines) != len(dl[0])
            or (e_doc and (min(e_doc) < -1 or max(e_doc) >= len(blk[0])))):
        raise ValueError("inconsistent counts")
    if s_refs and max(s_refs) >= len(dl[0]):
        raise ValueError("doc line index")
    for data in ex[0]:
        _check_value(data)
    if type(errors_in) is not list or type(marks_in) is not list:
        raise TypeError("error or mark list")
    for err in errors_in:
        if type(err) is not tuple or len(err) != 6:
            raise TypeError("error entry")
        rule, msg, line, col, notes, sev = err
        if not (_only((rule, msg), _STR) and type(line) is int and _only((col,), _OPT_INT)
                and type(notes) is list and _only(notes, _STR) and type(sev) is int):
            raise TypeError("error entry")
        Severity(sev)
    for mark in marks_in:
        if type(mark) is not tuple or len(mark) != 3:
            raise TypeError("mark entry")
        if not _only(mark, _INT) or min(mark) < 0 or mark[0] >= len(ex[0]):
            raise TypeError("mark entry")
    return (dl, sec, s_refs, blk, ex, errors_in, marks_in)


def _build(checked: _Checked, path: str, parent: SourceInfo | None,
           e_data: list[dict[str, Any]] | None = None) -> FileParse:
    """The objects of a validated body; ``e_data`` replaces its expressions' values (a fresh copy)."""
    (dl_line, dl_text, dl_raw), sec, s_refs, blk, ex, errors_in, marks_in = checked
    s_kind, s_name, s_text, s_line, s_col, s_nref = sec
    b_line, b_col, b_end, b_sym, b_sline, b_scol, b_nsec, b_nlines = blk
    data_col, e_line, e_col, e_doc = ex
    if e_data is None:
        e_data = data_col
    dls = list(map(DocLine, dl_line, dl_text, dl_raw))
    ref_iter = map(dls.__getitem__, s_refs)
    sections = list(map(DocSection, s_kind, s_name, s_text, _infos(path, parent, s_line, s_col),
                        [list(islice(ref_iter, n)) for n in s_nref]))
    sec_iter, line_iter = iter(sections), iter(dls)
    sym_infos = [None if ln is None else SourceInfo(path, ln, col, parent)
                 for ln, col in zip(b_sline, b_scol, strict=True)]
    docs = list(map(DocBlock, _infos(path, parent, b_line, b_col), b_end, b_sym,
                    sym_infos, [list(islice(sec_iter, n)) for n in b_nsec],
                    [list(islice(line_iter, n)) for n in b_nlines]))
    exprs = list(map(Expr, e_data, _infos(path, parent, e_line, e_col),
                     [None if i < 0 else docs[i] for i in e_doc]))
    errors = [SchemaError(rule, msg, SourceInfo(path, line, col, parent), list(notes), Severity(sev))
              for rule, msg, line, col, notes, sev in errors_in]
    marks: dict[int, tuple[int, int]] = {id(exprs[i]): (n_err, n_doc) for i, n_err, n_doc in marks_in}
    return FileParse(ParsedFile(path, exprs, docs, errors), marks)
