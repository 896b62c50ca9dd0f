"""The example family in a patch: new and edited examples, stale ones, commit-message QMP."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import PATH, Scenario, definition, doc_block

from qapilint.changes.model import Change
from qapilint.checks import example
from qapilint.pipeline import CheckOptions, check_patch
from qapilint.sources import load

STATS = {"struct": "WidgetStats", "data": {"hits": "uint32", "*misses": "uint32"}}
QUERY = {"command": "query-widget-stats", "data": {"id": "str"}, "returns": "WidgetStats"}

DOC = [
    "##",
    "# @query-widget-stats:",
    "#",
    "# @id: the widget",
    "#",
    "# .. qmp-example::",
    "#",
    '#     -> { "execute": "query-widget-stats", "arguments": { "id": "w0" } }',
    '#     <- { "return": { "hits": 3, "colour": "red" } }',
    "#",
    "# Since: 11.0",
    "##",
    "{ 'command': 'query-widget-stats', 'data': { 'id': 'str' },",
    "  'returns': 'WidgetStats' }",
]


def defs(stats: dict[str, object] = STATS, query: dict[str, object] = QUERY,
         with_doc: bool = True) -> dict[str, object]:
    doc = doc_block(2, DOC[1:11]) if with_doc else None
    return {"WidgetStats": definition("WidgetStats", "struct", stats, 30),
            "query-widget-stats": definition("query-widget-stats", "command", query, 13, doc=doc)}


def test_a_new_example_is_checked_at_its_lines() -> None:
    sc = Scenario(DOC, set(range(1, 15)), after=defs())  # type: ignore[arg-type]
    [f] = example.check(sc.context())
    assert f.rule == "example-unknown-member" and f.file == PATH and f.line == 9
    assert DOC[8][f.col - 1:].startswith('"colour"')
    assert f.patch_line is not None and f.definition == "query-widget-stats"


def test_an_untouched_example_is_not_reported_without_a_tree() -> None:
    sc = Scenario(DOC, {13}, after=defs())  # type: ignore[arg-type]
    assert example.check(sc.context()) == []


def test_a_type_out_of_view_needs_a_tree() -> None:
    after = defs()
    del after["WidgetStats"]
    sc = Scenario(DOC, set(range(1, 15)), after=after)  # type: ignore[arg-type]
    [f] = example.check(sc.context())
    assert f.rule == "example-needs-tree" and "'WidgetStats'" in f.message


def test_a_partial_definition_reports_no_unknown_or_missing_member() -> None:
    after = defs()
    after["WidgetStats"] = definition("WidgetStats", "struct", {"struct": "WidgetStats", "data": {}}, 30,
                                      partial=True)
    sc = Scenario(DOC, set(range(1, 15)), after=after)  # type: ignore[arg-type]
    assert [f.rule for f in example.check(sc.context())] == []


def test_stale_example_with_a_tree_says_which_change() -> None:
    fixed = DOC[:8] + ['#     <- { "return": { "hits": 3 } }'] + DOC[9:]
    new_stats = {"struct": "WidgetStats", "data": {"count": "uint32", "*misses": "uint32"}}
    sc = Scenario(fixed, set(), complete=True,
                  after=defs(new_stats), before=defs(),  # type: ignore[arg-type]
                  changes=[Change("removed", "member", "WidgetStats", "hits", meta="struct", file=PATH,
                                  line=31),
                           Change("added", "member", "WidgetStats", "count", meta="struct", file=PATH,
                                  line=31)])
    sc.after["query-widget-stats"].doc = doc_block(2, fixed[1:11])  # type: ignore[attr-defined]
    sc.before["query-widget-stats"].doc = doc_block(2, fixed[1:11])  # type: ignore[attr-defined]
    found = example.check(sc.context())
    assert [f.rule for f in found] == ["example-stale", "example-stale"]
    unknown = next(f for f in found if "not a member" in f.message)
    missing = next(f for f in found if "missing" in f.message)
    assert "'hits' is not a member of 'WidgetStats'" in unknown.message
    assert "the patch removes member 'hits' of 'WidgetStats'" in unknown.notes[0]
    assert "'count'" in missing.message and "adds member 'count'" in missing.notes[0]
    assert unknown.line == 9


def test_no_stale_finding_for_problems_the_example_always_had() -> None:
    sc = Scenario(DOC, set(), complete=True, after=defs(), before=defs(),  # type: ignore[arg-type]
                  changes=[Change("added", "member", "WidgetStats", "misses", meta="struct", file=PATH, line=31)])
    assert example.check(sc.context()) == []


def test_reindented_example_keeps_its_old_problems_to_itself() -> None:
    moved = [ln.replace("#     ", "#       ") if "->" in ln or "<-" in ln else ln for ln in DOC]
    sc = Scenario(moved, {8, 9}, removed=DOC[7:9], complete=True,
                  after=defs(), before=defs())  # type: ignore[arg-type]
    sc.after["query-widget-stats"].doc = doc_block(2, moved[1:11])  # type: ignore[attr-defined]
    assert example.check(sc.context()) == []


def test_an_edited_example_with_a_tree_reports_what_its_new_text_gets_wrong() -> None:
    before = DOC[:8] + ['#     <- { "return": { "hits": 3 } }'] + DOC[9:]
    sc = Scenario(DOC, {9}, removed=[before[8]], complete=True,
                  after=defs(), before=defs())  # type: ignore[arg-type]
    sc.before["query-widget-stats"].doc = doc_block(2, before[1:11])  # type: ignore[attr-defined]
    [f] = example.check(sc.context())
    assert f.rule == "example-unknown-member" and f.line == 9 and "'colour'" in f.message


def msg_scenario(message: str) -> Scenario:
    return Scenario(DOC[12:], {1, 2}, after=defs(with_doc=False), message=message)  # type: ignore[arg-type]


def test_commit_message_syntax_and_mismatch() -> None:
    msg = ("Add the command.\n\nThe type: WidgetStats { 'hits': 'uint32' }\n\n"
           '-> {"execute": "query-widget-stats", "arguments": {"id": "w0"}}\n'
           '<- {"return": {"hits": "3", "misses": 1,}}\n')
    found = example.check(msg_scenario(msg).context())
    assert sorted(f.rule for f in found) == ["example-commit-mismatch", "example-commit-syntax"]
    syntax = next(f for f in found if f.rule == "example-commit-syntax")
    line = '<- {"return": {"hits": "3", "misses": 1,}}'
    col = line.index(",}") + 1
    assert syntax.file is None and syntax.message.startswith(f"commit message line 6, column {col}: trailing comma")
    assert syntax.notes == [f"6 | {line}"]


def test_commit_message_partial_output_and_other_commands_are_fine() -> None:
    msg = ('{"execute": "query-widget-stats", "arguments": {"id": "w0"}}\n{"return": {"hits": 3}}\n'
           '{"execute": "query-gadgets"}\n{"return": [{"x": 1}]}\n')
    # Without a tree, the command out of view is only named in a note.
    [f] = example.check(msg_scenario(msg).context())
    assert f.rule == "example-needs-tree" and "'query-gadgets'" in f.message


def test_seed_trailing_comma_reported_member_names_not(seed_json: Path) -> None:
    patch = load(str(seed_json)).patches[0]
    rep = check_patch(patch, CheckOptions())
    mine = [f for f in rep.findings if f.family == "example"]
    syntax = [f for f in mine if f.rule == "example-commit-syntax"]
    assert len(syntax) == 1 and "trailing comma before ']'" in syntax[0].message
    assert not [f for f in mine if f.rule == "example-commit-mismatch"]
    for name in ("device-state-times", "instance-id", "save-time"):
        assert all(name not in f.message for f in mine)


def test_seed_with_a_tree_checks_the_reply_against_the_patched_schema(seed_json: Path, qemu_clone: Path) -> None:
    patch = load(str(seed_json)).patches[0]
    rep = check_patch(patch, CheckOptions(tree=str(qemu_clone)))
    mine = [f for f in rep.findings if f.family == "example"]
    assert [f.rule for f in mine] == ["example-commit-syntax"]
    assert json.dumps([f.message for f in mine]).count("trailing comma") == 1


def test_stale_missing_members_are_only_the_new_ones() -> None:
    ok = DOC[:8] + ['#     <- { "return": { "hits": 3 } }'] + DOC[9:]
    old_stats = {"struct": "WidgetStats", "data": {"hits": "uint32", "misses": "uint32"}}
    new_stats = {"struct": "WidgetStats", "data": {"hits": "uint32", "misses": "uint32", "drops": "uint32"}}
    sc = Scenario(ok, set(), complete=True, after=defs(new_stats), before=defs(old_stats),  # type: ignore[arg-type]
                  changes=[Change("added", "member", "WidgetStats", "drops", meta="struct", file=PATH, line=31,
                                  detail="'uint32'")])
    for side in (sc.after, sc.before):
        side["query-widget-stats"].doc = doc_block(2, ok[1:11])  # type: ignore[attr-defined]
    [f] = example.check(sc.context())
    assert f.rule == "example-stale" and f.message.endswith("mandatory member 'drops' of 'WidgetStats' is missing")
    assert "adds member 'drops'" in f.notes[0]
