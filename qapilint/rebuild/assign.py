"""The naming pass of the hunk-only rebuild: which definition each visible region belongs to.

Regions whose opener or doc symbol is in view are named by it.  The others
(a window that starts inside a definition) are named in one pass over each
file's hunks, in file order with both sides in step, by the evidence there
is, strongest first:

* the series: another patch of the series shows these very lines inside a
  definition (line numbers carried across the patches in between, and the
  text checked);
* the hunk header's section text, when git printed an opener there;
* what the previous hunk of the file ended inside, when the two parts
  agree on something (the doc block above describes a member the region
  shows or changes, or the region's doc part describes one the definition
  was seen with);
* the C hunks (``naming.Namer``), for the items the region adds or
  removes, else, for a value list, the values it only changes.

A name is taken only when it fits everything the patch shows of that
definition: a value list is no struct's, a member dict no enum's, a
definition seen whole has no cut parts elsewhere, and no member or value
is in one definition twice.  Otherwise the region belongs to "the
definition around hunk N" (``?path#N``), which the parts of later hunks that
continue it join, and which the C hunks may still name as a whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from qapilint.patch import Patch
from qapilint.rebuild.detect import def_key, schema_group
from qapilint.rebuild.naming import Namer
from qapilint.rebuild.window import Region, Window, anonymous_name, section_meta, section_name


class Evidence(Protocol):
    """What the other patches of a series say about a region (``series.SeriesEvidence``)."""

    def name(self, r: Region) -> tuple[str, str, int] | None: ...
    """(name, which patch showed it, the line here that shows the name)"""

    def keeps(self, r: Region, line: int) -> bool: ...
    """Whether the patch leaves that line of ``r``'s side as it is (the name is the same on the other side)."""

    def kind(self, name: str) -> str: ...


@dataclass(slots=True)
class Known:
    """What the patch shows of one definition on one side."""

    values: set[str] = field(default_factory=set)
    members: set[str] = field(default_factory=set)
    described: set[str] = field(default_factory=set)
    exprs: bool = False                 # some part shows its expression
    docs: bool = False                  # ... its doc block
    whole_expr: bool = False            # its expression is in view from opener to end
    whole_doc: bool = False
    kinds: set[str] = field(default_factory=set)     # kinds its keys imply
    leads: set[str] = field(default_factory=set)     # what hunks before its parts ended inside
    regions: list[Region] = field(default_factory=list)


class Ledger:
    """Everything the patch shows of each definition (by key), per side: what a name must fit."""

    def __init__(self, namer: Namer | None, evidence: Evidence | None) -> None:
        self.known: dict[str, dict[str, Known]] = {"-": {}, "+": {}}
        self.meta: dict[str, str] = {}
        self.namer = namer
        self.evidence = evidence

    def add(self, key: str, r: Region) -> None:
        side = r.window.side
        k = self.known[side].get(key)
        if k is None:
            k = self.known[side][key] = Known()
        k.values |= r.values
        k.members |= r.members
        k.described |= r.described
        k.regions.append(r)
        if r.expr is not None:
            k.exprs = True
            k.whole_expr = k.whole_expr or not r.expr.root.cut
        if r.doc is not None:
            k.docs = True
            k.whole_doc = k.whole_doc or not (r.doc.head_cut or r.doc.tail_cut)
        if r.inferred:
            k.kinds.add(r.inferred)
        if r.lead:
            k.leads.add(r.lead)
        if r.meta:
            self.meta.setdefault(key, r.meta)

    def kind(self, key: str, name: str) -> str:
        got = self.meta.get(key, "")
        if not got and self.namer is not None:
            got = self.namer.kinds.get(name, "")
        if not got and self.evidence is not None and not _is_anonymous(name):
            got = self.evidence.kind(name)
        return got

    def fits(self, key: str, name: str, r: Region, claimed: str = "") -> bool:
        """Whether region ``r`` can be part of definition ``key`` (of kind ``claimed``, when the
        evidence naming it says) given what else the patch shows."""
        part = Known(values=set(r.values), members=set(r.members), described=set(r.described),
                     exprs=r.expr is not None, docs=r.doc is not None, kinds={r.inferred} - {""})
        return self._fits(key, name, r.window.side, part, claimed)

    def group_fits(self, old: str, new: str, name: str) -> bool:
        """Whether all that is known of definition ``old`` can be part of ``new``."""
        return all(self._fits(new, name, side, known[old], "") for side, known in self.known.items() if old in known)

    def _fits(self, key: str, name: str, side: str, part: Known, claimed: str) -> bool:
        kind = self.kind(key, name) or claimed
        shape = _shape(part)
        if kind and ((shape == "values" and kind != "enum") or (shape == "members" and kind == "enum")
                     or any(x != kind for x in part.kinds)):
            return False
        for known in self.known.values():
            k = known.get(key)
            if k is not None and shape and _shape(k) not in ("", shape):
                return False
        k = self.known[side].get(key)
        if k is None:
            return True
        if (part.exprs and k.whole_expr) or (part.docs and k.whole_doc):
            return False        # seen whole elsewhere: it has no parts out of view
        # A member, value or member description is in a definition once.
        return not ((part.values | part.members) & (k.values | k.members) or part.described & k.described)

    def agrees(self, key: str, r: Region) -> bool:
        """Whether ``r`` and what is known of ``key`` share something a doc block ties to its data."""
        k = self.known[r.window.side].get(key)
        if k is None:
            return False
        return bool(r.items & k.described or r.described & (k.values | k.members))

    def move(self, old: str, new: str) -> None:
        for known in self.known.values():
            k = known.pop(old, None)
            if k is None:
                continue
            into = known.get(new)
            if into is None:
                known[new] = k
                continue
            into.values |= k.values
            into.members |= k.members
            into.described |= k.described
            into.exprs, into.docs = into.exprs or k.exprs, into.docs or k.docs
            into.whole_expr, into.whole_doc = into.whole_expr or k.whole_expr, into.whole_doc or k.whole_doc
            into.kinds |= k.kinds
            into.leads |= k.leads
            into.regions.extend(k.regions)


def _shape(k: Known) -> str:
    if k.values and not k.members:
        return "values"
    return "members" if k.members and not k.values else ""


def _continues(prev: Region | None, head: Region) -> bool:
    """Whether the previous window ended inside something this window can start inside."""
    if prev is None or not prev.name:
        return False
    # An expression does not go on as a doc block; a doc block goes on, or leads to its expression.
    return prev.expr is None or head.expr is not None


class Pass:
    """The naming pass over the files of one patch."""

    def __init__(self, patch: Patch | None, evidence: Evidence | None = None) -> None:
        namer = Namer(patch) if patch is not None else None
        self.ledger = Ledger(namer, evidence)
        self.namer = namer
        self.evidence = evidence
        self._group: dict[str, str] = {}         # key -> schema group of its file
        self._asked: dict[str, int] = {}         # anonymous key -> parts it had when the C hunks said nothing

    def run(self, paths: list[tuple[str, list[dict[str, Window]]]]) -> None:
        """Name every region of the files ((path, windows by hunk and side) each)."""
        files = [(schema_group(path), windows) for path, windows in paths]
        # First what is in view everywhere: later hunks' openers rule names out as well.
        for group, windows in files:
            for r in _regions(windows):
                if r.own is not None:
                    r.name, r.key = r.own, def_key(group, r.own)
                    self.ledger.add(r.key, r)
        if self.namer is not None:
            self.namer.learn({r.own for _g, windows in files for r in _regions(windows) if r.own is not None})
        for group, windows in files:
            self._file(group, windows)
        self._name_anonymous()

    def _file(self, group: str, windows: list[dict[str, Window]]) -> None:
        prev: dict[str, Region | None] = {"-": None, "+": None}
        for hi, sides in enumerate(windows):
            heads = {s: w.regions[0] for s, w in sides.items()
                     if w.regions and w.regions[0].head and w.regions[0].own is None}
            if heads:
                self._heads(group, hi, heads, prev)
            for s, w in sides.items():
                for r in w.regions:
                    if not r.name:
                        # Neither in view nor the window's start (an opener whose name is past the edge).
                        self._take(group, [r], anonymous_name(w.path, hi + 1), "", "")
                first = w.regions[0] if w.regions else None
                p = prev[s]
                if (first is not None and first.own is not None and first.doc is not None and first.doc.head_cut
                        and p is not None and p.expr is None and _is_anonymous(p.name)):
                    # The doc block the previous hunk ended inside leads to an opener here.
                    self._join(group, p.name, first)
            for s in ("-", "+"):
                got = sides.get(s)
                prev[s] = got.end if got is not None else None

    def _heads(self, group: str, hi: int, heads: dict[str, Region], prev: dict[str, Region | None]) -> None:
        """Name the region(s) a hunk starts inside: the same definition on both sides."""
        regions = list(heads.values())
        win = regions[-1].window
        ledger = self.ledger

        def fits(name: str, claimed: str = "") -> bool:
            key = def_key(group, name)
            return all(ledger.fits(key, name, r, claimed) for r in regions)

        if self.evidence is not None:
            found = {s: self.evidence.name(r) for s, r in heads.items()}
            shown = {g[0] for g in found.values() if g is not None}
            if len(shown) == 1:
                name = shown.pop()
                key = def_key(group, name)
                r0, g0 = next((heads[s], g) for s, g in found.items() if g is not None)
                for s, r in list(heads.items()):
                    g = found[s]
                    # The other side is the same definition (the hunk starts at one place in
                    # both), under the same name unless this patch changes the line showing it.
                    if g is None and not self.evidence.keeps(r0, g0[2]):
                        continue
                    if ledger.fits(key, name, r):
                        self._take(group, [r], name, f"series:{(g or g0)[1]}", ledger.kind(key, name))
                        del heads[s]
                if not heads:
                    return
                regions = list(heads.values())
        sec = section_name(win.section)
        if sec is not None and fits(sec, section_meta(win.section)):
            self._take(group, regions, sec, "section", section_meta(win.section))
            return
        carried = {prev[s].name for s, r in heads.items() if _continues(prev[s], r)}  # type: ignore[union-attr]
        carry = carried.pop() if len(carried) == 1 else None
        carry_key = def_key(group, carry) if carry is not None else ""
        agreed = carry is not None and fits(carry) and any(ledger.agrees(carry_key, r) for r in regions)
        if carry is not None and agreed and not _is_anonymous(carry):
            self._take(group, regions, carry, "carry", "")
            return
        lead = carry if carry is not None and not agreed and not _is_anonymous(carry) and fits(carry) else None
        for r in regions:
            r.lead = lead or ""
        leads = {lead} if lead else set()
        if carry is not None and agreed:
            # The parts this one continues were placed by what came before them.
            leads |= {x for known in ledger.known.values() if carry_key in known for x in known[carry_key].leads}
        hint = self._hint(group, regions, fits, frozenset(leads))
        if hint is not None:
            name, why = hint
            if (carry is not None and agreed and _is_anonymous(carry)
                    and self.ledger.group_fits(carry_key, def_key(group, name), name)):
                # What the previous hunk ended inside continues here, so it is the named one too.
                self._rename(group, carry, name, why)
            self._take(group, regions, name, f"c:{why}", self.namer.kinds.get(name, "") if self.namer else "")
            return
        if carry is not None and agreed:
            self._take(group, regions, carry, "carry", "")
            return
        anon = anonymous_name(win.path, hi + 1)
        self._take(group, regions, anon, "", "")
        self._asked[def_key(group, anon)] = len(regions)

    def _hint(self, group: str, regions: list[Region], fits: object, leads: frozenset[str]) -> tuple[str, str] | None:
        """The C hunks' name for the items the regions add or remove."""
        if self.namer is None:
            return None
        assert callable(fits)
        return _ask(self.namer, regions, lambda name: not fits(name), leads)

    def _take(self, group: str, regions: Iterable[Region], name: str, why: str, meta_hint: str) -> None:
        key = def_key(group, name)
        self._group[key] = group
        for r in regions:
            r.name, r.key, r.why, r.meta_hint = name, key, why, meta_hint
            self.ledger.add(key, r)

    def _join(self, group: str, anon: str, r: Region) -> None:
        """Name anonymous definition ``anon`` after region ``r``, which continues it, when they agree."""
        assert r.own is not None
        key, new_key = def_key(group, anon), def_key(group, r.own)
        if not self.ledger.agrees(key, r) or not self.ledger.group_fits(key, new_key, r.own):
            return
        self._rename(group, anon, r.own, "")

    def _rename(self, group: str, old: str, new: str, why: str) -> None:
        old_key, new_key = def_key(group, old), def_key(group, new)
        for known in self.ledger.known.values():
            k = known.get(old_key)
            if k is not None:
                for r in k.regions:
                    r.name, r.key, r.why = new, new_key, (f"c:{why}" if why else "")
        self.ledger.move(old_key, new_key)
        self._group[new_key] = group

    def _name_anonymous(self) -> None:
        """Name each definition still out of view from what all its parts change, where the C hunks tell."""
        if self.namer is None:
            return
        anon = sorted({k for known in self.ledger.known.values() for k in known if _is_anonymous(k)})
        for key in anon:
            parts = [r for known in self.ledger.known.values() if key in known for r in known[key].regions]
            if not parts or self._asked.get(key) == len(parts):
                continue        # asked already about these very parts
            group = self._group.get(key, "")

            def excluded(name: str, group: str = group, key: str = key) -> bool:
                return not self.ledger.group_fits(key, def_key(group, name), name)
            leads = frozenset(x for known in self.ledger.known.values() if key in known for x in known[key].leads)
            got = _ask(self.namer, parts, excluded, leads)
            if got is None:
                continue
            name, why = got
            self._rename(group, parts[0].name, name, why)
            for r in parts:
                r.meta_hint = r.meta_hint or self.namer.kinds.get(name, "")


def _ask(namer: Namer, parts: list[Region], excluded: Callable[[str], bool],
         leads: frozenset[str]) -> tuple[str, str] | None:
    """The C hunks' name for a definition from the items its parts add or remove, else (a value
    list) from the values they only change."""
    values, members = _net_changes(parts)
    got = None
    if values["+"] or values["-"] or members:
        got = namer.name(values, members, excluded, leads, frozenset().union(*(r.items for r in parts)))
    if got is not None or members or any(r.members for r in parts):
        return got
    changed = set().union(*(r.changed for r in parts)) - values["+"] - values["-"]
    if not changed:
        return None
    return namer.name_changed(changed, excluded, leads, frozenset().union(*(r.items for r in parts)))


def _net_changes(parts: list[Region]) -> tuple[dict[str, set[str]], set[str]]:
    """(values only after '+' / only before '-', members on one side only) of a definition's parts."""
    seen: dict[str, dict[str, set[str]]] = {s: {"values": set(), "members": set()} for s in ("-", "+")}
    for r in parts:
        seen[r.window.side]["values"] |= r.values
        seen[r.window.side]["members"] |= r.members
    b, a = seen["-"], seen["+"]
    return ({"+": a["values"] - b["values"], "-": b["values"] - a["values"]},
            a["members"] ^ b["members"])


def _is_anonymous(key: str) -> bool:
    return key.rpartition("::")[2].startswith("?")


def _regions(windows: list[dict[str, Window]]) -> Iterable[Region]:
    for sides in windows:
        for s in ("-", "+"):
            w = sides.get(s)
            if w is not None:
                yield from w.regions


def naming_note(path: str, name: str, why: str) -> str:
    return f"{path}: a definition whose name is out of view is taken to be {name} ({why} in the C hunks)"


def series_note(path: str, name: str, label: str) -> str:
    return f"{path}: a definition whose name is out of view is taken to be {name} ({label} of the series shows it)"


def pass_notes(files: list[tuple[str, list[dict[str, Window]]]]) -> list[str]:
    """Notes on the names the evidence gave, one per file and name."""
    notes: list[str] = []
    for _path, windows in files:
        for r in _regions(windows):
            if r.why.startswith("c:"):
                n = naming_note(r.window.path, r.name, r.why[2:])
            elif r.why.startswith("series:"):
                n = series_note(r.window.path, r.name, r.why[7:])
            else:
                continue
            if n not in notes:
                notes.append(n)
    return notes
