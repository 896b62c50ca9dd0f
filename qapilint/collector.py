"""When the cyclic garbage collector runs, in one place.

qapilint builds many long-lived objects (whole schemas, their definitions
and models, rebuilt hunks, unpickled reports) and leaves few cycles while it
does: the collector would rescan them again and again (a third of a check,
three times the work of a large rebuild) and find little to free.  Those
stretches run with it paused; a long series collects as it goes
(:class:`SeriesCollector`), since each patch leaves its schemas behind.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, and back as it was afterwards (nested pauses are free)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # Everything made meanwhile counts as new: the first allocation after
            # enable() would scan it all.  Passing it through the permanent
            # generation files it with the oldest one, unscanned.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


class SeriesCollector:
    """Collect the cycles a long series leaves behind while the collector is paused.

    Each patch's schemas, models and definitions die with cycles in them:
    left to the end, a 200-patch series with a tree held 315 MB instead of
    125 MB.  A young collection every 4 patches is cheap (it scans what those
    patches made); a full one scans everything kept, reports included, so it
    runs only when the time since the last one is 20 times what that one
    cost: at most about a twentieth of the run, however long the series.
    """

    def __init__(self) -> None:
        self.patches = 0
        self.full_at = time.perf_counter()
        self.full_cost = 0.0

    def after_patch(self) -> None:
        self.patches += 1
        now = time.perf_counter()
        if self.patches >= 4 and now - self.full_at >= 20 * self.full_cost:
            gc.collect()
            self.full_at = time.perf_counter()
            self.full_cost = self.full_at - now
        elif self.patches % 4 == 0:
            gc.collect(1)
