"""Review reply: headers thread correctly, comments sit directly under their quoted lines."""

from __future__ import annotations

import copy
import email
import email.policy
import email.utils
import mailbox
import re
import shutil
import subprocess
from email.message import EmailMessage
from pathlib import Path

import pytest
from test_reports_factory import PATH, find_line, make_report, make_series

from qapilint.findings import Finding, Severity, replace_in_line
from qapilint.patch import HunkLine
from qapilint.reports import RenderOptions, render
from qapilint.reports.email_reply import LIKEWISE, for_author
from qapilint.reports.locate import hunk_line_at
from qapilint.reports.model import PatchReport, Report
from qapilint.reports.prose import lower_first, say, say_group

OPTS = RenderOptions(email_from="Mark Maintainer <mark@example.org>")


def _parse(text: str) -> EmailMessage:
    # As a mail reader gets it: bytes (the body may be 8-bit UTF-8).
    msg = email.message_from_bytes(text.encode("utf-8"), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _body(report: Report) -> str:
    return str(_parse(render("email", report, OPTS)).get_content())


def _flat(text: str) -> str:
    return " ".join(text.split())


def _quoted(ln: HunkLine) -> str:
    return f"> {ln.kind}{ln.text}".rstrip()


def _comment_below(lines: list[str], i: int) -> str:
    """The comment paragraph after line ``i``, skipping the quoted lines of the same run."""
    j = i + 1
    while j < len(lines) and lines[j].startswith(">"):
        j += 1
    assert j < len(lines) and lines[j] == "", f"no blank line before the comment below {lines[i]!r}"
    end = j + 1
    while end < len(lines) and lines[end] != "":
        end += 1
    return _flat(" ".join(lines[j + 1:end]))


_FAMILY = {"since": "version"}


def _member(name: str, line: HunkLine, rule: str, message: str, definition: str = "MigrationInfo") -> Finding:
    return Finding(rule, Severity.WARNING, message, file=PATH, line=line.new_no, patch_line=line.patch_line,
                   family=_FAMILY.get(rule.split("-")[0], rule.split("-")[0]), definition=definition, item=name)


def _report_with(findings: list[Finding]) -> Report:
    report = make_report()
    report.patches[0].findings = findings
    return report


def _lacks(name: str, line: HunkLine) -> Finding:
    return _member(name, line, "since-member-missing",
                   f"member '{name}' added to struct 'DeviceSaveStateTime' lacks '(since 11.1)' in its description",
                   definition="DeviceSaveStateTime")


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


def test_message_ids_without_brackets_get_them() -> None:
    report = make_report()
    p = report.patches[0].patch
    p.msgid, p.in_reply_to = "a.1@example.net", "root.0@example.net"
    msg = _parse(render("email", report, OPTS))
    assert msg["In-Reply-To"] == "<a.1@example.net>"
    assert str(msg["References"]).split() == ["<root.0@example.net>", "<a.1@example.net>"]


def test_every_comment_is_directly_under_its_quoted_line() -> None:
    report = make_report()
    rep = report.patches[0]
    lines = _body(report).splitlines()
    checked = 0
    for f in rep.findings:
        hit = hunk_line_at(rep, f)
        if hit is None or not for_author(f):
            continue
        idx = [i for i, ln in enumerate(lines) if ln == _quoted(hit[1])]
        assert idx, f"line not quoted: {_quoted(hit[1])}"
        comment = _comment_below(lines, idx[0])
        assert _flat(say(f, rep.expected_version)) in comment or comment == LIKEWISE, (f.rule, comment)
        checked += 1
    assert checked >= 3


def test_reviewer_prose_and_trimming() -> None:
    body = _body(make_report())
    flat = _flat(body)
    assert "This is new in 11.1, not 10.2." in flat
    assert "The commit message says 'instance-id': 'int'. Which one is right?" in flat
    # Lines far from any finding are elided, not quoted.
    assert "> +# Time spent saving the state of one device." not in body
    assert "[...]" in body
    assert all(len(ln) <= 80 for ln in body.splitlines() if not ln.startswith(">"))
    # Terminal wording and rule ids stay out of a reply.
    assert "[since-mismatch]" not in body and "was released on" not in body


def test_definition_heading_is_quoted_above_an_elided_gap() -> None:
    lines = _body(make_report()).splitlines()
    head = lines.index("> +# @DeviceSaveStateTime:")
    since = lines.index("> +# Since: 10.2")
    assert head < since and "[...]" in lines[head + 1:since]


def test_tool_limits_are_not_told_to_the_author() -> None:
    report = make_report()
    body = _body(report)
    assert "tree" not in body.lower()
    report.patches[0].findings = [f for f in report.patches[0].findings if not for_author(f)]
    assert report.patches[0].findings, "fixture should have a tool-only finding"
    assert render("email", report, OPTS) == ""


def test_neighbouring_members_with_the_same_comment_share_one() -> None:
    report = make_report()
    files = report.patches[0].patch.files
    report = _report_with([_lacks("id", find_line(files, "# @id:")),
                           _lacks("instance-id", find_line(files, "# @instance-id:"))])
    lines = _body(report).splitlines()
    assert "> +# @id: device id" in lines
    comment = _comment_below(lines, lines.index("> +# @instance-id: instance of the device's state"))
    assert comment == "@id and @instance-id: missing (since 11.1)."
    assert _flat("\n".join(lines)).count("(since 11.1)") == 1


def test_likewise_only_right_after_the_same_comment() -> None:
    report = make_report()
    files = report.patches[0].patch.files
    removed = "compat-removed-member"
    msg = "member '{}' is removed from struct 'MigrationInfo'; this breaks existing clients"
    far_a = find_line(files, "# @DeviceSaveStateTime:")
    far_b = find_line(files, "'*save-state-time'")
    report = _report_with([_member("a", far_a, "since-format",
                                   "malformed version: '10.2.0' has three components; QEMU tags name the "
                                   "release as X.Y"),
                           _member("b", far_b, removed, msg.format("b"))])
    assert LIKEWISE not in _body(report)
    report = _report_with([_member("a", far_a, removed, msg.format("a")),
                           _member("b", far_b, removed, msg.format("b"))])
    assert _body(report).count("Removal breaks existing clients.") == 1
    assert LIKEWISE in _body(report)


def test_wrong_tag_is_not_also_called_missing() -> None:
    report = make_report()
    line = find_line(report.patches[0].patch.files, "(Since 10.2)")
    mismatch = copy.copy(report.patches[0].findings[1])
    report = _report_with([mismatch, _member("save-state-time", line, "since-member-missing",
                                             "member 'save-state-time' added to struct 'MigrationInfo' "
                                             "lacks '(since 11.1)' in its description")])
    body = _flat(_body(report))
    assert "This is new in 11.1, not 10.2." in body and "Missing (since" not in body


def test_description_comment_goes_under_the_whole_description() -> None:
    report = make_report()
    files = report.patches[0].patch.files
    first = find_line(files, "# @save-state-time:")
    absent = _member("save-state-time", find_line(files, "'*save-state-time'"), "compat-optional-absence",
                     "new optional member 'save-state-time' of struct 'MigrationInfo': the description does "
                     "not say when it is absent")
    # A line number off by a patch offset still finds the description by name.
    lost = _lacks("save-state-time", first)
    lost.line, lost.patch_line = 3, None
    lines = _body(_report_with([absent, lost])).splitlines()
    cont = lines.index("> +#     (Since 10.2)")
    assert lines[cont - 1] == _quoted(first)
    assert _comment_below(lines, cont) == "Missing (since 11.1). Please document what absence means."


def test_comment_is_parted_from_the_next_hunk() -> None:
    lines = _body(make_report()).splitlines()
    for i, ln in enumerate(lines):
        if ln.startswith("> @@") and i > 0 and not lines[i - 1].startswith(">") and lines[i - 1] != "[...]":
            assert lines[i - 1] == "", lines[i - 2:i + 1]


def test_closing_says_where_the_release_comes_from_once() -> None:
    report = make_report()
    body = _body(report)
    assert _flat(body).count("New API in this patch is for 11.1: patch dated 2026-04-16") == 1
    assert body.rstrip().endswith("-- \nreview drafted with qapilint")
    report.patches[0].findings = [f for f in report.patches[0].findings if f.family != "version"]
    assert "New API" not in _body(report)


@pytest.mark.parametrize(("rule", "message", "said"), [
    ("since-mismatch", "'Since:' of new struct 'X' says 9.0, but this is new in 10.1 (9.0 was released ...)",
     "This is new in 10.1, not 9.0."),
    ("since-member-missing", "member 'a' added to struct 'X' lacks '(since 10.1 or 10.2)' in its description",
     "Missing (since 10.1), or (since 10.2) if it misses 10.1."),
    ("since-missing", "new struct 'X' has no 'Since:' section (expected 'Since: 10.2')", "Missing 'Since: 10.2'."),
    ("since-format", "malformed version: '10.2.0' has three components; QEMU tags name the release as X.Y",
     "Make that 10.2; release tags are X.Y."),
    ("since-malformed", "'Since' is not recognised as a section (missing colon after 'Since'); write "
     "'# Since: 10.1'", "Missing colon, so this isn't a 'Since:' section. Write 'Since: 10.1'."),
    ("since-redundant", "'a' of new struct 'X' has '(since 10.0)'; it is as new as the definition",
     "Drop (since 10.0): the whole definition is new."),
    ("cname-has-flag-not-set", "optional member 'gpa' of struct 'X' is set here, but the patch never sets "
     "has_gpa = true", "Missing has_gpa = true; without it, @gpa is not sent."),
    ("cname-has-flag-absent", "has_core_uid is not generated for member 'core-uid' of command 'q': it is mandatory",
     "There is no has_core_uid: @core-uid is mandatory."),
    ("compat-structure-changed", "data of command 'm' changes ('A' -> 'B')",
     "This changes the arguments from A to B. Is that compatible for existing clients?"),
    ("some-future-rule", "the thing is wrong", "The thing is wrong."),
])
def test_rule_sentences(rule: str, message: str, said: str) -> None:
    assert say(Finding(rule, Severity.ERROR, message)) == said


def test_bad_reference_sentences_come_from_the_item() -> None:
    at = Finding("docs-bad-reference", Severity.WARNING, "'@thredas' names no member, value, branch or feature "
                 "anywhere in the schema, and no definition", item="thredas")
    assert say(at) == "@thredas names nothing in the schema. A typo, or a name that was renamed away?"
    ty = Finding("docs-bad-reference", Severity.WARNING, "`SensorKnd` names no definition", item="SensorKnd")
    assert say(ty) == "`SensorKnd` is not a definition, so the manual gets a broken link."


def test_group_sentence_names_members_and_merges_documentation() -> None:
    undoc = Finding("docs-undocumented", Severity.WARNING, "member 'a' of struct 'X' has no '@a:' description",
                    item="a")
    lacks = Finding("since-member-missing", Severity.WARNING, "member 'a' added to struct 'X' lacks "
                    "'(since 11.1)' in its description", item="a")
    assert say_group([undoc, lacks]) == ["Missing documentation, including (since 11.1)."]
    other = copy.copy(lacks)
    other.item = "b"
    assert say_group([lacks, other]) == ["@a and @b: missing (since 11.1)."]
    assert lower_first("Missing x") == "missing x" and lower_first("QEMU x") == "QEMU x"


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


def _has_send_email() -> bool:
    git = shutil.which("git")
    if git is None:
        return False
    return subprocess.run([git, "send-email", "--help"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _has_send_email(), reason="git send-email is not installed")
def test_git_send_email_dry_run_takes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "reply.mbox"
    out.write_text(render("email", make_report(), OPTS), encoding="utf-8")
    p = subprocess.run(["git", "send-email", "--dry-run", "--confirm=never", "--no-validate",
                        "--smtp-server=/bin/true", "--quiet", str(out)],
                       capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert p.returncode == 0, p.stderr
    assert re.search(r"Dry-(?:OK|Sent)\b.*Re: \[PATCH v2 2/3\]", p.stdout + p.stderr), p.stdout + p.stderr


def test_report_without_message_ids_still_renders() -> None:
    report = make_report()
    rep: PatchReport = report.patches[0]
    rep.patch.msgid = None
    msg = _parse(render("email", report, OPTS))
    assert msg["In-Reply-To"] is None and msg.get_content().startswith("On ")


# --- recipients: reply-all, strictly parsed --------------------------------------------------


def _addrs(value: object) -> list[str]:
    return [a for _n, a in email.utils.getaddresses([str(value)])] if value is not None else []


def test_reply_all_keeps_the_thread_without_the_sender() -> None:
    report = make_report()
    p = report.patches[0].patch
    p.to = ["qemu-devel@nongnu.org"]
    p.cc = ["Bea Developer <bea@example.net>, Mark Maintainer <MARK@example.org>,\n Carl Other <carl@example.com>",
            "\"Doe, Jane\" <jane@example.com>"]
    msg = _parse(render("email", report, OPTS))
    assert _addrs(msg["To"]) == ["bea@example.net"]
    # The author is in To, the sender (case aside) sends it: neither is in Cc; the list once.
    assert _addrs(msg["Cc"]) == ["qemu-devel@nongnu.org", "carl@example.com", "jane@example.com"]
    assert any(a.display_name == "Doe, Jane" for a in msg["Cc"].addresses)


def test_header_fields_cannot_add_messages_or_recipients(tmp_path: Path) -> None:
    report = make_series()
    for rep in report.patches:
        rep.findings = make_report().patches[0].findings
    bad, good = (r.patch for r in report.patches)
    bad.author = "Eve\nFrom evil Mon Sep 17 00:00:00 2001\nTo: victim@example.org"
    bad.msgid = "<a.1@example.net>\r\nBcc: victim@example.org"
    bad.in_reply_to = "<root@example.net>\nCc: victim@example.org"
    bad.subject = "[PATCH] x\r\nBcc: victim@example.org"
    good.cc = ["Someone <someone@example.org>\r\nBcc: victim@example.org"]
    text = render("email", report, OPTS)
    assert report.failures == []
    p = tmp_path / "replies.mbox"
    p.write_bytes(text.encode("utf-8"))
    msgs = list(mailbox.mbox(str(p)))
    assert len(msgs) == 2
    for m in msgs:
        everyone = [a for h in ("To", "Cc", "Bcc") for a in _addrs(m[h])]
        assert "victim@example.org" not in everyone, everyone
        assert m["Bcc"] is None
    assert not any(ln.startswith("From ") for ln in text.splitlines()[1:] if "qapilint" not in ln)


def test_a_comma_in_the_submitter_address_fails_that_reply_alone() -> None:
    report = make_series()
    for rep in report.patches:
        rep.findings = make_report().patches[0].findings
    report.patches[0].patch.email = "bea@example.net, victim@example.org"
    text = render("email", report, OPTS)
    msgs = [_parse(part) for part in re.split(r"(?m)^(?=From qapilint )", text) if part]
    assert len(msgs) == 1 and msgs[0]["Subject"].endswith("document save-state-time")
    assert "victim@example.org" not in text
    (failure,) = report.failures
    assert "review email" in failure.message and "not one address" in failure.message


def test_non_ascii_names_are_encoded_and_read_back() -> None:
    report = make_report()
    p = report.patches[0].patch
    p.author = "Zoë Ünïcode-Łukasz"
    p.cc = ["Jürgen Groß <jgross@example.org>"]
    text = render("email", report, RenderOptions(email_from="Märta Maintainer <marta@example.org>"))
    head = text.split("\n\n", 1)[0]
    assert head.isascii()  # RFC 2047 encoded words in the headers; the body may be 8-bit
    msg = _parse(text)
    assert msg["To"].addresses[0].display_name == "Zoë Ünïcode-Łukasz"
    assert msg["From"].addresses[0].display_name == "Märta Maintainer"
    assert msg["Cc"].addresses[0].display_name == "Jürgen Groß"
    assert "Zoë Ünïcode-Łukasz <bea@example.net>" in str(msg.get_content())


def test_body_lines_starting_with_from_are_escaped(tmp_path: Path) -> None:
    report = make_report()
    report.patches[0].findings.append(Finding("x-general", Severity.WARNING, "from now on this is a general remark",
                                              family="docs"))
    text = render("email", report, OPTS)
    assert "\n>From now on" in text
    p = tmp_path / "r.mbox"
    p.write_bytes(text.encode("utf-8"))
    assert len(mailbox.mbox(str(p))) == 1


def test_control_characters_of_the_patch_are_shown_escaped() -> None:
    report = make_report()
    line = find_line(report.patches[0].patch.files, "# Since: 10.2")
    line.text = "# Since: 10.2\x1b]0;pwned\x07\x9b2J"
    body = _body(report)
    assert "\x1b" not in body and "\x9b" not in body
    assert "\\x1b]0;pwned\\x07\\x9b2J" in body


def test_two_comments_on_one_line_are_two_paragraphs() -> None:
    report = make_report()
    files = report.patches[0].patch.files
    line = find_line(files, "'instance-id': 'uint32'")
    twice = [_member(n, line, "message-type-mismatch", f"the commit message says '{n}': 'int', but the diff "
                     f"declares 'uint32'", definition="DeviceSaveStateTime") for n in ("instance-id", "time-us")]
    for f in twice:
        f.family = "message"
    lines = _body(_report_with(twice)).splitlines()
    i = lines.index(_quoted(line))
    assert lines[i + 1:i + 6] == ["", "The commit message says 'instance-id': 'int'. Which one is right?", "",
                                  "The commit message says 'time-us': 'int'. Which one is right?", ""]


def test_text_is_wrapped_at_72_columns() -> None:
    report = make_report()
    report.patches[0].patch.author = "Bea Developer With A Very Long Name Indeed"
    report.patches[0].findings.append(Finding("x-general", Severity.WARNING, "word " * 60, family="docs"))
    for ln in _body(report).splitlines():
        if not ln.startswith((">", "    ")):
            assert len(ln) <= 72, ln


def test_reply_proposes_the_corrected_line() -> None:
    report = make_report()
    f = report.patches[0].findings[0]
    f.fix = replace_in_line(PATH, f.line or 0, "# Since: 10.2", f.col or 0, "10.2", "11.1")
    lines = _body(report).splitlines()
    i = lines.index("> +# Since: 10.2")
    assert lines[i + 1:i + 6] == ["", "This is new in 11.1, not 10.2.", "", "Suggested fix:", "    # Since: 11.1"]


def test_seed_reply_keeps_its_recipients_and_parses(seed_json: Path, tmp_path: Path) -> None:
    from qapilint import sources
    from qapilint.pipeline import CheckOptions, check_series

    series = sources.load(str(seed_json))
    original = series.patches[0]
    report = Report(patches=check_series(series, CheckOptions()))
    text = render("email", report, OPTS)
    msg = _parse(text)
    thread = {a.lower() for _n, a in email.utils.getaddresses(original.to + original.cc)}
    assert len(thread) >= 5
    to, cc = set(_addrs(msg["To"])), set(_addrs(msg["Cc"]))
    assert to == {original.email.lower()}
    assert cc == thread - to
    assert msg.get_content().startswith("On ")
    p = tmp_path / "seed.mbox"
    p.write_bytes(text.encode("utf-8"))
    assert len(mailbox.mbox(str(p))) == 1


@pytest.mark.skipif(not _has_send_email(), reason="git send-email is not installed")
def test_git_send_email_sends_to_exactly_the_thread(tmp_path: Path) -> None:
    report = make_report()
    p = report.patches[0].patch
    p.to, p.cc = ["qemu-devel@nongnu.org"], ["Carl Other <carl@example.com>, Bea Developer <bea@example.net>"]
    out = tmp_path / "reply.mbox"
    out.write_bytes(render("email", report, OPTS).encode("utf-8"))
    res = subprocess.run(["git", "send-email", "--dry-run", "--confirm=never", "--no-validate", "--suppress-cc=self",
                          "--from=Mark Maintainer <mark@example.org>",
                          "--smtp-server=/bin/true", str(out)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert res.returncode == 0, res.stderr
    said = res.stdout + res.stderr
    m = re.search(r"^Sendmail: /bin/true -i (.*)$", said, re.MULTILINE)
    assert m, said
    assert set(m.group(1).split()) == {"bea@example.net", "carl@example.com", "qemu-devel@nongnu.org"}
