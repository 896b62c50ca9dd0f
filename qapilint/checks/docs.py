"""Doc consistency for the definitions a patch adds or changes."""

from __future__ import annotations

import re
from collections.abc import Mapping

from qapilint.changes.items import parts
from qapilint.changes.model import Definition, describe
from qapilint.checks import docs_rules as R
from qapilint.checks.context import CheckContext
from qapilint.checks.qapi_members import BUILTINS, members
from qapilint.checks.registry import Rule
from qapilint.findings import Finding

_AT_REF = re.compile(r"(?<![\w@`])@([A-Za-z][A-Za-z0-9_.-]*[A-Za-z0-9])")
_TYPE_REF = re.compile(r"(?<!`)`([A-Z][A-Za-z0-9_]*)`(?!`)")
_DESCRIBES = re.compile(r"^\s*#\s?@([^\s:]+):")


def _items(d: Definition) -> list[str]:
    """Documentable names of a definition, in definition order."""
    data = d.data.get("data")
    if d.meta == "enum" and isinstance(data, list):
        return [v if isinstance(v, str) else str(v.get("name")) for v in data
                if isinstance(v, (str, dict))]
    if d.meta == "alternate" and isinstance(data, dict):
        return [k for k in data if isinstance(k, str)]
    if d.meta in ("command", "event") and not isinstance(data, dict):
        return []  # arguments are documented at the named type
    if d.meta == "union" and not isinstance(d.data.get("base"), dict):
        return []
    return [m.name for m in members(d)]


def documents_none(d: Definition, new: set[str]) -> bool:
    """Whether a wholly visible doc block describes none of the members it already had.

    QEMU exempts such definitions from doc-required (pragma
    'documentation-exceptions', which the hunks do not show): their new
    members need no description either.
    """
    if d.partial or d.doc is None:
        return False
    old = [n for n in _items(d) if n not in new]
    described = d.doc.members()
    return bool(old) and not any(n in described for n in old)


def _features(d: Definition) -> list[str]:
    out: list[str] = []

    def add(v: object) -> None:
        feats = v.get("features") if isinstance(v, dict) else None
        if isinstance(feats, list):
            for f in feats:
                n = f.get("name") if isinstance(f, dict) else f
                if isinstance(n, str) and n not in out:
                    out.append(n)
    add(d.data)
    for block in (d.data.get("data"), d.data.get("base")):
        if isinstance(block, dict):
            for v in block.values():
                add(v)
        elif isinstance(block, list):
            for v in block:
                add(v)
    return out


class _Docs:
    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.out: list[Finding] = []
        self._schema_names: set[str] | None = None

    def emit(self, rule: Rule, d: Definition, line: int | None, message: str, item: str | None = None) -> None:
        self.out.append(Finding(rule=rule.id, family="docs", severity=rule.severity, message=message,
                                file=d.file or None, line=line, patch_line=self.ctx.patch_line(d.file, line),
                                definition=d.name, item=item))

    def run(self) -> list[Finding]:
        touched = {c.definition for c in self.ctx.changes.changes if c.op in ("added", "changed")}
        for name in sorted(touched):
            d = self.ctx.definition_after(name)
            if d is not None and d.doc is None and d.partial and not self.ctx.complete:
                self.doc_out_of_view(d)
            if d is None or d.doc is None:
                continue
            self.definition(d, name in self.ctx.new_definitions)
        return self.out

    def doc_out_of_view(self, d: Definition) -> None:
        """A cut definition whose doc block is out of view: what the patch adds to it needs a
        description the patch adds too, and none of its '+' lines in that file gives one."""
        given = {m.group(1) for (path, _no), ln in self.ctx.added_lines.items() if path == d.file
                 for m in [_DESCRIBES.match(ln.text)] if m is not None}
        added = {(c.what, c.name) for c in self.ctx.changes.changes
                 if c.definition == d.name and c.op == "added" and c.name}
        for what, nm in sorted(added):
            if nm is None or nm in given or what not in ("member", "value", "feature"):
                continue
            where = "under 'Features:'" if what == "feature" else f"'@{nm}:'"
            self.emit(R.UNDOCUMENTED, d, self._item_line(d, nm),
                      f"{what} '{nm}' of {describe(d.meta, d.name)} has no {where} description", nm)

    def definition(self, d: Definition, new: bool) -> None:
        doc = d.doc
        assert doc is not None
        complete = not d.partial
        tree = self.ctx.complete
        # Symbol mismatch, misplaced Returns/Errors and descriptions of missing members are
        # QEMU's own rules: the schema family reports them, with a tree or from the fragments.
        items = _items(d)
        described = doc.members()
        feats = _features(d)
        fdesc = doc.features()
        added = {(c.what, c.name) for c in self.ctx.changes.changes
                 if c.definition == d.name and c.op == "added" and c.name}
        # Descriptions the patch adds in hunks the rebuild could not join to this doc block.
        desc_added = {c.name for c in self.ctx.changes.changes
                      if c.what == "doc" and c.op in ("added", "changed") and c.after and c.file == d.file
                      and c.definition in ("", d.name)}
        if not tree and not documents_none(d, {nm for _w, nm in added if nm}):
            for what, nm in sorted(added):
                if nm is None or nm in desc_added:
                    continue
                if what in ("member", "value") or (what == "branch" and d.meta == "alternate"):
                    if nm not in described and nm in items:
                        self.emit(R.UNDOCUMENTED, d, self._item_line(d, nm),
                                  f"{what} '{nm}' of {describe(d.meta, d.name)} has no '@{nm}:' description", nm)
                elif what == "feature" and nm not in fdesc:
                    self.emit(R.UNDOCUMENTED, d, self._item_line(d, nm),
                              f"feature '{nm}' of {describe(d.meta, d.name)} has no description under 'Features:'", nm)
        if complete:
            self.order(d, items, described)
        self.references(d, items, feats)

    def order(self, d: Definition, items: list[str], described: Mapping[str, object]) -> None:
        if d.doc is None:
            return
        secs = d.doc.members()
        added = {n for n, sec in secs.items() if self.ctx.is_added(d.file, sec.info.line)}
        if not added:
            return
        # Judge only the descriptions the patch adds: each should sit after the description
        # of the member defined before it (an old disorder elsewhere is not this patch's).
        doc_order = [n for n in described if n in items]
        pos = {n: i for i, n in enumerate(doc_order)}
        for n in doc_order:
            if n not in added:
                continue
            i = items.index(n)
            prev = next((m for m in reversed(items[:i]) if m in pos), None)
            nxt = next((m for m in items[i + 1:] if m in pos), None)
            if (prev is not None and pos[prev] > pos[n]) or (nxt is not None and pos[nxt] < pos[n]):
                expected = f"after '@{prev}:'" if prev is not None else f"before '@{nxt}:'"
                self.emit(R.ORDER, d, secs[n].info.line,
                          f"'@{n}:' is not in definition order in the doc of {describe(d.meta, d.name)}: "
                          f"it belongs {expected}", n)
                return

    def references(self, d: Definition, items: list[str], feats: list[str]) -> None:
        if d.doc is None:
            return
        known_defs = self.ctx.changes.after.definitions
        # '@name' renders as literal text, and descriptions refer to members of other
        # definitions too: only a name that is nowhere in the schema is a slip (a typo,
        # a member renamed away).
        names = set(items) | set(feats) | (self.schema_names() if self.ctx.complete else set())
        for sec in d.doc.sections:
            for ln in sec.lines:
                if not self.ctx.is_added(d.file, ln.line):
                    continue
                text = ln.text
                if sec.lines and ln is sec.lines[0] and sec.kind in ("member", "feature"):
                    text = re.sub(r"^\s*@[^:]*:", "", text)
                for m in _AT_REF.finditer(text):
                    ref = m.group(1)
                    if ref in names or ref in known_defs or not self.ctx.complete and not d.partial:
                        continue
                    if self.ctx.complete:
                        self.emit(R.BAD_REFERENCE, d, ln.line,
                                  f"'@{ref}' names no member, value, branch or feature anywhere in the schema, "
                                  "and no definition", ref)
                if self.ctx.complete:
                    for m in _TYPE_REF.finditer(text):
                        ref = m.group(1)
                        if ref not in known_defs and ref not in BUILTINS:
                            self.emit(R.BAD_REFERENCE, d, ln.line, f"`{ref}` names no definition", ref)

    def schema_names(self) -> set[str]:
        if self._schema_names is None:
            names: set[str] = set()
            for x in self.ctx.changes.after.definitions.values():
                names.update(_features(x))
                for kind in parts(x.meta, x.data).values():
                    names.update(kind)
            self._schema_names = names
        return self._schema_names

    def _item_line(self, d: Definition, name: str) -> int | None:
        pat = re.compile(r"""['"]\*?""" + re.escape(name) + r"""['"]""")
        for (path, n), hl in sorted(self.ctx.added_lines.items()):
            if path == d.file and n >= d.info.line and pat.search(hl.text):
                return n
        return d.info.line


def check(ctx: CheckContext) -> list[Finding]:
    return _Docs(ctx).run()
