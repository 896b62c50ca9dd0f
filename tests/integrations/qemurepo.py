"""A small git repository shaped like a QEMU checkout, for the integration tests.

``master`` holds VERSION and a two-file schema; the branch ``feature`` adds two
commits: the first adds struct WidgetInfo with a wrong 'Since: 9.2' (the tree
is 10.1.50, so new API is 10.2), the second adds a correctly tagged command.
Commits are dated in the 10.2 development cycle so the date agrees.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """\
# -*- Mode: Python -*-
# vim: filetype=python

##
# = Widget schema
##

{ 'pragma': { 'doc-required': true } }

{ 'include': 'widgets.json' }
"""

WIDGETS = """\
# -*- Mode: Python -*-
# vim: filetype=python

##
# = Widgets
##

##
# @WidgetKind:
#
# The kinds of widget.
#
# @round: a round widget
#
# @square: a square widget
#
# Since: 9.0
##
{ 'enum': 'WidgetKind', 'data': [ 'round', 'square' ] }
"""

WRONG = """
##
# @WidgetInfo:
#
# Information about a widget.
#
# @kind: the kind of the widget
#
# @size: its size in millimetres
#
# Since: 9.2
##
{ 'struct': 'WidgetInfo',
  'data': { 'kind': 'WidgetKind', 'size': 'int' } }
"""

CLEAN = """
##
# @query-widgets:
#
# Return information about every widget.
#
# Since: 10.2
##
{ 'command': 'query-widgets', 'returns': [ 'WidgetInfo' ] }
"""

WRONG_SUBJECT = "qapi: add WidgetInfo"
CLEAN_SUBJECT = "qapi: add query-widgets"
DATES = ("2025-10-01T10:00:00+0200", "2025-10-02T10:00:00+0200", "2025-10-03T10:00:00+0200")


@dataclass
class QemuRepo:
    path: Path
    home: Path            # HOME of every client the tests start (no user config leaks in)
    base: str             # master
    wrong: str            # the commit with the wrong tag
    clean: str            # the clean commit (the branch tip)
    wrong_line: int       # line of 'Since: 9.2' in qapi/widgets.json

    def env(self, **extra: str) -> dict[str, str]:
        return client_env(self.home, **extra)

    def git(self, *args: str, check: bool = True, **kw: object) -> subprocess.CompletedProcess[str]:
        return git(self.path, *args, home=self.home, check=check, **kw)


def client_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a client: the running interpreter's scripts first, a private HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(home / ".config")
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env.pop("NO_COLOR", None)
    env.update(extra)
    return env


def git(cwd: Path, *args: str, home: Path, check: bool = True, date: str | None = None,
        **kw: object) -> subprocess.CompletedProcess[str]:
    extra = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}
    return subprocess.run(["git", *args], cwd=cwd, env=client_env(home, **extra), check=check,
                          capture_output=True, text=True, timeout=120, **kw)  # type: ignore[call-overload]


def make_repo(root: Path) -> QemuRepo:
    home = root / "home"
    home.mkdir(parents=True)
    (home / ".gitconfig").write_text("[user]\n\tname = Ada Tester\n\temail = ada@example.org\n"
                                     "[init]\n\tdefaultBranch = master\n[advice]\n\tdetachedHead = false\n",
                                     encoding="utf-8")
    path = root / "qemu"
    path.mkdir()
    (path / "qapi").mkdir()
    (path / "VERSION").write_text("10.1.50\n", encoding="utf-8")
    (path / "qapi" / "qapi-schema.json").write_text(SCHEMA, encoding="utf-8")
    (path / "qapi" / "widgets.json").write_text(WIDGETS, encoding="utf-8")
    git(path, "init", "-q", "-b", "master", home=home)
    git(path, "add", "VERSION", "qapi", home=home)
    git(path, "commit", "-q", "-m", "Initial tree", home=home, date=DATES[0])
    git(path, "checkout", "-q", "-b", "feature", home=home)
    widgets = path / "qapi" / "widgets.json"
    widgets.write_text(WIDGETS + WRONG, encoding="utf-8")
    msg = f"{WRONG_SUBJECT}\n\nDescribe a widget.\n\nSigned-off-by: Ada Tester <ada@example.org>\n"
    git(path, "commit", "-q", "-a", "-m", msg, home=home, date=DATES[1])
    widgets.write_text(WIDGETS + WRONG + CLEAN, encoding="utf-8")
    msg = f"{CLEAN_SUBJECT}\n\nList the widgets.\n\nSigned-off-by: Ada Tester <ada@example.org>\n"
    git(path, "commit", "-q", "-a", "-m", msg, home=home, date=DATES[2])
    revs = git(path, "rev-list", "--reverse", "HEAD", home=home).stdout.split()
    line = (WIDGETS + WRONG).splitlines().index("# Since: 9.2") + 1
    return QemuRepo(path=path, home=home, base=revs[0], wrong=revs[1], clean=revs[2], wrong_line=line)
