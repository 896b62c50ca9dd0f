"""The 'input' rule family: registered, and every note the readers write maps to a rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from qapilint.checks import registry
from qapilint.checks.input_rules import RULES, check_input
from qapilint.findings import Severity
from qapilint.sources import load


def test_rules_registered() -> None:
    reg = registry.registry()
    for r in RULES:
        assert reg[r.id] is r and r.family == "input" and r.summary and r.explain


@pytest.mark.parametrize("name, rule", [
    ("pw-collapsed-1101.json", "input-whitespace-collapsed"),
    ("pw-collapsed-noprefix-1102.json", "input-context-repaired"),
    ("bad-no-qapi.diff", "input-not-qapi"),
    ("bad-truncated.patch", "input-truncated"),
    ("bad-lying-counts.diff", "input-hunk-mismatch"),
    ("bad-binary.patch", "input-binary"),
    ("git-diff-delete-schema.diff", "input-schema-removed"),
])
def test_notes_become_findings(fixtures_dir: Path, name: str, rule: str) -> None:
    (p,) = load(str(fixtures_dir / "inputs" / name)).patches
    findings = check_input(p)
    assert len(findings) == len(p.notes)
    hit = [f for f in findings if f.rule == rule]
    assert hit and hit[0].family == "input"
    assert hit[0].severity == registry.get(rule).severity


def test_collapsed_is_a_note(fixtures_dir: Path) -> None:
    (p,) = load(str(fixtures_dir / "inputs" / "pw-collapsed-1101.json")).patches
    (f,) = [f for f in check_input(p) if f.rule == "input-whitespace-collapsed"]
    assert f.severity is Severity.NOTE
    assert f.message == "input whitespace appears collapsed; whitespace-sensitive rules skipped"


def test_clean_patch_has_no_input_findings(fixtures_dir: Path) -> None:
    (p,) = load(str(fixtures_dir / "inputs" / "pw-patch-1001.json")).patches
    assert check_input(p) == []
