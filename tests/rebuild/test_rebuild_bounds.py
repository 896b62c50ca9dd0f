"""Hostile shapes the hunk-only rebuild must survive: deep nesting, giant words, huge patches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qapilint.changes.differ import changes_for_patch
from qapilint.errors import InputError
from qapilint.patch import Patch
from qapilint.rebuild import rebuild
from qapilint.rebuild.hunks import MAX_LINES
from qapilint.rebuild.scan import MAX_DEPTH, Line, scan
from qapilint.sources import load_bytes

PATH = "qapi/demo.json"


def patch_of(hunk_body: list[str], old_start: int = 10) -> Patch:
    old_len = sum(1 for ln in hunk_body if ln[0] != "+")
    new_len = sum(1 for ln in hunk_body if ln[0] != "-")
    text = (f"diff --git a/{PATH} b/{PATH}\n--- a/{PATH}\n+++ b/{PATH}\n"
            f"@@ -{old_start},{old_len} +{old_start},{new_len} @@\n" + "\n".join(hunk_body) + "\n")
    return load_bytes(text.encode(), "t.diff", input_format="diff").patches[0]


@pytest.mark.parametrize("opener", ["{ 'a':", "[", "{ 'data': ["])
def test_thousands_of_open_containers_in_a_hunk(opener: str) -> None:
    body = [" { 'struct': 'Deep', 'data': { 'x':"] + [f"+{opener}"] * 5000
    pc = changes_for_patch(patch_of(body))
    assert any("nested deeper" in n for n in pc.notes)
    json.dumps([c.after for c in pc.changes])          # what the reports serialise stays shallow


def test_a_window_starting_inside_thousands_of_containers() -> None:
    body = [" 'x'"] + [" }"] * 3000 + ["+{ 'struct': 'After', 'data': { 'y': 'int' } }"]
    pc = changes_for_patch(patch_of(body, old_start=5000))
    assert ("added", "definition", "After") in {(c.op, c.what, c.definition) for c in pc.changes}
    assert any("nested deeper" in n for n in pc.notes)


def test_scan_reads_what_is_within_the_depth_bound() -> None:
    text = "{ 'struct': 'S', 'data': " + "{ 'a': " * (MAX_DEPTH + 5) + "'int'" + " }" * (MAX_DEPTH + 5) + " }"
    sc = scan([Line(text, 1)])
    [e] = sc.exprs
    assert e.name == "S" and sc.too_deep == 0
    data = e.root.plain()
    assert isinstance(data, dict)
    depth = 0
    node: object = data
    while isinstance(node, dict) and node:
        node = next(iter(node.values()))
        depth += 1
    assert depth <= MAX_DEPTH + 1


def test_a_giant_camelcase_word_in_the_c_hunks_does_not_stop_naming() -> None:
    # One C line holds a 100,000-character capitalised word; the rest of the C names the struct.
    members = ",\n".join(f"            'm{i}': 'int'" for i in range(12))
    old = "{ 'struct': 'Basket',\n  'data': {\n" + members + " } }\n"
    new = old.replace("'m11': 'int' } }", "'m11': 'int',\n            '*extra': 'int' } }")
    import difflib
    q = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{PATH}", f"b/{PATH}"))
    word = "Ab" * 50_000
    c = (f"diff --git a/hw/b.c b/hw/b.c\n--- a/hw/b.c\n+++ b/hw/b.c\n@@ -1,3 +1,6 @@\n"
         f" void f(void)\n {{\n+    {word}_ {word}_;\n+    Basket *b = get();\n+    b->has_extra = true;\n }}\n")
    p = load_bytes((f"diff --git a/{PATH} b/{PATH}\n" + q + c).encode(), "t.diff", input_format="diff").patches[0]
    keys = {(c.op, c.what, c.definition, c.name) for c in changes_for_patch(p).changes}
    assert ("added", "member", "Basket", "extra") in keys


def test_a_patch_past_the_size_bound_is_refused_with_one_line(tmp_path: Path) -> None:
    # Short lines: past the rebuild's line bound while under the loader's byte bound.
    lines = "".join(f"+{{'S{i}'}}\n" for i in range(MAX_LINES + 1))
    big = tmp_path / "big.diff"
    big.write_text(f"diff --git a/{PATH} b/{PATH}\nnew file mode 100644\n--- /dev/null\n+++ b/{PATH}\n"
                   f"@@ -0,0 +1,{MAX_LINES + 1} @@\n{lines}")
    small = tmp_path / "small.diff"
    small.write_text(f"diff --git a/{PATH} b/{PATH}\nnew file mode 100644\n--- /dev/null\n+++ b/{PATH}\n"
                     "@@ -0,0 +1 @@\n+{ 'struct': 'Small', 'data': {} }\n")
    with pytest.raises(InputError, match="lines of schema hunks"):
        rebuild(load_bytes(big.read_bytes(), str(big), input_format="diff").patches[0])
    p = subprocess.run([sys.executable, "-m", "qapilint", "changes", "--no-tree", "--format", "json",
                        str(big), str(small)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2
    [err] = p.stderr.strip().splitlines()
    assert err.startswith(f"qapilint: error: {big}:") and "Traceback" not in p.stderr
    assert [c["definition"] for pc in json.loads(p.stdout)["patches"] for c in pc["changes"]] == ["Small"]
