"""Helpers for the schema tests: hand-made, already normalised expressions (no tests here)."""

from __future__ import annotations

from typing import Any

from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.doc_model import DocBlock, DocSection
from qapilint.qapi.exprs import Expr, ParsedSchema, Pragma
from qapilint.qapi.schema import check_schema
from qapilint.source import SourceInfo

F = "t.json"
_METAS = ("enum", "struct", "union", "alternate", "command", "event")


def _feats(raw: list[Any]) -> list[dict[str, Any]]:
    return [f if isinstance(f, dict) else {"name": f} for f in raw]


def _members(raw: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in raw.items():
        spec = dict(v) if isinstance(v, dict) else {"type": v}
        if "features" in spec:
            spec["features"] = _feats(spec["features"])
        out[k] = spec
    return out


def norm(d: dict[str, Any]) -> dict[str, Any]:
    """The normal form expr.py hands over (shorthand in, dicts out)."""
    d = dict(d)
    meta = next(m for m in _METAS if m in d)
    if "features" in d:
        d["features"] = _feats(d["features"])
    if meta == "enum":
        d["data"] = [dict(v) if isinstance(v, dict) else {"name": v} for v in d["data"]]
        for v in d["data"]:
            if "features" in v:
                v["features"] = _feats(v["features"])
    elif meta in ("struct", "alternate", "union"):
        d["data"] = _members(d["data"])
        if meta == "union" and isinstance(d.get("base"), dict):
            d["base"] = _members(d["base"])
    elif isinstance(d.get("data"), dict):
        d["data"] = _members(d["data"])
    return d


def doc(symbol: str, line: int, members: tuple[str, ...] = (), features: tuple[str, ...] = ()) -> DocBlock:
    info = SourceInfo(F, line)
    secs = [DocSection("member", m, "text", SourceInfo(F, line + 1 + i)) for i, m in enumerate(members)]
    base = line + 1 + len(members)
    secs += [DocSection("feature", f, "text", SourceInfo(F, base + i)) for i, f in enumerate(features)]
    return DocBlock(info, base + len(features), symbol, info.at(line + 1), secs)


def schema_of(*defs: dict[str, Any] | tuple[dict[str, Any], DocBlock], pragma: Pragma | None = None,
              invalid: set[str] | None = None) -> tuple[Any, list[SchemaError]]:
    """Definitions on lines 10, 20, 30, ...; a (definition, doc) pair attaches a doc block."""
    exprs = []
    docs = []
    for i, d in enumerate(defs):
        data, block = (d if isinstance(d, tuple) else (d, None))
        exprs.append(Expr(norm(data), SourceInfo(F, 10 * (i + 1)), block))
        if block is not None:
            docs.append(block)
    parsed = ParsedSchema(F, exprs=exprs, docs=docs, pragma=pragma or Pragma(), files=[F])
    return check_schema(parsed, exprs, invalid or set())


def msgs(*defs: Any, **kw: Any) -> list[tuple[str, int, str]]:
    _s, errs = schema_of(*defs, **kw)
    return [(e.rule, e.info.line, e.message) for e in errs]


def first(*defs: Any, **kw: Any) -> tuple[str, int, str] | None:
    found = msgs(*defs, **kw)
    return found[0] if found else None
