"""mbox files, ``git format-patch`` output and single mails -> Series.

Messages are split on mbox 'From ' separator lines that carry a date
(``From <sha> Mon Sep 17 00:00:00 2001`` or ``From addr Thu Jan  1 ...``), so
that a commit message line starting with 'From ' (git does not escape it)
does not cut a patch in two.  This is the one place mail is read: the
header block (at most ``MAX_HEADER_BYTES``) is read by
``message.header_lists`` in linear time; the stdlib email package (legacy
policy, which does not parse header structure) only takes the body apart,
and any failure of it ends as an InputError naming the message.  Bodies are
decoded by their transfer encoding and declared charset, falling back to
UTF-8 and then latin-1.

Line numbers: for a message sent as 7bit/8bit text, ``patch_line`` is the line
in the input file.  For quoted-printable or base64 bodies the decoded text has
no line-for-line match with the file; there, lines count from the first body
line of that message in the decoded text (still offset by the message start).
"""

from __future__ import annotations

import binascii
import email
import email.errors
import email.policy
import re
from email.message import Message

from qapilint.errors import InputError
from qapilint.patch import Patch, Series
from qapilint.sources.common import set_diff, set_message, set_subject
from qapilint.sources.message import (
    MAX_HEADER_BYTES,
    HeaderError,
    decode_bytes,
    decode_words,
    header_block,
    header_lists,
    parse_date,
    pseudo_from,
    split_address,
    strip_pseudo_headers,
)

# What the stdlib email package raises on input it cannot take apart.
_EMAIL_FAILURES = (email.errors.MessageError, binascii.Error, IndexError, KeyError, AttributeError,
                   TypeError, ValueError, LookupError, RecursionError, OverflowError, UnicodeError)

_FROM_LINE = re.compile(
    rb"^From \S+ +(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? +[A-Z][a-z]{2} +\d{1,2} +\d{1,2}:\d\d(?::\d\d)?"
    rb"(?: +[A-Z+-][A-Z0-9]*)? +\d{4}\s*$")
_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]")
_DIFF_START = re.compile(r"^(diff --git |Index: |diff -)")


def looks_like_mail(data: bytes) -> bool:
    head = data.replace(b"\r\n", b"\n").lstrip(b"\n")[:4096]
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    if _FROM_LINE.match(first):
        return True
    # A bare mail: a block of headers (with one we know) then a blank line.
    block = head.split(b"\n\n", 1)[0]
    lines = [ln for ln in block.split(b"\n") if ln and not ln[:1].isspace()]
    known = (b"subject:", b"from:", b"message-id:", b"date:")
    return bool(lines) and all(_HEADER_LINE.match(ln) for ln in lines) \
        and any(ln.lower().startswith(known) for ln in lines)


def split_mbox(data: bytes) -> list[tuple[int, bytes, str | None]]:
    """(lines before the message, message bytes without its 'From ' line, commit id) per message.

    The commit id is the one ``git format-patch`` writes on the 'From ' line.
    """
    lines = data.split(b"\n")
    starts = [i for i, ln in enumerate(lines) if ln.startswith(b"From ") and _FROM_LINE.match(ln.rstrip(b"\r"))]
    if not starts:
        first = next((i for i, ln in enumerate(lines) if ln.strip()), 0)
        return [(first, b"\n".join(lines[first:]), None)]
    out = []
    for k, s in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        sha = lines[s].split(b" ", 2)[1].decode("ascii", "replace")
        commit = sha if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", sha) and sha.strip("0") else None
        out.append((s + 1, b"\n".join(lines[s + 1:end]), commit))
    return out


def _decode(part: Message) -> str:
    """The part's text, by its transfer encoding and charset (then UTF-8, then latin-1)."""
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    return decode_bytes(raw, part.get_content_charset()).replace("\r\n", "\n")


def _body(msg: Message) -> str:
    """Message text plus any patch attachments, joined."""
    if not msg.is_multipart():
        return _decode(msg)
    texts: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        name = part.get_filename() or ""
        if ctype.startswith("text/") or name.endswith((".patch", ".diff")):
            texts.append(_decode(part))
    return "\n".join(texts)


def _find_diff(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if _DIFF_START.match(line):
            return i
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            return i
    return None


def _cut_signature(lines: list[str]) -> list[str]:
    """Drop a trailing '-- ' mail signature (git's version line)."""
    for i in range(len(lines) - 1, max(len(lines) - 8, -1), -1):
        if lines[i] == "-- " and all(ln[:1] not in ("+", "-", " ", "@") or not ln.strip()
                                     for ln in lines[i + 1:]):
            return lines[:i]
    return lines


def message_body(raw: bytes) -> str:
    """The text of one message's body (and its patch attachments); the email package's failures propagate."""
    # The legacy policy leaves header values as text: the fields qapilint
    # reads come from header_lists, never from the package's header parsers.
    return _body(email.message_from_bytes(raw, policy=email.policy.compat32))


def patch_from_message(lists: dict[str, list[str]], body: str, where: str, body_offset: int, index: int) -> Patch:
    """One mail (``header_lists`` of its headers, its body text) as a Patch.

    ``body_offset`` = input lines before the message body.  Raises
    HeaderError for an address header that is no address.
    """
    fields = {k: v[0] for k, v in lists.items()}
    msgid = fields.get("message-id") or None
    patch = Patch(id=msgid or f"{where}#{index + 1}", source=where, msgid=msgid)
    set_subject(patch, decode_words(fields.get("subject", "")))
    patch.author, patch.email = split_address(fields.get("from", ""))
    patch.date = parse_date(fields.get("date"))
    patch.in_reply_to = fields.get("in-reply-to") or None
    # Raw values: the recipients are only parsed (strictly) when a reply is written.
    patch.to = list(lists.get("to", []))
    patch.cc = list(lists.get("cc", []))
    pf = pseudo_from(body)
    if pf and pf[1]:
        patch.cc += lists.get("from", [])  # sent on the author's behalf: the sender is in the thread
        patch.author, patch.email = pf
        m = re.search(r"^Date:\s*(.+)$", body.split("\n\n", 1)[0], re.MULTILINE)
        if m:
            patch.date = parse_date(m.group(1)) or patch.date
    lines = body.split("\n")
    start = _find_diff(lines)
    head_lines = lines if start is None else lines[:start]
    diff_lines = [] if start is None else _cut_signature(lines[start:])
    message_text = "\n".join(head_lines)
    after = set_message(patch, strip_pseudo_headers(message_text))
    diff_text = "\n".join(diff_lines)
    if diff_lines and not diff_text.endswith("\n"):
        diff_text += "\n"
    set_diff(patch, diff_text, body_offset + (start or 0), message_text + "\n" + after)
    return patch


def read_mbox(data: bytes, where: str) -> Series:
    """Every message of an mbox / format-patch stream / single mail."""
    if b"\x00" in data[:65536]:
        raise InputError(where, "mbox: binary data, not a mail")
    data = data.replace(b"\r\n", b"\n")
    if not looks_like_mail(data):
        raise InputError(where, "mbox: no 'From ' separator line and no mail headers at the start")
    series = Series(source=where)
    for k, (first, raw, commit) in enumerate(split_mbox(data)):
        head = raw.split(b"\n\n", 1)[0]
        what = f"mbox: message {k + 1} (line {first + 1})"
        if not any(_HEADER_LINE.match(ln) for ln in head.split(b"\n")):
            raise InputError(where, f"{what} has no headers")
        block = header_block(raw)
        if block is None:
            raise InputError(where, f"{what}: mail headers larger than {MAX_HEADER_BYTES // 1024} KiB; refused")
        lists = header_lists(decode_bytes(block))
        try:
            body = message_body(raw)
        except _EMAIL_FAILURES as e:
            raise InputError(where, f"{what}: the mail cannot be taken apart ({type(e).__name__})") from None
        try:
            p = patch_from_message(lists, body, where, first + head.count(b"\n") + 2, k)
        except HeaderError as e:
            raise InputError(where, f"{what}: {e}") from None
        if commit and p.msgid is None:
            p.id = commit
        if p.number == 0 and not p.files and series.cover is None:
            series.cover = p
        else:
            series.patches.append(p)
    if not series.patches and series.cover is None:
        raise InputError(where, "mbox: no messages")
    first_p = series.patches[0] if series.patches else series.cover
    assert first_p is not None
    series.version = first_p.version
    series.id = series.cover.msgid if series.cover else first_p.in_reply_to or first_p.msgid
    series.base_commit = (series.cover.base_commit if series.cover else None) or next(
        (p.base_commit for p in series.patches if p.base_commit), None)
    return series

