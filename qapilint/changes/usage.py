"""Who uses which type, and how: members as clients see them, and the send/receive usage graph.

Shared by the compat review rules (one patch) and the release comparison
(two whole schemas).  Definitions are read as written ('*' markers, short
or long member forms).  ``directions`` walks the type-usage graph from
every command and event: command arguments are sent by clients, command
returns and event data are received, and a type takes every direction of
everything that reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass

from qapilint.changes.items import inherited_from
from qapilint.changes.model import Definition, SchemaState

SEND, RECEIVE = "send", "receive"

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


def refs(t: object) -> list[str]:
    """Type names a type expression (``'Foo'``, ``['Foo']``, ``{'type': ...}``) names."""
    if isinstance(t, list):
        return [x for x in t if isinstance(x, str)]
    if isinstance(t, str):
        return [t]
    if isinstance(t, dict):
        return refs(t.get("type"))
    return []


def type_refs(d: Definition) -> list[str]:
    """Named types a definition embeds or references through members, base and branches."""
    out: list[str] = []
    data = d.data
    if d.meta in ("struct", "union"):
        base = data.get("base")
        if isinstance(base, str):
            out.append(base)
    for m in members(d):
        out.extend(refs(m.type.strip("[]")))
    if d.meta in ("union", "alternate"):
        branches = data.get("data")
        if isinstance(branches, dict):
            for v in branches.values():
                out.extend(refs(v))
    return [t for t in out if t not in BUILTINS]


def directions(state: SchemaState) -> dict[str, set[str]]:
    """Type name -> the directions it is used in (only meaningful for a complete state)."""
    defs = state.definitions
    dirs: dict[str, set[str]] = {}
    work: list[tuple[str, str]] = []
    for d in defs.values():
        # A command's arguments are sent and its reply received; an event's data is received.
        direction = {"command": SEND, "event": RECEIVE}.get(d.meta)
        if direction is None:
            continue
        data = d.data.get("data")
        if isinstance(data, str):
            work.append((data, direction))
        for m in members(d):
            work.extend((t, direction) for t in refs(m.type.strip("[]")))
        if d.meta == "command":
            work.extend((t, RECEIVE) for t in refs(d.data.get("returns")))
    while work:
        name, direction = work.pop()
        if name in BUILTINS:
            continue
        got = dirs.setdefault(name, set())
        if direction in got:
            continue
        got.add(direction)
        target = defs.get(name)
        if target is not None:
            work.extend((t, direction) for t in type_refs(target))
    return dirs
