"""Hunk-only rebuild of a series: what other patches show in view names the cut regions of one."""

from __future__ import annotations

import difflib

from qapilint.changes.differ import changes_for_series
from qapilint.changes.model import PatchChanges
from qapilint.patch import Series
from qapilint.sources import load_bytes

PATH = "qapi/demo.json"
Key = tuple[str, str, str, str | None]
MEMBERS = [f"m{i}" for i in range(12)]


def struct(name: str, members: list[str]) -> str:
    body = "".join(f"# @{m}: the {m}\n#\n" for m in members)
    data = ",\n".join(f"            '{m}': 'int'" for m in members)
    return (f"##\n# @{name}:\n#\n# What {name} is.\n#\n{body}# Since: 9.0\n##\n"
            f"{{ 'struct': '{name}',\n  'data': {{\n{data} }} }}\n\n")


def mbox(states: list[str]) -> Series:
    """A series whose patch k turns states[k - 1] into states[k]."""
    n = len(states) - 1
    mails = []
    for k in range(1, n + 1):
        old, new = states[k - 1], states[k]
        diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{PATH}", f"b/{PATH}"))
        mails.append(f"From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
                     f"From: A U Thor <author@example.org>\nDate: Mon, 1 Jan 2024 00:00:0{k} +0000\n"
                     f"Subject: [PATCH {k}/{n}] demo: step {k}\nMessage-ID: <step{k}@example.org>\n\n"
                     f"Step {k}.\n\nSigned-off-by: A U Thor <author@example.org>\n---\n"
                     f"diff --git a/{PATH} b/{PATH}\n{diff}-- \n2.40.0\n\n")
    return load_bytes("".join(mails).encode(), "series.mbox", input_format="mbox")


def keys(pc: PatchChanges) -> set[Key]:
    return {(c.op, c.what, c.definition, c.name) for c in pc.changes if c.op in ("added", "removed")}


def _add_last(text: str, name: str, member: str) -> str:
    """``text`` with ``member`` added after m11 of struct ``name``."""
    i = text.index(f"{{ 'struct': '{name}',")
    j = text.index("'m11': 'int' } }", i)
    return text[:j] + f"'m11': 'int',\n            '{member}': 'int' }} }}" + text[j + len("'m11': 'int' } }"):]


def test_a_definition_an_earlier_patch_adds_names_a_later_patchs_cut_region() -> None:
    base = struct("Other", ["x"])
    one = base + struct("Foo", MEMBERS)             # patch 1 adds Foo whole
    two = _add_last(one, "Foo", "extra")              # patch 2 adds to its end, opener out of view
    series = mbox([base, one, two])
    assert len(series.patches) == 2
    with_series = changes_for_series(series)
    assert ("added", "member", "Foo", "extra") in keys(with_series[1])
    assert any("Foo" in n and "patch 1/2 of the series shows it" in n for n in with_series[1].notes)
    alone = changes_for_series(series, series_evidence=False)
    [(_op, _what, d, _n)] = [k for k in keys(alone[1]) if k[3] == "extra"]
    assert d.startswith("?")


def test_a_later_patch_names_an_earlier_patchs_cut_region() -> None:
    base = struct("Foo", MEMBERS) + struct("Other", ["x"])
    one = _add_last(base, "Foo", "extra")             # opener out of view
    two = one.replace(one[: one.index("##\n# @Other:")], "")   # patch 2 removes Foo whole: all in view
    series = mbox([base, one, two])
    got = changes_for_series(series)
    assert ("added", "member", "Foo", "extra") in keys(got[0])
    assert any("patch 2/2 of the series shows it" in n for n in got[0].notes)


def test_a_line_is_not_named_across_a_patch_that_changes_what_holds_it() -> None:
    # Patch 1 renames Foo to Bar (its doc symbol and opener) and adds a member at its end;
    # patch 2 shows Bar whole.  After patch 1 the end is Bar's, before it Foo's: the
    # pre-image side of patch 1 must not be called Bar.
    base = struct("Foo", MEMBERS) + struct("Other", ["x"])
    one = _add_last(base, "Foo", "extra").replace("# @Foo:", "# @Bar:").replace("'struct': 'Foo'", "'struct': 'Bar'")
    two = one.replace(one[: one.index("##\n# @Other:")], "")
    series = mbox([base, one, two])
    first = changes_for_series(series)[0]
    assert "Bar" not in first.before.definitions
    assert first.after.definitions["Bar"].data["data"]["extra"] == "int"  # type: ignore[index]
    assert {("removed", "definition", "Foo", None), ("added", "definition", "Bar", None)} <= keys(first)


def test_without_a_series_nothing_changes() -> None:
    base = struct("Other", ["x"])
    one = base + struct("Foo", MEMBERS)
    series = mbox([base, one])
    [pc] = changes_for_series(series)
    assert ("added", "definition", "Foo", None) in keys(pc)
