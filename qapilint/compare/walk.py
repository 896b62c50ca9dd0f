"""Compare two whole schemas the way introspection (``query-qmp-schema``) shows them to clients.

Commands and events are matched by name; everything else is matched by
where clients meet it: the old and the new type of the same argument,
return value, member or branch are compared as a pair, whatever their
names, so a type renamed with the same structure is no change.  Objects
are compared member by member with inherited members counted (a member
moved into a base is no change); each change is attributed to the
definition that declares the item, so a change in a base shared by many
types is reported once.

Whether a change breaks clients depends on its direction, taken from the
usage graph of :mod:`qapilint.changes.usage` (the compat rules' graph): in
the send direction (command arguments) clients must keep working without
knowing the new thing; in the receive direction (returns, events) they
ignore what they do not know but rely on what they had.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qapilint.changes.items import Item, features_of, parts, scalars, show, values_of
from qapilint.changes.usage import RECEIVE, SEND
from qapilint.compare.model import Entry, ItemKey
from qapilint.compare.side import ObjView, Side
from qapilint.definitions import Definition
from qapilint.qapi.schema_model import BUILTIN_TYPES

_JSON = dict(BUILTIN_TYPES)
# Alternatives of an alternate are told apart by the JSON type of the value.
_ALT_CLASS = {"string": "string", "int": "number", "number": "number", "boolean": "boolean", "null": "null",
              "value": "value", "enum": "string", "object": "object", "array": "array"}
# Command flags introspection (or the protocol) shows; turning one off breaks its users.
_FLAGS = ("allow-oob", "allow-preconfig", "success-response")

Kind = tuple[str, object]      # ('builtin', json) ('array', element) ('enum'|'object'|'alternate', name) ...


def cond_and(a: object, b: object) -> object:
    if a is None:
        return b
    if b is None or a == b:
        return a
    return {"all": [a, b]}


def implies(a: object, b: object) -> bool:
    """Whether condition ``a`` holding guarantees ``b`` (None: always true); conservative."""
    if b is None or a == b:
        return True
    if a is None:
        return False
    if isinstance(b, dict) and isinstance(b.get("any"), list) and any(implies(a, x) for x in b["any"]):
        return True
    if isinstance(b, dict) and isinstance(b.get("all"), list):
        return all(implies(a, x) for x in b["all"])
    if isinstance(a, dict) and isinstance(a.get("all"), list):
        return any(implies(x, b) for x in a["all"])
    if isinstance(a, dict) and isinstance(a.get("any"), list):
        return all(implies(x, b) for x in a["any"])
    return False


def _features(d: Definition) -> dict[str, object]:
    return {k: v.cond for k, v in features_of(d.data).items()}


def _exempt_name(name: str | None) -> bool:
    return bool(name) and str(name).startswith("x-")


@dataclass
class Holder:
    """The item whose type is being compared (a member, branch, or a command's return)."""

    what: str                   # entry 'what' for a type change: 'type' or 'returns'
    definition: Definition      # new side (old side when only that exists)
    name: str | None
    dirs: set[str]
    exempt: bool
    via: str
    key: ItemKey
    cond: object = None
    on: str | None = None
    deprecated: tuple[bool, bool] = (False, False)


@dataclass
class _Pair:
    old: str
    new: str
    dirs: set[str]
    exempt: bool
    via: str


@dataclass
class Walker:
    old: Side
    new: Side
    entries: dict[tuple[object, ...], Entry] = field(default_factory=dict)
    seen: dict[tuple[str, str], bool] = field(default_factory=dict)     # pair -> reached only exempt
    queue: list[_Pair] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)             # new type name -> old name

    # -- entries

    def add(self, e: Entry, side: Side, d: Definition, *token: str | None) -> None:
        got = self.entries.get(e.ident())
        if got is not None:
            got.breaking |= e.breaking
            got.directions |= e.directions
            got.exempt &= e.exempt
            got.deprecated_old |= e.deprecated_old
            got.deprecated_new |= e.deprecated_new
            return
        e.file, e.line = side.locate(d, *token)
        self.entries[e.ident()] = e

    # -- kinds of types

    def kind(self, side: Side, raw: object) -> Kind:
        if isinstance(raw, list) and len(raw) == 1:
            return ("array", raw[0])
        if isinstance(raw, str):
            if raw in _JSON:
                return ("builtin", _JSON[raw])
            d = side.defs.get(raw)
            if d is not None and d.meta in ("enum", "alternate"):
                return (d.meta, raw)
            if d is not None and d.meta in ("struct", "union"):
                return ("object", raw)
        return ("unknown", show(raw))

    def alt_classes(self, side: Side, d: Definition) -> dict[str, tuple[str, Item]]:
        out: dict[str, tuple[str, Item]] = {}
        for name, it in parts("alternate", d.data)["branch"].items():
            k = self.kind(side, it.type)
            cls = _ALT_CLASS.get(str(k[1]) if k[0] == "builtin" else k[0], "?")
            out.setdefault(cls, (name, it))
        return out

    def widens(self, ko: Kind, kn: Kind) -> bool:
        """Whether every value of the old type is a value of the new one."""
        if kn == ("builtin", "value") or ko == kn:
            return True
        if ko == ("builtin", "int") and kn == ("builtin", "number"):
            return True
        if ko[0] == "enum" and kn == ("builtin", "string"):
            return True
        if kn[0] == "alternate":
            d = self.new.defs[str(kn[1])]
            cls = _ALT_CLASS.get(str(ko[1]) if ko[0] == "builtin" else ko[0])
            hit = self.alt_classes(self.new, d).get(cls or "?")
            return hit is not None and self.widens(ko, self.kind(self.new, hit[1].type))
        return False

    def _describe(self, k: Kind) -> str:
        if k[0] == "builtin":
            return str(k[1])
        if k[0] == "array":
            return "array"
        return f"{k[0]} '{k[1]}'" if k[0] != "unknown" else str(k[1])

    def types(self, o_raw: object, n_raw: object, h: Holder) -> None:
        ko, kn = self.kind(self.old, o_raw), self.kind(self.new, n_raw)
        if ko[0] == kn[0] == "array":
            self.types(ko[1], kn[1], h)
            return
        if ko[0] == kn[0] and ko[0] in ("enum", "object", "alternate"):
            self.queue.append(_Pair(str(ko[1]), str(kn[1]), set(h.dirs), h.exempt, h.via))
            return
        if ko == kn:
            return
        widen, narrow = self.widens(ko, kn), self.widens(kn, ko)
        breaking = (SEND in h.dirs and not widen) or (RECEIVE in h.dirs and not narrow)
        e = Entry("changed", h.what, h.definition.name, h.name, h.definition.meta, on=h.on,
                  detail=f"{self._describe(ko)} -> {self._describe(kn)}", before=show(o_raw), after=show(n_raw),
                  directions=set(h.dirs), cond=h.cond, breaking=breaking, via=h.via, exempt=h.exempt, key=h.key,
                  deprecated_old=h.deprecated[0], deprecated_new=h.deprecated[1])
        self.add(e, self.new, h.definition, h.name if h.what != "returns" else "returns")
        # A type that became an alternate (or left one): compare with the alternative that matches.
        for k_alt, other, old_side in ((kn, ko, False), (ko, kn, True)):
            if k_alt[0] != "alternate" or other[0] not in ("object", "enum"):
                continue
            side = self.old if old_side else self.new
            hit = self.alt_classes(side, side.defs[str(k_alt[1])]).get(_ALT_CLASS[other[0]])
            if hit is None:
                continue
            k_hit = self.kind(side, hit[1].type)
            if k_hit[0] == other[0]:
                pair = (str(k_hit[1]), str(other[1])) if old_side else (str(other[1]), str(k_hit[1]))
                self.queue.append(_Pair(pair[0], pair[1], set(h.dirs), h.exempt, h.via))

    # -- features and conditions of one item

    def flags(self, o_feats: dict[str, object], n_feats: dict[str, object], h: Holder) -> None:
        d = h.definition
        for f in n_feats.keys() - o_feats.keys():
            self.add(self._item_entry("added", "feature", h, f), self.new, d, h.name, f)
        for f in o_feats.keys() - n_feats.keys():
            self.add(self._item_entry("removed", "feature", h, f), self.new, d, h.name)

    def _item_entry(self, op: str, what: str, h: Holder, name: str, **kw: object) -> Entry:
        return Entry(op, what, h.definition.name, name, h.definition.meta, on=h.on,
                     directions=set(h.dirs), cond=h.cond, via=h.via, exempt=h.exempt, key=h.key,
                     deprecated_old=h.deprecated[0], deprecated_new=h.deprecated[1], **kw)  # type: ignore[arg-type]

    def condition(self, old: object, new: object, h: Holder, token: str | None) -> None:
        if old == new:
            return
        op = "added" if old is None else "removed" if new is None else "changed"
        e = Entry(op, "if", h.definition.name, h.name, h.definition.meta, on=h.on,
                  detail=f"{show_cond(old)} -> {show_cond(new)}", before=old, after=new,
                  directions=set(h.dirs), cond=new, breaking=not implies(old, new), via=h.via, exempt=h.exempt,
                  key=h.key, deprecated_old=h.deprecated[0], deprecated_new=h.deprecated[1])
        self.add(e, self.new, h.definition, token)

    # -- definitions

    def run(self) -> list[Entry]:
        old, new = self.old.defs, self.new.defs
        for meta in ("command", "event"):
            names = [n for n, d in old.items() if d.meta == meta]
            names += [n for n, d in new.items() if d.meta == meta and n not in old]
            for n in names:
                do, dn = old.get(n), new.get(n)
                if do is not None and dn is not None and do.meta == dn.meta:
                    self.entry_point(do, dn)
                elif do is not None and do.meta == meta:
                    self.whole("removed", do, self.old)
                    if dn is not None:
                        self.whole("added", dn, self.new)
                elif dn is not None:
                    self.whole("added", dn, self.new)
        while self.queue:
            self.pair(self.queue.pop())
        for e in self.entries.values():
            e.replaces = self.renamed.get(e.definition)
        return list(self.entries.values())

    def whole(self, op: str, d: Definition, side: Side) -> None:
        feats = _features(d)
        e = Entry(op, "definition", d.name, None, d.meta, directions={SEND if d.meta == "command" else RECEIVE},
                  cond=d.data.get("if"), breaking=op == "removed", via=f"{d.meta} '{d.name}'",
                  exempt=_exempt_name(d.name) or "unstable" in feats, key=("def", d.name),
                  deprecated_old=op == "removed" and "deprecated" in feats,
                  deprecated_new=op == "added" and "deprecated" in feats)
        self.add(e, side, d, None)

    def entry_point(self, do: Definition, dn: Definition) -> None:
        meta, name = dn.meta, dn.name
        fo, fn = _features(do), _features(dn)
        exempt = _exempt_name(name) or "unstable" in fo or "unstable" in fn
        dirs = {SEND} if meta == "command" else {RECEIVE}
        for d, side in ((do, self.old), (dn, self.new)):
            data = d.data.get("data")
            if isinstance(data, str):
                dirs |= side.dirs.get(data, set())
        via = f"{meta} '{name}'"
        h = Holder("type", dn, None, dirs, exempt, via, ("def", name),
                   deprecated=("deprecated" in fo, "deprecated" in fn))
        self.condition(do.data.get("if"), dn.data.get("if"), h, None)
        self.flags(fo, fn, h)
        if meta == "command":
            so, sn = scalars(meta, do.data), scalars(meta, dn.data)
            for flag in _FLAGS:
                a = so.get("flag:" + flag, flag == "success-response")
                b = sn.get("flag:" + flag, flag == "success-response")
                if a != b:
                    self.add(Entry("changed", "flag", name, flag, meta, detail=f"{show(a)} -> {show(b)}",
                                   before=a, after=b, directions={SEND}, cond=dn.data.get("if"),
                                   breaking=bool(a) and not b or flag == "success-response", via=via,
                                   exempt=exempt, key=("def", name), deprecated_old=h.deprecated[0],
                                   deprecated_new=h.deprecated[1]), self.new, dn, flag)
        self.objects(self.old.view(do), self.new.view(dn), dirs, exempt, via, h.deprecated)
        if meta == "command":
            ro, rn = do.data.get("returns"), dn.data.get("returns")
            rh = Holder("returns", dn, None, {RECEIVE}, exempt, via, ("def", name), dn.data.get("if"),
                        deprecated=h.deprecated)
            if ro is not None and rn is not None:
                self.types(ro, rn, rh)
            elif ro is not None or rn is not None:
                op = "added" if ro is None else "removed"
                self.add(Entry(op, "returns", name, None, meta, detail=show(rn if ro is None else ro),
                               before=ro, after=rn, directions={RECEIVE}, cond=dn.data.get("if"),
                               breaking=op == "removed", via=via, exempt=exempt, key=("def", name),
                               deprecated_old=h.deprecated[0], deprecated_new=h.deprecated[1]), self.new, dn, None)

    def pair(self, p: _Pair) -> None:
        k = (p.old, p.new)
        prev = self.seen.get(k)
        if prev is not None and (prev is False or p.exempt):
            return
        self.seen[k] = p.exempt
        do, dn = self.old.defs[p.old], self.new.defs[p.new]
        if p.old != p.new and p.new not in self.old.defs:
            self.renamed.setdefault(p.new, p.old)
        dirs = p.dirs | self.old.dirs.get(p.old, set()) | self.new.dirs.get(p.new, set())
        # A type's own 'if' is not reported: clients meet it only through its users, whose
        # conditions are (and must be, for the C code to build) at least as narrow.  Its
        # features are in introspection.
        self.flags(_features(do), _features(dn), Holder("type", dn, None, dirs, p.exempt, p.via, ("type", p.old)))
        if do.meta == "enum":
            self.enums(do, dn, dirs, p.exempt, p.via)
        elif do.meta == "alternate":
            self.alternates(do, dn, dirs, p.exempt, p.via)
        else:
            self.objects(self.old.view(do), self.new.view(dn), dirs, p.exempt, p.via, (False, False))

    def _holder(self, d: Definition, it: Item, old_it: Item | None, dirs: set[str], exempt: bool, via: str,
                kind: str, old_owner: str, owner_dep: tuple[bool, bool] = (False, False)) -> Holder:
        """The context of one member, value or branch: its exemption, deprecation and condition."""
        feats_o = old_it.features if old_it is not None else {}
        ex = exempt or _exempt_name(it.name) or "unstable" in it.features or "unstable" in feats_o
        dep = (old_it is not None and (owner_dep[0] or "deprecated" in feats_o),
               owner_dep[1] or "deprecated" in it.features)
        return Holder("type", d, it.name, dirs, ex, via, (kind, old_owner, it.name),
                      cond_and(d.data.get("if"), it.cond), None, dep)

    @staticmethod
    def _owner_dep(d: Definition, depr: tuple[bool, bool]) -> tuple[bool, bool]:
        """A command's or event's deprecation covers the arguments it declares itself."""
        return depr if d.meta in ("command", "event") else (False, False)

    def objects(self, vo: ObjView, vn: ObjView, dirs: set[str], exempt: bool, via: str,
                depr: tuple[bool, bool]) -> None:
        for name, (it, d) in vn.members.items():
            if name in vo.members:
                continue
            h = self._holder(d, it, None, dirs, exempt, via, "member", d.name, self._owner_dep(d, depr))
            self.add(self._item_entry("added", "member", h, name, after=show(it.type),
                                      breaking=not it.optional and SEND in dirs,
                                      detail="optional" if it.optional else "mandatory"), self.new, d, name)
        for name, (it, d) in vo.members.items():
            if name in vn.members:
                continue
            h = self._holder(d, it, it, dirs, exempt, via, "member", d.name, self._owner_dep(d, depr))
            h.deprecated = (h.deprecated[0], False)
            cases = self.variants_with(vn, name)
            if cases:
                # Into the variants: still sent and received in those cases.
                every = len(cases) == len(vn.branches)
                self.add(self._item_entry("changed", "member", h, name, before=show(it.type),
                                          breaking=SEND in dirs and not every,
                                          detail="moved into variant(s) " + ", ".join(f"'{c}'" for c in cases)),
                         self.old, d, name)
                continue
            self.add(self._item_entry("removed", "member", h, name, before=show(it.type), breaking=bool(dirs),
                                      detail="optional" if it.optional else "mandatory"), self.old, d, name)
        for name, (nit, dn) in vn.members.items():
            got = vo.members.get(name)
            if got is None:
                continue
            oit, do = got
            h = self._holder(dn, nit, oit, dirs, exempt, via, "member", do.name, self._owner_dep(dn, depr))
            self.item(oit, nit, dn, h, "member")
        self.variants(vo, vn, dirs, exempt, via)

    def variants_with(self, v: ObjView, member: str) -> list[str]:
        """The variants of union view ``v`` that have ``member``."""
        out = []
        for case, (it, _d) in v.branches.items():
            t = self.new.defs.get(it.type) if isinstance(it.type, str) else None
            if t is not None and t.meta in ("struct", "union") and member in self.new.view(t).members:
                out.append(case)
        return out

    def item(self, oit: Item, nit: Item, dn: Definition, h: Holder, kind: str) -> None:
        """One member or branch present on both sides."""
        name = nit.name
        if oit.optional != nit.optional:
            breaking = (SEND in h.dirs) if oit.optional else (RECEIVE in h.dirs)
            self.add(self._item_entry("changed", "optional", h, name,
                                      detail="optional -> mandatory" if oit.optional else "mandatory -> optional",
                                      before=oit.optional, after=nit.optional, breaking=breaking), self.new, dn, name)
        self.types(oit.type, nit.type, h)
        self.parts_of(oit, nit, h, kind)

    def parts_of(self, oit: Item, nit: Item, h: Holder, kind: str) -> None:
        """The condition and features of one item (its own: a definition's are reported once, on it)."""
        hh = Holder(**{**h.__dict__, "on": f"{kind} '{nit.name}'"})
        self.condition(oit.cond, nit.cond, hh, nit.name)
        self.flags(oit.features, nit.features, hh)

    def variants(self, vo: ObjView, vn: ObjView, dirs: set[str], exempt: bool, via: str) -> None:
        if vo.union is None and vn.union is None:
            return
        u = vn.union or vo.union
        assert u is not None
        side = self.new if vn.union is not None else self.old
        if vo.discriminator != vn.discriminator:
            self.add(Entry("changed", "discriminator", u.name, None, u.meta,
                           detail=f"{_show_opt(vo.discriminator)} -> {_show_opt(vn.discriminator)}",
                           before=vo.discriminator,
                           after=vn.discriminator, directions=set(dirs), cond=u.data.get("if"),
                           breaking=vo.discriminator is not None, via=via, exempt=exempt,
                           key=("type", vo.union.name if vo.union is not None else u.name)), side, u, None)
        for name, (it, d) in vn.branches.items():
            old = vo.branches.get(name)
            h = self._holder(d, it, old[0] if old else None, dirs, exempt, via, "branch",
                             vo.union.name if vo.union is not None else d.name)
            if old is None:
                self.add(self._item_entry("added", "branch", h, name, after=show(it.type)), self.new, d, name)
            else:
                self.item(old[0], it, d, h, "branch")
        for name, (it, d) in vo.branches.items():
            if name in vn.branches:
                continue
            h = self._holder(d, it, it, dirs, exempt, via, "branch", d.name)
            # A variant whose tag value still exists loses its members; one whose value went can no longer occur.
            still = self._tag_values(vn)
            breaking = SEND in dirs or still is None or name in still
            self.add(self._item_entry("removed", "branch", h, name, before=show(it.type), breaking=breaking),
                     self.old, d, name)

    def _tag_values(self, v: ObjView) -> set[str] | None:
        tag = v.members.get(v.discriminator or "")
        if tag is None:
            return None
        d = self.new.defs.get(tag[0].type) if isinstance(tag[0].type, str) else None
        return set(values_of(d.data.get("data"))) if d is not None and d.meta == "enum" else None

    def enums(self, do: Definition, dn: Definition, dirs: set[str], exempt: bool, via: str) -> None:
        vo, vn = values_of(do.data.get("data")), values_of(dn.data.get("data"))
        for name, it in vn.items():
            h = self._holder(dn, it, vo.get(name), dirs, exempt, via, "value", do.name)
            if name not in vo:
                self.add(self._item_entry("added", "value", h, name), self.new, dn, name)
            else:
                self.parts_of(vo[name], it, h, "value")
        for name, it in vo.items():
            if name in vn:
                continue
            h = self._holder(do, it, it, dirs, exempt, via, "value", do.name)
            h.deprecated = (h.deprecated[0], False)
            self.add(self._item_entry("removed", "value", h, name, breaking=SEND in dirs), self.old, do, name)

    def alternates(self, do: Definition, dn: Definition, dirs: set[str], exempt: bool, via: str) -> None:
        co, cn = self.alt_classes(self.old, do), self.alt_classes(self.new, dn)
        for cls, (name, it) in cn.items():
            h = self._holder(dn, it, co[cls][1] if cls in co else None, dirs, exempt, via, "branch", do.name)
            if cls not in co:
                self.add(self._item_entry("added", "branch", h, name, after=show(it.type),
                                          breaking=RECEIVE in dirs, detail=f"accepts {cls}"), self.new, dn, name)
            else:
                self.types(co[cls][1].type, it.type, h)
        for cls, (name, it) in co.items():
            if cls in cn:
                continue
            h = self._holder(do, it, it, dirs, exempt, via, "branch", do.name)
            self.add(self._item_entry("removed", "branch", h, name, before=show(it.type), breaking=SEND in dirs,
                                      detail=f"accepted {cls}"), self.old, do, name)


def _show_opt(v: str | None) -> str:
    return "none" if v is None else show(v)


def show_cond(c: object) -> str:
    """A condition as text: CONFIG_X, all(A, B), any(...), not(A); 'always' when there is none."""
    if c is None:
        return "always"
    if isinstance(c, str):
        return c
    if isinstance(c, dict) and len(c) == 1:
        (op, arg), = c.items()
        args = arg if isinstance(arg, list) else [arg]
        return f"{op}({', '.join(show_cond(a) for a in args)})"
    return show(c)


def compare_sides(old: Side, new: Side) -> list[Entry]:
    """Every client-visible change from ``old`` to ``new`` (policy fields not yet set)."""
    return Walker(old, new).run()
