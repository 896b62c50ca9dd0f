"""Tree mode: apply the hunks to the tree's files and parse the whole schema on both sides."""

from __future__ import annotations

import bisect
import hashlib
import os
from dataclasses import dataclass, field

from qapilint import contain
from qapilint.definitions import Definition
from qapilint.qapi.exprs import ParsedSchema
from qapilint.rebuild.detect import MAIN_ROOT, def_key, schema_group
from qapilint.rebuild.docs import build_doc
from qapilint.rebuild.scan import DEFINITION_METAS, Line, scan
from qapilint.rebuild.views import Piece, SideView, add_piece
from qapilint.source import SourceInfo

_MAX_ERRORS = 100     # the frontend parser stops after this many errors in one file


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class FileDefs:
    defs: list[Definition] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)


@dataclass
class RebuildCache:
    """Parsed files by content hash, so patches that share a base parse it once."""

    files: dict[tuple[str, str], FileDefs] = field(default_factory=dict)
    schemas: dict[str, ParsedSchema] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0

    def file_defs(self, path: str, text: str) -> FileDefs:
        key = (path, _sha(text))
        got = self.files.get(key)
        if got is not None:
            self.hits += 1
            return got
        self.misses += 1
        got = parse_defs(text, path)
        self.files[key] = got
        return got


def _scan_defs(text: str, path: str) -> FileDefs:
    lines = [Line(t, i + 1) for i, t in enumerate(text.split("\n"))]
    sc = scan(lines)
    out = FileDefs()
    for e in sc.exprs:
        if e.meta == "include":
            v = e.root.get("include")
            if v is not None and isinstance(v.value, str):
                out.includes.append(v.value)
            continue
        if e.meta not in DEFINITION_METAS or not e.name:
            continue
        data = e.root.plain()
        out.defs.append(Definition(
            name=e.name, meta=e.meta, data=data if isinstance(data, dict) else {},
            info=SourceInfo(path, lines[e.root.line].no, defn_meta=e.meta, defn_name=e.name),
            doc=build_doc(e.doc, lines, path) if e.doc is not None else None, file=path))
    return out


def parse_defs(text: str, path: str) -> FileDefs:
    """Definitions and includes of one whole file (the frontend's parser, the scanner as fallback)."""
    try:
        from qapilint.qapi.cache import parse_file_cached
    except ImportError:
        return _scan_defs(text, path)
    try:
        # Served from the on-disk parse cache when this text was parsed before.
        pf = parse_file_cached(text, path).parsed
    except Exception:        # the parser is another room's: a crash there must not stop a review
        return _scan_defs(text, path)
    out = FileDefs()
    for e in pf.exprs:
        d = e.data
        if "include" in d:
            if isinstance(d["include"], str):
                out.includes.append(d["include"])
            continue
        meta = next((m for m in DEFINITION_METAS if m in d), None)
        name = d.get(meta) if meta is not None else None
        if meta is None or not isinstance(name, str):
            continue
        out.defs.append(Definition(name=name, meta=meta, data=dict(d), info=e.info, doc=e.doc, file=path))
    if len(pf.errors) >= _MAX_ERRORS:
        # The parser gave up; what follows still exists in the file.
        have = {x.name for x in out.defs}
        out.defs.extend(x for x in _scan_defs(text, path).defs if x.name not in have)
    return out


class Texts:
    """File texts of one side: patched texts first, then the tree."""

    def __init__(self, read: object, patched: dict[str, str | None]) -> None:
        self._read = read
        self.patched = patched

    def get(self, path: str) -> str | None:
        if path in self.patched:
            return self.patched[path]
        reader = self._read
        text: str | None = reader(path) if callable(reader) else None
        return text


def schema_files(texts: Texts, roots: list[str], cache: RebuildCache) -> list[str]:
    """Files reachable from ``roots`` through includes, depth first, each once."""
    seen: list[str] = []
    done: set[str] = set()

    def visit(path: str) -> None:
        if path in done:
            return
        done.add(path)
        # An include that leaves the tree is not followed; the frontend's
        # loader reports it (include-outside-tree).
        if contain.lexical_problem(path) is not None:
            return
        try:
            text = texts.get(path)
        except contain.PathRefused:
            return
        if text is None:
            return
        seen.append(path)
        for inc in cache.file_defs(path, text).includes:
            visit(os.path.normpath(os.path.join(os.path.dirname(path), inc)))

    for r in roots:
        visit(r)
    return seen


def side_view(texts: Texts, files: list[str], cache: RebuildCache) -> SideView:
    view = SideView()
    for path in files:
        try:
            text = texts.get(path)
        except contain.PathRefused:
            continue
        if text is None:
            continue
        group = schema_group(path)
        for d in cache.file_defs(path, text).defs:
            view.definitions.setdefault(def_key(group, d.name), d)
    return view


def add_locations(view: SideView, lines: list[Line], path: str) -> None:
    """Where each part of each touched definition of one touched file is (for patch line pointers).

    Only the definitions the patch's lines fall in are scanned: each starts
    the scanner afresh (at its doc block or opener), and a whole file of a
    few thousand lines would cost more than the rest of the rebuild.
    """
    starts = sorted({d.doc.info.line if d.doc is not None and d.doc.info.line else d.info.line
                     for d in view.definitions.values() if d.file == path and d.info.line})
    touched: set[int] = set()
    for ln in lines:
        if ln.kind != " ":
            touched.add(bisect.bisect_right(starts, ln.no) - 1)
    if not touched:
        return
    index = {ln.no: i for i, ln in enumerate(lines)}
    group = schema_group(path)
    scratch = SideView()
    for k in sorted(touched):
        first = index.get(starts[k], 0) if k >= 0 else 0
        last = index.get(starts[k + 1], len(lines)) if k + 1 < len(starts) else len(lines)
        part = lines[first:last]
        by_no = {ln.no: i for i, ln in enumerate(part)}
        for e in scan(part).exprs:
            if e.name:
                add_piece(scratch, def_key(group, e.name), Piece(e.name, e, e.doc, part, path, by_no))
    for key, loc in scratch.locs.items():
        view.locs.setdefault(key, loc)


def roots_for(paths: list[str]) -> list[str]:
    roots = [MAIN_ROOT]
    for p in paths:
        if schema_group(p) and p not in roots:
            roots.append(p)
    return roots
