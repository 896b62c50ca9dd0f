"""Hostile includes and diff paths (issue 11): time and peak memory of every output format.

For each scenario of ``tests/e2e/hostile.py`` (a canary file beside a small
tree; a patch and a schema file naming it through a relative, absolute or
symlinked include, /dev/zero, a FIFO, /dev/stdin, a symlinked or '..' diff
path) one child process runs ``check --tree --format X`` for every report
format, ``changes`` and ``schema``.  Printed per scenario: the child's wall
time and peak RSS (``os.wait4``), the slowest command, whether the canary
appeared anywhere, and the ratio to the anchor (the same commands on a
harmless include inside the tree), measured in the same run.

    python benchmarks/bench_hostile.py [--kill-after 60]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))

import hostile  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kill-after", type=float, default=60.0, help="seconds before a child counts as hung")
    args = ap.parse_args()
    rows = []
    for scenario in (hostile.ANCHOR, *hostile.SCENARIOS):
        with tempfile.TemporaryDirectory(prefix="qapilint-hostile-") as d:
            case = hostile.build(Path(d), scenario)
            m = hostile.measure(case, args.kill_after)
        leaks = [str(r["label"]) for r in m.results if hostile.CANARY in str(r["stdout"]) + str(r["stderr"])]
        slow = max(m.results, key=lambda r: float(r["seconds"])) if m.results else None  # type: ignore[arg-type]
        rows.append((scenario, m, leaks, slow))
    anchor = rows[0][1]
    print(f"{'scenario':18} {'runs':>4} {'child s':>8} {'x anchor':>8} {'peak MB':>8} {'slowest command':>34}  canary")
    for scenario, m, leaks, slow in rows:
        status = "killed/crashed" if m.returncode != 0 else ("SHOWN in " + ", ".join(leaks) if leaks else "never shown")
        slowest = f"{slow['label']} {float(slow['seconds']):.3f}s" if slow else "-"
        print(f"{scenario:18} {len(m.results):4d} {m.seconds:8.2f} {m.seconds / anchor.seconds:8.2f} "
              f"{m.max_rss_mb:8.1f} {slowest:>34}  {status}")
    worst = max(rows[1:], key=lambda r: r[1].seconds)
    shown = sum(len(r[2]) for r in rows[1:])
    killed = sum(r[1].returncode != 0 for r in rows[1:])
    peak = max(r[1].max_rss_mb for r in rows[1:])
    print(f"summary: {len(rows) - 1} hostile scenarios x {len(rows[1][1].results)} commands; canary shown {shown} "
          f"times; killed {killed}; slowest child {worst[1].seconds:.2f}s ({worst[0]}); peak {peak:.1f} MB "
          f"(anchor {anchor.seconds:.2f}s, {anchor.max_rss_mb:.1f} MB)")

if __name__ == "__main__":
    main()
