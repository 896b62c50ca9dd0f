"""One side (before or after) of a rebuild: definitions plus where their parts are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from qapilint.definitions import Definition
from qapilint.qapi.doc_model import DocBlock
from qapilint.rebuild.docs import build_doc
from qapilint.rebuild.scan import DocPiece, ExprPiece, Line, Val
from qapilint.source import SourceInfo

Path = tuple[str, ...]


class Loc(NamedTuple):
    file: str
    line: int
    patch_line: int | None = None
    kind: str = " "                    # diff kind of the line: ' ', '+', '-'


@dataclass
class SideView:
    definitions: dict[str, Definition] = field(default_factory=dict)
    locs: dict[tuple[str, Path], Loc] = field(default_factory=dict)
    data_partial: set[str] = field(default_factory=set)    # keys whose data was cut
    doc_partial: set[str] = field(default_factory=set)


def loc_of(lines: list[Line], idx: int, path: str) -> Loc:
    ln = lines[idx]
    return Loc(path, ln.no, ln.patch_line or None, ln.kind)


def item_name(v: Val) -> str:
    if v.kind == "dict":
        n = v.get("name")
        if n is not None and isinstance(n.value, str):
            return n.value
        return "?"
    return str(v.value)


def strip_opt(key: str) -> str:
    return key[1:] if key.startswith("*") else key


def guess_root_keys(root: Val) -> None:
    """Name the root entries whose key was above the window (cut by a hunk edge)."""
    keys = [k for k, _v in root.entries]
    for i, (k, v) in enumerate(root.entries):
        if k is not None:
            continue
        later = keys[i + 1:]
        if v.kind == "dict":
            guess = "base" if "discriminator" in later or "data" in later else "data"
        elif v.kind == "list":
            guess = "features" if "data" in keys else "data"
        else:
            continue
        if guess not in keys:
            root.entries[i] = (guess, v)
            keys[i] = guess


def infer_meta(data: dict[str, object]) -> str:
    """The kind of a definition whose opener is out of view, where its keys tell."""
    if "discriminator" in data:
        return "union"
    if any(k in data for k in ("returns", "allow-oob", "allow-preconfig", "success-response", "coroutine")):
        return "command"
    if isinstance(data.get("data"), list):
        return "enum"
    return ""


def record_locs(view: SideView, key: str, val: Val, lines: list[Line], path: str, prefix: Path) -> None:
    if val.kind == "dict":
        for k, v in val.entries:
            if k is None:
                record_locs(view, key, v, lines, path, prefix + ("?",))
                continue
            p = prefix + (strip_opt(k),)
            at = v.key_line if v.key_line is not None else v.line
            view.locs.setdefault((key, p), loc_of(lines, at, path))
            record_locs(view, key, v, lines, path, p)
    elif val.kind == "list":
        for item in val.items:
            p = prefix + (item_name(item),)
            view.locs.setdefault((key, p), loc_of(lines, item.line, path))
            record_locs(view, key, item, lines, path, p)


def seen(lines: list[Line], first: int, last: int) -> set[int]:
    return {lines[i].no for i in range(max(first, 0), min(last, len(lines) - 1) + 1)}


@dataclass
class Piece:
    """A visible part of one definition: its expression, its doc, or both."""

    name: str
    expr: ExprPiece | None
    doc: DocPiece | None
    lines: list[Line]
    path: str
    by_no: dict[int, int] | None = None
    meta_hint: str = ""                # the kind, when only the hunk header's section text shows it

    def index_of(self, no: int) -> int | None:
        if self.by_no is None:
            self.by_no = {ln.no: i for i, ln in enumerate(self.lines)}
        return self.by_no.get(no)


def add_piece(view: SideView, key: str, pc: Piece) -> None:
    """Merge one visible part into the side's definition ``key``."""
    d = view.definitions.get(key)
    data: dict[str, object] = {}
    meta = ""
    info = SourceInfo(pc.path, 0)
    data_cut = True
    first = last = -1
    if pc.expr is not None:
        root = pc.expr.root
        guess_root_keys(root)
        plain = root.plain()
        data = plain if isinstance(plain, dict) else {}
        meta = pc.expr.meta or pc.meta_hint or infer_meta(data)
        data_cut = root.cut or not pc.expr.meta
        if not root.head_cut:
            info = SourceInfo(pc.path, pc.lines[root.line].no, defn_meta=meta or None, defn_name=pc.name)
            view.locs.setdefault((key, ()), loc_of(pc.lines, root.line, pc.path))
        record_locs(view, key, root, pc.lines, pc.path, ())
        first, last = root.line, root.end
    doc: DocBlock | None = None
    doc_cut = False
    if pc.doc is not None:
        doc = build_doc(pc.doc, pc.lines, pc.path)
        doc_cut = pc.doc.head_cut or pc.doc.tail_cut
        if pc.doc.symbol_line is not None:
            view.locs.setdefault((key, ("#doc",)), loc_of(pc.lines, pc.doc.symbol_line, pc.path))
        for s in doc.sections:
            at = pc.index_of(s.lines[0].line) if s.lines else None
            if at is not None:
                view.locs.setdefault((key, ("#doc", s.kind, s.name or "")), loc_of(pc.lines, at, pc.path))
        first = pc.doc.start if first < 0 else min(first, pc.doc.start)
        last = max(last, pc.doc.end)
    lines_seen = seen(pc.lines, first, last)
    if d is None:
        view.definitions[key] = Definition(name=pc.name, meta=meta, data=data, info=info, doc=doc,
                                           partial=data_cut or doc_cut, file=pc.path, seen_lines=lines_seen)
        if data_cut:
            view.data_partial.add(key)
        if doc_cut:
            view.doc_partial.add(key)
        return
    # Merge into what earlier hunks showed of the same definition.
    d.seen_lines |= lines_seen
    if pc.expr is not None:
        if not data_cut:
            d.data = data
            view.data_partial.discard(key)
        else:
            merge_data(d.data, data)
        if meta and not d.meta:
            d.meta = meta
        if info.line and not d.info.line:
            d.info = info
    if doc is not None:
        if d.doc is None or not doc_cut:
            d.doc = doc
            if not doc_cut:
                view.doc_partial.discard(key)
            else:
                view.doc_partial.add(key)
        else:
            d.doc.sections.extend(doc.sections)
            d.doc.lines.extend(doc.lines)
            if doc.symbol and not d.doc.symbol:
                d.doc.symbol, d.doc.symbol_info = doc.symbol, doc.symbol_info
    d.partial = key in view.data_partial or key in view.doc_partial


def merge_data(into: dict[str, object], more: dict[str, object]) -> None:
    for k, v in more.items():
        old = into.get(k)
        if isinstance(old, dict) and isinstance(v, dict):
            merge_data(old, v)
        elif isinstance(old, list) and isinstance(v, list):
            names = {_name(x) for x in old}
            old.extend(x for x in v if _name(x) not in names)
        elif k not in into:
            into[k] = v


def _name(x: object) -> str:
    if isinstance(x, dict):
        return str(x.get("name"))
    return str(x)
