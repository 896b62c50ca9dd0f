"""Hunk-only rebuild: naming a definition whose opener and doc symbol are out of view from the C hunks."""

from __future__ import annotations

from rebuild_patches import keys, make_patch, unified

from qapilint.changes.differ import changes_for_patch
from qapilint.rebuild.naming import upper_name
from qapilint.sources import load_bytes

FILLER = "".join(f"# @v{i}: value number {i}\n#\n" for i in range(12))

ENUM = ("##\n# @FruitKind:\n#\n# Kinds of fruit.\n#\n" + FILLER + "# Since: 9.0\n##\n"
        "{ 'enum': 'FruitKind',\n  'data': [ " + ",\n            ".join(f"'v{i}'" for i in range(12)) + " ] }\n")

STRUCT = ("##\n# @Basket:\n#\n# A basket.\n#\n" + FILLER + "# Since: 9.0\n##\n"
          "{ 'struct': 'Basket',\n  'data': { "
          + ",\n            ".join(f"'v{i}': 'int'" for i in range(12)) + " } }\n")


def _add_value(text: str) -> str:
    return text.replace("'v11' ]", "'v11',\n            'mango' ]")


def _add_member(text: str) -> str:
    return text.replace("'v11': 'int' }", "'v11': 'int',\n            '*mango-count': 'int' }")


C_OLD = "static void f(void)\n{\n    int x = 0;\n}\n"


def test_upper_name_follows_the_generators_word_breaks() -> None:
    assert upper_name("MigrationParameter") == "MIGRATION_PARAMETER"
    assert upper_name("QCryptoFoo") == "Q_CRYPTO_FOO"
    assert upper_name("CpuS390Entitlement") == "CPUS390_ENTITLEMENT"
    assert upper_name("ALREADY_UPPER") == "ALREADY_UPPER"
    assert upper_name("x-thing") == "X_THING"


def test_enum_value_named_from_c_constant_and_spelled_type() -> None:
    c_new = C_OLD.replace("int x = 0;", "int x = 0;\n    trace(FruitKind_str(FRUIT_KIND_MANGO));")
    p = make_patch(ENUM, _add_value(ENUM), C_OLD, c_new)
    assert ("added", "value", "FruitKind", "mango") in keys(p)
    notes = changes_for_patch(p).notes
    assert any("FruitKind" in n and "FRUIT_KIND_MANGO" in n for n in notes)


def test_enum_value_named_from_constant_alone() -> None:
    c_new = C_OLD.replace("int x = 0;", "int x = FRUIT_KIND_MANGO;")
    p = make_patch(ENUM, _add_value(ENUM), C_OLD, c_new)
    assert ("added", "value", "FruitKind", "mango") in keys(p)


def test_one_word_prefix_names_nothing() -> None:
    c_new = C_OLD.replace("int x = 0;", "const char *x = TYPE_MANGO;")
    p = make_patch(ENUM, _add_value(ENUM), C_OLD, c_new)
    got = keys(p)
    assert not any(k[2] == "Type" for k in got)
    assert any(k[2].startswith("?") and k[3] == "mango" for k in got)


def test_a_macro_is_not_an_enum_constant() -> None:
    c_new = "#define FRUIT_KIND_MANGO 3\n" + C_OLD
    p = make_patch(ENUM, _add_value(ENUM), C_OLD, c_new)
    assert not any(k[2] == "FruitKind" for k in keys(p))


def test_without_c_hunks_the_definition_stays_anonymous() -> None:
    p = make_patch(ENUM, _add_value(ENUM))
    assert any(k[2].startswith("?") and k[3] == "mango" for k in keys(p))


def test_struct_member_named_from_has_field_of_declared_variable() -> None:
    c_new = C_OLD.replace("int x = 0;", "Basket *b = get();\n    b->has_mango_count = true;\n    b->mango_count = 1;")
    p = make_patch(STRUCT, _add_member(STRUCT), C_OLD, c_new)
    assert ("added", "member", "Basket", "mango-count") in keys(p)


def test_plain_field_of_a_c_struct_names_nothing() -> None:
    # Any C struct can have a mango_count field; only has_FOO or the QAPI API marks a QAPI type.
    c_new = C_OLD.replace("int x = 0;", "FruitState *s = get();\n    s->mango_count = 1;")
    p = make_patch(STRUCT, _add_member(STRUCT), C_OLD, c_new)
    assert not any(k[2] == "FruitState" for k in keys(p))


def test_plain_field_of_a_type_used_with_the_qapi_api_names_it() -> None:
    c_new = C_OLD.replace("int x = 0;", "Basket *b = get();\n    b->mango_count = 1;\n    qapi_free_Basket(b);")
    p = make_patch(STRUCT, _add_member(STRUCT), C_OLD, c_new)
    assert ("added", "member", "Basket", "mango-count") in keys(p)


def test_two_candidates_with_equal_evidence_name_nothing() -> None:
    c_new = C_OLD.replace("int x = 0;", "Basket *b = get();\n    b->has_mango_count = true;\n"
                                         "    Crate *c = get2();\n    c->has_mango_count = true;\n")
    p = make_patch(STRUCT, _add_member(STRUCT), C_OLD, c_new)
    assert any(k[2].startswith("?") and k[3] == "mango-count" for k in keys(p))


def test_doc_hunk_before_the_named_hunk_joins_it() -> None:
    # Hunk 1 is inside the doc block, hunk 2 inside the data: both are Basket's.
    new = _add_member(STRUCT).replace("# @v6: value number 6\n", "# @v6: value number 6\n#\n# @mango-count: how many\n")
    c_new = C_OLD.replace("int x = 0;", "Basket *b = get();\n    b->has_mango_count = true;")
    p = make_patch(STRUCT, new, C_OLD, c_new)
    defs = {c.definition for c in changes_for_patch(p).changes}
    assert "Basket" in defs
    assert not any(d.startswith("?") for d in defs)


def test_pragma_lists_are_not_enum_values() -> None:
    old = ("{ 'pragma': { 'doc-required': true } }\n{ 'pragma': {\n    'member-name-exceptions': [\n"
           + "".join(f"        'Type{i}',\n" for i in range(10)) + "        'Type10' ] } }\n")
    new = old.replace("        'Type5',\n", "        'Type5',\n        'NewType',\n")
    p = make_patch(old, new, qapi_path="qapi/pragma.json")
    assert not any(k[3] == "NewType" for k in keys(p))


def test_a_definition_that_already_gained_the_member_is_ruled_out() -> None:
    # Both Alpha and Beta gain mango-count; C declares 'params' of both types.  Alpha's opener is
    # in view; the second hunk, which would be carried on as Alpha, can then only be Beta.
    alpha = ("##\n# @Alpha:\n#\n# Since: 9.0\n##\n{ 'struct': 'Alpha',\n  'data': { 'v0': 'int',\n"
             + "".join(f"            'v{i}': 'int',\n" for i in range(1, 12)) + "            'v12': 'int' } }\n\n")
    beta = STRUCT.replace("Basket", "Beta")
    old = alpha + beta
    new = old.replace("  'data': { 'v0': 'int',\n", "  'data': { 'v0': 'int',\n            '*mango-count': 'int',\n", 1)
    new = _add_member(new)
    c_new = C_OLD.replace("int x = 0;", "Alpha *params = a();\n    params->has_mango_count = true;\n}\n\n"
                                         "static void g(void)\n{\n    Beta *params = b();\n"
                                         "    params->has_mango_count = true;")
    p = make_patch(old, new, C_OLD, c_new)
    got = keys(p)
    assert ("added", "member", "Alpha", "mango-count") in got
    assert ("added", "member", "Beta", "mango-count") in got


def test_a_variable_has_the_type_it_was_last_declared_with_in_that_file() -> None:
    # 'p' is a Crate in f() and a Basket in g(), whose signature only git's hunk header shows.
    c_diff = ("diff --git a/hw/fruit.c b/hw/fruit.c\n--- a/hw/fruit.c\n+++ b/hw/fruit.c\n"
              "@@ -1,5 +1,5 @@\n static void f(void)\n {\n     Crate *p = get();\n"
              "-    p->lid = 0;\n+    p->lid = 1;\n }\n"
              "@@ -20,5 +20,6 @@ static void g(Basket *p)\n     x++;\n     x++;\n     x++;\n"
              "+    p->has_mango_count = true;\n }\n \n")
    text = unified("qapi/fruit.json", STRUCT, _add_member(STRUCT)) + c_diff
    p = load_bytes(text.encode(), "test.diff", input_format="diff").patches[0]
    assert p.files[1].hunks[1].section.startswith("static void g(Basket *p)")
    assert ("added", "member", "Basket", "mango-count") in keys(p)


def test_access_through_u_names_a_union_and_makes_the_items_branches() -> None:
    union = ("##\n# @Fruit:\n#\n" + FILLER + "# Since: 9.0\n##\n{ 'union': 'Fruit',\n"
             "  'base': { 'kind': 'FruitKind' },\n  'discriminator': 'kind',\n  'data': { "
             + ",\n            ".join(f"'v{i}': 'V{i}Info'" for i in range(12)) + " } }\n")
    new = union.replace("'v11': 'V11Info' }", "'v11': 'V11Info',\n            'mango': 'MangoInfo' }")
    c_new = C_OLD.replace("int x = 0;", "Fruit *f = get();\n    use(&f->u.mango);")
    p = make_patch(union, new, C_OLD, c_new)
    assert ("added", "branch", "Fruit", "mango") in keys(p)


def test_only_a_constant_the_patch_creates_names_an_added_value() -> None:
    # CRATE_KIND_MANGO already existed (it is on a context line); FRUIT_KIND_MANGO is new.
    c_old = "static int f(void)\n{\n    return CRATE_KIND_MANGO;\n}\n"
    c_new = c_old.replace("    return CRATE_KIND_MANGO;", "    use(FRUIT_KIND_MANGO);\n    return CRATE_KIND_MANGO;")
    p = make_patch(ENUM, _add_value(ENUM), c_old, c_new)
    assert ("added", "value", "FruitKind", "mango") in keys(p)


def test_doc_hunk_before_a_hunk_that_shows_the_opener_joins_that_definition() -> None:
    # Hunk 1 adds a description in the middle of Basket's doc (its symbol out of view);
    # hunk 2 shows the end of that doc block and the opener.
    new = STRUCT.replace("# @v6: value number 6\n", "# @v6: value number 6\n#\n# @mango-count: how many\n")
    new = new.replace("  'data': { 'v0': 'int',\n", "  'data': { '*mango-count': 'int',\n            'v0': 'int',\n")
    p = make_patch(STRUCT, new)
    assert len(p.files[0].hunks) == 2
    defs = {c.definition for c in changes_for_patch(p).changes}
    assert defs == {"Basket"}
