"""Name rules of the expression stage (P2): grammar, reserved names, case conventions.

Every function raises :class:`ExprFail` carrying the one error QEMU would
report; the caller decides how far to go on.  ``source`` is the phrase QEMU
puts in the message for the name's role (``struct``, ``'data' member '*a'``,
``'features' member 'f'``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from qapilint.qapi.diagnostics import SchemaError
from qapilint.source import SourceInfo

# Optional downstream prefix, optional x-, then the stem; case-insensitive
# because case is judged separately per role.
_VALID_NAME = re.compile(r"(__[a-z0-9.-]+_)?(x-)?([a-z][a-z0-9_-]*)$", re.IGNORECASE)
_CAMEL = re.compile(r"[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$")
_LOWER_OR_DASH = re.compile(r"[a-z-]")
_UPPER = re.compile(r"[A-Z]")
# After the grammar check only [A-Za-z0-9_.-] remain, so these prefixes are
# exactly the names whose C form starts with q_ / has_.
_Q_PREFIXES = ("q_", "q-", "q.")
_HAS_PREFIXES = ("has_", "has-", "has.")


class ExprFail(Exception):
    """The first error of one check group; processing of that group stops."""

    def __init__(self, error: SchemaError) -> None:
        super().__init__(error.message)
        self.error = error


def fail(rule: str, message: str, info: SourceInfo, notes: list[str] | None = None) -> ExprFail:
    return ExprFail(SchemaError(rule, message, info, list(notes or [])))


def check_name_is_str(name: object, info: SourceInfo, source: str) -> str:
    if not isinstance(name, str):
        raise fail("name-not-string", f"{source} requires a string name", info)
    return name


def check_name_str(name: str, info: SourceInfo, source: str) -> str:
    """Grammar and ``q_`` reservation; returns the stem for the case rules."""
    m = _VALID_NAME.match(name)
    if not m:
        raise fail("name-invalid", f"{source} has an invalid name", info)
    if name.startswith(_Q_PREFIXES):
        raise fail("name-reserved-q", f"{source} has an invalid name", info)
    return m.group(3)


def check_name_upper(name: str, info: SourceInfo, source: str) -> None:
    stem = check_name_str(name, info, source)
    if _LOWER_OR_DASH.search(stem):
        raise fail("name-event-case", f"name of {source} must not use lowercase or '-'", info)


def check_name_lower(name: str, info: SourceInfo, source: str, *, rule: str = "name-member-case",
                     permit_upper: bool = False, permit_underscore: bool = False) -> None:
    stem = check_name_str(name, info, source)
    if (not permit_upper and _UPPER.search(stem)) or (not permit_underscore and "_" in stem):
        raise fail(rule, f"name of {source} must not use uppercase or '_'", info)


def check_name_camel(name: str, info: SourceInfo, source: str) -> None:
    stem = check_name_str(name, info, source)
    if not _CAMEL.match(stem):
        raise fail("name-type-camel", f"name of {source} must use CamelCase", info)


def check_defn_name(name: str, info: SourceInfo, meta: str, command_name_exceptions: list[str]) -> None:
    if meta == "event":
        check_name_upper(name, info, meta)
    elif meta == "command":
        check_name_lower(name, info, meta, rule="name-command-case",
                         permit_underscore=name in command_name_exceptions)
    else:
        check_name_camel(name, info, meta)
        if name.endswith("List"):
            raise fail("name-type-list-suffix", f"{meta} name should not end in 'List'", info)


def check_member_name(key: str, info: SourceInfo, source: str, permissive: bool) -> None:
    """An object member / argument / inline-base member (``key`` may carry ``*``)."""
    bare = key[1:] if key.startswith("*") else key
    check_name_lower(bare, info, source, permit_upper=permissive, permit_underscore=permissive)
    if bare == "u" or bare.startswith(_HAS_PREFIXES):
        raise fail("name-member-reserved", f"{source} uses reserved name", info)


def check_enum_value_name(name: str, info: SourceInfo, source: str, permissive: bool) -> None:
    # Values may start with a digit: judge them as if a letter came first.
    judged = "d" + name if name[:1].isdigit() else name
    check_name_lower(judged, info, source, permit_upper=permissive, permit_underscore=permissive)


def quote_list(names: Iterable[str]) -> str:
    return ", ".join(f"'{n}'" for n in sorted(names))


def check_keys(value: dict[str, object], info: SourceInfo, source: str, required: tuple[str, ...],
               optional: tuple[str, ...], *, rule_missing: str, rule_unknown: str) -> None:
    keys = value.keys()
    if len(keys) <= len(required) + len(optional) and all(k in keys for k in required) \
            and all(k in required or k in optional for k in keys):
        return
    missing = set(required) - set(value)
    if missing:
        s = "s" if len(missing) > 1 else ""
        raise fail(rule_missing, f"{source} misses key{s} {quote_list(missing)}", info)
    allowed = set(required) | set(optional)
    unknown = set(value) - allowed
    if unknown:
        s = "s" if len(unknown) > 1 else ""
        raise fail(rule_unknown, f"{source} has unknown key{s} {quote_list(unknown)}", info,
                   [f"Valid keys are {quote_list(allowed)}."])
