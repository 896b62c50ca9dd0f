"""Shape rules for the parts of a definition: members, type references, features, conditions.

Raising functions stop at the first error of their group (:class:`ExprFail`);
functions taking ``out`` check independent items (members, features) one by
one and append each item's first error, in QEMU's order.  Values are
normalised in place as QEMU does, so the semantic stage sees one form.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.expr_names import (
    ExprFail,
    check_keys,
    check_member_name,
    check_name_is_str,
    check_name_lower,
    fail,
)
from qapilint.source import SourceInfo

_IF_IDENT = re.compile(r"[A-Z][A-Z0-9_]*")


def attempt(out: list[SchemaError], check: Callable[[], object]) -> bool:
    """Run one check group; record its first error.  True when it passed."""
    try:
        check()
    except ExprFail as e:
        out.append(e.error)
        return False
    return True


# -- conditions ---------------------------------------------------------------

def check_if(owner: dict[str, object], info: SourceInfo, source: str) -> None:
    if "if" not in owner:
        return
    _check_cond(owner["if"], info, source)


def _check_cond(cond: object, info: SourceInfo, source: str) -> None:
    if isinstance(cond, str):
        if not _IF_IDENT.fullmatch(cond):
            raise fail("if-not-identifier", f"'if' condition '{cond}' of {source} is not a valid identifier", info)
        return
    if not isinstance(cond, dict):
        raise fail("if-bad-type", f"'if' condition of {source} must be a string or an object", info)
    check_keys(cond, info, f"'if' condition of {source}", (), ("all", "any", "not"),
               rule_missing="if-keys", rule_unknown="if-keys")
    if len(cond) != 1:
        raise fail("if-conflicting-keys", f"'if' condition of {source} has conflicting keys", info)
    if "not" in cond:
        _check_cond(cond["not"], info, source)
        return
    op = "all" if "all" in cond else "any"
    operands = cond[op]
    if not isinstance(operands, list):
        raise fail("if-operands-not-array", f"'{op}' condition of {source} must be an array", info)
    if not operands:
        raise fail("if-operands-empty", f"'if' condition [] of {source} is useless", info)
    for operand in operands:
        _check_cond(operand, info, source)


# -- features -----------------------------------------------------------------

def check_features(owner: dict[str, object], info: SourceInfo, out: list[SchemaError]) -> bool:
    """The ``features`` list of a definition, member or enum value; normalised to dicts."""
    if "features" not in owner:
        return True
    features = owner["features"]
    if not isinstance(features, list):
        out.append(fail("features-not-array", "'features' must be an array", info).error)
        return False
    features[:] = [f if isinstance(f, dict) else {"name": f} for f in features]
    ok = True
    for feat in features:
        ok = attempt(out, functools.partial(_check_feature, feat, info)) and ok
    return ok


def _check_feature(feat: dict[str, object], info: SourceInfo) -> None:
    source = "'features' member"
    check_keys(feat, info, source, ("name",), ("if",), rule_missing="feature-keys", rule_unknown="feature-keys")
    name = check_name_is_str(feat["name"], info, source)
    source = f"{source} '{name}'"
    check_name_lower(name, info, source)
    check_if(feat, info, source)


# -- type references ----------------------------------------------------------

def normalize_members(members: object) -> None:
    if isinstance(members, dict):
        for key, arg in members.items():
            if not isinstance(arg, dict):
                members[key] = {"type": arg}


def check_type_name(value: object, info: SourceInfo, source: str, rule: str) -> None:
    if value is not None and not isinstance(value, str):
        raise fail(rule, f"{source} should be a type name", info)


def check_type_name_or_array(value: object, info: SourceInfo, source: str, *,
                             rule_shape: str = "typeref-not-name-or-array",
                             rule_array: str = "typeref-array-shape") -> None:
    if value is None or isinstance(value, str):
        return
    if not isinstance(value, list):
        raise fail(rule_shape, f"{source} should be a type name or array", info)
    if len(value) != 1 or not isinstance(value[0], str):
        raise fail(rule_array, f"{source}: array type must contain single type name", info)


def check_implicit_members(value: object, info: SourceInfo, source: str, permissive: bool,
                           shape_rule: str, out: list[SchemaError]) -> bool:
    """An inline member dict (struct data, union inline base, command/event data).

    ``value`` must already be normalised; each member is checked on its own
    (name, reserved name, keys, ``if``, features, type) and stops at its
    first error.
    """
    if not isinstance(value, dict):
        out.append(fail(shape_rule, f"{source} should be an object or type name", info).error)
        return False
    ok = True
    for key, arg in value.items():
        ok = _check_member(str(key), arg, info, f"{source} member '{key}'", permissive, out) and ok
    return ok


def _check_member(key: str, arg: object, info: SourceInfo, source: str, permissive: bool,
                  out: list[SchemaError]) -> bool:
    assert isinstance(arg, dict)

    def head() -> None:
        check_member_name(key, info, source, permissive)
        check_keys(arg, info, source, ("type",), ("if", "features"),
                   rule_missing="member-keys", rule_unknown="member-keys")
        check_if(arg, info, source)

    if not attempt(out, head):
        return False
    ok = check_features(arg, info, out)
    return attempt(out, lambda: check_type_name_or_array(arg["type"], info, source)) and ok
