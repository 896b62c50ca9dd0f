"""The semantic schema (QEMU's phases P3-P6): registration, type checks, doc connection.

``check_schema`` builds the typed model (:mod:`schema_model`) from the
expressions that passed the expression checks, enters every entity in the
name table (P3), then checks each entity and connects its doc block (P4,
:mod:`schema_check`, :mod:`schema_docs`), reports doc leftovers (P5) and the
global feature limit (P6).  ``validate`` runs the whole frontend.

QEMU stops at the first error; we go on where the rest stays meaningful
and skip entities that depend on broken ones, so the first finding is
QEMU's and later ones are not cascades.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from qapilint.collector import paused
from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.exprs import Expr, ParsedSchema, Value
from qapilint.qapi.schema_model import (
    BUILTIN_TYPES,
    QTYPE_VALUES,
    SPECIAL_FEATURES,
    AlternateType,
    ArrayType,
    Branch,
    BrokenEntity,
    BuiltinType,
    Command,
    Entity,
    EnumType,
    EnumValue,
    Event,
    Feature,
    Member,
    ObjectType,
    QAPISchema,
)
from qapilint.source import SourceInfo

__all__ = ["QAPISchema", "SchemaResult", "build_schema", "check_schema", "validate"]

Reader = Callable[[str], str]
_METAS = ("enum", "struct", "union", "alternate", "command", "event")
MAX_FEATURES = 64


def context_lines(info: SourceInfo) -> list[str]:
    """QEMU's lines before a located message: include chain, then the definition context."""
    out = [f"In file included from {p.file}:{p.line}:" for p in info.include_chain()]
    if info.defn_name is not None and info.defn_meta is not None:
        out.append(f"{info.file}: In {info.defn_meta} '{info.defn_name}':")
    return out


def _meta_of(data: dict[str, Value]) -> str | None:
    for m in _METAS:
        if m in data:
            return m
    return None


def _defn_info(expr: Expr, meta: str, name: str) -> SourceInfo:
    if expr.info.defn_name is not None:
        return expr.info
    return expr.info.in_defn(meta, name)


class _Builder:
    """P3: turns normalised expressions into entities, in QEMU's entity order."""

    def __init__(self, schema: QAPISchema, errors: list[SchemaError]) -> None:
        self.schema = schema
        self.errors = errors

    # -- registration

    def define(self, ent: Entity) -> bool:
        other = self.schema.add(ent)
        if other is None:
            return True
        assert ent.info is not None
        if other.info is None:
            self.errors.append(SchemaError("name-redefined-predefined",
                                           f"{other.describe()} is already defined", ent.info))
        elif not isinstance(other, BrokenEntity):
            notes = context_lines(other.info) + [f"{other.info.file}:{other.info.line}: previous definition"]
            self.errors.append(SchemaError("name-redefined", f"'{ent.name}' is already defined",
                                           ent.info, notes))
        return False

    def predefine(self) -> None:
        for name, json in BUILTIN_TYPES:
            self.schema.add(BuiltinType(name, None, json=json))
            self.schema.add(ArrayType(name + "List", None, element_type_name=name))
        self.schema.add(ObjectType("q_empty", None))
        self.schema.add(EnumType("QType", None, values=[EnumValue(v, _NOWHERE, defined_in="QType")
                                                        for v in QTYPE_VALUES]))
        for f in SPECIAL_FEATURES:
            self.schema.feature_names.setdefault(f, None)

    # -- parts

    def features(self, raw: Value, info: SourceInfo, owner: str) -> list[Feature]:
        out: list[Feature] = []
        for f in raw if isinstance(raw, list) else ():
            if not isinstance(f, dict) or not isinstance(f.get("name"), str):
                continue
            feat = Feature(f["name"], info, f.get("if"), owner)
            self.schema.feature_names.setdefault(feat.name, feat)
            out.append(feat)
        return out

    def array(self, elem: str, info: SourceInfo) -> str:
        name = elem + "List"
        if self.schema.lookup_type(name) is None:
            self.define(ArrayType(name, info, element_type_name=elem))
        return name

    def typeref(self, raw: Value, info: SourceInfo) -> str:
        if isinstance(raw, list):
            return self.array(str(raw[0]) if raw else "", info)
        return str(raw)

    def members(self, raw: Value, info: SourceInfo, owner: str) -> list[Member]:
        out: list[Member] = []
        if not isinstance(raw, dict):
            return out
        for key, val in raw.items():
            spec = val if isinstance(val, dict) else {"type": val}
            optional = key.startswith("*")
            name = key[1:] if optional else key
            typ = self.typeref(spec.get("type"), info)
            out.append(Member(name, typ, optional, info, spec.get("if"),
                              self.features(spec.get("features"), info, name), owner))
        return out

    def branches(self, raw: Value, info: SourceInfo, owner: str) -> list[Branch]:
        out: list[Branch] = []
        if not isinstance(raw, dict):
            return out
        for key, val in raw.items():
            spec = val if isinstance(val, dict) else {"type": val}
            out.append(Branch(key, self.typeref(spec.get("type"), info), info, spec.get("if"), owner))
        return out

    def implicit(self, name: str, info: SourceInfo, ifcond: Value, members: list[Member]) -> str | None:
        if not members:
            return None
        if self.schema.lookup(name) is None:
            for m in members:
                m.defined_in = name
            self.define(ObjectType(name, info, ifcond=ifcond, local_members=members))
        return name

    # -- definitions

    def definition(self, expr: Expr) -> None:
        meta = _meta_of(expr.data)
        if meta is None or not isinstance(expr.data[meta], str):
            return
        name: str = expr.data[meta]  # type: ignore[assignment]
        info = _defn_info(expr, meta, name)
        d = expr.data
        ifcond = d.get("if")
        feats = self.features(d.get("features"), info, name)
        ent: Entity
        if meta == "enum":
            values = []
            for v in d.get("data") or []:  # type: ignore[attr-defined]
                if isinstance(v, dict) and isinstance(v.get("name"), str):
                    values.append(EnumValue(v["name"], info, v.get("if"),
                                            self.features(v.get("features"), info, v["name"]), name))
            prefix = d.get("prefix")
            ent = EnumType(name, info, expr.doc, ifcond, feats, values=values,
                           prefix=prefix if isinstance(prefix, str) else None)
        elif meta == "struct":
            base = d.get("base")
            ent = ObjectType(name, info, expr.doc, ifcond, feats,
                             base_name=base if isinstance(base, str) else None,
                             local_members=self.members(d.get("data"), info, name))
        elif meta == "union":
            base = d.get("base")
            base_name: str | None
            if isinstance(base, dict):
                base_name = self.implicit(f"q_obj_{name}-base", info, ifcond,
                                          self.members(base, info, f"q_obj_{name}-base"))
            else:
                base_name = base if isinstance(base, str) else None
            disc = d.get("discriminator")
            ent = ObjectType(name, info, expr.doc, ifcond, feats, base_name=base_name,
                             branches=self.branches(d.get("data"), info, name),
                             discriminator=disc if isinstance(disc, str) else None)
        elif meta == "alternate":
            ent = AlternateType(name, info, expr.doc, ifcond, feats,
                                branches=self.branches(d.get("data"), info, name))
        elif meta == "command":
            arg = self._args(name, d.get("data"), info, ifcond)
            rets = d.get("returns")
            ret = self.typeref(rets, info) if rets is not None else None
            ent = Command(name, info, expr.doc, ifcond, feats, arg_type_name=arg, ret_type_name=ret,
                          boxed=d.get("boxed") is True, gen=d.get("gen") is not False,
                          success_response=d.get("success-response") is not False,
                          allow_oob=d.get("allow-oob") is True,
                          allow_preconfig=d.get("allow-preconfig") is True,
                          coroutine=d.get("coroutine") is True)
        else:
            ent = Event(name, info, expr.doc, ifcond, feats,
                        arg_type_name=self._args(name, d.get("data"), info, ifcond),
                        boxed=d.get("boxed") is True)
        self.define(ent)

    def _args(self, name: str, data: Value, info: SourceInfo, ifcond: Value) -> str | None:
        if isinstance(data, dict):
            return self.implicit(f"q_obj_{name}-arg", info, ifcond,
                                 self.members(data, info, f"q_obj_{name}-arg"))
        return data if isinstance(data, str) else None


_NOWHERE = SourceInfo("", 0)


def build_schema(parsed: ParsedSchema, valid: list[Expr], invalid: set[str]) -> tuple[QAPISchema, list[SchemaError]]:
    """P3: the model and its registration errors (redefinitions)."""
    schema = QAPISchema(root=parsed.root)
    errors: list[SchemaError] = []
    b = _Builder(schema, errors)
    b.predefine()
    # Definitions that failed the expression checks stay known (as
    # placeholders) so that references to them do not cascade.
    valid_names = {e.data.get(m) for e in valid for m in _METAS if m in e.data}
    for name in sorted(invalid - {n for n in valid_names if isinstance(n, str)}):
        schema.add(BrokenEntity(name, _NOWHERE))
    for expr in valid:
        b.definition(expr)
    return schema, errors


def check_schema(parsed: ParsedSchema, valid: list[Expr],
                 invalid: set[str]) -> tuple[QAPISchema, list[SchemaError]]:
    """P3-P6 on the normalised expressions; errors in QEMU's order."""
    from qapilint.qapi.schema_check import check_entities

    schema, errors = build_schema(parsed, valid, invalid)
    errors.extend(check_entities(schema, parsed))
    users = [f for f in schema.feature_names.values()]
    if len(users) > MAX_FEATURES:
        culprit = users[MAX_FEATURES]
        if culprit is not None:
            errors.append(SchemaError("features-too-many",
                                      f"Maximum of {MAX_FEATURES} schema features is permitted",
                                      culprit.info))
    return schema, errors


@dataclass
class SchemaResult:
    """Everything ``validate`` found: the model (None when nothing could be loaded) and the errors."""

    path: str
    schema: QAPISchema | None
    errors: list[SchemaError] = field(default_factory=list)
    parsed: ParsedSchema | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


RulesVersion = tuple[int, int] | None


def _structural(err: SchemaError) -> bool:
    """A P1 error after which the parsed definitions may be incomplete (doc errors are not)."""
    return not err.rule.startswith("doc-")


def _applies(rule: str, version: RulesVersion) -> bool:
    from qapilint.qapi.rule_versions import rule_applies

    return rule_applies(rule, version)


def validate(path: str, reader: Reader | None = None, rules_version: RulesVersion = None,
             tree: str | None = None) -> SchemaResult:
    """The whole frontend on one root schema file: P1 (load), P2 (expressions), P3-P6.

    Includes stay inside ``tree`` (see :func:`qapilint.qapi.loader.load_schema`).

    Errors come in QEMU's order (the first is the one QEMU reports), limited
    to the rules QEMU enforced at ``rules_version`` (None: the newest).
    Unusable input raises :class:`qapilint.errors.InputError`.
    """
    # Many small objects and no garbage cycles worth collecting mid-run:
    # the cyclic collector would rescan them all again and again.
    with paused():
        return _validate(path, reader, rules_version, tree)


def check_parsed(parsed: ParsedSchema) -> tuple[QAPISchema | None, list[SchemaError]]:
    """P2-P6 on a loaded schema: its P1 errors, then the expression and semantic checks.

    The model is None when a P1 error left the definitions incomplete.  The
    expressions are normalised in place.
    """
    from qapilint.qapi.expr import check_exprs

    errors = list(parsed.errors)
    res = check_exprs(parsed)
    errors.extend(res.errors)
    schema: QAPISchema | None = None
    if not any(_structural(e) for e in parsed.errors):
        schema, sem = check_schema(parsed, list(res.valid), set(res.invalid))
        seen = {(e.rule, e.info.file, e.info.line, e.message) for e in errors}
        errors.extend(e for e in sem if (e.rule, e.info.file, e.info.line, e.message) not in seen)
    return schema, errors


def _validate(path: str, reader: Reader | None, rules_version: RulesVersion, tree: str | None) -> SchemaResult:
    from qapilint.qapi.loader import load_schema

    parsed = load_schema(path, reader, tree=tree)
    schema, errors = check_parsed(parsed)
    errors = [e for e in errors if _applies(e.rule, rules_version)]
    return SchemaResult(path, schema, errors, parsed)
