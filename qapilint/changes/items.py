"""Normalised parts of a definition: members, enum values, branches, features, flags.

Definitions keep their data as written (``'*name'`` keys, short or long
member forms); the differ compares these normalised views instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from qapilint.changes.model import Definition

COMMAND_FLAGS = ("gen", "success-response", "allow-oob", "allow-preconfig", "coroutine")


@dataclass
class Item:
    """A member, enum value, branch or feature."""

    name: str
    type: object = None
    optional: bool = False
    cond: object = None                                   # its 'if'
    features: dict[str, object] = field(default_factory=dict)   # feature name -> its 'if'
    path: tuple[str, ...] = ()                            # where it sits in the data (for locations)


def _features(v: object) -> dict[str, object]:
    out: dict[str, object] = {}
    if isinstance(v, list):
        for f in v:
            if isinstance(f, str):
                out[f] = None
            elif isinstance(f, dict) and isinstance(f.get("name"), str):
                out[str(f["name"])] = f.get("if")
    return out


def members_of(d: object, prefix: str) -> dict[str, Item]:
    """Members of a ``data`` (or inline ``base``) dict."""
    out: dict[str, Item] = {}
    if not isinstance(d, dict):
        return out
    for raw, v in d.items():
        if not isinstance(raw, str):
            continue
        opt = raw.startswith("*")
        name = raw[1:] if opt else raw
        it = Item(name=name, optional=opt, path=(prefix, name))
        if isinstance(v, dict):
            it.type = v.get("type")
            it.cond = v.get("if")
            it.features = _features(v.get("features"))
        else:
            it.type = v
        out[name] = it
    return out


def values_of(d: object) -> dict[str, Item]:
    out: dict[str, Item] = {}
    if not isinstance(d, list):
        return out
    for v in d:
        if isinstance(v, str):
            out[v] = Item(name=v, path=("data", v))
        elif isinstance(v, dict) and isinstance(v.get("name"), str):
            n = str(v["name"])
            out[n] = Item(name=n, cond=v.get("if"), features=_features(v.get("features")), path=("data", n))
    return out


def features_of(data: dict[str, object]) -> dict[str, Item]:
    return {n: Item(name=n, cond=c, path=("features", n)) for n, c in _features(data.get("features")).items()}


def parts(meta: str, data: dict[str, object]) -> dict[str, dict[str, Item]]:
    """Item groups by kind: 'member', 'value', 'branch'."""
    out: dict[str, dict[str, Item]] = {"member": {}, "value": {}, "branch": {}}
    if meta == "enum":
        out["value"] = values_of(data.get("data"))
    elif meta in ("struct", "command", "event"):
        out["member"] = members_of(data.get("data"), "data")
    elif meta == "union":
        out["member"] = members_of(data.get("base"), "base")
        out["branch"] = members_of(data.get("data"), "data")
    elif meta == "alternate":
        out["branch"] = members_of(data.get("data"), "data")
    elif isinstance(data.get("data"), list):
        out["value"] = values_of(data.get("data"))
    elif isinstance(data.get("data"), dict):
        out["member"] = members_of(data.get("data"), "data")
    return out


def scalars(meta: str, data: dict[str, object]) -> dict[str, object]:
    """Single-valued properties compared as a whole: what -> value."""
    out: dict[str, object] = {}
    if "if" in data:
        out["if"] = data["if"]
    if meta in ("struct", "union") and isinstance(data.get("base"), str):
        out["base"] = data["base"]
    if meta == "union" and isinstance(data.get("base"), dict):
        out["base"] = "(inline)"
    if "discriminator" in data:
        out["discriminator"] = data["discriminator"]
    if meta in ("command", "event"):
        if "data" in data and not isinstance(data["data"], dict):
            out["data"] = data["data"]
        if "boxed" in data:
            out["boxed"] = data["boxed"]
    if meta == "command":
        if "returns" in data:
            out["returns"] = data["returns"]
        for f in COMMAND_FLAGS:
            if f in data:
                out["flag:" + f] = data[f]
    return out


def show(v: object) -> str:
    """A value as QAPI writes it."""
    if isinstance(v, str):
        return f"'{v}'"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(show(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"'{k}': {show(x)}" for k, x in v.items()) + " }"
    return str(v)


def inherited_from(d: Definition, defs: Mapping[str, Definition]) -> Iterator[Definition]:
    """The definitions ``d`` takes members from, nearest first: its base chain, or
    the type a command's or event's ``data`` names (and that type's bases)."""
    seen = {d.name}
    while True:
        parent = d.data.get("data") if d.meta in ("command", "event") else (
            d.data.get("base") if d.meta in ("struct", "union") else None)
        nxt = defs.get(parent) if isinstance(parent, str) else None
        if nxt is None or nxt.name in seen:
            return
        seen.add(nxt.name)
        yield nxt
        d = nxt
