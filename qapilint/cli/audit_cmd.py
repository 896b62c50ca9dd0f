"""``qapilint audit [TREE]``: version-tag rules over every definition of a QEMU tree, and its QMP examples."""

from __future__ import annotations

import argparse
import os
import sys

from qapilint.cli import common, fix
from qapilint.errors import InputError
from qapilint.patch import Patch
from qapilint.reports.model import InputFailure, PatchReport, Report

ROOTS = ("qapi/qapi-schema.json", "qga/qapi-schema.json", "storage-daemon/qapi/qapi-schema.json")
# Per-patch outputs (a reply email, b4's per-patch checks, a patchwork check) say nothing about a tree.
FORMATS = ("text", "json", "sarif", "github", "gitlab", "html")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("tree", nargs="?", default=None, help="QEMU checkout (default: the current directory)")
    common.add_report_arguments(p, FORMATS)
    fix.add_arguments(p)


def _attach_fixes(rep: PatchReport, tree: str) -> None:
    """Tag-spelling repairs, read from the files as they are (only inside the tree)."""
    from qapilint.checks.fixes import attach_from_text
    from qapilint.fixer import Refused, read_text

    def read(rel: str) -> str | None:
        try:
            return read_text(tree, rel)
        except Refused:
            return None

    attach_from_text(rep.findings, read)


def _wants_examples(opts: common.Options) -> bool:
    """Whether any rule of the example family survives the selection (else skip the work)."""
    from qapilint.checks.example_rules import RULES

    return any(opts.selection.enabled(r.id, r.family) for r in RULES)


def run(args: argparse.Namespace) -> int:
    from qapilint.checks.audit import audit
    from qapilint.qapi.loader import load_schema

    try:
        opts = common.resolve_options(args)
    except InputError as e:
        print(e.line(), file=sys.stderr)
        return 2
    tree = args.tree or opts.tree or os.getcwd()
    report = Report(inputs=[tree], tree=tree, scope=f"the tree {tree}")
    roots = [r for r in ROOTS if os.path.isfile(os.path.join(tree, r))]
    if not roots:
        report.failures.append(InputFailure(tree, "not a QEMU tree (no qapi/qapi-schema.json)"))
    seen: set[tuple[str, str, int, int, str]] = set()
    # A module several roots include gets its examples checked once, against
    # the first root's schema (QEMU's main one has every command they name).
    checked: set[str] = set()
    examples = _wants_examples(opts)
    rep = PatchReport(patch=Patch(id="audit", subject=f"audit of {tree}", title=f"audit of {tree}"))
    here = os.getcwd()
    for root in roots:
        try:
            os.chdir(tree)  # file names relative to the tree, as QEMU prints them
            parsed = load_schema(root)
        except InputError as e:
            report.failures.append(InputFailure(e.where, e.message))
            continue
        finally:
            os.chdir(here)
        for f in audit(parsed, examples, checked):
            key = (f.rule, f.file or "", f.line or 0, f.col or 0, f.message)
            if key in seen:
                continue  # a module shared by several roots
            seen.add(key)
            rep.findings.append(f)
    rep.findings = common.apply_selection(rep.findings, opts)
    rep.findings.sort(key=lambda f: f.sort_key())
    report.patches.append(rep)
    _attach_fixes(rep, tree)
    if fix.wanted(args):
        return fix.finish(report, tree, args, opts)
    common.emit(report, opts)
    return common.exit_status(report, opts)
