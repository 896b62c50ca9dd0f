"""Output hygiene: what a hostile patch put into its text must not act on a terminal, a JSON parser or a mailer.

A patch comes from a public list.  Its lines (quoted in findings, notes and
replies) may hold terminal escape sequences, C1 controls, CR/LF meant to
start a header, or lone surrogates (from a patchwork JSON ``"\\ud800"``) that no
UTF-8 writer can encode.  Every renderer passes its text through here.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls but tab and newline, DEL, and C1 controls (U+0080-U+009F; U+009B is a one-character CSI);
# also the Unicode line and paragraph separators (a line break to many viewers) and the bidirectional
# embedding, override and isolate controls (they reorder what a terminal shows, "Trojan Source").
_UNICODE_CONTROLS = "\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_UNICODE_CONTROLS}]")
_CONTROLS_ALL = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_UNICODE_CONTROLS}]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
# Inside JSON text, only strings can hold these (json.dumps escapes C0 itself); escaped, they read back the same.
_JSON_UNSAFE = re.compile(f"[\\x7f-\\x9f{_UNICODE_CONTROLS}]")


def _escape(m: re.Match[str]) -> str:
    o = ord(m.group())
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def scrub(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD, so that it encodes as UTF-8."""
    return _SURROGATES.sub("\ufffd", text)


def for_terminal(text: str, keep_newlines: bool = False) -> str:
    r"""``text`` with control characters shown as ``\x1b`` or ``\u202e`` (tab kept; newline too when asked)."""
    pattern = _CONTROLS if keep_newlines else _CONTROLS_ALL
    return scrub(pattern.sub(lambda m: "\t" if m.group() == "\t" else _escape(m), text))


def one_line(text: str) -> str:
    """For a mail header or a one-line field: every control character and line break dropped."""
    return " ".join(scrub(_CONTROLS_ALL.sub(" ", text)).split())


def plain(value: object) -> object:
    """A value made of JSON types: schema values (str, bool, dict, list) as they are, anything else as text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


def dumps(obj: Any) -> str:
    """JSON text that stays valid and inert: UTF-8 as such, but C1 controls, DEL, line separators and
    bidirectional controls escaped."""
    text = json.dumps(obj, indent=2, ensure_ascii=False)
    return scrub(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)) + "\n"
