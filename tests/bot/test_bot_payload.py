"""The patchwork check payload built from a PatchReport."""

from __future__ import annotations

import json

from qapilint.findings import Finding, Severity
from qapilint.patch import Patch
from qapilint.reports import patchwork as pw
from qapilint.reports.model import PatchReport, Report


def _report(*sevs: Severity, touches: bool = True) -> PatchReport:
    findings = [Finding(f"r{i}", s, f"message {i}\nsecond line", file="qapi/a.json", line=10 - i)
                for i, s in enumerate(sevs)]
    return PatchReport(patch=Patch(id="1"), findings=findings, touches_qapi=touches)


def test_state_follows_the_worst_finding() -> None:
    assert pw.payload(_report())["state"] == "success"
    assert pw.payload(_report(Severity.NOTE))["state"] == "success"
    assert pw.payload(_report(Severity.NOTE, Severity.WARNING))["state"] == "warning"
    assert pw.payload(_report(Severity.WARNING, Severity.ERROR))["state"] == "fail"


def test_description_is_one_short_line_naming_the_worst_first() -> None:
    d = pw.payload(_report(Severity.WARNING, Severity.ERROR, Severity.ERROR))["description"]
    assert "\n" not in d and len(d) <= pw.DESCRIPTION_MAX
    assert d.startswith("2 errors, 1 warning; first: qapi/a.json:8: message 2")


def test_long_description_is_clipped() -> None:
    r = _report(Severity.ERROR)
    r.findings[0].message = "word " * 200
    d = pw.describe(r)
    assert len(d) <= pw.DESCRIPTION_MAX and d.endswith("...")


def test_context_becomes_a_slug_of_at_most_255() -> None:
    assert pw.slugify_context("qapilint / strict mode") == "qapilint-strict-mode"
    assert len(pw.slugify_context("x" * 400)) == pw.CONTEXT_MAX
    assert pw.slugify_context("!!!") == pw.DEFAULT_CONTEXT


def test_target_url_only_when_it_fits() -> None:
    short = "https://ci.example.org/r/1.html"
    assert pw.payload(_report(), target_url=short)["target_url"] == short
    assert "target_url" not in pw.payload(_report(), target_url="https://x.org/" + "a" * 200)
    assert "target_url" not in pw.payload(_report())


def test_render_lists_every_patch() -> None:
    rep = Report(patches=[_report(Severity.ERROR), _report(touches=False)])
    items = json.loads(pw.render(rep, "ctx"))
    assert [i["check"]["state"] for i in items] == ["fail", "success"]
    assert items[1]["check"]["description"] == "no QAPI schema file touched"
