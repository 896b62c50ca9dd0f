"""Text renderer: compiler-style lines, headings per patch, provenance, --show-source, colour."""

from __future__ import annotations

import re

from test_reports_factory import make_report, make_series

from qapilint.reports import RenderOptions, render


def test_each_finding_is_one_compiler_style_line() -> None:
    report = make_report()
    out = render("text", report, RenderOptions())
    for f in report.patches[0].findings:
        head = f"{f.location()}: " if f.location() else ""
        assert f"{head}{f.severity.label}: {f.message} [{f.rule}]" in out.splitlines()


def test_provenance_is_indented_under_its_finding() -> None:
    report = make_report()
    lines = render("text", report, RenderOptions()).splitlines()
    f = report.patches[0].findings[0]
    i = next(i for i, ln in enumerate(lines) if ln.endswith(f"[{f.rule}]") and ln.startswith(f.location()))
    assert lines[i + 1] == "    " + (f.provenance or "")


def test_series_gets_a_heading_per_patch_and_a_summary() -> None:
    report = make_series()
    out = render("text", report, RenderOptions())
    for rep in report.patches:
        assert f"== {rep.patch.subject}" in out
    assert out.rstrip().splitlines()[-1] == "Found 4 problems (2 errors, 1 warning, 1 note) in 2 patches."


def test_clean_report_says_so() -> None:
    out = render("text", make_report(findings=False), RenderOptions())
    assert out.rstrip().splitlines()[-1] == "No problems found in 1 patch."


def test_show_source_puts_the_caret_under_the_column() -> None:
    report = make_report()
    lines = render("text", report, RenderOptions(show_source=True)).splitlines()
    for f in report.patches[0].findings:
        if f.line is None or f.col is None:
            continue
        i = next(i for i, ln in enumerate(lines) if ln.startswith(f.location() + ":"))
        src_line, caret = lines[i + 1], lines[i + 2]
        gutter = src_line.index("| ") + 2
        assert src_line.startswith(f"{f.line:>5} | ")
        assert caret.index("^") - gutter == f.col - 1
        assert src_line[gutter + f.col - 1:].startswith(("10.2", "'instance-id'"))


def test_quiet_prints_findings_only() -> None:
    report = make_series()
    out = render("text", report, RenderOptions(quiet=True))
    assert len(out.splitlines()) == sum(len(r.findings) + sum(1 for f in r.findings if f.provenance)
                                        for r in report.patches)
    assert "==" not in out and "Found" not in out


def test_colour_only_when_asked() -> None:
    report = make_report()
    plain = render("text", report, RenderOptions(color=False))
    colored = render("text", report, RenderOptions(color=True))
    assert "\033[" not in plain
    assert "\033[1;31merror:" in colored
    assert re.sub(r"\033\[[0-9;]*m", "", colored) == plain
