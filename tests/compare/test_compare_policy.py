"""QEMU's deprecation policy over a release history written here (a git repository per test run)."""

from __future__ import annotations

from pathlib import Path

import pytest
from releasekit import find, history, write_tree

from qapilint.checks.release import findings
from qapilint.compare import compare
from qapilint.compare.history import release_commits

DEP = "'features': [ 'deprecated' ]"


def schema(**cmds: str | None) -> str:
    """One command per keyword: None = plain, a string = extra keys; a missing keyword = absent."""
    out = ["{ 'struct': 'Info', 'data': { 'id': 'str', '*old': { 'type': 'int', 'features': [ 'deprecated' ] } } }",
           "{ 'command': 'query-info', 'returns': 'Info' }"]
    for name, extra in cmds.items():
        name = name.replace("_", "-")
        out.append(f"{{ 'command': '{name}'" + (f", {extra}" if extra else "") + " }")
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Releases 9.0 .. 10.0 with development commits between them.

    a: deprecated in 9.1, removed in 10.0 (allowed: 9.1 and 9.2 kept it)
    b: deprecated in 9.2, removed in 10.0 (too early)
    c: never deprecated, removed in 10.0
    x_d: an x- name, removed in 10.0 (exempt)
    e: deprecated in 9.0, removed in 9.1 (too early; seen across several releases)
    f: deprecated in 9.2, removed after 10.0 during development of 10.1 (allowed)
    Info.old: deprecated since 8.2 (the first release of the history), removed in 10.0
    """
    path = tmp_path_factory.mktemp("hist") / "tree"
    steps = [
        ("8.2.0", schema(a=None, b=None, c=None, x_d=None, e=None, f=None)),
        ("9.0.0", schema(a=None, b=None, c=None, x_d=None, e=DEP, f=None)),
        ("9.0.50", schema(a=DEP, b=None, c=None, x_d=None, f=None)),
        ("9.1.0", schema(a=DEP, b=None, c=None, x_d=None, f=None)),
        ("9.2.0", schema(a=DEP, b=DEP, c=None, x_d=None, f=DEP)),
        ("10.0.0", schema(f=DEP).replace(", '*old': { 'type': 'int', 'features': [ 'deprecated' ] }", "")),
        ("10.0.50", schema().replace(", '*old': { 'type': 'int', 'features': [ 'deprecated' ] }", "")),
    ]
    return path, history(path, steps)


def test_release_commits_come_from_version_history(repo: tuple[Path, dict[str, str]]) -> None:
    path, revs = repo
    got = {f"{r.version[0]}.{r.version[1]}": r.commit for r in release_commits(str(path), "HEAD")}
    assert got == {"8.2": revs["8.2.0"], "9.0": revs["9.0.0"], "9.1": revs["9.1.0"], "9.2": revs["9.2.0"],
                   "10.0": revs["10.0.0"]}


def test_removals_judged_over_three_releases(repo: tuple[Path, dict[str, str]]) -> None:
    path, revs = repo
    cmp = compare(revs["9.2.0"], revs["10.0.0"], tree=str(path))
    a = find(cmp, "removed", "definition", "a")
    assert (a.breaking, a.policy, a.deprecated_since) == (True, "ok", "9.1")
    b = find(cmp, "removed", "definition", "b")
    assert (b.policy, b.deprecated_since) == ("violation", "9.2")
    assert "must keep working in 9.2 and 10.0" in b.reason
    c = find(cmp, "removed", "definition", "c")
    assert (c.policy, c.deprecated_since) == ("violation", None)
    d = find(cmp, "removed", "definition", "x-d")
    assert d.policy == "exempt"
    old = find(cmp, "removed", "member", "Info", "old")
    assert (old.policy, old.deprecated_since) == ("ok", "8.2")
    rules = {f.item or f.definition: f.rule for f in findings(cmp)}
    assert rules == {"a": "release-declared-break", "b": "release-removed-early",
                     "c": "release-removed-undeprecated", "x-d": "release-declared-break",
                     "old": "release-declared-break"}


def test_removal_in_an_intermediate_release(repo: tuple[Path, dict[str, str]]) -> None:
    path, revs = repo
    cmp = compare(revs["9.0.0"], revs["10.0.0"], tree=str(path))
    e = find(cmp, "removed", "definition", "e")
    assert (e.policy, e.deprecated_since) == ("violation", "9.0")
    assert "removed in 9.1" in e.reason            # not 10.0: 9.1 already lacked it


def test_development_tree_removal(repo: tuple[Path, dict[str, str]]) -> None:
    path, revs = repo
    cmp = compare(revs["10.0.0"], revs["10.0.50"], tree=str(path))
    f = find(cmp, "removed", "definition", "f")
    assert cmp.new.release == (10, 1) and not cmp.new.released
    assert (f.policy, f.deprecated_since) == ("ok", "9.2")
    assert "removed in 10.1" in f.reason


def test_deprecations_added_say_since_when(repo: tuple[Path, dict[str, str]]) -> None:
    path, revs = repo
    cmp = compare(revs["9.0.0"], revs["9.2.0"], tree=str(path))
    assert find(cmp, "added", "feature", "a", "deprecated").deprecated_since == "9.1"
    assert find(cmp, "added", "feature", "b", "deprecated").deprecated_since == "9.2"
    assert {e.group for e in cmp.entries if e.what == "feature"} == {"deprecated"}


def test_directories_without_history(tmp_path: Path, repo: tuple[Path, dict[str, str]]) -> None:
    old = write_tree(tmp_path / "old", schema(a=DEP, c=None), "9.2.0")
    new = write_tree(tmp_path / "new", schema(), "10.0.0")
    cmp = compare(str(old), str(new), tree=None)
    a = find(cmp, "removed", "definition", "a")
    assert a.policy == "ok" and "not verified" in a.reason, a.reason
    assert find(cmp, "removed", "definition", "c").policy == "violation"
    assert any("no release history" in n for n in cmp.notes)
    # With a tree whose history has the releases, directories are judged by it too.
    judged = compare(str(old), str(new), tree=str(repo[0]))
    assert find(judged, "removed", "definition", "a").deprecated_since == "9.1"


def test_new_part_of_released_api_is_judged_by_its_owner(tmp_path: Path) -> None:
    """A mandatory argument added to a released command breaks released clients; one added to a
    command that is itself new in the development cycle breaks nobody."""
    base = "{ 'command': 'stop', 'data': { '*force': 'bool' } }\n"
    dev = base + "{ 'command': 'fresh', 'data': { '*x': 'int' } }\n"
    later = dev.replace("'*force': 'bool'", "'*force': 'bool', 'why': 'str'").replace("'*x'", "'x'")
    revs = history(tmp_path / "r", [("9.1.0", base), ("9.1.50", dev), ("9.1.51", later)])
    cmp = compare(revs["9.1.50"], revs["9.1.51"], tree=str(tmp_path / "r"))
    why = find(cmp, "added", "member", "stop", "why")
    assert why.breaking and why.policy == "violation" and "9.1 has it unmarked" in why.reason
    x = find(cmp, "changed", "optional", "fresh", "x")
    assert x.breaking and x.policy == "ok" and x.unreleased
    assert [f.rule for f in findings(cmp)] == ["release-undeclared-break"]
