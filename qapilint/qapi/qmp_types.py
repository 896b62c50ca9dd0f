"""Does a JSON value match a QAPI type?  The wire format of QAPI types, read from raw definitions.

Works on definitions as written (``{'struct': ..., 'data': ...}`` with
``*`` markers, short and long member forms), so that the same code serves a
whole tree, the definitions a patch's hunks rebuild (some of them cut:
``partial``), and a schema the frontend has normalised.

On the wire (QEMU's qapi-code-gen documentation, "Built-in Types", "Union
types", "Alternate types"): a struct is an object of its own and inherited
members; a union is an object of its base members plus the members of the
branch its discriminator value selects (none when that value has no
branch); an alternate is whichever branch the JSON type of the value
selects (string: ``str`` or an enum, number: the numeric built-ins, boolean,
null, object: a struct or union, array: an array type); an enum is a
string among its values (``if``-conditional ones included: the example may
show a build that has them); the integer built-ins are JSON numbers without
fraction within their C type's range.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from qapilint.qapi.qmp_json import ELIDED, MAX_DEPTH, EDict, Path

INT_RANGES: dict[str, tuple[int, int]] = {
    "int": (-(2**63), 2**63 - 1), "int64": (-(2**63), 2**63 - 1),
    "int8": (-(2**7), 2**7 - 1), "int16": (-(2**15), 2**15 - 1), "int32": (-(2**31), 2**31 - 1),
    "uint8": (0, 2**8 - 1), "uint16": (0, 2**16 - 1), "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1), "size": (0, 2**64 - 1),
}
BUILTINS = frozenset({"str", "number", "bool", "null", "any", "QType", *INT_RANGES})
_METAS = ("enum", "struct", "union", "alternate", "command", "event")
_ISSUE_LIMIT = 50          # per message: a wholesale mismatch says enough after this many


class MemberSpec:
    """A member as the wire sees it.  (Plain slotted classes here and in the example
    modules, not NamedTuples: every ``audit`` imports them, and each NamedTuple
    costs a third of a millisecond to define.)"""

    __slots__ = ("name", "type", "optional", "conditional")

    def __init__(self, name: str, type: object, optional: bool, conditional: bool) -> None:
        self.name = name
        self.type = type               # a type reference as written: 'Name' or ['Name']
        self.optional = optional
        self.conditional = conditional


class ObjectView:
    """The wire view of a struct, a union, or command/event arguments.

    ``partial``: some members may be out of view; ``branches``: discriminator
    value -> branch type reference; ``label``: how messages name it when not
    by its name ("the arguments of 'cmd'").
    """

    __slots__ = ("name", "members", "partial", "discriminator", "branches", "branches_partial", "label")

    def __init__(self, name: str, members: dict[str, MemberSpec] | None = None, partial: bool = False,
                 discriminator: str | None = None, branches: dict[str, object] | None = None,
                 branches_partial: bool = False, label: str = "") -> None:
        self.name = name
        self.members: dict[str, MemberSpec] = members if members is not None else {}
        self.partial = partial
        self.discriminator = discriminator
        self.branches = branches
        self.branches_partial = branches_partial
        self.label = label


class Raw(NamedTuple):
    name: str
    meta: str
    data: dict[str, object]
    partial: bool = False


class Issue:
    """A mismatch between a value and its type.  ``kind``: unknown-member, wrong-type,
    bad-value, missing-member; ``at_key``: located at the key, not the value."""

    __slots__ = ("kind", "path", "message", "at_key", "item", "type_name", "missing", "label", "disc")

    def __init__(self, kind: str, path: Path, message: str, at_key: bool = False, item: str | None = None,
                 type_name: str | None = None, missing: tuple[str, ...] = (), label: str = "",
                 disc: str | None = None) -> None:
        self.kind = kind
        self.path = path
        self.message = message
        self.at_key = at_key
        self.item = item
        self.type_name = type_name
        self.missing = missing      # missing-member: the members left out, how the object
        self.label = label          # is named and its discriminator (to say it again for fewer)
        self.disc = disc


def closest(word: str, candidates: Iterable[str], cutoff: float) -> str | None:
    """The candidate ``word`` is most likely a misspelling of, if any.

    Only candidates of about the same length starting with the same letter
    are compared: typos and old spellings keep both, and difflib costs.
    """
    import difflib

    n = len(word)
    near = sorted(c for c in candidates if c[:1] == word[:1] and abs(len(c) - n) <= max(3, n // 3))
    close = difflib.get_close_matches(word, near, n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float) -> str:
    """' (did you mean 'x'?)' for the closest candidate, or ''."""
    c = closest(word, candidates, cutoff)
    return f" (did you mean '{c}'?)" if c else ""


def raw_of(data: dict[str, object], partial: bool = False) -> Raw | None:
    for m in _METAS:
        name = data.get(m)
        if isinstance(name, str):
            return Raw(name, m, data, partial)
    return None


def describe_ref(ref: object) -> str:
    if isinstance(ref, list):
        return f"[{describe_ref(ref[0]) if ref else '?'}]"
    return str(ref)


def json_kind(v: object) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int):
        return "an integer"
    if isinstance(v, float):
        return "a number with a fraction or exponent"
    if isinstance(v, str):
        return f"the string {_short(v)}"
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return "an array"
    return "a value"


def _short(v: object) -> str:
    import json

    s = json.dumps(v)
    return s if len(s) <= 40 else s[:37] + '..."'


def _expects(name: str) -> str:
    if name in INT_RANGES:
        return "an integer"
    return {"str": "a string", "number": "a number", "bool": "true or false", "null": "null",
            "QType": "a string"}.get(name, "a value")


def _members(data: object, into: dict[str, MemberSpec]) -> None:
    if not isinstance(data, dict):
        return
    for key, val in data.items():
        if not isinstance(key, str):
            continue
        optional = key.startswith("*")
        name = key[1:] if optional else key
        if isinstance(val, dict):
            into[name] = MemberSpec(name, val.get("type"), optional, "if" in val)
        else:
            into[name] = MemberSpec(name, val, optional, False)


def _branch_refs(data: object) -> dict[str, object]:
    out: dict[str, object] = {}
    if isinstance(data, dict):
        for key, val in data.items():
            out[str(key)] = val.get("type") if isinstance(val, dict) else val
    return out


class TypeTable:
    """Definitions by name, and their wire views (built on demand, cached)."""

    def __init__(self, defs: Iterable[Raw], complete: bool) -> None:
        self.defs: dict[str, Raw] = {}
        for d in defs:
            self.defs.setdefault(d.name, d)
        self.complete = complete
        self._objects: dict[str, ObjectView | None] = {}
        self._args: dict[tuple[str, str], ObjectView] = {}
        self._close: dict[tuple[str, frozenset[str]], str | None] = {}
        self._enums: dict[str, tuple[frozenset[str], bool] | None] = {}

    def get(self, name: str, meta: str | None = None) -> Raw | None:
        d = self.defs.get(name)
        if d is None or (meta is not None and d.meta != meta):
            return None
        return d

    def enum_values(self, name: str) -> tuple[frozenset[str], bool] | None:
        """(values, partial) of an enum; None when ``name`` is no enum in view."""
        if name in self._enums:
            return self._enums[name]
        res: tuple[frozenset[str], bool] | None = None
        if name == "QType":
            from qapilint.qapi.schema_model import QTYPE_VALUES

            res = (frozenset(QTYPE_VALUES), False)
        else:
            d = self.get(name, "enum")
            if d is not None:
                vals = d.data.get("data")
                names = {v if isinstance(v, str) else str(v.get("name")) for v in vals
                         if isinstance(v, str | dict)} if isinstance(vals, list) else set()
                res = (frozenset(names), d.partial)
        self._enums[name] = res
        return res

    def closest(self, word: str, members: dict[str, MemberSpec]) -> str | None:
        """:func:`closest` among ``members``, remembered (a misspelling tends to repeat)."""
        key = (word, frozenset(members))
        if key not in self._close:
            self._close[key] = closest(word, members, 0.7)
        return self._close[key]

    def object_view(self, name: str) -> ObjectView | None:
        """The wire view of struct or union ``name`` (None when it is no object in view)."""
        if name in self._objects:
            return self._objects[name]
        self._objects[name] = None          # a base cycle ends here
        d = self.defs.get(name)
        view: ObjectView | None = None
        if d is not None and d.meta in ("struct", "union"):
            view = ObjectView(name, partial=d.partial)
            base = d.data.get("base")
            if isinstance(base, str):
                bv = self.object_view(base)
                if bv is None or bv.discriminator is not None:
                    view.partial = True      # out of view (or not a struct: the schema is invalid)
                else:
                    view.members.update(bv.members)
                    view.partial = view.partial or bv.partial
            elif isinstance(base, dict):
                _members(base, view.members)
            if d.meta == "struct":
                _members(d.data.get("data"), view.members)
            elif "discriminator" not in d.data and base is None and not d.partial:
                self._simple_union(view, _branch_refs(d.data.get("data")))
            else:
                disc = d.data.get("discriminator")
                view.discriminator = disc if isinstance(disc, str) else None
                view.branches = _branch_refs(d.data.get("data"))
                view.branches_partial = d.partial
        self._objects[name] = view
        return view

    def _simple_union(self, view: ObjectView, branches: dict[str, object]) -> None:
        """A union of QEMU before 7.0 without base and discriminator: on the wire
        {"type": BRANCH, "data": VALUE} (QEMU made it a flat union of wrappers)."""
        kind = f"{view.name}Kind"
        self.defs.setdefault(kind, Raw(kind, "enum", {"enum": kind, "data": list(branches)}))
        view.members["type"] = MemberSpec("type", kind, False, False)
        view.discriminator = "type"
        view.branches = {}
        for branch, ref in branches.items():
            wrapper = f"q_obj_{describe_ref(ref)}-wrapper"
            self.defs.setdefault(wrapper, Raw(wrapper, "struct", {"struct": wrapper, "data": {"data": ref}}))
            view.branches[branch] = wrapper

    def args_view(self, owner: str, data: object, label: str) -> ObjectView | None:
        """Arguments of a command / data of an event: inline members, a named type, or none."""
        if isinstance(data, str):
            return self.object_view(data)
        if data is not None and not isinstance(data, dict):
            return None
        key = (owner, label)
        view = self._args.get(key)
        if view is None:
            view = ObjectView(owner, label=label)
            _members(data, view.members)
            self._args[key] = view
        return view


class Matcher:
    """Matches values against type references, collecting :class:`Issue` objects.

    ``server``: the value comes from QEMU (a reply or an event).
    """

    def __init__(self, table: TypeTable, server: bool = False) -> None:
        self.table = table
        self.server = server
        self.issues: list[Issue] = []
        self.out_of_view: set[str] = set()

    def add(self, issue: Issue) -> None:
        if len(self.issues) < _ISSUE_LIMIT:
            if issue.item is None and issue.path and isinstance(issue.path[-1], str):
                issue.item = issue.path[-1]
            self.issues.append(issue)

    @staticmethod
    def name(what: str, path: Path) -> str:
        """``what`` with the array index the value is at, if it is an array item ('tags'[2])."""
        return f"{what}[{path[-1]}]" if path and isinstance(path[-1], int) else what

    def missing_type(self, name: str) -> None:
        if not self.table.complete:
            self.out_of_view.add(name)

    # -- entry points

    def value(self, v: object, ref: object, path: Path, what: str) -> None:
        """Match ``v`` against type reference ``ref``; ``what`` names the value in messages."""
        if v is ELIDED or len(path) > MAX_DEPTH:
            return
        if isinstance(ref, list):
            if not ref:
                return
            if not isinstance(v, list):
                self.add(Issue("wrong-type", path, f"{self.name(what, path)} is an array of '{describe_ref(ref[0])}', "
                                                   f"not {json_kind(v)}"))
                return
            elem = ref[0]
            for k, item in enumerate(v):
                self.value(item, elem, (*path, k), what)
            return
        if not isinstance(ref, str):
            return
        if ref in BUILTINS:
            self.builtin(v, ref, path, what)
            return
        if ref.endswith("List") and ref not in self.table.defs and (
                ref[:-4] in BUILTINS or ref[:-4] in self.table.defs):
            self.value(v, [ref[:-4]], path, what)
            return
        d = self.table.defs.get(ref)
        if d is None:
            self.missing_type(ref)
            return
        if d.meta == "enum":
            self.enum(v, ref, path, what)
        elif d.meta in ("struct", "union"):
            view = self.table.object_view(ref)
            if view is not None:
                self.obj(v, view, path, what)
        elif d.meta == "alternate":
            self.alternate(v, d, path, what)

    def builtin(self, v: object, name: str, path: Path, what: str) -> None:
        if name == "any":
            return
        if name == "QType":
            self.enum(v, name, path, what)
            return
        ok: bool
        if name == "str":
            ok = isinstance(v, str)
        elif name == "bool":
            ok = isinstance(v, bool)
        elif name == "null":
            ok = v is None
        elif name == "number":
            ok = isinstance(v, int | float) and not isinstance(v, bool)
        else:
            ok = isinstance(v, int) and not isinstance(v, bool)
        if not ok:
            self.add(Issue("wrong-type", path, f"{self.name(what, path)} is '{name}': {_expects(name)} is expected, "
                                               f"not {json_kind(v)}"))
            return
        rng = INT_RANGES.get(name)
        if rng is not None and isinstance(v, int):
            lo, hi = rng
            # QEMU's input visitor takes negative numbers for uint64 and size
            # (backward compatibility): only QEMU's own output never has them.
            if name in ("uint64", "size") and not self.server:
                lo = -(2**63)
            if not lo <= v <= hi:
                self.add(Issue("bad-value", path, f"{self.name(what, path)} is '{name}': {v} is out of its range "
                                                  f"{rng[0]}..{rng[1]}"))

    def enum(self, v: object, name: str, path: Path, what: str) -> None:
        if not isinstance(v, str):
            self.add(Issue("wrong-type", path,
                           f"{self.name(what, path)} is enum '{name}': a string is expected, not {json_kind(v)}"))
            return
        ev = self.table.enum_values(name)
        if ev is None:
            return
        values, partial = ev
        if v in values:
            return
        if partial:
            self.out_of_view.add(name)
            return
        hint = did_you_mean(v, values, 0.6)
        self.add(Issue("bad-value", path, f"{self.name(what, path)}: {_short(v)} is not a value of enum '{name}'{hint}",
                       item=v, type_name=name))

    def alternate(self, v: object, d: Raw, path: Path, what: str) -> None:
        kind = _alt_kind(v)
        choices: list[str] = []
        for ref in _branch_refs(d.data.get("data")).values():
            k = self.alt_kind_of(ref)
            if k is None:
                self.missing_type(describe_ref(ref))
                return                     # a branch out of view: cannot tell
            choices.append(k)
            if k == kind or (k == "number" and kind == "integer"):
                self.value(v, ref, path, what)
                return
        if d.partial:
            return
        wanted = " or ".join(dict.fromkeys(choices))
        self.add(Issue("wrong-type", path,
                       f"{self.name(what, path)} is alternate '{d.name}' ({wanted}), not {json_kind(v)}"))

    def alt_kind_of(self, ref: object) -> str | None:
        if isinstance(ref, list):
            return "array"
        if not isinstance(ref, str):
            return None
        if ref in INT_RANGES:
            return "integer"
        if ref in BUILTINS:
            return {"str": "string", "number": "number", "bool": "boolean", "null": "null",
                    "QType": "string"}.get(ref, "any")
        d = self.table.defs.get(ref)
        if d is None:
            return None
        return {"enum": "string", "struct": "object", "union": "object"}.get(d.meta, "any")

    def effective(self, view: ObjectView, v: dict[str, object],
                  depth: int = 0) -> tuple[dict[str, MemberSpec], bool, str]:
        """Members an object ``v`` of ``view`` may have (base, then the selected branch), partial, label.

        A branch may itself be a union: its own discriminator, a member of
        the same object, selects further.
        """
        partial = view.partial
        label = view.label or f"'{view.name}'"
        if view.branches is None or view.discriminator is None or depth > 8:
            return view.members, partial, label   # shared: callers only read it
        members = dict(view.members)
        tag = v.get(view.discriminator)
        if isinstance(tag, str) and tag in view.branches:
            ref = describe_ref(view.branches[tag])
            bview = self.table.object_view(ref)
            if bview is None:
                partial = True
                self.missing_type(ref)
            else:
                bm, bp, _ = self.effective(bview, v, depth + 1)
                members.update(bm)
                partial = partial or bp
            label = f"{label} ({view.discriminator} '{tag}')"
        elif isinstance(tag, str):
            # No branch for this value: only the base members, unless the branch may be out of
            # view, or the value is none of the enum's (reported as such; the branch meant is unknown).
            spec = members.get(view.discriminator)
            ev = self.table.enum_values(spec.type) if spec is not None and isinstance(spec.type, str) else None
            partial = partial or view.branches_partial or (ev is not None and tag not in ev[0])
        else:
            # No branch known: a key of any branch may be right.
            for bref in view.branches.values():
                bview = self.table.object_view(describe_ref(bref))
                if bview is None:
                    partial = True
                    continue
                bm, bp, _ = self.effective(bview, v, depth + 1)
                partial = partial or bp
                for name, m in bm.items():
                    members.setdefault(name, MemberSpec(m.name, m.type, True, m.conditional))
        return members, partial, label

    def obj(self, v: object, view: ObjectView, path: Path, what: str, lenient: bool = False) -> None:
        if not isinstance(v, dict):
            kind = f" is '{view.name}'" if not view.label else "" if view.label == what else f" is {view.label}"
            self.add(Issue("wrong-type", path,
                           f"{self.name(what, path)}{kind}: an object is expected, not {json_kind(v)}"))
            return
        members, partial, label = self.effective(view, v)
        misspelt: set[str] = set()
        enums = self.table._enums
        for key, item in v.items():
            m = members.get(key)
            if m is None:
                if partial or lenient:
                    continue
                meant = self.table.closest(key, members)
                hint = f" (did you mean '{meant}'?)" if meant else ""
                if meant is not None:
                    misspelt.add(meant)
                self.add(Issue("unknown-member", (*path, key), f"'{key}' is not a member of {label}{hint}",
                               at_key=True, item=key, type_name=view.name))
                continue
            # Most members are plain strings, booleans, integers in range and known enum
            # values: settled here, without a call (anything else goes the long way; an
            # integer in its type's range is right whether a client or the server sends it).
            t = m.type
            if isinstance(t, str):
                if type(item) is str:
                    if t == "str" or (ev := enums.get(t)) is not None and item in ev[0]:
                        continue
                elif type(item) is bool:
                    if t == "bool":
                        continue
                elif type(item) is int and (rng := INT_RANGES.get(t)) is not None and rng[0] <= item <= rng[1]:
                    continue
            self.value(item, t, (*path, key), f"'{key}'")
        if partial or isinstance(v, EDict):
            return
        # A member shown under a misspelt name is reported once, as the unknown key.
        missing = [n for n, m in members.items()
                   if not (m.optional or m.conditional or n in v or n in misspelt)]
        if not missing:
            return
        msg = missing_message(missing, label, view.discriminator)
        self.add(Issue("missing-member", path, msg, item=missing[0], type_name=view.name, missing=tuple(missing),
                       label=label, disc=view.discriminator))


def missing_message(missing: list[str], label: str, discriminator: str | None) -> str:
    """"mandatory members 'a', 'b' of 'T' are missing" (the discriminator said first)."""
    names = _names(missing)
    if discriminator in missing:
        msg = f"the discriminator '{discriminator}' of {label} is missing"
        if len(missing) > 1:
            msg += f", and mandatory member{'s' if len(missing) > 2 else ''} " + _names(
                [n for n in missing if n != discriminator])
        return msg
    if len(missing) == 1:
        return f"mandatory member {names} of {label} is missing"
    return f"mandatory members {names} of {label} are missing"


def _names(names: list[str], shown: int = 8) -> str:
    out = ", ".join(f"'{n}'" for n in names[:shown])
    return out + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _alt_kind(v: object) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "object"
    return "array"
