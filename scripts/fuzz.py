#!/usr/bin/env python3
"""Mutation fuzzer: every input kind qapilint reads must end in exit 0, 1 or 2, without a traceback, in time.

Usage: fuzz.py [--inputs N] [--seed S] [--kinds K,...] [--corpus DIR] [--qemu DIR] [--time-bound S]
               [--subprocess-every N] [--crash-dir DIR] [--progress N]

Kinds: ``patchwork`` (patch JSON), ``mbox``, ``diff``, ``schema`` (a schema
file, ``qapilint schema``) and ``bot`` (the patchwork CI bot polling the
project's test server, tests/bot/pwserver.py, whose answers are mutated).
Seeds are the project's fixtures, plus, when given (or found beside the
checkout), the real corpus (``--corpus``: ``mbox/*.mbox``, ``patchwork/*.json``)
and a QEMU clone's schema files (``--qemu``).  Nothing is copied anywhere:
inputs live in memory and in a temporary directory.

Mutations: byte flips, inserted and deleted bytes, truncation, splices of two
seeds, lying hunk counts, numbers thousands of digits long, invalid UTF-8,
CRLF / CR mixes, NULs, deep nesting, giant lines, hostile mail headers, and
type confusion in JSON (a value replaced by one of another type, surrogates,
huge numbers, deep containers).  One to three of them per input.

Inputs run in process (``qapilint.cli.main`` with captured stdio, rotating
through output formats and ``changes``, some with ``--tree`` on a fixture
tree); any exception out of ``main()``, an exit status other than 0/1/2,
output that does not encode as UTF-8, or a run past ``--time-bound``
(CPU time, interrupted by SIGPROF) is a failure.  Every ``--subprocess-every``-th
input is also run as ``python -m qapilint`` in a child process (the console
path, with its own time bound).  At the end, per kind: inputs, tracebacks,
hangs, distinct crash sites (exception type and innermost qapilint frame),
exit statuses; each failing input is written to ``--crash-dir`` with its
traceback, for reproduction (``qapilint check FILE``).

Exit status: 0 when no input failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
KINDS = ("patchwork", "mbox", "diff", "schema", "bot")
FORMATS = ("text", "json", "sarif", "github", "gitlab", "b4", "patchwork", "email", "html")
TREES = (REPO / "fixtures" / "examples" / "tree", REPO / "fixtures" / "changes" / "tree")


class Hang(BaseException):
    """The time bound passed (raised by SIGALRM; a BaseException so no ``except Exception`` swallows it)."""


# -- seeds -------------------------------------------------------------------------------


@dataclass
class Seeds:
    by_kind: dict[str, list[bytes]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def add(self, kind: str, data: bytes) -> None:
        if data.strip():
            self.by_kind[kind].append(data)


def _diff_of(mail: bytes) -> bytes | None:
    i = mail.find(b"\ndiff --git ")
    return mail[i + 1:] if i >= 0 else None


def gather_seeds(corpus: Path | None, qemu: Path | None, limit: int = 400, max_schema: int = 40_000) -> Seeds:
    from qapilint.sources.sniff import sniff

    seeds = Seeds()
    for p in sorted((REPO / "fixtures").rglob("*")):
        if not p.is_file() or p.suffix in (".py", ".md"):
            continue
        data = p.read_bytes()
        if "qapi" in p.parts[:-1] and p.suffix == ".json" and not data.lstrip().startswith((b'{"', b"[")):
            seeds.add("schema", data)
            continue
        kind = sniff(data)
        if kind is not None:
            seeds.add(kind, data)
        if kind == "mbox":
            d = _diff_of(data)
            if d:
                seeds.add("diff", d)
    if corpus is not None:
        for sub, kind in (("mbox", "mbox"), ("patchwork", "patchwork")):
            files = sorted((corpus / sub).glob("*"))[:limit]
            for p in files:
                data = p.read_bytes()
                seeds.add(kind, data)
                if kind == "mbox":
                    d = _diff_of(data)
                    if d:
                        seeds.add("diff", d)
    if qemu is not None:
        for p in sorted((qemu / "qapi").glob("*.json")) + sorted((qemu / "tests/qapi-schema").glob("*.json"))[:limit]:
            if p.stat().st_size <= max_schema:
                seeds.add("schema", p.read_bytes())
    return seeds


# -- mutations ---------------------------------------------------------------------------

Mutator = Callable[[random.Random, bytes, "Seeds", str], bytes]


def _pos(rng: random.Random, data: bytes) -> int:
    return rng.randrange(len(data) + 1)


def _line_starts(data: bytes) -> list[int]:
    return [0] + [m.end() for m in re.finditer(rb"\n", data)]


def m_flip(rng: random.Random, data: bytes, seeds: Seeds, kind: str) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if b:
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


_JUNK = b"{}[]:,'\"#@\\\n\r\t <>()=?-+0123456789abcdefABCZ\x00\xff"


def m_bytes(rng: random.Random, data: bytes, seeds: Seeds, kind: str) -> bytes:
    i = _pos(rng, data)
    if rng.random() < 0.5 and data:
        return data[:i] + data[i + rng.randint(1, 64):]
    junk = bytes(rng.choice(_JUNK) for _ in range(rng.randint(1, 32)))
    return data[:i] + junk + data[i:]


def m_truncate(rng: random.Random, data: bytes, seeds: Seeds, kind: str) -> bytes:
    return data[:_pos(rng, data)]


def m_splice(rng: random.Random, data: bytes, seeds: Seeds, kind: str) -> bytes:
    other = rng.choice(seeds.by_kind[kind] or [data])
    return data[:_pos(rng, data)] + other[_pos(rng, other):]


def m_duplicate(rng: random.Random, data: bytes, seeds: Seeds, kind: str) -> bytes:
    i, j = sorted((_pos(rng, data), _pos(rng, data)))
    return data[:j] + data[i:j] * rng.randint(1, 50) + data[j:]


_HUNK = re.compile(rb"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def m_hunk_counts(rng: random.Random, data: bytes, seeds: Seeds, kind: str) -> bytes:
    def lie(m: re.Match[bytes]) -> bytes:
        def num() -> int:
            return rng.choice([0, 1, 2, 3, rng.randint(0, 400), rng.randint(0, 10**9), 10**12])
        return b"@@ -%d,%d +%d,%d @@" % (num(), num(), num(), num())
    spots = list(_HUNK.finditer(data))
    if not spots:
        return m_bytes(rng, data, seeds, kind)
    m = rng.choice(spots)
    return data[:m.start()] + lie(m) + data[m.end():]


def m_huge_number(rng: random.Random, data: bytes, seeds: Seeds, kind: str) -> bytes:
    spots = list(re.finditer(rb"\d+", data))
    digits = b"1" * rng.choice([10, 19, 20, 40, 4301, 5000])
    if not spots:
        i = _pos(rng, data)
        return data[:i] + digits + data[i:]
    m = rng.choice(spots)
    return data[:m.start()] + digits + data[m.end():]


def m_bad_utf8(rng: random.Random, data: bytes, seeds: Seeds, kind: str) -> bytes:
    i = _pos(rng, data)
    bad = rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\xe2\x82", b"\x80"])
    return data[:i] + bad + data[i:]


def m_newlines(rng: random.Random, data: bytes, seeds: Seeds, kind: str) -> bytes:
    parts = data.split(b"\n")
    out = []
    for p in parts:
        out.append(p)
        out.append(rng.choice([b"\n", b"\n", b"\n", b"\r\n", b"\r", b"\n\r"]))
    return b"".join(out[:-1])


def m_nul(rng: random.Random, data: bytes, seeds: Seeds, kind: str) -> bytes:
    i = _pos(rng, data)
    return data[:i] + b"\x00" * rng.randint(1, 4) + data[i:]


def m_nesting(rng: random.Random, data: bytes, seeds: Seeds, kind: str) -> bytes:
    n = rng.choice([50, 500, 3000, 20000])
    opener, closer = rng.choice([(b"{ 'a': ", b" }"), (b"[ ", b" ]"), (b'{"a":', b"}"), (b"[", b"]"), (b"(", b")")])
    nest = opener * n + b"'x'" + (closer * n if rng.random() < 0.7 else b"")
    starts = _line_starts(data)
    i = rng.choice(starts)
    prefix = rng.choice([b"", b"+", b" ", b"-"]) if kind in ("diff", "mbox", "patchwork") else b""
    return data[:i] + prefix + nest + b"\n" + data[i:]


def m_giant_line(rng: random.Random, data: bytes, seeds: Seeds, kind: str) -> bytes:
    size = rng.choice([10_000, 100_000, 1_000_000])
    unit = rng.choice([b"x", b"CamelCase", b"since doc ", b"fix ", b"'a', ", b"# ", b" ", b"\t", b"@@ "])
    line = (unit * (size // len(unit) + 1))[:size]
    i = rng.choice(_line_starts(data))
    prefix = rng.choice([b"", b"+", b"+# ", b" ", b"Subject: ", b"From: ", b"In-Reply-To: "])
    return data[:i] + prefix + line + b"\n" + data[i:]


_HEADERS = [b"From: <", b"From: " + b"(" * 3000, b"From: " + b":" * 3000, b'From: "' + b" " * 5000 + b'"',
            b"From: =?utf-8?b?!!!?= <a@b>", b"From: a@b, c@d", b"Date: 9999999999 Jan 6 0:0",
            b"Date: Mon, 6 Jan 99999 00:00:00 +0000", b"Subject: [PATCH v" + b"1" * 5000 + b" 5/" + b"9" * 5000 + b"]",
            b"Content-Type: multipart/mixed; boundary=", b"Content-Type: text/plain; charset=unicode_escape",
            b"Content-Transfer-Encoding: base64", b"Content-Transfer-Encoding: quoted-printable",
            b"Message-Id: <\xff\xfe@x>", b"Subject: =?utf-8?q?=ED=A0=80?=", b"In-Reply-To: " + b"<a@b> " * 3000]


def m_header(rng: random.Random, data: bytes, seeds: Seeds, kind: str) -> bytes:
    h = rng.choice(_HEADERS)
    if kind == "patchwork":
        with contextlib.suppress(ValueError):
            obj = json.loads(data)
            if isinstance(obj, dict):
                name, _, value = h.decode("latin-1").partition(": ")
                obj["headers"] = rng.choice([{name: value}, f"{name}: {value}\n", [name, value]])
                return json.dumps(obj).encode()
    starts = _line_starts(data)
    i = rng.choice(starts[:12])
    return data[:i] + h + b"\n" + data[i:]


def _json_leaves(obj: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    stack: list[tuple[tuple[Any, ...], Any]] = [(path, obj)]
    while stack:
        p, v = stack.pop()
        yield p, v
        if isinstance(v, dict):
            stack.extend((p + (k,), x) for k, x in v.items())
        elif isinstance(v, list):
            stack.extend((p + (i,), x) for i, x in enumerate(v))


def _confused(rng: random.Random) -> Any:
    return rng.choice([None, True, 0, -1, 10**30, 1.5e308, "", "\ud800", "x" * 10_000, [], {}, [[[]]],
                       {"id": "x"}, ["a", 1, None], "2026-13-45T99:99:99", "9999-12-31T23:59:59",
                       "<\udc80@x>", "²", "-1", "1" * 50])


def m_json_types(rng: random.Random, data: bytes, seeds: Seeds, kind: str) -> bytes:
    try:
        obj = json.loads(data)
    except ValueError:
        return m_bytes(rng, data, seeds, kind)
    leaves = list(_json_leaves(obj))
    for _ in range(rng.randint(1, 4)):
        path, _v = rng.choice(leaves)
        if not path:
            obj = _confused(rng)
            break
        holder = obj
        for k in path[:-1]:
            holder = holder[k]
        if rng.random() < 0.15 and isinstance(holder, dict):
            del holder[path[-1]]
            leaves = list(_json_leaves(obj))
            continue
        holder[path[-1]] = _confused(rng)
        leaves = list(_json_leaves(obj))
    return json.dumps(obj).encode("utf-8", "surrogatepass")


MUTATORS: dict[str, Mutator] = {
    "flip": m_flip, "bytes": m_bytes, "truncate": m_truncate, "splice": m_splice, "duplicate": m_duplicate,
    "hunk-counts": m_hunk_counts, "huge-number": m_huge_number, "bad-utf8": m_bad_utf8, "newlines": m_newlines,
    "nul": m_nul, "nesting": m_nesting, "giant-line": m_giant_line, "header": m_header, "json-types": m_json_types,
}
# Relative weights per kind (the expensive shapes rarer).
_WEIGHTS: dict[str, dict[str, float]] = {
    "patchwork": {"json-types": 6, "header": 1.5, "giant-line": 0.3, "nesting": 0.5},
    "mbox": {"header": 3, "hunk-counts": 2, "giant-line": 0.3, "nesting": 0.5, "json-types": 0},
    "diff": {"hunk-counts": 4, "giant-line": 0.3, "nesting": 0.7, "header": 0, "json-types": 0},
    "schema": {"nesting": 1, "giant-line": 0.3, "hunk-counts": 0, "header": 0, "json-types": 0},
    "bot": {"json-types": 6, "header": 1, "giant-line": 0.2, "nesting": 0.5},
}


def mutate(rng: random.Random, data: bytes, seeds: Seeds, kind: str) -> tuple[bytes, list[str]]:
    w = _WEIGHTS[kind]
    names = list(MUTATORS)
    weights = [w.get(n, 1.0) for n in names]
    used = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        name = rng.choices(names, weights)[0]
        with contextlib.suppress(RecursionError):   # json on a deep input an earlier mutation made
            data = MUTATORS[name](rng, data, seeds, kind)
            used.append(name)
    return data, used


# -- running one input ---------------------------------------------------------------------


@dataclass
class Outcome:
    status: int | None = None           # exit status (None: no status, see error)
    error: str | None = None            # 'traceback' | 'hang' | 'status' | 'encoding'
    site: str | None = None             # exception type and innermost qapilint frame
    trace: str = ""
    seconds: float = 0.0


# Owned by the hunk-only rebuild's redesign (issue 15): sites there are reported to it.
REBUILD_REDESIGN = ("rebuild/scan.py", "rebuild/window.py", "rebuild/assign.py", "rebuild/views.py",
                    "rebuild/naming.py", "rebuild/series.py", "rebuild/hunks.py")


def _site(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/qapilint/" in f.filename]
    f = (ours or frames or [None])[-1]
    where = f"{f.filename.split('/qapilint/')[-1]}:{f.lineno} {f.name}" if f is not None else "?"
    return f"{type(exc).__name__} at {where}"


@contextlib.contextmanager
def _time_bound(seconds: float, cpu: bool = True) -> Iterator[None]:
    """Raise Hang after ``seconds`` of this process's CPU time (wall time with ``cpu=False``).

    CPU time, so that a loaded machine does not turn slow inputs into hangs.
    """
    sig, timer = (signal.SIGPROF, signal.ITIMER_PROF) if cpu else (signal.SIGALRM, signal.ITIMER_REAL)

    def on_alarm(signum: int, frame: object) -> None:
        raise Hang()
    old = signal.signal(sig, on_alarm)
    signal.setitimer(timer, seconds)
    try:
        yield
    finally:
        signal.setitimer(timer, 0)
        signal.signal(sig, old)


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def run_cli(argv: list[str], stdin: bytes, bound: float) -> Outcome:
    """``qapilint ARGV`` in this process; stdout/stderr must take the output as strict UTF-8."""
    from qapilint.cli import main

    out, err = io.BytesIO(), io.BytesIO()
    so = io.TextIOWrapper(out, encoding="utf-8", errors="strict", write_through=True)
    se = io.TextIOWrapper(err, encoding="utf-8", errors="strict", write_through=True)
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = _Stdin(stdin), so, se  # type: ignore[assignment]
    o = Outcome()
    t = time.perf_counter()
    try:
        with _time_bound(bound):
            o.status = main(argv)
    except Hang as e:
        o.error, o.site, o.trace = "hang", _site(e), traceback.format_exc()
    except SystemExit as e:   # argparse
        o.status = e.code if isinstance(e.code, int) else 2
    except BaseException as e:  # noqa: BLE001 - any escape is what we look for
        if isinstance(e, KeyboardInterrupt):
            raise
        o.error, o.site, o.trace = "traceback", _site(e), traceback.format_exc()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    o.seconds = time.perf_counter() - t
    if o.error is None and o.status not in (0, 1, 2):
        o.error, o.site = "status", f"exit status {o.status}"
    if o.error is None and b"Traceback (most recent call last)" in err.getvalue():
        o.error, o.site, o.trace = "traceback", "traceback printed", err.getvalue().decode("utf-8", "replace")
    return o


def run_child(argv: list[str], stdin: bytes, bound: float) -> Outcome:
    """The same through ``python -m qapilint`` (the console entry point) in a child process."""
    o = Outcome()
    t = time.perf_counter()
    try:
        p = subprocess.run([sys.executable, "-m", "qapilint", *argv], input=stdin, capture_output=True,
                           timeout=bound * 3 + 5, check=False)
    except subprocess.TimeoutExpired:
        o.error, o.site = "hang", f"child hang: {argv[0]}"
        return o
    o.seconds = time.perf_counter() - t
    o.status = p.returncode
    if b"Traceback (most recent call last)" in p.stderr:
        last = p.stderr.decode("utf-8", "replace").strip().splitlines()[-1]
        o.error, o.site, o.trace = "traceback", f"child: {last[:120]}", p.stderr.decode("utf-8", "replace")
    elif p.returncode not in (0, 1, 2):
        o.error, o.site = "status", f"child exit status {p.returncode}"
    return o


class Runner:
    def __init__(self, work: Path, bound: float) -> None:
        self.work = work
        self.bound = bound
        (work / "qapi").mkdir(parents=True, exist_ok=True)
        self.schema_path = work / "qapi" / "fuzz.json"
        self.bot: BotRig | None = None

    def argv(self, rng: random.Random, kind: str) -> tuple[list[str], bool]:
        """(argv, whether the input goes to stdin)."""
        if kind == "schema":
            return ["schema", str(self.schema_path)] + (["--format", "json"] if rng.random() < 0.3 else []), False
        if rng.random() < 0.15:
            return ["changes", "-"] + (["--format", "json"] if rng.random() < 0.5 else []), True
        argv = ["check", "-", "--format", rng.choice(FORMATS), "--input-format",
                rng.choice(["auto", "auto", "auto", kind])]
        if rng.random() < 0.15:
            argv += ["--tree", str(rng.choice(TREES))]
        return argv, True

    def one(self, rng: random.Random, kind: str, data: bytes, child: bool) -> tuple[Outcome, list[str]]:
        if kind == "bot":
            assert self.bot is not None
            return self.bot.run(rng, data, self.bound), ["bot"]
        argv, stdin = self.argv(rng, kind)
        if not stdin:
            self.schema_path.write_bytes(data)
        run = run_child if child else run_cli
        return run(argv, data if stdin else b"", self.bound), argv


# -- the bot against the test server -------------------------------------------------------------


class BotRig:
    """The project's patchwork test server, answering with mutated JSON on one route per input."""

    ROUTES = (r"^/api/patches/\?", r"^/api/patches/\d+/$", r"^/api/series/", r"^/api/covers/", r"^/api/events/",
              r"/checks/\?")

    def __init__(self, work: Path) -> None:
        sys.path.insert(0, str(REPO / "tests" / "bot"))
        import pwserver

        self.pw = pwserver
        rig = self

        class Handler(pwserver.Handler):
            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None,
                      raw: bytes | None = None) -> None:
                plan = rig.plan
                if plan is not None and status == 200 and raw is None and re.search(plan[0], self.path):
                    raw = plan[1](json.dumps(body).encode())
                super()._send(status, body, headers, raw)

        self.server = pwserver.PWServer(pwserver.Store.from_seed())
        self.server.RequestHandlerClass = Handler
        self.server.start()
        self.seed = json.loads(pwserver.SEED.read_text(encoding="utf-8"))
        self.plan: tuple[str, Callable[[bytes], bytes]] | None = None
        self.work = work

    def run(self, rng: random.Random, data: bytes, bound: float) -> Outcome:
        from qapilint.bot.client import PatchworkClient
        from qapilint.bot.runner import Bot, BotConfig
        from qapilint.bot.state import State

        store = self.pw.Store.from_seed(self.seed)
        store.base = self.server.store.base
        self.server.store = store
        route = rng.choice(self.ROUTES)
        sub = random.Random(rng.random())
        self.answers: list[bytes] = []

        def answer(body: bytes) -> bytes:
            out = mutate(sub, body, _BOT_SEEDS, "bot")[0]
            self.answers.append(out[:1_000_000])
            return out
        self.plan = (route, answer)
        db = self.work / "bot-state.db"
        for p in self.work.glob("bot-state.db*"):
            p.unlink()
        o = Outcome()
        t = time.perf_counter()
        try:
            # The bot logs each failed patch on stderr: expected here, and not news.
            # Wall time: the bot waits on the network (its client has 2 s timeouts, no retries here).
            with _time_bound(bound * 3, cpu=False), contextlib.redirect_stderr(io.StringIO()):
                config = BotConfig(url=self.server.url, project="qemu-devel", since="2026-03-01T00:00:00",
                                   lookback=0)
                client = PatchworkClient(self.server.url, self.pw.TOKEN, timeout=(2.0, 2.0), backoff=0.0,
                                         retries=0)
                bot = Bot(config, client, State(str(db)), out=io.StringIO())
                bot.poll_once()
                o.status = 0
        except Hang as e:
            o.error, o.site, o.trace = "hang", _site(e) + f" ({route})", traceback.format_exc()
        except BaseException as e:  # noqa: BLE001
            if isinstance(e, KeyboardInterrupt):
                raise
            o.error, o.site, o.trace = "traceback", _site(e) + f" ({route})", traceback.format_exc()
        o.seconds = time.perf_counter() - t
        return o

    def close(self) -> None:
        self.server.stop()


_BOT_SEEDS = Seeds()


# -- the campaign ------------------------------------------------------------------------------


@dataclass
class Totals:
    inputs: int = 0
    child_runs: int = 0
    tracebacks: int = 0
    hangs: int = 0
    other: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    sites: Counter[str] = field(default_factory=Counter)
    slowest: float = 0.0
    seconds: float = 0.0
    cpu: float = 0.0


def campaign(n: int, seed: int, kinds: list[str], seeds: Seeds, bound: float, child_every: int,
             crash_dir: Path | None, progress: int = 0, out: Any = None,
             mix: dict[str, float] | None = None,
             snapshot: Callable[[dict[str, Totals]], None] | None = None) -> dict[str, Totals]:
    out = out or sys.stdout
    mix = mix or {}
    rng = random.Random(seed)
    totals = {k: Totals() for k in kinds}
    work = Path(tempfile.mkdtemp(prefix="qapilint-fuzz-"))
    saved_env = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(work / "xdg")
    from qapilint.qapi import cache, result_cache

    cache.reset()
    result_cache.reset()
    runner = Runner(work, bound)
    try:
        if "bot" in kinds:
            runner.bot = BotRig(work)
            _BOT_SEEDS.by_kind["bot"] = seeds.by_kind["patchwork"][:50]
        live = [k for k in kinds if k == "bot" or seeds.by_kind[k]]
        weights = [mix.get(k, 1.0) for k in live]
        for i in range(n):
            kind = rng.choices(live, weights)[0]
            if kind == "bot":
                data, used = b"", ["(server answers)"]
            else:
                data, used = mutate(rng, rng.choice(seeds.by_kind[kind]), seeds, kind)
            child = child_every > 0 and i % child_every == child_every - 1 and kind != "bot"
            sub = random.Random(rng.random())
            cpu = time.process_time()
            o, argv = runner.one(sub, kind, data, child)
            totals[kind].cpu += time.process_time() - cpu
            if kind == "bot" and runner.bot is not None:
                data = b"\n\n".join(runner.bot.answers)   # the mutated answers, for reproduction
            t = totals[kind]
            t.inputs += 1
            t.child_runs += child
            t.seconds += o.seconds
            t.slowest = max(t.slowest, o.seconds)
            if o.status is not None:
                t.statuses[o.status] += 1
            if o.error is not None:
                if o.error == "hang":
                    t.hangs += 1
                elif o.error == "traceback":
                    t.tracebacks += 1
                else:
                    t.other += 1
                site = o.site or o.error
                first = site not in t.sites
                t.sites[site] += 1
                if crash_dir is not None and first:
                    _save(crash_dir, kind, len(t.sites), data, argv, used, o)
            if progress and (i + 1) % progress == 0:
                if snapshot is not None:
                    snapshot(totals)
                done = sum(x.inputs for x in totals.values())
                bad = sum(x.tracebacks + x.hangs + x.other for x in totals.values())
                print(f"  {done} inputs, {bad} failing, {sum(len(x.sites) for x in totals.values())} sites",
                      file=out, flush=True)
    finally:
        if runner.bot is not None:
            runner.bot.close()
        shutil.rmtree(work, ignore_errors=True)
        if saved_env is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = saved_env
        cache.reset()
        result_cache.reset()
    return totals


def _save(crash_dir: Path, kind: str, k: int, data: bytes, argv: list[str], used: list[str], o: Outcome) -> None:
    crash_dir.mkdir(parents=True, exist_ok=True)
    stem = crash_dir / f"{kind}-{k:03d}"
    stem.with_suffix(".input").write_bytes(data)
    stem.with_suffix(".txt").write_text(f"kind: {kind}\nargv: {argv}\nmutations: {used}\nsite: {o.site}\n"
                                        f"seconds: {o.seconds:.2f}\n\n{o.trace}", encoding="utf-8")


def to_json(totals: dict[str, Totals]) -> dict[str, Any]:
    return {k: {"inputs": t.inputs, "child_runs": t.child_runs, "tracebacks": t.tracebacks, "hangs": t.hangs,
                "other": t.other, "statuses": {str(s): c for s, c in t.statuses.items()},
                "sites": dict(t.sites), "slowest": t.slowest, "seconds": t.seconds, "cpu": t.cpu}
            for k, t in totals.items()}


def merge(parts: list[dict[str, Any]]) -> dict[str, Totals]:
    out: dict[str, Totals] = {}
    for part in parts:
        for k, d in part.items():
            t = out.setdefault(k, Totals())
            t.inputs += d["inputs"]
            t.child_runs += d["child_runs"]
            t.tracebacks += d["tracebacks"]
            t.hangs += d["hangs"]
            t.other += d["other"]
            t.statuses.update({int(s): c for s, c in d["statuses"].items()})
            t.sites.update(d["sites"])
            t.slowest = max(t.slowest, d["slowest"])
            t.seconds += d["seconds"]
            t.cpu += d.get("cpu", 0.0)
    return out


def report(totals: dict[str, Totals], wall: float, out: Any = None) -> None:
    out = out or sys.stdout
    print(f"{'kind':10} {'inputs':>8} {'child':>6} {'tracebacks':>10} {'hangs':>6} {'other':>6} {'sites':>6} "
          f"{'slowest':>8} {'cpu/input':>9}  exit statuses", file=out)
    for kind, t in totals.items():
        st = " ".join(f"{s}:{c}" for s, c in sorted(t.statuses.items()))
        per = t.cpu / t.inputs * 1000 if t.inputs else 0.0
        print(f"{kind:10} {t.inputs:8d} {t.child_runs:6d} {t.tracebacks:10d} {t.hangs:6d} {t.other:6d} "
              f"{len(t.sites):6d} {t.slowest:7.2f}s {per:7.1f}ms  {st}", file=out)
    n = sum(t.inputs for t in totals.values())
    bad = sum(t.tracebacks + t.hangs + t.other for t in totals.values())
    print(f"total: {n} inputs in {wall:.0f} s, {bad} failing, "
          f"{sum(len(t.sites) for t in totals.values())} distinct crash sites", file=out)
    for kind, t in totals.items():
        for site, c in t.sites.most_common():
            print(f"  {kind}: {c} x {site}", file=out)


def _parallel(args: argparse.Namespace, start: float) -> dict[str, Totals]:
    """Shards with seeds SEED*1000+k, each in a child process; totals merged."""
    tmp = Path(tempfile.mkdtemp(prefix="qapilint-fuzz-shards-"))
    procs = []
    try:
        for k in range(args.jobs):
            argv = [sys.executable, __file__, "--inputs", str(args.inputs // args.jobs + (k < args.inputs % args.jobs)),
                    "--seed", str(args.seed * 1000 + k), "--kinds", args.kinds, "--time-bound", str(args.time_bound),
                    "--subprocess-every", str(args.subprocess_every), "--crash-dir", str(args.crash_dir / f"shard{k}"),
                    "--progress", str(args.progress), "--mix", args.mix, "--shard-json", str(tmp / f"{k}.json")]
            if args.no_corpus:
                argv.append("--no-corpus")
            elif args.corpus is not None:
                argv += ["--corpus", str(args.corpus)]
            if args.qemu is not None:
                argv += ["--qemu", str(args.qemu)]
            procs.append(subprocess.Popen(argv))
        try:
            for p in procs:
                p.wait()
        except KeyboardInterrupt:
            # Interrupted: the totals of what the shards had done at their last snapshot.
            print("interrupted: totals as of the shards' last snapshots", flush=True)
        return merge([json.loads(p.read_text()) for p in sorted(tmp.glob("*.json"))])
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def default_corpus() -> Path | None:
    env = os.environ.get("QAPILINT_SHARED_DATA")
    base = Path(env) if env else REPO.parent / "shared" / "data"
    corpus = base / "corpus"
    return corpus if (corpus / "mbox").is_dir() else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--inputs", type=int, default=2000, help="inputs in all (spread evenly over the kinds)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--corpus", type=Path, default=None, help="real corpus (default: ../shared/data/corpus if present)")
    ap.add_argument("--no-corpus", action="store_true", help="fixtures only")
    ap.add_argument("--qemu", type=Path, default=None, help="a QEMU clone whose schema files seed the schema kind")
    ap.add_argument("--time-bound", type=float, default=10.0,
                    help="CPU seconds one input may take (children and the bot: 3x that in wall time)")
    ap.add_argument("--subprocess-every", type=int, default=250, help="also run every N-th input as a child (0: never)")
    ap.add_argument("--crash-dir", type=Path, default=Path(tempfile.gettempdir()) / "qapilint-fuzz-crashes")
    ap.add_argument("--progress", type=int, default=0, help="print a line every N inputs")
    ap.add_argument("--mix", default="patchwork=30,mbox=30,diff=25,schema=12,bot=3",
                    help="relative share of each kind")
    ap.add_argument("--jobs", type=int, default=1, help="run N shards in parallel child processes")
    ap.add_argument("--shard-json", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    kinds = [k for k in args.kinds.split(",") if k]
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        ap.error(f"unknown kinds: {', '.join(bad)}")
    corpus = None if args.no_corpus else (args.corpus or default_corpus())
    seeds = gather_seeds(corpus, args.qemu)
    print("seeds: " + ", ".join(f"{k} {len(v)}" for k, v in seeds.by_kind.items() if k in kinds)
          + f" (corpus: {corpus or 'none'}); seed {args.seed}, time bound {args.time_bound:.0f} s", flush=True)
    mix = {k: float(v) for k, _, v in (x.partition("=") for x in args.mix.split(",") if x)}
    # SIGTERM ends a long run like Ctrl-C: the totals so far are still printed.
    signal.signal(signal.SIGTERM, lambda signum, frame: (_ for _ in ()).throw(KeyboardInterrupt()))
    t = time.perf_counter()
    if args.jobs > 1:
        totals = _parallel(args, time.perf_counter())
    else:
        shard = args.shard_json

        def snapshot(t: dict[str, Totals]) -> None:
            if shard is not None:
                shard.write_text(json.dumps(to_json(t)))
        totals = campaign(args.inputs, args.seed, kinds, seeds, args.time_bound, args.subprocess_every,
                          args.crash_dir, args.progress, mix=mix, snapshot=snapshot)
        if args.shard_json is not None:
            args.shard_json.write_text(json.dumps(to_json(totals)))
            return 0
    report(totals, time.perf_counter() - t)
    failing = sum(x.tracebacks + x.hangs + x.other for x in totals.values())
    if failing:
        print(f"failing inputs and tracebacks: {args.crash_dir}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
