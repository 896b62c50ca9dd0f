"""b4 check hooks.

- ``b4`` (``b4.review-perpatch-check-cmd``, b4 >= 0.15): b4 pipes one patch
  mail on stdin and reads a JSON array of ``{"tool", "status", "summary",
  "url", "details"}`` (status pass/warn/fail); ``[]`` = nothing to report.
- ``b4-prep`` (``b4.prep-perpatch-check-cmd``, ``b4 prep --check``): b4 reads
  stdout like checkpatch's ``--terse --mailback``: every line is a problem,
  a line containing ``ERROR:`` fails the patch, any other line warns, and a
  clean patch prints nothing.  Notes are therefore left out of this mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qapilint.findings import Finding, Severity
from qapilint.reports.locate import counts_text
from qapilint.reports.model import Report
from qapilint.reports.safe import dumps, for_terminal

if TYPE_CHECKING:
    from qapilint.reports import RenderOptions

PREP_LABEL = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING"}


def status(findings: list[Finding]) -> str:
    worst = max((f.severity for f in findings), default=None)
    if worst == Severity.ERROR:
        return "fail"
    if worst == Severity.WARNING:
        return "warn"
    return "pass"


def _detail_line(f: Finding) -> str:
    # b4 prints details and prep lines on the user's terminal.
    loc = for_terminal(f.location())
    line = f"{loc + ': ' if loc else ''}{f.severity.label}: {for_terminal(f.message)} [{f.rule}]"
    if f.provenance:
        line += f"\n    {for_terminal(f.provenance)}"
    return line


def review_results(report: Report, tool: str = "qapilint", url: str | None = None) -> list[dict[str, Any]]:
    findings = [f for rep in report.patches for f in rep.findings]
    if not report.patches and not report.failures:
        return []
    if report.failures:
        st = "fail"
        summary = f"could not read input: {report.failures[0].where}: {report.failures[0].message}"
    else:
        st = status(findings)
        if not any(r.touches_qapi for r in report.patches):
            summary = "no QAPI schema file touched"
        elif findings:
            first = min(findings, key=lambda f: (-int(f.severity), f.sort_key()))
            summary = f"{counts_text(findings)}; first: {first.message} [{first.rule}]"
        else:
            summary = "QAPI schema changes look fine"
    details: list[str] = []
    many = len(report.patches) > 1
    for rep in report.patches:
        if many and rep.findings:
            details.append(for_terminal(rep.patch.subject or rep.patch.id))
        details.extend(_detail_line(f) for f in rep.findings)
        details.extend(f"note: {for_terminal(n)}" for n in rep.notes)
    details.extend(f"error: {for_terminal(x.where)}: {for_terminal(x.message)}" for x in report.failures)
    res: dict[str, Any] = {"tool": tool, "status": st, "summary": for_terminal(" ".join(summary.split()))}
    if url:
        res["url"] = url
    if details:
        res["details"] = "\n".join(details)
    return [res]


def prep_lines(report: Report) -> list[str]:
    out: list[str] = []
    for rep in report.patches:
        for f in rep.findings:
            label = PREP_LABEL.get(f.severity)
            if label is None:
                continue
            loc = for_terminal(f.location())
            out.append(f"{loc + ': ' if loc else ''}{label}: {for_terminal(' '.join(f.message.split()))} [{f.rule}]")
    out += [f"ERROR: {for_terminal(x.where)}: {for_terminal(x.message)}" for x in report.failures]
    return out


def render(report: Report, opts: RenderOptions | None = None) -> str:
    if opts is not None and opts.fmt == "b4-prep":
        return "".join(line + "\n" for line in prep_lines(report))
    tool = opts.tool if opts is not None else "qapilint"
    url = opts.url if opts is not None else None
    return dumps(review_results(report, tool, url))
