"""The example family from the command line: selection by family and prefix, audit, rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qapilint.checks.registry import registry
from qapilint.cli import main

TREES = Path(__file__).resolve().parents[2] / "fixtures" / "rules" / "trees"


def audit_rules(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    rc = main(["audit", str(TREES / "examples-broken"), "--format", "json", *args])
    data = json.loads(capsys.readouterr().out)
    return rc, [f["rule"] for p in data["patches"] for f in p["findings"]]


def test_audit_reports_example_problems(capsys: pytest.CaptureFixture[str]) -> None:
    rc, found = audit_rules(capsys)
    assert rc == 1 and found == ["example-syntax"]


def test_family_name_selects_and_ignores(capsys: pytest.CaptureFixture[str]) -> None:
    assert audit_rules(capsys, "--select", "example") == (1, ["example-syntax"])
    assert audit_rules(capsys, "--ignore", "example") == (0, [])
    assert audit_rules(capsys, "--select", "version") == (0, [])


def test_prefix_selects_part_of_the_family(capsys: pytest.CaptureFixture[str]) -> None:
    assert audit_rules(capsys, "--select", "example-commit-") == (0, [])
    assert audit_rules(capsys, "--select", "example-syntax") == (1, ["example-syntax"])


def test_clean_tree_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(TREES / "examples"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [f for p in data["patches"] for f in p["findings"]] == []


def test_rules_lists_the_family(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--family", "example", "--format", "json"]) == 0
    ids = {d["id"] for d in json.loads(capsys.readouterr().out)}
    assert ids == {r.id for r in registry().values() if r.family == "example"}
    assert {"example-syntax", "example-stale", "example-commit-syntax", "example-needs-tree"} <= ids
    assert all(registry()[i].explain for i in ids)
