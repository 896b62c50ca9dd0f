"""A review reply per patch, as a maintainer would send it.

The patch is quoted with ``> `` but only around the lines that have comments
(the rest is elided with ``[...]``); every comment sits directly below the
quoted line it is about.  Messages are built with the stdlib ``email``
package and written as an mbox (``From `` separator lines, as ``git
format-patch`` writes them), which ``git send-email`` accepts as a file.
Patches without findings get no reply.
"""

from __future__ import annotations

import email.policy
import email.utils
import textwrap
from email.message import EmailMessage
from typing import TYPE_CHECKING

from qapilint.findings import Finding
from qapilint.patch import Hunk, HunkLine
from qapilint.reports.locate import counts_text, hunk_line_at
from qapilint.reports.model import PatchReport, Report
from qapilint.reports.prose import say

if TYPE_CHECKING:
    from qapilint.reports import RenderOptions

UNIXFROM = "From qapilint Mon Sep 17 00:00:00 2001"
CONTEXT_BEFORE = 3   # quoted lines kept above a commented line
ELIDE = "[...]"
WIDTH = 72
_POLICY = email.policy.default.clone(linesep="\n", max_line_length=998)


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, break_long_words=False, break_on_hyphens=False) or [""]


def _quote(ln: HunkLine) -> str:
    return f"> {ln.kind}{ln.text}".rstrip()


def _comment_block(findings: list[Finding], expected: str | None) -> list[str]:
    out: list[str] = [""]
    for f in findings:
        out.extend(_wrap(say(f, expected)))
        out.append("")
    return out


def _hunk_lines(h: Hunk, by_line: dict[int, list[Finding]], expected: str | None) -> list[str]:
    marked = [i for i, ln in enumerate(h.lines) if id(ln) in by_line]
    keep: set[int] = set()
    for i in marked:
        keep.update(range(max(i - CONTEXT_BEFORE, 0), i + 1))
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
        if id(ln) in by_line:
            out.extend(_comment_block(by_line[id(ln)], expected))
    if out[-1] == "":
        out.pop()
    return out


def body(rep: PatchReport) -> str:
    p = rep.patch
    placed: dict[int, list[Finding]] = {}
    general: list[Finding] = []
    for f in rep.findings:
        hit = hunk_line_at(rep, f)
        if hit is None:
            general.append(f)
        else:
            placed.setdefault(id(hit[1]), []).append(f)
    who = f"{p.author} <{p.email}>" if p.author and p.email else (p.author or p.email or "you")
    when = email.utils.format_datetime(p.date) if p.date else None
    lines: list[str] = [f"On {when}, {who} wrote:" if when else f"{who} wrote:"]
    for fd in p.files:
        if not any(id(ln) in placed for h in fd.hunks for ln in h.lines):
            continue
        if lines[-1] != ELIDE:
            lines.append(ELIDE)
        lines.append(f"> diff --git a/{fd.old_path or fd.path} b/{fd.new_path or fd.path}")
        for h in fd.hunks:
            if any(id(ln) in placed for ln in h.lines):
                lines.extend(_hunk_lines(h, placed, rep.expected_version))
            elif lines[-1] != ELIDE:
                lines.append(ELIDE)
    if lines[-1] != ELIDE:
        lines.append(ELIDE)
    if general:
        lines.append("")
        for f in general:
            lines += _wrap(say(f, rep.expected_version)) + [""]
        lines.pop()
    lines += ["", _closing(rep)]
    return "\n".join(lines) + "\n"


def _closing(rep: PatchReport) -> str:
    n = len(rep.findings)
    text = f"To sum up: {counts_text(rep.findings)} above" if n else "No comments"
    if rep.expected_version:
        text += f"; new API in this patch should say {rep.expected_version}"
        src = rep.expected_version_source or ""
        # Provenance usually starts "expected X.Y: ..."; the version was just said.
        src = src.split(": ", 1)[1] if src.startswith("expected ") and ": " in src else src
        if src:
            text += f" ({src})"
    text += ". "
    text += "Please fix them in the next version of the patch." if n else ""
    return "\n".join(_wrap(text.strip())) + "\n\n-- \nreview drafted with qapilint"


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
        msgid = p.msgid if p.msgid.startswith("<") else f"<{p.msgid}>"
        msg["In-Reply-To"] = msgid
        refs = [r if r.startswith("<") else f"<{r}>" for r in (p.in_reply_to,) if r] + [msgid]
        msg["References"] = " ".join(dict.fromkeys(refs))
    text = body(rep)
    msg.set_content(text, charset="utf-8", cte="8bit" if not text.isascii() else "7bit")
    msg.set_unixfrom(UNIXFROM)
    return msg


def render(report: Report, opts: RenderOptions | None = None) -> str:
    parts = [message(rep, opts).as_string(unixfrom=True, policy=_POLICY)
             for rep in report.patches if rep.findings]
    return "\n".join(p if p.endswith("\n") else p + "\n" for p in parts)
