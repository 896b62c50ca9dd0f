"""When schema rules arrived in QEMU, and which rules a tree's VERSION selects."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from qapilint.errors import InputError
from qapilint.qapi.doc_model import DocLine
from qapilint.qapi.doc_parser import parse_doc_block
from qapilint.qapi.rule_versions import (
    OLDEST_SUPPORTED,
    RELEASES,
    RULE_SINCE,
    next_release,
    rule_applies,
    version_of_tree_file,
)
from qapilint.source import SourceInfo


def _v(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


def test_latest_applies_everything() -> None:
    for rule in [*RULE_SINCE, "doc-bad-indent", "no-such-rule"]:
        assert rule_applies(rule, None)


def test_rule_without_entry_applies_to_every_supported_release() -> None:
    assert rule_applies("doc-bad-indent", OLDEST_SUPPORTED)


def test_rule_applies_from_its_release_on() -> None:
    for rule, since in RULE_SINCE.items():
        v = _v(since)
        assert rule_applies(rule, v)
        assert rule_applies(rule, next_release(v))
        assert not rule_applies(rule, (v[0], v[1] - 1) if v[1] else (v[0] - 1, 2))


def test_doc_style_rules_are_10_2() -> None:
    assert not rule_applies("doc-line-too-long", (10, 1))
    assert rule_applies("doc-sentence-spacing", (10, 2))


def test_entries_are_newer_than_oldest_supported() -> None:
    for since in RULE_SINCE.values():
        assert _v(since) > OLDEST_SUPPORTED


@pytest.mark.parametrize(("text", "expected"), [
    ("10.2.0\n", (10, 2)),
    ("10.2.1", (10, 2)),
    ("10.1.50\n", (10, 2)),
    ("10.1.91", (10, 2)),
    ("10.2.50", (11, 0)),
    ("9.0.90", (9, 1)),
    ("3.1.50", (4, 0)),
    ("2.12.50", (3, 0)),
    ("2.11.0", (2, 11)),
    ("10.2", (10, 2)),
])
def test_version_of_tree_file(text: str, expected: tuple[int, int]) -> None:
    assert version_of_tree_file(text) == expected


@pytest.mark.parametrize("text", ["", "ten", "10", "10.2.0-rc1", "10.2.0.1"])
def test_version_of_tree_file_rejects_junk(text: str) -> None:
    with pytest.raises(InputError):
        version_of_tree_file(text)


def test_release_table_is_ordered() -> None:
    rows = sorted(RELEASES.items(), key=lambda kv: _v(kv[0]))
    for (_, (_, rel, rc, rc_version)), (_, (_, next_rel, next_rc, _)) in zip(rows, rows[1:], strict=False):
        assert rc < rel < next_rc < next_rel
        assert rc_version.split(".")[2].startswith("9")


# --- against QEMU's history (skipped without the shared data) ---------------

def _git(clone: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(clone), *args], check=True,
                          capture_output=True, text=True).stdout


def _doc_blocks(text: str) -> list[tuple[list[DocLine], int, int]]:
    """Doc blocks of a schema file by a plain line scan (enough for QEMU's files)."""
    out: list[tuple[list[DocLine], int, int]] = []
    cur: list[DocLine] | None = None
    start = 0
    for n, raw in enumerate(text.split("\n"), 1):
        s = raw.lstrip()
        if cur is None:
            if s.startswith("##"):
                cur, start = [], n
        elif s.startswith("##"):
            out.append((cur, start, n))
            cur = None
        elif s.startswith("#"):
            cur.append(DocLine(n, s[2:].rstrip() if s[1:2] == " " else s[1:].rstrip(), raw))
        elif s:
            cur = None
    return out


def _doc_rules(clone: Path, rev: str) -> tuple[tuple[int, int], list[str]]:
    version = version_of_tree_file(_git(clone, "show", f"{rev}:VERSION"))
    found: list[str] = []
    for path in _git(clone, "ls-tree", "--name-only", f"{rev}:qapi").split():
        if not path.endswith(".json"):
            continue
        for lines, start, end in _doc_blocks(_git(clone, "show", f"{rev}:qapi/{path}")):
            _, errs = parse_doc_block(lines, SourceInfo(path, start), end)
            found += [e.rule for e in errs]
    return version, found


def test_release_commits_match_version_history(qemu_clone: Path) -> None:
    for name, (commit, date, _, _) in RELEASES.items():
        assert _git(qemu_clone, "show", f"{commit}:VERSION").strip() == f"{name}.0"
        assert _git(qemu_clone, "log", "-1", "--format=%cs", commit).strip() == date


@pytest.mark.parametrize("rev", ["10.0", "10.1", "10.2", "HEAD"])
def test_trees_clean_under_their_own_rules(qemu_clone: Path, rev: str) -> None:
    commit = RELEASES[rev][0] if rev in RELEASES else rev
    version, found = _doc_rules(qemu_clone, commit)
    assert [r for r in found if rule_applies(r, version)] == []


def test_older_tree_breaks_only_newer_rules(qemu_clone: Path) -> None:
    version, found = _doc_rules(qemu_clone, RELEASES["10.1"][0])
    assert found, "10.1.0 predates the doc style rules and should break them"
    assert {_v(RULE_SINCE[r]) > version for r in found} == {True}


@pytest.mark.parametrize(("case", "rule"), [
    ("doc-long-line", "doc-line-too-long"),
    ("doc-bad-space-between-sentences", "doc-sentence-spacing"),
])
def test_since_matches_first_release_with_test_case(qemu_clone: Path, case: str, rule: str) -> None:
    added = _git(qemu_clone, "log", "--diff-filter=A", "--format=%H", "--",
                 f"tests/qapi-schema/{case}.json").split()[-1]
    first = None
    for name, (commit, _, _, _) in sorted(RELEASES.items(), key=lambda kv: _v(kv[0])):
        ok = subprocess.run(["git", "-C", str(qemu_clone), "merge-base", "--is-ancestor",
                             added, commit]).returncode == 0
        if ok:
            first = name
            break
    assert first == RULE_SINCE[rule]
