"""End to end through ``python -m qapilint``: exit statuses, bad input, selection, formats, stdin.

Inputs are the rule fixtures (fixtures/rules); expected releases are pinned by
--target or the fixture tree's VERSION file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped,unused-ignore]
import pytest

REPO = Path(__file__).resolve().parents[2]
RULES_DIR = REPO / "fixtures" / "rules"
TARGET = ("--target", "11.0")

CLEAN = "version/clean-new-struct.patch"            # no findings
ERROR = "version/since-mismatch-released.patch"     # one error (since-mismatch)
WARNING = "version/since-mismatch-later.patch"      # one warning (since-mismatch)
NOTE = "version/since-redundant.patch"              # one note (since-redundant)
MIXED = "input/schema-removed.patch"                # a note (input) and errors (compat)
JSON_INPUT = "version/since-mismatch-released-pw.json"


def qapilint(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([sys.executable, "-m", "qapilint", *args], cwd=RULES_DIR, capture_output=True, text=True,
                       input=stdin, timeout=120)
    assert "Traceback" not in p.stderr, p.stderr
    return p


def check_json(*args: str, stdin: str | None = None) -> tuple[int, dict[str, Any], str]:
    p = qapilint("check", "--format", "json", *TARGET, *args, stdin=stdin)
    return p.returncode, json.loads(p.stdout), p.stderr


def rules_of(report: dict[str, Any], source: str | None = None) -> set[str]:
    return {f["rule"] for p in report["patches"] if source is None or p["source"] == source
            for f in p["findings"]}


def error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("qapilint: error:")]


# ---------------------------------------------------------------- check: exit statuses

@pytest.mark.parametrize(("fixture", "status"), [(CLEAN, 0), (WARNING, 0), (NOTE, 0), (ERROR, 1), (MIXED, 1)])
def test_check_exit_status(fixture: str, status: int) -> None:
    p = qapilint("check", *TARGET, fixture)
    assert p.returncode == status, p.stdout + p.stderr
    assert p.stderr == ""


def test_check_without_input_is_a_usage_error() -> None:
    p = qapilint("check")
    assert p.returncode == 2
    assert len(error_lines(p.stderr)) == 1


@pytest.mark.parametrize("bad", ["missing.patch", "not-a-patch.txt"])
def test_bad_input_beside_good_input(bad: str, tmp_path: Path) -> None:
    """The good input is still checked and reported; one error line; exit 2 even though it has errors."""
    if bad == "not-a-patch.txt":
        path = tmp_path / bad
        path.write_text("Hello,\n\nthis is not a patch at all.\n", encoding="utf-8")
        bad = str(path)
    else:
        bad = str(tmp_path / bad)
    rc, report, err = check_json(ERROR, bad, CLEAN)
    assert rc == 2
    assert [p["source"] for p in report["patches"]] == [ERROR, CLEAN]
    assert "since-mismatch" in rules_of(report, ERROR)
    [line] = error_lines(err)
    assert bad in line
    assert [f["where"] for f in report["failures"]] == [bad]


def test_bad_input_text_format_still_reports_good_input(tmp_path: Path) -> None:
    p = qapilint("check", *TARGET, str(tmp_path / "nope.mbox"), ERROR)
    assert p.returncode == 2
    assert "since-mismatch" in p.stdout
    assert len(error_lines(p.stderr)) == 1


# ---------------------------------------------------------------- selection and --fail-on

def test_select_family() -> None:
    rc, report, _ = check_json("--select", "compat", MIXED)
    assert rules_of(report) == {"compat-removed-command"}
    assert rc == 1


def test_ignore_rule_changes_exit_status() -> None:
    rc, report, _ = check_json("--ignore", "compat-removed-command", MIXED)
    assert rules_of(report) == {"input-schema-removed"}
    assert rc == 0


def test_select_prefix_and_comma_list() -> None:
    _rc, report, _ = check_json("--select", "input-,since-mismatch", MIXED, ERROR)
    assert rules_of(report) == {"input-schema-removed", "since-mismatch"}


def test_unknown_selector_is_an_error() -> None:
    p = qapilint("check", *TARGET, "--select", "no-such-rule", CLEAN)
    assert p.returncode == 2
    [line] = error_lines(p.stderr)
    assert "no-such-rule" in line


@pytest.mark.parametrize(("fixture", "fail_on", "status"), [
    (WARNING, "warning", 1), (WARNING, "error", 0), (NOTE, "warning", 0), (NOTE, "note", 1), (CLEAN, "note", 0)])
def test_fail_on(fixture: str, fail_on: str, status: int) -> None:
    # With the tree: without one, a note says which whole-schema checks did not run.
    assert qapilint("check", "--tree", "tree", "--fail-on", fail_on, fixture).returncode == status


# ---------------------------------------------------------------- formats, stdin, output file

def test_json_report_validates_against_schema() -> None:
    schema = json.loads((REPO / "qapilint" / "data" / "report.schema.json").read_text(encoding="utf-8"))
    rc, report, _ = check_json("--tree", "tree", ERROR, MIXED, CLEAN, JSON_INPUT, "version/series-inconsistent.mbox")
    jsonschema.validate(report, schema)
    assert rc == 1
    assert report["summary"]["patches"] == len(report["patches"]) == 6


def test_json_report_with_failure_validates(tmp_path: Path) -> None:
    schema = json.loads((REPO / "qapilint" / "data" / "report.schema.json").read_text(encoding="utf-8"))
    _rc, report, _ = check_json(CLEAN, str(tmp_path / "absent.patch"))
    jsonschema.validate(report, schema)


def _formats() -> list[str]:
    from qapilint.reports import FORMATS

    return list(FORMATS)


@pytest.mark.parametrize("fmt", _formats())
def test_every_format_renders(fmt: str) -> None:
    p = qapilint("check", *TARGET, "--format", fmt, "--email-from", "Bot <bot@example.org>", ERROR)
    assert p.returncode == 1, p.stderr
    assert p.stdout.strip()
    if fmt in ("json", "sarif"):
        doc = json.loads(p.stdout)
        if fmt == "sarif":
            results = [r["ruleId"] for run in doc["runs"] for r in run["results"]]
            assert "since-mismatch" in results
    elif fmt == "gitlab":
        assert any(i["check_name"] == "since-mismatch" for i in json.loads(p.stdout))
    else:
        assert "since-mismatch" in p.stdout or fmt in ("b4", "b4-prep", "patchwork")


def test_stdin_input_matches_file_input() -> None:
    text = (RULES_DIR / ERROR).read_text(encoding="utf-8")
    rc_in, rep_in, _ = check_json("-", stdin=text)
    rc_file, rep_file, _ = check_json(ERROR)
    assert rc_in == rc_file == 1
    assert [(f["rule"], f["line"]) for p in rep_in["patches"] for f in p["findings"]] == \
        [(f["rule"], f["line"]) for p in rep_file["patches"] for f in p["findings"]]


def test_stdin_patchwork_json() -> None:
    rc, report, _ = check_json("-", stdin=(RULES_DIR / JSON_INPUT).read_text(encoding="utf-8"))
    assert rc == 1 and "since-mismatch" in rules_of(report)


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    p = qapilint("check", *TARGET, "--format", "json", "--output", str(out), ERROR)
    assert p.returncode == 1 and p.stdout == ""
    assert "since-mismatch" in rules_of(json.loads(out.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- other commands

def test_changes_command() -> None:
    p = qapilint("changes", "--tree", "tree", "--format", "json", "compat/removed-command.patch")
    assert p.returncode == 0, p.stderr
    assert "sensor-calibrate" in p.stdout
    json.loads(p.stdout)


def test_changes_bad_input_beside_good(tmp_path: Path) -> None:
    p = qapilint("changes", "--no-tree", str(tmp_path / "gone.patch"), "compat/removed-command.patch")
    assert p.returncode == 2
    assert "sensor-calibrate" in p.stdout
    assert len(error_lines(p.stderr)) == 1


def test_changes_stdin() -> None:
    p = qapilint("changes", "--no-tree", "-", stdin=(RULES_DIR / "compat/removed-command.patch").read_text())
    assert p.returncode == 0 and "sensor-calibrate" in p.stdout


@pytest.mark.parametrize(("path", "status"), [("tree/qapi/qapi-schema.json", 0),
                                              ("trees/legacy/qapi/qapi-schema.json", 1),
                                              ("tree/qapi/no-such.json", 2)])
def test_schema_command(path: str, status: int) -> None:
    p = qapilint("schema", path)
    assert p.returncode == status, p.stdout + p.stderr
    if status == 1:
        assert "[doc-line-too-long]" in p.stdout + p.stderr
    if status == 2:
        assert len(error_lines(p.stderr)) == 1


def test_schema_json_format() -> None:
    p = qapilint("schema", "--format", "json", "trees/legacy/qapi/qapi-schema.json")
    assert p.returncode == 1
    assert "doc-line-too-long" in p.stdout
    json.loads(p.stdout)


@pytest.mark.parametrize(("tree", "args", "status"), [
    ("tree", (), 0), ("trees/audit-older", (), 0), ("trees/audit-older", ("--fail-on", "warning"), 1),
    ("no-such-tree", (), 2)])
def test_audit_command(tree: str, args: tuple[str, ...], status: int) -> None:
    p = qapilint("audit", *args, tree)
    assert p.returncode == status, p.stdout + p.stderr
    if tree == "trees/audit-older":
        assert "since-member-older" in p.stdout
    if status == 2:
        assert len(error_lines(p.stderr)) == 1


def test_rules_command_lists_registry() -> None:
    from qapilint.checks.registry import registry

    p = qapilint("rules", "--format", "json")
    assert p.returncode == 0
    listed = json.loads(p.stdout)
    ids = {r["id"] for r in listed} if isinstance(listed, list) else set(listed)
    assert ids == set(registry())
    text = qapilint("rules", "--family", "cname")
    assert text.returncode == 0
    assert "cname-has-flag-absent" in text.stdout and "since-missing" not in text.stdout


def test_explain_command() -> None:
    p = qapilint("explain", "since-missing")
    assert p.returncode == 0 and "Since:" in p.stdout
    bad = qapilint("explain", "no-such-rule")
    assert bad.returncode == 2
    assert len(error_lines(bad.stderr)) == 1


def test_no_command_prints_help() -> None:
    p = qapilint()
    assert p.returncode == 2
    assert "COMMAND" in p.stdout + p.stderr
