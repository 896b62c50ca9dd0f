"""Commit message versus diff: quoted definitions, member names and types."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qapilint.changes.model import Definition
from qapilint.checks import message_rules as R
from qapilint.checks.context import CheckContext
from qapilint.checks.qapi_members import BUILTINS, Member, members
from qapilint.findings import Finding

# Schema text uses single quotes; QMP examples (double quotes) hold values, not types.
_PAIR = re.compile(r"""'(?P<key>\*?[A-Za-z][A-Za-z0-9_.-]*)'\s*:\s*"""
                   r"""(?P<list>\[\s*)?'(?P<val>[A-Za-z][A-Za-z0-9_.-]*)'(?(list)\s*\])""")
_NAMED_BLOCK = re.compile(r"\b(?P<name>[A-Z][A-Za-z0-9]+)\s*(?:=\s*)?\{")
_META_IN_BLOCK = re.compile(r"""['"](?:struct|union|command|event|alternate)['"]\s*:\s*['"](?P<name>[^'"]+)['"]""")
_KEYWORDS = frozenset({"struct", "union", "command", "event", "alternate", "enum", "data", "base", "returns",
                       "discriminator", "if", "features", "type", "boxed", "prefix", "gen"})


@dataclass
class Quoted:
    definition: str | None
    key: str
    optional: bool
    type: str


def _blocks(text: str) -> list[tuple[str | None, str]]:
    """Brace-balanced blocks of the message, with the definition name written before them."""
    out: list[tuple[str | None, str]] = []
    i = 0
    while True:
        start = text.find("{", i)
        if start < 0:
            return out
        depth = 0
        end = start
        for j in range(start, min(len(text), start + 4000)):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    end = j
                    break
        else:
            end = min(len(text), start + 4000)
        block = text[start:end + 1]
        name = None
        before = text[max(0, start - 80):start + 1]
        last = list(_NAMED_BLOCK.finditer(before))
        if last and last[-1].end() == len(before):
            name = last[-1].group("name")
        mm = _META_IN_BLOCK.search(block)
        if mm:
            name = mm.group("name")
        out.append((name, block))
        i = end + 1


def quoted_members(message: str) -> list[Quoted]:
    out: list[Quoted] = []
    for name, block in _blocks(message):
        for m in _PAIR.finditer(block):
            key, val = m.group("key"), m.group("val")
            if key.lstrip("*") in _KEYWORDS:
                continue
            if not (val in BUILTINS or val[:1].isupper()):
                continue  # a value, not a type: QMP example output
            t = f"[{val}]" if m.group("list") else val
            out.append(Quoted(name, key.lstrip("*"), key.startswith("*"), t))
    return out


def _member_line(ctx: CheckContext, d: Definition, key: str) -> int | None:
    pat = re.compile(r"""['"]\*?""" + re.escape(key) + r"""['"]\s*:""")
    for (path, n), hl in sorted(ctx.new_lines.items()):
        if path == d.file and pat.search(hl.text) and d.info.line <= n:
            return n
    return d.info.line


def check(ctx: CheckContext) -> list[Finding]:
    text = ctx.patch.message
    if "{" not in text:
        return []
    touched = {c.definition for c in ctx.changes.changes if c.op in ("added", "changed")}
    defs = {n: d for n, d in ctx.changes.after.definitions.items() if n in touched}
    if not defs:
        return []
    mem: dict[str, dict[str, Member]] = {n: {m.name: m for m in members(d)} for n, d in defs.items()}
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    quoted = quoted_members(text)
    for q in quoted:
        cands = [n for n in defs if q.key in mem[n]]
        if q.definition and q.definition in defs:
            cands = [q.definition] if q.key in mem[q.definition] else []
        if not cands:
            if q.definition and q.definition in defs and not defs[q.definition].partial:
                d = defs[q.definition]
                if (d.name, q.key) not in seen:
                    seen.add((d.name, q.key))
                    out.append(Finding(rule=R.MEMBER_UNKNOWN.id, family="message", severity=R.MEMBER_UNKNOWN.severity,
                                       message=f"the commit message shows member '{q.key}' of '{d.name}', "
                                               f"but the diff has no such member",
                                       file=d.file, line=d.info.line, patch_line=ctx.patch_line(d.file, d.info.line),
                                       definition=d.name, item=q.key))
            continue
        d = defs[cands[0]]
        m = mem[d.name][q.key]
        if m.type != q.type and (d.name, q.key) not in seen:
            seen.add((d.name, q.key))
            line = _member_line(ctx, d, q.key)
            out.append(Finding(rule=R.TYPE_MISMATCH.id, family="message", severity=R.TYPE_MISMATCH.severity,
                               message=f"the commit message says '{q.key}': '{q.type}', "
                                       f"but the diff declares '{m.type}'",
                               file=d.file, line=line, patch_line=ctx.patch_line(d.file, line),
                               definition=d.name, item=q.key))
    out.extend(_unknown_definitions(ctx, quoted, set(defs)))
    return out


def _unknown_definitions(ctx: CheckContext, quoted: list[Quoted], touched: set[str]) -> list[Finding]:
    """Definitions the message shows with members that the patch neither adds nor changes."""
    known = ctx.changes.after.definitions
    out: list[Finding] = []
    seen: set[str] = set()
    for q in quoted:
        name = q.definition
        # All-caps words before a brace ('QMP {', 'JSON {') are not definition names.
        if name is None or name in touched or name in known or name in seen or name.isupper():
            continue
        seen.add(name)
        shown = sorted({x.key for x in quoted if x.definition == name})
        hint = f" (the patch changes {', '.join(sorted(touched))})" if len(touched) <= 3 else ""
        out.append(Finding(rule=R.DEFINITION_UNKNOWN.id, family="message", severity=R.DEFINITION_UNKNOWN.severity,
                           message=f"the commit message shows '{name}' with member(s) "
                                   f"{', '.join(repr(k) for k in shown)}, but the patch adds or changes no "
                                   f"definition of that name{hint}",
                           definition=name))
    return out
