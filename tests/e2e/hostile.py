"""Hostile trees and patches (issue 11): a canary beside the tree that no output may show.

Shared by ``test_e2e_hostile.py`` (assertions) and ``benchmarks/bench_hostile.py``
(figures).  Each scenario is a small QEMU-like tree in ``base/tree``, a patch
and a schema file that name something they must not reach; ``base/canary``
and ``base/canary.json`` hold :data:`CANARY`.  Every command of a scenario
runs in one child process (``python hostile.py DIR SCENARIO``), measured
with ``os.wait4`` (wall time, peak RSS) and killed if it outlives a bound.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

CANARY = "CANARY-c4a7e1-must-never-be-shown"
SCENARIOS = ("relative-include", "absolute-include", "symlink-include", "symlink-diff", "dotdot-diff",
             "devzero-include", "fifo-include", "stdin-include")
ANCHOR = "inside-include"     # the same commands on a harmless include, for the benchmark's ratios
ROOT_SCHEMA = """# -*- Mode: Python -*-

##
# = Example schema
##

{ 'include': 'common.json' }
"""
COMMON = """##
# @Colour:
#
# Since: 10.0
##
{ 'enum': 'Colour', 'data': [ 'red' ] }
"""


@dataclass
class Case:
    scenario: str
    base: Path
    tree: Path
    patch: Path
    schema: Path          # a schema file of the tree that includes the hostile name


def _include_patch(name: str) -> str:
    return ("From: Eve Example <eve@example.org>\nSubject: [PATCH] qapi: include more\n"
            "Date: Mon, 20 Apr 2026 09:00:00 +0200\nMessage-ID: <hostile@example.org>\n\n"
            "Include one more file.\n---\n"
            "diff --git a/qapi/qapi-schema.json b/qapi/qapi-schema.json\n"
            "--- a/qapi/qapi-schema.json\n+++ b/qapi/qapi-schema.json\n"
            "@@ -5,3 +5,4 @@\n ##\n \n { 'include': 'common.json' }\n"
            f"+{{ 'include': '{name}' }}\n")


def _edit_patch(path: str) -> str:
    # No context: were the file read, the hunk would apply to whatever it
    # holds, and its first line would be parsed (and quoted by a lexer error).
    return ("From: Eve Example <eve@example.org>\nSubject: [PATCH] qapi: edit a file\n"
            "Date: Mon, 20 Apr 2026 09:00:00 +0200\nMessage-ID: <hostile@example.org>\n\n"
            "Edit one file.\n---\n"
            f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"
            "@@ -1,0 +2,1 @@\n+{ 'enum': 'Extra', 'data': [ 'a' ] }\n")


def build(base: Path, scenario: str) -> Case:
    (base / "canary").write_text(CANARY + "\n")
    (base / "canary.json").write_text(CANARY + "\n")
    tree = base / "tree"
    (tree / "qapi").mkdir(parents=True)
    (tree / "VERSION").write_text("10.2.50\n")
    (tree / "qapi" / "qapi-schema.json").write_text(ROOT_SCHEMA)
    (tree / "qapi" / "common.json").write_text(COMMON)
    (tree / "qapi" / "link.json").symlink_to("../../canary")
    os.mkfifo(tree / "qapi" / "fifo.json")
    (tree / "qapi" / "more.json").write_text(COMMON.replace("Colour", "Shade"))
    include = {ANCHOR: "more.json", "relative-include": "../../canary", "absolute-include": str(base / "canary"),
               "symlink-include": "link.json", "symlink-diff": "link.json", "dotdot-diff": "../../canary.json",
               "devzero-include": "/dev/zero", "fifo-include": "fifo.json", "stdin-include": "/dev/stdin"}[scenario]
    if scenario == "symlink-diff":
        text = _edit_patch("qapi/link.json")
    elif scenario == "dotdot-diff":
        text = _edit_patch("qapi/../../canary.json")
    else:
        text = _include_patch(include)
    patch = base / "hostile.patch"
    patch.write_text(text)
    schema = tree / "qapi" / "hostile.json"
    schema.write_text(f"{{ 'include': '{include}' }}\n")
    return Case(scenario, base, tree, patch, schema)


def commands(case: Case) -> list[tuple[str, list[str]]]:
    from qapilint.reports import FORMATS

    out = [(f"check --format {fmt}", ["check", "--tree", str(case.tree), "--format", fmt, str(case.patch)])
           for fmt in FORMATS]
    out += [("changes", ["changes", "--tree", str(case.tree), str(case.patch)]),
            ("changes --format json", ["changes", "--tree", str(case.tree), "--format", "json", str(case.patch)]),
            ("schema", ["schema", str(case.schema)]),
            ("schema --format json", ["schema", "--format", "json", str(case.schema)])]
    return out


def drive(case: Case) -> list[dict[str, object]]:
    """Every command of ``case`` in this process; what each printed and how long it took."""
    from qapilint.cli import main

    results: list[dict[str, object]] = []
    for label, argv in commands(case):
        out, err = io.StringIO(), io.StringIO()
        t0 = time.monotonic()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(argv)
        results.append({"label": label, "rc": rc, "seconds": time.monotonic() - t0,
                        "stdout": out.getvalue(), "stderr": err.getvalue()})
    return results


@dataclass
class Measured:
    results: list[dict[str, object]]
    returncode: int
    seconds: float
    max_rss_mb: float
    stderr: str


def measure(case: Case, kill_after: float = 120.0) -> Measured:
    """Run :func:`drive` in a child (stdin: /dev/null) and measure it with wait4."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parent), env.get("PYTHONPATH", "")])
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen([sys.executable, __file__, str(case.base), case.scenario], stdin=subprocess.DEVNULL,
                             stdout=out, stderr=err, env=env)
        timer = threading.Timer(kill_after, p.kill)
        timer.start()
        try:
            _pid, status, usage = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        raw, errtext = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    results = json.loads(raw) if p.returncode == 0 and raw else []
    return Measured(results, p.returncode, seconds, usage.ru_maxrss / 1024.0, errtext)


if __name__ == "__main__":
    base, scenario = Path(sys.argv[1]), sys.argv[2]
    got = drive(Case(scenario, base, base / "tree", base / "hostile.patch", base / "tree" / "qapi" / "hostile.json"))
    sys.stdout.write(json.dumps(got))
