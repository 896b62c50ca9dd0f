"""``qapilint diff OLD NEW``: what QMP clients see change between two schemas, judged by
QEMU's deprecation policy.

OLD and NEW are each a directory holding the schema, or a git revision of
the tree (``--tree``, default: the QEMU checkout around the current
directory), read from git objects.  Exit status: 2 when a side cannot be
loaded, 1 when a finding at or above ``--fail-on`` remains (by default:
a policy violation or an undeclared break, see ``qapilint explain release``),
else 0.
"""

from __future__ import annotations

import argparse
import os
import sys

from qapilint.errors import InputError
from qapilint.findings import Severity
from qapilint.rebuild.detect import MAIN_ROOT, find_tree


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", metavar="OLD", help="git revision of the tree, or a directory holding a schema")
    p.add_argument("new", metavar="NEW", help="git revision of the tree, or a directory holding a schema")
    p.add_argument("--tree", metavar="DIR",
                   help="git checkout OLD and NEW are revisions of, and whose history gives the releases "
                        "(default: the QEMU checkout around the current directory)")
    p.add_argument("--schema", metavar="PATH", default=MAIN_ROOT,
                   help=f"root schema file inside the tree (default: {MAIN_ROOT}; e.g. qga/qapi-schema.json, "
                        "storage-daemon/qapi/qapi-schema.json)")
    p.add_argument("--format", "-f", choices=("text", "markdown", "json"), default="text",
                   help="text changelog, Markdown for release notes, or JSON (default: text)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--fail-on", choices=("error", "warning", "note", "never"), default="error",
                   help="exit 1 when a finding of this severity or worse remains (default: error, i.e. a "
                        "deprecation-policy violation or an undeclared break)")
    p.add_argument("--select", action="append", metavar="RULES", help="only these rules (comma-separated)")
    p.add_argument("--ignore", action="append", metavar="RULES", help="leave out these rules")
    p.add_argument("--no-history", action="store_true",
                   help="do not read the release history: deprecation is judged from OLD alone")


def _split(values: list[str] | None) -> list[str]:
    return [s.strip() for v in values or [] for s in v.split(",") if s.strip()]


def _schema_path(text: str) -> str:
    path = os.path.normpath(text)
    if os.path.isabs(text) or path.startswith("..") or path == ".":
        raise InputError("--schema", f"'{text}' is not a path inside the tree")
    return path


def run(args: argparse.Namespace) -> int:
    from qapilint.checks.release import findings
    from qapilint.compare import compare
    from qapilint.reports.changelog import RENDERERS
    from qapilint.selection import Selection, unknown_selectors

    select, ignore = _split(args.select) or None, _split(args.ignore)
    try:
        bad = unknown_selectors([*(select or []), *ignore])
        if bad:
            raise InputError("--select" if select and bad[0] in select else "--ignore",
                             f"unknown rule or family {bad[0]!r} (see 'qapilint rules')")
        schema = _schema_path(args.schema)
        tree = args.tree or find_tree(os.getcwd()) or os.getcwd()
        cmp = compare(args.old, args.new, tree=tree, schema=schema, history=not args.no_history)
    except InputError as e:
        print(e.line(), file=sys.stderr)
        return 2
    sel = Selection(select=select, ignore=ignore)
    found = [f for f in findings(cmp) if sel.enabled(f.rule, f.family)]
    text = RENDERERS[args.format](cmp, found)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            print(f"qapilint: error: {args.output}: cannot write report: {e.strerror or e}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(text)
    if args.fail_on == "never":
        return 0
    limit = Severity.parse(args.fail_on)
    return 1 if any(f.severity >= limit for f in found) else 0
