"""The series-level tag rule (since-series-inconsistent) sees moves as the per-patch rules do.

A series that moves commands between files, within one patch or from one
patch to the next, keeps their old 'Since:' tags: those are not new API and
must not outvote (or be outvoted by) the tags of what the series really adds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from qemurepo import client_env, git

SCHEMA = "##\n# = Test schema\n##\n\n{ 'include': 'a.json' }\n{ 'include': 'b.json' }\n"


def _cmd(name: str, since: str) -> str:
    return f"\n##\n# @{name}:\n#\n# Do {name}.\n#\n# Since: {since}\n##\n{{ 'command': '{name}' }}\n"


def _repo(tmp_path: Path) -> tuple[Path, Path]:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = T\n\temail = t@example.org\n", encoding="utf-8")
    r = tmp_path / "qemu"
    (r / "qapi").mkdir(parents=True)
    (r / "VERSION").write_text("10.1.50\n", encoding="utf-8")
    (r / "qapi" / "qapi-schema.json").write_text(SCHEMA, encoding="utf-8")
    (r / "qapi" / "a.json").write_text("##\n# = A\n##\n" + _cmd("one", "2.8") + _cmd("two", "2.8")
                                       + _cmd("three", "2.8"), encoding="utf-8")
    (r / "qapi" / "b.json").write_text("##\n# = B\n##\n", encoding="utf-8")
    git(r, "init", "-q", "-b", "master", home=home)
    git(r, "add", ".", home=home)
    git(r, "commit", "-qm", "base", home=home, date="2025-10-01T10:00:00+0000")
    return r, home


def _commit(r: Path, home: Path, msg: str, a: str, b: str, day: int) -> None:
    (r / "qapi" / "a.json").write_text(a, encoding="utf-8")
    (r / "qapi" / "b.json").write_text(b, encoding="utf-8")
    git(r, "commit", "-qam", msg, home=home, date=f"2025-10-{day:02d}T10:00:00+0000")


def _series_findings(r: Path, home: Path) -> list[list[tuple[str, int]]]:
    p = subprocess.run([sys.executable, "-m", "qapilint", "check", "--format", "json", "--git", "master..HEAD"],
                       cwd=r, env=client_env(home), capture_output=True, text=True, timeout=300, check=False)
    assert "Traceback" not in p.stderr and p.returncode in (0, 1), p.stderr
    return [[(f["rule"], f["line"]) for f in pr["findings"]] for pr in json.loads(p.stdout)["patches"]]


def test_moves_within_and_across_patches_are_not_new_api(tmp_path: Path) -> None:
    r, home = _repo(tmp_path)
    head = "##\n# = A\n##\n"
    git(r, "checkout", "-q", "-b", "move", home=home)
    # 1: move 'one' from a.json to b.json within the patch, and add a new command.
    _commit(r, home, "qapi: move one", head + _cmd("two", "2.8") + _cmd("three", "2.8"),
            "##\n# = B\n##\n" + _cmd("one", "2.8") + _cmd("fresh", "10.2"), 2)
    # 2: remove 'two' and 'three'; 3: add them to b.json with their old tags, and one more new command.
    _commit(r, home, "qapi: drop two and three from a", head,
            "##\n# = B\n##\n" + _cmd("one", "2.8") + _cmd("fresh", "10.2"), 3)
    _commit(r, home, "qapi: add two and three to b", head,
            "##\n# = B\n##\n" + _cmd("one", "2.8") + _cmd("fresh", "10.2") + _cmd("two", "2.8")
            + _cmd("three", "2.8") + _cmd("newer", "10.2"), 4)
    got = _series_findings(r, home)
    assert all(rule != "since-series-inconsistent" for p in got for rule, _line in p), got
    # Patch 1 alone is clean: its move keeps the old tag.
    assert got[0] == []


def test_inconsistent_new_tags_are_still_flagged(tmp_path: Path) -> None:
    r, home = _repo(tmp_path)
    git(r, "checkout", "-q", "-b", "mixed", home=home)
    a = (r / "qapi" / "a.json").read_text(encoding="utf-8")
    _commit(r, home, "qapi: add x", a, "##\n# = B\n##\n" + _cmd("x", "10.2") + _cmd("y", "10.2"), 2)
    _commit(r, home, "qapi: add z", a, "##\n# = B\n##\n" + _cmd("x", "10.2") + _cmd("y", "10.2")
            + _cmd("z", "10.1"), 3)
    got = _series_findings(r, home)
    assert any(rule == "since-series-inconsistent" for rule, _line in got[1]), got
