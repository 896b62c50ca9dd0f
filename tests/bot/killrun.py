"""Kill -9 trials: a bot subprocess is killed at a random moment, restarted, and the checks counted.

Used by test_bot_kill.py (asserts) and benchmarks/bench_bot.py (prints the figures).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pwserver
from botkit import REPO, SINCE, bot_env, ours, qapi_patch_ids


@dataclass
class KillFigures:
    runs: int = 0
    kills: int = 0
    kills_with_intent_pending: int = 0
    duplicates: int = 0            # QAPI patches with more than one check
    misses: int = 0                # QAPI patches with none
    unwanted: int = 0              # checks on patches touching no QAPI file
    patches: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def _cmd(url: str, db: Path, token: Path) -> list[str]:
    return [sys.executable, "-m", "qapilint", "bot", "--patchwork", url, "--project", "qemu-devel",
            "--state", str(db), "--token-file", str(token), "--since", SINCE, "--lookback", "0",
            "--backoff", "0.01", "--timeout", "5", "--once",
            "--checker", "botfakes:fake_check", "--converter", "botfakes:fake_convert"]


def _pending_intents(db: Path) -> int:
    if not db.exists():
        return 0
    con = sqlite3.connect(str(db), timeout=10)
    try:
        return int(con.execute("SELECT COUNT(*) FROM patches WHERE status='intent'").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        con.close()


def _store(seed: dict[str, object] | None) -> pwserver.Store:
    st = pwserver.Store.from_seed(seed)
    for pid in list(st.held):
        st.deliver(pid)
    return st


def run_trials(runs: int, rng: random.Random, seed: dict[str, object] | None = None,
               kills_per_run: int = 1) -> KillFigures:
    """Each run: fresh server and state; kill the bot at random moments; finish; count."""
    fig = KillFigures()
    t_start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="qapilint-kill-") as tmp:
        token = Path(tmp) / "token"
        token.write_text(pwserver.TOKEN + "\n")
        env = bot_env()
        # Calibrate: how long an uninterrupted run takes on this machine.
        srv = pwserver.PWServer(_store(seed)).start()
        try:
            t0 = time.monotonic()
            subprocess.run(_cmd(srv.url, Path(tmp) / "cal.db", token), env=env, cwd=str(REPO),
                           capture_output=True, timeout=120, check=True)
            full = time.monotonic() - t0
        finally:
            srv.stop()
        for i in range(runs):
            srv = pwserver.PWServer(_store(seed)).start()
            db = Path(tmp) / f"run{i}.db"
            try:
                for _ in range(kills_per_run):
                    p = subprocess.Popen(_cmd(srv.url, db, token), env=env, cwd=str(REPO),
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    time.sleep(rng.uniform(0.2 * full, 0.9 * full))
                    if p.poll() is None:
                        os.kill(p.pid, signal.SIGKILL)
                        fig.kills += 1
                    p.wait(30)
                    if _pending_intents(db):
                        fig.kills_with_intent_pending += 1
                done = subprocess.run(_cmd(srv.url, db, token), env=env, cwd=str(REPO),
                                      capture_output=True, text=True, timeout=120)
                if done.returncode != 0:
                    fig.notes.append(f"run {i}: restart exited {done.returncode}: {done.stderr[-300:]}")
                st = srv.store
                qapi = qapi_patch_ids(st)
                for pid in st.patches:
                    n = len(ours(st, pid))
                    if pid in qapi:
                        fig.duplicates += n > 1
                        fig.misses += n == 0
                    else:
                        fig.unwanted += n > 0
                fig.patches += len(qapi)
                fig.runs += 1
            finally:
                srv.stop()
    fig.seconds = time.monotonic() - t_start
    return fig
