"""Hostile input the fuzzer found: each crash site, with a minimal input, ends in one error line or a report.

Every case runs the CLI in process (``qapilint check -``) and requires an
exit status of 0, 1 or 2, output that encodes as UTF-8, and, for refused
input, the one error line naming what was wrong.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from qapilint.cli import main
from qapilint.sources import load_bytes
from qapilint.sources.message import MAX_HEADER_BYTES, header_block, header_fields, parse_date, parse_subject

MAIL = """\
From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001
From: Ada Tester <ada@example.org>
Date: Tue, 4 Nov 2025 09:31:00 +0100
Subject: [PATCH v2 1/2] qapi: add Gadget
Message-Id: <gadget-1@example.org>

Add a struct.

Signed-off-by: Ada Tester <ada@example.org>
---
diff --git a/qapi/gadget.json b/qapi/gadget.json
--- a/qapi/gadget.json
+++ b/qapi/gadget.json
@@ -1,3 +1,9 @@
 ##
 # @Old:
 ##
+
+##
+# @Gadget:
+#
+# Since: 10.2
+##
-- \n2.47.0
"""


def run(argv: list[str], data: bytes) -> tuple[int, str, str]:
    """``qapilint ARGV`` in process with ``data`` on stdin; output must encode as UTF-8."""
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", errors="strict", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="strict", write_through=True)

    class Stdin:
        buffer = io.BytesIO(data)

    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = Stdin, stdout, stderr  # type: ignore[assignment]
    try:
        rc = main(argv)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    assert rc in (0, 1, 2)
    return rc, out.getvalue().decode(), err.getvalue().decode()


def check(data: bytes, *extra: str) -> tuple[int, str, str]:
    return run(["check", "-", *extra], data)


def pw_json(**changes: object) -> bytes:
    obj = json.loads((Path(__file__).parents[2] / "fixtures/inputs/pw-patch-1001.json").read_text())
    obj.update(changes)
    return json.dumps(obj).encode()


# -- numbers: a length bound wherever digits become ints ------------------------------------


def test_hunk_header_with_huge_number_is_one_error_line() -> None:
    diff = "--- a/qapi/x.json\n+++ b/qapi/x.json\n@@ -" + "1" * 5000 + ",3 +1,3 @@\n a\n-b\n+c\n d\n"
    rc, _, err = check(diff.encode())
    assert rc == 2
    assert err.splitlines()[0] == "qapilint: error: <stdin>: diff line 3: hunk header number longer than 9 digits"


def test_hunk_header_numbers_up_to_nine_digits_are_read() -> None:
    diff = "--- a/qapi/x.json\n+++ b/qapi/x.json\n@@ -999999999,1 +999999999,1 @@\n-a\n+b\n"
    (p,) = load_bytes(diff.encode(), "x.diff").patches
    assert p.files[0].hunks[0].old_start == 999_999_999


@pytest.mark.parametrize("tag", ["10.2." + "1" * 5000, "1" * 5000 + ".2"])
def test_since_with_huge_number_is_a_malformed_version(tag: str) -> None:
    rc, out, _ = check(MAIL.replace("Since: 10.2", "Since: " + tag).encode(), "--format", "json")
    found = json.loads(out)["patches"][0]["findings"]
    assert rc == 1
    assert any(f["rule"] == "since-format" and "is not of the form X.Y" in f["message"] for f in found)


def test_subject_numbers_too_long_are_no_version_or_count() -> None:
    s = parse_subject("[PATCH v" + "1" * 5000 + " 5/" + "1" * 5000 + "] title")
    assert (s.version, s.number, s.total, s.title) == (1, None, None, "title")
    rc, _, _ = check(MAIL.replace("[PATCH v2 1/2]", "[PATCH v" + "1" * 5000 + " 5/" + "1" * 5000 + "]").encode())
    assert rc in (0, 1)


@pytest.mark.parametrize("value", ["9999999999 Jan 6 0:0", "6 Jan 99999999999999999999 0:0",
                                   "9999-12-31T23:59:59-23:59", "9999-12-31T23:59:59", "0001-01-01T00:00:00+23:59",
                                   "x" * 100_000])
def test_dates_out_of_range_are_no_dates(value: str) -> None:
    assert parse_date(value) is None


def test_mail_date_far_out_is_read_as_no_date() -> None:
    rc, _, err = check(MAIL.replace("Date: Tue, 4 Nov 2025 09:31:00 +0100", "Date: 9999999999 Jan 6 0:0").encode())
    assert rc in (0, 1) and "Traceback" not in err


def test_patchwork_date_far_in_the_future() -> None:
    rc, _, _ = check(pw_json(headers={}, date="9999-12-31T23:59:59"))
    assert rc in (0, 1)


# -- mail headers: the stdlib's failures become one error line -----------------------------


def test_from_header_of_one_bracket_is_no_address() -> None:
    rc, out, _ = check(MAIL.replace("From: Ada Tester <ada@example.org>", "From: <").encode(), "--format", "json")
    assert rc in (0, 1)
    assert json.loads(out)["patches"][0]["author"] in ("", None)


@pytest.mark.parametrize("value, message", [
    ("(" * 5000, "From: header longer than 1024 characters"),
    ("(" * 1000, "From: header is not an address"),
    (":" * 1020, "From: header is not an address"),
])
def test_from_header_the_stdlib_cannot_parse(value: str, message: str) -> None:
    rc, _, err = check(MAIL.replace("From: Ada Tester <ada@example.org>", "From: " + value).encode())
    assert rc == 2
    assert err.splitlines()[0] == f"qapilint: error: <stdin>: mbox: message 1 (line 2): {message}"


def test_giant_header_is_refused_in_linear_time() -> None:
    mail = MAIL.replace("Subject: [PATCH v2 1/2] qapi: add Gadget", "Subject: " + "word " * 200_000)
    rc, _, err = check(mail.encode())
    assert rc == 2
    assert err.splitlines()[0] == (f"qapilint: error: <stdin>: mbox: message 1 (line 2): mail headers larger "
                                   f"than {MAX_HEADER_BYTES // 1024} KiB; refused")


def test_header_block_ends_where_the_stdlib_body_starts() -> None:
    raw = b"Subject: a\n  b\nFrom: X <x@y>\nnot a header line\nbody\n"
    assert header_block(raw) == b"Subject: a\n  b\nFrom: X <x@y>\n"
    assert header_fields(header_block(raw).decode()) == {"subject": "a b", "from": "X <x@y>"}


def test_pseudo_from_in_the_body_is_bounded_too() -> None:
    mail = MAIL.replace("Add a struct.", "From: " + "(" * 1000 + "\n\nAdd a struct.")
    rc, _, err = check(mail.encode())
    assert rc == 2 and "From: header is not an address" in err


@pytest.mark.parametrize("charset", ["unicode_escape", "punycode", "zlib", "no-such-charset"])
def test_declared_charsets_that_are_no_character_sets(charset: str) -> None:
    mail = MAIL.replace("Message-Id:", f"Content-Type: text/plain; charset={charset}\nMessage-Id:")
    mail = mail.replace("Add a struct.", "Add a struct \\ud800.")
    (p,) = load_bytes(mail.encode(), "x.mbox").patches
    # Read as UTF-8: the escape stays text and makes no lone surrogate.
    assert p.message.startswith("Add a struct \\ud800.")
    rc, _, _ = check(mail.encode(), "--format", "json")
    assert rc in (0, 1)


# -- JSON: nesting bounded, lone surrogates cleaned at input --------------------------------


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000])
def test_deep_json_is_one_error_line(text: str) -> None:
    rc, _, err = check(text.encode())
    assert rc == 2
    assert err.startswith("qapilint: error: <stdin>: patchwork JSON: nested deeper than 64 levels at offset ")


def test_brackets_inside_json_strings_are_no_nesting() -> None:
    rc, _, _ = check(pw_json(content="[" * 1000 + "{" * 1000))
    assert rc in (0, 1)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "email", "html", "patchwork", "github"])
def test_lone_surrogates_in_patchwork_fields_reach_no_output(fmt: str) -> None:
    data = pw_json(msgid="<\ud800@x>", name="[PATCH] a \udc80 title")
    rc, out, _ = check(data, "--format", fmt)
    assert rc in (0, 1)
    assert "\ud800" not in out and "\udc80" not in out


def test_lone_surrogates_in_changes_output() -> None:
    rc, out, _ = run(["changes", "-"], pw_json(msgid="<\ud800@x>", name="[PATCH] \ud800"))
    assert rc in (0, 1) and out and "\ud800" not in out


# -- caps that keep one patch within seconds ---------------------------------------------------


def test_patch_with_too_much_schema_text_is_refused() -> None:
    rows = "".join(f"+{{ 'struct': 'S{k}', 'data': {{ 'm': 'int' }} }}\n" for k in range(14_000))
    diff = f"--- /dev/null\n+++ b/qapi/big.json\n@@ -0,0 +1,14000 @@\n{rows}"
    rc, _, err = check(diff.encode())
    assert rc == 2
    assert err.splitlines()[0].startswith("qapilint: error: <stdin>: patch <stdin>: its schema hunks hold ")
    assert err.splitlines()[0].endswith("KiB, more than 512 KiB; refused")


def test_other_files_do_not_count_toward_the_schema_cap() -> None:
    rows = "".join(f"+int x{k};\n" for k in range(60_000))
    diff = (f"--- /dev/null\n+++ b/hw/big.c\n@@ -0,0 +1,60000 @@\n{rows}"
            "--- a/qapi/x.json\n+++ b/qapi/x.json\n@@ -1,1 +1,2 @@\n ##\n+# text\n")
    (p,) = load_bytes(diff.encode(), "x.diff").patches
    assert len(p.files) == 2
