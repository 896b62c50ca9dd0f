"""Recognising version tags and their near misses on doc lines."""

from __future__ import annotations

import pytest

from qapilint.checks.tags import find_tags


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
