"""Server answers the fuzzer found crashing the bot: deep JSON, lone surrogates, ids past SQLite's integers.

Each one is sent in place of a real answer on one route; the poll must finish,
and the patches the answer did not touch must still get their checks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pwserver
import pytest
from botkit import make_bot, ours, qapi_patch_ids

Edit = Callable[[Any], bytes]


class Rigged(pwserver.Handler):
    edits: list[tuple[str, Edit]] = []

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None) -> None:
        for pattern, edit in self.edits:
            if status == 200 and raw is None and re.search(pattern, self.path):
                raw = edit(body)
        super()._send(status, body, headers, raw)


@pytest.fixture
def pw() -> Iterator[pwserver.PWServer]:
    srv = pwserver.PWServer(pwserver.Store.from_seed())
    srv.RequestHandlerClass = Rigged
    srv.start()
    try:
        yield srv
    finally:
        Rigged.edits = []
        srv.stop()


def deep(body: Any) -> bytes:
    return b"[" * 100_000 + b"]" * 100_000


def surrogates(body: Any) -> bytes:
    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return v + "\ud800"
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        return v
    return json.dumps(walk(body)).encode()


def huge_ids(body: Any) -> bytes:
    text = json.dumps(body)
    return re.sub(r'"id": \d+', '"id": ' + "9" * 30, text).encode()


def text_ids(body: Any) -> bytes:
    return re.sub(r'"id": (\d+)', r'"id": "\1²"', json.dumps(body)).encode()


@pytest.mark.parametrize("edit", [deep, surrogates, huge_ids, text_ids])
@pytest.mark.parametrize("route", [r"^/api/patches/3002/$", r"^/api/events/", r"^/api/series/7001/",
                                   r"^/api/patches/\?"])
def test_bot_survives_a_hostile_answer(pw: pwserver.PWServer, tmp_path: Path, edit: Edit, route: str) -> None:
    Rigged.edits = [(route, edit)]
    bot = make_bot(pw, tmp_path / "s.db")
    bot.poll_once()
    if route == r"^/api/patches/3002/$":
        # Only that patch is affected: the others are checked.
        others = qapi_patch_ids(pw.store) - {3002, 3007} - {p for p, x in pw.store.patches.items()
                                                           if x.get("series") in (7001, 7005)}
        assert others and all(len(ours(pw.store, pid)) == 1 for pid in others)
    bot.poll_once()   # and the next cycle too
