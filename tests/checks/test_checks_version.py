"""Version-tag rules, each with a trigger and a near miss."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import Scenario, definition, doc_block
from hypothesis import given
from hypothesis import strategies as st

from qapilint.changes.model import Change
from qapilint.checks import version
from qapilint.findings import Severity
from qapilint.versions import Expected

NEW_STRUCT = [
    "##",
    "# @Stats:",
    "#",
    "# Statistics.",
    "#",
    "# @count: number of things",
    "#",
    "# Since: {v}",
    "##",
    "{ 'struct': 'Stats', 'data': { 'count': 'uint64' } }",
]


def new_struct(v: str) -> Scenario:
    lines = [ln.replace("{v}", v) for ln in NEW_STRUCT]
    d = definition("Stats", "struct", {"struct": "Stats", "data": {"count": "uint64"}}, 10,
                   doc_block(2, lines[1:8]))
    return Scenario(lines, set(range(1, 11)), changes=[Change("added", "definition", "Stats", meta="struct",
                                                               file="qapi/example.json", line=10)],
                    after={"Stats": d})


def rules(findings: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(f.rule for f in findings)


def test_released_version_is_an_error(expected_11_1: Expected) -> None:
    fs = version.check(new_struct("10.2").context(expected_11_1))
    assert rules(fs) == ["since-mismatch"]
    f = fs[0]
    assert f.severity == Severity.ERROR and f.line == 8
    assert "2025-12-23" in f.message and "11.1" in f.message
    assert f.provenance == "expected 11.1: test"


def test_expected_version_is_clean(expected_11_1: Expected) -> None:
    assert version.check(new_struct("11.1").context(expected_11_1)) == []


def test_later_version_is_a_warning(expected_11_1: Expected) -> None:
    [f] = version.check(new_struct("11.2").context(expected_11_1))
    assert f.rule == "since-mismatch" and f.severity == Severity.WARNING


def test_three_part_version(expected_11_1: Expected) -> None:
    assert "since-format" in rules(version.check(new_struct("11.1.0").context(expected_11_1)))


def test_missing_since_section(expected_11_1: Expected) -> None:
    sc = new_struct("11.1")
    sc.lines[7] = "# Returns nothing"
    sc.after["Stats"].doc = doc_block(2, sc.lines[1:8])
    fs = version.check(sc.context(expected_11_1))
    assert rules(fs) == ["since-missing"]
    assert "Stats" in fs[0].message


def test_malformed_since_section(expected_11_1: Expected) -> None:
    sc = new_struct("11.1")
    sc.lines[7] = "# Since 11.1"
    sc.after["Stats"].doc = doc_block(2, sc.lines[1:8])
    fs = version.check(sc.context(expected_11_1))
    assert rules(fs) == ["since-malformed"]
    assert fs[0].line == 8


def added_member(desc: str) -> Scenario:
    lines = [
        "##",
        "# @Info:",
        "#",
        "# @id: the identifier",
        "#",
        f"# @speed: {desc}",
        "#",
        "# Since: 9.1",
        "##",
        "{ 'struct': 'Info', 'data': { 'id': 'str',",
        "                              '*speed': 'uint32' } }",
    ]
    d = definition("Info", "struct", {"struct": "Info", "data": {"id": "str", "*speed": "uint32"}}, 10,
                   doc_block(2, lines[1:8]))
    return Scenario(lines, {6, 7, 11}, changes=[Change("added", "member", "Info", "speed", meta="struct",
                                                        file="qapi/example.json", line=11)], after={"Info": d})


def test_member_without_since(expected_11_1: Expected) -> None:
    fs = version.check(added_member("maximum speed").context(expected_11_1))
    assert rules(fs) == ["since-member-missing"]
    assert fs[0].item == "speed" and fs[0].line == 6


def test_member_with_right_since(expected_11_1: Expected) -> None:
    assert version.check(added_member("maximum speed (since 11.1)").context(expected_11_1)) == []


def test_member_with_wrong_since(expected_11_1: Expected) -> None:
    [f] = version.check(added_member("maximum speed (Since 10.2)").context(expected_11_1))
    assert f.rule == "since-mismatch" and f.severity == Severity.ERROR and f.line == 6


def test_member_with_wrong_version_written_as_prose(expected_11_1: Expected) -> None:
    [f] = version.check(added_member("maximum speed, 0 by default, since 10.2.").context(expected_11_1))
    assert f.rule == "since-mismatch" and f.severity == Severity.ERROR and f.line == 6 and f.col


def test_member_with_right_version_written_as_prose_asks_for_parentheses(expected_11_1: Expected) -> None:
    [f] = version.check(added_member("maximum speed since 11.1.").context(expected_11_1))
    assert f.rule == "since-member-missing" and "without the parentheses" in f.message


def added_feature(name: str, desc: str) -> Scenario:
    lines = ["##", "# @Info:", "#", "# @id: the identifier", "#", "# Features:", "#", f"# @{name}: {desc}",
             "#", "# Since: 9.1", "##", "{ 'struct': 'Info', 'data': { 'id': 'str' },",
             f"  'features': [ '{name}' ] }}"]
    d = definition("Info", "struct", {"struct": "Info", "data": {"id": "str"}, "features": [name]}, 12,
                   doc_block(2, lines[1:10]))
    return Scenario(lines, {6, 7, 8, 9, 13}, changes=[Change("added", "feature", "Info", name, meta="struct",
                                                             file="qapi/example.json", line=13)],
                    after={"Info": d})


def test_deprecating_needs_no_since(expected_11_1: Expected) -> None:
    assert version.check(added_feature("deprecated", "Use @other instead.").context(expected_11_1)) == []
    fs = version.check(added_feature("fast-path", "Takes the fast path.").context(expected_11_1))
    assert rules(fs) == ["since-member-missing"]


def test_redundant_since_in_new_definition(expected_11_1: Expected) -> None:
    sc = new_struct("11.1")
    sc.lines[5] = "# @count: number of things (since 11.1)"
    sc.after["Stats"].doc = doc_block(2, sc.lines[1:8])
    assert rules(version.check(sc.context(expected_11_1))) == ["since-redundant"]


def test_moved_definition_is_not_new(expected_11_1: Expected) -> None:
    sc = new_struct("2.5")
    sc.changes.append(Change("removed", "definition", "Stats", meta="struct", file="qapi/other.json"))
    assert version.check(sc.context(expected_11_1)) == []


def test_edited_tag() -> None:
    sc = added_member("maximum speed (since 11.1)")
    sc.changes = []
    sc.removed = ["# @speed: maximum speed (since 10.0)"]
    fs = version.check(sc.context(None))
    assert rules(fs) == ["since-edited"]


def test_edited_tag_is_judged_by_the_release_it_names() -> None:
    """'10.2' -> '10.2.0' changes a spelling, not a release; the message names releases, so it reads
    the same before and after --fix repairs the spelling."""
    sc = added_member("maximum speed (since 10.2.0)")
    sc.changes = []
    sc.removed = ["# @speed: maximum speed (since 10.2)"]
    assert rules(version.check(sc.context(None))) == ["since-format"]
    sc = added_member("maximum speed (since 11.1.0)")
    sc.changes = []
    sc.removed = ["# @speed: maximum speed (since 10.0.92)"]
    fs = version.check(sc.context(None))
    assert rules(fs) == ["since-edited", "since-format"]
    assert "changed from 10.0.92 to 11.1;" in next(f for f in fs if f.rule == "since-edited").message


def test_edited_tag_allowed_when_message_says_so() -> None:
    sc = added_member("maximum speed (since 11.1)")
    sc.changes = []
    sc.removed = ["# @speed: maximum speed (since 10.0)"]
    sc.message = "Fix the since tag of @speed, it landed in 11.1."
    ctx = sc.context(None)
    ctx.patch.title = "qapi: fix since version of Info.speed"
    assert version.check(ctx) == []


def test_series_inconsistency(expected_11_1: Expected) -> None:
    a = version.tag_versions(new_struct("11.1").context(expected_11_1))
    b = version.tag_versions(new_struct("11.1").context(expected_11_1))
    c = version.tag_versions(new_struct("11.0").context(expected_11_1))
    fs = version.check_series([a, b, c])
    assert len(fs) == 1 and "11.0" in fs[0].message
    assert version.check_series([a, b]) == []


def test_renamed_definition_keeps_its_since(expected_11_1: Expected) -> None:
    # Only the name lines change: the 'Since:' line is context, written when the type was added.
    sc = new_struct("2.6")
    sc.added = {2, 10}
    sc.removed = ["# @OldStats:", "{ 'struct': 'OldStats', 'data': { 'count': 'uint64' } }"]
    assert version.check(sc.context(expected_11_1)) == []


def test_new_definition_with_written_stale_since_still_flagged(expected_11_1: Expected) -> None:
    sc = new_struct("2.6")
    sc.added = {2, 8, 10}
    assert rules(version.check(sc.context(expected_11_1))) == ["since-mismatch"]


def test_format_of_a_rewrapped_existing_tag_is_not_reported(expected_11_1: Expected) -> None:
    sc = added_member("maximum speed  (since 9.2.0)")
    sc.changes = []
    sc.added = {6}
    sc.removed = ["# @speed: maximum speed (since 9.2.0)"]
    assert version.check(sc.context(expected_11_1)) == []


def test_three_part_inline_note_is_a_warning_section_an_error(expected_11_1: Expected) -> None:
    [f] = [f for f in version.check(added_member("maximum speed (since 11.1.0)").context(expected_11_1))
           if f.rule == "since-format"]
    assert f.severity == Severity.WARNING
    [g] = [f for f in version.check(new_struct("11.1.0").context(expected_11_1)) if f.rule == "since-format"]
    assert g.severity == Severity.ERROR
    [h] = [f for f in version.check(added_member("maximum speed (since 11.0.50)").context(expected_11_1))
           if f.rule == "since-format"]
    assert h.severity == Severity.ERROR


def headless_fragments(desc_a: str, desc_b: str) -> Scenario:
    """Two doc fragments describing 'speed' and a code fragment, the definition heads out of view."""
    lines = [
        "#     the first type.",            # 1: doc fragment of some other type
        "#",
        f"# @speed: {desc_a}",              # 3
        "#",
        "# Since: 9.0",
        "##",
        "#     the second type.",           # 7: doc fragment of the type being extended
        "#",
        f"# @speed: {desc_b}",              # 9
        "#",
        "# Since: 9.1",
        "##",
        "            '*rate': 'int',",      # 13: its code fragment
        "            '*speed': 'uint32' } }",
    ]
    a = definition("?qapi/example.json#1", "", {}, 0, doc_block(1, lines[0:5]), partial=True)
    b = definition("?qapi/example.json#2", "", {}, 0, doc_block(7, lines[6:11]), partial=True)
    code = definition("?qapi/example.json#3", "", {}, 0, None, partial=True)
    for dd in (a, b):
        assert dd.doc is not None
        dd.doc.symbol = None
    return Scenario(lines, {9, 10, 14}, changes=[Change("added", "member", "", "speed", partial=True,
                                                        file="qapi/example.json", line=14)],
                    after={a.name: a, b.name: b, code.name: code})


def test_member_of_headless_fragment_uses_nearest_description(expected_11_1: Expected) -> None:
    [f] = version.check(headless_fragments("old (since 9.0)", "new speed (since 10.0)").context(expected_11_1))
    assert f.rule == "since-mismatch" and f.line == 9 and "10.0" in f.message


def test_member_of_headless_fragment_without_since(expected_11_1: Expected) -> None:
    [f] = version.check(headless_fragments("old (since 9.0)", "new speed").context(expected_11_1))
    assert f.rule == "since-member-missing" and f.line == 9 and f.item == "speed"


def test_member_moved_with_its_tag_is_not_judged(expected_11_1: Expected) -> None:
    sc = added_member("maximum speed (since 9.1)")
    sc.removed = ["# @speed: maximum speed (since 9.1)"]  # from another definition's doc
    assert version.check(sc.context(expected_11_1)) == []


def test_member_tag_older_than_its_definition_is_a_warning(expected_11_1: Expected) -> None:
    [f] = version.check(added_member("maximum speed (since 2.4)").context(expected_11_1))
    assert f.rule == "since-mismatch" and f.severity == Severity.WARNING and "copied" in f.message
    [g] = version.check(added_member("maximum speed (since 10.0)").context(expected_11_1))
    assert g.severity == Severity.ERROR


def test_member_note_split_over_two_lines(expected_11_1: Expected) -> None:
    sc = added_member("maximum speed (since")
    sc.lines.insert(6, "#     11.1)")
    sc.added = {6, 7, 8, 12}
    sc.after["Info"].doc = doc_block(2, sc.lines[1:9])
    assert version.check(sc.context(expected_11_1)) == []


def test_copied_member_keeps_old_tag_as_warning(expected_11_1: Expected) -> None:
    sc = added_member("maximum speed (since 10.0)")
    src = definition("Caps", "enum", {"enum": "Caps", "data": ["speed"]}, 30,
                     doc_block(22, ["# @Caps:", "#", "# @speed: maximum speed (since 10.0)", "#", "# Since: 9.0"]))
    sc.before = {"Caps": src}
    [f] = version.check(sc.context(expected_11_1))
    assert f.rule == "since-mismatch" and f.severity == Severity.WARNING and "'Caps'" in f.message


def test_tag_naming_the_frozen_release_is_a_warning() -> None:
    exp = Expected((11, 1), "expected 11.1: VERSION is 10.2.91", frozen=(11, 0))
    sc = new_struct("11.0")
    sc.date = dt.datetime(2026, 3, 30, tzinfo=dt.timezone.utc)
    [f] = version.check(sc.context(exp))
    assert f.rule == "since-mismatch" and f.severity == Severity.WARNING and "freeze" in f.message
    [g] = version.check(new_struct("10.1").context(exp))
    assert g.severity == Severity.ERROR


# -- the commit message saying it fixes tags: linear, same answers as the one-regex form ----------

_ONE_REGEX = re.compile(r"\b(fix|correct|update|adjust)\w*\b.*\b(since|version)\b|\b(since|version)\b.*"
                        r"\b(tag|annotation|doc)\w*\b.*\b(fix|correct|wrong)", re.IGNORECASE)
_WORDS = ["fix", "Fixes", "correct", "update", "adjusted", "since", "Version", "versions", "doc", "tags",
          "annotation", "wrong", "prefix", "x", "_", " ", " ", "-", ".", "\n", "\r"]


@given(st.lists(st.sampled_from(_WORDS), max_size=14))
def test_says_fixes_tags_agrees_with_the_regex(words: list[str]) -> None:
    text = "".join(words)
    assert version.says_fixes_tags(text) == bool(_ONE_REGEX.search(text))


@pytest.mark.parametrize("text", ["since doc " * 800, "fix " * 25_000, "since doc fix" * 8000])
def test_says_fixes_tags_on_long_lines(text: str) -> None:
    # One 8 KB line of these words took the one-regex form 20 s; the answers stay the same.
    assert version.says_fixes_tags(text) == ("fix" in text and "since" in text)


def test_misspelled_version_is_judged_by_the_release_it_names(expected_11_1: Expected) -> None:
    """'(since 10.3.0)' is release 10.3: the wrong release is said at once, and one edit repairs
    the spelling and the release (the format finding carries the same fix)."""
    fs = version.check(added_member("maximum speed (since 10.2.0)").context(expected_11_1))
    assert rules(fs) == ["since-format", "since-mismatch"]
    fmt, mismatch = sorted(fs, key=lambda f: f.rule)
    assert "says 10.2, but this is new in 11.1" in mismatch.message
    assert mismatch.fix is not None and mismatch.fix.description == "replace '10.2.0' with '11.1'"
    assert fmt.fix == mismatch.fix
    # The right release misspelled: only the spelling is wrong, and its fix writes the release.
    [f] = version.check(added_member("maximum speed (since v11.1)").context(expected_11_1))
    assert f.rule == "since-format" and f.fix is not None and f.fix.description == "replace 'v11.1' with '11.1'"


def test_misspelled_section_of_a_new_definition(expected_11_1: Expected) -> None:
    fs = version.check(new_struct("10.2.0").context(expected_11_1))
    assert rules(fs) == ["since-format", "since-mismatch"]
    assert {f.fix.description for f in fs if f.fix is not None} == {"replace '10.2.0' with '11.1'"}
    # Two releases accepted: no certain release; the spelling fix alone, the mismatch still said.
    two = Expected((11, 1), "expected 11.1: test", also=frozenset({(11, 2)}))
    fs = version.check(new_struct("10.2.0").context(two))
    assert rules(fs) == ["since-format", "since-mismatch"]
    assert [f.fix.description if f.fix else None for f in sorted(fs, key=lambda f: f.rule)] == [
        "replace '10.2.0' with '10.2'", None]


def _section_replaced(before_name: str) -> list[str]:
    """'Since: 4.2' removed from the doc block of ``before_name`` (old lines 2-4) while the new
    struct Stats, whose block covers the same place, says 'Since: 11.1'."""
    sc = new_struct("11.1")
    sc.changes = []
    sc.removed = ["# Since: 4.2"]
    sc.before = {before_name: definition(before_name, "struct", {"struct": before_name, "data": {}}, 6,
                                         doc_block(2, [f"# @{before_name}:", "#", "# Since: 4.2"]))}
    ctx = sc.context(None)
    (gone,) = [ln for ln in ctx.patch.files[0].hunks[0].lines if ln.kind == "-"]
    gone.old_no = 4
    return rules(version.check(ctx))


def test_a_section_tag_is_edited_only_within_one_definition() -> None:
    assert _section_replaced("Stats") == ["since-edited"]


def test_another_definitions_section_gone_is_no_edit() -> None:
    # A refactor that renames or replaces a definition: its 'Since: 4.2' goes, and the new
    # definition's own section is no edited tag (and --fix adding one is no edit either).
    assert _section_replaced("NbdServerOptions") == []
