#!/usr/bin/env python3
"""What checking QMP examples costs ``qapilint audit`` on a whole tree.

Usage: bench_audit_examples.py [TREE] [--runs N]

Budget: the example family adds at most 20% to ``audit``.  Measured in the
same run, alternating, so that machine load hits both sides alike:

- whole processes: ``qapilint audit TREE --format json`` against the same
  with ``--ignore example`` (which skips the example work, not only its
  findings); medians of wall and CPU time (user + sys) over N runs, parse
  cache warm as for any second run;
- in process: the audit of the loaded schema (``checks.audit.audit``) with
  and without examples, schema load included, CPU time, medians over N calls.

The ratio that counts is the whole-process CPU ratio with compiled
bytecode, the median over back-to-back pairs (an installed qapilint; CPU rather than wall time, which other
processes on the machine disturb).  Without bytecode every start-up also
compiles the family's modules; that figure is printed too.  Skips (exit 0,
with a message) when the tree is absent.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_schema import env_with, run_child  # noqa: E402

DEFAULT_TREE = "/tmp/qemu-qapi"
BUDGET = 1.20


def _in_process(tree: str, runs: int) -> tuple[float, float, int, int]:
    from qapilint.checks.audit import audit
    from qapilint.qapi.loader import load_schema

    here = os.getcwd()
    os.chdir(tree)
    try:
        def one(examples: bool) -> tuple[float, int]:
            t = time.process_time()
            n = len(audit(load_schema("qapi/qapi-schema.json"), examples, set()))
            return time.process_time() - t, n

        one(True)
        without, with_ = [], []
        n0 = n1 = 0
        for _ in range(runs):
            t0, n0 = one(False)
            t1, n1 = one(True)
            without.append(t0)
            with_.append(t1)
        return statistics.median(without), statistics.median(with_), n0, n1
    finally:
        os.chdir(here)


def _processes(tree: str, runs: int, env: dict[str, str], title: str) -> None:
    base = [sys.executable, "-m", "qapilint", "audit", tree, "--format", "json"]
    without_argv = [*base, "--ignore", "example"]
    subprocess.run(base, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    w0: list[float] = []
    c0: list[float] = []
    w1: list[float] = []
    c1: list[float] = []
    for _ in range(runs):
        wall, cpu, _rss, _st = run_child(without_argv, env)
        w0.append(wall)
        c0.append(cpu)
        wall, cpu, _rss, _st = run_child(base, env)
        w1.append(wall)
        c1.append(cpu)
    mw0, mc0, mw1, mc1 = (statistics.median(x) for x in (w0, c0, w1, c1))
    print(f"qapilint audit {tree}, {title}; medians of {runs} alternating runs (parse cache warm):")
    print(f"  without examples (--ignore example)  wall {mw0 * 1000:7.1f} ms   cpu {mc0 * 1000:7.1f} ms")
    print(f"  with examples                        wall {mw1 * 1000:7.1f} ms   cpu {mc1 * 1000:7.1f} ms")
    # The figure that counts: the median of the ratios of back-to-back pairs.  A
    # shared machine changes speed for seconds at a time, which can land on more
    # runs of one side than the other and move the ratio of the two medians.
    pairs = sorted(b / a for a, b in zip(c0, c1, strict=True))
    ratio = statistics.median(pairs)
    q1, q3 = pairs[len(pairs) // 4], pairs[(3 * len(pairs)) // 4]
    print(f"  ratio with/without: cpu {ratio:.3f} (median of pairs; quartiles {q1:.3f}..{q3:.3f}; "
          f"of the medians {mc1 / mc0:.3f}), wall {mw1 / mw0:.3f}  "
          f"(budget {BUDGET:.2f}) [{'ok' if ratio <= BUDGET else 'OVER'}]")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tree", nargs="?", default=DEFAULT_TREE)
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.tree, "qapi", "qapi-schema.json")):
        print(f"bench_audit_examples: skipped: {args.tree} is not a QEMU tree")
        return 0
    runs = max(args.runs, 5)
    with tempfile.TemporaryDirectory(prefix="qapilint-bench-") as tmp:
        env = env_with(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "xdg"), QAPILINT_NO_CACHE=None)
        setups = [("with compiled bytecode (PYTHONPYCACHEPREFIX in a temporary directory), as installed",
                   env_with(env, PYTHONDONTWRITEBYTECODE=None, PYTHONPYCACHEPREFIX=os.path.join(tmp, "pyc"))),
                  (f"as this environment is (PYTHONDONTWRITEBYTECODE="
                   f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')}: every module compiled at start-up)", env)]
        for title, e in setups:
            _processes(args.tree, runs, e, title)
        os.environ["XDG_CACHE_HOME"] = os.path.join(tmp, "xdg")
        t0, t1, n0, n1 = _in_process(args.tree, runs)
        print(f"in process (load + audit, cpu), medians of {runs}: without {t0 * 1000:.1f} ms ({n0} findings), "
              f"with {t1 * 1000:.1f} ms ({n1} findings): ratio {t1 / t0:.3f}; the examples cost "
              f"{(t1 - t0) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
