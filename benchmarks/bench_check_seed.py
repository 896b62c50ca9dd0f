#!/usr/bin/env python3
"""Time ``qapilint check SEED --format json`` (one patch, no tree), side by side with bare start-up.

Usage: bench_check_seed.py [SEED] [--runs N] [--no-bytecode-pass] [--importtime] [--tree DIR]

Budget: <= 150 ms wall including process start.  Figures are medians of
wall and CPU time (user + sys) over N >= 10 cold processes, with peak RSS,
in the same two bytecode set-ups as bench_schema.py (the environment as it
is, and compiled bytecode in a temporary PYTHONPYCACHEPREFIX), and with the
parse cache in a temporary XDG_CACHE_HOME.  Skips (exit 0, with a message)
when the seed patch or the ``check`` subcommand is absent.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_schema import Cold, cold, env_with, importtime, line  # noqa: E402

DEFAULT_SEED = "/work/shared/data/seed/patchwork-patch-2224051.json"
BUDGET_WALL = 0.150


BUDGET_WALL_TREE = 0.300


def verdict(c: Cold, start: Cold, budget: float = BUDGET_WALL) -> str:
    ok = "ok" if c.wall <= budget else "OVER"
    # The budget is absolute; scale it by this run's start-up against the anchor's 35 ms too.
    scaled = budget * start.wall / 0.035
    ok_scaled = "ok" if c.wall <= scaled else "OVER"
    return (f"budget {budget * 1000:.0f} ms wall [{ok}]; scaled by start-up to "
            f"{scaled * 1000:.0f} ms [{ok_scaled}]; {c.wall / start.wall:.1f}x bare start-up")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("seed", nargs="?", default=DEFAULT_SEED)
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--no-bytecode-pass", action="store_true")
    ap.add_argument("--importtime", action="store_true", help="also list the slowest imports of a cold run")
    ap.add_argument("--tree", metavar="DIR",
                    help="also time 'check --tree DIR' (budget 300 ms; parse cache and the base tree's "
                         "result cache warm, as when a bot reviews patches against a base it has seen)")
    args = ap.parse_args()
    if not os.path.isfile(args.seed):
        print(f"bench_check_seed: skipped: seed patch {args.seed} is absent")
        return 0
    if importlib.util.find_spec("qapilint.cli.check_cmd") is None:
        print("bench_check_seed: skipped: the 'check' subcommand (qapilint.cli.check_cmd) is absent")
        return 0
    runs = max(args.runs, 10)
    py = sys.executable
    argv = [py, "-m", "qapilint", "check", args.seed, "--format", "json"]
    tmp = tempfile.mkdtemp(prefix="qapilint-bench-")
    try:
        base = env_with(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "xdg"), QAPILINT_NO_CACHE=None)
        setups = [(f"as this environment is (PYTHONDONTWRITEBYTECODE="
                   f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')})", base)]
        if not args.no_bytecode_pass:
            setups.append(("with compiled bytecode (PYTHONPYCACHEPREFIX in a temporary directory)",
                           env_with(base, PYTHONDONTWRITEBYTECODE=None,
                                    PYTHONPYCACHEPREFIX=os.path.join(tmp, "pyc"))))
        for title, env in setups:
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            print(f"{title}, medians of {runs} runs:")
            start = cold([py, "-c", "pass"], runs, env)
            line("python3 -c pass", start)
            for label, e in (("qapilint check SEED, cache warm", env),
                             ("qapilint check SEED, no cache", env_with(env, QAPILINT_NO_CACHE="1"))):
                c = cold(argv, runs, e)
                line(label, c, f"   (exit {c.status})")
                print(f"    {verdict(c, start)}")
            if args.tree:
                targv = [*argv, "--tree", args.tree]
                subprocess.run(targv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
                c = cold(targv, runs, env)
                line("qapilint check --tree DIR SEED", c, f"   (exit {c.status})")
                print(f"    {verdict(c, start, BUDGET_WALL_TREE)}")
            if args.importtime:
                importtime(argv, env, top=25)
            print()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
