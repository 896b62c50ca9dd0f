"""How the release comparison reads git: one object reader per run, closed at the end; contained reads."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from releasekit import git, history, write_tree

from qapilint.cli import main
from qapilint.compare import compare
from qapilint.sources import gitrepo

BASE = "{ 'command': 'stop', 'data': { '*force': 'bool' } }\n{ 'command': 'gone' }\n"
DEP = BASE.replace("{ 'command': 'gone' }", "{ 'command': 'gone', 'features': [ 'deprecated' ] }")
LATER = "{ 'command': 'stop', 'data': { '*force': 'bool' } }\n"


class Launches:
    """Every ``git cat-file --batch`` process qapilint starts, and every other git command it runs."""

    def __init__(self) -> None:
        self.batches: list[subprocess.Popen[bytes]] = []
        self.commands: list[list[str]] = []


@pytest.fixture
def launches(monkeypatch: pytest.MonkeyPatch) -> Iterator[Launches]:
    seen = Launches()
    real_popen, real_run = subprocess.Popen, subprocess.run

    def popen(argv: list[str], *a: Any, **kw: Any) -> subprocess.Popen[bytes]:
        proc: subprocess.Popen[bytes] = real_popen(argv, *a, **kw)
        if "cat-file" in argv:
            seen.batches.append(proc)
        return proc

    def run(argv: list[str], *a: Any, **kw: Any) -> subprocess.CompletedProcess[Any]:
        seen.commands.append(list(argv))
        return real_run(argv, *a, **kw)

    monkeypatch.setattr(gitrepo.subprocess, "Popen", popen)
    monkeypatch.setattr(gitrepo.subprocess, "run", run)
    yield seen


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """'gone' is deprecated in 9.1 and removed in 10.0: judging it reads 9.1 and 9.2 from the history."""
    path = tmp_path_factory.mktemp("reader") / "tree"
    return path, history(path, [("9.0.0", BASE), ("9.1.0", DEP), ("9.2.0", DEP), ("9.2.50", DEP),
                                ("10.0.0", LATER)])


def test_compare_reads_every_revision_through_one_reader(releases: tuple[Path, dict[str, str]],
                                                         launches: Launches) -> None:
    path, revs = releases
    cmp = compare(revs["9.0.0"], revs["10.0.0"], tree=str(path))
    gone = next(e for e in cmp.entries if e.definition == "gone" and e.op == "removed")
    assert (gone.policy, gone.deprecated_since) == ("ok", "9.1")
    assert len(cmp.releases_read) >= 2          # releases other than the two sides were read
    # Both sides and every release: one 'cat-file --batch', ended when the comparison returns.
    assert len(launches.batches) == 1
    assert launches.batches[0].poll() is not None
    # The release list came through the same bounded runner (git log of VERSION).
    assert any("log" in argv and "VERSION" in argv for argv in launches.commands)


def test_check_against_shares_the_pipelines_reader(releases: tuple[Path, dict[str, str]], tmp_path: Path,
                                                   launches: Launches, capsys: pytest.CaptureFixture[str]) -> None:
    path, revs = releases
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(path), str(work))
    write_tree(work, LATER.replace("'*force': 'bool'", "'*force': 'bool', 'why': 'str'"))
    git(work, "commit", "-qam", "stop needs a reason")
    patch = tmp_path / "p.patch"
    patch.write_text(git(work, "format-patch", "--stdout", "-1") + "\n", encoding="utf-8")
    for _ in range(2):          # a second input reuses the loaded release through its own base's reader
        rc = main(["check", "--tree", str(work), "--base", "HEAD~1", "--against", revs["9.2.0"],
                   "--select", "release", str(patch), str(patch)])
        out, _err = capsys.readouterr()
        assert rc == 1 and out.count("[release-undeclared-break]") == 2
    # One reader per series checked (the base's: 2 runs of 2 inputs), shared by --against; all closed.
    assert len(launches.batches) == 4
    assert all(p.poll() is not None for p in launches.batches)


def test_check_against_without_a_checkout_top_closes_its_own_reader(
        releases: tuple[Path, dict[str, str]], tmp_path: Path, launches: Launches,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A tree read as a work tree (no reader from the base step): --against opens one and closes it."""
    path, revs = releases
    from qapilint.checks.release import Against
    from qapilint.rebuild.detect import TreeReader

    a = Against(TreeReader(str(path)), revs["9.1.0"])
    assert a.release.info.version_text == "9.1.0"
    a.done()
    assert launches.batches and all(p.poll() is not None for p in launches.batches)


def test_include_leaving_the_tree_is_said_as_such(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "secret.json").write_text("{ 'command': 'leaked' }\n", encoding="utf-8")
    inside = "{ 'include': '../../secret.json' }\n" + LATER
    revs = history(tmp_path / "r", [("9.0.0", LATER), ("9.1.0", inside)])
    rc = main(["diff", "--tree", str(tmp_path / "r"), revs["9.0.0"], revs["9.1.0"]])
    out, err = capsys.readouterr()
    assert rc == 0 and not err and "leaked" not in out
    assert "qapi/qapi-schema.json:1: can't include '../../secret.json': the path leads outside the tree " \
           "[include-outside-tree]" in out
    assert "no schema there" not in out


def test_root_schema_that_leaves_the_tree_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "outside.json").write_text("{ 'command': 'leaked' }\n", encoding="utf-8")
    a = write_tree(tmp_path / "t" / "a", LATER)
    b = tmp_path / "t" / "b"
    (b / "qapi").mkdir(parents=True)
    os.symlink(tmp_path / "outside.json", b / "qapi" / "qapi-schema.json")
    rc = main(["diff", str(a), str(b)])
    out, err = capsys.readouterr()
    assert rc == 2 and not out and err.count("\n") == 1 and "leaked" not in err
    assert "schema not read: a symbolic link leads outside the tree" in err
