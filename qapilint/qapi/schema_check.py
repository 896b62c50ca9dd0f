"""P4 type checks per entity, in QEMU's entity order, followed by each entity's doc connection.

Checking an object recurses into its base and branch types (the types
embedded by value in C), exactly where QEMU's does, so that an error
inside a later definition can come first and a cycle is found where QEMU
finds it.  One error ends the entity that raised it; entities that need a
broken one are skipped silently.
"""

from __future__ import annotations

import re

from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.exprs import ParsedSchema
from qapilint.qapi.schema_docs import DocConnector
from qapilint.qapi.schema_model import (
    AlternateType,
    AnyMember,
    ArrayType,
    Branch,
    BrokenEntity,
    Command,
    Entity,
    EnumType,
    Event,
    Member,
    ObjectType,
    QAPISchema,
    Type,
    c_name,
    describe_member,
)
from qapilint.source import SourceInfo


class _Stop(Exception):
    def __init__(self, error: SchemaError) -> None:
        super().__init__(error.message)
        self.error = error


class _Skip(Exception):
    """The entity depends on a broken one: no error of its own."""


def _stop(rule: str, info: SourceInfo | None, message: str) -> _Stop:
    assert info is not None
    return _Stop(SchemaError(rule, message, info))


def _clash(m: AnyMember, info: SourceInfo, seen: dict[str, AnyMember], rule: str) -> None:
    key = c_name(m.name)
    other = seen.get(key)
    if other is not None:
        raise _stop(rule, info, f"{describe_member(m, info)} collides with {describe_member(other, info)}")
    seen[key] = m


class Checker:
    def __init__(self, schema: QAPISchema, parsed: ParsedSchema) -> None:
        self.schema = schema
        self.pragma = parsed.pragma
        self.done: set[int] = set()
        self.failed: set[int] = set()
        self.active: set[int] = set()

    # -- helpers

    def resolve(self, name: str, info: SourceInfo | None, what: str) -> Type:
        typ = self.schema.lookup_type(name)
        if typ is None:
            raise _stop("type-unknown", info, f"{what} uses unknown type '{name}'")
        return typ

    def usable(self, typ: Type) -> Type:
        """``typ`` when its structure can be relied on, else skip the caller."""
        if isinstance(typ, BrokenEntity) or id(typ) in self.failed:
            raise _Skip()
        return typ

    def features(self, ent: Entity) -> None:
        seen: dict[str, AnyMember] = {}
        assert ent.info is not None
        for f in ent.features:
            _clash(f, ent.info, seen, "feature-clash")
        if isinstance(ent, Type):
            for f in ent.features:
                if f.special:
                    raise _stop("feature-special-on-type", ent.info,
                                f"feature '{f.name}' is not supported for types")

    def member(self, m: Member | Branch) -> None:
        typ = self.schema.lookup_type(m.type_name)
        if typ is None:
            raise _stop("type-unknown", m.info, f"{describe_member(m, m.info)} uses unknown type '{m.type_name}'")
        m.type = typ
        seen: dict[str, AnyMember] = {}
        for f in m.features:
            _clash(f, m.info, seen, "feature-clash")

    # -- entities

    def check(self, ent: Entity) -> None:
        if isinstance(ent, ObjectType):
            self.check_object(ent)
            return
        if id(ent) in self.done or id(ent) in self.failed or isinstance(ent, BrokenEntity):
            return
        if ent.info is None:
            # Predefined entities are correct by construction.
            if isinstance(ent, ArrayType):
                ent.element_type = self.schema.lookup_type(ent.element_type_name)
            self.done.add(id(ent))
            return
        try:
            self.features(ent)
            if isinstance(ent, EnumType):
                seen: dict[str, AnyMember] = {}
                for v in ent.values:
                    _clash(v, ent.info, seen, "enum-value-clash")
            elif isinstance(ent, ArrayType):
                ent.element_type = self.resolve(ent.element_type_name, ent.info, ent.info.defn_meta or "array")
            elif isinstance(ent, AlternateType):
                self.check_alternate(ent)
            elif isinstance(ent, Command):
                self.check_command(ent)
            elif isinstance(ent, Event):
                self.check_event(ent)
        except (_Stop, _Skip):
            self.failed.add(id(ent))
            raise
        self.done.add(id(ent))

    def check_object(self, obj: ObjectType) -> None:
        if id(obj) in self.done:
            return
        if id(obj) in self.failed:
            raise _Skip()
        if id(obj) in self.active:
            raise _stop("object-contains-itself", obj.info, f"object {obj.name} contains itself")
        self.active.add(id(obj))
        try:
            self._object_body(obj)
        except (_Stop, _Skip):
            self.failed.add(id(obj))
            raise
        finally:
            self.active.discard(id(obj))
        self.done.add(id(obj))

    def _object_body(self, obj: ObjectType) -> None:
        if obj.info is not None:
            self.features(obj)
        seen: dict[str, AnyMember] = {}
        members: list[Member] = []
        if obj.base_name:
            base = self.usable(self.resolve(obj.base_name, obj.info, "'base'"))
            if not isinstance(base, ObjectType) or base.is_union:
                raise _stop("base-not-struct", obj.info,
                            f"'base' requires a struct type, {base.describe()} isn't")
            obj.base = base
            self.check_object(base)
            assert obj.info is not None and base.members is not None
            for m in base.members:
                _clash(m, obj.info, seen, "member-clash")
                members.append(m)
        for m in obj.local_members:
            self.member(m)
            assert obj.info is not None
            _clash(m, obj.info, seen, "member-clash")
            members.append(m)
        if obj.branches is not None:
            self.check_branches(obj, seen)
            assert obj.info is not None
            for b in obj.branches:
                assert isinstance(b.type, ObjectType)
                self.clash_object(b.type, obj.info, dict(seen), "union-branch-clash")
        obj.members = members

    def clash_object(self, obj: ObjectType, info: SourceInfo, seen: dict[str, AnyMember], rule: str) -> None:
        for m in obj.members or ():
            _clash(m, info, seen, rule)
        for b in obj.branches or ():
            if isinstance(b.type, ObjectType):
                self.clash_object(b.type, info, dict(seen), rule)

    def check_branches(self, obj: ObjectType, seen: dict[str, AnyMember]) -> None:
        assert obj.branches is not None
        info = obj.info
        tag_name = obj.discriminator or ""
        tag = seen.get(c_name(tag_name))
        where = "'base'"
        if not isinstance(tag, Member) or tag.name != tag_name:
            raise _stop("union-discriminator-not-member", info,
                        f"discriminator '{tag_name}' is not a member of {where}")
        owner = self.schema.lookup_type(tag.defined_in)
        if owner is not None and not owner.implicit:
            where = f"base type '{tag.defined_in}'"
        tag_type = tag.type
        if isinstance(tag_type, BrokenEntity):
            raise _Skip()
        if not isinstance(tag_type, EnumType):
            raise _stop("union-discriminator-not-enum", info,
                        f"discriminator member '{tag_name}' of {where} must be of enum type")
        if tag.optional:
            raise _stop("union-discriminator-optional", info,
                        f"discriminator member '{tag_name}' of {where} must not be optional")
        if tag.ifcond is not None:
            raise _stop("union-discriminator-conditional", info,
                        f"discriminator member '{tag_name}' of {where} must not be conditional")
        obj.tag_member = tag
        explicit = {b.name for b in obj.branches if not b.implicit}
        for v in tag_type.values:
            if v.name not in explicit:
                assert info is not None
                obj.branches.append(Branch(v.name, "q_empty", info, v.ifcond, tag.defined_in, implicit=True))
        if not obj.branches:
            raise _stop("union-no-branches", info, "union has no branches")
        values = set(tag_type.value_names())
        for b in obj.branches:
            self.member(b)
            assert b.type is not None and info is not None
            if b.name not in values:
                raise _stop("union-branch-not-enum-value", info,
                            f"branch '{b.name}' is not a value of {tag_type.describe()}")
            btype = self.usable(b.type)
            if not isinstance(btype, ObjectType):
                raise _stop("union-branch-not-object", info,
                            f"{describe_member(b, info)} cannot use {btype.describe()}")
            self.check_object(btype)

    def check_alternate(self, alt: AlternateType) -> None:
        info = alt.info
        assert info is not None
        for b in alt.branches:
            self.member(b)
        seen: dict[str, AnyMember] = {}
        kinds: dict[str, str] = {}
        for b in alt.branches:
            _clash(b, info, seen, "alternate-branch-clash")
            assert b.type is not None
            btype = self.usable(b.type)
            qtype = btype.alternate_qtype()
            if qtype is None:
                raise _stop("alternate-branch-bad-type", info,
                            f"{describe_member(b, info)} cannot use {btype.describe()}")
            conflicting = [qtype]
            if qtype == "QTYPE_QSTRING":
                if isinstance(btype, EnumType):
                    if any(v.name in ("on", "off") for v in btype.values):
                        conflicting.append("QTYPE_QBOOL")
                    if any(re.match(r"[-+0-9.]", v.name) for v in btype.values):
                        conflicting.append("QTYPE_QNUM")
                else:
                    conflicting += ["QTYPE_QNUM", "QTYPE_QBOOL"]
            for qt in conflicting:
                if qt in kinds:
                    raise _stop("alternate-ambiguous", info,
                                f"{describe_member(b, info)} can't be distinguished from '{kinds[qt]}'")
                kinds[qt] = b.name

    def _arg_type(self, ent: Command | Event, meta: str) -> None:
        if not ent.arg_type_name:
            return
        arg = self.resolve(ent.arg_type_name, ent.info, f"{meta}'s 'data'")
        arg = self.usable(arg)
        if not isinstance(arg, ObjectType):
            raise _stop(f"{meta}-data-bad-type", ent.info, f"{meta}'s 'data' cannot take {arg.describe()}")
        ent.arg_type = arg
        if arg.is_union and not ent.boxed:
            raise _stop(f"{meta}-data-union-unboxed", ent.info,
                        f"{meta}'s 'data' can take {arg.describe()} only with 'boxed': true")
        self.check_object(arg)
        if not ent.boxed and any(m.ifcond is not None for m in arg.members or ()):
            raise _stop(f"{meta}-args-conditional-unboxed", ent.info,
                        f"conditional {meta} arguments require 'boxed': true")

    def check_command(self, cmd: Command) -> None:
        self._arg_type(cmd, "command")
        if cmd.ret_type_name:
            ret = self.resolve(cmd.ret_type_name, cmd.info, "command's 'returns'")
            cmd.ret_type = ret
            if cmd.name in self.pragma.command_returns_exceptions:
                return
            elem: Type | None = ret
            if isinstance(ret, ArrayType):
                elem = ret.element_type or self.schema.lookup_type(ret.element_type_name)
            if elem is None or isinstance(elem, BrokenEntity):
                return
            if not isinstance(elem, ObjectType):
                raise _stop("command-returns-bad-type", cmd.info,
                            f"command's 'returns' cannot take {ret.describe()}")

    def check_event(self, ev: Event) -> None:
        self._arg_type(ev, "event")


def check_entities(schema: QAPISchema, parsed: ParsedSchema) -> list[SchemaError]:
    """P4 and P5: every entity's checks then its doc connection; then the docs' leftovers."""
    errors: list[SchemaError] = []
    checker = Checker(schema, parsed)
    docs = DocConnector(parsed.pragma)
    for ent in schema.entities():
        try:
            checker.check(ent)
        except _Stop as e:
            errors.append(e.error)
            continue
        except _Skip:
            continue
        except RecursionError:
            # Pathologically deep base chains: report nothing rather than crash.
            checker.failed.add(id(ent))
            continue
        if ent.info is not None and id(ent) in checker.done:
            errors.extend(docs.connect(ent))
    errors.extend(docs.leftovers(parsed.docs))
    return errors


__all__ = ["Checker", "check_entities"]
