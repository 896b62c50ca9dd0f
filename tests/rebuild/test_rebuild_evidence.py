"""Hunk-only rebuild: a cut region is credited to a definition only when the evidence says so.

Each test builds a small schema of its own, changes it, and reads the
patch without a tree.  The wrong names are the kinds real patches showed:
a value list below a struct's doc opener, members below a command's doc
opener, members moved into a base whose data is out of view.
"""

from __future__ import annotations

import rebuild_patches as patches
from rebuild_patches import keys

from qapilint.changes.differ import changes_for_patch
from qapilint.patch import Patch
from qapilint.sources import load_bytes

PATH = "qapi/demo.json"


def make_patch(old: str, new: str, c_old: str = "", c_new: str = "") -> Patch:
    return patches.make_patch(old, new, c_old, c_new, qapi_path=PATH, c_path="hw/demo.c")


def names(p: Patch) -> set[str]:
    return {c.definition for c in changes_for_patch(p).changes}


def doc(name: str, members: list[str], text: str = "") -> str:
    body = "".join(f"# @{m}: the {m}\n#\n" for m in members)
    return f"##\n# @{name}:\n#\n# {text or 'What ' + name + ' is.'}\n#\n{body}# Since: 9.0\n##\n"


def struct(name: str, members: list[str], base: str = "") -> str:
    data = ",\n".join(f"            '{m}': 'int'" for m in members)
    b = f"\n  'base': '{base}'," if base else ""
    return doc(name, members) + f"{{ 'struct': '{name}',{b}\n  'data': {{\n{data} }} }}\n\n"


def enum(name: str, values: list[str]) -> str:
    data = ",\n".join(f"            '{v}'" for v in values)
    return doc(name, []) + f"{{ 'enum': '{name}',\n  'data': [\n{data} ] }}\n\n"


def command(name: str, arg_type: str) -> str:
    return doc(name, []) + f"{{ 'command': '{name}', 'boxed': true, 'data': '{arg_type}' }}\n\n"


MEMBERS = [f"m{i}" for i in range(12)]
VALUES = [f"v{i}" for i in range(14)]


def test_value_list_below_a_structs_doc_opener_is_not_the_structs() -> None:
    # A new struct is added right above ThingProps (so the hunk ends inside ThingProps'
    # doc block), and a value deep inside ThingKind's list: the value is not ThingProps'.
    old = struct("FooProps", ["size"]) + struct("ThingProps", MEMBERS) + enum("ThingKind", VALUES)
    new = old.replace("##\n# @ThingProps:", struct("BarProps", ["width"]) + "##\n# @ThingProps:")
    new = new.replace("            'v7',\n", "            'v7',\n            'bar',\n")
    got = keys(make_patch(old, new))
    assert ("added", "definition", "BarProps", None) in got
    [value] = [k for k in got if k[1] == "value"]
    assert value[3] == "bar" and value[2].startswith("?")          # "the definition around hunk 2"


def test_members_below_a_commands_doc_opener_are_not_the_commands() -> None:
    # SetArgs and Things both gain 'extra'.  The hunk in SetArgs' data ends inside the doc
    # block of set-things, whose data names SetArgs; Things' doc and data come further down.
    old = struct("SetArgs", MEMBERS) + command("set-things", "SetArgs") + struct("Things", MEMBERS)
    new = old.replace("            'm11': 'int' } }\n\n##\n# @set-things",
                      "            'm11': 'int',\n            'extra': 'int' } }\n\n##\n# @set-things")
    new = new.replace("# @m6: the m6\n#\n# @m7: the m7\n#\n# @m8: the m8\n#\n# @m9: the m9\n#\n# @m10: the m10\n"
                      "#\n# @m11: the m11\n#\n# Since: 9.0\n##\n{ 'struct': 'Things'",
                      "# @m6: the m6\n#\n# @m7: the m7\n#\n# @extra: one more\n#\n# @m8: the m8\n#\n# @m9: the m9\n"
                      "#\n# @m10: the m10\n#\n# @m11: the m11\n#\n# Since: 9.0\n##\n{ 'struct': 'Things'")
    new = new[: new.rindex("'m11': 'int' } }")] + "'m11': 'int',\n            'extra': 'int' } }\n\n"
    p = make_patch(old, new)
    assert len(p.files[0].hunks) >= 3
    got = keys(p)
    assert not any(k[2] == "set-things" for k in got)
    assert not any(d == "set-things" for d in names(p))
    # The doc hunk and the data hunk of Things agree (the member added is the one described).
    added = sorted(k[2] for k in got if k[:2] == ("added", "member"))
    assert len(added) == 2 and all(d.startswith("?") for d in added) and len(set(added)) == 2


def test_a_value_list_cannot_continue_a_struct() -> None:
    # Hunk 1 ends inside Foo's member dict, Foo's doc describing 'v3'; hunk 2 starts inside a
    # value list that shows 'v3'.  They agree on a name, but a struct has no values.
    foo = struct("Foo", ["v3"] + MEMBERS)
    old = foo + enum("Kind", VALUES)
    new = old.replace("  'data': {\n            'v3': 'int',\n", "  'data': {\n            'v3': 'int',\n"
                      "            'first': 'int',\n", 1)
    new = new.replace("            'v9',\n", "            'v9',\n            'late',\n")
    got = keys(make_patch(old, new))
    assert ("added", "member", "Foo", "first") in got
    [value] = [k for k in got if k[1] == "value"]
    assert value[3] == "late" and value[2] != "Foo"


def test_section_text_of_a_struct_does_not_name_a_value_list() -> None:
    old = enum("Kind", VALUES)
    new = old.replace("            'v9',\n", "            'v9',\n            'late',\n")
    text = patches.unified(PATH, old, new).replace("@@\n", "@@ { 'struct': 'Foo',\n", 1)
    p = load_bytes(text.encode(), "t.diff", input_format="diff").patches[0]
    assert p.files[0].hunks[0].section.startswith("{ 'struct': 'Foo'")
    [value] = keys(p)
    assert value[:2] == ("added", "value") and value[3] == "late" and value[2].startswith("?")


C_OLD = "static void f(void)\n{\n    int x = 0;\n}\n"


def test_a_definition_seen_whole_has_no_cut_parts_elsewhere() -> None:
    # The C hunks set has_extra on a Foo, but Foo is in view from opener to end in hunk 1:
    # the member added far below in a cut definition is not Foo's.
    old = struct("Foo", ["a"]) + struct("Bar", MEMBERS)
    new = old.replace("            'a': 'int' } }", "            'a': 'int',\n            'b': 'int' } }")
    new = new[: new.rindex("'m11': 'int' } }")] + "'m11': 'int',\n            'extra': 'int' } }\n\n"
    c_new = C_OLD.replace("int x = 0;", "Foo *f = get();\n    f->has_extra = true;")
    got = keys(make_patch(old, new, C_OLD, c_new))
    assert ("added", "member", "Foo", "b") in got
    [extra] = [k for k in got if k[3] == "extra"]
    assert extra[2] != "Foo"


def _command_with_args(name: str) -> str:
    return (doc(name, MEMBERS) + f"{{ 'command': '{name}',\n  'data': {{\n"
            + ",\n".join(f"            '*{m}': 'int'" for m in MEMBERS) + " } }\n\n")


def test_a_command_argument_named_from_its_handlers_parameters() -> None:
    # Hunk 1 ends at do-it's doc symbol; its doc middle and its data tail come further down
    # (one definition: they agree on 'extra').  qmp_do_it(..., bool has_extra, ...) is the
    # handler QAPI generates for do-it's arguments.
    old = struct("Before", ["a"]) + _command_with_args("do-it")
    new = old.replace("            'a': 'int' } }", "            'a': 'int',\n            'b': 'int' } }")
    new = new.replace("# @m7: the m7\n", "# @m7: the m7\n#\n# @extra: one more\n")
    new = new.replace("'*m11': 'int' } }", "'*m11': 'int',\n            '*extra': 'int' } }")
    c_old = "void qmp_do_it(bool has_m0, int64_t m0,\n               Error **errp)\n{\n}\n"
    c_new = c_old.replace("               Error **errp)", "               bool has_extra, int64_t extra,\n"
                                                          "               Error **errp)")
    p = make_patch(old, new, c_old, c_new)
    assert len(p.files[0].hunks) == 3
    assert ("added", "member", "do-it", "extra") in keys(p)
    assert any("do-it" in n and "has_extra" in n for n in changes_for_patch(p).notes)
    # Without the C hunks nothing says whose member it is.
    assert not any(k[2] == "do-it" for k in keys(make_patch(old, new)))


def test_members_moved_into_a_base_out_of_view_are_not_removed() -> None:
    # Args is renamed ParamsBase (its data mostly out of view); Params keeps one member
    # of its own and takes the rest from ParamsBase: nothing is removed for clients.
    old = struct("Args", MEMBERS) + struct("Params", MEMBERS)
    new = old.replace("# @Args:", "# @ParamsBase:").replace("{ 'struct': 'Args',", "{ 'struct': 'ParamsBase',")
    params_old = old[old.index("##\n# @Params:"):]
    new = new.replace(params_old, doc("Params", ["extra"]) + "{ 'struct': 'Params',\n  'base': 'ParamsBase',\n"
                      "  'data': { 'extra': 'int' } }\n\n")
    got = keys(make_patch(old, new))
    assert not {k for k in got if k[0] == "removed" and k[1] == "member"}
    assert ("added", "member", "Params", "extra") in got


def test_c_hunks_tie_between_twins_goes_to_where_the_schema_hunks_place_it() -> None:
    # SetArgs and Things have the same members and both gain 'extra'; the C hunks set
    # has_extra on both types.  The first pair of hunks follows SetArgs' doc opener, the
    # second follows set-things' (no candidate) and SetArgs already has 'extra': Things.
    old = struct("Before", ["a"]) + struct("SetArgs", MEMBERS) + command("set-things", "SetArgs") + struct(
        "Things", MEMBERS)
    new = old.replace("            'a': 'int' } }", "            'a': 'int',\n            'b': 'int' } }")
    new = new.replace("# @m7: the m7\n#\n", "# @m7: the m7\n#\n# @extra: one more\n#\n")
    new = new.replace("'m11': 'int' } }", "'m11': 'int',\n            'extra': 'int' } }")
    c_new = C_OLD.replace("int x = 0;", "SetArgs *a = get();\n    a->has_extra = true;\n"
                                         "    Things *t = get2();\n    t->has_extra = true;")
    p = make_patch(old, new, C_OLD, c_new)
    assert len(p.files[0].hunks) == 5
    got = {k for k in keys(p) if k[3] == "extra"}
    assert got == {("added", "member", "SetArgs", "extra"), ("added", "member", "Things", "extra")}
    # Without the tie-breaker (no hunk ends at SetArgs' doc opener) neither is named.
    new2 = new.replace("            'a': 'int',\n            'b': 'int' } }", "            'a': 'int' } }")
    got2 = {k for k in keys(make_patch(old, new2, C_OLD, c_new)) if k[3] == "extra"}
    assert len(got2) == 2 and all(k[2].startswith("?") for k in got2)


def test_the_values_a_region_shows_break_a_tie_between_enums() -> None:
    # Values move from OldKind to NewKind: both prefixes have constants for them, but only
    # NEW_KIND has one for 'v13', which the list shows too.
    old = enum("NewKind", VALUES)
    new = old.replace("            'v13' ] }", "            'v13',\n            'moved-a',\n            'moved-b' ] }")
    c_old = "int f(int k)\n{\n    return k == NEW_KIND_V13;\n}\n"
    c_new = c_old.replace("    return", "    g(OLD_KIND_MOVED_A, OLD_KIND_MOVED_B);\n"
                                      "    g(NEW_KIND_MOVED_A, NEW_KIND_MOVED_B);\n    return")
    c_new = c_new.replace("int f(int k)", "int f(int k) /* NewKind OldKind */")
    got = keys(make_patch(old, new, c_old, c_new))
    assert ("added", "value", "NewKind", "moved-a") in got
