"""Schema rules on hunk fragments (no tree): QEMU's one-file checks on what a patch adds."""

from __future__ import annotations

import datetime as dt
import difflib
import re

from qapilint.changes.differ import changes_for_patch
from qapilint.checks import fragment_schema
from qapilint.checks.context import CheckContext
from qapilint.findings import Finding, Severity
from qapilint.patch import Patch
from qapilint.sources import load_bytes

DEMO = "qapi/demo.json"
RECENT = dt.datetime(2026, 1, 20, 12, 0, tzinfo=dt.timezone.utc)
OLD = dt.datetime(2025, 6, 2, 12, 0, tzinfo=dt.timezone.utc)

# A module with two documented definitions the patches below extend or leave alone.
BASE = """\
##
# = Demo
##

##
# @Info:
#
# Information.
#
# @alpha: the first
#
# @beta: the second
#
# Since: 9.0
##
{ 'struct': 'Info',
  'data': { 'alpha': 'int',
            'beta': 'str' } }

##
# @get-info:
#
# Returns information.
#
# @verbose: more detail
#
# Since: 9.0
##
{ 'command': 'get-info',
  'data': { '*verbose': 'bool' },
  'returns': 'Info' }
"""


def make_patch(old: str, new: str, when: dt.datetime = RECENT, path: str = DEMO, n: int = 3,
               extra: str = "", section: str = "") -> Patch:
    """A one-file diff; ``section`` goes after each hunk header, as git's function context does."""
    diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{path}", f"b/{path}", n=n))
    if section:
        diff = re.sub(r"(?m)^(@@ [^@]+ @@)$", lambda m: f"{m.group(1)} {section}", diff)
    p = load_bytes(f"diff --git a/{path} b/{path}\n{diff}{extra}".encode(), "t.diff", input_format="diff").patches[0]
    p.id = "p1"
    p.date = when
    return p


def run(old: str, new: str, **kw: object) -> list[Finding]:
    p = make_patch(old, new, **kw)  # type: ignore[arg-type]
    pc = changes_for_patch(p)
    ctx = CheckContext(patch=p, changes=pc, qapi_paths={f.path for f in pc.files})
    return fragment_schema.check(ctx)


def append(text: str) -> str:
    return BASE + "\n" + text


def rules(found: list[Finding], severity: Severity | None = None) -> list[str]:
    return [f.rule for f in found if f.rule != "schema-not-checked" and (severity is None or f.severity == severity)]


def line_of(text: str, needle: str) -> int:
    return next(i for i, t in enumerate(text.splitlines(), start=1) if needle in t)


NEW_CMD = """\
##
# @set-info:
#
# Sets information.
#
# @value: the new value
#
# Since: 10.2
##
{ 'command': 'set-info',
  'data': { 'value': 'int' } }
"""


def test_clean_new_definition_only_gets_the_not_checked_note() -> None:
    found = run(BASE, append(NEW_CMD))
    assert rules(found) == []
    [note] = found
    assert note.rule == "schema-not-checked" and note.severity == Severity.NOTE and note.family == "schema"
    assert "--tree" in note.message and note.file == DEMO


def test_no_note_when_no_definition_changes() -> None:
    new = BASE.replace("# = Demo", "# = Demo module")
    assert run(BASE, new) == []


def test_command_argument_case_is_an_error_at_the_definition() -> None:
    new = append(NEW_CMD.replace("@value:", "@newValue:").replace("'value'", "'newValue'"))
    [f] = [f for f in run(BASE, new) if f.rule == "name-member-case"]
    assert f.severity == Severity.ERROR and f.family == "schema"
    assert f.message == "name of 'data' member 'newValue' must not use uppercase or '_'"
    assert (f.file, f.line) == (DEMO, line_of(new, "{ 'command': 'set-info'"))
    assert f.definition == "set-info" and f.patch_line is not None


def test_struct_member_case_depends_on_the_pragma_so_is_a_note() -> None:
    new = append(NEW_CMD.replace("@set-info:", "@Extra:").replace("{ 'command': 'set-info'", "{ 'struct': 'Extra'")
                 .replace("@value:", "@my_value:").replace("'value'", "'my_value'"))
    [f] = [f for f in run(BASE, new) if f.rule == "name-member-case"]
    assert f.severity == Severity.NOTE
    assert any("member-name-exceptions" in n and "'Extra'" in n for n in f.notes)


def test_pragma_hunk_naming_the_definition_drops_the_note() -> None:
    new = append(NEW_CMD.replace("@set-info:", "@Extra:").replace("{ 'command': 'set-info'", "{ 'struct': 'Extra'")
                 .replace("@value:", "@my_value:").replace("'value'", "'my_value'"))
    pragma = ("diff --git a/qapi/pragma.json b/qapi/pragma.json\n--- a/qapi/pragma.json\n+++ b/qapi/pragma.json\n"
              "@@ -1,3 +1,4 @@\n { 'pragma': {\n     'member-name-exceptions': [\n+        'Extra',\n"
              "         'Other' ] } }\n")
    assert "name-member-case" not in rules(run(BASE, new, extra=pragma))


def test_command_name_uppercase_is_sure_underscore_is_pragma_dependent() -> None:
    upper = append(NEW_CMD.replace("set-info", "Set-info"))
    [f] = [f for f in run(BASE, upper) if f.rule == "name-command-case"]
    assert f.severity == Severity.ERROR
    under = append(NEW_CMD.replace("set-info", "set_info"))
    [g] = [f for f in run(BASE, under) if f.rule == "name-command-case"]
    assert g.severity == Severity.NOTE and any("command-name-exceptions" in n for n in g.notes)


def test_enum_value_clash_and_special_feature_on_type() -> None:
    enum = ("##\n# @Mode:\n#\n# Modes.\n#\n# @one-two: first\n#\n# @one_two: second\n#\n# Since: 10.2\n##\n"
            "{ 'enum': 'Mode', 'data': [ 'one-two', 'one_two' ] }\n")
    found = run(BASE, append(enum))
    assert "enum-value-clash" in rules(found, Severity.ERROR)
    [f] = [f for f in found if f.rule == "enum-value-clash"]
    assert f.message == "value 'one_two' collides with value 'one-two'"
    typ = ("##\n# @Old:\n#\n# Old.\n#\n# Features:\n#\n# @deprecated: gone soon\n#\n# Since: 10.2\n##\n"
           "{ 'struct': 'Old', 'data': {}, 'features': [ 'deprecated' ] }\n")
    assert "feature-special-on-type" in rules(run(BASE, append(typ)), Severity.ERROR)


def test_expression_shape_errors() -> None:
    bad = NEW_CMD.replace("'data': { 'value': 'int' } }", "'data': { 'value': 'int' }, 'allow-oob': false }")
    assert rules(run(BASE, append(bad)), Severity.ERROR) == ["flag-true-only"]
    keys = NEW_CMD.replace("{ 'command': 'set-info',", "{ 'command': 'set-info', 'retruns': 'int',")
    [f] = [f for f in run(BASE, append(keys)) if f.rule == "expr-keys-unknown"]
    assert f.message == "command has unknown key 'retruns'" and f.notes and f.notes[0].startswith("Valid keys")


def test_doc_connection_rules() -> None:
    doc = NEW_CMD.replace("# @value: the new value\n", "# @value: the new value\n#\n# @gone: not an argument\n")
    found = run(BASE, append(doc))
    [f] = [f for f in found if f.rule == "doc-documented-member-missing"]
    assert f.severity == Severity.ERROR and f.line == line_of(append(doc), "# @gone:")
    feat = NEW_CMD.replace("'data': { 'value': 'int' } }", "'data': { 'value': 'int' }, 'features': [ 'unstable' ] }")
    assert "doc-undocumented-feature" in rules(run(BASE, append(feat)), Severity.ERROR)
    undoc = NEW_CMD.replace("'data': { 'value': 'int' } }", "'data': { 'value': 'int', 'more': 'str' } }")
    [g] = [f for f in run(BASE, append(undoc)) if f.rule == "doc-undocumented-member"]
    assert g.severity == Severity.NOTE and any("documentation-exceptions" in n for n in g.notes)


def test_doc_attachment_and_parse_errors_on_added_lines() -> None:
    ret = NEW_CMD.replace("# Since: 10.2", "# Returns: nothing\n#\n# Since: 10.2")
    [f] = [f for f in run(BASE, append(ret)) if f.rule == "doc-returns-without-return"]
    assert f.line == line_of(append(ret), "# Returns: nothing")
    dup = NEW_CMD.replace("# Since: 10.2", "# Since: 10.2\n#\n# Since: 11.0")
    [g] = [f for f in run(BASE, append(dup)) if f.rule == "doc-section-duplicate"]
    assert g.message == "duplicated 'Since' section" and g.line == line_of(append(dup), "# Since: 11.0")
    space = NEW_CMD.replace("# Sets information.", "#Sets information.")
    assert "doc-missing-space" in rules(run(BASE, append(space)), Severity.ERROR)


def test_style_rules_follow_the_patch_date() -> None:
    long = NEW_CMD.replace("# Sets information.", "# Sets information. " + "Very long words here " * 3)
    assert {"doc-line-too-long", "doc-sentence-spacing"} <= set(rules(run(BASE, append(long))))
    assert rules(run(BASE, append(long), when=OLD)) == []


def test_note_section_rule_follows_the_patch_date() -> None:
    note = NEW_CMD.replace("# Since: 10.2", "# Note: careful.\n#\n# Since: 10.2")
    assert "doc-note-section" in rules(run(BASE, append(note)))
    assert "doc-note-section" not in rules(run(BASE, append(note), when=dt.datetime(2024, 5, 1)))


def test_member_added_to_a_cut_command_is_checked_on_its_line() -> None:
    new = BASE.replace("  'data': { '*verbose': 'bool' },", "  'data': { '*verbose': 'bool', '*Raw': 'bool' },")
    found = run(BASE, new, n=1)
    [f] = [f for f in found if f.rule == "name-member-case"]
    assert f.severity == Severity.ERROR and f.line == line_of(new, "'*Raw'")
    assert f.message == "name of 'data' member '*Raw' must not use uppercase or '_'"


def test_member_added_to_a_cut_struct_is_a_pragma_note() -> None:
    new = BASE.replace("            'beta': 'str' } }", "            'beta': 'str',\n            'gamma_x': 'int' } }")
    found = run(BASE, new, n=1, section="{ 'struct': 'Info',")
    [f] = [f for f in found if f.rule == "name-member-case"]
    assert f.severity == Severity.NOTE and f.line == line_of(new, "'gamma_x'")
    assert f.definition == "Info"


def test_changed_definition_reports_only_what_the_patch_introduced() -> None:
    # The pre-image already breaks a rule (its doc describes a member that
    # does not exist); the patch only adds a member, so nothing is reported.
    old = BASE.replace("# @beta: the second\n", "# @beta: the second\n#\n# @omega: stale\n")
    new = old.replace("# @beta: the second\n", "# @beta: the second\n#\n# @gamma: the third\n")
    new = new.replace("            'beta': 'str' } }", "            'beta': 'str',\n            'gamma': 'int' } }")
    found = run(old, new, n=30)
    assert rules(found, Severity.ERROR) == []
    # The same patch adding a second clashing member is reported, at the added line.
    clash = new.replace("            'gamma': 'int' } }",
                        "            'gamma': 'int',\n            'gam-ma': 'int',\n            'gam_ma': 'int' } }")
    clash = clash.replace("# @gamma: the third\n", "# @gamma: the third\n#\n# @gam-ma: one\n#\n# @gam_ma: two\n")
    [f] = [f for f in run(old, clash, n=30) if f.rule == "member-clash"]
    assert f.message == "member 'gam_ma' collides with member 'gam-ma'" and f.severity == Severity.ERROR
    assert f.line in (line_of(clash, "'gam-ma': 'int'"), line_of(clash, "'gam_ma': 'int'"))


def test_partial_doc_style_skips_a_possible_literal_block() -> None:
    old = BASE.replace("# Returns information.\n", "# Returns information.\n#\n# .. qmp-example::\n#\n"
                       "#     -> { \"execute\": \"get-info\" }\n#     <- { \"return\": {} }\n#\n# More text.\n")
    # A long line added inside the example, whose marker is out of view:
    # QEMU does not style-check literal blocks, so neither may we.
    inside = old.replace("#     <- { \"return\": {} }", "#     <- { \"return\": {} }\n#     " + "x" * 70)
    assert rules(run(old, inside, n=1)) == []
    outside = old.replace("# More text.", "# More text. And more.")
    assert rules(run(old, outside, n=1)) == ["doc-sentence-spacing"]


def test_collapsed_input_skips_doc_parse_errors() -> None:
    dup = NEW_CMD.replace("# Since: 10.2", "# Since: 10.2\n#\n# Since: 11.0")
    p = make_patch(BASE, append(dup))
    p.whitespace_collapsed = True
    pc = changes_for_patch(p)
    found = fragment_schema.check(CheckContext(patch=p, changes=pc, qapi_paths={f.path for f in pc.files}))
    assert "doc-section-duplicate" not in rules(found)


def test_tree_mode_is_left_to_the_full_frontend() -> None:
    p = make_patch(BASE, append(NEW_CMD.replace("set-info", "Set-info")))
    pc = changes_for_patch(p)
    pc.after.complete = True
    assert fragment_schema.check(CheckContext(patch=p, changes=pc, qapi_paths={f.path for f in pc.files})) == []


def test_judge_leaves_the_changeset_data_untouched() -> None:
    p = make_patch(BASE, append(NEW_CMD))
    pc = changes_for_patch(p)
    d = pc.after.definitions["set-info"]
    before = repr(d.data)
    assert fragment_schema.judge(d).defn == []
    assert repr(d.data) == before


def test_expression_visible_tracks_brackets_and_strings() -> None:
    lines = {(DEMO, 1): "{ 'struct': 'A', # '{'", (DEMO, 2): "  'data': { 'x': '}' } }"}
    assert fragment_schema.expression_visible(lines, DEMO, 1)
    assert not fragment_schema.expression_visible({(DEMO, 1): lines[(DEMO, 1)]}, DEMO, 1)
    member = {(DEMO, 5): "  }, 'b': { 'type': 'int',", (DEMO, 6): "         'if': 'X' } }"}
    assert fragment_schema.expression_visible(member, DEMO, 5, nested=True)
