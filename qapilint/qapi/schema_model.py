"""The typed semantic model of a QAPI schema: entities, members, and the type table.

Mirrors the entity kinds of QEMU's frontend (built-in, enum, array, object,
alternate, command, event) so that messages can be reproduced word for
word, and is what compatibility checks walk: command arguments are the send
direction, command returns and event data the receive direction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import ClassVar

from qapilint.qapi.doc_model import DocBlock
from qapilint.source import SourceInfo

# A normalised ``if`` condition: an identifier string or {'all'|'any'|'not': ...}.
Cond = object

BUILTIN_TYPES: tuple[tuple[str, str], ...] = (
    ("str", "string"), ("number", "number"), ("int", "int"),
    ("int8", "int"), ("int16", "int"), ("int32", "int"), ("int64", "int"),
    ("uint8", "int"), ("uint16", "int"), ("uint32", "int"), ("uint64", "int"),
    ("size", "int"), ("bool", "boolean"), ("any", "value"), ("null", "null"),
)
QTYPE_VALUES = ("none", "qnull", "qnum", "qstring", "qdict", "qlist", "qbool")
# Feature names every schema has, whether or not it uses them.
SPECIAL_FEATURES = ("deprecated", "unstable")

_JSON_TO_QTYPE = {
    "null": "QTYPE_QNULL", "string": "QTYPE_QSTRING", "number": "QTYPE_QNUM",
    "int": "QTYPE_QNUM", "boolean": "QTYPE_QBOOL", "array": "QTYPE_QLIST",
    "object": "QTYPE_QDICT",
}


_NON_C = re.compile(r"[^A-Za-z0-9_]")


@lru_cache(maxsize=4096)
def c_name(name: str) -> str:
    """The C spelling QEMU compares names by (only the character mapping matters for clashes)."""
    return _NON_C.sub("_", name)


# ---------------------------------------------------------------- members


@dataclass(eq=False)
class Feature:
    name: str
    info: SourceInfo
    ifcond: Cond | None = None
    defined_in: str = ""
    role: ClassVar[str] = "feature"

    @property
    def special(self) -> bool:
        return self.name in SPECIAL_FEATURES


@dataclass(eq=False)
class EnumValue:
    name: str
    info: SourceInfo
    ifcond: Cond | None = None
    features: list[Feature] = field(default_factory=list)
    defined_in: str = ""
    role: ClassVar[str] = "value"


@dataclass(eq=False)
class Member:
    """An object member (struct member, command/event argument, union base member)."""

    name: str                       # without the '*' marker
    type_name: str                  # 'FooList' for ['Foo']
    optional: bool
    info: SourceInfo
    ifcond: Cond | None = None
    features: list[Feature] = field(default_factory=list)
    defined_in: str = ""
    type: Type | None = None        # set by the semantic check
    role: ClassVar[str] = "member"


@dataclass(eq=False)
class Branch:
    """A union or alternate branch."""

    name: str
    type_name: str
    info: SourceInfo
    ifcond: Cond | None = None
    defined_in: str = ""
    type: Type | None = None
    implicit: bool = False          # an enum value without an explicit union branch
    features: list[Feature] = field(default_factory=list)
    role: ClassVar[str] = "branch"


AnyMember = Feature | EnumValue | Member | Branch


def describe_member(m: AnyMember, info: SourceInfo) -> str:
    """``member 'x'``, ``parameter 'x' of command 'c'``, ``base member 'x' of type 'U'`` ..."""
    role = m.role
    meta = "type"
    owner = m.defined_in
    if owner.startswith("q_obj_"):
        owner = owner[len("q_obj_"):]
        if owner.endswith("-arg"):
            role, meta, owner = "parameter", "command", owner[:-len("-arg")]
        elif owner.endswith("-base"):
            role, owner = "base " + role, owner[:-len("-base")]
    if owner != info.defn_name:
        return f"{role} '{m.name}' of {meta} '{owner}'"
    return f"{role} '{m.name}'"


# ---------------------------------------------------------------- entities


@dataclass(eq=False)
class Entity:
    name: str
    info: SourceInfo | None
    doc: DocBlock | None = None
    ifcond: Cond | None = None
    features: list[Feature] = field(default_factory=list)
    meta: ClassVar[str] = "entity"

    @property
    def implicit(self) -> bool:
        """Created by the frontend, not written by the user (built-ins, arrays, q_obj_*)."""
        return self.info is None or self.name.startswith("q_obj_")

    def describe(self) -> str:
        return f"{self.meta} '{self.name}'"


class Type(Entity):
    def describe(self) -> str:
        return f"{self.meta} type '{self.name}'"

    def json_type(self) -> str:
        raise NotImplementedError

    def alternate_qtype(self) -> str | None:
        return _JSON_TO_QTYPE.get(self.json_type())


@dataclass(eq=False)
class BuiltinType(Type):
    json: str = "value"
    meta: ClassVar[str] = "built-in"

    def json_type(self) -> str:
        return self.json


@dataclass(eq=False)
class EnumType(Type):
    values: list[EnumValue] = field(default_factory=list)
    prefix: str | None = None
    meta: ClassVar[str] = "enum"

    def json_type(self) -> str:
        return "string"

    def value_names(self) -> list[str]:
        return [v.name for v in self.values]


@dataclass(eq=False)
class ArrayType(Type):
    element_type_name: str = ""
    element_type: Type | None = None
    meta: ClassVar[str] = "array"

    def json_type(self) -> str:
        return "array"

    def describe(self) -> str:
        return f"array type ['{self.element_type_name}']"


@dataclass(eq=False)
class ObjectType(Type):
    """A struct, a union (``branches`` is not None) or an implicit argument/base type."""

    base_name: str | None = None
    local_members: list[Member] = field(default_factory=list)
    branches: list[Branch] | None = None
    discriminator: str | None = None
    base: ObjectType | None = None           # resolved by the check
    tag_member: Member | None = None         # resolved by the check
    members: list[Member] | None = None      # base members then own, once checked

    @property
    def meta(self) -> str:  # type: ignore[override]
        return "union" if self.branches is not None else "struct"

    @property
    def is_union(self) -> bool:
        return self.branches is not None

    def json_type(self) -> str:
        return "object"


@dataclass(eq=False)
class AlternateType(Type):
    branches: list[Branch] = field(default_factory=list)
    meta: ClassVar[str] = "alternate"

    def json_type(self) -> str:
        return "value"


@dataclass(eq=False)
class Command(Entity):
    arg_type_name: str | None = None
    ret_type_name: str | None = None
    arg_type: ObjectType | None = None
    ret_type: Type | None = None
    boxed: bool = False
    gen: bool = True
    success_response: bool = True
    allow_oob: bool = False
    allow_preconfig: bool = False
    coroutine: bool = False
    meta: ClassVar[str] = "command"


@dataclass(eq=False)
class Event(Entity):
    arg_type_name: str | None = None
    arg_type: ObjectType | None = None
    boxed: bool = False
    meta: ClassVar[str] = "event"


@dataclass(eq=False)
class BrokenEntity(Type):
    """Stands for a definition that failed the expression checks: known, but not usable.

    References to it resolve (no 'unknown type' cascade), and checks that
    need its structure are skipped.
    """

    meta: ClassVar[str] = "definition"

    def json_type(self) -> str:
        return "value"


Definition = EnumType | ObjectType | AlternateType | Command | Event


# ---------------------------------------------------------------- the schema


@dataclass(eq=False)
class QAPISchema:
    """All entities in QEMU's order, plus the name table."""

    root: str = ""
    _entities: list[Entity] = field(default_factory=list)
    _by_name: dict[str, Entity] = field(default_factory=dict)
    feature_names: dict[str, Feature | None] = field(default_factory=dict)

    def add(self, ent: Entity) -> Entity | None:
        """Append ``ent``; return the earlier entity of that name if there is one (then not registered)."""
        self._entities.append(ent)
        other = self._by_name.get(ent.name)
        if other is not None:
            return other
        self._by_name[ent.name] = ent
        return None

    def entities(self) -> list[Entity]:
        """Every entity in check order: built-ins, then per definition its arrays, implicit type, itself."""
        return list(self._entities)

    def lookup(self, name: str) -> Entity | None:
        return self._by_name.get(name)

    def lookup_type(self, name: str) -> Type | None:
        ent = self._by_name.get(name)
        return ent if isinstance(ent, Type) else None

    def definitions(self) -> list[Definition]:
        """The user's definitions in parse order (no built-ins, arrays or implicit types)."""
        out: list[Definition] = []
        seen: set[int] = set()
        for e in self._entities:
            if e.implicit or isinstance(e, BrokenEntity | BuiltinType | ArrayType) or id(e) in seen:
                continue
            if isinstance(e, EnumType | ObjectType | AlternateType | Command | Event):
                seen.add(id(e))
                out.append(e)
        return out

    def commands(self) -> list[Command]:
        return [d for d in self.definitions() if isinstance(d, Command)]

    def events(self) -> list[Event]:
        return [d for d in self.definitions() if isinstance(d, Event)]

    def members_of(self, obj: ObjectType) -> list[Member]:
        """Members of ``obj`` including inherited base members (base first), without branches."""
        if obj.members is not None:
            return list(obj.members)
        out: list[Member] = []
        seen: set[int] = set()
        cur: ObjectType | None = obj
        chain: list[ObjectType] = []
        while cur is not None and id(cur) not in seen:
            seen.add(id(cur))
            chain.append(cur)
            nxt = cur.base if cur.base is not None else (
                self.lookup_type(cur.base_name) if cur.base_name else None)
            cur = nxt if isinstance(nxt, ObjectType) else None
        for o in reversed(chain):
            out.extend(o.local_members)
        return out

    def arguments_of(self, ent: Command | Event) -> list[Member]:
        """The arguments a client sends (command) or receives (event); [] when there are none."""
        arg = ent.arg_type
        if arg is None and ent.arg_type_name:
            t = self.lookup_type(ent.arg_type_name)
            arg = t if isinstance(t, ObjectType) else None
        return self.members_of(arg) if arg is not None else []

    def referenced_types(self, typ: Type) -> Iterator[Type]:
        """Types ``typ`` refers to directly: base, member, branch and element types."""
        names: list[str] = []
        if isinstance(typ, ArrayType):
            names.append(typ.element_type_name)
        elif isinstance(typ, ObjectType):
            if typ.base_name:
                names.append(typ.base_name)
            names.extend(m.type_name for m in typ.local_members)
            names.extend(b.type_name for b in typ.branches or ())
        elif isinstance(typ, AlternateType):
            names.extend(b.type_name for b in typ.branches)
        for n in names:
            t = self.lookup_type(n)
            if t is not None:
                yield t

    def reachable_types(self, roots: Iterable[Type]) -> list[Type]:
        """Every type reachable from ``roots`` (roots included), breadth-first."""
        out: list[Type] = []
        seen: set[int] = set()
        todo = list(roots)
        while todo:
            t = todo.pop(0)
            if id(t) in seen:
                continue
            seen.add(id(t))
            out.append(t)
            todo.extend(self.referenced_types(t))
        return out

    def send_types(self) -> list[Type]:
        """Types clients send: reachable from command arguments."""
        roots: list[Type] = []
        for c in self.commands():
            t = self.lookup_type(c.arg_type_name) if c.arg_type_name else None
            if t is not None:
                roots.append(t)
        return self.reachable_types(roots)

    def receive_types(self) -> list[Type]:
        """Types clients receive: reachable from command returns and event data."""
        roots: list[Type] = []
        for c in self.commands():
            t = self.lookup_type(c.ret_type_name) if c.ret_type_name else None
            if t is not None:
                roots.append(t)
        for e in self.events():
            t = self.lookup_type(e.arg_type_name) if e.arg_type_name else None
            if t is not None:
                roots.append(t)
        return self.reachable_types(roots)
