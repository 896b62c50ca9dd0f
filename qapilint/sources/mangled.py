"""Detecting input whose whitespace runs were collapsed (a diff scraped from an HTML page).

When a page's text is copied, every run of blanks becomes one space: code
indentation inside '+'/'-'/' ' lines shrinks to a single space, blank context
lines become empty, and some scrapers also trim the leading space of context
lines.  The line prefixes mostly survive, so the diff still parses; what is
lost is every indentation level.

The heuristic needs two things at once, so that ordinary diffs are never
flagged:

1. no body line anywhere has a run of two blanks or a tab — real code and
   QAPI schema text are indented by 2+ spaces, so a diff of any size has some;
2. positive evidence of collapsing: several lines indented by exactly one
   blank (what 2+ blanks turn into), or context lines that lost their prefix.

Diffs too small to judge (fewer than ``MIN_BODY`` body lines) are left alone.
A diffstat in the mail (``path | 12 +++--``) whose bars are not aligned adds
evidence for patches whose bodies are all flush left.
"""

from __future__ import annotations

import re

from qapilint.sources.tolerant import ScanStats

MIN_BODY = 8
_STAT_LINE = re.compile(r"^ (?P<path>\S+)(?P<gap> +)\| +\d+ ?[+-]*$")


def _diffstat_collapsed(text: str) -> bool | None:
    """True when a multi-file diffstat has unaligned bars; None without one."""
    rows = [m for m in map(_STAT_LINE.match, text.split("\n")) if m]
    if len(rows) < 2:
        return None
    widths = {len(m.group("path")) + len(m.group("gap")) for m in rows}
    lengths = {len(m.group("path")) for m in rows}
    # git pads names to one column; collapsed text leaves one blank after each.
    return len(widths) > 1 and len(lengths) > 1


def looks_collapsed(stats: ScanStats, message_text: str = "") -> bool:
    if stats.body_lines < MIN_BODY or stats.multi_ws > 0:
        return False
    evidence = stats.single_indent + stats.prefixless
    if evidence >= 2:
        return True
    return _diffstat_collapsed(message_text) is True
