"""The bot's memory, in SQLite: listing cursors and what was done to each patch.

One row per (patch, context).  ``status`` moves through:

- ``waiting``  the patch's series is not complete yet; re-examined every cycle
- ``failed``   fetching, converting or checking failed; retried up to a bound
- ``intent``   a payload is ready and about to be POSTed; ``checks_before`` is
               how many checks with our context the patch had just before.
               After a crash, more checks than that means the POST landed.
- ``posted``   done for this ``diff_hash``
- ``skipped``  touches no QAPI file (or gave up), nothing to post

Every change is committed before the next network action, so a kill -9 at
any point leaves a state the next run can finish without a duplicate.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS patches (
    patch_id INTEGER NOT NULL,
    context TEXT NOT NULL,
    pw_hash TEXT NOT NULL DEFAULT '',
    diff_hash TEXT NOT NULL DEFAULT '',
    series_id INTEGER,
    subject TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    verdict TEXT,
    findings INTEGER,
    payload TEXT,
    checks_before INTEGER,
    check_id INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    first_seen REAL NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (patch_id, context)
);
CREATE TABLE IF NOT EXISTS series_done (series_id INTEGER PRIMARY KEY, seen REAL NOT NULL);
"""

FINAL = ("posted", "skipped")


@dataclass
class PatchRow:
    patch_id: int
    context: str
    pw_hash: str
    diff_hash: str
    series_id: int | None
    subject: str
    status: str
    verdict: str | None
    findings: int | None
    payload: str | None
    checks_before: int | None
    check_id: int | None
    attempts: int
    error: str | None
    first_seen: float
    updated: float


class State:
    def __init__(self, path: str) -> None:
        if path != ":memory:" and not path.startswith("file:"):
            # It holds what the bot posts and why; only the bot reads it (like
            # the lock file).  SQLite gives its -wal and -shm files the same mode.
            os.close(os.open(path, os.O_CREAT | os.O_RDWR | getattr(os, "O_CLOEXEC", 0), 0o600))
        # isolation_level=None: explicit transactions; each write below is its own commit.
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # cursors ---------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta(key, value) VALUES(?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, value))

    # patches ---------------------------------------------------------------
    def get(self, patch_id: int, context: str) -> PatchRow | None:
        cur = self.db.execute("SELECT * FROM patches WHERE patch_id=? AND context=?", (patch_id, context))
        row = cur.fetchone()
        return None if row is None else PatchRow(*row)

    def rows(self, context: str, *statuses: str) -> list[PatchRow]:
        marks = ",".join("?" * len(statuses))
        cur = self.db.execute(f"SELECT * FROM patches WHERE context=? AND status IN ({marks}) ORDER BY patch_id",
                              (context, *statuses))
        return [PatchRow(*r) for r in cur.fetchall()]

    def put(self, patch_id: int, context: str, status: str, **fields: object) -> None:
        """Insert or update one row; fields not given keep their value."""
        now = time.time()
        allowed = {"pw_hash", "diff_hash", "series_id", "subject", "verdict", "findings", "payload",
                   "checks_before", "check_id", "attempts", "error"}
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"unknown state fields {sorted(bad)}")
        existing = self.get(patch_id, context)
        if existing is None:
            cols = ["patch_id", "context", "status", "first_seen", "updated", *fields]
            vals = [patch_id, context, status, now, now, *fields.values()]
            self.db.execute(f"INSERT INTO patches({','.join(cols)}) VALUES({','.join('?' * len(cols))})", vals)
        else:
            sets = ", ".join(f"{k}=?" for k in ["status", "updated", *fields])
            self.db.execute(f"UPDATE patches SET {sets} WHERE patch_id=? AND context=?",
                            [status, now, *fields.values(), patch_id, context])

    def counts(self, context: str) -> dict[str, int]:
        cur = self.db.execute("SELECT status, COUNT(*) FROM patches WHERE context=? GROUP BY status", (context,))
        return {str(s): int(n) for s, n in cur.fetchall()}

    # series ----------------------------------------------------------------
    def mark_series_done(self, series_id: int) -> None:
        if self.series_done(series_id):
            return  # no write, no fsync
        self.db.execute("INSERT OR IGNORE INTO series_done(series_id, seen) VALUES(?, ?)", (series_id, time.time()))

    def series_done(self, series_id: int) -> bool:
        return self.db.execute("SELECT 1 FROM series_done WHERE series_id=?", (series_id,)).fetchone() is not None
