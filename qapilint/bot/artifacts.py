"""Report files the check's target_url points at (``--report-dir`` / ``--report-url``)."""

from __future__ import annotations

import dataclasses
import enum
import json
import logging
import os
import tempfile
from typing import Any

from qapilint.reports.model import PatchReport, Report

log = logging.getLogger("qapilint.bot")


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, enum.Enum):
        return obj.name.lower()
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return str(obj)


def to_json(report: PatchReport) -> str:
    """A self-contained JSON view (the fallback when the HTML page cannot be rendered)."""
    p = report.patch
    data = {
        "patch": {"id": p.id, "subject": p.subject, "author": p.author, "date": p.date, "source": p.source},
        "expected_version": report.expected_version,
        "expected_version_source": report.expected_version_source,
        "findings": [dataclasses.asdict(f) for f in report.findings],
        "notes": report.notes,
        "preexisting": report.preexisting,
    }
    return json.dumps(data, indent=2, default=_jsonable) + "\n"


def _html(report: PatchReport) -> str:
    from qapilint.reports import html_page

    return html_page.render(Report(patches=[report]))


def write_report(report: PatchReport, directory: str, base_url: str, name: str) -> str:
    """Write the report for one patch as an HTML page; return its URL."""
    try:
        text, ext = _html(report), "html"
    except Exception as e:   # a renderer's bug must not cost the check: the JSON view says the same
        log.warning("patch %s: HTML report failed (%s: %s); writing JSON", report.patch.id, type(e).__name__, e)
        text, ext = to_json(report), "json"
    os.makedirs(directory, exist_ok=True)
    filename = f"{name}.{ext}"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix="." + ext)
    try:
        # errors="replace": a lone surrogate from a patch must not lose the report.
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, os.path.join(directory, filename))
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return base_url.rstrip("/") + "/" + filename
