"""Mail-level pieces shared by every reader: subject prefixes, commit message, trailers.

Subjects look like ``[PATCH v3 2/5] qapi: ...``, ``[RFC PATCH for-10.2 v2 1/3]``,
``[PULL V2 12/13]`` or, in patchwork's ``name``, ``[v3,19/51] ...`` (patchwork
strips the ``PATCH`` word and joins the rest with commas).  Several bracket
groups may follow each other (``[qemu-devel] [PATCH 1/2]``).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass, field

_BRACKETS = re.compile(r"^\s*(?:(?:re|fwd?)\s*:\s*)*\[(?P<inner>[^\]]*)\]\s*", re.IGNORECASE)
_VERSION = re.compile(r"^v(?P<n>\d+)$", re.IGNORECASE)
_NUMBER = re.compile(r"^(?P<k>\d+)/(?P<n>\d+)$")
# 'Signed-off-by: Name <mail>' and friends; a token, a colon, a value.
_TRAILER = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]):\s+(?P<value>\S.*)$")
_BASE_COMMIT = re.compile(r"^base-commit:\s*(?P<sha>[0-9a-f]{7,64})\s*$", re.MULTILINE)
# Keys seen in the wild that look like trailers but are not (the first body line
# of a mail may be 'From:' or 'Date:' pseudo-headers).
_NOT_TRAILERS = {"http", "https"}


@dataclass
class Subject:
    subject: str
    title: str
    prefixes: list[str] = field(default_factory=list)
    version: int = 1
    number: int | None = None
    total: int | None = None

    @property
    def is_cover(self) -> bool:
        return self.number == 0 and self.total is not None


def _split_words(inner: str) -> list[str]:
    # patchwork's name joins prefixes with commas: '[v3,19/51]'.  A version
    # written 'v10 (RESEND)' keeps its parenthesised words as separate prefixes.
    words = re.split(r"[\s,]+", inner.strip())
    return [w for w in words if w]


def parse_subject(subject: str) -> Subject:
    """Split ``[PATCH v2 3/5] title`` into prefixes, version, k/n and title."""
    subject = " ".join(subject.split())
    rest = subject
    prefixes: list[str] = []
    while True:
        m = _BRACKETS.match(rest)
        if m is None:
            break
        prefixes.extend(_split_words(m.group("inner")))
        rest = rest[m.end():]
    out = Subject(subject=subject, title=rest.strip(), prefixes=prefixes)
    for word in prefixes:
        v = _VERSION.match(word)
        if v:
            out.version = int(v.group("n"))
            continue
        n = _NUMBER.match(word)
        if n:
            out.number, out.total = int(n.group("k")), int(n.group("n"))
    return out


def split_address(value: str) -> tuple[str, str]:
    """('Name', 'mail@host') from an address header value."""
    name, addr = email.utils.parseaddr(value)
    return name.strip().strip('"'), addr


def parse_date(value: str | None) -> dt.datetime | None:
    """An RFC 2822 date or an ISO date; naive ISO dates (patchwork's) are UTC."""
    if not value:
        return None
    value = value.strip()
    try:
        d = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        d = None
    if d is None:
        try:
            d = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    return d


def strip_pseudo_headers(body: str) -> str:
    """Drop a leading 'From:'/'Date:'/'Subject:' block (git send-email on behalf of someone)."""
    lines = body.split("\n")
    i = 0
    seen = False
    while i < len(lines) and re.match(r"^(From|Date|Subject):\s", lines[i]):
        seen = True
        i += 1
    if not seen:
        return body
    if i < len(lines) and lines[i].strip() == "":
        i += 1
    return "\n".join(lines[i:])


def pseudo_from(body: str) -> tuple[str, str] | None:
    """The author named by a leading 'From:' pseudo-header, if any."""
    m = re.match(r"^From:\s*(?P<v>.+)$", body, re.MULTILINE)
    if m is None or m.start() != 0:
        return None
    return split_address(m.group("v"))


def split_message(body: str) -> tuple[str, str]:
    """(commit message, text after the '---' separator) of a mail body without its diff."""
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if line.rstrip() == "---":
            return "\n".join(lines[:i]).strip("\n"), "\n".join(lines[i + 1:])
    return body.strip("\n"), ""


def trailers(message: str) -> list[tuple[str, str]]:
    """Trailers of the last paragraph of a commit message ('Signed-off-by', 'Reviewed-by', ...).

    Like git interpret-trailers, the last paragraph counts when most of its
    lines are trailers; '[name: note]' lines between trailers are allowed.
    """
    paras = re.split(r"\n\s*\n", message.strip("\n"))
    if not paras:
        return []
    last = paras[-1].split("\n")
    found: list[tuple[str, str]] = []
    other = 0
    for line in last:
        m = _TRAILER.match(line.strip())
        if m and m.group("key").lower() not in _NOT_TRAILERS:
            found.append((m.group("key"), m.group("value").strip()))
        elif line.startswith(("[", " ", "\t")):
            continue
        else:
            other += 1
    if not found or other > len(found):
        return []
    return found


def base_commit(text: str) -> str | None:
    m = _BASE_COMMIT.search(text)
    return m.group("sha") if m else None
