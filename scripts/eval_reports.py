#!/usr/bin/env python3
"""Evaluate report fingerprints and SARIF locations over a corpus of patches (issue 13).

usage: eval_reports.py fingerprints --corpus DIR [-j N] [--per-patch]

Runs ``qapilint check --format sarif`` and ``--format gitlab`` on every
``DIR/patchwork/*.json`` as one report (one invocation), and with
``--per-patch`` once per patch as well, and prints: results, distinct
fingerprints (they must be equal: a fingerprint is unique within a report),
and SARIF results without a location (must be 0).  Uses the ``qapilint`` on PATH.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def _run(args: list[str]) -> Any:
    p = subprocess.run(["qapilint", "check", *args], capture_output=True, text=True, timeout=3600)
    if p.returncode not in (0, 1, 2) or "Traceback" in p.stderr:
        raise SystemExit(f"qapilint failed ({p.returncode}): {p.stderr[-2000:]}")
    return json.loads(p.stdout)


def _sarif_counts(doc: Any) -> tuple[int, int, int]:
    results = [r for run in doc["runs"] for r in run["results"]]
    prints = {json.dumps(r.get("partialFingerprints"), sort_keys=True) for r in results}
    unlocated = sum(1 for r in results if not r.get("locations"))
    return len(results), len(prints), unlocated


def _gitlab_counts(doc: Any) -> tuple[int, int]:
    return len(doc), len({it["fingerprint"] for it in doc})


def fingerprints(corpus: Path, jobs: int, per_patch: bool) -> None:
    inputs = sorted(str(p) for p in (corpus / "patchwork").glob("*.json"))
    n, d, u = _sarif_counts(_run(["-j", str(jobs), "--format", "sarif", *inputs]))
    print(f"one report of {len(inputs)} patches: SARIF results {n}, distinct fingerprints {d}, "
          f"results without a location {u}")
    gn, gd = _gitlab_counts(_run(["-j", str(jobs), "--format", "gitlab", *inputs]))
    print(f"one report of {len(inputs)} patches: GitLab issues {gn}, distinct fingerprints {gd}")
    if not per_patch:
        return

    def one(path: str) -> tuple[int, int, int, int, int]:
        s = _sarif_counts(_run(["--format", "sarif", path]))
        g = _gitlab_counts(_run(["--format", "gitlab", path]))
        return (*s, *g)

    with cf.ThreadPoolExecutor(jobs) as ex:
        rows = list(ex.map(one, inputs))
    tot = [sum(col) for col in zip(*rows, strict=True)]
    dup = sum(1 for r in rows if r[0] != r[1] or r[3] != r[4])
    print(f"per patch ({len(rows)} reports): SARIF results {tot[0]}, distinct per report {tot[1]}, "
          f"without a location {tot[2]}; GitLab issues {tot[3]}, distinct per report {tot[4]}; "
          f"reports with a shared fingerprint {dup}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    fp = sub.add_parser("fingerprints")
    fp.add_argument("--corpus", type=Path, required=True)
    fp.add_argument("-j", type=int, default=2)
    fp.add_argument("--per-patch", action="store_true")
    a = ap.parse_args(argv)
    if a.cmd == "fingerprints":
        fingerprints(a.corpus, a.j, a.per_patch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
