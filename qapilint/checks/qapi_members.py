"""Reading members out of raw definition data (as written: '*' markers, short forms)."""

from __future__ import annotations

from dataclasses import dataclass

from qapilint.changes.items import inherited_from
from qapilint.changes.model import Definition
from qapilint.qapi.schema_model import c_name as c_name  # the checks' callers import it from here

BUILTINS = frozenset(["str", "number", "int", "int8", "int16", "int32", "int64", "uint8", "uint16",
                      "uint32", "uint64", "size", "bool", "any", "null"])
SCALAR_BUILTINS = BUILTINS - {"str", "any", "null"}


@dataclass(frozen=True)
class Member:
    name: str            # without the '*' marker
    type: str            # 'str', 'Foo', or '[Foo]' for arrays
    optional: bool


def type_text(t: object) -> str:
    if isinstance(t, list) and len(t) == 1 and isinstance(t[0], str):
        return f"[{t[0]}]"
    if isinstance(t, str):
        return t
    return "?"


def members(d: Definition) -> list[Member]:
    """Own members of a struct, command/event arguments (inline), union inline base."""
    out: list[Member] = []
    blocks: list[object] = []
    if d.meta in ("struct", "command", "event") or (not d.meta and isinstance(d.data.get("data"), dict)):
        blocks.append(d.data.get("data"))
    if d.meta == "union":
        blocks.append(d.data.get("base"))
    for block in blocks:
        if not isinstance(block, dict):
            continue
        for key, val in block.items():
            if not isinstance(key, str):
                continue
            t = val.get("type") if isinstance(val, dict) else val
            out.append(Member(key.lstrip("*"), type_text(t), key.startswith("*")))
    return out


def effective_members(d: Definition, defs: dict[str, Definition]) -> dict[str, Member]:
    """Every member a client sees of ``d``: its own and, through its base (or, for a
    command or event, the type its ``data`` names), inherited ones.

    A member moved between a type and its base keeps its place on the wire,
    which is what compatibility is about.
    """
    out: dict[str, Member] = {}
    for x in reversed([d, *inherited_from(d, defs)]):     # nearer definitions win
        out.update((m.name, m) for m in members(x))
    return out


