"""Benchmark the patchwork bot against the test server (127.0.0.1 only).

1. Throughput: the bot polls a test server seeded with N patches (the fixtures
   plus synthetic variations), checks the QAPI ones and posts; prints time per
   patch, requests per patch, and whether every QAPI patch got exactly one check.
   ``--checker fake`` (default) measures the bot itself; ``--checker real`` uses
   qapilint.pipeline.check_patch and the real converter.
2. Exactly once: kill -9 trials (a bot subprocess killed at a random moment,
   then restarted): runs, kills, duplicates, misses.

    python benchmarks/bench_bot.py [--patches 240] [--kill-runs 20] [--checker fake|real] [--seed S]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "bot"))

import botfakes  # noqa: E402
import killrun  # noqa: E402
import pwserver  # noqa: E402
from botkit import SINCE, ours, qapi_patch_ids  # noqa: E402

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--patches", type=int, default=240)
    ap.add_argument("--per-page", type=int, default=100)
    ap.add_argument("--kill-runs", type=int, default=20)
    ap.add_argument("--checker", choices=("fake", "real"), default="fake")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    throughput(args.patches, args.checker, args.per_page)
    if args.kill_runs:
        kills(args.kill_runs, args.seed if args.seed is not None else random.randrange(1 << 30))


if __name__ == "__main__":
    main()
