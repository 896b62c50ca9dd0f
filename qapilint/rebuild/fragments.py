"""Hunk-only rebuild: what each hunk shows of the file before and after the patch.

Every hunk gives a pre-image and a post-image window.  Definitions cut by a
window edge are partial; the definition a cut region belongs to is found
from what is in view (doc symbol, ``{ 'struct': 'Name'`` opener), from what
the previous hunk of the same file was in the middle of (hunks come in file
order), or from the hunk header's section text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from qapilint.changes.items import parts
from qapilint.patch import FileDiff, Hunk
from qapilint.rebuild.detect import def_key, schema_group
from qapilint.rebuild.naming import Namer, changed_items, naming_note, rename
from qapilint.rebuild.scan import DIRECTIVES, DocPiece, ExprPiece, Line, Scan, scan, symbol_of
from qapilint.rebuild.views import Piece, SideView, add_piece, compatible, guess_root_keys

_SECTION_OPENER = re.compile(r"'(struct|union|alternate|enum|command|event)'\s*:\s*'([^']+)'")


def section_name(section: str) -> str | None:
    m = _SECTION_OPENER.search(section)
    if m:
        return m.group(2)
    return symbol_of(section) if section.lstrip().startswith("#") else None


def section_meta(section: str) -> str:
    """The definition kind the hunk header's section text shows (an opener), else ''."""
    m = _SECTION_OPENER.search(section)
    return m.group(1) if m else ""


def anonymous_name(path: str, hunk_no: int) -> str:
    """Name of a definition none of whose names is in view.

    It doubles as its key in the side's definitions (and so as
    ``Change.definition``), so checks can connect changes to definitions.
    """
    return f"?{path}#{hunk_no}"


def hunk_side(h: Hunk, side: str) -> list[Line]:
    """The hunk's pre-image (side '-') or post-image (side '+') with file line numbers."""
    out: list[Line] = []
    no = h.old_start if side == "-" else h.new_start
    if (h.old_len if side == "-" else h.new_len) == 0:
        no += 1
    for ln in h.lines:
        if ln.kind != " " and ln.kind != side:
            continue
        given = ln.old_no if side == "-" else ln.new_no
        out.append(Line(ln.text, given if given is not None else no, ln.kind, ln.patch_line))
        no = (given if given is not None else no) + 1
    return out


def rebuild_file_hunks(fd: FileDiff, before: SideView, after: SideView, namer: Namer | None = None) -> list[str]:
    """Add what ``fd``'s hunks show to the two sides; returns notes on names taken from C hunks."""
    group = schema_group(fd.path)
    whole = fd.status in ("added", "deleted")
    absent = "-" if fd.status == "added" else "+" if fd.status == "deleted" else ""
    sides = [s for s in ("-", "+") if s != absent]
    windows: dict[str, list[tuple[list[Line], Scan] | None]] = {}
    for side in sides:
        windows[side] = []
        for h in fd.hunks:
            lines = hunk_side(h, side)
            start = h.old_start if side == "-" else h.new_start
            windows[side].append((lines, scan(lines, at_file_start=whole or start <= 1, at_file_end=whole))
                                 if lines else None)
    notes: list[str] = []
    # Hunk by hunk, both sides in step: a hunk's name may depend on what the
    # earlier hunks already placed (a member cannot be added twice).
    ctx: dict[str, tuple[str, str | None]] = {side: ("none", None) for side in sides}
    for hi, h in enumerate(fd.hunks):
        got = _hint(namer, [(s, windows[s][hi]) for s in sides], _placed(group, before, after))
        hint = got[0] if got is not None else None
        if got is not None and naming_note(fd.path, *got) not in notes:
            notes.append(naming_note(fd.path, *got))
        for side in sides:
            view = before if side == "-" else after
            path = (fd.old_path or fd.path) if side == "-" else fd.path
            win = windows[side][hi]
            if win is None:
                ctx[side] = ("none", None)
                continue
            lines, sc = win
            # What the previous hunk ended inside names what this one starts inside:
            # measured on real patches, this is right far more often than wrong,
            # whatever the distance between the hunks.
            ctx_state, ctx_name = ctx[side]
            here = _start_name(sc, hint)
            if here is not None and ctx_name is not None and ctx_name.startswith("?"):
                # What the previous hunk ended inside continues here, so it is the named one too.
                rename(view, def_key(group, ctx_name), def_key(group, here), here)
            names = _add_pieces(view, sc, lines, path, group, (section_name(h.section), section_meta(h.section)),
                                (ctx_state, ctx_name), anonymous_name(path, hi + 1), hint,
                                namer.kinds.get(hint, "") if namer is not None and hint else "")
            ctx[side] = _end_context(sc.end_state, sc.end_doc, sc.end_expr, names, view)
    return notes


def _start_name(sc: Scan, hint: str | None) -> str | None:
    """The name of what a window starts inside, when the window itself tells.

    A window cut inside an expression is named by the C hunks (``hint``); one
    cut inside a doc block by the opener that block leads to.
    """
    if sc.exprs and sc.exprs[0].root.head_cut:
        return hint
    first = next((d for d in sc.docs if d.head_cut), None)
    if first is None:
        return None
    return next((e.name for e in sc.exprs if e.doc is first and e.name), None)


def _placed(group: str, before: SideView, after: SideView) -> Callable[[str, dict[str, set[str]]], bool]:
    """Whether definition ``name`` already has one of the items a region adds ('+') or removes ('-')."""
    def has(name: str, items: dict[str, set[str]]) -> bool:
        for side, view in (("+", after), ("-", before)):
            d = view.definitions.get(def_key(group, name))
            if d is None or not items.get(side):
                continue
            got = {n for kind in parts(d.meta, d.data).values() for n in kind}
            if got & items[side]:
                return True
        return False
    return has


def _hint(namer: Namer | None, wins: list[tuple[str, tuple[list[Line], Scan] | None]],
          placed: Callable[[str, dict[str, set[str]]], bool]) -> tuple[str, str] | None:
    """The C hunks' name for the expression a hunk starts inside, from what the hunk changes in it."""
    if namer is None:
        return None
    values: dict[str, set[str]] = {"+": set(), "-": set()}
    members: set[str] = set()
    by_side: dict[str, set[str]] = {"+": set(), "-": set()}
    for side, win in wins:
        if win is None or not win[1].exprs or not win[1].exprs[0].root.head_cut or win[1].exprs[0].name:
            continue
        v, m = changed_items(win[1].exprs[0].root, win[0], side)
        values[side] |= v
        members |= m
        by_side[side] |= v | m
    if not (values["+"] or values["-"] or members):
        return None
    return namer.name(values, members, lambda name: placed(name, by_side))


def _add_pieces(view: SideView, sc: Scan, lines: list[Line], path: str, group: str,
                section: tuple[str | None, str], ctx: tuple[str, str | None], unknown: str,
                hint: str | None = None, hint_meta: str = "") -> dict[int, str]:
    """Name what one window shows and add it to ``view``; returns keys by piece id."""
    fallback, fallback_meta = section
    carry_doc = ctx[1] if ctx[0] == "doc" else None
    carry_expr = ctx[1] if ctx[0] in ("doc", "expr") else None
    names: dict[int, str] = {}
    for e in sc.exprs:
        if e.meta in DIRECTIVES or (not e.name and _pragma_body(e, path)):
            continue
        n = e.name or ((hint or carry_expr or fallback) if e.root.head_cut else None)
        if n is not None and not e.name and not _fits(view, def_key(group, n), e):
            n = None
        attached = e.doc
        if n is None and attached is not None and attached.symbol:
            n = attached.symbol
        n = n or unknown
        key = def_key(group, n)
        names[id(e)] = key
        if attached is not None:
            names[id(attached)] = key
        meta = fallback_meta if n == fallback and not e.meta else ""
        if hint is not None and n == hint and not e.meta:
            meta = hint_meta
        add_piece(view, key, Piece(n, e, attached, lines, path, meta_hint=meta))
    for d in sc.docs:
        if id(d) in names:
            continue
        n = d.symbol or ((carry_doc or fallback) if d.head_cut else None)
        if n is None and not d.head_cut:
            continue            # a free-form block (section heading)
        n = n or unknown
        key = def_key(group, n)
        names[id(d)] = key
        add_piece(view, key, Piece(n, None, d, lines, path))
    return names


def _pragma_body(e: ExprPiece, path: str) -> bool:
    """A cut window inside a ``{ 'pragma': ... }`` directive (its lists name types, they are not values)."""
    if not e.root.head_cut:
        return False
    if path.rsplit("/", 1)[-1] == "pragma.json":
        return True
    keys = {k for k, _v in e.root.entries if k}
    return any(k.endswith("-exceptions") or k == "doc-required" for k in keys)


def _fits(view: SideView, key: str, e: ExprPiece) -> bool:
    d = view.definitions.get(key)
    if d is None:
        return True
    guess_root_keys(e.root)
    data = e.root.plain()
    return compatible(d, data if isinstance(data, dict) else {})


def _end_context(state: str, doc: DocPiece | None, expr: ExprPiece | None,
                 names: dict[int, str], view: SideView) -> tuple[str, str | None]:
    thing: object = doc if state == "doc" else expr if state == "expr" else None
    if thing is None or id(thing) not in names:
        return "none", None
    # An anonymous definition is carried on too: its parts in later hunks
    # then join it instead of making one anonymous definition per hunk.
    d = view.definitions.get(names[id(thing)])
    return state, d.name if d is not None else None
