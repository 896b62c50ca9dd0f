"""Helpers shared by the renderers: source lines, patch-line lookup, fingerprints, counts."""

from __future__ import annotations

import re
from collections import Counter

from qapilint.findings import Finding, Severity
from qapilint.patch import FileDiff, Hunk, HunkLine, Patch
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


# --- where a reply comment goes (email) -------------------------------------

_META = r"(?:struct|union|enum|alternate|command|event)"
_DOC_ITEM = re.compile(r"^#\s*@(?P<name>[\w-]+):")
_DOC_MORE = re.compile(r"^#\s{2,}\S")
# Rules whose fix goes into the member's description, so the comment goes under it.
_ABOUT_DESCRIPTION = frozenset({"compat-optional-absence", "since-member-missing"})


def _index_of(report: PatchReport, ln: HunkLine) -> tuple[int, int, int] | None:
    for fi, fd in enumerate(report.patch.files):
        for hi, h in enumerate(fd.hunks):
            for li, other in enumerate(h.lines):
                if other is ln:
                    return fi, hi, li
    return None


def _find_in_file(report: PatchReport, fi: int, pattern: re.Pattern[str]) -> tuple[int, int, int] | None:
    """The first added or context line of file ``fi`` matching ``pattern``."""
    for hi, h in enumerate(report.patch.files[fi].hunks):
        for li, ln in enumerate(h.lines):
            if ln.kind != "-" and pattern.search(ln.text):
                return fi, hi, li
    return None


def _description_end(h: Hunk, li: int) -> int:
    """The last line of the doc paragraph starting or continuing at ``li``."""
    if not (_DOC_ITEM.match(h.lines[li].text) or _DOC_MORE.match(h.lines[li].text)):
        return li
    kind_ok = h.lines[li].kind
    while (li + 1 < len(h.lines) and h.lines[li + 1].kind in (kind_ok, " ")
           and _DOC_MORE.match(h.lines[li + 1].text)):
        li += 1
    return li


def anchor_of(report: PatchReport, f: Finding) -> tuple[int, int, int] | None:
    """(file, hunk, line) indexes of the diff line a reply comment on ``f`` belongs under.

    Usually the line the finding points at; a missing 'Since:' goes under the
    definition, a missing note about a member under the member's description,
    and a comment on a description under its last line.
    """
    hit = hunk_line_at(report, f)
    at = _index_of(report, hit[1]) if hit is not None else None
    # The line number may be off (a patch applied at an offset); the file and the names are not.
    fi = at[0] if at is not None else next(
        (i for i, fd in enumerate(report.patch.files) if f.file is not None and fd.path == f.file), None)
    if fi is None:
        return None
    if f.rule == "since-missing" and f.definition:
        at = _find_in_file(report, fi, re.compile(rf"'{_META}'\s*:\s*'{re.escape(f.definition)}'")) or at
    elif f.rule in _ABOUT_DESCRIPTION and f.item:
        at = _find_in_file(report, fi, re.compile(rf"^#\s*@{re.escape(f.item)}:")) or at
    if at is None:
        return None
    fi, hi, li = at
    return fi, hi, _description_end(report.patch.files[fi].hunks[hi], li)


def context_start(h: Hunk, li: int, n: int) -> int:
    """First of up to ``n`` lines quoted above line ``li``; bare '#' lines at the top say nothing."""
    start = max(li - n, 0)
    while start < li and h.lines[start].text.strip() in ("", "#"):
        start += 1
    return start


def heading_index(h: Hunk, li: int, definitions: set[str]) -> int | None:
    """The nearest line above ``li`` in the hunk naming one of ``definitions`` ('# @Name:' or the definition)."""
    if not definitions:
        return None
    names = "|".join(re.escape(d) for d in sorted(definitions))
    pat = re.compile(rf"^#\s*@(?:{names}):\s*$|'{_META}'\s*:\s*'(?:{names})'")
    for i in range(li - 1, -1, -1):
        if h.lines[i].kind != "-" and pat.search(h.lines[i].text):
            return i
    return None


def message_line_of(patch: Patch, f: Finding) -> int | None:
    """Index of the commit message line a message finding is about (the one quoting its member)."""
    lines = patch.message.splitlines()
    for needle in (f"'{f.item}'" if f.item else None, f.item, f.definition):
        if needle:
            for i, line in enumerate(lines):
                if needle in line:
                    return i
    return None
