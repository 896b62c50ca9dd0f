"""Review reply: headers thread correctly, comments sit directly under their quoted lines."""

from __future__ import annotations

import email
import email.policy
import mailbox
from email.message import EmailMessage
from pathlib import Path

from test_reports_factory import make_report, make_series

from qapilint.reports import RenderOptions, render
from qapilint.reports.locate import hunk_line_at
from qapilint.reports.prose import say

OPTS = RenderOptions(email_from="Mark Maintainer <mark@example.org>")


def _parse(text: str) -> EmailMessage:
    msg = email.message_from_string(text, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_headers_thread_and_address_the_author() -> None:
    report = make_report()
    p = report.patches[0].patch
    msg = _parse(render("email", report, OPTS))
    assert msg["Subject"] == f"Re: {p.subject}"
    assert msg["In-Reply-To"] == p.msgid
    assert str(msg["References"]).split() == [p.in_reply_to, p.msgid]
    assert msg["To"] == "Bea Developer <bea@example.net>"
    assert msg["Cc"] == "qemu-devel@nongnu.org"
    assert msg["From"] == "Mark Maintainer <mark@example.org>"


def test_every_comment_is_directly_under_its_quoted_line() -> None:
    report = make_report()
    rep = report.patches[0]
    body = _parse(render("email", report, OPTS)).get_content()
    lines = body.splitlines()
    for f in rep.findings:
        hit = hunk_line_at(rep, f)
        first_words = say(f, rep.expected_version).split()[:6]
        if hit is None:
            assert " ".join(first_words) in " ".join(body.split())
            continue
        quoted = f"> {hit[1].kind}{hit[1].text}".rstrip()
        idx = [i for i, ln in enumerate(lines) if ln == quoted]
        assert idx, f"line not quoted: {quoted}"
        below = [lines[i + 2] for i in idx if i + 2 < len(lines) and lines[i + 1] == ""]
        assert any(b.split()[:len(first_words)] == first_words[:len(b.split())] for b in below), (quoted, below)


def test_reviewer_prose_and_trimming() -> None:
    report = make_report()
    body = _parse(render("email", report, OPTS)).get_content()
    assert "This is new in 11.1, not 10.2." in body
    assert "The commit message says 'instance-id' is 'int', but here it is\n'uint32'." in body or \
        "The commit message says 'instance-id' is 'int', but here it is 'uint32'." in " ".join(body.split())
    # Lines far from any finding are elided, not quoted.
    assert "> +# Time spent saving the state of one device." not in body
    assert "[...]" in body
    assert all(len(ln) <= 80 for ln in body.splitlines() if not ln.startswith(">"))


def test_series_gives_one_reply_per_patch_with_findings(tmp_path: Path) -> None:
    text = render("email", make_series(), OPTS)
    p = tmp_path / "replies.mbox"
    p.write_text(text, encoding="utf-8")
    msgs = list(mailbox.mbox(str(p)))
    assert len(msgs) == 1  # the clean patch gets no reply
    assert msgs[0]["In-Reply-To"] == "<20260416082030.777-3-bea@example.net>"
    assert render("email", make_report(findings=False), OPTS) == ""


def test_sendemail_validate_recipe_accepts_the_reply(tmp_path: Path) -> None:
    """The file parses the way git send-email reads it: headers first, blank line, body."""
    text = render("email", make_report(), OPTS)
    head, _, body = text.partition("\n\n")
    assert head.splitlines()[0].startswith("From ")
    keys = [ln.split(":", 1)[0] for ln in head.splitlines()[1:] if not ln.startswith((" ", "\t"))]
    assert {"To", "Cc", "Subject", "In-Reply-To", "References"} <= set(keys)
    assert body.strip()
