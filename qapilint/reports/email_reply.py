"""A review reply per patch, as a maintainer would send it.

The patch is quoted with ``> `` only around the lines that have comments
(the rest is elided with ``[...]``); every comment sits directly below the
quoted line it is about, worded tersely (prose.py) because the quote already
says what it is about.  A comment about a member's documentation goes under
the whole description, and neighbouring lines with the same comment share
one ("@a and @b: missing (since 11.1).").  A comment repeated further down
becomes "Likewise.".  Findings about what the tool could not do (input
notes, "needs a tree") are for the person running it, not for the author,
and stay out.

Messages are built with the stdlib ``email`` package and written as an mbox
(``From `` separator lines, as ``git format-patch`` writes them), which
``git send-email`` accepts as a file.  Patches without comments get no reply.
"""

from __future__ import annotations

import email.policy
import email.utils
import re
import textwrap
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import TYPE_CHECKING

from qapilint.findings import Finding
from qapilint.patch import Hunk, HunkLine, Patch
from qapilint.reports.locate import anchor_of, context_start, heading_index, message_line_of
from qapilint.reports.model import PatchReport, Report
from qapilint.reports.prose import GROUPABLE, say, say_group

if TYPE_CHECKING:
    from qapilint.reports import RenderOptions

UNIXFROM = "From qapilint Mon Sep 17 00:00:00 2001"
CONTEXT_BEFORE = 3   # quoted lines kept above a commented line
RUN_GAP = 8          # lines with the same comment this close share it
ELIDE = "[...]"
LIKEWISE = "Likewise."
WIDTH = 72
SIGNATURE = "-- \nreview drafted with qapilint"
_POLICY = email.policy.default.clone(linesep="\n", max_line_length=998)
# Rules about the tool's own limits: they tell the user to add --tree, not the author to change anything.
TOOL_RULES = frozenset({"compat-needs-tree", "schema-not-checked"})


def for_author(f: Finding) -> bool:
    return f.family != "input" and f.rule not in TOOL_RULES


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, break_long_words=False, break_on_hyphens=False) or [""]


def _quote(ln: HunkLine) -> str:
    return f"> {ln.kind}{ln.text}".rstrip()


@dataclass
class _Comment:
    first: int                    # index of the first commented line of the run in its hunk
    last: int                     # the comment goes below this line
    findings: list[Finding] = field(default_factory=list)


@dataclass
class _Said:
    """The comment written last in this reply (for "Likewise.")."""

    last: tuple[str, ...] = ()

    def lines(self, paragraphs: list[str], likewise: bool = True) -> list[str]:
        # "Likewise" points back at the comment just above; after another comment it would be ambiguous.
        key = tuple(paragraphs)
        if likewise and key == self.last:
            paragraphs = [LIKEWISE]
        self.last = key
        out: list[str] = [""]
        for p in paragraphs:
            out += _wrap(p) + [""]
        return out


def _runs(by_line: dict[int, list[Finding]], expected: str | None) -> list[_Comment]:
    """Commented lines of one hunk; neighbours with the same comment merge into one run."""
    out: list[_Comment] = []
    for i in sorted(by_line):
        fs = by_line[i]
        prev = out[-1] if out else None
        if (prev is not None and i - prev.last <= RUN_GAP
                and all(f.rule in GROUPABLE for f in fs + prev.findings)
                and _key(fs, expected) == _key(by_line[prev.last], expected)):
            prev.last = i
            prev.findings += fs
        else:
            out.append(_Comment(i, i, list(fs)))
    return out


def _key(fs: list[Finding], expected: str | None) -> frozenset[str]:
    return frozenset(say(f, expected) for f in fs)


def _hunk_lines(h: Hunk, by_line: dict[int, list[Finding]], expected: str | None, said: _Said) -> list[str]:
    runs = _runs(by_line, expected)
    keep: set[int] = set()
    last = said.last
    for r in runs:
        key = tuple(say_group(r.findings, expected))
        # A "Likewise." needs only its own line (and its definition's name), not the context again.
        context = 0 if key == last else CONTEXT_BEFORE
        last = key
        keep.update(range(context_start(h, r.first, context), r.last + 1))
        defs = {f.definition for f in r.findings if f.definition}
        head = heading_index(h, r.first, defs)
        if head is not None:
            keep.add(head)
    below = {r.last: r for r in runs}
    out: list[str] = [f"> @@ -{h.old_start},{h.old_len} +{h.new_start},{h.new_len} @@ {h.section}".rstrip()]
    elided = False
    for i, ln in enumerate(h.lines):
        if i not in keep:
            if not elided:
                out.append(ELIDE)
                elided = True
            continue
        elided = False
        out.append(_quote(ln))
        if i in below:
            out.extend(said.lines(say_group(below[i].findings, expected)))
    return out


def _message_lines(p: Patch, by_line: dict[int, list[Finding]], expected: str | None, said: _Said) -> list[str]:
    """Commit message lines that comments are about, quoted with a little context."""
    text = p.message.splitlines()
    keep: set[int] = set()
    for i in by_line:
        keep.update(range(max(i - 1, 0), i + 1))
    out: list[str] = []
    for i, line in enumerate(text):
        if i not in keep:
            if out and out[-1] != ELIDE:
                out.append(ELIDE)
            continue
        out.append(f"> {line}".rstrip())
        if i in by_line:
            out.extend(said.lines(say_group(by_line[i], expected)))
    return out


def body(rep: PatchReport) -> str:
    p = rep.patch
    exp = rep.expected_version
    placed: dict[tuple[int, int], dict[int, list[Finding]]] = {}
    in_message: dict[int, list[Finding]] = {}
    general: list[Finding] = []
    for f in rep.findings:
        if not for_author(f):
            continue
        at = anchor_of(rep, f)
        if at is not None:
            fi, hi, li = at
            placed.setdefault((fi, hi), {}).setdefault(li, []).append(f)
            continue
        mi = message_line_of(p, f) if f.family == "message" else None
        if mi is not None:
            in_message.setdefault(mi, []).append(f)
        else:
            general.append(f)
    said = _Said()
    who = f"{p.author} <{p.email}>" if p.author and p.email else (p.author or p.email or "you")
    when = email.utils.format_datetime(p.date) if p.date else None
    lines: list[str] = [f"On {when}, {who} wrote:" if when else f"{who} wrote:"]
    lines += _message_lines(p, in_message, exp, said) if in_message else []
    for fi, fd in enumerate(p.files):
        hunks = [hi for hi in range(len(fd.hunks)) if (fi, hi) in placed]
        if not hunks:
            continue
        if lines[-1] != ELIDE:
            lines.append(ELIDE)
        lines.append(f"> diff --git a/{fd.old_path or fd.path} b/{fd.new_path or fd.path}")
        for hi, h in enumerate(fd.hunks):
            if (fi, hi) in placed:
                lines.extend(_hunk_lines(h, placed[(fi, hi)], exp, said))
            elif lines[-1] != ELIDE:
                lines.append(ELIDE)
    if lines[-1] != ELIDE:
        lines.append(ELIDE)
    if general:
        lines.extend(said.lines(say_group(general, exp), likewise=False)[:-1])
    closing = _closing(rep)
    lines += [""] + ([closing, ""] if closing else []) + [SIGNATURE]
    return "\n".join(lines) + "\n"


def _closing(rep: PatchReport) -> str:
    """Where the expected release comes from, once, when a version comment relies on it."""
    if not rep.expected_version or not any(f.family == "version" and for_author(f) for f in rep.findings):
        return ""
    src = rep.expected_version_source or ""
    # Provenance usually starts "expected X.Y: ..."; the version is said right here.
    src = src.split(": ", 1)[1] if src.startswith("expected ") and ": " in src else src
    src = re.sub(r"; expected [0-9][0-9.]*(?: or [0-9][0-9.]*)?: ", "; ", src.replace("the tree's VERSION", "VERSION"))
    text = f"New API in this patch is for {rep.expected_version}" + (f": {src}." if src else ".")
    return "\n".join(_wrap(text))


def has_comments(rep: PatchReport) -> bool:
    return any(for_author(f) for f in rep.findings)


def _msgid(text: str) -> str:
    text = text.strip()
    return text if text.startswith("<") else f"<{text}>"


def message(rep: PatchReport, opts: RenderOptions | None = None) -> EmailMessage:
    p = rep.patch
    msg = EmailMessage(policy=_POLICY)
    if opts is not None and opts.email_from:
        msg["From"] = opts.email_from
    if p.email:
        msg["To"] = email.utils.formataddr((p.author, p.email)) if p.author else p.email
    cc = list(opts.email_cc) if opts is not None else ["qemu-devel@nongnu.org"]
    if cc:
        msg["Cc"] = ", ".join(cc)
    subject = " ".join((p.subject or p.title or p.id).split())
    msg["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    if p.msgid:
        msgid = _msgid(p.msgid)
        msg["In-Reply-To"] = msgid
        # References lists the thread from its root down to the message replied to.
        refs = [_msgid(r) for r in (p.in_reply_to,) if r] + [msgid]
        msg["References"] = " ".join(dict.fromkeys(refs))
    text = body(rep)
    msg.set_content(text, charset="utf-8", cte="8bit" if not text.isascii() else "7bit")
    msg.set_unixfrom(UNIXFROM)
    return msg


def render(report: Report, opts: RenderOptions | None = None) -> str:
    parts = [message(rep, opts).as_string(unixfrom=True, policy=_POLICY)
             for rep in report.patches if has_comments(rep)]
    return "\n".join(p if p.endswith("\n") else p + "\n" for p in parts)
