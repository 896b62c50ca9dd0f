"""A series in tree mode: each state checked once, schemas released as the series goes, findings unchanged."""

from __future__ import annotations

from pathlib import Path

from qapilint.patch import Series
from qapilint.pipeline import CheckOptions, check_series
from qapilint.sources import load_bytes

A_JSON = ["# -*- Mode: Python -*-", "", "##", "# @AlphaInfo:", "#", "# @x: a member", "#", "# Since: 9.0", "##",
          "{ 'struct': 'AlphaInfo', 'data': { 'x': 'int' } }"]


def tree(tmp_path: Path) -> Path:
    (tmp_path / "qapi").mkdir()
    (tmp_path / "VERSION").write_text("10.2.50\n")
    (tmp_path / "qapi" / "qapi-schema.json").write_text("{ 'include': 'a.json' }\n")
    (tmp_path / "qapi" / "a.json").write_text("\n".join(A_JSON) + "\n")
    return tmp_path


def series(structs: list[tuple[str, str]]) -> bytes:
    """One patch per (name, member type), each appending a struct to qapi/a.json."""
    lines = list(A_JSON)
    out = []
    for k, (name, typ) in enumerate(structs, 1):
        added = ["", "##", f"# @{name}:", "#", "# @m: a member", "#", "# Since: 11.0", "##",
                 f"{{ 'struct': '{name}', 'data': {{ 'm': '{typ}' }} }}"]
        start = len(lines) - 2
        body = "".join(f" {t}\n" for t in lines[-3:]) + "".join(f"+{t}\n" for t in added)
        out.append(f"From {k:040x} Mon Sep 17 00:00:00 2001\nFrom: Ada <ada@example.org>\n"
                   f"Date: Tue, 13 Jan 2026 10:00:00 +0000\nSubject: [PATCH {k}/{len(structs)}] qapi: add {name}\n\n"
                   f"Add {name}.\n---\ndiff --git a/qapi/a.json b/qapi/a.json\n--- a/qapi/a.json\n+++ b/qapi/a.json\n"
                   f"@@ -{start},3 +{start},{3 + len(added)} @@\n{body}")
        lines += added
    return "".join(out).encode()


def test_errors_belong_to_the_patch_that_introduces_them(tmp_path: Path) -> None:
    s: Series = load_bytes(series([("BetaInfo", "NopeType"), ("GammaInfo", "int"), ("DeltaInfo", "GoneType")]),
                           "s.mbox")
    reports = check_series(s, CheckOptions(tree=str(tree(tmp_path)), target="11.0"))
    schema = [[f.message for f in r.findings if f.family == "schema"] for r in reports]
    assert len(schema[0]) == 1 and "NopeType" in schema[0][0]
    assert schema[1] == []
    assert len(schema[2]) == 1 and "GoneType" in schema[2][0]
    # Each patch's before-state verdict counts the errors already there.
    assert [r.preexisting for r in reports] == [0, 1, 1]
    # Checked patches keep no whole schema alive.
    assert all(r.changes is not None and r.changes.before.parsed is None and r.changes.after.parsed is None
               for r in reports)


def test_one_patch_alone_sees_the_same(tmp_path: Path) -> None:
    t = str(tree(tmp_path))
    two = series([("BetaInfo", "NopeType"), ("GammaInfo", "int")])
    whole = check_series(load_bytes(two, "s.mbox"), CheckOptions(tree=t))
    first = check_series(load_bytes(series([("BetaInfo", "NopeType")]), "s.mbox"), CheckOptions(tree=t))
    assert [f.message for f in whole[0].findings] == [f.message for f in first[0].findings]
