#!/usr/bin/env python3
"""Pathological input shapes: time and peak memory of qapilint on each, one child process per run.

Usage: bench_shapes.py [--only NAME[,NAME...]] [--timeout S] [--tree DIR] [--list] [--keep DIR]

Each shape is generated here (synthetic, deterministic) and checked by
``python -m qapilint`` in a child process; the figures are its wall time,
CPU time (user + sys) and peak RSS (from wait4), and its exit status.  A
child still running after ``--timeout`` seconds is killed and shown as such.
The anchor is a small real-sized patch (``anchor``) timed in the same run:
the ratio column is each shape's wall time over it.

Shapes (issue 11, "Slow inputs and scaling"):

- ``mbox-5000``: a 5,000-message series, each patch appending a struct to one
  schema file, ``check`` and ``check --tree``;
- ``hunks-100k``: one diff of 100,000 hunks, without and with a tree;
- ``defs-600k``: a 29 MB diff adding 600,000 definitions, ``check`` and ``changes``;
- ``string-10mb``: one definition holding a 10 MB string, ``check --tree``;
- ``schema-50mb``: ``schema`` on a 50 MB schema file;
- ``fixes-8kb`` / ``fixes-100kb``: a commit message of one 8 KB line of
  "since doc ..." and one of 100 KB of "fix ";
- ``from-150kb``, ``subject-1mb``, ``in-reply-to-1mb``, ``cte-1mb``: one giant mail header;
- ``camel-32k``: a C line holding a 32,000-character CamelCase word (hunk-only naming);
- ``cache-growth``: one process parsing 5,000 distinct schema files: parse
  cache entries and bytes on disk afterwards (limit ``MAX_ENTRIES``).

``--tree`` names a QEMU checkout (default /tmp/qemu-qapi when it is one);
without one, a synthetic tree of about the size of QEMU's schema is made.
Inputs under the caps should each finish within 5 s and 500 MB; inputs
over a cap should be refused with one error line and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_TREE = "/tmp/qemu-qapi"
TARGET_FILE = "qapi/common.json"
DATE = "Tue, 13 Jan 2026 10:00:00 +0000"


@dataclass
class Run:
    wall: float
    cpu: float
    rss: float          # MiB
    status: int | None  # None: killed at the timeout
    stderr: str


def run_child(argv: list[str], timeout: float, env: dict[str, str], cwd: str | None = None,
              mem_limit: int = 0) -> Run:
    """One child: wall, CPU, peak RSS, exit status (None when killed at ``timeout``).

    ``mem_limit`` (bytes of address space) keeps a runaway shape from taking the machine.
    """
    def limit() -> None:
        if mem_limit:
            resource.setrlimit(resource.RLIMIT_AS, (mem_limit, mem_limit))

    t = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env, start_new_session=True,
                                cwd=cwd, preexec_fn=limit)
        status: int | None = None
        while True:
            pid, st, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status = os.waitstatus_to_exitcode(st)
                break
            if time.perf_counter() - t > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                _, st, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        proc.returncode = status if status is not None else -9
        wall = time.perf_counter() - t
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, status, text)


# -- the tree ----------------------------------------------------------------------


def is_tree(d: str) -> bool:
    return os.path.isfile(os.path.join(d, "VERSION")) and os.path.isfile(os.path.join(d, "qapi/qapi-schema.json"))


def synthetic_tree(dest: str) -> str:
    """A tree shaped like QEMU's: a root including 40 files of documented structs (~700 KB)."""
    os.makedirs(os.path.join(dest, "qapi"))
    with open(os.path.join(dest, "VERSION"), "w") as f:
        f.write("10.2.50\n")
    names = ["common"] + [f"part{i}" for i in range(39)]
    with open(os.path.join(dest, "qapi/qapi-schema.json"), "w") as f:
        f.write("# -*- Mode: Python -*-\n\n{ 'pragma': { 'doc-required': true } }\n\n")
        f.writelines(f"{{ 'include': '{n}.json' }}\n" for n in names)
    for k, n in enumerate(names):
        with open(os.path.join(dest, f"qapi/{n}.json"), "w") as f:
            f.write("# -*- Mode: Python -*-\n# vim: filetype=python\n\n")
            for i in range(25):
                f.write(f"##\n# @T{k}x{i}:\n#\n# A struct.\n#\n# @name: its name\n#\n"
                        f"# @count: how many (since 9.1)\n#\n# Since: 9.0\n##\n"
                        f"{{ 'struct': 'T{k}x{i}',\n  'data': {{ 'name': 'str', '*count': 'int' }} }}\n\n")
    return dest


# -- generators ----------------------------------------------------------------------


def mail(subject: str, body: str, diff: str, *, headers: str = "", k: int = 1) -> str:
    return (f"From {k:040x} Mon Sep 17 00:00:00 2001\nFrom: Ada Tester <ada@example.org>\nDate: {DATE}\n"
            f"Subject: {subject}\nMessage-Id: <shape-{k}@example.org>\n{headers}\n{body}\n\n"
            f"Signed-off-by: Ada Tester <ada@example.org>\n---\n{diff}-- \n2.47.0\n\n")


def struct_lines(name: str) -> list[str]:
    return ["", "##", f"# @{name}:", "#", "# A shape.", "#", "# @a: a member", "#", "# Since: 11.0",
            "##", f"{{ 'struct': '{name}', 'data': {{ 'a': 'int' }} }}"]


def append_hunk(path: str, tail: list[str], start: int, added: list[str]) -> str:
    """A hunk adding ``added`` after the file's last lines ``tail`` (``start`` = line of tail[0])."""
    head = f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"
    body = "".join(f" {t}\n" for t in tail) + "".join(f"+{t}\n" for t in added)
    return head + f"@@ -{start},{len(tail)} +{start},{len(tail) + len(added)} @@\n" + body


def gen_series(tree: str, n: int) -> str:
    """``n`` patches, each appending a struct to TARGET_FILE after the previous one."""
    with open(os.path.join(tree, TARGET_FILE), encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out = []
    for k in range(1, n + 1):
        tail = lines[-3:]
        added = struct_lines(f"Shape{k}")
        diff = append_hunk(TARGET_FILE, tail, len(lines) - len(tail) + 1, added)
        out.append(mail(f"[PATCH {k}/{n}] qapi: add Shape{k}", f"Add Shape{k}.", diff, k=k))
        lines.extend(added)
    return "".join(out)


def gen_hunks(n: int) -> str:
    """One patch of ``n`` one-line hunks spread over TARGET_FILE (most cannot apply to a real tree)."""
    parts = [f"diff --git a/{TARGET_FILE} b/{TARGET_FILE}\n--- a/{TARGET_FILE}\n+++ b/{TARGET_FILE}\n"]
    for k in range(n):
        old = 3 * k + 1
        parts.append(f"@@ -{old},1 +{old + k},2 @@\n #\n+# note {k}\n")
    return mail("[PATCH] qapi: many hunks", "Many hunks.", "".join(parts))


def gen_defs(n: int) -> str:
    path = "qapi/shapes.json"
    rows = "".join(f"+{{ 'struct': 'S{k}', 'data': {{ 'm': 'int' }} }}\n" for k in range(n))
    diff = (f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
            f"@@ -0,0 +1,{n} @@\n{rows}")
    return mail("[PATCH] qapi: add many structs", "Many structs.", diff)


def gen_string(tree: str, size: int) -> str:
    with open(os.path.join(tree, TARGET_FILE), encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    added = struct_lines("Big")[:-1] + ["{ 'struct': 'Big', 'data': { 'a': '" + "x" * size + "' } }"]
    diff = append_hunk(TARGET_FILE, lines[-3:], len(lines) - 2, added)
    return mail("[PATCH] qapi: one big string", "A big string.", diff)


def gen_schema(size: int) -> str:
    out = ["# -*- Mode: Python -*-\n\n"]
    total, k = 0, 0
    while total < size:
        block = (f"##\n# @S{k}:\n#\n# A struct.\n#\n# @a: a member\n#\n# Since: 9.0\n##\n"
                 f"{{ 'struct': 'S{k}', 'data': {{ 'a': 'int' }} }}\n\n")
        out.append(block)
        total += len(block)
        k += 1
    return "".join(out)


def small_patch(message: str = "Add Shape1.", headers: str = "", from_line: str | None = None,
                c_line: str | None = None) -> str:
    diff = (f"diff --git a/{TARGET_FILE} b/{TARGET_FILE}\n--- a/{TARGET_FILE}\n+++ b/{TARGET_FILE}\n"
            "@@ -10,3 +10,14 @@\n ##\n # @X:\n #\n" + "".join(f"+{t}\n" for t in struct_lines("Shape1")))
    if c_line is not None:
        diff += f"diff --git a/hw/x.c b/hw/x.c\n--- a/hw/x.c\n+++ b/hw/x.c\n@@ -1,1 +1,2 @@\n int x;\n+{c_line}\n"
    text = mail("[PATCH] qapi: add Shape1", message, diff, headers=headers)
    if from_line is not None:
        text = text.replace("From: Ada Tester <ada@example.org>", from_line, 1)
    return text


def gen_camel(size: int) -> str:
    """A member added to a definition whose head is out of view, and a C line naming a huge type."""
    word = ("CamelCase" * (size // 9 + 1))[:size]
    return ("diff --git a/hw/x.c b/hw/x.c\n--- a/hw/x.c\n+++ b/hw/x.c\n@@ -1,1 +1,2 @@\n int x;\n"
            f"+    {word} *x = NULL;\n"
            f"diff --git a/{TARGET_FILE} b/{TARGET_FILE}\n--- a/{TARGET_FILE}\n+++ b/{TARGET_FILE}\n"
            "@@ -5,3 +5,4 @@\n   'data': {\n     'a': 'int',\n+    'b': 'int',\n   } }\n")


CACHE_GROWTH = r"""
import os, sys
from qapilint.qapi import cache
n = int(sys.argv[1])
for k in range(n):
    text = "{ 'struct': 'S%d', 'data': { 'a': 'int' } }\n" % k + "# pad\n" * 200
    cache.parse_file_cached(text, "qapi/shape%d.json" % k)
c = cache.default_cache()
if c is None:
    print("cache off"); sys.exit(0)
entries = [e for e in os.scandir(c.dir) if e.is_file()]
print(f"{len(entries)} entries, {sum(e.stat().st_size for e in entries) / 1e6:.1f} MB on disk, "
      f"{len(c.memo)} in memory, limit {cache.MAX_ENTRIES}")
"""


@dataclass
class Shape:
    name: str
    what: str
    make: Callable[[str, str], list[str]]    # (workdir, tree) -> argv after 'python -m qapilint'
    tree: bool = False


def _write(work: str, name: str, text: str) -> str:
    p = os.path.join(work, name)
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)
    return p


def _shapes() -> list[Shape]:
    s: list[Shape] = [
        Shape("anchor", "check, one small patch", lambda w, t: ["check", _write(w, "anchor.mbox", small_patch())]),
        Shape("anchor-tree", "check --tree, one patch appending a struct",
              lambda w, t: ["check", "--tree", t, _write(w, "anchor-tree.mbox", gen_series(t, 1))], True),
        Shape("mbox-5000", "check, 5,000-message series",
              lambda w, t: ["check", _write(w, "series.mbox", gen_series(t, 5000))], True),
        Shape("mbox-5000-tree", "check --tree, 5,000-message series",
              lambda w, t: ["check", "--tree", t, _write(w, "series.mbox", gen_series(t, 5000))], True),
        Shape("mbox-500-tree", "check --tree, 500-message series",
              lambda w, t: ["check", "--tree", t, _write(w, "series500.mbox", gen_series(t, 500))], True),
        Shape("hunks-100k", "check, 100,000 hunks",
              lambda w, t: ["check", _write(w, "hunks.mbox", gen_hunks(100_000))]),
        Shape("hunks-100k-tree", "check --tree, 100,000 hunks",
              lambda w, t: ["check", "--tree", t, _write(w, "hunks.mbox", gen_hunks(100_000))], True),
        Shape("defs-600k", "check, 29 MB diff adding 600,000 definitions",
              lambda w, t: ["check", _write(w, "defs.mbox", gen_defs(600_000))]),
        Shape("defs-600k-changes", "changes, the same diff",
              lambda w, t: ["changes", _write(w, "defs.mbox", gen_defs(600_000))]),
        Shape("defs-60k", "check, 2.9 MB diff adding 60,000 definitions",
              lambda w, t: ["check", _write(w, "defs60k.mbox", gen_defs(60_000))]),
        Shape("defs-at-cap", "check, 11,300 definitions (507 KiB: just under the schema-hunk cap)",
              lambda w, t: ["check", _write(w, "defscap.mbox", gen_defs(11_300))]),
        Shape("string-10mb-tree", "check --tree, one 10 MB string",
              lambda w, t: ["check", "--tree", t, _write(w, "string.mbox", gen_string(t, 10_000_000))], True),
        Shape("string-1mb-tree", "check --tree, one 1 MB string",
              lambda w, t: ["check", "--tree", t, _write(w, "string1.mbox", gen_string(t, 1_000_000))], True),
        Shape("schema-50mb", "schema, one 50 MB file",
              lambda w, t: ["schema", _write(w, "big-schema.json", gen_schema(50_000_000))]),
        Shape("schema-5mb", "schema, one 5 MB file",
              lambda w, t: ["schema", _write(w, "schema5.json", gen_schema(5_000_000))]),
        Shape("fixes-8kb", "check, commit message: one 8 KB line of 'since doc '",
              lambda w, t: ["check", _write(w, "fixes8.mbox", small_patch("since doc " * 800))]),
        Shape("fixes-100kb", "check, commit message: one 100 KB line of 'fix '",
              lambda w, t: ["check", _write(w, "fixes100.mbox", small_patch("fix " * 25_000))]),
        Shape("from-150kb", "check, a 150 KB From: of quoted blanks",
              lambda w, t: ["check", _write(w, "from.mbox", small_patch(
                  from_line="From: " + '" " ' * 37_500 + "<ada@example.org>"))]),
        Shape("subject-1mb", "check, a 1 MB Subject:",
              lambda w, t: ["check", _write(w, "subject.mbox", small_patch().replace(
                  "Subject: [PATCH] qapi: add Shape1", "Subject: [PATCH] " + "word " * 200_000, 1))]),
        Shape("in-reply-to-1mb", "check, a 1 MB In-Reply-To:",
              lambda w, t: ["check", _write(w, "irt.mbox", small_patch(
                  headers="In-Reply-To: " + "<a@b> " * 170_000 + "\n"))]),
        Shape("cte-1mb", "check, a 1 MB Content-Transfer-Encoding:",
              lambda w, t: ["check", _write(w, "cte.mbox", small_patch(
                  headers="Content-Transfer-Encoding: " + "8bit " * 200_000 + "\n"))]),
        Shape("camel-32k", "check, a C line with a 32,000-char CamelCase word (rebuild/naming.py, i15)",
              lambda w, t: ["check", _write(w, "camel.diff", gen_camel(32_000))]),
    ]
    return s


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated shape names (default: all)")
    ap.add_argument("--skip", default="", help="comma-separated shape names to leave out")
    ap.add_argument("--timeout", type=float, default=120.0, help="kill a child after this many seconds")
    ap.add_argument("--tree", default=None, help="QEMU checkout for the tree shapes")
    ap.add_argument("--list", action="store_true", help="list the shapes and exit")
    ap.add_argument("--keep", metavar="DIR", help="write the inputs into DIR and keep them")
    ap.add_argument("--cache-files", type=int, default=5000, help="files parsed by cache-growth")
    ap.add_argument("--mem-limit", type=int, default=4096, help="MiB of address space per child (0: none)")
    args = ap.parse_args()
    shapes = _shapes()
    if args.list:
        for sh in shapes:
            print(f"{sh.name:18} {sh.what}")
        print(f"{'cache-growth':18} one process parsing {args.cache_files} distinct files")
        return 0
    want = set(args.only.split(",")) if args.only else None
    skip = set(filter(None, args.skip.split(",")))
    work = args.keep or tempfile.mkdtemp(prefix="qapilint-shapes-")
    os.makedirs(work, exist_ok=True)
    try:
        tree = args.tree or (DEFAULT_TREE if is_tree(DEFAULT_TREE) else synthetic_tree(os.path.join(work, "tree")))
        env = dict(os.environ)
        env["XDG_CACHE_HOME"] = os.path.join(work, "xdg")
        env.pop("QAPILINT_NO_CACHE", None)
        py = sys.executable
        print(f"python {sys.version.split()[0]}, tree {tree}, timeout {args.timeout:.0f} s, cache in {work}/xdg")
        print(f"{'shape':18} {'input':>9} {'wall':>9} {'cpu':>9} {'peak RSS':>10} {'exit':>6} {'x anchor':>9}  "
              "first error line")
        anchor: float | None = None
        for sh in shapes:
            if (want is not None and sh.name not in want and sh.name != "anchor") or sh.name in skip:
                continue
            argv = sh.make(work, tree)
            size = os.path.getsize(argv[-1])
            # The children run in the work directory: 'python -m' puts the current directory first
            # on sys.path, and a checkout there would shadow the qapilint under test (PYTHONPATH).
            r = run_child([py, "-m", "qapilint", *argv], args.timeout, env, cwd=work,
                          mem_limit=args.mem_limit * 1024 * 1024)
            if sh.name == "anchor":
                anchor = r.wall
            err = next((ln for ln in r.stderr.splitlines() if ln.startswith("qapilint: error")), "")
            if "Traceback" in r.stderr:
                err = "TRACEBACK: " + r.stderr.strip().splitlines()[-1]
            status = "killed" if r.status is None else str(r.status)
            ratio = f"{r.wall / anchor:8.0f}x" if anchor else ""
            print(f"{sh.name:18} {size / 1e6:7.2f}MB {r.wall:8.2f}s {r.cpu:8.2f}s {r.rss:8.0f}MiB {status:>6} "
                  f"{ratio:>9}  {err[:110]}", flush=True)
            for ln in list(filter(None, (p for p in os.listdir(work) if p.endswith((".mbox", ".json"))))):
                if not args.keep:
                    os.unlink(os.path.join(work, ln))
        if want is None or "cache-growth" in want:
            r2 = subprocess.run([py, "-c", CACHE_GROWTH, str(args.cache_files)], env=env, capture_output=True,
                                text=True, timeout=args.timeout * 10, cwd=work)
            t0 = run_child([py, "-c", "pass"], args.timeout, env, cwd=work)
            print(f"{'cache-growth':18} {args.cache_files} files parsed in one process: "
                  f"{r2.stdout.strip() or r2.stderr.strip()[-200:]}  (python start {t0.wall:.2f}s)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
