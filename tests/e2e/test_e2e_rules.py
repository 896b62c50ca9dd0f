"""End to end: every review rule fires on its fixture and stays quiet on its near miss.

fixtures/rules/manifest.json lists one entry per CLI run (fixture, --tree or
not, extra arguments, rules it must / must not report, exit status).  Entries
that share a command line are checked in one ``qapilint check`` process with
all their fixtures as inputs, and the report is split back per fixture by each
patch's ``source``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
RULES_DIR = REPO / "fixtures" / "rules"
MANIFEST = json.loads((RULES_DIR / "manifest.json").read_text(encoding="utf-8"))
ENTRIES: list[dict[str, Any]] = MANIFEST["entries"]
# (command, --tree, extra arguments, the one input of a command that takes one)
GroupKey = tuple[str, str | None, tuple[str, ...], str | None]


def _key(e: dict[str, Any]) -> GroupKey:
    single = e["fixture"] if e["command"] == "audit" else None
    return (e["command"], e["tree"], tuple(e["args"]), single)


def _groups() -> dict[GroupKey, list[dict[str, Any]]]:
    out: dict[GroupKey, list[dict[str, Any]]] = defaultdict(list)
    for e in ENTRIES:
        out[_key(e)].append(e)
    return out


GROUPS = _groups()


def qapilint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qapilint", *args], cwd=RULES_DIR, capture_output=True,
                          text=True, timeout=300)


@cache
def run_group(key: GroupKey) -> tuple[int, dict[str, Any], str]:
    """One process for every fixture of the group: (exit status, JSON report, stderr)."""
    command, tree, args, _single = key
    fixtures = sorted({e["fixture"] for e in GROUPS[key]})
    argv = [command, "--format", "json", *(["--tree", tree] if tree else []), *args]
    p = qapilint(*argv, *fixtures)
    assert "Traceback" not in p.stderr, p.stderr
    return p.returncode, json.loads(p.stdout), p.stderr


def reports_for(entry: dict[str, Any]) -> list[dict[str, Any]]:
    _rc, report, _err = run_group(_key(entry))
    if entry["command"] == "audit":
        return list(report["patches"])
    return [p for p in report["patches"] if p["source"] == entry["fixture"]]


def _describe(findings: list[dict[str, Any]]) -> str:
    return "\n".join(f"  {f['severity']} {f['rule']}: {f['message']}" for f in findings) or "  (none)"


def _check_entry(entry: dict[str, Any]) -> None:
    reps = reports_for(entry)
    assert reps, f"no patch report for {entry['fixture']}"
    findings = [f for r in reps for f in r["findings"]]
    got = {f["rule"] for f in findings}
    missing = sorted(set(entry["must"]) - got)
    unwanted = sorted(set(entry["must_not"]) & got)
    assert not missing and not unwanted, (
        f"{entry['id']} ({entry['why']}): missing {missing}, unwanted {unwanted}; findings:\n{_describe(findings)}")
    # Alone, this fixture would exit 1 exactly when an error-level finding remains (default --fail-on).
    alone = 1 if any(f["severity"] == "error" for f in findings) else 0
    assert alone == entry["exit"], f"{entry['id']}: exit would be {alone}; findings:\n{_describe(findings)}"
    if "preexisting" in entry:
        assert sum(r["preexisting"] for r in reps) == entry["preexisting"]


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_rule_fixture(entry: dict[str, Any]) -> None:
    if entry.get("xfail"):
        try:
            _check_entry(entry)
        except AssertionError:
            pytest.xfail(entry["xfail"])
        pytest.fail(f"{entry['id']} passes now: drop its xfail ({entry['xfail']})")
    _check_entry(entry)


def _group_id(k: GroupKey) -> str:
    return "-".join(x for x in (k[0], k[1] or "notree", *k[2], k[3] or "") if x)


@pytest.mark.parametrize("key", list(GROUPS), ids=[_group_id(k) for k in GROUPS])
def test_group_exit_status(key: GroupKey) -> None:
    """The real exit status of each grouped run: 1 when any of its fixtures must fail, no input errors."""
    rc, report, err = run_group(key)
    assert report["failures"] == [] and err == ""
    expected = max(e["exit"] for e in GROUPS[key] if not e.get("xfail"))
    assert rc == expected


def _registry() -> dict[str, str]:
    from qapilint.checks.registry import registry

    return {r.id: r.family for r in registry().values()}


def test_every_review_rule_has_trigger_and_near_miss() -> None:
    reg = _registry()
    triggers = {r for e in ENTRIES if e["kind"] == "trigger" and not e.get("xfail") for r in e["must"]}
    near = {r for e in ENTRIES if e["kind"] == "near-miss" for r in e["must_not"]}
    skipped = set(MANIFEST["not_covered"])
    review = {r for r, fam in reg.items() if fam != "schema"} - skipped
    assert sorted(review - triggers) == []
    assert sorted(review - near) == []
    assert skipped <= set(reg), "not_covered names an unknown rule"
    assert all(r in reg for e in ENTRIES for r in e["must"] + e["must_not"]), "manifest names an unknown rule"
    schema_triggers = {r for r in triggers if reg[r] == "schema"}
    assert len(schema_triggers) >= 5


def test_fixtures_exist_and_are_used() -> None:
    used = {e["fixture"] for e in ENTRIES}
    for f in used:
        assert (RULES_DIR / f).exists(), f
    on_disk = {str(p.relative_to(RULES_DIR)) for d in ("input", "version", "compat", "docs", "message", "cname",
                                                         "schema", "example") for p in (RULES_DIR / d).iterdir()}
    assert on_disk <= used, f"fixtures no manifest entry uses: {sorted(on_disk - used)}"


def test_fixtures_are_what_the_generator_makes(tmp_path: Path) -> None:
    """The committed fixtures and manifest are current: regenerating them changes nothing."""
    import shutil

    if shutil.which("git") is None:
        pytest.skip("git not available")
    p = subprocess.run([sys.executable, str(RULES_DIR / "make_fixtures.py"), str(tmp_path)], capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    made = sorted(str(f.relative_to(tmp_path)) for f in tmp_path.rglob("*") if f.is_file())
    assert "manifest.json" in made
    stale = [rel for rel in made if (RULES_DIR / rel).read_bytes() != (tmp_path / rel).read_bytes()]
    assert stale == [], "run fixtures/rules/make_fixtures.py"

