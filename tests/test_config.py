"""Configuration files, selection by id / family / prefix, and the shared CLI options."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

from qapilint import config
from qapilint.cli import common
from qapilint.errors import InputError
from qapilint.findings import Finding, Severity
from qapilint.reports.model import InputFailure, PatchReport, Report
from qapilint.selection import Selection

sys.path.insert(0, str(Path(__file__).parent / "reports"))
from test_reports_factory import make_report  # noqa: E402


def _f(rule: str, family: str, sev: Severity = Severity.WARNING, file: str | None = "qapi/a.json") -> Finding:
    return Finding(rule, sev, "m", file=file, line=1, family=family)


def _parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    p.add_argument("--tree")
    p.add_argument("--target")
    common.add_report_arguments(p)
    return p.parse_args(argv)


def test_pyproject_table_is_found_walking_up(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.qapilint]\nignore = ["since-redundant"]\nfail-on = "warning"\n'
                                             'target = "11.1"\ntree = "qemu"\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    cfg = config.discover(start=sub)
    assert cfg.path == str(tmp_path / "pyproject.toml")
    assert cfg.ignore == ["since-redundant"] and cfg.fail_on == Severity.WARNING and cfg.target == "11.1"
    assert cfg.tree == str((tmp_path / "qemu").resolve())


def test_pyproject_without_table_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / ".qapilint.toml").write_text('select = ["version"]\n')
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "x"\n')
    cfg = config.discover(start=inner)
    assert cfg.path == str(tmp_path / ".qapilint.toml") and cfg.select == ["version"]


def test_unknown_key_is_an_error_naming_it(tmp_path: Path) -> None:
    p = tmp_path / ".qapilint.toml"
    p.write_text('selct = ["version"]\n')
    with pytest.raises(InputError) as e:
        config.load(p)
    assert "'selct'" in e.value.message and "select" in e.value.message and e.value.where == str(p)


@pytest.mark.parametrize("text, word", [('fail-on = "fatal"', "fail-on"), ("ignore = 3", "ignore"),
                                        ("[severity]\nx = 1", "severity.x"), ("select = [", "TOML")])
def test_bad_values_are_errors(tmp_path: Path, text: str, word: str) -> None:
    p = tmp_path / ".qapilint.toml"
    p.write_text(text + "\n")
    with pytest.raises(InputError, match=word):
        config.load(p)


def test_selection_specificity() -> None:
    fs = [_f("since-mismatch", "version"), _f("since-redundant", "version"), _f("compat-removed-member", "compat")]
    keep = Selection(select=["version"], ignore=["since-redundant"]).apply(list(fs))
    assert [f.rule for f in keep] == ["since-mismatch"]
    keep = Selection(ignore=["version"], extend_select=["since-redundant"]).apply(list(fs))
    assert [f.rule for f in keep] == ["since-redundant", "compat-removed-member"]
    keep = Selection(select=["since-"]).apply(list(fs))
    assert [f.rule for f in keep] == ["since-mismatch", "since-redundant"]


def test_per_path_ignores_and_severity_overrides() -> None:
    fs = [_f("since-edited", "version", file="qapi/audio.json"), _f("since-edited", "version", file="qapi/b.json"),
          _f("docs-order", "docs", Severity.NOTE)]
    sel = Selection(per_path_ignores={"qapi/audio.json": ["version"]}, severity={"docs-order": Severity.ERROR})
    keep = sel.apply(fs)
    assert [(f.rule, f.file) for f in keep] == [("since-edited", "qapi/b.json"), ("docs-order", "qapi/a.json")]
    assert keep[1].severity == Severity.ERROR


def test_cli_overrides_config_and_rejects_unknown_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".qapilint.toml").write_text('select = ["compat"]\nfail-on = "warning"\nformat = "json"\n')
    monkeypatch.chdir(tmp_path)
    opts = common.resolve_options(_parse(["--select", "version,docs", "--fail-on", "note"]))
    assert opts.selection.select == ["version", "docs"] and opts.fail_on == Severity.NOTE and opts.fmt == "json"
    with pytest.raises(InputError, match="no-such-rule"):
        common.resolve_options(_parse(["--ignore", "no-such-rule"]))
    (tmp_path / ".qapilint.toml").write_text('ignore = ["bogus"]\n')
    with pytest.raises(InputError, match="bogus"):
        common.resolve_options(_parse([]))


def test_exit_status_follows_fail_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    report = make_report()
    assert common.exit_status(report, common.resolve_options(_parse([]))) == 1
    only_warn = Report(patches=[PatchReport(patch=report.patches[0].patch,
                                            findings=[_f("message-type-mismatch", "message")])])
    assert common.exit_status(only_warn, common.resolve_options(_parse([]))) == 0
    assert common.exit_status(only_warn, common.resolve_options(_parse(["--fail-on", "warning"]))) == 1
    only_warn.failures.append(InputFailure("x", "bad"))
    assert common.exit_status(only_warn, common.resolve_options(_parse([]))) == 2


def test_emit_writes_output_file_and_statistics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    report = make_report()
    out = tmp_path / "r.json"
    common.emit(report, common.resolve_options(_parse(["--format", "json", "--output", str(out)])))
    assert out.read_text().startswith("{") and capsys.readouterr().out == ""
    common.emit(report, common.resolve_options(_parse(["--statistics"])))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["2", "since-mismatch"] and len(lines) == 3
    common.emit(report, common.resolve_options(_parse(["--output", str(tmp_path / "no" / "dir" / "x")])))
    assert "cannot write report" in capsys.readouterr().err and report.failures
