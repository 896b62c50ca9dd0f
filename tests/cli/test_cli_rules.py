"""``qapilint rules`` and ``qapilint explain``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from qapilint.checks.registry import registry
from qapilint.cli import main


def test_rules_table_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "family", "severity", "summary"]
    ids = [ln.split()[0] for ln in lines[1:]]
    assert sorted(ids) == sorted(registry())


def test_rules_json_and_family_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--family", "version", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    expected = {r.id for r in registry().values() if r.family == "version"}
    assert {d["id"] for d in data} == expected
    assert all(set(d) >= {"id", "family", "severity", "summary", "explain"} for d in data)
    assert main(["rules", "--family", "nope"]) == 2


def test_explain_prints_the_explain_text(capsys: pytest.CaptureFixture[str]) -> None:
    rule = next(r for r in registry().values() if r.explain)
    assert main(["explain", rule.id]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{rule.id} ({rule.family}, {rule.severity.label})")
    assert " ".join(rule.explain.split()[:5]) in " ".join(out.split())


def test_explain_unknown_rule_exits_2() -> None:
    p = subprocess.run([sys.executable, "-m", "qapilint", "explain", "since-mismach"], capture_output=True, text=True,
                       check=False)
    assert p.returncode == 2
    assert "unknown rule 'since-mismach'" in p.stderr and "since-mismatch" in p.stderr
    assert "Traceback" not in p.stderr


@pytest.mark.parametrize("family", sorted({r.family for r in registry().values()}))
def test_explain_family_lists_its_rules(family: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", family]) == 0
    out = capsys.readouterr().out
    ids = {r.id for r in registry().values() if r.family == family}
    listed = {ln.split()[0] for ln in out.splitlines()[3:] if ln.strip()}
    assert listed == ids
