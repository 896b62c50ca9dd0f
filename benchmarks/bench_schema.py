#!/usr/bin/env python3
"""Time loading a whole QAPI schema, side by side with bare Python start-up.

Usage: bench_schema.py [ROOT] [--runs N]

Prints medians of wall time for: ``python3 -c pass``; ``qapilint schema
ROOT`` in a new process (only when the schema subcommand exists); phase P1
(``load_schema``) in a new process; P1 in process (warm), with and without
doc-block parsing; plus peak RSS of the child processes.  The machines are
shared and noisy, so the QEMU anchor (0.39 s whole process, measured with
a 0.035 s bare start-up, /work/shared/docs/perf-anchors.md) is scaled by
the start-up time measured in the same run before taking the ratio.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

QEMU_WHOLE_PROCESS = 0.39
QEMU_PYTHON_START = 0.035
DEFAULT_ROOT = "/tmp/qemu-qapi/qapi/qapi-schema.json"


def run_child(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = 0
    return wall, usage.ru_maxrss / 1024


def cold(argv: list[str], runs: int) -> tuple[float, float]:
    results = [run_child(argv) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def warm(fn: Callable[[], object], runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root", nargs="?", default=DEFAULT_ROOT)
    ap.add_argument("--runs", type=int, default=11)
    args = ap.parse_args()
    root = args.root
    runs = max(args.runs, 10)

    py = sys.executable
    start, start_rss = cold([py, "-c", "pass"], runs)
    print(f"python3 -c pass                 cold  {start * 1000:7.1f} ms   peak RSS {start_rss:6.1f} MiB")

    lark_imp, _ = cold([py, "-c", "import lark"], runs)
    print(f"python3 -c 'import lark'        cold  {lark_imp * 1000:7.1f} ms")

    p1_code = f"from qapilint.qapi.loader import load_schema; load_schema({root!r})"
    p1, p1_rss = cold([py, "-c", p1_code], runs)
    print(f"load_schema (P1)                cold  {p1 * 1000:7.1f} ms   peak RSS {p1_rss:6.1f} MiB")

    whole: float | None = None
    if importlib.util.find_spec("qapilint.cli.schema_cmd") is not None:
        whole, whole_rss = cold([py, "-m", "qapilint", "schema", root], runs)
        print(f"qapilint schema ROOT            cold  {whole * 1000:7.1f} ms   peak RSS {whole_rss:6.1f} MiB")
    else:
        print("qapilint schema ROOT            (qapilint.cli.schema_cmd not there yet: timing P1 only)")

    # Imported only now: a forked child's peak RSS starts at the parent's.
    from qapilint.qapi import doc_parser
    from qapilint.qapi.diagnostics import SchemaError
    from qapilint.qapi.doc_model import DocBlock, DocLine
    from qapilint.qapi.loader import load_schema
    from qapilint.source import SourceInfo

    schema = load_schema(root)
    lines = sum(len(Path(f).read_text(encoding="utf-8").splitlines())
                for f in {os.path.normpath(f) for f in schema.files})
    print(f"schema: {root}: {len(schema.files)} files, {lines} lines, {len(schema.exprs)} definitions, "
          f"{len(schema.docs)} doc blocks, {len(schema.errors)} P1 errors")

    w = warm(lambda: load_schema(root), runs)
    print(f"load_schema (P1)                warm  {w * 1000:7.1f} ms")

    real = doc_parser.parse_doc_block

    def no_docs(lines: list[DocLine], info: SourceInfo, end_line: int) -> tuple[DocBlock, list[SchemaError]]:
        return DocBlock(info=info, end_line=end_line, symbol=None, symbol_info=None), []

    doc_parser.parse_doc_block = no_docs
    try:
        w_nodoc = warm(lambda: load_schema(root), runs)
    finally:
        doc_parser.parse_doc_block = real
    print(f"  of which lex+parse+doc split  warm  {w_nodoc * 1000:7.1f} ms   (doc_parser: "
          f"{(w - w_nodoc) * 1000:.1f} ms)")

    scale = start / QEMU_PYTHON_START
    anchor = QEMU_WHOLE_PROCESS * scale
    measured = whole if whole is not None else p1
    what = "qapilint schema" if whole is not None else "P1 only"
    print(f"QEMU anchor scaled by start-up ({start * 1000:.1f} ms vs {QEMU_PYTHON_START * 1000:.0f} ms): "
          f"{anchor * 1000:.0f} ms")
    print(f"ratio {what} / QEMU whole process: {measured / anchor:.2f}  (budget <= 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
