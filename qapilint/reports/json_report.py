"""The JSON report: a stable contract described by qapilint/data/report.schema.json.

Top level: ``format_version``, ``tool``, ``inputs``, ``tree``, ``failures``,
``summary`` and ``patches``; each patch has ``id``, ``subject``, the ChangeSet
(``change_summary``, ``changes``, ``files``) and ``findings``.  Fields are only
ever added; a consumer can ignore what it does not know.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from qapilint.changes.model import Change, FileRebuild
from qapilint.findings import Finding, Fix
from qapilint.reports.fingerprint import fingerprints
from qapilint.reports.locate import all_findings, severity_counts
from qapilint.reports.model import PatchReport, Report
from qapilint.reports.safe import dumps, plain

if TYPE_CHECKING:
    from qapilint.reports import RenderOptions

FORMAT_VERSION = 1


def fix_dict(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {"description": fix.description,
            "edits": [{"file": e.file, "start_line": e.start_line, "start_col": e.start_col, "end_line": e.end_line,
                       "end_col": e.end_col, "new_text": e.new_text, "old_text": e.old_text} for e in fix.edits]}


def finding_dict(f: Finding, fingerprint: str) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "family": f.family,
        "severity": f.severity.label,
        "message": f.message,
        "file": f.file,
        "line": f.line,
        "col": f.col,
        "patch_line": f.patch_line,
        "definition": f.definition,
        "item": f.item,
        "provenance": f.provenance,
        "notes": list(f.notes),
        "fingerprint": fingerprint,
        "fix": fix_dict(f.fix),
    }



def change_dict(c: Change) -> dict[str, Any]:
    return {
        "op": c.op,
        "what": c.what,
        "definition": c.definition,
        "name": c.name,
        "meta": c.meta,
        "partial": c.partial,
        "file": c.file or None,
        "line": c.line,
        "patch_line": c.patch_lines[0] if c.patch_lines else None,
        "patch_lines": list(c.patch_lines),
        "before": plain(c.before),
        "after": plain(c.after),
        "detail": c.detail,
    }


def file_dict(fr: FileRebuild) -> dict[str, Any]:
    return {"path": fr.path, "rebuild": fr.rebuild, "unplaced_hunks": fr.unplaced_hunks, "notes": list(fr.notes)}


def patch_dict(rep: PatchReport, prints: dict[int, str]) -> dict[str, Any]:
    p = rep.patch
    pc = rep.changes
    changes = pc.changes if pc is not None else []
    ops = Counter(c.op for c in changes)
    return {
        "id": p.id,
        "subject": p.subject or p.title,
        "title": p.title,
        "author": p.author or None,
        "email": p.email or None,
        "date": p.date.isoformat() if p.date else None,
        "msgid": p.msgid,
        "source": p.source or None,
        "touches_qapi": rep.touches_qapi,
        "expected_version": rep.expected_version,
        "expected_version_source": rep.expected_version_source,
        "preexisting": rep.preexisting,
        "notes": list(rep.notes),
        "change_summary": {
            "added": ops.get("added", 0),
            "removed": ops.get("removed", 0),
            "changed": ops.get("changed", 0),
            "definitions_added": sorted({c.definition for c in changes
                                         if c.op == "added" and c.what == "definition"}),
            "complete": bool(pc is not None and pc.after.complete),
        },
        "changes": [change_dict(c) for c in changes],
        "files": [file_dict(fr) for fr in (pc.files if pc is not None else [])],
        "findings": [finding_dict(f, prints[id(f)]) for f in rep.findings],
    }


def report_dict(report: Report) -> dict[str, Any]:
    findings = all_findings(report)
    counts = severity_counts(findings)
    prints = fingerprints(report)
    return {
        "format_version": FORMAT_VERSION,
        "tool": {"name": "qapilint", "version": report.tool_version},
        "inputs": list(report.inputs),
        "tree": report.tree,
        "failures": [{"where": x.where, "message": x.message} for x in report.failures],
        "summary": {
            "patches": len(report.patches),
            "findings": len(findings),
            **{s.label + "s": n for s, n in counts.items()},
            "by_rule": dict(sorted(Counter(f.rule for f in findings).items())),
            **({"fixed": report.fixed} if report.fixed is not None else {}),
        },
        "patches": [patch_dict(r, prints) for r in report.patches],
    }


def render(report: Report, opts: RenderOptions | None = None) -> str:
    return dumps(report_dict(report))
