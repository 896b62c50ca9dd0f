"""Tokens for the QAPI grammar, and QEMU's lexical error messages and positions.

The terminal patterns come from ``grammars/qapi.lark``; this module only
compiles them into one scanner (lark's own lexer costs about twice as much
per token) and reproduces what QEMU reports when no terminal matches.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import Any

from lark import Token
from lark.lexer import Lexer

# Terminals tried first when several could match at one place.
_FIRST = ("FLATOBJ", "FLATLIST")

_NEWLINE = re.compile(r"\n")
_STRAY_RUN = re.compile(r"[^\[\]{}:,\s']+")
_SPACES = re.compile(r"\s*")


class Source(str):
    """Schema text plus the offset where lexing starts (used to resume after an error)."""

    start: int = 0


class LexError(Exception):
    """No terminal matches at ``pos``: QEMU's message for that spot."""

    def __init__(self, pos: int, rule: str, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.rule = rule
        self.message = message


class QapiLexer(Lexer):
    """A lark lexer built from the grammar's terminals: one regex, one match per token."""

    def __init__(self, lexer_conf: Any) -> None:
        ignore = set(lexer_conf.ignore)
        terms = [t for t in lexer_conf.terminals if t.name not in ignore]
        terms.sort(key=lambda t: (t.name not in _FIRST, t.name))
        gaps = [t.pattern.to_regexp() for t in lexer_conf.terminals if t.name in ignore]
        alts = "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terms)
        self._gap = re.compile("|".join(gaps))
        self._rx = re.compile(f"(?:{'|'.join(gaps)})(?:{alts})")

    def lex(self, text: str, *_: object) -> Iterator[Token]:  # type: ignore[override]
        pos = getattr(text, "start", 0)
        match = self._rx.match
        new = Token
        while True:
            m = match(text, pos)
            if m is None:
                gap = self._gap.match(text, pos)
                at = gap.end() if gap is not None else pos
                if at >= len(text):
                    return
                raise lex_error(text, at)
            kind = m.lastgroup
            assert kind is not None
            yield new(kind, m.group(kind), m.start(kind))
            pos = m.end()

    def skip_gap(self, text: str, pos: int) -> int:
        gap = self._gap.match(text, pos)
        return gap.end() if gap is not None else pos


def lex_error(text: str, pos: int) -> LexError:
    """QEMU's complaint about the character at ``pos`` (which starts no token)."""
    if text[pos] != "'":
        run = _STRAY_RUN.match(text, pos)
        stray = run.group(0) if run is not None else text[pos]
        return LexError(pos, "lex-stray", f"stray '{stray}'")
    i = pos + 1
    esc = False
    n = len(text)
    while True:
        # QEMU appends a newline to a file that lacks one.
        ch = text[i] if i < n else "\n"
        i += 1
        if ch == "\n":
            return LexError(pos, "lex-string-unterminated", "missing terminating \"'\"")
        if esc:
            if ch != "\\":
                return LexError(pos, "lex-string-escape", f"unknown escape \\{ch}")
            esc = False
        elif ch == "\\":
            esc = True
            continue
        elif ch == "'":
            # Cannot happen for text the STRING pattern rejected; stay safe.
            return LexError(pos, "lex-stray", "stray \"'\"")
        if not 32 <= ord(ch) < 127:
            return LexError(pos, "lex-string-char", "funny character in string")


def eof_pos(text: str) -> int:
    """Where QEMU's end-of-file token sits: the final newline (added if missing)."""
    if text.endswith("\n"):
        return len(text) - 1
    return len(text)


class _Lines:
    """Where the lines of the last text asked about start (one file's errors share it)."""

    text: str | None = None
    starts: list[int] = []


def line_col(text: str, pos: int) -> tuple[int, int]:
    """1-based line and QEMU's column for ``pos`` (a tab adds ((col + 7) mod 8) + 1).

    The line comes from an index of the text's line starts, built once per
    text: counting newlines from the start for each error made a file with
    an error per definition quadratic.
    """
    if _Lines.text is not text:
        _Lines.text = text
        _Lines.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
    line = bisect.bisect_right(_Lines.starts, pos)
    line_start = _Lines.starts[line - 1]
    col = 1
    for ch in text[line_start:pos]:
        col = (col + 7) % 8 + 1 if ch == "\t" else col + 1
    return line, col


def forget_text() -> None:
    """Drop the line index (and the reference to the text it holds)."""
    _Lines.text, _Lines.starts = None, []


def next_token_pos(text: str, pos: int) -> int:
    """First non-whitespace position at or after ``pos`` (EOF position if none)."""
    m = _SPACES.match(text, pos)
    end = m.end() if m is not None else pos
    return end if end < len(text) else eof_pos(text)
