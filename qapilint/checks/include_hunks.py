"""Includes a patch adds that would leave the tree, judged from its hunks (schema family).

With the whole schema rebuilt from a tree, the frontend's loader refuses
such an include and reports it (``include-outside-tree``, see
:mod:`qapilint.qapi.loader`).  Without a tree, or when a file of the patch
could only be rebuilt from its hunks, the loader never runs; this rule then
reads the ``{ 'include': ... }`` directives on the patch's ``+`` lines and
refuses, as the loader would, a path that is absolute or that, joined to the
including file's directory, climbs out of the tree.  The finding quotes the
path and says why; nothing is read from it.
"""

from __future__ import annotations

import os

from qapilint import contain
from qapilint.checks import registry
from qapilint.checks.context import CheckContext
from qapilint.findings import Finding
from qapilint.patch import FileDiff, Hunk
from qapilint.rebuild.scan import Line, scan

RULE_ID = "include-outside-tree"


def _post_image(h: Hunk) -> list[Line]:
    return [Line(ln.text, ln.new_no or 0, ln.kind, ln.patch_line) for ln in h.lines if ln.kind != "-"]


def added_includes(fd: FileDiff) -> list[tuple[Line, str]]:
    """(the line, the path) of each top-level include directive whose path is on a '+' line."""
    out: list[tuple[Line, str]] = []
    for h in fd.hunks:
        lines = _post_image(h)
        if not any(ln.kind == "+" for ln in lines):
            continue
        sc = scan(lines, at_file_start=h.new_start <= 1, at_file_end=False)
        for e in sc.exprs:
            # Only a directive whose opening brace is in view is known to be at the top level.
            if e.meta != "include" or e.root.head_cut:
                continue
            v = e.root.get("include")
            if v is None or v.kind != "str" or not isinstance(v.value, str):
                continue
            ln = lines[v.line]
            if ln.kind == "+":
                out.append((ln, v.value))
    return out


def problem(including: str, include: str) -> str | None:
    """Why the loader would refuse ``include`` written in file ``including``, or None."""
    if "\0" in include:
        return "the path contains a NUL byte"
    if os.path.isabs(include):
        return "absolute paths are not allowed"
    return contain.lexical_problem(os.path.normpath(os.path.join(os.path.dirname(including), include)))


def check(ctx: CheckContext) -> list[Finding]:
    if ctx.complete:
        return []       # the frontend's loader judged every include of the whole schema
    rule = registry.get(RULE_ID)
    out: list[Finding] = []
    for fd in ctx.patch.files:
        if fd.path not in ctx.qapi_paths or contain.lexical_problem(fd.path) is not None:
            continue    # a refused diff path is reported as such (path-outside-tree)
        for ln, include in added_includes(fd):
            why = problem(fd.path, include)
            if why is not None:
                out.append(rule.finding(f"can't include '{contain.show(include)}': {why}", file=fd.path,
                                        line=ln.no or None, patch_line=ln.patch_line or None))
    return out
