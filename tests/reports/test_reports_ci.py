"""GitHub workflow commands, GitLab Code Quality, b4 review JSON and b4 prep (checkpatch-like) lines."""

from __future__ import annotations

import json

from test_reports_factory import make_report

from qapilint.findings import Finding, Severity
from qapilint.reports import RenderOptions, render
from qapilint.reports.github import command, escape_data, escape_property
from qapilint.reports.model import PatchReport, Report


def test_github_escaping_follows_the_runner_rules() -> None:
    # Our own line breaks are the runner's '%0A'; a CR can only come from the patch: shown, not sent.
    assert escape_data("50% done\r\nnext") == "50%25 done\\x0d%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    # A property is one line: a line break in a file name is shown, never turned back into one.
    assert escape_property("qapi/x\r\ny.json") == "qapi/x\\x0d\\x0ay.json"
    f = Finding("x-rule", Severity.WARNING, "line one\nline two", file="qapi/a,b:c.json", line=3, col=2)
    assert command(f) == "::warning file=qapi/a%2Cb%3Ac.json,line=3,col=2,title=qapilint x-rule::line one%0Aline two"


def test_github_one_command_per_finding() -> None:
    report = make_report()
    lines = render("github", report, RenderOptions()).splitlines()
    kinds = [ln.split(" ", 1)[0] for ln in lines]
    assert kinds == ["::error", "::error", "::warning", "::notice"]
    assert lines[0].startswith("::error file=qapi/migration.json,line=54,col=10,title=qapilint since-mismatch::")


def test_gitlab_code_quality_fields() -> None:
    report = make_report()
    items = json.loads(render("gitlab", report, RenderOptions()))
    assert len(items) == 4
    for it, f in zip(items, report.patches[0].findings, strict=True):
        assert it["check_name"] == f.rule
        assert it["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(it["location"]["path"], str) and it["location"]["path"]
        assert it["location"]["lines"]["begin"] == (f.line or 1)
    assert len({it["fingerprint"] for it in items}) == 4
    assert [it["severity"] for it in items] == ["major", "major", "minor", "info"]


def test_b4_review_protocol() -> None:
    res = json.loads(render("b4", make_report(), RenderOptions()))
    assert isinstance(res, list) and len(res) == 1
    assert set(res[0]) <= {"tool", "status", "summary", "url", "details"}
    assert res[0]["tool"] == "qapilint" and res[0]["status"] == "fail"
    assert "\n" not in res[0]["summary"]
    assert "[message-type-mismatch]" in res[0]["details"]
    clean = json.loads(render("b4", make_report(findings=False), RenderOptions()))
    assert clean[0]["status"] == "pass"


def test_b4_review_warn_and_url() -> None:
    report = make_report()
    report.patches[0].findings = [f for f in report.patches[0].findings if f.severity < Severity.ERROR]
    res = json.loads(render("b4", report, RenderOptions(url="https://ci.example.org/1")))
    assert res[0]["status"] == "warn" and res[0]["url"] == "https://ci.example.org/1"


def test_b4_prep_is_checkpatch_like_and_silent_when_clean() -> None:
    lines = render("b4-prep", make_report(), RenderOptions(fmt="b4-prep")).splitlines()
    assert [ln.split(": ")[1] for ln in lines] == ["ERROR", "ERROR", "WARNING"]
    assert lines[0].startswith("qapi/migration.json:54:10: ERROR: ")
    assert render("b4-prep", make_report(findings=False), RenderOptions()) == ""
    only_note = Report(patches=[PatchReport(patch=make_report().patches[0].patch,
                                            findings=[Finding("n", Severity.NOTE, "fyi")])])
    assert render("b4-prep", only_note, RenderOptions()) == ""
