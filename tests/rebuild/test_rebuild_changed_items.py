"""Hunk-only rebuild: the C hunks also name a cut definition whose items the patch only changes.

A feature added to an enum value, or to a member, adds and removes no item,
yet the C hunks may spell the changed item the way the QAPI generator does
(``FRUIT_KIND_V5`` for value ``v5`` of ``FruitKind``).  Each test builds a
schema of its own with the definition's opener and doc symbol out of view.
"""

from __future__ import annotations

from rebuild_patches import keys, make_patch

from qapilint.changes.differ import changes_for_patch
from qapilint.patch import Patch

FILLER = "".join(f"# @v{i}: value number {i}\n#\n" for i in range(12))
ENUM = ("##\n# @FruitKind:\n#\n# Kinds of fruit.\n#\n" + FILLER + "# Since: 9.0\n##\n"
        "{ 'enum': 'FruitKind',\n  'data': [ " + ",\n            ".join(f"'v{i}'" for i in range(12)) + " ] }\n")
STRUCT = ("##\n# @Basket:\n#\n# A basket.\n#\n" + FILLER + "# Since: 9.0\n##\n"
          "{ 'struct': 'Basket',\n  'data': { "
          + ",\n            ".join(f"'*v{i}': 'int'" for i in range(12)) + " } }\n")
C_OLD = "static void f(int x)\n{\n    use(x);\n}\n"
SHADES = [f"s{i}" for i in range(14)]


def _feature_owner(p: Patch) -> str:
    """The definition the patch's one added or removed feature is credited to ('?...': none)."""
    [k] = [k for k in keys(p) if k[1] == "feature"]
    return k[2]


def _enum(name: str, values: list[str]) -> str:
    data = ",\n".join(f"            '{v}'" for v in values)
    return (f"##\n# @{name}:\n#\n# What {name} is.\n#\n# Since: 9.0\n##\n"
            f"{{ 'enum': '{name}',\n  'data': [\n{data} ] }}\n\n")


def _deprecate_value(text: str, value: str = "v5") -> str:
    return text.replace(f"'{value}',", f"{{ 'name': '{value}', 'features': [ 'deprecated' ] }},")


def _deprecate_member(text: str, member: str = "v5") -> str:
    return text.replace(f"'*{member}': 'int',", f"'*{member}': {{ 'type': 'int', 'features': [ 'deprecated' ] }},")


def _c_using(line: str) -> str:
    return C_OLD.replace("    use(x);", f"    use(x);\n    {line}")


def test_feature_added_to_a_value_is_named_from_the_values_constant() -> None:
    p = make_patch(ENUM, _deprecate_value(ENUM), C_OLD, _c_using("if (x == FRUIT_KIND_V5) { warn(); }"))
    assert ("added", "feature", "FruitKind", "deprecated") in keys(p)
    notes = changes_for_patch(p).notes
    assert any("FruitKind" in n and "FRUIT_KIND_V5" in n for n in notes)


def test_a_constant_on_a_removed_c_line_names_a_changed_value() -> None:
    c_old = C_OLD.replace("    use(x);", "    use(x == FRUIT_KIND_V5);")
    c_new = c_old.replace("    use(x == FRUIT_KIND_V5);", "    warn();")
    p = make_patch(ENUM, _deprecate_value(ENUM), c_old, c_new)
    assert ("added", "feature", "FruitKind", "deprecated") in keys(p)


def test_a_constant_on_c_context_lines_only_names_nothing() -> None:
    # The C the patch changes does not use it: it is just near the change.
    c_old = C_OLD.replace("    use(x);", "    use(x == FRUIT_KIND_V5);")
    c_new = c_old.replace("    use(x == FRUIT_KIND_V5);", "    use(x == FRUIT_KIND_V5);\n    warn();")
    p = make_patch(ENUM, _deprecate_value(ENUM), c_old, c_new)
    assert _feature_owner(p).startswith("?")


def test_doc_hunk_above_and_feature_hunk_below_a_hidden_opener() -> None:
    # Hunk 1 changes the doc block (its symbol out of view), hunk 2 adds the feature; the
    # opener between them is out of view.  The C hunks name the data hunk.
    new = _deprecate_value(ENUM, "v2").replace("# Since: 9.0\n", "# Features:\n#\n# @deprecated: v2 is old.\n#\n"
                                               "# Since: 9.0\n")
    p = make_patch(ENUM, new, C_OLD, _c_using("warn_if(x == FRUIT_KIND_V2);"), context=2)
    assert len(p.files[0].hunks) == 2
    assert ("added", "feature", "FruitKind", "deprecated") in keys(p)


def test_changed_values_name_a_list_whose_added_value_the_c_hunks_do_not_spell() -> None:
    new = _deprecate_value(ENUM, "v6").replace("'v7',", "'v7',\n            'mango',")
    p = make_patch(ENUM, new, C_OLD, _c_using("warn_if(x == FRUIT_KIND_V6);"))
    assert {("added", "feature", "FruitKind", "deprecated"), ("added", "value", "FruitKind", "mango")} <= keys(p)


def test_without_c_hunks_a_changed_value_stays_anonymous() -> None:
    assert _feature_owner(make_patch(ENUM, _deprecate_value(ENUM))).startswith("?")


def test_a_constant_of_another_value_does_not_name_the_region() -> None:
    # FRUIT_KIND_V9 is a value the region shows, but not the one the patch changes.
    p = make_patch(ENUM, _deprecate_value(ENUM), C_OLD, _c_using("use(FRUIT_KIND_V9);"))
    assert _feature_owner(p).startswith("?")


def test_two_enums_with_the_changed_value_name_nothing() -> None:
    p = make_patch(ENUM, _deprecate_value(ENUM), C_OLD, _c_using("use(FRUIT_KIND_V5, TREE_KIND_V5);"))
    assert _feature_owner(p).startswith("?")


def test_a_macro_spelled_like_the_changed_value_names_nothing() -> None:
    p = make_patch(ENUM, _deprecate_value(ENUM), C_OLD, "#define FRUIT_KIND_V5 5\n" + C_OLD)
    assert _feature_owner(p).startswith("?")


def test_a_one_word_prefix_names_no_changed_value() -> None:
    p = make_patch(ENUM, _deprecate_value(ENUM), C_OLD, _c_using("use(KIND_V5);"))
    assert _feature_owner(p).startswith("?")


def test_a_changed_member_is_not_named_from_a_c_field() -> None:
    # Unlike an enum constant, a field name does not spell its type: many types have a
    # member v5, and C code the patch changes may test any of them.
    p = make_patch(STRUCT, _deprecate_member(STRUCT), C_OLD,
                   _c_using("Basket *b = get();\n    if (b->has_v5) { warn(); }"))
    assert _feature_owner(p).startswith("?")


def test_a_changed_value_does_not_name_a_member_dict() -> None:
    # The region is a struct's member dict: an enum constant says nothing about it.
    p = make_patch(STRUCT, _deprecate_member(STRUCT), C_OLD, _c_using("use(FRUIT_KIND_V5);"))
    assert _feature_owner(p).startswith("?")


def test_a_doc_symbol_seen_above_unseen_lines_does_not_name_the_value_list_below() -> None:
    # Hunk 1 adds a struct above Palette and ends in Palette's doc block (symbol in view);
    # hunk 2 adds a value deep in a list further down.  Palette's data, or any number of
    # definitions, may lie between: here the list is Shade's.
    old = _enum("Palette", ["red", "green"]) + _enum("Shade", SHADES)
    new = old.replace("##\n# @Palette:", "##\n# @Brush:\n#\n# A brush.\n#\n# Since: 9.1\n##\n"
                      "{ 'struct': 'Brush', 'data': { 'size': 'int' } }\n\n##\n# @Palette:")
    new = new.replace("            's8',\n", "            's8',\n            'dusk',\n")
    p = make_patch(old, new)
    assert len(p.files[0].hunks) == 2
    [k] = [k for k in keys(p) if k[1] == "value"]
    assert k[3] == "dusk" and k[2].startswith("?")

