"""Schema rules without a tree: QEMU's one-file checks on the definitions a patch shows whole.

With a tree the pipeline runs QEMU's whole frontend before and after the
patch.  Without one only hunk fragments exist, so this family runs the part
of the frontend that needs nothing but the definition itself (qapi-rules.md
§12): the expression checks (names, keys, shapes, ``if``, features, flags,
doc attachment), the doc-comment parser on the definition's block, and the
semantic checks local to one definition (feature clashes, enum value and
own-member clashes, alternate branch clashes, conditional inline arguments,
the doc connection).  A definition seen whole except for its doc gets
the expression checks; a member, value or branch added whole to a
definition seen in part is judged in a one-item stand-in; doc style is
checked line by line on the ``+`` lines of doc blocks seen in part.

What depends on QEMU's pragma state (normally in another file) is reported
as a note: the verdict turns on an exception list this mode cannot read.
Rules that need the type table are not run; one ``schema-not-checked`` note
per patch says so.

Only findings the patch is responsible for are kept: errors on ``+`` lines,
errors about a definition the patch adds, and for a definition it changes
the errors the pre-image did not have.
"""

from __future__ import annotations

import copy
import re
from typing import Literal

from qapilint.changes.model import Change, Definition
from qapilint.checks.context import CheckContext
from qapilint.checks.fragment_judge import PRAGMA_OF, Verdict, expr_errors, judge
from qapilint.findings import Finding, Severity
from qapilint.qapi.diagnostics import SchemaError, errors_not_in
from qapilint.qapi.doc_model import DocBlock, DocLine
from qapilint.qapi.doc_style import style_errors
from qapilint.qapi.expr import META_KEYS
from qapilint.qapi.exprs import Expr
from qapilint.qapi.rule_versions import RULE_ARRIVED

FAMILY = "schema"
RULE_NOT_CHECKED = "schema-not-checked"

NOT_CHECKED_MESSAGE = "no tree: rules that need the whole schema were not checked; run with --tree DIR"
NOT_CHECKED_DETAIL = [
    "not checked: type references, union discriminators and branches, alternate branch types,",
    "clashes with inherited members, command and event data and return types, redefinitions,",
    "the feature limit; rules that depend on QEMU's pragmas are reported as notes",
]

Status = Literal["added", "changed"]
Scope = Literal["whole", "expr"]

_QUOTED = re.compile(r"'([^']+)'")
_SECTION_OPENER = re.compile(r"'(" + "|".join(META_KEYS) + r")'\s*:\s*'([^']+)'")


def check(ctx: CheckContext) -> list[Finding]:
    if ctx.complete or not ctx.changes.files:
        return []
    status = _touched(ctx)
    listed = pragma_listed(ctx)
    out: list[Finding] = []
    judged: set[str] = set()
    new_text = {k: hl.text for k, hl in ctx.new_lines.items()}
    old_text = _old_lines(ctx)
    items = _ItemIndex(ctx)
    for key, d in ctx.changes.after.definitions.items():
        st = status.get((d.file, d.name))
        scope = visible_scope(d, new_text) if st is not None else None
        if st is None or scope is None:
            if st is not None:
                out.extend(_item_checks(ctx, d, new_text, d.name in listed, items))
            continue
        before_def = ctx.changes.before.definitions.get(key)
        before_scope = visible_scope(before_def, old_text) if before_def is not None else None
        # Both sides are judged alike, or their difference would be an artefact.
        with_doc = scope == "whole" and before_scope in ("whole", None)
        before = None
        if st == "changed" and before_def is not None and before_scope is not None:
            before = judge(before_def, ctx.patch.whitespace_collapsed, with_doc)
        if with_doc:
            judged.add(key)
        after = judge(d, ctx.patch.whitespace_collapsed, with_doc)
        if d.name in listed:
            # The patch's own pragma.json hunk names the definition: its
            # exception list entry is in view, so the relaxed verdict holds.
            after.pragma.clear()
        out.extend(_report(ctx, d, st, after, before, items))
    if not ctx.patch.whitespace_collapsed:
        out.extend(_fragment_style(ctx, judged, {(f.file, f.line, f.rule) for f in out}))
    out = [f for f in out if _applies(f.rule, ctx)]
    if status:
        out.append(_not_checked(ctx))
    return out


def visible_scope(d: Definition, lines: dict[tuple[str, int], str]) -> Scope | None:
    """How much of ``d`` is in view: all of it, its expression only, or too little.

    A definition counts as partial when any part of its doc block was out of
    view, which is common for a renamed or extended definition whose
    expression the hunk shows whole; its expression can still be judged.
    """
    if d.meta not in META_KEYS or not d.name or d.info.line <= 0 or d.data.get(d.meta) != d.name:
        return None
    if not d.partial:
        return "whole"
    return "expr" if expression_visible(lines, d.info.file, d.info.line) else None


def expression_visible(lines: dict[tuple[str, int], str], path: str, start: int, nested: bool = False) -> bool:
    """Whether the brackets opened on line ``start`` all close on lines in view.

    ``nested``: ``start`` is a member line inside a definition, whose value
    is the first bracket opened after the key.
    """
    depth = 0
    started = not nested
    no = start
    while True:
        text = lines.get((path, no))
        if text is None:
            return False
        in_str = False
        i = 0
        while i < len(text):
            ch = text[i]
            if in_str:
                if ch == "\\":
                    i += 1
                elif ch == "'":
                    in_str = False
            elif ch == "'":
                in_str = True
            elif ch == "#":
                break
            elif ch in "{[":
                depth += 1
                started = True
            elif ch in "}]" and started:
                depth -= 1
                if depth <= 0:
                    return True
            i += 1
        no += 1


def _old_lines(ctx: CheckContext) -> dict[tuple[str, int], str]:
    """(path, pre-image line) -> text, for every '-' or context line the patch shows."""
    out: dict[tuple[str, int], str] = {}
    for fd in ctx.patch.files:
        path = fd.old_path or fd.path
        for h in fd.hunks:
            for ln in h.lines:
                if ln.kind != "+" and ln.old_no is not None:
                    out[(path, ln.old_no)] = ln.text
    return out


def _touched(ctx: CheckContext) -> dict[tuple[str, str], Status]:
    """(file, definition) -> added / changed, for what the patch's changes name."""
    out: dict[tuple[str, str], Status] = {}
    for c in ctx.changes.changes:
        if c.what == "definition" and c.op == "removed":
            continue
        fresh = c.what == "definition" and c.op == "added" and c.definition not in ctx.moved
        k = (c.file, c.definition)
        if fresh:
            out[k] = "added"
        else:
            out.setdefault(k, "changed")
    return out


def pragma_listed(ctx: CheckContext) -> set[str]:
    """Names quoted on the post-image lines the patch shows of a pragma file."""
    out: set[str] = set()
    for fd in ctx.patch.files:
        if not fd.path.endswith("pragma.json"):
            continue
        for h in fd.hunks:
            for ln in h.lines:
                if ln.kind != "-":
                    out.update(_QUOTED.findall(ln.text))
    return out


def _applies(rule: str, ctx: CheckContext) -> bool:
    """A patch written before a rule arrived in QEMU was not judged by it."""
    arrived = RULE_ARRIVED.get(rule)
    when = ctx.date
    return arrived is None or when is None or arrived <= when.isoformat()


# -- added items of definitions seen in part ---------------------------------

# Rules about the definition as a whole: a one-item stand-in cannot judge them.
_DEFINITION_RULES = frozenset({"expr-meta-key", "expr-keys-missing", "expr-keys-unknown", "name-not-string",
                               "name-type-camel", "name-type-list-suffix", "name-event-case",
                               "name-command-case", "doc-required", "flag-false-only", "flag-true-only",
                               "flag-oob-coroutine"})


class _ItemIndex:
    """Added items by (definition, file), and the kind hunk headers name each definition: made once
    per check, so a patch of many cut definitions is not walked once per definition."""

    def __init__(self, ctx: CheckContext) -> None:
        self.added: dict[tuple[str | None, str], list[Change]] = {}
        self.changes: dict[tuple[str | None, str], list[Change]] = {}
        for c in ctx.changes.changes:
            self.changes.setdefault((c.definition, c.file), []).append(c)
            if c.op == "added" and c.what in ("member", "value", "branch"):
                self.added.setdefault((c.definition, c.file), []).append(c)
        self.metas: dict[tuple[str, str], str] = {}
        for fd in ctx.patch.files:
            for h in fd.hunks:
                m = _SECTION_OPENER.search(h.section or "")
                if m is not None:
                    self.metas.setdefault((fd.path, m.group(2)), m.group(1))


def _item_checks(ctx: CheckContext, d: Definition, lines: dict[tuple[str, int], str],
                 listed: bool, items: _ItemIndex) -> list[Finding]:
    """Expression checks on each member, value or branch the patch adds whole to a cut definition.

    The item goes into a stand-in definition of the same kind and name, so
    QEMU's own checks judge its name, keys, type shape, ``if`` and features.
    """
    out: list[Finding] = []
    # Without an opener in view, a hunk header's function context may name the kind (git shows it there).
    meta = d.meta or items.metas.get((d.file, d.name), "")
    if meta not in META_KEYS or not d.name:
        return out
    for c in items.added.get((d.name, d.file), []):
        if not c.name or c.line is None or not ctx.is_added(c.file, c.line):
            continue
        found = _stand_in(d, meta, c.name)
        if found is None:
            continue
        data, value = found
        if isinstance(value, dict | list) and not expression_visible(lines, c.file, c.line, nested=True):
            continue            # the item runs out of view: its keys would look missing
        errors, pragma = expr_errors(Expr(data=data, info=d.info.at(d.info.line or c.line)), d.name)
        if listed:
            pragma = []
        for e, sev in [(e, Severity.ERROR) for e in errors] + [(e, Severity.NOTE) for e in pragma]:
            if e.rule in _DEFINITION_RULES or e.message.startswith(f"{meta} ") or e.rule.startswith("doc-"):
                continue
            f = _finding(ctx, e, d, c.line)
            if sev is Severity.NOTE:
                f.severity = Severity.NOTE
                f.notes.append(_pragma_note(e.rule, d.name))
            out.append(f)
    return out


def _stand_in(d: Definition, meta: str, name: str) -> tuple[dict[str, object], object] | None:
    """A minimal definition of kind ``meta`` holding only ``d``'s item ``name``, and the item."""
    head: dict[str, object] = {meta: d.name}
    inner = d.data.get("data")
    if meta == "enum":
        for v in inner if isinstance(inner, list) else []:
            if v == name or (isinstance(v, dict) and v.get("name") == name):
                return {**head, "data": [copy.deepcopy(v)]}, v
        return None
    if meta == "union":
        head.update(base={}, discriminator="kind", data={})
        base = d.data.get("base")
        where = "base" if isinstance(base, dict) and (name in base or "*" + name in base) else "data"
        inner = base if where == "base" else inner
    else:
        where = "data"
        head["data"] = {}
    if not isinstance(inner, dict):
        return None
    key = name if name in inner else "*" + name
    if key not in inner:
        return None
    head[where] = {key: copy.deepcopy(inner[key])}
    return head, inner[key]


# -- doc style on partial blocks ----------------------------------------------

def _fragment_style(ctx: CheckContext, judged: set[str],
                    done: set[tuple[str | None, int | None, str]]) -> list[Finding]:
    """Line-local doc style on the '+' lines of doc blocks not judged whole.

    Style is judged line by line; the only state is literal mode, which a
    marker above the window may have opened.  So each run of consecutive
    lines whose start is not the block's opener skips its leading indented
    lines (they may be inside a literal block) up to the first line at
    column 0, which would end any such block.
    """
    out: list[Finding] = []
    for key, d in ctx.changes.after.definitions.items():
        doc = d.doc
        if doc is None or not doc.lines or key in judged:
            continue
        for run in _runs(ctx, doc):
            for e in style_errors(run, doc.info):
                k = (e.info.file, e.info.line, e.rule)
                if k not in done and ctx.is_added(e.info.file, e.info.line):
                    done.add(k)
                    out.append(_finding(ctx, e, d))
    return out


def _runs(ctx: CheckContext, doc: DocBlock) -> list[list[DocLine]]:
    runs: list[list[DocLine]] = []
    for dl in sorted({dl.line: dl for dl in doc.lines}.values(), key=lambda x: x.line):
        if runs and runs[-1][-1].line + 1 == dl.line:
            runs[-1].append(dl)
        else:
            runs.append([dl])
    out: list[list[DocLine]] = []
    for run in runs:
        above = ctx.new_lines.get((doc.info.file, run[0].line - 1))
        if above is None or above.text.strip() != "##":
            k = 0
            while k < len(run) and (not run[k].text or run[k].text[0] == " "):
                k += 1
            run = run[k:]
        if run:
            out.append(run)
    return out


# -- what the patch is responsible for ----------------------------------------

def _report(ctx: CheckContext, d: Definition, status: Status, after: Verdict,
            before: Verdict | None, items: _ItemIndex) -> list[Finding]:
    out: list[Finding] = []
    for e in after.located:
        if ctx.is_added(e.info.file, e.info.line):
            out.append(_finding(ctx, e, d))
    changes = items.changes.get((d.name, d.file), [])
    defn = errors_not_in(after.defn, before.defn if before is not None else [])
    pragma = errors_not_in(after.pragma, before.pragma if before is not None else [])
    for e, sev in [(e, Severity.ERROR) for e in defn] + [(e, Severity.NOTE) for e in pragma]:
        if e.rule == "doc-required" and not _doc_surely_absent(ctx, d):
            continue
        line = e.info.line
        if status == "changed":
            # QEMU points at the definition's '{', which the patch did not
            # touch; the item the message names is what the patch added.
            line = _item_line(ctx, e, changes) or line
            if before is None and not ctx.is_added(e.info.file, line):
                continue            # nothing to compare with: keep only what sits on '+' lines
        f = _finding(ctx, e, d, line)
        if sev is Severity.NOTE:
            f.severity = Severity.NOTE
            f.notes.append(_pragma_note(e.rule, d.name))
        out.append(f)
    return out


def _item_line(ctx: CheckContext, e: SchemaError, changes: list[Change]) -> int | None:
    for c in changes:
        if c.name and c.line is not None and ctx.is_added(c.file, c.line) \
                and (f"'{c.name}'" in e.message or f"'*{c.name}'" in e.message):
            return c.line
    return None


def _doc_surely_absent(ctx: CheckContext, d: Definition) -> bool:
    """No doc block, and the line above the definition is in view and is not a comment."""
    if d.doc is not None:
        return False
    above = ctx.new_lines.get((d.file, d.info.line - 1))
    if above is None:
        return d.info.line == 1
    return not above.text.lstrip().startswith("#")


def _pragma_note(rule: str, name: str) -> str:
    pragma = PRAGMA_OF[rule]
    if pragma == "doc-required":
        return ("QEMU requires this when pragma 'doc-required' is true (as in qapi/pragma.json); "
                "the pragma state is not known without a tree")
    return (f"QEMU accepts this if pragma '{pragma}' lists '{name}' (normally in qapi/pragma.json); "
            "the pragma state is not known without a tree")


def _finding(ctx: CheckContext, e: SchemaError, d: Definition, line: int | None = None) -> Finding:
    f = e.to_finding()
    if line is not None:
        f.line = line
        if line != e.info.line:
            f.col = None
    f.definition = d.name
    f.patch_line = ctx.patch_line(f.file or d.file, f.line)
    return f


def _not_checked(ctx: CheckContext) -> Finding:
    first = next((c.file for c in ctx.changes.changes if c.file), None)
    msg, notes = NOT_CHECKED_MESSAGE, list(NOT_CHECKED_DETAIL)
    hunks_only = [f for f in ctx.changes.files if f.rebuild == "hunks"] if ctx.with_tree else []
    if hunks_only:  # there is a tree: say which files it could not give, and why (their rebuild notes)
        what = "rebuilt from its hunks" if len(hunks_only) == 1 else f"{len(hunks_only)} files rebuilt from their hunks"
        msg = f"{what}, not from the tree: rules that need the whole schema were not checked"
        notes = [n for f in hunks_only for n in f.notes] + notes
        first = hunks_only[0].path
    return Finding(rule=RULE_NOT_CHECKED, severity=Severity.NOTE, message=msg, file=first, family=FAMILY,
                   notes=notes)
