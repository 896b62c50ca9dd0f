"""Report files the check's target_url points at (``--report-dir`` / ``--report-url``)."""

from __future__ import annotations

import dataclasses
import enum
import importlib
import json
import os
import tempfile
from typing import Any

from qapilint.reports.model import PatchReport, Report


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, enum.Enum):
        return obj.name.lower()
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return str(obj)


def to_json(report: PatchReport) -> str:
    """A self-contained JSON view, used until (or unless) the HTML renderer is there."""
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


def _html(report: PatchReport) -> str | None:
    try:
        mod = importlib.import_module("qapilint.reports.html")
    except ModuleNotFoundError as e:
        if e.name != "qapilint.reports.html":
            raise
        return None
    render = getattr(mod, "render", None)
    if render is None:
        return None
    text = render(Report(patches=[report]))
    return text if isinstance(text, str) else None


def write_report(report: PatchReport, directory: str, base_url: str, name: str) -> str:
    """Write the report for one patch; return its URL (HTML when available, else JSON)."""
    text = _html(report)
    ext = "html"
    if text is None:
        text, ext = to_json(report), "json"
    os.makedirs(directory, exist_ok=True)
    filename = f"{name}.{ext}"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix="." + ext)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, os.path.join(directory, filename))
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return base_url.rstrip("/") + "/" + filename
