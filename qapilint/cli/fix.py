"""``--fix`` and ``--diff`` for ``check`` and ``audit``: apply the findings' fixes, or print them as a diff.

Like ``ruff --fix``: the files of the work tree are changed, nothing is
committed (the user reviews the change and squashes it into the commits it
belongs to), and the report lists only the findings that remain (with how
many were fixed), its exit status following them.  ``--diff`` prints the same changes as a unified diff instead of
the report and writes nothing.  What was applied and what was not goes to
stderr, one line per fix.
"""

from __future__ import annotations

import argparse
import os
import sys

from qapilint.cli import common
from qapilint.cli.common import Options
from qapilint.errors import InputError
from qapilint.findings import Finding
from qapilint.reports.locate import all_findings
from qapilint.reports.model import InputFailure, Report


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("fixes")
    g.add_argument("--fix", action="store_true",
                   help="apply the fixes of the findings to the files of the work tree (nothing is committed)")
    g.add_argument("--diff", action="store_true",
                   help="print the fixes as a unified diff instead of the report; write nothing")


def wanted(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "fix", False) or getattr(args, "diff", False))


def finish(report: Report, root: str | None, args: argparse.Namespace, opts: Options) -> int:
    """Apply or show the fixes, then write the report (not with --diff); the exit status."""
    diff = run(report, root, args)
    if diff is None:
        common.emit(report, opts)
        return common.exit_status(report, opts)
    for x in report.failures:
        print(InputError(x.where, x.message).line(), file=sys.stderr)
    common.write_out(sys.stdout, diff, "diff")
    return common.exit_status(report, opts)


def run(report: Report, root: str | None, args: argparse.Namespace) -> str | None:
    """Apply (``--fix``) or show (``--diff``) the fixes; the diff text for ``--diff``, else None.

    A missing work tree is recorded as a failure of the run (exit status 2).
    """
    from qapilint.fixer import Refused, fixed, plan, summary_lines, unified_diff, write
    from qapilint.reports.safe import for_terminal

    if root is None or not os.path.isdir(root):
        report.failures.append(InputFailure("--fix" if args.fix else "--diff",
                                            "needs a work tree: give --tree DIR, or run inside a QEMU checkout"))
        return "" if args.diff else None
    p = plan(root, [f for f in all_findings(report) if f.fix is not None])
    if args.diff:
        for line in summary_lines(p):
            if ": not fixed: " in line:
                print(for_terminal(line), file=sys.stderr)
        return unified_diff(p)
    try:
        write(p)
    except OSError as e:
        report.failures.append(InputFailure(root, f"cannot write the fixes: {e.strerror or e}"))
    except Refused as e:  # a file that turned into a link since it was read, say
        report.failures.append(InputFailure(root, f"fixes not written: {e}"))
    for line in summary_lines(p):
        print(for_terminal(line), file=sys.stderr)
    drop_fixed(report, fixed(p))
    return None


def drop_fixed(report: Report, done: list[Finding]) -> None:
    """Like ``ruff --fix``: the report lists what remains, and says how many were fixed."""
    gone = {id(f) for f in done}
    for rep in report.patches:
        rep.findings = [f for f in rep.findings if id(f) not in gone]
    report.fixed = len(gone)
