"""``qapilint changes INPUT...``: what each patch changes in the QAPI schema."""

from __future__ import annotations

import argparse
import io
import os
import sys
from typing import TextIO

from qapilint.changes.differ import changes_for_series
from qapilint.changes.items import parts, show
from qapilint.changes.model import Change, PatchChanges, describe
from qapilint.errors import InputError
from qapilint.rebuild import RebuildCache, find_tree
from qapilint.rebuild.base import resolve
from qapilint.reports.safe import plain

NO_QAPI = "touches no QAPI schema file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="patchwork JSON, mbox / git format-patch, plain diff, URL or '-'")
    parser.add_argument("--tree", metavar="DIR",
                        help="QEMU checkout to apply the patches to (default: the checkout around the "
                             "current directory, if any)")
    parser.add_argument("--no-tree", action="store_true", help="rebuild from the hunks alone")
    parser.add_argument("--base", metavar="REV", help="read the tree's files at this git revision")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--input-format", choices=("auto", "patchwork", "mbox", "diff"), default="auto",
                        help="input format (default: detected)")


def _err(where: str, what: str) -> None:
    print(InputError(where, what).line(), file=sys.stderr)


def _type(t: object) -> str:
    return t if isinstance(t, str) else show(t)


def _subject(c: Change) -> str:
    if c.definition.startswith("?"):
        where = describe("", c.definition)
        return f"{c.name} of {where}" if c.name else where
    return f"{c.definition}.{c.name}" if c.name else c.definition


def change_line(c: Change) -> str:
    sign = {"added": "+", "removed": "-", "changed": "~"}.get(c.op, "?")
    if c.what == "definition":
        text = f"{c.meta or 'definition'} {c.definition}" + (f": {c.detail}" if c.op == "changed" else "")
    elif c.what in ("member", "branch"):
        t = c.after if c.op == "added" else c.before
        opt = " (optional)" if c.detail.endswith("(optional)") and c.op != "changed" else ""
        text = f"{c.what} {_subject(c)}: {_type(t)}{opt}" + (f" ({c.detail})" if c.op == "changed" else "")
    elif c.what == "value":
        text = f"value {_subject(c)}"
    elif c.what == "feature":
        on = c.detail[3:].split("'")[1] if c.detail.startswith("on ") and "'" in c.detail else ""
        text = f"feature {c.definition}{'.' + on if on else ''}.{c.name}"
    else:
        text = f"{c.what} {_subject(c)}" + (f": {c.detail}" if c.detail else "")
    where = f"{c.file}:{c.line}" if c.line else c.file
    if c.patch_lines:
        where += f", patch line {c.patch_lines[0]}"
    return f"{sign} {text}{' [partial]' if c.partial else ''}  ({where})"


def render_text(entries: list[PatchChanges], out: TextIO) -> None:
    for pc in entries:
        head = "series (cumulative)" if pc.cumulative else pc.patch_id
        out.write(f"== {head}: {pc.subject}\n")
        for n in pc.notes:
            out.write(f"   note: {n}\n")
        if not pc.files and not pc.cumulative and not any("QAPI" in n for n in pc.notes):
            out.write(f"   {NO_QAPI}\n")
        for f in pc.files:
            mode = "applied to the tree" if f.rebuild == "tree" else "rebuilt from hunks"
            extra = f", {f.unplaced_hunks} hunk(s) not placed" if f.unplaced_hunks else ""
            out.write(f"   {f.path}: {mode}{extra}\n")
            for n in f.notes:
                out.write(f"      note: {n}\n")
        if pc.files and not pc.changes:
            out.write("   no schema change\n")
        for c in pc.changes:
            out.write(f"   {change_line(c)}\n")
            if c.what == "definition" and c.op in ("added", "removed"):
                data = c.after if c.op == "added" else c.before
                for what, items in parts(c.meta, data if isinstance(data, dict) else {}).items():
                    for it in items.values():
                        t = f": {_type(it.type)}" if what != "value" else ""
                        out.write(f"        {what} {it.name}{t}{' (optional)' if it.optional else ''}\n")
            if c.doc and c.what in ("member", "feature", "definition") and c.op == "added":
                out.write(f"        doc: {' '.join(c.doc.split())}\n")
        out.write("\n")



def to_json(pc: PatchChanges) -> dict[str, object]:
    return {
        "id": pc.patch_id,
        "subject": pc.subject,
        "cumulative": pc.cumulative,
        "notes": list(pc.notes) + ([NO_QAPI] if not pc.files and not pc.cumulative
                                   and not any("QAPI" in n for n in pc.notes) else []),
        "complete": pc.after.complete,
        "files": [{"path": f.path, "rebuild": f.rebuild, "unplaced_hunks": f.unplaced_hunks,
                   "notes": list(f.notes)} for f in pc.files],
        "changes": [{"op": c.op, "what": c.what, "definition": c.definition, "name": c.name, "meta": c.meta,
                     "partial": c.partial, "file": c.file, "line": c.line,
                     "patch_line": c.patch_lines[0] if c.patch_lines else None,
                     "patch_lines": list(c.patch_lines), "before": plain(c.before),
                     "after": plain(c.after), "detail": c.detail, "doc": c.doc}
                    for c in pc.changes],
    }


def run(args: argparse.Namespace) -> int:
    from qapilint.sources import load

    rc = 0
    tree: str | None = None
    if not args.no_tree:
        tree = args.tree if args.tree else find_tree(os.getcwd())
    if tree is None and args.base:
        _err("--base", "needs a tree (--tree DIR)")
        return 2
    cache = RebuildCache()
    entries: list[PatchChanges] = []
    for spec in args.inputs:
        try:
            series = load(spec, input_format=args.input_format)
            if tree is None:
                entries.extend(changes_for_series(series, None, cache=cache))
                continue
            # The same base choice as 'check' (rebuild/base.py), noted on each entry.
            base = resolve(series, tree, base=args.base)
            try:
                got = changes_for_series(series, base.reader(), cache=cache)
            finally:
                base.close()
            for pc in got:
                pc.notes.insert(0, base.note)
            entries.extend(got)
        except InputError as e:
            _err(e.where, e.message)
            rc = 2
    from qapilint.cli.common import write_out
    from qapilint.reports.safe import dumps, for_terminal

    # Names and doc text come from the patch: what they hold must neither act on a terminal
    # nor stop the output from being encoded.
    if args.format == "json":
        write_out(sys.stdout, dumps({"patches": [to_json(pc) for pc in entries]}), "json")
    else:
        buf = io.StringIO()
        render_text(entries, buf)
        write_out(sys.stdout, for_terminal(buf.getvalue(), keep_newlines=True), "text")
    return rc
