"""Time ``qapilint check --format json`` over the whole development corpus, --jobs 1 vs --jobs 2.

One process call with every patchwork JSON file of the corpus as inputs, as a
bulk run would do it.  Prints wall time, CPU time of the process and its
workers, patches per second, and whether both runs printed the same report
once the parts whose order does not matter are sorted (the run's inputs,
findings within a patch).  The machine's load average is printed too: on a
shared machine it says more about the --jobs 2 figure than the code does.

    python benchmarks/bench_check_corpus.py [--corpus DIR] [--jobs 1,2] [--qapilint CMD]

Exits 0 with a "skipped" line when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpus"


def normalised(text: str) -> object:
    """The JSON report with order-insensitive lists sorted, for comparing runs."""
    doc = json.loads(text)
    if not isinstance(doc, dict):
        return doc
    for key in ("inputs",):
        if isinstance(doc.get(key), list):
            doc[key] = sorted(doc[key])
    if isinstance(doc.get("failures"), list):
        doc["failures"] = sorted(doc["failures"], key=lambda f: json.dumps(f, sort_keys=True))
    patches = doc.get("patches")
    if isinstance(patches, list):
        for p in patches:
            if isinstance(p, dict) and isinstance(p.get("findings"), list):
                p["findings"] = sorted(p["findings"], key=lambda f: json.dumps(f, sort_keys=True))
        doc["patches"] = sorted(patches, key=lambda p: json.dumps(p, sort_keys=True))
    return doc


def run(cmd: list[str], inputs: list[str], jobs: int) -> tuple[float, float, str, int]:
    """(wall seconds, CPU seconds of the children, stdout, exit status)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        p = subprocess.run([*cmd, "check", "--format", "json", "--jobs", str(jobs), *inputs],
                           stdout=out, stderr=subprocess.PIPE)
        wall = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode("utf-8")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode not in (0, 1):
        sys.stderr.write(p.stderr.decode("utf-8", "replace")[-2000:])
    return wall, cpu, text, p.returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path(os.environ.get("QAPILINT_CORPUS", DEFAULT_CORPUS)))
    ap.add_argument("--jobs", default="1,2", help="comma-separated --jobs values (default 1,2)")
    ap.add_argument("--qapilint", default=f"{shlex.quote(sys.executable)} -m qapilint",
                    help="command running qapilint (default: this Python's -m qapilint)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs first (schema cache, page cache)")
    args = ap.parse_args()

    pw = args.corpus / "patchwork"
    inputs = sorted(str(p) for p in pw.glob("*.json")) if pw.is_dir() else []
    if not inputs:
        print(f"skipped: no corpus at {pw}")
        return 0
    cmd = shlex.split(args.qapilint)
    jobs = [int(j) for j in args.jobs.split(",") if j.strip()]
    print(f"corpus: {len(inputs)} patchwork JSON files; cpus: {os.cpu_count()}; "
          f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for _ in range(args.warmup):
        run(cmd, inputs, 1)
    outputs: dict[int, object] = {}
    raw: dict[int, str] = {}
    for j in jobs:
        wall, cpu, text, status = run(cmd, inputs, j)
        try:
            doc = json.loads(text)
            patches = len(doc.get("patches", [])) if isinstance(doc, dict) else 0
            outputs[j] = normalised(text)
        except json.JSONDecodeError:
            patches = 0
            outputs[j] = None
        raw[j] = text
        print(f"--jobs {j}: {wall:6.2f} s wall, {cpu:6.2f} s cpu, {len(inputs) / wall:7.1f} inputs/s, "
              f"{patches / wall:7.1f} patches/s ({patches} patches, exit {status})")
    if len(jobs) > 1:
        first = jobs[0]
        for j in jobs[1:]:
            same = outputs[j] is not None and outputs[j] == outputs[first]
            byte = raw[j] == raw[first]
            print(f"--jobs {j} vs --jobs {first}: outputs {'identical' if same else 'DIFFERENT'} after sorting "
                  f"order-insensitive parts; byte-identical: {'yes' if byte else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
