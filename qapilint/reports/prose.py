"""Findings said the way a reviewer would say them in a reply ("This is new in 11.1, not 10.2.").

Rule messages are written for a terminal; a handful of common rules get a
conversational rewrite here, recognised from the message shape.  Anything
not recognised falls back to the message itself as a sentence, so a changed
message text degrades to plain wording, never to a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from qapilint.findings import Finding

_MISMATCH = re.compile(r"says (?P<found>\S+?), but this is new in (?P<exp>[0-9][0-9.]*)(?: \((?P<why>[^)]*)\))?")
_TYPE = re.compile(r"says '(?P<key>[^']+)': '(?P<said>[^']+)', but the diff declares '(?P<decl>[^']+)'")
_LACKS = re.compile(r"lacks '\(since (?P<ver>[^)]+)\)'")
_NO_SINCE = re.compile(r"expected 'Since: (?P<ver>[^']+)'")


def sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return text
    first = text.split(" ", 1)[0]
    # Identifiers (has_foo, 'name', @member) keep their spelling.
    if first.isalpha() and first.islower():
        text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _mismatch(f: Finding, expected: str | None) -> str | None:
    m = _MISMATCH.search(f.message)
    if not m:
        return None
    out = f"This is new in {m['exp']}, not {m['found']}."
    if m["why"]:
        out += " " + sentence(m["why"])
    return out


def _type(f: Finding, expected: str | None) -> str | None:
    m = _TYPE.search(f.message)
    if not m:
        return None
    return (f"The commit message says '{m['key']}' is '{m['said']}', but here it is "
            f"'{m['decl']}'. Which one is intended? Please make the two agree.")


def _member_missing(f: Finding, expected: str | None) -> str | None:
    m = _LACKS.search(f.message)
    ver = m["ver"] if m else expected
    if not ver:
        return None
    return f"This is added to a definition that already shipped, so its description needs '(since {ver})'."


def _since_missing(f: Finding, expected: str | None) -> str | None:
    m = _NO_SINCE.search(f.message)
    ver = m["ver"] if m else expected
    if not ver:
        return None
    return f"The doc comment needs a 'Since: {ver}' section."


def _redundant(f: Finding, expected: str | None) -> str | None:
    return "No need for a '(since ...)' note here: the whole definition is new, so its 'Since:' covers it."


_PHRASES: dict[str, Callable[[Finding, str | None], str | None]] = {
    "since-mismatch": _mismatch,
    "message-type-mismatch": _type,
    "since-member-missing": _member_missing,
    "since-missing": _since_missing,
    "since-redundant": _redundant,
}


def say(f: Finding, expected: str | None = None) -> str:
    """One short paragraph for ``f``."""
    phrase = _PHRASES.get(f.rule)
    text = phrase(f, expected) if phrase is not None else None
    return text if text is not None else sentence(f.message)
