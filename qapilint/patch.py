"""The Patch / Series model every input format is turned into."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

LineKind = Literal[" ", "+", "-"]
FileStatus = Literal["modified", "added", "deleted", "renamed", "binary"]


@dataclass
class HunkLine:
    kind: LineKind
    text: str                  # without the leading kind char and without the newline
    patch_line: int            # 1-based line in the patch text (the diff as given)
    old_no: int | None = None  # line number in the pre-image file
    new_no: int | None = None  # line number in the post-image file


@dataclass
class Hunk:
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    section: str               # text after the second '@@' (function context)
    lines: list[HunkLine] = field(default_factory=list)
    patch_line: int = 0        # line of the '@@' header in the patch text

    def old_text(self) -> list[str]:
        return [ln.text for ln in self.lines if ln.kind != "+"]

    def new_text(self) -> list[str]:
        return [ln.text for ln in self.lines if ln.kind != "-"]


@dataclass
class FileDiff:
    old_path: str | None       # None for a new file ('/dev/null'); without the a/ prefix
    new_path: str | None       # None for a deleted file
    status: FileStatus = "modified"
    hunks: list[Hunk] = field(default_factory=list)
    patch_line: int = 0        # line of 'diff --git' (or '---') in the patch text

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""


@dataclass
class Patch:
    """One patch (one mail / one patchwork patch / one commit / one plain diff)."""

    id: str                                # patchwork id, Message-ID, commit id, or file name
    subject: str = ""                      # subject as sent, prefixes included
    title: str = ""                        # subject without [PATCH ...] prefixes
    prefixes: list[str] = field(default_factory=list)   # e.g. ['PATCH', 'v2', '3/5']
    version: int = 1                       # vN
    number: int | None = None              # k of k/n
    total: int | None = None               # n of k/n
    author: str = ""
    email: str = ""
    date: dt.datetime | None = None
    msgid: str | None = None               # with angle brackets, as in the header
    in_reply_to: str | None = None
    to: list[str] = field(default_factory=list)        # To: header values of the mail, as sent
    cc: list[str] = field(default_factory=list)        # Cc: header values (+ the sender, when not the author)
    series_id: str | None = None
    message: str = ""                      # commit message body (above '---'), no trailers removed
    trailers: list[tuple[str, str]] = field(default_factory=list)
    base_commit: str | None = None
    diff: str = ""                         # the unified diff text, as given
    diff_offset: int = 0                   # line of the diff's first line in the whole input
    files: list[FileDiff] = field(default_factory=list)
    source: str = ""                       # where it came from (path, URL)
    whitespace_collapsed: bool = False     # input had whitespace runs collapsed (HTML scrape)
    notes: list[str] = field(default_factory=list)     # input notes to report


@dataclass
class Series:
    """Patches read from one input (or fetched as one patchwork series)."""

    patches: list[Patch] = field(default_factory=list)
    cover: Patch | None = None             # cover letter (0/n), kept as context
    id: str | None = None
    version: int = 1
    base_commit: str | None = None
    received_all: bool | None = None
    source: str = ""
