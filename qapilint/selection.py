"""Which findings are reported: select / ignore / extend-select, per-path ignores, severity overrides.

Selectors are rule ids, family names, id prefixes (``since-``) or ``ALL``.
As in ruff, the most specific selector that matches a rule decides: an exact
id beats a prefix, a longer prefix beats a shorter one, and at equal
specificity ``ignore`` wins.  So ``--select version --ignore since-`` keeps
nothing of the version family, while ``--ignore version --select
since-mismatch`` keeps exactly that rule.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field

from qapilint.checks.registry import FAMILIES, registry
from qapilint.findings import Finding, Severity


def specificity(selector: str, rule: str, family: str) -> int:
    """How closely ``selector`` names ``rule`` (0 = not at all)."""
    sel = selector.strip()
    if not sel:
        return 0
    if sel.upper() == "ALL":
        return 1
    if sel == rule:
        return 10_000
    if sel == family:
        return 2 + len(sel)
    if rule.startswith(sel):
        return 2 + len(sel)
    return 0


def unknown_selectors(selectors: Iterable[str]) -> list[str]:
    """Selectors that name no registered rule nor a known family."""
    reg = registry()
    families = set(FAMILIES) | {r.family for r in reg.values()}
    bad = []
    for s in selectors:
        s = s.strip()
        if not s or s.upper() == "ALL" or s in families:
            continue
        if not any(specificity(s, r.id, r.family) for r in reg.values()):
            bad.append(s)
    return bad


@dataclass
class Selection:
    select: list[str] | None = None        # None = every rule
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)

    def _best(self, selectors: Iterable[str], rule: str, family: str) -> int:
        return max((specificity(s, rule, family) for s in selectors), default=0)

    def enabled(self, rule: str, family: str = "") -> bool:
        positive = list(self.select) if self.select is not None else ["ALL"]
        pos = self._best([*positive, *self.extend_select], rule, family)
        neg = self._best(self.ignore, rule, family)
        return pos > 0 and pos > neg

    def ignored_by_path(self, f: Finding) -> bool:
        if not f.file or not self.per_path_ignores:
            return False
        for pattern, rules in self.per_path_ignores.items():
            matches = fnmatch.fnmatch(f.file, pattern) or fnmatch.fnmatch(f.file, f"*/{pattern}")
            if matches and self._best(rules, f.rule, f.family) > 0:
                return True
        return False

    def severity_for(self, f: Finding) -> Severity:
        # The most specific severity override wins, like selection.
        best, sev = 0, f.severity
        for sel, s in self.severity.items():
            k = specificity(sel, f.rule, f.family)
            if k > best:
                best, sev = k, s
        return sev

    def apply(self, findings: list[Finding]) -> list[Finding]:
        out = []
        for f in findings:
            family = f.family or (registry()[f.rule].family if f.rule in registry() else "")
            if not self.enabled(f.rule, family) or self.ignored_by_path(f):
                continue
            sev = self.severity_for(f)
            if sev != f.severity:
                f.severity = sev
            out.append(f)
        return out

    def all_selectors(self) -> list[str]:
        sels = list(self.select or []) + self.ignore + self.extend_select + list(self.severity)
        for rules in self.per_path_ignores.values():
            sels += rules
        return sels
