"""Expression checks (QEMU's phase P2): the shape of every definition, and its normalisation.

``check_exprs(parsed)`` walks the definitions of a :class:`ParsedSchema` in
parse order and checks each one in QEMU's order: meta key, name is a string,
name rules, doc attachment (symbol, Returns/Errors placement) or
doc-required, key set, meta-specific shape, the definition's ``if``, its
``features``, its flags.  QEMU stops at the first error of the schema; we
report the first error of each independent check group and go on (with the
next member, the next group, the next definition), so ``errors[0]`` is the
error QEMU reports when P1 was clean.

Normalisation contract (what the semantic stage may rely on for every
definition in ``ExprResult.valid``; ``Expr.data`` is changed in place):

* enum ``data`` is a list of dicts with ``'name'`` (+ optional ``'if'``,
  ``'features'``);
* struct ``data``, a union's inline ``base`` and command/event inline
  ``data`` are dicts from member key (the ``'*'`` optional marker kept) to a
  dict with ``'type'`` (a str or a one-element list of str) + optional
  ``'if'``, ``'features'``;
* union and alternate ``data`` are dicts from branch name to a dict with
  ``'type'`` (+ optional ``'if'``); union branch types are plain strings;
* every ``features`` list (definition, member, enum value) holds dicts with
  ``'name'`` (+ optional ``'if'``);
* ``if`` values are well-formed conditions; flags are booleans with their
  only allowed value;
* ``Expr.info`` carries the definition context (``defn_meta``/``defn_name``)
  whenever the name is a string, as QEMU's ``set_defn`` does.

feature-clash and feature-special-on-type are left to the semantic stage:
QEMU runs them in P4, at the start of the entity's own check.

Pragma relaxations come from ``parsed.pragma``: command-name-exceptions
(``_`` in command names), member-name-exceptions (case of enum values,
struct members and union inline-base members), doc-required.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.expr_members import (
    attempt,
    check_features,
    check_if,
    check_implicit_members,
    check_type_name,
    check_type_name_or_array,
    normalize_members,
)
from qapilint.qapi.expr_names import (
    check_defn_name,
    check_enum_value_name,
    check_keys,
    check_name_is_str,
    check_name_lower,
    fail,
)
from qapilint.qapi.exprs import Expr, ParsedSchema, Pragma
from qapilint.source import SourceInfo

__all__ = ["ExprResult", "check_exprs", "check_expr", "META_KEYS"]

META_KEYS = ("enum", "struct", "union", "alternate", "command", "event")

# meta -> (required keys, optional keys)
_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "enum": (("enum", "data"), ("if", "features", "prefix")),
    "struct": (("struct", "data"), ("base", "if", "features")),
    "union": (("union", "base", "discriminator", "data"), ("if", "features")),
    "alternate": (("alternate", "data"), ("if", "features")),
    "command": (("command",), ("data", "returns", "boxed", "if", "features", "gen", "success-response",
                               "allow-oob", "allow-preconfig", "coroutine")),
    "event": (("event",), ("data", "boxed", "if", "features")),
}


@dataclass
class ExprResult:
    """P2 outcome.

    ``errors``: in QEMU order (definitions in parse order, per definition in
    check order).  ``valid``: definitions without any P2 error, normalised.
    ``invalid``: names of definitions with a P2 error (for the semantic stage
    to skip "unknown type" cascades).
    """

    errors: list[SchemaError] = field(default_factory=list)
    valid: list[Expr] = field(default_factory=list)
    invalid: set[str] = field(default_factory=set)


def check_exprs(parsed: ParsedSchema) -> ExprResult:
    result = ExprResult()
    for expr in parsed.exprs:
        errors, name = check_expr(expr, parsed.pragma)
        result.errors.extend(errors)
        if errors:
            if name is not None:
                result.invalid.add(name)
            continue
        result.valid.append(expr)
    return result


def check_expr(expr: Expr, pragma: Pragma) -> tuple[list[SchemaError], str | None]:
    """Check and normalise one definition; returns its errors and its name (None if not a string)."""
    data = expr.data
    out: list[SchemaError] = []
    metas = [k for k in META_KEYS if k in data]
    if len(metas) != 1:
        msg = "expression must have exactly one key " + ", ".join(f"'{m}'" for m in META_KEYS)
        return [SchemaError("expr-meta-key", msg, expr.info)], None
    meta = metas[0]
    raw_name = data[meta]
    if not isinstance(raw_name, str):
        return [SchemaError("name-not-string", f"'{meta}' requires a string name", expr.info)], None
    name = raw_name
    info = expr.info.in_defn(meta, name)
    expr.info = info

    attempt(out, lambda: check_defn_name(name, info, meta, pragma.command_name_exceptions))
    _check_doc(expr, meta, name, info, pragma, out)
    required, optional = _KEYS[meta]
    if attempt(out, lambda: check_keys(data, info, meta, required, optional,
                                       rule_missing="expr-keys-missing", rule_unknown="expr-keys-unknown")):
        _META_CHECKS[meta](data, name, info, pragma, out)
    attempt(out, lambda: check_if(data, info, meta))
    check_features(data, info, out)
    attempt(out, lambda: _check_flags(data, info))
    return out, name


# -- documentation attachment -------------------------------------------------

def _check_doc(expr: Expr, meta: str, name: str, info: SourceInfo, pragma: Pragma,
               out: list[SchemaError]) -> None:
    doc = expr.doc
    if doc is None or doc.symbol is None:
        # A free-form block before a definition is a P1 error already.
        if doc is None and pragma.doc_required:
            out.append(SchemaError("doc-required", "documentation comment required", info))
        return
    if doc.symbol != name:
        out.append(SchemaError("doc-symbol-mismatch", f"documentation comment is for '{doc.symbol}'", info))
        return
    returns = doc.tag("Returns")
    if meta == "command":
        if returns is not None and "returns" not in expr.data:
            out.append(SchemaError("doc-returns-without-return",
                                   "'Returns' section, but command doesn't return anything", returns.info))
        return
    if returns is not None:
        out.append(SchemaError("doc-returns-not-command", "'Returns' section is only valid for commands",
                               returns.info))
        return
    errors = doc.tag("Errors")
    if errors is not None:
        out.append(SchemaError("doc-errors-not-command", "'Errors' section is only valid for commands",
                               errors.info))


# -- per meta-type ------------------------------------------------------------

def _check_enum(data: dict[str, object], name: str, info: SourceInfo, pragma: Pragma,
                out: list[SchemaError]) -> None:
    members = data["data"]
    if not isinstance(members, list):
        out.append(fail("enum-data-not-array", "'data' must be an array", info).error)
        return
    if "prefix" in data and not isinstance(data["prefix"], str):
        out.append(fail("enum-prefix-not-string", "'prefix' must be a string", info).error)
        return
    permissive = name in pragma.member_name_exceptions
    members[:] = [m if isinstance(m, dict) else {"name": m} for m in members]
    for member in members:
        _check_enum_value(member, info, permissive, out)


def _check_enum_value(member: dict[str, object], info: SourceInfo, permissive: bool,
                      out: list[SchemaError]) -> None:
    source = "'data' member"

    def head() -> None:
        check_keys(member, info, source, ("name",), ("if", "features"),
                   rule_missing="enum-value-keys", rule_unknown="enum-value-keys")
        value = check_name_is_str(member["name"], info, source)
        vsource = f"{source} '{value}'"
        check_enum_value_name(value, info, vsource, permissive)
        check_if(member, info, vsource)

    if attempt(out, head):
        check_features(member, info, out)


def _check_struct(data: dict[str, object], name: str, info: SourceInfo, pragma: Pragma,
                  out: list[SchemaError]) -> None:
    normalize_members(data["data"])
    check_implicit_members(data["data"], info, "'data'", name in pragma.member_name_exceptions,
                           "struct-data-not-object", out)
    attempt(out, lambda: check_type_name(data.get("base"), info, "'base'", "struct-base-not-name"))


def _check_union(data: dict[str, object], name: str, info: SourceInfo, pragma: Pragma,
                 out: list[SchemaError]) -> None:
    base = data["base"]
    normalize_members(base)
    normalize_members(data["data"])
    if not isinstance(base, str):
        check_implicit_members(base, info, "'base'", name in pragma.member_name_exceptions,
                               "union-base-shape", out)
    attempt(out, lambda: check_name_is_str(data["discriminator"], info, "'discriminator'"))
    branches = data["data"]
    if not isinstance(branches, dict):
        out.append(fail("union-data-not-object", "'data' must be an object", info).error)
        return
    for key, value in branches.items():
        source = f"'data' member '{key}'"

        def branch(value: object = value, source: str = source) -> None:
            assert isinstance(value, dict)
            check_keys(value, info, source, ("type",), ("if",),
                       rule_missing="union-branch-keys", rule_unknown="union-branch-keys")
            check_if(value, info, source)
            check_type_name(value["type"], info, source, "union-branch-not-name")

        attempt(out, branch)


def _check_alternate(data: dict[str, object], name: str, info: SourceInfo, pragma: Pragma,
                     out: list[SchemaError]) -> None:
    branches = data["data"]
    normalize_members(branches)
    if not branches:
        out.append(fail("alternate-data-empty", "'data' must not be empty", info).error)
        return
    if not isinstance(branches, dict):
        out.append(fail("alternate-data-not-object", "'data' must be an object", info).error)
        return
    for key, value in branches.items():
        source = f"'data' member '{key}'"

        def branch(key: str = key, value: object = value, source: str = source) -> None:
            assert isinstance(value, dict)
            check_name_lower(key, info, source)
            check_keys(value, info, source, ("type",), ("if",),
                       rule_missing="alternate-branch-keys", rule_unknown="alternate-branch-keys")
            check_if(value, info, source)
            check_type_name_or_array(value["type"], info, source)

        attempt(out, branch)


def _check_args(data: dict[str, object], meta: str, info: SourceInfo, out: list[SchemaError]) -> None:
    """Command and event ``data``/``boxed`` shape (the two differ only in rule ids)."""
    args = data.get("data")
    normalize_members(args)
    if data.get("boxed", False):
        if "data" not in data:
            out.append(fail(f"{meta}-boxed-needs-data", "'boxed': true requires 'data'", info).error)
            return
        attempt(out, lambda: check_type_name(args, info, "'data'", f"{meta}-boxed-data-not-name"))
    elif args is not None and not isinstance(args, str):
        # Argument names are never relaxed by member-name-exceptions.
        check_implicit_members(args, info, "'data'", False, f"{meta}-data-shape", out)


def _check_command(data: dict[str, object], name: str, info: SourceInfo, pragma: Pragma,
                   out: list[SchemaError]) -> None:
    _check_args(data, "command", info, out)
    attempt(out, lambda: check_type_name_or_array(data.get("returns"), info, "'returns'",
                                                  rule_shape="command-returns-shape",
                                                  rule_array="command-returns-shape"))


def _check_event(data: dict[str, object], name: str, info: SourceInfo, pragma: Pragma,
                 out: list[SchemaError]) -> None:
    _check_args(data, "event", info, out)


_META_CHECKS = {
    "enum": _check_enum, "struct": _check_struct, "union": _check_union,
    "alternate": _check_alternate, "command": _check_command, "event": _check_event,
}


def _check_flags(data: dict[str, object], info: SourceInfo) -> None:
    for key in ("gen", "success-response"):
        if key in data and data[key] is not False:
            raise fail("flag-false-only", f"flag '{key}' may only use false value", info)
    for key in ("boxed", "allow-oob", "allow-preconfig", "coroutine"):
        if key in data and data[key] is not True:
            raise fail("flag-true-only", f"flag '{key}' may only use true value", info)
    if "allow-oob" in data and "coroutine" in data:
        raise fail("flag-oob-coroutine", "flags 'allow-oob' and 'coroutine' are incompatible", info)
