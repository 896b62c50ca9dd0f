"""Patches the hunk-only rebuild tests read: a QAPI file's diff, optionally with a C file's."""

from __future__ import annotations

import difflib

from qapilint.changes.differ import changes_for_patch
from qapilint.patch import Patch
from qapilint.sources import load_bytes

Key = tuple[str, str, str, str | None]


def unified(path: str, old: str, new: str, context: int = 3) -> str:
    body = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                        f"a/{path}", f"b/{path}", n=context))
    return f"diff --git a/{path} b/{path}\n{body}"


def make_patch(qapi_old: str, qapi_new: str, c_old: str = "", c_new: str = "", *,
               qapi_path: str = "qapi/fruit.json", c_path: str = "hw/fruit.c", context: int = 3) -> Patch:
    """The diff of ``qapi_path`` (and of ``c_path`` when the C text changes), read without a tree."""
    text = unified(qapi_path, qapi_old, qapi_new, context)
    if c_old != c_new:
        text += unified(c_path, c_old, c_new)
    return load_bytes(text.encode(), "test.diff", input_format="diff").patches[0]


def keys(p: Patch) -> set[Key]:
    """(op, what, definition, name) of every item the patch adds or removes, docs aside."""
    return {(c.op, c.what, c.definition, c.name) for c in changes_for_patch(p).changes
            if c.op in ("added", "removed") and c.what != "doc"}
