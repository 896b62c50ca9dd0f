"""The ChangeSet: what a patch changes, definition by definition.

``diff_states`` compares two views of the schema.  With a complete view
(tree mode) any difference is a change.  With partial definitions
(hunk-only mode) a part seen on one side only counts as added or removed
only when its own line is a ``+`` or ``-`` line: otherwise it was merely out
of view on the other side.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from qapilint.changes.docdiff import doc_changes, section_text
from qapilint.changes.items import Item, features_of, inherited_from, parts, scalars, show
from qapilint.changes.model import Change, Definition, FileRebuild, PatchChanges, SchemaState
from qapilint.patch import Patch, Series
from qapilint.qapi.exprs import ParsedSchema
from qapilint.rebuild import Evidence, Rebuild, RebuildCache, TreeReader, rebuild
from qapilint.rebuild import series_evidence as evidence_of
from qapilint.rebuild.views import Loc, SideView

_WHAT = {"if": "if", "base": "base", "discriminator": "discriminator", "data": "data",
         "boxed": "boxed", "returns": "returns"}


class _Ctx:
    def __init__(self, key: str, before: SideView, after: SideView, b: Definition | None,
                 a: Definition | None, hunk_mode: bool) -> None:
        self.key = key
        self.bv, self.av = before, after
        self.b, self.a = b, a
        d = a if a is not None else b
        assert d is not None
        self.name = d.name
        self.meta = (a.meta if a is not None and a.meta else (b.meta if b is not None else "")) or ""
        self.file = d.file
        self.partial = bool((a is not None and a.partial) or (b is not None and b.partial))
        self.b_cut = hunk_mode and key in before.data_partial
        self.a_cut = hunk_mode and key in after.data_partial
        self.hunk_mode = hunk_mode
        self.out: list[Change] = []

    def loc(self, side: str, path: tuple[str, ...]) -> Loc | None:
        view = self.av if side == "+" else self.bv
        while True:
            got = view.locs.get((self.key, path))
            if got is not None or not path:
                return got
            path = path[:-1]

    def visible_change(self, side: str, path: tuple[str, ...], item: bool = True) -> bool:
        """Whether a part seen on one side only is a real addition/removal.

        It is when the other side's definition was seen whole (so the part
        is truly absent there), or when its own line is a ``+``/``-`` line.
        A definition seen whole on this side but cut on the other was written
        out anew (moved, or rewritten around a cut), so its lines' kinds say
        nothing about which of its ``item``s the other side's unseen part holds.
        """
        if not (self.b_cut if side == "+" else self.a_cut):
            return True
        if item and not (self.a_cut if side == "+" else self.b_cut):
            return False
        lc = self.bv.locs.get((self.key, path)) if side == "-" else self.av.locs.get((self.key, path))
        return lc is not None and lc.kind == side

    def emit(self, op: str, what: str, name: str | None, path: tuple[str, ...], *,
             before: object = None, after: object = None, detail: str = "", doc: str | None = None) -> None:
        la, lb = self.loc("+", path), self.loc("-", path)
        if op == "removed":
            at = lb or la
        elif la is not None and la.kind == "+":
            at = la
        elif lb is not None and lb.kind == "-":
            at = lb
        else:
            at = la or lb
        exact = [self.av.locs.get((self.key, path)) if op != "removed" else None,
                 self.bv.locs.get((self.key, path)) if op != "added" else None]
        plines = sorted({x.patch_line for x in exact if x is not None and x.kind != " " and x.patch_line})
        if not plines and at is not None and at.patch_line:
            plines = [at.patch_line]
        self.out.append(Change(op=op, what=what, definition=self.name, name=name,  # type: ignore[arg-type]
                               meta=self.meta, partial=self.partial,
                               file=at.file if at is not None else self.file,
                               line=at.line if at is not None else None, patch_lines=plines,
                               before=before, after=after, detail=detail, doc=doc))


def _member_doc(d: Definition | None, name: str) -> str | None:
    if d is None or d.doc is None:
        return None
    for s in d.doc.sections:
        if s.kind in ("member", "feature") and s.name == name:
            return section_text(s)
    return None


def _type_str(it: Item) -> str:
    return f"{show(it.type)}" + (" (optional)" if it.optional else "")


def _inherited(defs: dict[str, Definition], d: Definition | None, name: str) -> tuple[str, Item] | None:
    """The definition ``d`` inherits member ``name`` from, with the member."""
    for x in inherited_from(d, defs) if d is not None else ():
        it = parts(x.meta, x.data)["member"].get(name)
        if it is not None:
            return x.name, it
    return None


def _moved(c: _Ctx, what: str, name: str, it: Item, side: str) -> bool:
    """A member that left ``c``'s own data for a type it inherits from (or came down
    from one) is still there for clients; say it moved.

    In hunk mode a member may also have gone into the part of such a type
    that is out of view: that is no removal (or addition) to claim either.
    """
    if what != "member":
        return False
    view = c.av if side == "-" else c.bv
    defs, d = view.definitions, (c.a if side == "-" else c.b)
    got = _inherited(defs, d, name)
    if got is None:
        # (inherited_from finds types by their key, which is their name.)
        return c.hunk_mode and d is not None and any(x.name in view.data_partial for x in inherited_from(d, defs))
    holder, other = got
    same = other.type == it.type and other.optional == it.optional
    moved = f"moved into '{holder}'" if side == "-" else f"moved here from '{holder}'"
    old, new = (it, other) if side == "-" else (other, it)
    c.emit("changed", "member", name, it.path, before=old.type, after=new.type,
           detail=moved + ("" if same else f", {_type_str(old)} -> {_type_str(new)}"))
    return True


def _items(c: _Ctx, what: str, bi: dict[str, Item], ai: dict[str, Item]) -> None:
    for name, it in ai.items():
        if name in bi or _moved(c, what, name, it, "+"):
            continue
        if c.visible_change("+", it.path):
            c.emit("added", what, name, it.path, after=it.type if what != "value" else None,
                   detail=_type_str(it) if what != "value" else "", doc=_member_doc(c.a, name))
    for name, it in bi.items():
        if name in ai or _moved(c, what, name, it, "-"):
            continue
        if c.visible_change("-", it.path):
            c.emit("removed", what, name, it.path, before=it.type if what != "value" else None,
                   detail=_type_str(it) if what != "value" else "")
    for name, new in ai.items():
        old = bi.get(name)
        if old is None:
            continue
        if what != "value" and old.type != new.type:
            c.emit("changed", "type", name, new.path + ("type",), before=old.type, after=new.type,
                   detail=f"{show(old.type)} -> {show(new.type)}")
        if old.optional != new.optional:
            c.emit("changed", "optional", name, new.path, before=old.optional, after=new.optional,
                   detail="optional -> mandatory" if old.optional else "mandatory -> optional")
        if old.cond != new.cond:
            _scalar(c, "if", name, new.path + ("if",), old.cond, new.cond, on=f"{what} '{name}'")
        _features(c, old.features, new.features, new.path, f"{what} '{name}'")


def _features(c: _Ctx, bf: dict[str, object], af: dict[str, object], path: tuple[str, ...], on: str) -> None:
    for f in af:
        if f not in bf and c.visible_change("+", path + ("features", f)):
            c.emit("added", "feature", f, path + ("features", f), detail=f"on {on}" if on else "",
                   doc=_member_doc(c.a, f) if not on else None)
    for f in bf:
        if f not in af and c.visible_change("-", path + ("features", f)):
            c.emit("removed", "feature", f, path + ("features", f), detail=f"on {on}" if on else "")
    for f in af:
        if f in bf and af[f] != bf[f]:
            _scalar(c, "if", f, path + ("features", f, "if"), bf[f], af[f], on=f"feature '{f}'")


def _scalar(c: _Ctx, what: str, name: str | None, path: tuple[str, ...], old: object, new: object,
            on: str = "") -> None:
    suffix = f" on {on}" if on else ""
    if old is None:
        if c.visible_change("+", path, item=False):
            c.emit("added", what, name, path, after=new, detail=show(new) + suffix)
    elif new is None:
        if c.visible_change("-", path, item=False):
            c.emit("removed", what, name, path, before=old, detail=show(old) + suffix)
    else:
        c.emit("changed", what, name, path, before=old, after=new, detail=f"{show(old)} -> {show(new)}{suffix}")


def _definition_changes(c: _Ctx) -> None:
    a, b = c.a, c.b
    if a is None or b is None:
        return
    if a.meta and b.meta and a.meta != b.meta:
        c.emit("changed", "definition", None, (), before=b.meta, after=a.meta, detail=f"{b.meta} -> {a.meta}")
    if a.file and b.file and a.file != b.file:
        c.emit("changed", "definition", None, (), before=b.file, after=a.file,
               detail=f"moved from {b.file} to {a.file}")
    meta = c.meta
    bp, ap = parts(b.meta or meta, b.data), parts(a.meta or meta, a.data)
    for what in ("member", "value", "branch"):
        _items(c, what, bp[what], ap[what])
    _features(c, {k: v.cond for k, v in features_of(b.data).items()},
              {k: v.cond for k, v in features_of(a.data).items()}, (), "")
    bs, as_ = scalars(b.meta or meta, b.data), scalars(a.meta or meta, a.data)
    for k in dict.fromkeys([*bs, *as_]):
        old, new = bs.get(k), as_.get(k)
        if old == new:
            continue
        if k.startswith("flag:"):
            _scalar(c, "flag", k[5:], (k[5:],), old, new)
        else:
            _scalar(c, _WHAT[k], None, (k,), old, new)
    c.out.extend(doc_changes(c.key, c.name, c.meta, c.partial, b, a, c.bv, c.av, c.hunk_mode))


def _whole(c: _Ctx, side: str) -> bool:
    """In hunk mode: whether a definition seen on one side only was itself added/removed there."""
    if not c.hunk_mode:
        return True
    view = c.av if side == "+" else c.bv
    for path in ((), ("#doc",)):
        lc = view.locs.get((c.key, path))
        if lc is not None:
            return lc.kind == side
    return False


def diff_views(before: SideView, after: SideView, hunk_mode: bool) -> list[Change]:
    out: list[Change] = []
    keys = list(dict.fromkeys([*before.definitions, *after.definitions]))
    for key in keys:
        b, a = before.definitions.get(key), after.definitions.get(key)
        if b is a:
            continue            # the same parsed object: the file did not change
        c = _Ctx(key, before, after, b, a, hunk_mode)
        if b is None and a is not None:
            if _whole(c, "+"):
                c.emit("added", "definition", None, (), after=a.data,
                       doc=section_text(a.doc.sections[0]) if a.doc and a.doc.sections else None)
            else:
                c.b = Definition(name=a.name, meta=a.meta, data={}, info=a.info, partial=True, file=a.file)
                c.b_cut = True
                _definition_changes(c)
        elif a is None and b is not None:
            if _whole(c, "-"):
                c.emit("removed", "definition", None, (), before=b.data)
            else:
                c.a = Definition(name=b.name, meta=b.meta, data={}, info=b.info, partial=True, file=b.file)
                c.a_cut = True
                _definition_changes(c)
        else:
            _definition_changes(c)
        out.extend(c.out)
    return out


def diff_states(before: SchemaState, after: SchemaState, before_view: SideView | None = None,
                after_view: SideView | None = None) -> list[Change]:
    """Changes between two schema states.

    The views carry where each part is (for patch lines) and which
    definitions were cut; without them the states are compared as complete.
    """
    bv = before_view or SideView(definitions=before.definitions)
    av = after_view or SideView(definitions=after.definitions)
    hunk_mode = not (before.complete and after.complete)
    return diff_views(bv, av, hunk_mode)


def sort_changes(changes: Iterable[Change]) -> list[Change]:
    return sorted(changes, key=lambda ch: (ch.file, ch.line if ch.line is not None else 0))


def _state(view: SideView | None, extra: SideView, complete: bool, parsed: ParsedSchema | None) -> SchemaState:
    defs = dict(view.definitions) if view is not None else {}
    defs.update(extra.definitions)
    return SchemaState(definitions=defs, complete=complete, parsed=parsed)


def _for_patch(patch: Patch, tree: str | TreeReader | None, base: str | None, cache: RebuildCache | None,
               overlay: dict[str, str | None] | None, want_schema: bool,
               evidence: Evidence | None = None) -> tuple[PatchChanges, Rebuild]:
    rb = rebuild(patch, tree, base, cache, overlay, want_schema, evidence=evidence)
    changes: list[Change] = []
    if rb.tree_before is not None and rb.tree_after is not None:
        changes.extend(diff_views(rb.tree_before, rb.tree_after, hunk_mode=False))
    changes.extend(diff_views(rb.hunk_before, rb.hunk_after, hunk_mode=True))
    pc = PatchChanges(patch_id=patch.id, subject=patch.subject or patch.title, files=rb.files,
                      changes=sort_changes(changes),
                      before=_state(rb.tree_before, rb.hunk_before, rb.complete, rb.parsed_before),
                      after=_state(rb.tree_after, rb.hunk_after, rb.complete, rb.parsed_after),
                      notes=list(patch.notes) + rb.notes, refused=list(rb.refused))
    return pc, rb


def changes_for_patch(patch: Patch, tree: str | TreeReader | None = None, base: str | None = None,
                      cache: RebuildCache | None = None, overlay: dict[str, str | None] | None = None,
                      want_schema: bool = False) -> PatchChanges:
    """What ``patch`` changes; with ``tree`` (a directory, optionally at git revision ``base``) exactly."""
    return _for_patch(patch, tree, base, cache, overlay, want_schema)[0]


def _change_key(c: Change) -> tuple[str, str, str | None, str]:
    return (c.what, c.definition, c.name, c.detail if c.what in ("feature", "if") else "")


def cumulative(entries: list[PatchChanges], series_id: str | None, subject: str) -> PatchChanges:
    """The whole series' net effect: an addition undone later in the series cancels out."""
    net: dict[tuple[str, str, str | None, str], Change] = {}
    order: list[Change] = []
    for pc in entries:
        for c in pc.changes:
            k = _change_key(c)
            prev = net.get(k)
            if prev is not None and {prev.op, c.op} == {"added", "removed"} and prev.op == "added":
                order.remove(prev)
                del net[k]
                continue
            net[k] = c
            order.append(c)
    files: dict[str, FileRebuild] = {}
    for pc in entries:
        for f in pc.files:
            files.setdefault(f.path, f)
    last = entries[-1] if entries else None
    return PatchChanges(patch_id=series_id or "series", subject=subject, files=list(files.values()),
                        changes=order, before=entries[0].before if entries else SchemaState(),
                        after=last.after if last else SchemaState(), cumulative=True)


def iter_changes_for_series(series: Series, tree: str | TreeReader | None = None, base: str | None = None,
                            cache: RebuildCache | None = None, want_schema: bool = False,
                            series_evidence: bool = True) -> Iterator[PatchChanges]:
    """One entry per patch (earlier patches applied first), each made when the caller asks for it.

    A caller that is done with an entry before asking for the next need not
    hold a long series' schemas all at once.  Without a tree, what the other
    patches show in view names the regions of each patch whose name is out
    of view (``series_evidence``); that evidence is read from the patch
    model, so no patch's rebuild is kept for it.
    """
    reader = TreeReader(tree, base) if isinstance(tree, str) else tree
    cache = cache if cache is not None else RebuildCache()
    overlay: dict[str, str | None] = {}
    evidence = None
    if reader is None and series_evidence and len(series.patches) > 1:
        evidence = evidence_of(series.patches)
    for i, p in enumerate(series.patches):
        pc, rb = _for_patch(p, reader, None, cache, overlay, want_schema,
                            evidence=evidence.for_patch(i) if evidence is not None else None)
        overlay.update(rb.patched)
        yield pc


def changes_for_series(series: Series, tree: str | TreeReader | None = None, base: str | None = None,
                       cache: RebuildCache | None = None, want_schema: bool = False,
                       series_evidence: bool = True) -> list[PatchChanges]:
    """One entry per patch (earlier patches applied first), plus a cumulative one for 2+ patches."""
    out = list(iter_changes_for_series(series, tree, base, cache, want_schema, series_evidence))
    if len(out) > 1:
        subject = series.cover.subject if series.cover is not None else f"{len(out)} patches"
        out.append(cumulative(out, series.id, subject))
    return out
