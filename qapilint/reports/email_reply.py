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

import email.generator
import email.policy
import email.utils
import io
import re
import textwrap
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import TYPE_CHECKING

from qapilint.findings import Finding
from qapilint.patch import Hunk, HunkLine, Patch
from qapilint.reports.locate import anchor_of, context_start, heading_index, message_line_of
from qapilint.reports.model import InputFailure, PatchReport, Report
from qapilint.reports.prose import GROUPABLE, say, say_group
from qapilint.reports.recipients import mailbox, reply_all
from qapilint.reports.safe import for_terminal, one_line

if TYPE_CHECKING:
    from qapilint.reports import RenderOptions

UNIXFROM = "From qapilint Mon Sep 17 00:00:00 2001"
CONTEXT_BEFORE = 3   # quoted lines kept above a commented line
RUN_GAP = 8          # lines with the same comment this close share it
ELIDE = "[...]"
LIKEWISE = "Likewise."
WIDTH = 72
VERBATIM = "    "    # indentation of a suggested line under SUGGEST
SUGGEST = "Suggested fix:"
SIGNATURE = "-- \nreview drafted with qapilint"
MAX_LINE = 998       # SMTP's limit on a line; a body with longer ones goes quoted-printable
_POLICY = email.policy.default.clone(linesep="\n", max_line_length=MAX_LINE, cte_type="8bit")
_MSGID = re.compile(r"<[^<>\s\"]{1,900}>")
# Rules about the tool's own limits: they tell the user to add --tree, not the author to change anything.
TOOL_RULES = frozenset({"compat-needs-tree", "schema-not-checked"})


def for_author(f: Finding) -> bool:
    return f.family != "input" and f.rule not in TOOL_RULES


def corrected_lines(f: Finding) -> list[str]:
    """The line ``f`` is about as its fix would make it (empty when there is no one-line fix)."""
    if f.fix is None:
        return []
    edits = [e for e in f.fix.edits if e.start_line == e.end_line and e.line_text]
    if len(edits) != len(f.fix.edits) or len({(e.file, e.start_line) for e in edits}) != 1:
        return []
    text = edits[0].line_text
    for e in sorted(edits, key=lambda e: -e.start_col):
        if text[e.start_col - 1:e.end_col - 1] != e.old_text:
            return []
        text = text[:e.start_col - 1] + e.new_text + text[e.end_col - 1:]
    return text.split("\n")


def comment(findings: list[Finding], expected: str | None) -> list[str]:
    """The paragraphs of one comment, then the corrected line(s) when the findings have fixes."""
    paragraphs = say_group(findings, expected)
    fixed = [ln for f in findings for ln in corrected_lines(f)]
    if fixed and paragraphs:
        paragraphs.append("\n".join([SUGGEST] + [VERBATIM + ln for ln in dict.fromkeys(fixed)]))
    return paragraphs


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
            # Prose paragraphs are one line of words; one with line breaks holds code, kept as is.
            out += (p.split("\n") if "\n" in p else _wrap(p)) + [""]
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
        key = tuple(comment(r.findings, expected))
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
            out.extend(said.lines(comment(below[i].findings, expected)))
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
            out.extend(said.lines(comment(by_line[i], expected)))
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
    author, addr = one_line(p.author), one_line(p.email)
    who = f"{author} <{addr}>" if author and addr else (author or addr or "you")
    when = email.utils.format_datetime(p.date) if p.date else None
    lines: list[str] = _wrap(f"On {when}, {who} wrote:" if when else f"{who} wrote:")
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


def _msgid(text: str) -> str | None:
    """``<id>`` as a header may hold it; None when the patch's id is no Message-ID."""
    t = "".join(one_line(text).split())
    if t and not t.startswith("<"):
        t = f"<{t}>"
    return t if _MSGID.fullmatch(t) else None


def _body_text(rep: PatchReport) -> str:
    # Quoted patch lines may hold control characters: shown escaped, never sent raw to a mail reader.
    return for_terminal(body(rep), keep_newlines=True)


def message(rep: PatchReport, opts: RenderOptions | None = None) -> EmailMessage:
    """The reply to one patch (AddressError, a ValueError, when an address of it does not parse)."""
    p = rep.patch
    sender = opts.email_from if opts is not None else None
    cc = list(opts.email_cc) if opts is not None else ["qemu-devel@nongnu.org"]
    rec = reply_all(p, sender, cc)
    msg = EmailMessage(policy=_POLICY)
    if sender:
        msg["From"] = mailbox(sender)
    if rec.to:
        msg["To"] = rec.to
    if rec.cc:
        msg["Cc"] = rec.cc
    subject = one_line(p.subject or p.title or p.id)
    msg["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    msgid = _msgid(p.msgid) if p.msgid else None
    if msgid:
        msg["In-Reply-To"] = msgid
        # References lists the thread from its root down to the message replied to.
        root = _msgid(p.in_reply_to) if p.in_reply_to else None
        msg["References"] = " ".join(dict.fromkeys(r for r in (root, msgid) if r))
    text = _body_text(rep)
    long_lines = any(len(ln.encode("utf-8")) > MAX_LINE for ln in text.splitlines())
    cte = "quoted-printable" if long_lines else ("7bit" if text.isascii() else "8bit")
    msg.set_content(text, charset="utf-8", cte=cte)
    msg.set_unixfrom(UNIXFROM)
    return msg


def as_text(msg: EmailMessage) -> str:
    """The message as an mbox entry: headers RFC 2047-encoded, the body as 8-bit UTF-8.

    Body lines starting with 'From ' are written '>From ' (mboxo), so none of
    them can start a second message.
    """
    out = io.BytesIO()
    email.generator.BytesGenerator(out, mangle_from_=True, policy=_POLICY).flatten(msg, unixfrom=True)
    return out.getvalue().decode("utf-8")


def render(report: Report, opts: RenderOptions | None = None) -> str:
    """One reply per patch with comments.  A reply that cannot be written (an address that
    does not parse) is left out and recorded in ``report.failures``; the others still are."""
    parts: list[str] = []
    for rep in report.patches:
        if not has_comments(rep):
            continue
        try:
            parts.append(as_text(message(rep, opts)))
        except (ValueError, TypeError, UnicodeError) as e:
            where = one_line(rep.patch.source or rep.patch.id)
            report.failures.append(InputFailure(where, f"review email for {one_line(rep.patch.id)!r} not written: "
                                                       f"{one_line(str(e))[:200]}"))
    return "\n".join(p if p.endswith("\n") else p + "\n" for p in parts)
