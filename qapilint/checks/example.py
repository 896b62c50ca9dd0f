"""The example family: QMP examples in doc comments and commit messages, checked against the schema.

In a patch: messages the patch adds or edits (a '+' line among theirs,
and a text that differs from every message before the patch, so that
re-indenting an example does not re-report what it always had), checked
against the schema as patched; with a tree, also the messages the patch
does not touch, which it may make stale; QMP in the commit message.  In
``qapilint audit``: every example of the tree.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from qapilint.checks import example_rules as R
from qapilint.collector import paused
from qapilint.findings import Finding
from qapilint.qapi import qmp_check as Q
from qapilint.qapi import qmp_ids as I
from qapilint.qapi.doc_model import DocBlock
from qapilint.qapi.examples import (
    CommentLine,
    Example,
    Message,
    comment_line,
    examples_in_commit,
    examples_in_doc,
    examples_in_lines,
)
from qapilint.qapi.qmp_types import Raw, TypeTable, missing_message, raw_of

if TYPE_CHECKING:
    # Only patch checks need these; ``audit`` imports this module and should stay light.
    from qapilint.changes.model import Change, Definition
    from qapilint.checks.context import CheckContext
    from qapilint.patch import FileDiff
    from qapilint.qapi.exprs import ParsedSchema

# Kinds of change that can make an existing example wrong (additions of
# optional things, docs, features and conditions cannot).
_STALE_WHATS = frozenset({"member", "value", "branch", "base", "discriminator", "type", "optional",
                          "returns", "data", "boxed", "flag", "definition"})
# Commit messages often show part of the output and QMP of other schemas:
# only what certainly contradicts the schema is reported there.
_COMMIT_RULES = frozenset({I.UNKNOWN_MEMBER, I.WRONG_TYPE, I.BAD_VALUE, I.OOB})

_DOC_CACHE: dict[int, tuple[DocBlock, list[Example]]] = {}
_DOC_CACHE_MAX = 5_000          # a schema has about 1100 doc blocks


def doc_examples(block: DocBlock) -> list[Example]:
    """The examples of a doc block, remembered per block (a series' patches share most of them)."""
    hit = _DOC_CACHE.get(id(block))
    if hit is not None and hit[0] is block:
        return hit[1]
    out = examples_in_doc(block)
    if len(_DOC_CACHE) >= _DOC_CACHE_MAX:
        _DOC_CACHE.clear()
    _DOC_CACHE[id(block)] = (block, out)
    return out


def _norm(msg: Message) -> str:
    return "".join(msg.text.split())


# ---------------------------------------------------------------- findings


def _finding(issue: Q.ExampleIssue, rule_id: str | None = None, prefix: str = "",
             notes: list[str] | None = None) -> Finding:
    rule = R.BY_ID[rule_id or issue.rule]
    ex = issue.msg.example
    line, col = issue.position
    file = ex.file if ex is not None and ex.file else None
    text = prefix + issue.message
    f = rule.finding(text, file=file, line=line if file else None, col=col if file else None,
                     definition=ex.symbol if ex is not None else None, item=issue.item)
    if notes:
        f.notes.extend(notes)
    _attach_fix(f, issue)
    return f


_FIX_WORDS = {"trailing-comma": "remove the trailing comma", "missing-comma": "insert ','",
              "single-quotes": "use double quotes"}


def repair(issue: Q.ExampleIssue) -> tuple[str, int, int, int, int, str, str] | None:
    """The certain repair of a syntax issue in file coordinates, when there is one:
    (description, start line, start column, end line, end column (exclusive), new text, old text)."""
    fix = issue.fix
    if fix is None:
        return None
    text = issue.msg.text
    (l1, c1), (l2, c2) = issue.msg.position(fix.start), issue.msg.position(fix.end)
    what = _FIX_WORDS.get(issue.kind, "repair the JSON")
    return what, l1, c1, l2, c2, fix.text, text[fix.start:fix.end]


def repairs(issue: Q.ExampleIssue) -> list[tuple[str, int, int, int, int, str, str]]:
    """:func:`repair`, and the repairs of the same mistake further on in the message (one fix for all)."""
    first = repair(issue)
    if first is None:
        return []
    out = [first]
    text = issue.msg.text
    for fx in issue.more_fixes:
        (l1, c1), (l2, c2) = issue.msg.position(fx.start), issue.msg.position(fx.end)
        out.append((first[0], l1, c1, l2, c2, fx.text, text[fx.start:fx.end]))
    return out


def _attach_fix(f: Finding, issue: Q.ExampleIssue) -> None:
    """Give ``f`` its repair as fix data, where findings carry fix data (``Finding.fix``).

    Looked up by name, so that this module works with and without it.
    """
    reps = repairs(issue) if f.file is not None else []
    fix_cls = getattr(importlib.import_module("qapilint.findings"), "Fix", None)
    edit_cls = getattr(importlib.import_module("qapilint.findings"), "Edit", None)
    if not reps or fix_cls is None or edit_cls is None or not hasattr(f, "fix"):
        return
    f.fix = fix_cls(reps[0][0], tuple(edit_cls(f.file, l1, c1, l2, c2, new, old)
                                      for _what, l1, c1, l2, c2, new, old in reps))


def _context(issue: Q.ExampleIssue) -> list[str]:
    ex = issue.msg.example
    return [f"in {ex.describe()}"] if ex is not None and ex.kind != "commit" and ex.title else []


def audit_examples(parsed: ParsedSchema, skip_files: set[str] | None = None) -> list[Finding]:
    """Every example problem of one loaded schema (files in ``skip_files`` were checked already)."""
    # Thousands of short-lived objects over a loaded schema of hundreds of
    # thousands: the cyclic collector would rescan the schema again and again.
    with paused():
        return _audit_examples(parsed, skip_files)


def _audit_examples(parsed: ParsedSchema, skip_files: set[str] | None) -> list[Finding]:
    examples: list[Example] = []
    skipped: dict[str, bool] = {}          # by file name: a thousand blocks, a few dozen files
    for block in parsed.docs:
        file = block.info.file
        skip = skipped.get(file)
        if skip is None:
            skip = skipped[file] = skip_files is not None and os.path.normpath(file) in skip_files
        if not skip:
            examples.extend(examples_in_doc(block))   # once per run: no use remembering it
    if not examples:
        return []        # the storage daemon's schema: its modules were checked under the main one
    table = TypeTable((r for e in parsed.exprs if (r := raw_of(e.data)) is not None), complete=True)
    res = Q.check_examples(examples, table)
    return [_finding(i, notes=_context(i)) for i in res.issues]


# ---------------------------------------------------------------- patches


def _raws(defs: Iterable[Definition]) -> Iterator[tuple[str, Raw]]:
    from qapilint.rebuild.detect import schema_group

    for d in defs:
        if d.name.startswith("?") or not d.meta:
            continue
        yield schema_group(d.file), Raw(d.name, d.meta, d.data, d.partial)


def _tables(defs: Iterable[Definition], complete: bool) -> dict[str, TypeTable]:
    groups: dict[str, list[Raw]] = {}
    for group, raw in _raws(defs):
        groups.setdefault(group, []).append(raw)
    return {g: TypeTable(raws, complete) for g, raws in groups.items()}


def _table_for(tables: dict[str, TypeTable], file: str, complete: bool) -> TypeTable:
    from qapilint.rebuild.detect import schema_group

    t = tables.get(schema_group(file))
    return t if t is not None else TypeTable((), complete)


def _hunk_runs(fd: FileDiff, side: str) -> Iterator[tuple[list[CommentLine], bool]]:
    """Runs of doc-comment lines one side of each hunk shows; True when the run's end is known."""
    for h in fd.hunks:
        run: list[CommentLine] = []
        for ln in h.lines:
            if side == "+" and ln.kind == "-" or side == "-" and ln.kind == "+":
                continue
            no = ln.new_no if side == "+" else ln.old_no
            cl = comment_line(no, ln.text) if no is not None and ln.text.strip() != "##" else None
            if cl is None:
                if run:
                    yield run, True
                run = []
                continue
            run.append(cl)
        if run:
            yield run, False


def _symbol_at(defs: dict[str, Definition], path: str, run: list[CommentLine]) -> str | None:
    """The definition a run of doc lines documents: its '@name:' first line, else the doc it lies in."""
    s = run[0].text.strip()
    if s.startswith("@") and s.endswith(":") and " " not in s:
        return s[1:-1]
    line = run[0].line
    for d in defs.values():
        doc = d.doc
        if d.file == path and doc is not None and doc.info.line <= line <= doc.end_line:
            return d.name if not d.name.startswith("?") else None
    return None


def _hunk_examples(ctx: CheckContext, side: str) -> list[Example]:
    defs = (ctx.changes.after if side == "+" else ctx.changes.before).definitions
    out: list[Example] = []
    for fd in ctx.patch.files:
        path = fd.path if side == "+" else (fd.old_path or fd.path)
        if fd.path not in ctx.qapi_paths:
            continue
        for run, ends_known in _hunk_runs(fd, side):
            if not any("->" in c.text or "<-" in c.text for c in run):
                continue
            symbol = _symbol_at(defs, path, run)
            out.extend(examples_in_lines(path, run, symbol, ends_known))
    return out


def _doc_examples(defs: Iterable[Definition], files: set[str] | None = None) -> list[Example]:
    out: list[Example] = []
    seen: set[int] = set()
    for d in defs:
        if files is not None and d.file not in files:
            continue
        if d.doc is not None and id(d.doc) not in seen:
            seen.add(id(d.doc))
            out.extend(doc_examples(d.doc))
    return out


class _Run:
    # Not a dataclass: ``audit`` imports this module, and a dataclass costs a millisecond to make.
    __slots__ = ("findings", "out_of_view")

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.out_of_view: set[str] = set()


def _touched(ctx: CheckContext, msg: Message) -> bool:
    ex = msg.example
    return ex is not None and any(ctx.is_added(ex.file, ln) for ln in msg.lines)


def _stale_possible(ctx: CheckContext) -> bool:
    """Whether a change of the patch can make an existing example wrong.

    Additions cannot, except of a mandatory member (an example now leaves it out).
    """
    for c in ctx.changes.changes:
        if c.what not in _STALE_WHATS:
            continue
        if c.op != "added":
            return True
        if c.what == "member" and not c.detail.endswith("(optional)"):
            return True
    return False


def _check_doc_examples(ctx: CheckContext, run: _Run) -> None:
    complete = ctx.complete
    after = ctx.changes.after
    touched = set(ctx.qapi_paths)
    stale = complete and _stale_possible(ctx)
    if complete:
        # Edited examples are in the files the patch touches; all others matter
        # only when the patch changes what an example could show.
        every = _doc_examples(after.definitions.values(), None if stale else touched)
        examples = [ex for ex in every if ex.file in touched]
        old_paths = {fd.old_path or fd.path for fd in ctx.patch.files if fd.path in touched}
        before_examples = _doc_examples(ctx.changes.before.definitions.values(), old_paths)
    else:
        every = examples = _hunk_examples(ctx, "+")
        before_examples = _hunk_examples(ctx, "-")
    if not every:
        return
    before_texts = {_norm(m) for ex in before_examples for m in ex.messages}
    tables = _tables(after.definitions.values(), complete)
    edited: list[Example] = []
    for ex in examples:
        if any(_touched(ctx, m) and _norm(m) not in before_texts for m in ex.messages):
            edited.append(ex)
    by_file: dict[str, list[Example]] = {}
    for ex in edited:
        by_file.setdefault(ex.file, []).append(ex)
    for file, exs in by_file.items():
        res = Q.check_examples(exs, _table_for(tables, file, complete))
        run.out_of_view |= res.out_of_view
        for i in res.issues:
            if _touched(ctx, i.msg) and _norm(i.msg) not in before_texts:
                run.findings.append(_with_patch_line(ctx, _finding(i, notes=_context(i))))
    if stale:
        kept = [ex for ex in every if not all(_touched(ctx, m) and _norm(m) not in before_texts
                                              for m in ex.messages)]
        if kept:
            run.findings.extend(_stale(ctx, kept, tables, before_texts))


def _stale(ctx: CheckContext, examples: list[Example], tables: dict[str, TypeTable],
           before_texts: set[str]) -> list[Finding]:
    """Problems of untouched messages that the schema before the patch did not have."""
    old_tables = _tables(ctx.changes.before.definitions.values(), True)
    out: list[Finding] = []
    by_file: dict[str, list[Example]] = {}
    for ex in examples:
        by_file.setdefault(ex.file, []).append(ex)
    for file, exs in by_file.items():
        now = Q.check_examples(exs, _table_for(tables, file, True)).issues
        now = [i for i in now if not (_touched(ctx, i.msg) and _norm(i.msg) not in before_texts)]
        if not now:
            continue
        old = Q.check_examples(exs, _table_for(old_tables, file, True)).issues
        had = {(id(i.msg), i.rule, i.message) for i in old}
        # Members an object already left out before the patch are not news.
        left_out = {(id(i.msg), i.path): set(i.missing.missing) for i in old if i.missing is not None}
        for i in now:
            if (id(i.msg), i.rule, i.message) in had:
                continue
            if i.missing is not None:
                before = left_out.get((id(i.msg), i.path), set())
                new = [n for n in i.missing.missing if n not in before]
                if not new:
                    continue
                i.message = missing_message(new, i.missing.label, i.missing.disc)
                i.item = new[0]
            cause = _cause(ctx.changes.changes, i)
            owner = i.msg.example
            where = owner.describe() if owner is not None else "an example"
            f = _finding(i, R.STALE.id, prefix=f"{where} is stale: ", notes=[cause])
            out.append(_with_patch_line(ctx, f))
    return out


def _cause(changes: list[Change], issue: Q.ExampleIssue) -> str:
    """Which change of the patch made the example wrong, as far as it can be told."""
    names = {issue.type_name, issue.subject} - {None}
    item = issue.item
    best: Change | None = None
    for c in changes:
        if c.what in ("doc", "since"):
            continue
        if item is not None and c.name == item and (not names or c.definition in names):
            best = c
            break
        if best is None and c.definition in names:
            best = c
        if best is None and item is not None and c.what == "definition" and c.definition == item:
            best = c
    if best is None:
        return "after this patch"
    target = f"{best.what} '{best.name}' of '{best.definition}'" if best.name else f"'{best.definition}'"
    detail = f" ({best.detail})" if best.detail else ""
    line = f" at {best.file}:{best.line}" if best.file and best.line else ""
    verb = {"added": "adds", "removed": "removes"}.get(best.op, "changes")
    return f"the patch {verb} {target}{detail}{line}"


def _with_patch_line(ctx: CheckContext, f: Finding) -> Finding:
    if f.file is not None and f.line is not None:
        f.patch_line = ctx.patch_line(f.file, f.line)
    return f


def _check_commit(ctx: CheckContext, run: _Run) -> None:
    examples = examples_in_commit(ctx.patch.message)
    if not examples:
        return
    from qapilint.rebuild.detect import schema_group

    complete = ctx.complete
    tables = _tables(ctx.changes.after.definitions.values(), complete)
    groups = {schema_group(p) for p in ctx.qapi_paths} or {""}
    table = tables.get(sorted(groups)[0]) or TypeTable((), complete)
    res = Q.check_examples(examples, table)
    raw = ctx.patch.message.split("\n")
    for i in res.issues:
        line, col = i.position
        where = f"commit message line {line}, column {col}: "
        shown = [f"{line} | {raw[line - 1]}"] if 0 < line <= len(raw) else []
        if i.rule == I.SYNTAX:
            run.findings.append(_finding(i, R.MESSAGE_SYNTAX.id, prefix=where, notes=shown))
        elif i.rule in _COMMIT_RULES:
            run.findings.append(_finding(i, R.MESSAGE_MISMATCH.id, prefix=where, notes=shown))
    run.out_of_view |= res.out_of_view


def check(ctx: CheckContext) -> list[Finding]:
    run = _Run()
    _check_doc_examples(ctx, run)
    _check_commit(ctx, run)
    if run.out_of_view and not ctx.complete:
        names = sorted(run.out_of_view)
        shown = ", ".join(f"'{n}'" for n in names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        run.findings.append(R.NEEDS_TREE.finding(
            f"QMP examples use {shown}, not in the patch: checked for syntax only; run with --tree "
            f"to check them against the schema"))
    return run.findings
