"""Compiler-style text: ``FILE:LINE:COL: severity: message [rule-id]``.

A series gets one heading per patch (its subject); provenance and notes are
indented under their finding; ``show_source`` quotes the line with a caret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qapilint.findings import Finding, Severity
from qapilint.reports.locate import all_findings, caret_line, counts_text, plural, provenance_lines, source_line
from qapilint.reports.model import PatchReport, Report
from qapilint.reports.safe import for_terminal

if TYPE_CHECKING:
    from qapilint.reports import RenderOptions

_RESET = "\033[0m"
_BOLD = "\033[1m"
_DIM = "\033[2m"
_SEV_COLOR = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;35m", Severity.NOTE: "\033[1;36m"}
_GREEN = "\033[1;32m"


class _Paint:
    def __init__(self, on: bool) -> None:
        self.on = on

    def __call__(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.on and text else text


def format_finding(f: Finding, report: PatchReport | None, opts: RenderOptions) -> list[str]:
    # Messages, names and source lines come from the patch: control characters in them
    # (a terminal escape sequence, say) are shown, never sent to the terminal.
    esc = for_terminal
    paint = _Paint(opts.color)
    loc = esc(f.location())
    head = paint(_BOLD, loc + ":") + " " if loc else ""
    sev = paint(_SEV_COLOR[f.severity], f.severity.label + ":")
    lines = [f"{head}{sev} {esc(f.message)} {paint(_DIM, '[' + esc(f.rule) + ']')}"]
    if opts.show_source and report is not None:
        src = source_line(report, f)
        if src is not None and f.line is not None:
            gutter = f"{f.line:>5} | "
            lines.append(gutter + esc(src))
            if f.col is not None:
                shown = esc(src[:f.col - 1])  # the caret goes under the escaped text as printed
                lines.append(" " * (len(gutter) - 2) + "| " + paint(_GREEN, caret_line(shown, len(shown) + 1)))
    lines.extend("    " + paint(_DIM, esc(p)) for p in provenance_lines(f))
    if f.fix is not None:
        lines.append("    " + paint(_GREEN, "fix: " + esc(f.fix.description)))
    return lines


def _heading(rep: PatchReport) -> str:
    return for_terminal(rep.patch.subject or rep.patch.title or rep.patch.id)


def render(report: Report, opts: RenderOptions) -> str:
    paint = _Paint(opts.color)
    out: list[str] = []
    many = len(report.patches) > 1
    for rep in report.patches:
        if many and not opts.quiet:
            if out:
                out.append("")
            out.append(paint(_BOLD, f"== {_heading(rep)}"))
        for f in rep.findings:
            out.extend(format_finding(f, rep, opts))
        if not opts.quiet:
            out.extend(paint(_DIM, f"note: {for_terminal(n)}") for n in rep.notes)
    if not opts.quiet:
        findings = all_findings(report)
        if out:
            out.append("")
        out.append(summary_line(report, findings))
    return "\n".join(out) + "\n" if out else ""


def summary_line(report: Report, findings: list[Finding]) -> str:
    where = report.scope or plural(len(report.patches), "patch").replace("patchs", "patches")
    failed = f"; {plural(len(report.failures), 'input')} could not be read" if report.failures else ""
    if report.fixed is not None:
        fixed = f"{report.fixed} fixed"
        if not findings:
            return f"No problems remain in {where} ({fixed}){failed}."
        return (f"Found {plural(len(findings), 'remaining problem')} ({counts_text(findings)}) in {where} "
                f"({fixed}){failed}.")
    if not findings:
        return f"No problems found in {where}{failed}."
    return f"Found {plural(len(findings), 'problem')} ({counts_text(findings)}) in {where}{failed}."
