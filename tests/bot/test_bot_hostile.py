"""The bot with the real converter and pipeline against hostile patches (issue 11).

Patches name a canary beside the bot's QEMU checkout through a relative,
absolute or symlinked include, /dev/zero, a FIFO and a '..' diff path.  The
canary must show in no posted check, no report file, not the state database
and not the log; the one harmless patch is checked as usual.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
from pathlib import Path
from typing import Any

import pwserver
import pytest

from qapilint.bot.client import PatchworkClient
from qapilint.bot.runner import Bot, BotConfig
from qapilint.bot.state import State

CANARY = "CANARY-bot-0b9e44-never-post-me"
ROOT = "# -*- Mode: Python -*-\n\n{ 'include': 'common.json' }\n"
COMMON = "##\n# @Colour:\n#\n# Since: 10.0\n##\n{ 'enum': 'Colour', 'data': [ 'red' ] }\n"


def _include_diff(name: str) -> str:
    return ("diff --git a/qapi/qapi-schema.json b/qapi/qapi-schema.json\n"
            "--- a/qapi/qapi-schema.json\n+++ b/qapi/qapi-schema.json\n"
            "@@ -1,3 +1,4 @@\n # -*- Mode: Python -*-\n \n { 'include': 'common.json' }\n"
            f"+{{ 'include': '{name}' }}\n")


def _edit_diff(path: str) -> str:
    return (f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"
            "@@ -1,0 +2,1 @@\n+{ 'enum': 'Extra', 'data': [ 'a' ] }\n")


HARMLESS = ("diff --git a/qapi/common.json b/qapi/common.json\n--- a/qapi/common.json\n+++ b/qapi/common.json\n"
            "@@ -3,4 +3,4 @@\n #\n # Since: 10.0\n ##\n-{ 'enum': 'Colour', 'data': [ 'red' ] }\n"
            "+{ 'enum': 'Colour', 'data': [ 'red', 'blue' ] }\n")


@pytest.fixture
def qemu(tmp_path: Path) -> Path:
    """A git checkout with a symlink out of it, an untracked FIFO, and the canary beside it."""
    (tmp_path / "canary").write_text(CANARY + "\n")
    (tmp_path / "canary.json").write_text(CANARY + "\n")
    repo = tmp_path / "qemu"
    (repo / "qapi").mkdir(parents=True)
    (repo / "VERSION").write_text("10.2.50\n")
    (repo / "qapi" / "qapi-schema.json").write_text(ROOT)
    (repo / "qapi" / "common.json").write_text(COMMON)
    (repo / "qapi" / "link.json").symlink_to("../../canary")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": "2026-03-01T08:00:00+0000",
           "GIT_COMMITTER_DATE": "2026-03-01T08:00:00+0000"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)
    os.mkfifo(repo / "qapi" / "fifo.json")
    return repo


def _seed(tmp_path: Path) -> dict[str, Any]:
    diffs = {
        4001: _include_diff("../../canary"),
        4002: _include_diff(str(tmp_path / "canary")),
        4003: _include_diff("link.json"),
        4004: _edit_diff("qapi/../../canary.json"),
        4005: _include_diff("/dev/zero"),
        4006: _include_diff("fifo.json"),
        4007: _edit_diff("qapi/link.json"),
        4008: HARMLESS,
    }
    patches = [{"id": pid, "series": None, "date": f"2026-03-05T10:00:0{i}", "prefixes": [],
                "title": f"qapi: patch {pid}", "submitter": 1, "msgid": f"<hostile-{pid}@example.org>",
                "content": "A change.\n\nSigned-off-by: Eve Example <eve@example.org>\n", "diff": diff}
               for i, (pid, diff) in enumerate(diffs.items())]
    return {"project": {"id": 14, "name": "QEMU Development", "link_name": "qemu-devel",
                        "list_id": "qemu-devel.nongnu.org", "list_email": "qemu-devel@nongnu.org"},
            "people": [{"id": 1, "name": "Eve Example", "email": "eve@example.org"}], "series": [],
            "patches": patches}


def test_hostile_patches_post_no_canary(tmp_path: Path, qemu: Path, caplog: pytest.LogCaptureFixture) -> None:
    srv = pwserver.PWServer(pwserver.Store.from_seed(_seed(tmp_path))).start()
    db = tmp_path / "state.sqlite"
    reports = tmp_path / "reports"
    try:
        cfg = BotConfig(url=srv.url, project="qemu-devel", since="2026-03-01T00:00:00", lookback=0,
                        tree=str(qemu), report_dir=str(reports), report_url="https://ci.example.org/q",
                        check_timeout=60.0)
        state = State(str(db))
        with caplog.at_level(logging.INFO, logger="qapilint.bot"):
            stats = Bot(cfg, PatchworkClient(srv.url, pwserver.TOKEN, backoff=0.01), state).poll_once()
        state.close()
        store = srv.store
    finally:
        srv.stop()
    assert stats.failed == 0, stats.errors
    checks = {pid: c for pid, cs in store.checks.items() for c in cs}
    assert sorted(checks) == list(range(4001, 4009))
    posted = json.dumps(checks)
    assert CANARY not in posted
    # Each hostile patch got the one clear finding as its check's headline.
    for pid in range(4001, 4008):
        assert checks[pid]["state"] == "fail", checks[pid]
    for pid in (4001, 4002, 4005):
        assert "include-outside-tree" in checks[pid]["description"], checks[pid]
    assert "path-outside-tree" in checks[4004]["description"]
    files = sorted(reports.iterdir())
    assert len(files) == 8 and all(f.suffix == ".html" for f in files)
    for f in [*files, *tmp_path.glob("state.sqlite*")]:
        assert CANARY.encode() not in f.read_bytes(), f
    assert CANARY not in caplog.text
