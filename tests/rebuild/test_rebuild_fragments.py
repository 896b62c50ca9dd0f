"""Hunk-only rebuild: windows cut mid-definition and mid-doc, partial definitions, naming."""

from __future__ import annotations

from qapilint.patch import FileDiff, Hunk, HunkLine, Patch
from qapilint.rebuild.hunks import build, plan
from qapilint.rebuild.scan import Line, scan
from qapilint.rebuild.views import SideView
from qapilint.rebuild.window import section_name


def hunk(old_start: int, new_start: int, body: str, section: str = "") -> Hunk:
    lines = []
    for k, raw in enumerate(body.splitlines()):
        lines.append(HunkLine(kind=raw[0], text=raw[1:], patch_line=100 + k))  # type: ignore[arg-type]
    old_len = sum(1 for ln in lines if ln.kind != "+")
    new_len = sum(1 for ln in lines if ln.kind != "-")
    return Hunk(old_start, old_len, new_start, new_len, section, lines, patch_line=99)


def sides(*hunks: Hunk) -> tuple[SideView, SideView]:
    fd = FileDiff("qapi/demo.json", "qapi/demo.json", hunks=list(hunks))
    b, a = SideView(), SideView()
    build(plan(Patch(id="t", files=[fd]), [fd]), b, a)
    return b, a


def test_scan_window_starting_inside_data() -> None:
    text = ["'type': 'int', 'features': [ 'unstable' ] },", "'*b': 'str',", "'*c': 'int' } }", "", "##"]
    sc = scan([Line(t, 50 + i) for i, t in enumerate(text)], at_file_start=False, at_file_end=False)
    [e] = sc.exprs
    assert e.root.head_cut and not e.root.tail_cut
    [(key, inner)] = e.root.entries                  # its key is above the window
    assert key is None and inner.head_cut
    assert inner.plain() == {"*b": "str", "*c": "int"}   # the member cut at its start is dropped


def test_complete_definition_added() -> None:
    h = hunk(10, 10, " { 'enum': 'A', 'data': [ 'x' ] }\n \n+##\n+# @B:\n+#\n+# Some B.\n+#\n+# @m: an m\n"
                     "+#\n+# Since: 9.0\n+##\n+{ 'struct': 'B', 'data': { 'm': 'int' } }\n+\n ##\n # @C:\n #")
    b, a = sides(h)
    assert "B" in a.definitions and "B" not in b.definitions
    d = a.definitions["B"]
    assert not d.partial and d.meta == "struct" and d.data["data"] == {"m": "int"}
    assert d.doc is not None and d.doc.members()["m"].text == "an m"
    assert a.definitions["C"].partial            # only its doc opener is in view


def test_doc_opener_at_a_hunk_end_does_not_name_what_the_next_hunk_shows() -> None:
    # Hunk 1 ends just inside Info's doc block; hunks 2 and 3 are far below, where any
    # definition may have begun meanwhile: nothing ties them to Info.
    h1 = hunk(10, 10, " ##\n # @Info:\n #\n # Information.\n #")
    h2 = hunk(40, 40, " # @old: (since 1.0)\n #\n+# @new: a new one (Since 9.1)\n+#\n # Since: 1.0")
    h3 = hunk(60, 62, "   '*old': 'int',\n-  '*last': 'str' } }\n+  '*last': 'str',\n+  '*new': 'bool' } }\n \n ##")
    b, a = sides(h1, h2, h3)
    assert a.definitions["Info"].data == {}
    # The doc middle and the data tail agree (the member added is the one described): one definition.
    [key] = [k for k in a.definitions if k.startswith("?")]
    d = a.definitions[key]
    assert d.partial and d.data["data"] == {"*old": "int", "*last": "str", "*new": "bool"}
    assert d.doc is not None and "Since 9.1" in d.doc.members()["new"].text
    assert a.locs[(key, ("data", "new"))].kind == "+"
    assert b.locs[(key, ("data", "old"))].kind == " "


def test_doc_middle_named_by_the_opener_a_later_hunk_shows() -> None:
    h1 = hunk(40, 40, " # @old: (since 1.0)\n #\n+# @new: a new one (Since 9.1)\n+#\n # @other: x")
    h2 = hunk(60, 62, " # Since: 1.0\n ##\n { 'struct': 'Info',\n   'data': { '*old': 'int',\n"
                      "+            '*new': 'bool',\n             '*other': 'str' } }")
    _b, a = sides(h1, h2)
    assert set(a.definitions) == {"Info"}
    d = a.definitions["Info"]
    assert d.doc is not None and "Since 9.1" in d.doc.members()["new"].text


def test_section_text_names_a_cut_region() -> None:
    assert section_name("{ 'struct': 'Foo',") == "Foo"
    assert section_name("# @Bar:") == "Bar"
    h = hunk(80, 80, "   '*a': 'int',\n+  '*b': 'int',\n   '*c': 'int' } }", section="{ 'struct': 'Foo',")
    _b, a = sides(h)
    assert set(a.definitions) == {"Foo"} and "*b" in a.definitions["Foo"].data["data"]  # type: ignore[operator]


def test_window_inside_a_list_without_brackets() -> None:
    h = hunk(30, 30, "     'alpha',\n+    'beta',\n     'gamma',", section="{ 'enum': 'Letters',")
    _b, a = sides(h)
    assert a.definitions["Letters"].data["data"] == ["alpha", "beta", "gamma"]


def test_unnamed_region_is_kept_apart() -> None:
    h = hunk(30, 30, "     'alpha',\n+    'beta',\n     'gamma',")
    _b, a = sides(h)
    [key] = a.definitions
    assert key.startswith("?") and a.definitions[key].partial


def test_anonymous_doc_and_data_tail_share_one_key() -> None:
    doc = hunk(40, 40, " # @a: an a\n+#\n+# @b: a b\n #\n # @c: a c")
    data = hunk(55, 57, "   '*a': 'int',\n+  '*b': 'int',\n   '*c': 'int' } }")
    _b, a = sides(doc, data)
    [key] = a.definitions
    d = a.definitions[key]
    assert key.startswith("?") and d.name == key            # the key is the name changes carry
    assert d.doc is not None and [s.name for s in d.doc.sections] == ["a", "b", "c"]
    assert "*b" in d.data["data"]  # type: ignore[operator]


def test_anonymous_carry_refused_when_the_shapes_clash() -> None:
    enum_tail = hunk(20, 20, "     'x',\n+    'y',\n     'z' ] }")
    struct_tail = hunk(60, 61, "   '*a': 'int',\n+  '*b': 'int' } }")
    _b, a = sides(enum_tail, struct_tail)
    assert len(a.definitions) == 2


def test_section_opener_gives_the_kind() -> None:
    h = hunk(80, 80, "   '*a': 'int',\n+  '*b': 'int',\n   '*c': 'int' } }", section="{ 'struct': 'Foo',")
    _b, a = sides(h)
    assert a.definitions["Foo"].meta == "struct"


def test_differ_names_anonymous_changes_by_their_key() -> None:
    from qapilint.changes.differ import diff_views
    doc = hunk(40, 40, " # @a: an a\n+#\n+# @b: a b\n #")
    data = hunk(55, 57, "   '*a': 'int',\n+  '*b': 'int',\n   '*c': 'int' } }")
    b, a = sides(doc, data)
    changes = diff_views(b, a, hunk_mode=True)
    added = [c for c in changes if c.op == "added" and c.what == "member"]
    assert [c.name for c in added] == ["b"]
    assert added[0].definition in a.definitions and added[0].doc == "a b"
