"""Shared pieces of the bot tests: a running test server, a bot wired to it, a CLI runner."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botfakes
import pwserver

from qapilint.bot.client import PatchworkClient
from qapilint.bot.runner import Bot, BotConfig
from qapilint.bot.state import State

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SINCE = "2026-03-01T00:00:00"


def serve_seed() -> Iterator[pwserver.PWServer]:
    """The test server seeded with the fixtures (each test module wraps it as its ``pw`` fixture)."""
    srv = pwserver.PWServer(pwserver.Store.from_seed()).start()
    try:
        yield srv
    finally:
        srv.stop()


def make_bot(srv: pwserver.PWServer, db: Path, **cfg: Any) -> Bot:
    out = cfg.pop("out", io.StringIO())
    client_kw = {k: cfg.pop(k) for k in ("timeout", "retries", "backoff", "deadline") if k in cfg}
    client_kw.setdefault("timeout", (2.0, 2.0))
    client_kw.setdefault("backoff", 0.01)
    token = cfg.pop("token", pwserver.TOKEN)
    config = BotConfig(url=srv.url, project="qemu-devel", since=cfg.pop("since", SINCE),
                       lookback=cfg.pop("lookback", 0), **cfg)
    return Bot(config, PatchworkClient(srv.url, token, **client_kw), State(str(db)),
               checker=botfakes.fake_check, converter=botfakes.fake_convert, out=out)


def qapi_patch_ids(store: pwserver.Store) -> set[int]:
    from qapilint.bot.scope import touches_qapi

    return {pid for pid, p in store.patches.items() if touches_qapi(p["diff"])}


def ours(store: pwserver.Store, pid: int, context: str = "qapilint") -> list[dict[str, Any]]:
    return [c for c in store.checks.get(pid, []) if c["context"] == context]


def cli(srv_url: str, db: Path, token_file: Path | None, *extra: str, timeout: float = 60,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "qapilint", "bot", "--patchwork", srv_url, "--project", "qemu-devel",
            "--state", str(db), "--since", SINCE, "--lookback", "0", "--backoff", "0.01", "--timeout", "2",
            "--checker", "botfakes:fake_check", "--converter", "botfakes:fake_convert", *extra]
    if token_file is not None:
        args += ["--token-file", str(token_file)]
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=bot_env(env), cwd=str(REPO))


def bot_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra or {})
    return env


def token_file(tmp_path: Path, token: str = pwserver.TOKEN) -> Path:
    p = tmp_path / "token"
    p.write_text(token + "\n")
    p.chmod(0o600)
    return p
