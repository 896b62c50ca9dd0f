"""Finding fingerprints: what a finding is about, never where the lines happen to be.

Code-scanning services (GitHub, GitLab) merge findings that share a
fingerprint and track one across pushes by it.  So a fingerprint must be
unique within a report, and the same after a rebase that moves the file's
lines.  It hashes the rule, the file, the definition and item, the message
with any line numbers taken out, and the text of the line the finding points
at (three 'version tag changed' findings in one file differ only there).
Findings equal in all of that are told apart by their order of occurrence.
"""

from __future__ import annotations

import hashlib
import re

from qapilint.findings import Finding
from qapilint.reports.locate import message_line_of, source_line
from qapilint.reports.model import PatchReport, Report

# 'line 12', 'lines 3-5', 'file.json:12:4': positions that move with unrelated edits.
_POSITIONS = re.compile(r"\b(lines?)\s+\d+(?:\s*[-,]\s*\d+)*|(\.json):\d+(?::\d+)?", re.IGNORECASE)


def _position(m: re.Match[str]) -> str:
    return f"{m.group(1)} N" if m.group(1) else m.group(2)


def _plain(text: str) -> str:
    return " ".join(_POSITIONS.sub(_position, text).split())


def _anchor_text(rep: PatchReport, f: Finding) -> str:
    """The content of the line the finding points at: stable when the line moves."""
    if f.file is not None:
        src = source_line(rep, f) if f.line is not None else None
        return _plain(src) if src is not None else ""
    i = message_line_of(rep.patch, f)
    return _plain(rep.patch.message.splitlines()[i]) if i is not None else ""


def key_of(rep: PatchReport, f: Finding) -> str:
    parts = (f.rule, f.file or "", f.definition or "", f.item or "", _plain(f.message), _anchor_text(rep, f))
    return "\x1f".join(parts)


def fingerprints(report: Report) -> dict[int, str]:
    """id(finding) -> 64 hex digits, for every finding of ``report`` (unique within it)."""
    out: dict[int, str] = {}
    seen: dict[str, int] = {}
    for rep in report.patches:
        for f in rep.findings:
            key = key_of(rep, f)
            n = seen.get(key, 0)
            seen[key] = n + 1
            # The first occurrence keeps the plain key, so adding a duplicate later changes no print.
            text = key if n == 0 else f"{key}\x1e{n}"
            out[id(f)] = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return out
