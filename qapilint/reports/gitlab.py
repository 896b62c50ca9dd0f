"""GitLab Code Quality report (a JSON array; ``artifacts:reports:codequality``).

Each issue needs description, check_name, fingerprint, severity
(info/minor/major/critical/blocker) and location.path + location.lines.begin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qapilint.findings import Finding, Severity
from qapilint.reports.fingerprint import fingerprints
from qapilint.reports.model import PatchReport, Report
from qapilint.reports.safe import dumps

if TYPE_CHECKING:
    from qapilint.reports import RenderOptions

SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.NOTE: "info"}


def issue(f: Finding, rep: PatchReport, fingerprint: str) -> dict[str, Any]:
    desc = f.message if not f.provenance else f"{f.message} ({f.provenance})"
    # GitLab needs a path; a finding about the commit message has none, so it
    # is filed under the patch it came from.
    path = f.file or rep.patch.source or rep.patch.id
    return {
        "type": "issue",
        "description": desc,
        "check_name": f.rule,
        "categories": ["Style"] if f.severity == Severity.NOTE else ["Bug Risk"],
        "fingerprint": fingerprint,
        "severity": SEVERITY[f.severity],
        "location": {"path": path, "lines": {"begin": f.line if f.line and f.line > 0 else 1}},
    }


def render(report: Report, opts: RenderOptions | None = None) -> str:
    prints = fingerprints(report)
    items = [issue(f, rep, prints[id(f)]) for rep in report.patches for f in rep.findings]
    return dumps(items)
