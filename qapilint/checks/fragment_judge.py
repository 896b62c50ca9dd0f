"""The one-file part of QEMU's frontend, run on one definition a patch shows (fragment_schema's judge).

Expression checks under two pragma states (what is wrong whatever the
pragmas say, and what an exception list decides), the doc-comment parser on
the definition's block, and the semantic checks local to one definition,
in the checker's order minus every step that resolves a type name.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field

from qapilint.definitions import Definition
from qapilint.qapi.diagnostics import SchemaError, errors_not_in
from qapilint.qapi.doc_model import DocBlock
from qapilint.qapi.doc_parser import parse_doc_block
from qapilint.qapi.doc_style import hash_column
from qapilint.qapi.expr import META_KEYS, check_expr
from qapilint.qapi.exprs import Expr, ParsedSchema, Pragma
from qapilint.qapi.schema import build_schema
from qapilint.qapi.schema_docs import DocConnector
from qapilint.qapi.schema_model import (
    AlternateType,
    AnyMember,
    Command,
    Entity,
    EnumType,
    Event,
    ObjectType,
    Type,
    c_name,
    describe_member,
)
from qapilint.source import SourceInfo

# Rule -> the pragma whose exception list (or switch) decides it.
PRAGMA_OF = {
    "name-command-case": "command-name-exceptions",
    "name-member-case": "member-name-exceptions",
    "doc-required": "doc-required",
    "doc-undocumented-member": "documentation-exceptions",
}

@dataclass
class Verdict:
    """What the frontend says about one definition in one state.

    ``located``: doc-comment parse errors, each at its own line (kept when
    that line is a ``+`` line).  ``defn``: errors about the definition as a
    whole (expression, semantic and doc-connection checks).  ``pragma``:
    errors whose verdict depends on an exception list.
    """

    located: list[SchemaError] = field(default_factory=list)
    defn: list[SchemaError] = field(default_factory=list)
    pragma: list[SchemaError] = field(default_factory=list)



def judge(d: Definition, collapsed: bool = False, with_doc: bool = True) -> Verdict:
    """Run the one-file part of QEMU's frontend on ``d`` (left unchanged).

    Without ``with_doc`` the doc block is ignored: the expression is judged
    as if undocumented (the doc-required note is the caller's to drop).
    """
    v = Verdict()
    doc = None
    if with_doc and d.doc is not None and d.doc.lines:
        doc, errors = parse_doc_block(list(d.doc.lines), d.doc.info, d.doc.end_line)
        # Collapsed whitespace destroys indentation, which the doc grammar
        # depends on: its parse errors would be artefacts of the scrape.
        if not collapsed:
            v.located.extend(errors)
            v.located.extend(_doc_lexical(d.doc))
    expr = _expr(d, doc)
    errors, pragma = expr_errors(expr, d.name)
    v.defn.extend(errors)
    v.pragma.extend(pragma)
    if errors:
        return v                 # QEMU's semantic stage never sees an invalid definition
    semantic, undocumented = _semantic(expr, d.file)
    v.defn.extend(semantic)
    v.pragma.extend(undocumented)
    return v


def expr_errors(expr: Expr, name: str) -> tuple[list[SchemaError], list[SchemaError]]:
    """check_expr under two pragma states; (sure errors, pragma-dependent ones).

    Relaxed: every exception list names the definition, so what remains is
    wrong whatever QEMU's pragmas say.  Strict: no exceptions at all.  The
    relaxed run normalises ``expr`` in place for the semantic stage.
    """
    strict_expr = Expr(data=copy.deepcopy(expr.data), info=expr.info, doc=expr.doc)
    errors, _name = check_expr(expr, Pragma(command_name_exceptions=[name], member_name_exceptions=[name]))
    strict, _name = check_expr(strict_expr, Pragma(doc_required=True))
    pragma = [e for e in errors_not_in(strict, errors) if e.rule in PRAGMA_OF]
    return errors, pragma


def _expr(d: Definition, doc: DocBlock | None) -> Expr:
    # The expression checks normalise in place: never hand them the ChangeSet's data.
    return Expr(data=copy.deepcopy(d.data), info=d.info, doc=doc)


def _doc_lexical(doc: DocBlock) -> list[SchemaError]:
    """The lexer's doc-line rule the rebuild's tolerant reader does not report."""
    out: list[SchemaError] = []
    for dl in doc.lines:
        val = dl.raw.lstrip()
        if val.startswith("#") and val != "#" and val[1:2] not in (" ", "#"):
            out.append(SchemaError("doc-missing-space", "missing space after #",
                                   doc.info.at(dl.line, hash_column(dl.raw))))
    return out


class _Stop(Exception):
    def __init__(self, error: SchemaError) -> None:
        super().__init__(error.message)
        self.error = error


def _clash(m: AnyMember, info: SourceInfo, seen: dict[str, AnyMember], rule: str) -> None:
    key = c_name(m.name)
    other = seen.get(key)
    if other is not None:
        raise _Stop(SchemaError(rule, f"{describe_member(m, info)} collides with {describe_member(other, info)}",
                                info))
    seen[key] = m


def _semantic(expr: Expr, path: str) -> tuple[list[SchemaError], list[SchemaError]]:
    """QEMU's P4/P5 checks that look at this definition only; (errors, pragma-dependent)."""
    parsed = ParsedSchema(root=path, exprs=[expr], docs=[expr.doc] if expr.doc is not None else [])
    schema, _errors = build_schema(parsed, [expr], set())   # redefinitions need the whole schema
    name = next((expr.data[m] for m in META_KEYS if m in expr.data), None)
    ent = schema.lookup(name) if isinstance(name, str) else None
    if ent is None or ent.info is None:
        return [], []
    for attr in ("base_name", "arg_type_name"):
        implicit = schema.lookup_type(getattr(ent, attr, None) or "")
        if isinstance(implicit, ObjectType) and implicit.implicit:
            setattr(ent, "base" if attr == "base_name" else "arg_type", implicit)
    try:
        _local_checks(ent)
    except _Stop as e:
        return [e.error], []
    docs = DocConnector(Pragma())
    connected = docs.connect(ent)
    errors = [e for e in connected if e.rule != "doc-undocumented-member"]
    errors.extend(docs.leftovers(parsed.docs))
    return errors, [e for e in connected if e.rule == "doc-undocumented-member"]


def _local_checks(ent: Entity) -> None:
    """Checker's per-entity order, minus every step that resolves a type name."""
    info = ent.info
    assert info is not None
    seen: dict[str, AnyMember] = {}
    for f in ent.features:
        _clash(f, info, seen, "feature-clash")
    if isinstance(ent, Type):
        for f in ent.features:
            if f.special:
                raise _Stop(SchemaError("feature-special-on-type", f"feature '{f.name}' is not supported for types",
                                        info))
    if isinstance(ent, EnumType):
        seen = {}
        for v in ent.values:
            _clash(v, info, seen, "enum-value-clash")
    elif isinstance(ent, ObjectType):
        seen = {}
        if ent.base is not None:
            # An inline union base; a named base's members are in another definition.
            _members(ent.base.local_members, info, seen)
        _members(ent.local_members, info, seen)
    elif isinstance(ent, AlternateType):
        seen = {}
        for b in ent.branches:
            _clash(b, info, seen, "alternate-branch-clash")
    elif isinstance(ent, Command | Event) and ent.arg_type is not None:
        meta = "command" if isinstance(ent, Command) else "event"
        _members(ent.arg_type.local_members, info, {})
        if not ent.boxed and any(m.ifcond is not None for m in ent.arg_type.local_members):
            raise _Stop(SchemaError(f"{meta}-args-conditional-unboxed",
                                    f"conditional {meta} arguments require 'boxed': true", info))


def _members(members: Iterable[AnyMember], info: SourceInfo, seen: dict[str, AnyMember]) -> None:
    for m in members:
        feats: dict[str, AnyMember] = {}
        for f in getattr(m, "features", ()):
            _clash(f, m.info, feats, "feature-clash")
        _clash(m, info, seen, "member-clash")
