"""Who a review reply goes to: reply-all, as on qemu-devel, with every address parsed strictly.

To: the patch's author.  Cc: everyone the patch was sent to (its To and Cc)
and the list (``--email-cc``), without the author and without the sender of
the reply.  Addresses come from a public mailing list, so each one must be
one plain mailbox: a name (control characters removed, RFC 2047-encoded by
the email package when not ASCII) and an addr-spec.  A value that smuggles a
second address (``a@b.c, evil@x.org`` as one submitter address), a line
break or a group is refused, never passed through.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass, field
from email.headerregistry import Address

from qapilint.patch import Patch
from qapilint.reports.safe import one_line

# A conservative addr-spec: dot-atom local part, a host name.  Quoted local parts and
# address literals are legal but unseen on qemu-devel; refusing them is the safe side.
_ADDR = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                   r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")
# A line break not followed by a blank ends a header: inside one value, it is an injection.
_UNFOLDED = re.compile(r"[\r\n](?![ \t])|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Address header values longer than this are not parsed (the stdlib parser is slow on huge ones).
MAX_HEADER = 8192


class AddressError(ValueError):
    """An address that does not parse as one mailbox."""


def _address(name: str, addr: str) -> Address:
    if not _ADDR.fullmatch(addr):
        raise AddressError(f"malformed address {one_line(addr)[:120]!r}")
    local, _, domain = addr.partition("@")
    return Address(display_name=one_line(name).strip('"'), username=local, domain=domain)


def mailbox(value: str, name: str = "") -> Address:
    """The one mailbox ``value`` holds ('Name <a@b>' or 'a@b'); ``name`` overrides its display name."""
    if len(value) > MAX_HEADER or any(c in value for c in "\r\n\0"):
        raise AddressError(f"malformed address {one_line(value)[:120]!r}")
    try:
        pairs = email.utils.getaddresses([value])
    except (IndexError, ValueError, TypeError, AttributeError, RecursionError):
        raise AddressError(f"malformed address {one_line(value)[:120]!r}") from None
    if len(pairs) != 1 or not pairs[0][1]:
        raise AddressError(f"not one address: {one_line(value)[:120]!r}")
    got_name, addr = pairs[0]
    return _address(name or got_name, addr)


def mailboxes(values: list[str]) -> tuple[list[Address], list[str]]:
    """Every address of some address-list header values, and the problems with the ones refused."""
    out: list[Address] = []
    bad: list[str] = []
    for value in values:
        if len(value) > MAX_HEADER:
            bad.append(f"address header of {len(value)} characters not read")
            continue
        if _UNFOLDED.search(value.rstrip("\r\n")):
            bad.append(f"address header with a line break or control character refused: {one_line(value)[:120]!r}")
            continue
        try:
            # Folded header values keep their CRLF + blank: a continuation, not a new header.
            pairs = email.utils.getaddresses([" ".join(value.split())])
        except (IndexError, ValueError, TypeError, AttributeError, RecursionError):
            bad.append(f"malformed address list {one_line(value)[:120]!r}")
            continue
        for name, addr in pairs:
            if not addr:
                continue
            try:
                out.append(_address(name, addr))
            except AddressError as e:
                bad.append(str(e))
    return out, bad


@dataclass
class Recipients:
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)    # addresses of the thread left out, and why


def author_of(p: Patch) -> Address | None:
    """The patch's author as one mailbox, None without an address (AddressError when it is not one)."""
    return mailbox(p.email, p.author) if p.email else None


def reply_all(p: Patch, sender: str | None, list_cc: list[str]) -> Recipients:
    """To the author; Cc the thread's To and Cc, then the list; nobody twice, not the sender."""
    author = author_of(p)
    rec = Recipients(to=[author] if author is not None else [])
    skip = {a.addr_spec.lower() for a in rec.to}
    if sender:
        skip.add(mailbox(sender).addr_spec.lower())
    thread, rec.refused = mailboxes(p.to + p.cc)
    listed, bad = mailboxes(list_cc)
    if bad:
        raise AddressError(f"--email-cc: {bad[0]}")
    for a in thread + listed:
        key = a.addr_spec.lower()
        if key not in skip:
            skip.add(key)
            rec.cc.append(a)
    return rec
