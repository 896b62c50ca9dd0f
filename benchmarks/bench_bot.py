"""Benchmark the patchwork bot against the test server (127.0.0.1 only).

1. Throughput: the bot polls a test server seeded with N patches (the fixtures
   plus synthetic variations), checks the QAPI ones and posts; prints time per
   patch, requests per patch, and whether every QAPI patch got exactly one check.
   ``--checker fake`` (default) measures the bot itself; ``--checker real`` uses
   qapilint.pipeline.check_patch and the real converter.
2. Exactly once: kill -9 trials (a bot subprocess killed at a random moment,
   then restarted): runs, kills, duplicates, misses.
3. Bounds (``--bounds``): one ``qapilint bot --once`` process per hostile
   condition (five 30 MiB listing pages of ``[{},{},...]``, a slow-loris
   answer, a check that never ends, a check that eats memory), each against
   the seeded server: the bot's wall time and peak RSS (``os.wait4``), its
   exit status, and how many of the other QAPI patches got their check;
   the first row (no fault) is the anchor.

    python benchmarks/bench_bot.py [--patches 240] [--kill-runs 20] [--checker fake|real] [--seed S] [--bounds]
"""

from __future__ import annotations

import argparse
import copy
import io
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "bot"))

import botfakes  # noqa: E402
import killrun  # noqa: E402
import pwserver  # noqa: E402
from botkit import REPO, SINCE, bot_env, ours, qapi_patch_ids  # noqa: E402

from qapilint.bot.client import PatchworkClient  # noqa: E402
from qapilint.bot.runner import Bot, BotConfig  # noqa: E402
from qapilint.bot.state import State  # noqa: E402


def throughput(n: int, checker: str, per_page: int) -> None:
    store = pwserver.Store.from_seed(pwserver.synthetic_seed(n))
    srv = pwserver.PWServer(store).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cfg = BotConfig(url=srv.url, project="qemu-devel", since=SINCE, lookback=0, series_wait=0,
                            per_page=per_page)
            client = PatchworkClient(srv.url, pwserver.TOKEN, backoff=0.01)
            kw = {} if checker == "real" else {"checker": botfakes.fake_check, "converter": botfakes.fake_convert}
            bot = Bot(cfg, client, State(os.path.join(tmp, "s.db")), out=io.StringIO(), **kw)  # type: ignore[arg-type]
            t0 = time.perf_counter()
            stats = bot.poll_once()
            wall = time.perf_counter() - t0
            t1 = time.perf_counter()
            again = Bot(cfg, PatchworkClient(srv.url, pwserver.TOKEN), State(os.path.join(tmp, "s.db")),
                        out=io.StringIO(), **kw).poll_once()  # type: ignore[arg-type]
            idle = time.perf_counter() - t1
    finally:
        srv.stop()
    qapi = qapi_patch_ids(store)
    once = sum(1 for pid in qapi if len(ours(store, pid)) == 1)
    total = len(store.patches)
    print(f"throughput ({checker} checker): {total} patches ({len(qapi)} touch QAPI), "
          f"{len({p['series'] for p in store.patches.values()})} series, page size {per_page}")
    print(f"  first poll:  {wall:.2f} s = {1000 * wall / total:.1f} ms/patch "
          f"({1000 * wall / max(1, len(qapi)):.1f} ms per QAPI patch); "
          f"fetch+check {1000 * stats.check_seconds / max(1, stats.checked):.1f} ms per checked patch (before posting)")
    print(f"  requests:    {client.requests} ({client.requests / total:.2f}/patch); posted {stats.posted}, "
          f"skipped {stats.skipped}, failed {stats.failed}")
    print(f"  exactly one check: {once}/{len(qapi)} QAPI patches; second poll {idle:.2f} s, posted {again.posted}")


def kills(runs: int, seed: int) -> None:
    os.environ.setdefault("PWSERVER_DELAY", "0.003")
    os.environ.setdefault("PWSERVER_POST_DELAY", "0.04")
    fig = killrun.run_trials(runs, random.Random(seed))
    print(f"kill -9 trials (seed {seed}): {fig.runs} runs, {fig.kills} kills "
          f"({fig.kills_with_intent_pending} left a POST intent pending), {fig.patches} QAPI patch-runs checked")
    print(f"  duplicates {fig.duplicates}, misses {fig.misses}, checks on non-QAPI patches {fig.unwanted}; "
          f"{fig.seconds:.1f} s")
    for note in fig.notes:
        print("  note:", note)


def _bot_measured(url: str, tmp: str, extra: list[str], kill_after: float) -> tuple[int, float, float, str]:
    token = os.path.join(tmp, "token")
    with open(token, "w") as f:
        f.write(pwserver.TOKEN + "\n")
    args = [sys.executable, "-m", "qapilint", "bot", "--patchwork", url, "--project", "qemu-devel",
            "--state", os.path.join(tmp, "s.db"), "--since", SINCE, "--lookback", "0", "--backoff", "0.01",
            "--timeout", "2", "--checker", "botfakes:fake_check", "--converter", "botfakes:fake_convert",
            "--token-file", token, "--once", *extra]
    with tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, env=bot_env(), cwd=str(REPO))
        timer = threading.Timer(kill_after, p.kill)
        timer.start()
        try:
            _pid, status, usage = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return p.returncode, wall, usage.ru_maxrss / 1024.0, text


def bounds(kill_after: float) -> None:
    def hostile(store: pwserver.Store, marker: str) -> int:
        p = copy.deepcopy(store.patches[3008])
        p.update(id=3900, series=None, date="2026-03-06T09:00:00", msgid="<bench-3900@example.org>")
        p["diff"] = p["diff"].rstrip("\n") + f"\n+# {marker}\n"
        store.patches[3900] = p
        return 3900

    def huge(store: pwserver.Store) -> set[int]:
        hit = {3002, 3004, 3006, 3008, 3011}
        for pid in hit:
            store.faults.append(pwserver.Fault("huge", path=rf"^/api/patches/{pid}/checks/", method="GET", times=-1))
        return hit

    def loris(store: pwserver.Store) -> set[int]:
        store.faults.append(pwserver.Fault("slowloris", path=r"^/api/patches/3008/$", method="GET", times=-1,
                                           sleep=0.05))
        return {3008}

    cases: list[tuple[str, Any, list[str]]] = [
        ("no fault (anchor)", lambda st: set(), []),
        ("5 x 30 MiB listing pages", huge, []),
        ("slow loris, 20 B/s", loris, ["--deadline", "5"]),
        ("check never ends", lambda st: {hostile(st, "FAKE-HANG")}, ["--check-timeout", "5"]),
        ("check eats memory", lambda st: {hostile(st, "FAKE-HOG")}, ["--check-memory", "512"]),
    ]
    print("bounds: one 'qapilint bot --once' per condition (fake checker)")
    print(f"  {'condition':26} {'exit':>4} {'wall s':>7} {'peak MB':>8}  other QAPI patches checked")
    for name, setup, extra in cases:
        store = pwserver.Store.from_seed()
        hit = setup(store)
        srv = pwserver.PWServer(store).start()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                rc, wall, peak, err = _bot_measured(srv.url, tmp, extra, kill_after)
        finally:
            srv.stop()
        others = qapi_patch_ids(store) - hit - {3007}      # 3007 waits for its series by design
        done = sum(1 for pid in others if len(ours(store, pid)) == 1)
        why = next((ln.split(": ", 1)[1] for ln in err.splitlines() if "failed:" in ln or "stopped:" in ln), "")
        print(f"  {name:26} {rc:4d} {wall:7.2f} {peak:8.1f}  {done}/{len(others)}  {why[:90]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--patches", type=int, default=240)
    ap.add_argument("--per-page", type=int, default=100)
    ap.add_argument("--kill-runs", type=int, default=20)
    ap.add_argument("--checker", choices=("fake", "real"), default="fake")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--bounds", action="store_true", help="only the bounds figures")
    ap.add_argument("--kill-after", type=float, default=300.0, help="seconds before a bot counts as hung")
    args = ap.parse_args()
    if args.bounds:
        bounds(args.kill_after)
        return
    throughput(args.patches, args.checker, args.per_page)
    if args.kill_runs:
        kills(args.kill_runs, args.seed if args.seed is not None else random.randrange(1 << 30))


if __name__ == "__main__":
    main()
