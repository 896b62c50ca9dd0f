"""C names: has_FOO flags in the patch's C code versus what the schema generates."""

from __future__ import annotations

import re

from qapilint.changes.model import Definition, describe
from qapilint.checks import cname_rules as R
from qapilint.checks.context import CheckContext
from qapilint.checks.qapi_members import BUILTINS, SCALAR_BUILTINS, Member, c_name, members
from qapilint.findings import Finding
from qapilint.patch import HunkLine

_C_FILE = re.compile(r"\.(c|h|cc|cpp|inc)$")
_HAS_USE = re.compile(r"\bhas_([A-Za-z0-9_]+)\b")
_ASSIGN = re.compile(r"(?:->|\.)([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)")


def needs_has(m: Member, defs: dict[str, Definition]) -> bool | None:
    """Whether an optional member gets a has_ flag; None when its type is unknown."""
    if m.type.startswith("["):
        return True
    if m.type in SCALAR_BUILTINS:
        return True
    if m.type in BUILTINS:
        return False
    d = defs.get(m.type)
    if d is None:
        return None
    return d.meta == "enum"


def _members_by_cname(ctx: CheckContext) -> dict[str, list[tuple[Definition, Member]]]:
    """Members the patch adds or changes, by C name."""
    touched = {(c.definition, c.name) for c in ctx.changes.changes
               if c.what == "member" and c.op in ("added", "changed") and c.name}
    touched_defs = {c.definition for c in ctx.changes.changes if c.op == "added" and c.what == "definition"}
    out: dict[str, list[tuple[Definition, Member]]] = {}
    for name, d in ctx.changes.after.definitions.items():
        for m in members(d):
            if (name, m.name) in touched or name in touched_defs:
                out.setdefault(c_name(m.name), []).append((d, m))
    return out


def _c_lines(ctx: CheckContext) -> list[tuple[str, HunkLine]]:
    out = []
    for f in ctx.patch.files:
        if not _C_FILE.search(f.path):
            continue
        for h in f.hunks:
            for ln in h.lines:
                if ln.kind == "+":
                    out.append((f.path, ln))
    return out


def check(ctx: CheckContext) -> list[Finding]:
    lines = _c_lines(ctx)
    if not lines:
        return []
    by_c = _members_by_cname(ctx)
    if not by_c:
        return []
    defs = ctx.changes.after.definitions
    out: list[Finding] = []
    flags_set: set[str] = set()
    for path, ln in lines:
        for m in _HAS_USE.finditer(ln.text):
            cname = m.group(1)
            flags_set.add(cname)
            cands = by_c.get(cname)
            if not cands:
                continue
            verdicts = [needs_has(mem, defs) if mem.optional else False for _d, mem in cands]
            if any(v is not False for v in verdicts):
                continue  # some member of that C name does get the flag (or is unknown)
            d, mem = cands[0]
            why = ("it is mandatory" if not mem.optional else
                   f"optional '{mem.type}' is a pointer in C; test for NULL instead")
            out.append(Finding(rule=R.HAS_FLAG_MISSING.id, family="cname", severity=R.HAS_FLAG_MISSING.severity,
                               message=f"has_{cname} is not generated for member '{mem.name}' of {d.meta} "
                                       f"'{d.name}': {why}",
                               file=path, line=ln.new_no, col=m.start() + 2, patch_line=ln.patch_line,
                               definition=d.name, item=mem.name))
    for path, ln in lines:
        for m in _ASSIGN.finditer(ln.text):
            cname = m.group(1)
            if cname.startswith("has_") or cname in flags_set:
                continue
            cands = by_c.get(cname)
            if not cands or len(cands) != 1:
                continue
            d, mem = cands[0]
            if not mem.optional or needs_has(mem, defs) is not True:
                continue
            out.append(Finding(rule=R.HAS_FLAG_NOT_SET.id, family="cname", severity=R.HAS_FLAG_NOT_SET.severity,
                               message=f"optional member '{mem.name}' of {describe(d.meta, d.name)} is set here, but "
                                       f"the patch never sets has_{cname} = true",
                               file=path, line=ln.new_no, col=m.start(1) + 1, patch_line=ln.patch_line,
                               definition=d.name, item=mem.name))
            flags_set.add(cname)  # once per member
    return out
