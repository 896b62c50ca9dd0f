"""Telling the input kind from its content (the file name is never trusted alone)."""

from __future__ import annotations

import re

from qapilint.sources.mbox import looks_like_mail

_DIFF_LINE = re.compile(rb"^(diff --git |diff -|Index: |@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@)", re.MULTILINE)
_HEADER_PAIR = re.compile(rb"^--- \S.*\n\+\+\+ \S", re.MULTILINE)

KINDS = ("patchwork", "mbox", "diff")


def sniff(data: bytes) -> str | None:
    """'patchwork', 'mbox', 'diff' or None."""
    head = data[:1 << 20]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return "patchwork"
    if looks_like_mail(stripped):
        return "mbox"
    if _DIFF_LINE.search(head) or _HEADER_PAIR.search(head.replace(b"\r\n", b"\n")):
        return "diff"
    return None
