"""Deterministic stand-ins for the converter and the check pipeline (tests and benchmark).

The fake checker's verdict follows from the diff alone, so tests can compute
the expected payload independently: an added line with ``TODO`` is an error,
an added ``(since X.Y)`` / ``Since: X.Y`` that is not 11.0 is a warning, and
a line with ``FAKE-CRASH`` makes the checker raise, ``FAKE-HANG`` never return,
``FAKE-HOG`` allocate memory until it fails.
"""

from __future__ import annotations

import re
import time
from typing import Any

from qapilint.findings import Finding, Severity
from qapilint.patch import FileDiff, Patch, Series
from qapilint.pipeline import CheckOptions
from qapilint.reports.model import PatchReport

_GIT = re.compile(r"^diff --git a/(\S+) b/(\S+)$", re.MULTILINE)
_SINCE = re.compile(r"[Ss]ince:?\s+(\d+\.\d+)")
EXPECTED = "11.0"
CALLS: list[tuple[str, str | None, int]] = []   # (patch id, options.base, series size), in-process only


def fake_convert(data: dict[str, Any], where: str) -> Patch:
    diff = data.get("diff") or ""
    files = [FileDiff(old_path=m.group(1), new_path=m.group(2)) for m in _GIT.finditer(diff)]
    prefixes = data.get("prefixes") or []
    number = total = None
    for p in prefixes:
        if re.fullmatch(r"\d+/\d+", p):
            number, total = (int(x) for x in p.split("/"))
    return Patch(id=str(data["id"]), subject=data.get("name") or "", diff=diff, files=files, source=where,
                 number=number, total=total)


def fake_check(patch: Patch, options: CheckOptions, series: Series | None) -> PatchReport:
    CALLS.append((patch.id, options.base, len(series.patches) if series else 0))
    findings: list[Finding] = []
    path = ""
    for n, line in enumerate(patch.diff.splitlines(), 1):
        if line.startswith("+++ b/"):
            path = line[6:]
            continue
        if not line.startswith("+") or not path.endswith(".json"):
            continue
        if "FAKE-CRASH" in line:
            raise RuntimeError("fake checker crash")
        if "FAKE-HANG" in line:          # a check that never ends
            while True:
                time.sleep(0.05)
        if "FAKE-HOG" in line:           # a check whose memory grows without bound
            hog = []
            while True:
                hog.append(bytearray(16 * 1024 * 1024))
        if "TODO" in line:
            findings.append(Finding("fake-todo", Severity.ERROR, "TODO left in the schema", file=path, patch_line=n))
        m = _SINCE.search(line)
        if m and m.group(1) != EXPECTED:
            findings.append(Finding("fake-since", Severity.WARNING, f"expected {EXPECTED}, not {m.group(1)}",
                                    file=path, patch_line=n))
    return PatchReport(patch=patch, findings=findings, expected_version=EXPECTED)


def expected_state(diff: str) -> str:
    """What fake_check's verdict is for a diff, computed separately for assertions."""
    added = [ln for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    if any("TODO" in ln for ln in added):
        return "fail"
    if any((m := _SINCE.search(ln)) and m.group(1) != EXPECTED for ln in added):
        return "warning"
    return "success"
