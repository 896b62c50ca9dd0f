"""Subject prefixes, trailers, dates and message splitting."""

from __future__ import annotations

import datetime as dt

import pytest

from qapilint.sources.message import parse_date, parse_subject, split_message, trailers


@pytest.mark.parametrize("subject, prefixes, version, number, total, title", [
    ("[PATCH v3 2/5] qapi: add foo", ["PATCH", "v3", "2/5"], 3, 2, 5, "qapi: add foo"),
    ("[PATCH] qapi: add foo", ["PATCH"], 1, None, None, "qapi: add foo"),
    ("[RFC PATCH for-10.2 v2 1/3] x", ["RFC", "PATCH", "for-10.2", "v2", "1/3"], 2, 1, 3, "x"),
    ("[PULL V2 12/13] y", ["PULL", "V2", "12/13"], 2, 12, 13, "y"),
    ("[v3,19/51] migration: z", ["v3", "19/51"], 3, 19, 51, "migration: z"),
    ("[qemu-devel] [PATCH 0/2] cover", ["qemu-devel", "PATCH", "0/2"], 1, 0, 2, "cover"),
    ("Re: [PATCH v2] a\n  folded", ["PATCH", "v2"], 2, None, None, "a folded"),
    ("no prefixes here", [], 1, None, None, "no prefixes here"),
])
def test_parse_subject(subject: str, prefixes: list[str], version: int, number: int | None,
                       total: int | None, title: str) -> None:
    s = parse_subject(subject)
    assert (s.prefixes, s.version, s.number, s.total, s.title) == (prefixes, version, number, total, title)


def test_cover_letter_subject() -> None:
    assert parse_subject("[PATCH v2 0/4] series").is_cover
    assert not parse_subject("[PATCH v2 1/4] one").is_cover


def test_trailers_last_paragraph_only() -> None:
    msg = ("Fixes: not a trailer here because the paragraph\ncontinues with prose.\n\n"
           "Reported-by: A <a@x>\n[b: fixed typo]\nSigned-off-by: B <b@x>")
    assert trailers(msg) == [("Reported-by", "A <a@x>"), ("Signed-off-by", "B <b@x>")]


def test_no_trailers_in_prose() -> None:
    assert trailers("Note: this is prose.\nIt goes on for a while.\nAnd on.") == []


def test_split_message_at_dashes() -> None:
    msg, after = split_message("Body\n\nSigned-off-by: A <a@x>\n---\nv2: changes\n")
    assert msg == "Body\n\nSigned-off-by: A <a@x>" and after.startswith("v2: changes")


def test_dates() -> None:
    d = parse_date("Tue, 4 Nov 2025 09:30:00 +0100")
    assert d is not None and d.utcoffset() == dt.timedelta(hours=1)
    assert parse_date("2025-11-04T08:30:00") == dt.datetime(2025, 11, 4, 8, 30, tzinfo=dt.timezone.utc)
    assert parse_date("") is None and parse_date("not a date") is None
