"""Doc-comment parser: structure rules (§8.2), style rules (§8.3), section model."""

from __future__ import annotations

import pytest

from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.doc_model import DocBlock, DocLine
from qapilint.qapi.doc_parser import parse_doc_block
from qapilint.source import SourceInfo

OPEN_LINE = 10


def parse(*texts: str, raw_prefix: str = "") -> tuple[DocBlock, list[SchemaError]]:
    """Parse a block whose content lines are ``texts`` (text after '# ').

    The opening '##' is on line 10, content from line 11, closer after it.
    """
    lines = []
    for k, t in enumerate(texts):
        raw = raw_prefix + ("# " + t if t else "#")
        lines.append(DocLine(OPEN_LINE + 1 + k, t, raw))
    return parse_doc_block(lines, SourceInfo("s.json", OPEN_LINE), OPEN_LINE + 1 + len(texts))


def where(err: SchemaError) -> str:
    return str(err.info)


def rules(errs: list[SchemaError]) -> list[str]:
    return [e.rule for e in errs]


# --- symbol line ---------------------------------------------------------

def test_symbol_parsed() -> None:
    block, errs = parse("@foo-bar:", "", "Text.")
    assert errs == []
    assert block.symbol == "foo-bar"
    assert block.symbol_info is not None and block.symbol_info.line == 11
    assert not block.freeform


def test_symbol_colon_missing() -> None:
    _, errs = parse("@foo", "", "Text.")
    assert rules(errs) == ["doc-symbol-colon"]
    assert errs[0].message == "line should end with ':'"
    assert where(errs[0]) == "s.json:11:1"


def test_symbol_with_trailing_text_lacks_colon() -> None:
    _, errs = parse("@foo: a struct")
    assert rules(errs) == ["doc-symbol-colon"]


def test_symbol_empty() -> None:
    _, errs = parse("@:")
    assert rules(errs) == ["doc-symbol-empty"]
    assert errs[0].message == "name required after '@'"
    assert where(errs[0]) == "s.json:11:1"


def test_empty_first_line_makes_freeform() -> None:
    block, errs = parse("", "@foo:")
    assert block.freeform
    assert rules(errs) == ["doc-freeform-description"]


def test_column_counts_indent_before_hash() -> None:
    _, errs = parse("@foo", raw_prefix="  ")
    assert where(errs[0]) == "s.json:11:3"


def test_column_uses_qemu_tab_rule() -> None:
    # QEMU's tab step from column 1 is ((1 + 7) mod 8) + 1 = 1.
    _, errs = parse("@foo", raw_prefix="\t")
    assert where(errs[0]) == "s.json:11:1"
    _, errs = parse("@foo", raw_prefix="ab\t")
    assert where(errs[0]) == "s.json:11:3"


# --- free-form ------------------------------------------------------------

def test_freeform_description_rejected() -> None:
    _, errs = parse("Heading", "=======", "", "@note: foo")
    assert rules(errs) == ["doc-freeform-description"]
    assert errs[0].message == "'@note:' not allowed in free-form documentation"
    assert where(errs[0]) == "s.json:14:1"


def test_freeform_near_misses() -> None:
    block, errs = parse("Text", "  @x: indented", "@x without colon", "@{braces} {x}")
    assert errs == []
    assert block.freeform
    assert [s.kind for s in block.sections] == ["plain"]
    assert block.sections[0].text.splitlines()[0] == "Text"


def test_freeform_empty_name() -> None:
    _, errs = parse("Text", "@: x")
    assert errs[0].message == "'@:' not allowed in free-form documentation"


# --- Features -----------------------------------------------------------

def test_features_duplicate() -> None:
    _, errs = parse("@foo:", "", "Features:", "@f: x", "", "Features:", "@g: y")
    assert rules(errs) == ["doc-features-duplicate"]
    assert errs[0].message == "duplicated 'Features:' line"
    assert where(errs[0]) == "s.json:16:1"


def test_features_single_ok() -> None:
    block, errs = parse("@foo:", "", "Features:", "", "@f: x", "", "@g: y")
    assert errs == []
    assert list(block.features()) == ["f", "g"]


def test_features_empty_before_paragraph() -> None:
    _, errs = parse("@foo:", "", "Features:", "", "Some text.")
    assert rules(errs) == ["doc-features-empty"]
    assert errs[0].message == "feature descriptions expected"
    assert where(errs[0]) == "s.json:15:1"


def test_features_empty_at_block_end() -> None:
    _, errs = parse("@foo:", "", "Features:")
    assert rules(errs) == ["doc-features-empty"]
    assert where(errs[0]) == "s.json:14:1"


def test_features_with_text_is_plain() -> None:
    block, errs = parse("@foo:", "", "Features: none")
    assert errs == []
    assert block.sections[0].kind == "plain"


# --- descriptions ---------------------------------------------------------

def test_description_after_paragraph() -> None:
    _, errs = parse("@foo:", "", "@a: x", "", "Details.", "", "@b: y")
    assert rules(errs) == ["doc-description-after-section"]
    assert errs[0].message == "description of '@b:' follows a section"
    assert where(errs[0]) == "s.json:17:1"


@pytest.mark.parametrize("between", [["Since: 1.0"], ["TODO: x"], ["Features:", "@f: x", "", "Text."]])
def test_description_after_tag_or_features(between: list[str]) -> None:
    _, errs = parse("@foo:", "", *between, "", "@b: y")
    assert rules(errs) == ["doc-description-after-section"]


def test_description_after_features_is_a_feature() -> None:
    block, errs = parse("@foo:", "", "Features:", "@f: x", "", "@b: y")
    assert errs == []
    assert list(block.features()) == ["f", "b"]


def test_intro_paragraph_and_blank_lines_do_not_interrupt() -> None:
    block, errs = parse("@foo:", "", "Intro.", "", "@a: x", "", "", "@b: y")
    assert errs == []
    assert list(block.members()) == ["a", "b"]


def test_description_inside_paragraph_is_text() -> None:
    block, errs = parse("@foo:", "", "Intro.", "@a: x")
    assert errs == []
    assert block.members() == {}
    assert block.sections[0].text == "Intro.\n@a: x"


def test_param_empty_name() -> None:
    block, errs = parse("@foo:", "", "@: x")
    assert rules(errs) == ["doc-param-empty-name"]
    assert errs[0].message == "invalid parameter name"
    assert where(errs[0]) == "s.json:13"
    assert block.members() == {}


def test_param_duplicate() -> None:
    _, errs = parse("@foo:", "", "@a: x", "@a: y")
    assert rules(errs) == ["doc-param-duplicate"]
    assert errs[0].message == "'a' parameter name duplicated"
    assert where(errs[0]) == "s.json:14"


def test_member_and_feature_may_share_a_name() -> None:
    block, errs = parse("@foo:", "", "@a: x", "", "Features:", "@a: y")
    assert errs == []
    assert block.members()["a"].text == "x"
    assert block.features()["a"].text == "y"


# --- indentation ------------------------------------------------------

def test_bad_indent() -> None:
    _, errs = parse("@foo:", "@a: line one", "  line two", "line three")
    assert rules(errs) == ["doc-bad-indent"]
    assert errs[0].message == "unexpected de-indent (expected at least 2 spaces)"
    assert where(errs[0]) == "s.json:14:1"


def test_bad_indent_counts_first_continuation() -> None:
    _, errs = parse("@foo:", "@a:", "    first", "  second")
    assert errs[0].message == "unexpected de-indent (expected at least 4 spaces)"


def test_tag_below_one_continuation_line_is_bad_indent() -> None:
    _, errs = parse("@foo:", "@a: one", "  two", "Since: 1.0")
    assert rules(errs) == ["doc-bad-indent"]


def test_leniency_after_second_continuation_line() -> None:
    block, errs = parse("@foo:", "@a: one", "  two", "  three", "Since: 1.0")
    assert errs == []
    assert block.members()["a"].text == "one\ntwo\nthree"
    since = block.tag("Since")
    assert since is not None and since.text == "1.0"


def test_deindent_after_blank_line_ends_section() -> None:
    block, errs = parse("@foo:", "@a: one", "  two", "", "Since: 1.0")
    assert errs == []
    assert block.tag("Since") is not None


def test_tag_directly_below_one_line_description() -> None:
    block, errs = parse("@foo:", "@a: one", "Returns: x")
    assert errs == []
    assert [s.kind for s in block.sections] == ["member", "tag"]


def test_description_continues_through_blank_and_indented_at() -> None:
    block, errs = parse("@foo:", "@a:", "", "   text", "   @b is part of it", "", "   more")
    assert errs == []
    assert list(block.members()) == ["a"]
    assert block.members()["a"].text == "text\n@b is part of it\n\nmore"
    assert [dl.line for dl in block.members()["a"].lines] == [12, 13, 14, 15, 16, 17]


def test_deeper_indent_kept_relative() -> None:
    block, _ = parse("@foo:", "@a: x", "  one", "    two")
    assert block.members()["a"].text == "x\none\n  two"


# --- tagged sections --------------------------------------------------

def test_tags_recognised_at_column_zero_only() -> None:
    block, errs = parse("@foo:", "", " Since: 1.0")
    assert errs == []
    assert block.tag("Since") is None


def test_tag_inside_paragraph_is_text() -> None:
    block, errs = parse("@foo:", "", "Since: 1.0", "", "Body", "Since: 2.0")
    assert errs == []
    since = block.tag("Since")
    assert since is not None and since.text == "1.0"


def test_section_duplicate() -> None:
    _, errs = parse("@foo:", "", "Since: 1.0", "", "Since: 2.0")
    assert rules(errs) == ["doc-section-duplicate"]
    assert errs[0].message == "duplicated 'Since' section"
    assert where(errs[0]) == "s.json:15"


@pytest.mark.parametrize("tag", ["Returns", "Errors"])
def test_section_duplicate_returns_errors(tag: str) -> None:
    _, errs = parse("@foo:", f"{tag}: a", f"{tag}: b")
    assert errs[0].message == f"duplicated '{tag}' section"


def test_todo_may_repeat() -> None:
    block, errs = parse("@foo:", "TODO: a", "TODO: b")
    assert errs == []
    assert [s.name for s in block.sections] == ["TODO", "TODO"]


@pytest.mark.parametrize("tag", ["Note", "Notes"])
def test_note_section(tag: str) -> None:
    _, errs = parse("@foo:", "", f"{tag}: Careful.")
    assert rules(errs) == ["doc-note-section"]
    assert errs[0].message == (
        f"The '{tag}' section is no longer supported. Please use rST's '.. note::' or "
        "'.. admonition:: notes' directives, or another suitable admonition instead.")
    assert where(errs[0]) == "s.json:13:1"


@pytest.mark.parametrize("tag", ["Example", "Examples"])
def test_example_section(tag: str) -> None:
    _, errs = parse("@foo:", "", f"{tag}:")
    assert rules(errs) == ["doc-example-section"]
    assert errs[0].message == (
        f"The '{tag}' section is no longer supported. Please use the '.. qmp-example::' "
        "directive, or other suitable markup instead.")


@pytest.mark.parametrize("text", ["Note:: literal", "Examples::", "Notable: x", "note: x"])
def test_note_example_near_misses(text: str) -> None:
    block, errs = parse("@foo:", "", text)
    assert errs == []
    assert block.sections[0].kind == "plain"


def test_note_in_freeform_is_text() -> None:
    _, errs = parse("Title", "", "Note: fine here")
    assert errs == []


@pytest.mark.parametrize(("lines", "word", "line"), [
    (["Since:"], "Since", 12),
    (["TODO:"], "Todo", 12),
    (["Errors:", "", "Since: 1.0"], "Errors", 12),
    (["@a:", "", "@b: x"], "Member", 12),
    (["Features:", "@f:"], "Feature", 13),
])
def test_section_empty(lines: list[str], word: str, line: int) -> None:
    _, errs = parse("@foo:", *lines)
    assert rules(errs) == ["doc-section-empty"]
    assert errs[0].message == f"text required after '{word}:'"
    assert where(errs[0]) == f"s.json:{line}"


def test_section_text_on_next_line_is_not_empty() -> None:
    block, errs = parse("@foo:", "@a:", "   text", "", "Returns:", "   thing")
    assert errs == []
    ret = block.tag("Returns")
    assert ret is not None and ret.text == "thing"


def test_sections_in_order_with_text() -> None:
    block, errs = parse("@cmd:", "", "Intro one.", "", "Intro two.", "", "@arg: the arg",
                        "", "Features:", "@feat: a feature", "", "Details.", "",
                        "Returns: a thing", "", "Errors:", "  - on failure", "",
                        "Since: 9.1")
    assert errs == []
    assert [(s.kind, s.name) for s in block.sections] == [
        ("plain", None), ("member", "arg"), ("feature", "feat"), ("plain", None),
        ("tag", "Returns"), ("tag", "Errors"), ("tag", "Since")]
    assert block.sections[0].text == "Intro one.\n\nIntro two."
    assert block.sections[0].info.line == 13
    assert block.tag("Errors") is not None
    assert [s.info.line for s in block.sections] == [13, 17, 20, 22, 24, 26, 29]
    assert len(block.lines) == 19


# --- style ----------------------------------------------------------------

def test_line_too_long() -> None:
    _, errs = parse("@foo:", "x" * 69)
    assert rules(errs) == ["doc-line-too-long"]
    assert errs[0].message == "documentation line longer than 70 characters"
    assert where(errs[0]) == "s.json:12:1"


def test_line_of_exactly_70_columns_ok() -> None:
    _, errs = parse("@foo:", "x" * 68)
    assert errs == []


def test_line_length_counts_characters_not_bytes() -> None:
    _, errs = parse("@foo:", "é" * 68)
    assert errs == []


def test_url_line_exempt() -> None:
    _, errs = parse("Links", "  https://example.org/" + "a" * 60, "ftp://x/" + "b" * 70)
    assert errs == []


def test_url_with_text_not_exempt() -> None:
    _, errs = parse("Links", "see https://example.org/" + "a" * 60)
    assert rules(errs) == ["doc-line-too-long"]


def test_sentence_spacing() -> None:
    _, errs = parse("@foo:", "", "Sentences need two spaces. But here is one.")
    assert rules(errs) == ["doc-sentence-spacing"]
    assert errs[0].message == "Use two spaces between sentences"
    assert errs[0].notes == ["If this not the end of a sentence, please report a bug."]
    # The '.' is at index 25 of the content, file column 28; the single
    # space after it is in column 29.
    assert where(errs[0]) == "s.json:13:29"


@pytest.mark.parametrize("text", [
    "Two spaces.  Fine.", "e.g. Like this", "(e.g. Foo)", "1. Numbered item",
    "   2. Indented item", "Lower. case after", "End.", "Version 1.2 is out",
])
def test_sentence_spacing_near_misses(text: str) -> None:
    _, errs = parse("Title", text)
    assert errs == []


@pytest.mark.parametrize("text", ["That is, i.e. Foo", "Apples etc. More", "Since 1.2. Next",
                                  "Really? Yes", "Stop! (Now)", "Ends. 2 more"])
def test_sentence_spacing_not_exempt(text: str) -> None:
    _, errs = parse("Title", text)
    assert rules(errs) == ["doc-sentence-spacing"]


def test_sentence_spacing_first_hit_only() -> None:
    _, errs = parse("Title", "One. Two. Three.")
    assert len(errs) == 1
    assert errs[0].info.col == 7


def test_literal_block_suspends_style() -> None:
    long = "x" * 80
    _, errs = parse("Title", "", "Example::", "", "  ::", "", "    " + long, "",
                    "    One. Two", "  " + long)
    # 'Example::' ends in '::' but is text; the bare '  ::' enters literal
    # mode; the first literal line fixes indent 4; indent 2 leaves it.
    assert [(e.rule, e.info.line) for e in errs] == [("doc-line-too-long", 20)]


def test_qmp_example_at_column_zero_enters_literal_mode() -> None:
    _, errs = parse("@foo:", "", ".. qmp-example::", "", "   -> " + "y" * 80)
    assert errs == []
    _, errs = parse("@foo:", "", "..  qmp-example::", "   <- " + "y" * 80)
    assert errs == []


def test_indented_qmp_example_does_not_enter_literal_mode() -> None:
    _, errs = parse("@foo:", "", "Text", "", " .. qmp-example::", "", "   -> " + "y" * 80)
    assert rules(errs) == ["doc-line-too-long"]


def test_paragraph_ending_in_double_colon_is_checked() -> None:
    _, errs = parse("Title", "Like this::", "", "   " + "z" * 80)
    assert rules(errs) == ["doc-line-too-long"]


def test_literal_with_zero_indent_lasts_to_block_end() -> None:
    _, errs = parse("Title", "::", "", "A. B", "", "    deeper", "C. D")
    assert errs == []


def test_literal_mode_reset_per_block() -> None:
    _, errs = parse("Title", "::", "", "  literal")
    assert errs == []
    _, errs = parse("Title", "  One. Two")
    assert rules(errs) == ["doc-sentence-spacing"]


def test_style_checked_on_symbol_and_tag_lines() -> None:
    _, errs = parse("@" + "s" * 70 + ":", "Since: 1.0. Really")
    assert rules(errs) == ["doc-line-too-long", "doc-sentence-spacing"]


# --- ordering ---------------------------------------------------------------

def test_style_before_structure_on_same_line() -> None:
    _, errs = parse("@foo:", "", "Since: 1.0", "", "Since: 2.0. Again " + "w" * 60)
    assert rules(errs) == ["doc-line-too-long", "doc-sentence-spacing", "doc-section-duplicate"]


def test_empty_sections_reported_after_line_errors() -> None:
    _, errs = parse("@foo:", "@a:", "", "Details.", "", "@b: x")
    assert rules(errs) == ["doc-description-after-section", "doc-section-empty"]
    assert [e.info.line for e in errs] == [16, 12]


def test_empty_block() -> None:
    block, errs = parse()
    assert errs == []
    assert block.freeform and block.sections == [] and block.end_line == 11
