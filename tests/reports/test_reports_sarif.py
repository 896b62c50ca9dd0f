"""SARIF 2.1.0 output, validated against the official schema (shared data; skipped without it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped,unused-ignore]
import pytest
from test_reports_factory import make_report, make_series

from qapilint.checks.registry import registry
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
        if f.file:
            region = res["locations"][0]["physicalLocation"]["region"]
            assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == f.file
            assert (region["startLine"], region.get("startColumn")) == (f.line, f.col)
        else:
            assert "locations" not in res


def test_driver_lists_registered_rules(sarif_schema: dict[str, Any]) -> None:
    driver = _sarif(make_report(findings=False), sarif_schema)["runs"][0]["tool"]["driver"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == list(registry())
    for desc in driver["rules"]:
        rule = registry()[desc["id"]]
        assert desc["shortDescription"]["text"] == rule.summary
        assert desc["defaultConfiguration"]["level"] == rule.severity.label
        assert desc["helpUri"].startswith("https://")


def test_fingerprints_survive_line_moves(sarif_schema: dict[str, Any]) -> None:
    a = make_report()
    b = make_report()
    for f in b.patches[0].findings:
        if f.line is not None:
            f.line += 7
    fa = [r["partialFingerprints"] for r in _sarif(a, sarif_schema)["runs"][0]["results"]]
    fb = [r["partialFingerprints"] for r in _sarif(b, sarif_schema)["runs"][0]["results"]]
    assert fa == fb
    assert len({json.dumps(x) for x in fa}) == len(fa)  # distinct findings, distinct prints
