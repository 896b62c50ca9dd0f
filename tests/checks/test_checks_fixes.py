"""Fix data on version-tag findings: each repair is an exact text edit of the line, or none at all."""

from __future__ import annotations

import pytest

from qapilint.checks.fixes import (
    format_fix,
    malformed_fix,
    mismatch_fix,
    redundant_fix,
    section_fix,
    since_note_fix,
)
from qapilint.findings import Fix
from qapilint.versions import Expected, parse_version

P = "qapi/x.json"


def _apply(text: str, fix: Fix | None) -> str:
    assert fix is not None
    (e,) = fix.edits
    assert e.start_line == e.end_line and e.line_text == text
    assert text[e.start_col - 1:e.end_col - 1] == e.old_text
    return text[:e.start_col - 1] + e.new_text + text[e.end_col - 1:]


def _exp(v: str, *also: str) -> Expected:
    ver = parse_version(v)
    assert ver is not None
    return Expected(ver, f"expected {v}: test", also=frozenset(x for a in also if (x := parse_version(a))))


@pytest.mark.parametrize(("line", "col", "fixed"), [
    ("# Since: 10.2", 10, "# Since: 11.1"),
    ("#     (Since 10.2)", 14, "#     (Since 11.1)"),
    ("# @foo: the foo (since 10.2.0)", 24, "# @foo: the foo (since 11.1)"),
])
def test_mismatch_names_the_expected_release(line: str, col: int, fixed: str) -> None:
    fix = mismatch_fix(P, 7, line, col, _exp("11.1"))
    assert _apply(line, fix) == fixed
    assert fix is not None and fix.description.startswith("replace '10.2")


def test_no_mismatch_fix_when_two_releases_are_expected() -> None:
    assert mismatch_fix(P, 7, "# Since: 10.2", 10, _exp("11.0", "11.1")) is None


@pytest.mark.parametrize(("line", "fixed"), [
    ("# Since: 10.2.0", "# Since: 10.2"),
    ("# Since: v10.2", "# Since: 10.2"),
    ("# @sm3: SM3.  (since 9.2.0)", "# @sm3: SM3.  (since 9.2)"),
])
def test_format_fix(line: str, fixed: str) -> None:
    assert _apply(line, format_fix(P, 3, line, None)) == fixed


@pytest.mark.parametrize("line", ["# Since: 10.2.50", "#     Not set if done.  (since 2.12.1)", "# Since: 10.2"])
def test_format_fix_only_when_the_release_is_certain(line: str) -> None:
    assert format_fix(P, 3, line, None) is None


@pytest.mark.parametrize(("line", "fixed"), [
    ("# Since 10.1", "# Since: 10.1"),
    ("# since: 10.1", "# Since: 10.1"),
    ("# Since : 10.1", "# Since: 10.1"),
])
def test_malformed_fix(line: str, fixed: str) -> None:
    fix = malformed_fix(P, 3, line)
    assert _apply(line, fix) == fixed


def test_indented_since_is_left_alone() -> None:
    assert malformed_fix(P, 3, "#   Since: 10.1") is None


def test_note_goes_at_the_end_of_the_description() -> None:
    assert _apply("# @foo: the foo", since_note_fix(P, 3, "# @foo: the foo", "11.1")) == "# @foo: the foo (since 11.1)"
    # After a sentence: two spaces, as QEMU's sentence-spacing rule wants.
    assert _apply("#     of the bar.", since_note_fix(P, 3, "#     of the bar.", "11.1")) == \
        "#     of the bar.  (since 11.1)"


def test_note_on_a_line_of_its_own_when_it_would_pass_70_columns() -> None:
    line = "# @foo: " + "x" * 58
    fix = since_note_fix(P, 3, line, "11.1", continuation="#     ")
    assert _apply(line, fix).split("\n") == [line, "#     (since 11.1)"]
    assert fix is not None and fix.description == "add '(since 11.1)' on a new line"


@pytest.mark.parametrize(("line", "fixed"), [
    ("# Since 10.1.0", "# Since: 10.1"),
    ("# since v10.1", "# Since: 10.1"),
    ("# Since 10.1.50", "# Since: 10.1.50"),      # the release is a guess: only the section word
])
def test_malformed_fix_also_spells_the_release(line: str, fixed: str) -> None:
    assert _apply(line, malformed_fix(P, 3, line)) == fixed


def _col(line: str, version: str) -> int:
    return line.rindex(version) + 1


@pytest.mark.parametrize(("line", "fixed"), [
    ("# @speed: maximum speed (since 11.1)", "# @speed: maximum speed"),
    ("# @speed: maximum speed.  (since 11.1)", "# @speed: maximum speed."),
    ("#     of the device (Since 11.1), in bytes", "#     of the device, in bytes"),
    ("# @speed: maximum speed (since 11.1.0)", "# @speed: maximum speed"),   # the spelling goes with it
])
def test_redundant_note_removed_when_it_names_the_new_definitions_release(line: str, fixed: str) -> None:
    fix = redundant_fix(P, 9, line, _col(line, "11.1"), _exp("11.1"))
    assert _apply(line, fix) == fixed
    assert fix is not None and fix.description.startswith("remove '(")


@pytest.mark.parametrize(("line", "version", "exp"), [
    ("#     (since 11.1)", "11.1", ("11.1",)),                    # alone: an empty doc line would end the text
    ("# @speed: maximum speed (since 2.8)", "2.8", ("11.1",)),    # older: maybe a moved member's history
    ("# @speed: maximum speed (since 11.1)", "11.1", ("11.0", "11.1")),   # no one certain release
])
def test_no_redundant_fix_when_removal_is_not_certain(line: str, version: str, exp: tuple[str, ...]) -> None:
    assert redundant_fix(P, 9, line, _col(line, version), _exp(*exp)) is None


@pytest.mark.parametrize(("previous", "new"), [
    ("# @alarms: number of times the alarm fired", "#\n# Since: 11.1\n"),
    ("#", "# Since: 11.1\n"),
])
def test_section_added_above_the_blocks_end(previous: str, new: str) -> None:
    fix = section_fix(P, 12, "##", previous, "11.1")
    assert fix is not None and fix.description == "add 'Since: 11.1'"
    (e,) = fix.edits
    assert (e.start_line, e.start_col, e.end_col, e.old_text, e.new_text) == (12, 1, 1, "", new)


@pytest.mark.parametrize(("text", "previous"), [
    ("  ##", "  # @a: b"),          # not at the left edge
    ("##", "##"),                   # nothing between the block's ends
    ("##", None),
    ("{ 'struct': 'S' }", "##"),    # not a block's end
])
def test_no_section_fix_where_the_block_end_is_not_plain(text: str, previous: str | None) -> None:
    assert section_fix(P, 12, text, previous, "11.1") is None
