"""SARIF 2.1.0 output, validated against the official schema (shared data; skipped without it)."""

from __future__ import annotations

import copy
import csv
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped,unused-ignore]
import pytest
from test_reports_factory import make_report, make_series

from qapilint.checks.registry import registry
from qapilint.findings import replace_in_line
from qapilint.reports import RenderOptions, render
from qapilint.reports.model import Report


@pytest.fixture(scope="module")
def sarif_schema(data_dir: Path) -> dict[str, Any]:
    p = data_dir / "schemas" / "sarif-schema-2.1.0.json"
    if not p.exists():
        pytest.skip("SARIF schema not available")
    data: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
    return data


def _sarif(report: Report, schema: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(render("sarif", report, RenderOptions()))
    jsonschema.Draft4Validator(schema).validate(doc)
    return doc


def test_sarif_validates_and_locates_findings(sarif_schema: dict[str, Any]) -> None:
    report = make_series()
    run = _sarif(report, sarif_schema)["runs"][0]
    findings = [f for r in report.patches for f in r.findings]
    assert len(run["results"]) == len(findings)
    for res, f in zip(run["results"], findings, strict=True):
        assert res["ruleId"] == f.rule
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == f.rule
        assert res["level"] == f.severity.label
        phys = res["locations"][0]["physicalLocation"]
        if f.file:
            region = phys["region"]
            assert phys["artifactLocation"]["uri"] == f.file
            assert (region["startLine"], region.get("startColumn")) == (f.line, f.col)
        else:
            # A note about the patch as a whole points at its commit message, carried as an artifact.
            art = run["artifacts"][phys["artifactLocation"]["index"]]
            assert art["location"]["uri"] == phys["artifactLocation"]["uri"]
            assert art["location"]["uri"].endswith("/COMMIT_MSG")
            assert report.patches[0].patch.message in art["contents"]["text"]
    assert all(r.get("locations") for r in run["results"])


def test_driver_lists_registered_rules(sarif_schema: dict[str, Any]) -> None:
    driver = _sarif(make_report(findings=False), sarif_schema)["runs"][0]["tool"]["driver"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == list(registry())
    for desc in driver["rules"]:
        rule = registry()[desc["id"]]
        assert desc["shortDescription"]["text"] == rule.summary
        assert desc["defaultConfiguration"]["level"] == rule.severity.label
        assert desc["helpUri"].startswith("https://")


def _shifted(report: Report, n: int) -> Report:
    """The same patch rebased onto a file with ``n`` more lines above it."""
    for rep in report.patches:
        for fd in rep.patch.files:
            for h in fd.hunks:
                h.old_start += n
                h.new_start += n
                for ln in h.lines:
                    ln.old_no = ln.old_no + n if ln.old_no is not None else None
                    ln.new_no = ln.new_no + n if ln.new_no is not None else None
        for f in rep.findings:
            f.line = f.line + n if f.line is not None else None
        if rep.changes is not None:
            for fr in rep.changes.files:
                fr.after_text = "".join(f"# moved {i}\n" for i in range(n)) + (fr.after_text or "")
    return report


def test_fingerprints_survive_line_moves(sarif_schema: dict[str, Any]) -> None:
    fa = [r["partialFingerprints"] for r in _sarif(make_report(), sarif_schema)["runs"][0]["results"]]
    fb = [r["partialFingerprints"] for r in _sarif(_shifted(make_report(), 7), sarif_schema)["runs"][0]["results"]]
    assert fa == fb
    assert len({json.dumps(x) for x in fa}) == len(fa)  # distinct findings, distinct prints


def test_equal_findings_on_different_lines_get_distinct_prints(sarif_schema: dict[str, Any]) -> None:
    report = make_report()
    rep = report.patches[0]
    first = rep.findings[0]
    # The same message on another line (like three 'version tag changed' in one file), and a true duplicate.
    other = copy.copy(first)
    other.line = first.line + 1 if first.line is not None else None
    twin = copy.copy(first)
    rep.findings += [other, twin]
    results = _sarif(report, sarif_schema)["runs"][0]["results"]
    prints = [r["partialFingerprints"]["qapilintFinding/v2"] for r in results]
    assert len(set(prints)) == len(prints)
    # The first of two identical findings keeps the print it had alone.
    assert prints[0] == _sarif(make_report(), sarif_schema)["runs"][0]["results"][0]["partialFingerprints"][
        "qapilintFinding/v2"]


def test_fixes_are_replacements_of_regions(sarif_schema: dict[str, Any]) -> None:
    report = make_report()
    f = report.patches[0].findings[0]
    f.fix = replace_in_line(f.file or "", f.line or 0, "# Since: 10.2", f.col or 0, "10.2", "11.1")
    assert f.fix is not None
    res = _sarif(report, sarif_schema)["runs"][0]["results"][0]
    (fix,) = res["fixes"]
    assert fix["description"]["text"] == "replace '10.2' with '11.1'"
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == f.file
    (rep,) = change["replacements"]
    assert rep["deletedRegion"] == {"startLine": f.line, "startColumn": f.col, "endLine": f.line,
                                    "endColumn": (f.col or 0) + 4}
    assert rep["insertedContent"]["text"] == "11.1"


def _sarif_tools() -> str:
    exe = shutil.which("sarif")
    if exe is None:
        pytest.skip("sarif-tools is not installed (pip install sarif-tools)")
    return exe


def test_sarif_tools_reads_every_result(tmp_path: Path) -> None:
    """sarif-tools, a real SARIF consumer, counts every result by level and lists each with its file."""
    exe = _sarif_tools()
    report = make_series()
    out = tmp_path / "qapilint.sarif"
    out.write_text(render("sarif", report, RenderOptions()), encoding="utf-8")
    summary = subprocess.run([exe, "summary", str(out)], capture_output=True, text=True, timeout=120)
    assert summary.returncode == 0, summary.stderr
    findings = [f for r in report.patches for f in r.findings]
    for level in ("error", "warning", "note"):
        n = sum(1 for f in findings if f.severity.label == level)
        assert re.search(rf"^{level}: {n}\b", summary.stdout, re.MULTILINE), summary.stdout
    csv_out = tmp_path / "out.csv"
    res = subprocess.run([exe, "csv", "--output", str(csv_out), str(out)], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(csv_out.open(encoding="utf-8")))
    assert len(rows) == len(findings)
    assert {row["Location"] for row in rows} >= {f.file for f in findings if f.file}
