"""Helpers shared by the renderers: source lines, patch-line lookup, fingerprints, counts."""

from __future__ import annotations

import hashlib
from collections import Counter

from qapilint.findings import Finding, Severity
from qapilint.patch import FileDiff, HunkLine
from qapilint.reports.model import PatchReport, Report

SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.NOTE)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def severity_counts(findings: list[Finding]) -> dict[Severity, int]:
    c = Counter(f.severity for f in findings)
    return {s: c.get(s, 0) for s in SEVERITY_ORDER}


def counts_text(findings: list[Finding]) -> str:
    """'2 errors, 1 warning' (empty string when there is nothing)."""
    return ", ".join(plural(n, s.label) for s, n in severity_counts(findings).items() if n)


def all_findings(report: Report) -> list[Finding]:
    return [f for p in report.patches for f in p.findings]


def fingerprint(f: Finding) -> str:
    """A hash that survives unrelated edits: no line numbers, only what the finding is about.

    Two findings of one rule on the same definition and item with the same
    message are the same problem even when the patch moved them down a file.
    """
    parts = (f.rule, f.file or "", f.definition or "", f.item or "", " ".join(f.message.split()))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def hunk_line_at(report: PatchReport, f: Finding) -> tuple[FileDiff, HunkLine] | None:
    """The diff line a finding is about: by its patch line, else by file and post-image line."""
    files = report.patch.files
    if f.patch_line is not None:
        for fd in files:
            for h in fd.hunks:
                for ln in h.lines:
                    if ln.patch_line == f.patch_line:
                        return fd, ln
    if f.file is not None and f.line is not None:
        for fd in files:
            if fd.path != f.file:
                continue
            for h in fd.hunks:
                for ln in h.lines:
                    if ln.kind != "-" and ln.new_no == f.line:
                        return fd, ln
    return None


def source_line(report: PatchReport, f: Finding) -> str | None:
    """The text of the line a finding points at, in the patched file."""
    if f.file is not None and f.line is not None and report.changes is not None:
        for fr in report.changes.files:
            if fr.path == f.file and fr.after_text is not None:
                lines = fr.after_text.splitlines()
                if 1 <= f.line <= len(lines):
                    return lines[f.line - 1]
    hit = hunk_line_at(report, f)
    return hit[1].text if hit is not None else None


def caret_line(text: str, col: int) -> str:
    """Spaces (tabs kept, so the caret lines up in a terminal) then '^' under column ``col``."""
    prefix = text[: max(col - 1, 0)]
    return "".join("\t" if ch == "\t" else " " for ch in prefix) + "^"


def provenance_lines(f: Finding) -> list[str]:
    out: list[str] = []
    if f.provenance:
        out.append(f.provenance)
    out.extend(f.notes)
    return out
