"""Time and peak memory of ``qapilint changes`` (no tree) on pathological hunk-only shapes.

usage: python benchmarks/bench_rebuild_shapes.py [--anchor DIR] [--timeout S] [--only NAME]

Each shape is generated into a temp dir and run in its own process
(``python -m qapilint changes --no-tree --format json FILE``), so its peak
memory is its own.  With ``--anchor DIR`` every shape also runs against the
qapilint checkout in DIR (e.g. ``git archive main | tar -x -C DIR``), in the
same run, and the ratio is printed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator

SCHEMA = "qapi/demo.json"


def _header(path: str, new_file: bool = False) -> str:
    if new_file:
        return f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
    return f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"


# Shapes are written piece by piece: a bench process that held a large shape in
# memory would lend its size to the peak of every process it starts after.

def many_hunks(n: int) -> Iterator[str]:
    yield _header(SCHEMA)
    for i in range(n):
        o = i * 10 + 1
        yield (f"@@ -{o},3 +{o + i},4 @@\n   'a{i}': 'int',\n+  'b{i}': 'int',\n   'c{i}': 'int',\n"
               f"   'd{i}': 'int',\n")


def many_definitions(n: int) -> Iterator[str]:
    yield _header(SCHEMA, new_file=True) + f"@@ -0,0 +1,{n} @@\n"
    for i in range(n):
        yield f"+{{ 'struct': 'S{i:06d}', 'data': {{ 'a': 'int' }} }}\n"


def deep(n: int) -> Iterator[str]:
    yield _header(SCHEMA) + f"@@ -10,1 +10,{n + 1} @@\n" + " { 'struct': 'Deep', 'data': { 'x':\n"
    for _ in range(n):
        yield "+{ 'a':\n"


def camel_word(n: int) -> Iterator[str]:
    # A cut schema region whose member the C hunks are asked to name, and one C line
    # holding an n-character capitalised word that no declaration pattern matches.
    members = "".join(f"             'm{i}': 'int',\n" for i in range(3))
    yield (_header(SCHEMA) + "@@ -20,4 +20,5 @@\n" + members + "+            '*extra': 'int',\n"
           "             'm3': 'int' } }\n")
    word = ("Ab" * (n // 2))[:n]
    yield (_header("hw/demo.c") + "@@ -1,3 +1,5 @@\n void f(void)\n {\n"
           f"+    {word}_ {word}_;\n+    Basket *b = get();\n }}\n")


SHAPES: list[tuple[str, Callable[[], Iterator[str]]]] = [
    ("1,000 hunks", lambda: many_hunks(1_000)),
    ("4,975 hunks (19,900 lines, under the bound)", lambda: many_hunks(4_975)),
    ("100,000 hunks (refused: past the bound)", lambda: many_hunks(100_000)),
    ("19,900 definitions added (under the bound)", lambda: many_definitions(19_900)),
    ("600,000 definitions added, 29 MB (refused)", lambda: many_definitions(600_000)),
    ("5,000 open containers in a hunk", lambda: deep(5_000)),
    ("32,000-character CamelCase word in a C line", lambda: camel_word(32_000)),
    ("100,000-character CamelCase word in a C line", lambda: camel_word(100_000)),
]


def run(path: str, pythonpath: str | None, timeout: float) -> tuple[float, float, str]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    t = time.perf_counter()
    # Run from the shape's directory: 'python -m' puts the working directory first on the path.
    p = subprocess.Popen([sys.executable, "-m", "qapilint", "changes", "--no-tree", "--format", "json", path],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=os.path.dirname(path))
    deadline = t + timeout
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            p.kill()
            os.wait4(p.pid, 0)
            return time.perf_counter() - t, 0.0, "timeout"
        time.sleep(0.02)
    dt = time.perf_counter() - t
    err = p.stderr.read().decode(errors="replace") if p.stderr else ""
    rc = os.waitstatus_to_exitcode(status)
    what = f"exit {rc}" + (", traceback" if "Traceback" in err else "")
    return dt, usage.ru_maxrss / 1024, what


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--anchor", help="a qapilint checkout to run the same shapes against")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--only", help="run the shapes whose name contains this")
    a = ap.parse_args()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory(prefix="bench-shapes-") as tmp:
        for name, make in SHAPES:
            if a.only and a.only not in name:
                continue
            path = os.path.join(tmp, "shape.diff")
            with open(path, "w") as f:
                f.writelines(make())
            size = os.path.getsize(path) / 1e6
            dt, mb, what = run(path, here, a.timeout)
            line = f"{name} ({size:.1f} MB): {dt:.2f} s, peak {mb:.0f} MB, {what}"
            if a.anchor:
                adt, amb, awhat = run(path, a.anchor, a.timeout)
                line += f"; anchor {adt:.2f} s, peak {amb:.0f} MB, {awhat}; time ratio {dt / adt:.2f}"
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
