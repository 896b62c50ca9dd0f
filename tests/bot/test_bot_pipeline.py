"""The bot with the real converter and the real check pipeline (skipped until they work)."""

from __future__ import annotations

from pathlib import Path

import botkit
import pwserver
import pytest

from qapilint.bot.client import PatchworkClient
from qapilint.bot.runner import Bot, BotConfig, default_checker, default_converter
from qapilint.bot.state import State
from qapilint.patch import Series
from qapilint.pipeline import CheckOptions

pw = pytest.fixture(botkit.serve_seed)


def _pipeline_or_skip(store: pwserver.Store) -> None:
    """Probe one fixture patch; skip with the reason while the pipeline is not wired up."""
    data = store.patch_json(store.patches[3011], detail=True)
    try:
        patch = default_converter(data, "probe")
    except (ImportError, AttributeError) as e:
        pytest.skip(f"qapilint.sources.patch_from_patchwork_json not available yet: {e}")
    pair = [default_converter(store.patch_json(store.patches[i], detail=True), "probe") for i in (3002, 3003)]
    try:
        default_checker(patch, CheckOptions(), None)
    except NotImplementedError:
        pytest.skip("qapilint.pipeline.check_patch raises NotImplementedError (pipeline not wired up yet)")
    except ImportError as e:
        pytest.skip(f"the check pipeline is incomplete: {e}")
    try:
        default_checker(pair[0], CheckOptions(), Series(patches=pair))
    except Exception as e:  # the pipeline is being wired up by someone else right now
        pytest.xfail(f"check_patch fails on a 2-patch series: {type(e).__name__}: {e}")


def test_real_pipeline_posts_one_check_per_qapi_patch(pw: pwserver.PWServer, tmp_path: Path) -> None:
    _pipeline_or_skip(pw.store)
    cfg = BotConfig(url=pw.url, project="qemu-devel", since=botkit.SINCE, lookback=0, series_wait=0)
    bot = Bot(cfg, PatchworkClient(pw.url, pwserver.TOKEN, backoff=0.01), State(str(tmp_path / "s.db")))
    stats = bot.poll_once()
    assert stats.failed == 0, stats.errors
    for pid in botkit.qapi_patch_ids(pw.store):
        checks = botkit.ours(pw.store, pid)
        assert len(checks) == 1, pid
        assert checks[0]["state"] in ("success", "warning", "fail")
    assert all(not botkit.ours(pw.store, pid) for pid in set(pw.store.patches) - botkit.qapi_patch_ids(pw.store))
