"""Mail-level pieces shared by every reader: subject prefixes, commit message, trailers.

Subjects look like ``[PATCH v3 2/5] qapi: ...``, ``[RFC PATCH for-10.2 v2 1/3]``,
``[PULL V2 12/13]`` or, in patchwork's ``name``, ``[v3,19/51] ...`` (patchwork
strips the ``PATCH`` word and joins the rest with commas).  Several bracket
groups may follow each other (``[qemu-devel] [PATCH 1/2]``).
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.errors
import email.header
import email.utils
import re
from dataclasses import dataclass, field

# Numbers in subjects are versions and patch counts: a longer digit run is not
# one of them (and int() of thousands of digits is refused or slow).
MAX_DIGITS = 9
# An address header longer than this is no address (the stdlib parser
# recurses per nesting level and is superlinear in the length).
MAX_ADDRESS = 1024
# A date header longer than this is no date.
MAX_DATE = 256
# Dates outside these years are no patch's (and overflow datetime arithmetic).
MIN_YEAR, MAX_YEAR = 1970, 2999

_BRACKETS = re.compile(r"^\s*(?:(?:re|fwd?)\s*:\s*)*\[(?P<inner>[^\]]*)\]\s*", re.IGNORECASE)
_VERSION = re.compile(rf"^v(?P<n>\d{{1,{MAX_DIGITS}}})$", re.IGNORECASE)
_NUMBER = re.compile(rf"^(?P<k>\d{{1,{MAX_DIGITS}}})/(?P<n>\d{{1,{MAX_DIGITS}}})$")
_SURROGATES = re.compile("[\ud800-\udfff]")
# One message's header block: real ones (Received, DKIM, References of a long
# thread) stay within a few KiB; the stdlib parsers are superlinear beyond.
MAX_HEADER_BYTES = 64 * 1024
# What the stdlib feed parser takes as a header line; the first other line starts the body.
_FIELD_LINE = re.compile(r"^(?:From |[\041-\071\073-\176]*:|[\t ])")
# Charsets a mail may declare that are text encodings (not punycode, idna, *_escape, ...).
_CHARSET = re.compile(r"^(?:utf-|ascii|latin|iso8859|iso2022|cp\d|mac-|koi8|kz1048|ptcp154|euc|shift_jis|"
                      r"gb|big5|hz|johab|tis-620|hp-roman8)")
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


class HeaderError(ValueError):
    """A mail header no reader can use; each reader turns it into an InputError naming the input."""


def clean_text(text: str) -> str:
    """``text`` without lone surrogates (from JSON escapes or odd codecs), which no output can encode."""
    return _SURROGATES.sub("\ufffd", text) if _SURROGATES.search(text) else text


def text_codec(charset: str | None) -> str | None:
    """The codec for a declared mail charset, if it is a character set we decode with."""
    if not charset:
        return None
    try:
        name = codecs.lookup(charset.strip().lower()).name
    except (LookupError, ValueError):
        return None
    return name if _CHARSET.match(name) else None


def decode_bytes(raw: bytes, charset: str | None = None) -> str:
    """Bytes of a mail: the declared charset, else UTF-8, else latin-1 (every byte kept)."""
    for cs in (text_codec(charset), "utf-8"):
        if cs is None:
            continue
        try:
            return clean_text(raw.decode(cs))
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
    return raw.decode("latin-1")


def _decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded (a malformed one stays as written)."""
    if "=?" not in value:
        return value
    try:
        parts = email.header.decode_header(value)
    except (email.errors.HeaderParseError, ValueError, LookupError, IndexError):
        return value
    out = []
    for chunk, cs in parts:
        out.append(chunk if isinstance(chunk, str) else decode_bytes(chunk, cs))
    return "".join(out)


_FIELD_LINE_B = re.compile(rb"(?:From |[\041-\071\073-\176]*:|[\t ])")


def header_block(raw: bytes, limit: int = MAX_HEADER_BYTES) -> bytes | None:
    """The header lines at the start of a message, or None when they run past ``limit`` bytes."""
    pos = 0
    n = len(raw)
    while pos < n:
        end = raw.find(b"\n", pos, pos + limit + 1)
        if end < 0:
            end = n if n - pos <= limit else -1
        if end < 0 or end > limit:
            return None
        line = raw[pos:end]
        if not line.rstrip(b"\r") or not _FIELD_LINE_B.match(line):
            break
        pos = end + 1
    return raw[:pos]


def header_lists(head: str) -> dict[str, list[str]]:
    """A mail's header block -> lower-case field name: every value, in order, unfolded (not decoded).

    Linear in the block, which the caller bounds (MAX_HEADER_BYTES); stops
    where the stdlib parser stops (a blank line or a line that is no field),
    so the body the email package gives starts where these fields end.
    """
    fields: dict[str, list[list[str]]] = {}
    cur: list[str] | None = None
    for line in head.split("\n"):
        line = line.rstrip("\r")
        if not line or not _FIELD_LINE.match(line):
            break
        if line[0] in " \t":
            if cur is not None:
                cur.append(line)
            continue
        name, sep, value = line.partition(":")
        if not sep or line.startswith("From "):
            cur = None
            continue
        cur = [value]
        fields.setdefault(name.strip().lower(), []).append(cur)
    return {k: [clean_text(" ".join(" ".join(v).split())) for v in vs] for k, vs in fields.items()}


def header_fields(head: str) -> dict[str, str]:
    """Like :func:`header_lists`, the first value of each field only."""
    return {k: v[0] for k, v in header_lists(head).items()}


def decode_words(value: str) -> str:
    """A field value (from :func:`header_fields`) with its RFC 2047 encoded words decoded."""
    return clean_text(_decode_words(value))


def split_address(value: str, header: str = "From") -> tuple[str, str]:
    """('Name', 'mail@host') from an address header value; HeaderError when it is none."""
    if len(value) > MAX_ADDRESS:
        raise HeaderError(f"{header}: header longer than {MAX_ADDRESS} characters")
    try:
        name, addr = email.utils.parseaddr(value)
    except (RecursionError, IndexError, AttributeError, TypeError, ValueError):
        # The stdlib parser fails on unbalanced comments, groups and brackets.
        raise HeaderError(f"{header}: header is not an address") from None
    # Encoded words are decoded after the split: a decoded name may hold commas or brackets.
    return decode_words(name).strip().strip('"'), clean_text(addr)


def parse_date(value: str | None) -> dt.datetime | None:
    """An RFC 2822 date or an ISO date; naive ISO dates (patchwork's) are UTC.

    None for anything else, including dates outside MIN_YEAR..MAX_YEAR (far
    enough out to overflow date arithmetic further on).
    """
    if not value:
        return None
    value = value.strip()
    if len(value) > MAX_DATE:
        return None
    try:
        d = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        d = None
    if d is None:
        try:
            d = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except (ValueError, OverflowError):
            return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        return None
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
