#!/usr/bin/env python3
"""Time ``qapilint schema ROOT`` on a whole QAPI schema, side by side with bare Python start-up.

Usage: bench_schema.py [ROOT] [--runs N] [--no-bytecode-pass] [--importtime]

Every figure is a median over N runs (N >= 10) of wall time and CPU time
(user + sys of the child, from wait4), with the child's peak RSS:

- ``python3 -c pass`` and ``python3 -c 'import lark'``;
- ``qapilint schema ROOT`` in a new process with a warm parse cache, and
  with no cache (``QAPILINT_NO_CACHE=1``);
- ``load_schema`` (phase P1) alone in a new process, cache warm and off;
- the same in process, warm (the process has run it once), with and
  without the cache; ``qapilint schema`` warm in process.

The cache lives in a temporary ``XDG_CACHE_HOME`` made for the run, so
the figures do not depend on the user's cache.  Two bytecode set-ups are
timed: as the environment is (here ``PYTHONDONTWRITEBYTECODE=1`` and no
``__pycache__`` in the work tree, so every qapilint module is compiled from
source at each start), and with compiled bytecode as an installed package
has it (``PYTHONPYCACHEPREFIX`` pointing into the temporary directory,
filled by a first run; the work tree is not touched).

The machines are shared and noisy, so QEMU's anchor (0.39 s whole process
with a 0.035 s bare start-up, /work/shared/docs/perf-anchors.md) is scaled
by the bare start-up measured in the same run, in the same set-up, before
taking the ratio (budget: <= 0.5).  Start-up here includes the
site-packages ``.pth`` hooks of this environment (~20 ms), which inflates
that scale, so a conservative ratio is printed too: the anchor plus the
start-up difference, as if that difference were a fixed cost.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

QEMU_WHOLE_PROCESS = 0.39
QEMU_PYTHON_START = 0.035
QEMU_RSS_MIB = 24
BUDGET_RATIO = 0.5
BUDGET_RSS_MIB = 150
DEFAULT_ROOT = "/tmp/qemu-qapi/qapi/qapi-schema.json"


@dataclass
class Cold:
    wall: float      # seconds, median
    cpu: float       # seconds (user + sys), median
    rss: float       # MiB, max over runs
    status: int      # exit status of the last run


def run_child(argv: list[str], env: Mapping[str, str] | None = None) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS (MiB) and exit status of one child process."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def cold(argv: list[str], runs: int, env: Mapping[str, str] | None = None) -> Cold:
    results = [run_child(argv, env) for _ in range(runs)]
    return Cold(statistics.median(r[0] for r in results), statistics.median(r[1] for r in results),
                max(r[2] for r in results), results[-1][3])


def warm(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``fn()`` after one call to warm up."""
    fn()
    walls, cpus = [], []
    for _ in range(runs):
        c, t = time.process_time(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def line(label: str, c: Cold, extra: str = "") -> None:
    print(f"  {label:34} wall {c.wall * 1000:7.1f} ms   cpu {c.cpu * 1000:7.1f} ms   "
          f"peak RSS {c.rss:6.1f} MiB{extra}")


def ratio_lines(what: str, c: Cold, start: Cold) -> None:
    for kind, measured, base in (("wall", c.wall, start.wall), ("cpu", c.cpu, start.cpu)):
        anchor = QEMU_WHOLE_PROCESS * base / QEMU_PYTHON_START
        # Conservative: the start-up difference is a fixed cost, not a slower machine.
        additive = QEMU_WHOLE_PROCESS + base - QEMU_PYTHON_START
        verdict = "ok" if measured / anchor <= BUDGET_RATIO else "OVER"
        print(f"  {what:34} {kind}: ratio {measured / anchor:.2f} vs QEMU anchor scaled to "
              f"{anchor * 1000:.0f} ms [{verdict}]; additive calibration: {measured / additive:.2f}")


def env_with(base: Mapping[str, str], **changes: str | None) -> dict[str, str]:
    env = dict(base)
    for k, v in changes.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def importtime(argv: list[str], env: Mapping[str, str], top: int = 15) -> None:
    """The slowest imports (cumulative) of one cold run, as ``python -X importtime`` reports them."""
    proc = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False)
    rows = []
    for text in proc.stderr.splitlines():
        if text.startswith("import time:") and "|" in text:
            parts = text[len("import time:"):].split("|")
            try:
                rows.append((int(parts[1]), int(parts[0]), parts[2].rstrip()))
            except ValueError:
                continue
    rows.sort(reverse=True)
    print(f"  -X importtime, top {top} by cumulative time (us; self, cumulative):")
    for cum, self_us, name in rows[:top]:
        print(f"    {self_us:7d} {cum:7d}  {name}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root", nargs="?", default=DEFAULT_ROOT)
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--no-bytecode-pass", action="store_true",
                    help="only time the environment as it is (skip the compiled-bytecode set-up)")
    ap.add_argument("--importtime", action="store_true", help="also list the slowest imports of a cold run")
    args = ap.parse_args()
    root = args.root
    runs = max(args.runs, 10)
    if not os.path.isfile(root):
        print(f"bench_schema: no schema at {root}; give ROOT", file=sys.stderr)
        return 2

    py = sys.executable
    tmp = tempfile.mkdtemp(prefix="qapilint-bench-")
    try:
        base = env_with(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "xdg"), QAPILINT_NO_CACHE=None)
        setups: list[tuple[str, dict[str, str]]] = [
            (f"as this environment is (PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!s})",
             base)]
        if not args.no_bytecode_pass:
            setups.append(("with compiled bytecode (PYTHONPYCACHEPREFIX in a temporary directory)",
                           env_with(base, PYTHONDONTWRITEBYTECODE=None,
                                    PYTHONPYCACHEPREFIX=os.path.join(tmp, "pyc"))))
        schema_cmd = [py, "-m", "qapilint", "schema", root]
        p1_code = f"from qapilint.qapi.loader import load_schema; load_schema({root!r})"
        for title, env in setups:
            nocache = env_with(env, QAPILINT_NO_CACHE="1")
            # Fill the parse cache (and the bytecode prefix) first.
            for warmup in (schema_cmd, [py, "-c", "import lark"]):
                subprocess.run(warmup, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            print(f"{title}, medians of {runs} runs:")
            start = cold([py, "-c", "pass"], runs, env)
            line("python3 -c pass", start)
            line("python3 -c 'import lark'", cold([py, "-c", "import lark"], runs, env))
            p1_cached = cold([py, "-c", p1_code], runs, env)
            line("load_schema, parse cache warm", p1_cached)
            line("load_schema, no cache", cold([py, "-c", p1_code], runs, nocache))
            cached = cold(schema_cmd, runs, env)
            line("qapilint schema, parse cache warm", cached, f"   (exit {cached.status})")
            uncached = cold(schema_cmd, runs, nocache)
            line("qapilint schema, no cache", uncached, f"   (exit {uncached.status})")
            ratio_lines("qapilint schema, cache warm", cached, start)
            ratio_lines("qapilint schema, no cache", uncached, start)
            for what, c in (("cache warm", cached), ("no cache", uncached)):
                verdict = "ok" if c.rss <= BUDGET_RSS_MIB else "OVER"
                print(f"  peak RSS, {what}: {c.rss:.1f} MiB (QEMU {QEMU_RSS_MIB} MiB; budget "
                      f"{BUDGET_RSS_MIB} MiB) [{verdict}]")
            if args.importtime:
                importtime(schema_cmd, env)
            print()

        # In process.  Imported only now: a forked child's peak RSS starts at the parent's.
        os.environ["XDG_CACHE_HOME"] = base["XDG_CACHE_HOME"]
        os.environ.pop("QAPILINT_NO_CACHE", None)
        from qapilint.qapi.loader import load_schema

        schema = load_schema(root)
        print(f"schema: {root}: {len(schema.files)} files, {len(schema.exprs)} definitions, "
              f"{len(schema.docs)} doc blocks, {len(schema.errors)} P1 errors")
        print(f"in process, warm, medians of {runs} runs:")
        for label, fn in (("load_schema, parse cache warm", lambda: load_schema(root)),
                          ("load_schema, no cache", lambda: load_schema(root, use_cache=False))):
            w, t = warm(fn, runs)
            print(f"  {label:34} wall {w * 1000:7.1f} ms   cpu {t * 1000:7.1f} ms")
        try:
            from qapilint.cli.schema_cmd import check_path
        except ImportError as e:
            print(f"  qapilint schema in process: not available ({e})")
        else:
            w, t = warm(lambda: check_path(root, None), runs)
            print(f"  {'qapilint schema (check_path)':34} wall {w * 1000:7.1f} ms   cpu {t * 1000:7.1f} ms")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
