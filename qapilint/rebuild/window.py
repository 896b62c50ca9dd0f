"""Each hunk side as the hunk-only rebuild reads it: a window of the file, scanned once.

A window holds its lines and the visible parts of definitions, its
regions: an expression with the doc block right before it, or a doc block
alone.  A region knows what it shows of its definition (its name when the
opener or doc symbol is in view, whether a window edge cuts it, whether its
data is a value list or a member dict, the items it shows and which of
them the patch changes, the members its doc part describes), which is all
the naming pass and the series need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qapilint.patch import FileDiff, Hunk
from qapilint.rebuild.scan import DIRECTIVES, DocPiece, ExprPiece, Line, Scan, Val, scan, symbol_of

_SECTION_OPENER = re.compile(r"'(struct|union|alternate|enum|command|event)'\s*:\s*'([^']+)'")
_COMMAND_KEYS = frozenset({"returns", "allow-oob", "allow-preconfig", "success-response", "coroutine"})
_DESCRIBED = re.compile(r"^\s*#\s?@([^\s:]+):")
# Keys of a definition or of a member's dict that are not members.
_STRUCTURE = frozenset({"data", "base", "type", "features", "if", "returns", "discriminator", "name",
                        "struct", "union", "alternate", "enum", "command", "event", "boxed", "prefix",
                        "gen", "success-response", "allow-oob", "allow-preconfig", "coroutine"})


def section_name(section: str) -> str | None:
    """The definition the hunk header's section text names (an opener or a doc symbol), if any."""
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


@dataclass(slots=True, eq=False)
class Region:
    """One visible part of one definition in one window."""

    window: Window
    expr: ExprPiece | None
    doc: DocPiece | None
    own: str | None                 # its name, in view (opener or doc symbol)
    meta: str                       # the opener's kind ('' when out of view)
    head: bool                      # the window starts inside it
    values: frozenset[str]          # the enum values it shows
    members: frozenset[str]         # the members / branches it shows
    items: frozenset[str]           # both
    described: frozenset[str]       # the @names its doc part describes
    changed: frozenset[str]         # the items it shows on lines the patch changes (this side's '+' or '-')
    first: int                      # its first and last file lines
    last: int
    anchor: int                     # the file line that shows its name (0 when out of view)
    # Set by the naming pass:
    name: str = ""
    key: str = ""                   # the name in its schema's namespace (the side's definition key)
    why: str = ""                   # the evidence that named it ('' for in view)
    meta_hint: str = ""             # its kind, when only the evidence shows it
    lead: str = ""                  # what the previous hunk ended inside, when nothing else agrees

    def window_index(self, no: int) -> int:
        return no - self.window.lines[0].no

    @property
    def inferred(self) -> str:
        """The kind the keys it shows imply ('' when they do not tell)."""
        if self.expr is None:
            return ""
        keys = {k for k, _v in self.expr.root.entries}
        if "discriminator" in keys:
            return "union"
        if keys & _COMMAND_KEYS:
            return "command"
        return ""


@dataclass(slots=True, eq=False)
class Window:
    path: str
    side: str                       # '-' (pre-image) or '+' (post-image)
    hunk: int                       # index of the hunk in its file
    section: str                    # the hunk header's section text
    lines: list[Line]
    regions: list[Region] = field(default_factory=list)
    end: Region | None = None       # the region the window ends inside
    too_deep: int | None = None     # file line where nesting went past what is read


def file_windows(fd: FileDiff) -> list[dict[str, Window]]:
    """The windows of each hunk of ``fd``, by side, scanned once."""
    whole = fd.status in ("added", "deleted")
    absent = "-" if fd.status == "added" else "+" if fd.status == "deleted" else ""
    out: list[dict[str, Window]] = []
    for hi, h in enumerate(fd.hunks):
        sides: dict[str, Window] = {}
        for side in ("-", "+"):
            if side == absent:
                continue
            lines = hunk_side(h, side)
            if not lines:
                continue
            start = h.old_start if side == "-" else h.new_start
            path = (fd.old_path or fd.path) if side == "-" else fd.path
            win = Window(path, side, hi, h.section, lines)
            _fill(win, scan(lines, at_file_start=whole or start <= 1, at_file_end=whole))
            sides[side] = win
        out.append(sides)
    return out


def _fill(win: Window, sc: Scan) -> None:
    if sc.too_deep is not None:
        win.too_deep = win.lines[sc.too_deep].no
    # Changed lines up to each line index (prefix counts): whether an item's lines are
    # changed is then one subtraction.
    upto = [0]
    for ln in win.lines:
        upto.append(upto[-1] + (ln.kind != " "))
    by_piece: dict[int, Region] = {}
    for e in sc.exprs:
        if e.meta in DIRECTIVES or (not e.name and _pragma_body(e, win.path)):
            continue
        r = _region(win, e, e.doc, upto)
        by_piece[id(e)] = r
        if e.doc is not None:
            by_piece[id(e.doc)] = r
    for d in sc.docs:
        if id(d) in by_piece or (not d.symbol and not d.head_cut):
            continue        # attached to its expression, or a free-form block (section heading)
        by_piece[id(d)] = _region(win, None, d, upto)
    win.regions = sorted({id(r): r for r in by_piece.values()}.values(), key=lambda r: r.first)
    end: ExprPiece | DocPiece | None = sc.end_expr if sc.end_state == "expr" else (
        sc.end_doc if sc.end_state == "doc" else None)
    win.end = by_piece.get(id(end)) if end is not None else None
    if win.end is None and win.regions and win.regions[-1].expr is None and not any(
            ln.text.strip() for ln in win.lines[win.regions[-1].window_index(win.regions[-1].last) + 1:]):
        # A doc block closed at the window's end: its definition's opener comes right after.
        win.end = win.regions[-1]


def _region(win: Window, e: ExprPiece | None, d: DocPiece | None, upto: list[int]) -> Region:
    lines = win.lines
    own = (e.name if e is not None else None) or (d.symbol if d is not None else None)
    head = (e is not None and e.root.head_cut) or (d is not None and d.head_cut and own is None)
    values: set[str] = set()
    members: set[str] = set()
    changed: set[str] = set()
    if e is not None:
        _items(e.root, values, members, upto, changed)
    anchor = 0
    named = e.root.get(e.meta) if e is not None and e.name and e.meta else None
    if named is not None:
        anchor = lines[named.line].no
    elif d is not None and d.symbol_line is not None:
        anchor = lines[d.symbol_line].no
    described: set[str] = set()
    first, last = len(lines), -1
    if d is not None:
        for i in d.content:
            m = _DESCRIBED.match(lines[i].text)
            if m:
                described.add(m.group(1))
        first, last = d.start, d.end
    if e is not None:
        first, last = min(first, e.root.line), max(last, e.root.end)
    return Region(window=win, expr=e, doc=d, own=own, meta=(e.meta or "") if e is not None else "",
                  head=head, values=_frozen(values), members=_frozen(members),
                  items=_frozen(values | members) if values and members else _frozen(values or members),
                  described=_frozen(described), changed=_frozen(changed),
                  first=lines[first].no, last=lines[last].no, anchor=anchor)


_EMPTY: frozenset[str] = frozenset()


def _frozen(s: set[str]) -> frozenset[str]:
    return frozenset(s) if s else _EMPTY


def _items(root: Val, values: set[str], members: set[str], upto: list[int], changed: set[str]) -> None:
    """Values and members (branches count as members) an expression shows; into ``changed``
    those of them on a line the patch changes (``upto``: changed lines before each line index)."""
    last = len(upto) - 2

    def hit(first: int, v: Val) -> bool:
        end = v.end if v.end >= 0 else (last if v.kind in ("dict", "list") else v.line)
        return upto[end + 1] > upto[first]

    todo = [root]
    while todo:
        v = todo.pop()
        if v.kind == "dict":
            for k, c in v.entries:
                if k is None or k in ("data", "base"):
                    todo.append(c)
                elif k not in _STRUCTURE:
                    name = k[1:] if k.startswith("*") else k
                    members.add(name)
                    if hit(c.key_line if c.key_line is not None else c.line, c):
                        changed.add(name)
        elif v.kind == "list":
            for it in v.items:
                if it.kind == "str" and isinstance(it.value, str):
                    values.add(it.value)
                    if upto[it.line + 1] > upto[it.line]:
                        changed.add(it.value)
                elif it.kind == "dict":
                    n = it.get("name")
                    if n is not None and isinstance(n.value, str):
                        values.add(n.value)
                        if hit(it.line, it):
                            changed.add(n.value)


def _pragma_body(e: ExprPiece, path: str) -> bool:
    """A cut window inside a ``{ 'pragma': ... }`` directive (its lists name types, they are not values)."""
    if not e.root.head_cut:
        return False
    if path.rsplit("/", 1)[-1] == "pragma.json":
        return True
    keys = {k for k, _v in e.root.entries if k}
    return any(k.endswith("-exceptions") or k == "doc-required" for k in keys)
