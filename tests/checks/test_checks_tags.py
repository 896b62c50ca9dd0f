"""Recognising version tags and their near misses on doc lines."""

from __future__ import annotations

import pytest

from qapilint.checks.tags import find_prose_tags, find_tags, find_tags_in_text, find_wrapped_tags


def test_proper_section() -> None:
    [t] = find_tags("# Since: 10.2")
    assert t.kind == "section" and t.proper and t.version == (10, 2) and t.format_problem is None
    assert t.col == 10


@pytest.mark.parametrize(("line", "problem"), [
    ("# Since 10.0", "missing colon"),
    ("# since: 10.0", "should be 'Since'"),
    ("#     Since: 9.1", "indented"),
])
def test_malformed_sections(line: str, problem: str) -> None:
    [t] = find_tags(line)
    assert t.kind == "section" and not t.proper
    assert t.problem is not None and problem in t.problem


@pytest.mark.parametrize("line", ["# @x: foo (Since 10.2)", "# @x: foo (since: 10.2)",
                                  "#     bar.  (since 10.2; default: off)", "# @unstable: since 10.2"])
def test_inline_tags(line: str) -> None:
    [t] = find_tags(line)
    assert t.kind == "inline" and t.version == (10, 2)


@pytest.mark.parametrize(("text", "needle"), [
    ("10.2.0", "three components"), ("v10.2", "'v' prefix"), ("10.2.50", "development"),
    ("10.1.92", "development"),
])
def test_format_problems(text: str, needle: str) -> None:
    [t] = find_tags(f"# Since: {text}")
    assert t.format_problem is not None and needle in t.format_problem


def test_prose_is_not_a_tag() -> None:
    assert find_tags("# Since the device is reset, nothing remains.") == []
    assert find_tags("{ 'struct': 'Since' }") == []


def test_note_split_over_two_lines() -> None:
    lines = [(10, "# @x: pause before switching over (since"), (11, "#     2.11)"), (12, "#")]
    assert find_tags(lines[0][1]) == []
    [(n, t)] = find_wrapped_tags(lines)
    assert n == 11 and t.version == (2, 11) and t.col == 7
    [u] = find_tags_in_text("pause before switching over (since\n2.11)")
    assert u.version == (2, 11)


def test_since_written_as_prose() -> None:
    [(n, t)] = find_prose_tags([(5, "# @x: polling weight (default: 0) since 10.1.")])
    assert n == 5 and t.version == (10, 1) and not t.proper
    assert find_prose_tags([(5, "# @x: foo (since 10.1)")]) == []      # a proper note, not prose
    assert find_prose_tags([(5, "# Since the reset, nothing.")]) == []
