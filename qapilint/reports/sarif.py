"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

Locations are in the patched tree (``uriBaseId`` SRCROOT = the QEMU checkout);
a finding about a patch as a whole (its commit message) points into that
patch's commit message, carried as a run artifact, since code-scanning
services drop results without a location.  ``partialFingerprints`` carry no
line numbers (fingerprint.py), so that a finding keeps its identity when
unrelated lines move.  A finding with one obvious repair carries it in ``fixes``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from qapilint.checks.registry import Rule, registry
from qapilint.findings import Finding, Fix, Severity
from qapilint.patch import Patch
from qapilint.reports.fingerprint import fingerprints
from qapilint.reports.locate import message_line_of
from qapilint.reports.model import PatchReport, Report
from qapilint.reports.safe import dumps

if TYPE_CHECKING:
    from qapilint.reports import RenderOptions

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "qapilintFinding/v2"
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


def _fixes(fix: Fix) -> list[dict[str, Any]]:
    changes: dict[str, list[dict[str, Any]]] = {}
    for e in fix.edits:
        changes.setdefault(e.file, []).append({
            "deletedRegion": {"startLine": e.start_line, "startColumn": e.start_col,
                              "endLine": e.end_line, "endColumn": e.end_col},
            "insertedContent": {"text": e.new_text},
        })
    return [{"description": {"text": fix.description},
             "artifactChanges": [{"artifactLocation": {"uri": path_uri(path), "uriBaseId": "SRCROOT"},
                                  "replacements": reps}
                                 for path, reps in changes.items()]}]


class _Messages:
    """Commit messages as run artifacts: the location of findings about a patch as a whole."""

    def __init__(self) -> None:
        self.artifacts: list[dict[str, Any]] = []
        self._index: dict[int, int] = {}

    def location(self, rep: PatchReport, f: Finding) -> dict[str, Any]:
        p = rep.patch
        idx = self._index.get(id(p))
        if idx is None:
            idx = self._index[id(p)] = len(self.artifacts)
            self.artifacts.append({
                "location": {"uri": commit_message_uri(p)},
                "description": {"text": f"commit message of {p.subject or p.title or p.id}"},
                "mimeType": "text/plain",
                "contents": {"text": commit_message_text(p)},
            })
        phys: dict[str, Any] = {"artifactLocation": {"uri": commit_message_uri(p), "index": idx}}
        line = message_line_of(p, f) if f.family == "message" or f.item or f.definition else None
        if line is not None:
            # The artifact holds the title, a blank line, then the message body.
            phys["region"] = {"startLine": line + 3}
        return {"physicalLocation": phys}


def path_uri(path: str) -> str:
    """A tree path as a relative URI: 'qapi/x.json' as it is; control characters, spaces, '%', '#', '?'
    (a diff path is the patch's to choose) percent-encoded, so that it stays one valid URI."""
    return quote(path, safe="/!$&'()*+,;=@~")


def commit_message_uri(p: Patch) -> str:
    """A relative URI naming the commit message of patch ``p`` (Gerrit's name for it, under the patch id)."""
    return f"{quote(p.id or 'patch', safe='')}/COMMIT_MSG"


def commit_message_text(p: Patch) -> str:
    return f"{p.title or p.subject}\n\n{p.message}".rstrip("\n") + "\n"


def _result(f: Finding, index: int, rep: PatchReport, fingerprint: str, messages: _Messages) -> dict[str, Any]:
    patch = rep.patch
    res: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": _message(f)},
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": {"patch": patch.id, "subject": patch.subject or patch.title},
    }
    if f.patch_line is not None:
        res["properties"]["patchLine"] = f.patch_line
    if f.file:
        phys: dict[str, Any] = {"artifactLocation": {"uri": path_uri(f.file), "uriBaseId": "SRCROOT"}}
        if f.line is not None and f.line >= 1:
            region: dict[str, int] = {"startLine": f.line}
            if f.col is not None and f.col >= 1:
                region["startColumn"] = f.col
            phys["region"] = region
        res["locations"] = [{"physicalLocation": phys}]
    else:
        res["locations"] = [messages.location(rep, f)]
    if f.definition:
        res["properties"]["definition"] = f.definition
    if f.fix is not None:
        res["fixes"] = _fixes(f.fix)
    return res


def sarif_dict(report: Report) -> dict[str, Any]:
    from qapilint.reports import INFORMATION_URI, TOOL_NAME

    reg = registry()
    descriptors = [_rule_descriptor(r) for r in reg.values()]
    index = {r.id: i for i, r in enumerate(reg.values())}
    results: list[dict[str, Any]] = []
    prints = fingerprints(report)
    messages = _Messages()
    for rep in report.patches:
        for f in rep.findings:
            if f.rule not in index:
                index[f.rule] = len(descriptors)
                descriptors.append(_unregistered(f.rule, f))
            results.append(_result(f, index[f.rule], rep, prints[id(f)], messages))
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
    if messages.artifacts:
        run["artifacts"] = messages.artifacts
    if report.tree:
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": _dir_uri(report.tree)}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _dir_uri(path: str) -> str:
    import pathlib

    p = pathlib.Path(path).resolve()
    return p.as_uri().rstrip("/") + "/"


def render(report: Report, opts: RenderOptions | None = None) -> str:
    return dumps(sarif_dict(report))
