"""A one-line progress bar for bulk runs, drawn on stderr only when a person is watching.

Reports go to stdout and are often piped into other tools, so the bar never
touches stdout; it is also left out when stderr is a file or a pipe (CI
logs, ``2>err.txt``) and for a single input, where it would only flicker.
"""

from __future__ import annotations

import shutil
import sys
import time
from types import TracebackType
from typing import TextIO

MIN_INPUTS = 2
REDRAW_SECONDS = 0.1   # a redraw per finished input would flood a slow terminal


def wanted(total: int, stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return total >= MIN_INPUTS and callable(isatty) and bool(isatty())


class Progress:
    """``with Progress(n) as bar: ... bar.advance()``; a no-op when not ``wanted``."""

    def __init__(self, total: int, stream: TextIO | None = None, label: str = "checking",
                 enabled: bool | None = None) -> None:
        self.total = total
        self.done = 0
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = wanted(total, self.stream) if enabled is None else enabled
        self._start = time.monotonic()
        self._drawn = 0.0
        self._width = 0

    def __enter__(self) -> Progress:
        self._draw(force=True)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def advance(self, n: int = 1) -> None:
        self.done = min(self.done + n, self.total)
        self._draw(force=self.done == self.total)

    def line(self, columns: int) -> str:
        """The bar text for ``columns`` terminal columns: label, bar, count, rate."""
        elapsed = max(time.monotonic() - self._start, 1e-9)
        rate = self.done / elapsed
        tail = f" {self.done}/{self.total}" + (f" {rate:.1f}/s" if self.done else "")
        room = columns - len(self.label) - len(tail) - 4
        if room < 10:
            return f"{self.label}{tail}"[: max(columns - 1, 0)]
        filled = room * self.done // max(self.total, 1)
        return f"{self.label} [{'#' * filled}{'.' * (room - filled)}]{tail}"

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._drawn < REDRAW_SECONDS:
            return
        self._drawn = now
        text = self.line(shutil.get_terminal_size((80, 24)).columns)
        pad = " " * max(self._width - len(text), 0)
        self._width = len(text)
        self.stream.write(f"\r{text}{pad}")
        self.stream.flush()

    def close(self) -> None:
        """Erase the bar so later stderr lines (errors, the summary) start on a clean line."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
