"""JSON report: the contract, validated against the shipped JSON Schema."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema  # type: ignore[import-untyped,unused-ignore]
from test_reports_factory import make_report, make_series

from qapilint.reports import RenderOptions, render
from qapilint.reports.model import InputFailure, Report


def _schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("qapilint").joinpath("data/report.schema.json").read_text())
    return data


def _emit(report: Report) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(render("json", report, RenderOptions()))
    jsonschema.Draft202012Validator(_schema(), format_checker=jsonschema.FormatChecker()).validate(doc)
    return doc


def test_schema_is_a_valid_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(_schema())


def test_report_carries_patches_findings_and_changes() -> None:
    report = make_series()
    doc = _emit(report)
    assert [p["id"] for p in doc["patches"]] == [r.patch.id for r in report.patches]
    first = doc["patches"][0]
    src = report.patches[0]
    assert first["subject"] == src.patch.subject
    assert [(f["rule"], f["line"], f["col"], f["patch_line"]) for f in first["findings"]] == \
        [(f.rule, f.line, f.col, f.patch_line) for f in src.findings]
    assert first["findings"][0]["provenance"] == src.findings[0].provenance
    assert src.changes is not None
    assert [(c["op"], c["what"], c["definition"], c["name"], c["partial"]) for c in first["changes"]] == \
        [(c.op, c.what, c.definition, c.name, c.partial) for c in src.changes.changes]
    assert first["files"] == [{"path": "qapi/migration.json", "rebuild": "hunks", "unplaced_hunks": 0, "notes": []}]
    assert doc["summary"]["errors"] == 2 and doc["summary"]["findings"] == 4


def test_empty_and_failed_reports_validate() -> None:
    doc = _emit(Report(failures=[InputFailure("x.mbox", "not an mbox")]))
    assert doc["patches"] == [] and doc["failures"][0]["where"] == "x.mbox"
    assert _emit(make_report(findings=False))["patches"][0]["findings"] == []


def test_schema_rejects_a_report_without_findings_key() -> None:
    doc = json.loads(render("json", make_report(), RenderOptions()))
    del doc["patches"][0]["findings"]
    errors = list(jsonschema.Draft202012Validator(_schema()).iter_errors(doc))
    assert any("findings" in e.message for e in errors)


def test_fix_and_fingerprint_validate() -> None:
    from qapilint.findings import replace_in_line

    report = make_report()
    f = report.patches[0].findings[0]
    f.fix = replace_in_line(f.file or "", f.line or 0, "# Since: 10.2", f.col or 0, "10.2", "11.1")
    doc = _emit(report)
    first = doc["patches"][0]["findings"][0]
    assert first["fix"]["description"] == "replace '10.2' with '11.1'"
    assert first["fix"]["edits"][0]["new_text"] == "11.1"
    prints = [x["fingerprint"] for x in doc["patches"][0]["findings"]]
    assert len(set(prints)) == len(prints)


def test_patch_ids_are_strings_in_every_json() -> None:
    report = make_series()
    assert all(isinstance(p["id"], str) for p in _emit(report)["patches"])
    sarif = json.loads(render("sarif", report, RenderOptions()))
    assert all(isinstance(r["properties"]["patch"], str) for r in sarif["runs"][0]["results"])
    assert all(isinstance(x["patch"], str) for x in json.loads(render("patchwork", report, RenderOptions())))
