"""The patchwork check payload (``POST /api/patches/ID/checks/``).

Patchwork stores a check as state + context + description + target_url.  Its
model limits: ``context`` is a slug of at most 255 characters, ``target_url`` a
URL of at most 200 characters; the description is free text, but the patch
list shows it on one line, so it is kept to one short line here.
"""

from __future__ import annotations

import re
from typing import Literal, TypedDict

from qapilint.findings import Finding, Severity
from qapilint.reports.model import PatchReport, Report
from qapilint.reports.safe import dumps, one_line

CheckState = Literal["pending", "success", "warning", "fail"]

CONTEXT_MAX = 255
TARGET_URL_MAX = 200
DESCRIPTION_MAX = 200
DEFAULT_CONTEXT = "qapilint"

_SLUG_BAD = re.compile(r"[^-a-zA-Z0-9_]+")


class CheckPayload(TypedDict, total=False):
    state: CheckState
    context: str
    description: str
    target_url: str


def slugify_context(text: str) -> str:
    """A context patchwork accepts (Django SlugField: letters, digits, '-', '_')."""
    slug = _SLUG_BAD.sub("-", text.strip()).strip("-")[:CONTEXT_MAX].strip("-")
    return slug or DEFAULT_CONTEXT


def check_state(findings: list[Finding]) -> CheckState:
    worst = max((f.severity for f in findings), default=None)
    if worst is None or worst == Severity.NOTE:
        return "success"
    if worst == Severity.WARNING:
        return "warning"
    return "fail"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _one_line(text: str) -> str:
    return one_line(text)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def describe(report: PatchReport) -> str:
    """One line: counts by severity, then the first (most severe) finding."""
    findings = report.findings
    if not report.touches_qapi:
        return "no QAPI schema file touched"
    counts = [(sev, sum(1 for f in findings if f.severity == sev))
              for sev in (Severity.ERROR, Severity.WARNING, Severity.NOTE)]
    parts = [_plural(n, sev.label) for sev, n in counts if n]
    if not parts:
        text = "no findings"
        if report.expected_version:
            text += f" (expected version {report.expected_version})"
        return _clip(_one_line(text), DESCRIPTION_MAX)
    first = min(findings, key=lambda f: (-int(f.severity), f.sort_key()))
    loc = first.location()
    head = f"{loc}: " if loc else ""
    text = f"{', '.join(parts)}; first: {head}{first.message} [{first.rule}]"
    return _clip(_one_line(text), DESCRIPTION_MAX)


def payload(report: PatchReport, context: str = DEFAULT_CONTEXT,
            target_url: str | None = None) -> CheckPayload:
    """The JSON body to POST for one patch.

    A ``target_url`` longer than patchwork accepts is left out rather than
    truncated: a cut URL would point nowhere.
    """
    out: CheckPayload = {
        "state": check_state(report.findings),
        "context": slugify_context(context),
        "description": describe(report),
    }
    if target_url and len(target_url) <= TARGET_URL_MAX:
        out["target_url"] = target_url
    return out


def render(report: Report, context: str = DEFAULT_CONTEXT) -> str:
    """Payloads for every patch of a report, as a JSON list (``check --format patchwork``)."""
    items = [{"patch": r.patch.id, "check": payload(r, context)} for r in report.patches]
    return dumps(items)
