#!/usr/bin/env python3
"""Time ``qapilint diff OLD NEW`` on two full QEMU releases, side by side with bare Python start-up.

Usage: bench_diff.py [TREE] [--runs N] [--pairs 9.0-9.1,10.1-10.2 | --all-pairs]

TREE is a clone of the qapi history bundle (default /tmp/qemu-qapi, read
only).  Releases are found in its VERSION history.  For each pair, medians
over N runs (N >= 5) of a new ``qapilint diff`` process: wall time, CPU
time (user + sys of the child) and peak RSS, with the parse cache warm and
with no cache (``QAPILINT_NO_CACHE=1``).  Every run reads both releases
from git objects and reads the deprecation history it needs (older releases
for removed items), as a user's run does.

Budget (issue 14): under 2 s.  Anchor: QEMU's own frontend run twice (one
schema per release, 2 x 0.39 s whole process with a 0.035 s bare start-up,
/work/shared/docs/perf-anchors.md), scaled by the bare start-up measured in
the same run, as benchmarks/bench_schema.py does.  QEMU's frontend does not
compare anything; the ratio says what the comparison and the history cost
on top of loading two schemas.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

from bench_schema import QEMU_PYTHON_START, QEMU_WHOLE_PROCESS, Cold, cold, env_with, line

from qapilint.compare.history import release_commits

BUDGET_SECONDS = 2.0
DEFAULT_TREE = "/tmp/qemu-qapi"
DEFAULT_PAIRS = "10.1-10.2,9.0-9.1"


def verdicts(label: str, c: Cold, start: Cold) -> None:
    anchor = 2 * QEMU_WHOLE_PROCESS * start.wall / QEMU_PYTHON_START
    additive = 2 * QEMU_WHOLE_PROCESS + start.wall - QEMU_PYTHON_START
    budget = "ok" if c.wall < BUDGET_SECONDS else "OVER"
    print(f"  {label:34} wall {c.wall:.2f} s vs budget {BUDGET_SECONDS:.1f} s [{budget}]; ratio {c.wall / anchor:.2f} "
          f"vs QEMU's frontend twice scaled to {anchor:.2f} s (additive calibration: {c.wall / additive:.2f})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tree", nargs="?", default=DEFAULT_TREE)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--pairs", default=DEFAULT_PAIRS, help="comma-separated OLD-NEW release pairs")
    ap.add_argument("--all-pairs", action="store_true", help="every consecutive pair from 9.0 to the newest")
    args = ap.parse_args()
    runs = max(args.runs, 5)
    if not os.path.isdir(os.path.join(args.tree, ".git")):
        print(f"bench_diff: no git tree at {args.tree}; give TREE", file=sys.stderr)
        return 2
    rels = {f"{r.version[0]}.{r.version[1]}": r.commit for r in release_commits(args.tree, "HEAD")}
    if args.all_pairs:
        names = sorted((v for v in rels if tuple(map(int, v.split("."))) >= (9, 0)),
                       key=lambda s: tuple(map(int, s.split("."))))
        pairs = list(zip(names, names[1:], strict=False))
    else:
        pairs = [tuple(p.split("-", 1)) for p in args.pairs.split(",")]  # type: ignore[misc]
    missing = [v for p in pairs for v in p if v not in rels]
    if missing:
        print(f"bench_diff: releases not in {args.tree}: {', '.join(missing)}", file=sys.stderr)
        return 2

    py = sys.executable
    tmp = tempfile.mkdtemp(prefix="qapilint-bench-diff-")
    try:
        env = env_with(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "xdg"), QAPILINT_NO_CACHE=None,
                       PYTHONDONTWRITEBYTECODE=None, PYTHONPYCACHEPREFIX=os.path.join(tmp, "pyc"))
        nocache = env_with(env, QAPILINT_NO_CACHE="1")
        print(f"tree {args.tree}; medians of {runs} runs; compiled bytecode in a temporary PYTHONPYCACHEPREFIX")
        start = cold([py, "-c", "pass"], runs, env)
        line("python3 -c pass", start)
        for old, new in pairs:
            argv = [py, "-m", "qapilint", "diff", "--tree", args.tree, "--fail-on", "never",
                    rels[old], rels[new]]
            # Fill the parse cache (and the bytecode prefix) first.
            cold(argv, 1, env)
            print(f"diff {old} -> {new}:")
            warm = cold(argv, runs, env)
            line("parse cache warm", warm, f"   (exit {warm.status})")
            off = cold(argv, runs, nocache)
            line("no cache", off, f"   (exit {off.status})")
            verdicts("parse cache warm", warm, start)
            verdicts("no cache", off, start)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
