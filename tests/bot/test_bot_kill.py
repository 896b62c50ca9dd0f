"""Exactly once under kill -9: a bot killed at random points and restarted posts each check once."""

from __future__ import annotations

import os
import random

import killrun
import pytest


def test_kill9_at_random_points_then_restart(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small server-side sleeps widen the windows where a kill hurts most
    # (between storing a check and answering the POST).
    monkeypatch.setenv("PWSERVER_DELAY", "0.003")
    monkeypatch.setenv("PWSERVER_POST_DELAY", "0.04")
    runs = int(os.environ.get("QAPILINT_KILL_RUNS", "20"))
    seed = int(os.environ.get("QAPILINT_KILL_SEED", str(random.randrange(1 << 30))))
    fig = killrun.run_trials(runs, random.Random(seed))
    detail = f"seed={seed} {fig}"
    assert fig.runs == runs, detail
    assert fig.kills > 0, detail
    assert not fig.notes, detail
    assert (fig.duplicates, fig.misses, fig.unwanted) == (0, 0, 0), detail
