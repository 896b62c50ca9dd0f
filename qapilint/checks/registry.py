"""The one place every rule is registered: id, family, default severity, summary, explain text.

Each family module defines ``RULES: tuple[Rule, ...]``; this module lists the
family modules and builds the index lazily (importing check code is not
needed to list or explain rules).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from qapilint.findings import Finding, Severity

FAMILIES = ("input", "schema", "version", "compat", "docs", "message", "cname", "release", "example")

# Modules holding RULES tuples.  Add a module here when adding a family module.
RULE_MODULES = (
    "qapilint.checks.input_rules",
    "qapilint.qapi.rules",
    "qapilint.checks.version_rules",
    "qapilint.checks.compat_rules",
    "qapilint.checks.docs_rules",
    "qapilint.checks.message_rules",
    "qapilint.checks.cname_rules",
    "qapilint.checks.release_rules",
    "qapilint.checks.example_rules",
)


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    severity: Severity
    summary: str
    explain: str = ""
    # First QEMU release whose frontend enforces this rule ("10.2"), for
    # schema rules that QEMU added over time; None = always.
    qemu_since: str | None = None

    def finding(self, message: str, **kw: object) -> Finding:
        return Finding(rule=self.id, severity=self.severity, message=message,
                       family=self.family, **kw)  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def registry() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for modname in RULE_MODULES:
        for r in importlib.import_module(modname).RULES:
            if r.id in rules:
                raise RuntimeError(f"rule id {r.id} registered twice")
            rules[r.id] = r
    return rules


def get(rule_id: str) -> Rule:
    return registry()[rule_id]


def select(ids_or_prefixes: Iterable[str]) -> set[str]:
    """Rule ids matched by ids, family names or id prefixes (``version``, ``doc-``)."""
    out: set[str] = set()
    reg = registry()
    for sel in ids_or_prefixes:
        sel = sel.strip()
        if not sel:
            continue
        if sel.upper() == "ALL":
            out.update(reg)
            continue
        hit = {r.id for r in reg.values() if r.id == sel or r.family == sel or r.id.startswith(sel)}
        if not hit:
            raise ValueError(f"unknown rule or family {sel!r}")
        out |= hit
    return out
