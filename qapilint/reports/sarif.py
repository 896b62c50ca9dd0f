"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

Locations are in the patched tree (``uriBaseId`` SRCROOT = the QEMU checkout);
``partialFingerprints`` carry no line numbers so that a finding keeps its
identity when unrelated lines move.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from qapilint.checks.registry import Rule, registry
from qapilint.findings import Finding, Severity
from qapilint.reports.locate import fingerprint
from qapilint.reports.model import Report

if TYPE_CHECKING:
    from qapilint.reports import RenderOptions

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "qapilintFinding/v1"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def _help_uri(rule_id: str) -> str:
    from qapilint.reports import INFORMATION_URI

    return f"{INFORMATION_URI}#rule-{rule_id}"


def _rule_descriptor(r: Rule) -> dict[str, Any]:
    return {
        "id": r.id,
        "name": "".join(part.capitalize() for part in r.id.split("-")),
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.explain or r.summary},
        "help": {"text": r.explain or r.summary},
        "helpUri": _help_uri(r.id),
        "defaultConfiguration": {"level": LEVEL[r.severity]},
        "properties": {"family": r.family},
    }


def _unregistered(rule_id: str, f: Finding) -> dict[str, Any]:
    # A finding of a rule no module registers (yet): describe it from the finding.
    return {
        "id": rule_id,
        "shortDescription": {"text": rule_id},
        "defaultConfiguration": {"level": LEVEL[f.severity]},
        "properties": {"family": f.family},
    }


def _message(f: Finding) -> str:
    extra = ([f.provenance] if f.provenance else []) + list(f.notes)
    return f.message if not extra else f.message + "\n" + "\n".join(extra)


def _result(f: Finding, index: int, patch_id: str, subject: str) -> dict[str, Any]:
    res: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": _message(f)},
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
        "properties": {"patch": patch_id, "subject": subject},
    }
    if f.patch_line is not None:
        res["properties"]["patchLine"] = f.patch_line
    if f.file:
        phys: dict[str, Any] = {"artifactLocation": {"uri": f.file, "uriBaseId": "SRCROOT"}}
        if f.line is not None and f.line >= 1:
            region: dict[str, int] = {"startLine": f.line}
            if f.col is not None and f.col >= 1:
                region["startColumn"] = f.col
            phys["region"] = region
        res["locations"] = [{"physicalLocation": phys}]
    if f.definition:
        res["properties"]["definition"] = f.definition
    return res


def sarif_dict(report: Report) -> dict[str, Any]:
    from qapilint.reports import INFORMATION_URI, TOOL_NAME

    reg = registry()
    descriptors = [_rule_descriptor(r) for r in reg.values()]
    index = {r.id: i for i, r in enumerate(reg.values())}
    results: list[dict[str, Any]] = []
    for rep in report.patches:
        for f in rep.findings:
            if f.rule not in index:
                index[f.rule] = len(descriptors)
                descriptors.append(_unregistered(f.rule, f))
            results.append(_result(f, index[f.rule], rep.patch.id, rep.patch.subject or rep.patch.title))
    invocation: dict[str, Any] = {"executionSuccessful": not report.failures}
    if report.failures:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": f"{x.where}: {x.message}"}} for x in report.failures]
    if report.base_notes():
        invocation.setdefault("toolExecutionNotifications", []).extend(
            {"level": "note", "message": {"text": n}} for n in report.base_notes())
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": TOOL_NAME,
            "version": report.tool_version,
            "semanticVersion": report.tool_version,
            "informationUri": INFORMATION_URI,
            "rules": descriptors,
        }},
        "invocations": [invocation],
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if report.tree:
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": _dir_uri(report.tree)}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _dir_uri(path: str) -> str:
    import pathlib

    p = pathlib.Path(path).resolve()
    return p.as_uri().rstrip("/") + "/"


def render(report: Report, opts: RenderOptions | None = None) -> str:
    return json.dumps(sarif_dict(report), indent=2, ensure_ascii=False) + "\n"
