"""``qapilint check INPUT...``: review patches."""

from __future__ import annotations

import argparse
import os
import sys

from qapilint.cli import common
from qapilint.errors import InputError
from qapilint.pipeline import CheckOptions, check_series
from qapilint.reports.model import InputFailure, PatchReport, Report


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="*", metavar="INPUT",
                   help="patchwork JSON, mbox / git format-patch output, unified diff, patchwork URL, or - for stdin")
    p.add_argument("--input-format", choices=["auto", "patchwork", "mbox", "diff"], default="auto",
                   help="force the input kind (default: sniffed from the content)")
    p.add_argument("--git", metavar="RANGE", help="check the commits of RANGE in the QEMU checkout (--tree or cwd)")
    p.add_argument("--patchwork", metavar="URL", help="patchwork instance, with --patch N or --series N")
    p.add_argument("--patch", metavar="N", action="append", default=[], help="patchwork patch id")
    p.add_argument("--series", metavar="N", action="append", default=[], help="patchwork series id")
    p.add_argument("--tree", metavar="DIR", help="QEMU checkout to rebuild against (default: cwd if it is one)")
    p.add_argument("--base", metavar="REV", help="read base files from this git revision of the tree")
    p.add_argument("--target", metavar="X.Y", help="the release new API should name")
    p.add_argument("--rules", metavar="latest|X.Y", help="schema rules of this QEMU release (default: the tree's)")
    p.add_argument("--all", action="store_true", dest="show_all", help="also list schema errors already present")
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N", help="check N inputs in parallel")
    common.add_report_arguments(p)


def _specs(args: argparse.Namespace) -> list[str]:
    specs = list(args.inputs)
    if args.patchwork:
        base = args.patchwork.rstrip("/")
        specs += [f"{base}/api/patches/{n}/" for n in args.patch]
        specs += [f"{base}/api/series/{n}/" for n in args.series]
    return specs


def _one(spec: str, input_format: str | None, options: CheckOptions) -> tuple[list[PatchReport], InputFailure | None]:
    from qapilint import sources

    try:
        series = sources.load(spec, input_format=input_format)
        return check_series(series, options), None
    except InputError as e:
        return [], InputFailure(e.where, e.message)
    except RecursionError:
        return [], InputFailure(spec, "input is nested too deeply")
    except MemoryError:
        return [], InputFailure(spec, "input is too large")


def _git(args: argparse.Namespace, options: CheckOptions) -> tuple[list[PatchReport], InputFailure | None]:
    from qapilint import sources

    tree = args.tree or os.getcwd()
    try:
        series = sources.load_git_range(tree, args.git)
        return check_series(series, options), None
    except InputError as e:
        return [], InputFailure(e.where, e.message)


def run(args: argparse.Namespace) -> int:
    try:
        opts = common.resolve_options(args)
    except InputError as e:
        print(f"qapilint: error: {e.where}: {e.message}", file=sys.stderr)
        return 2
    options = CheckOptions(tree=args.tree or opts.tree, base=args.base, target=args.target or opts.target,
                           rules=args.rules, show_all=args.show_all)
    fmt = None if args.input_format == "auto" else args.input_format
    specs = _specs(args)
    if not specs and not args.git:
        print("qapilint: error: no input (give a file, URL, - for stdin, or --git RANGE)", file=sys.stderr)
        return 2
    report = Report(inputs=specs + ([f"git:{args.git}"] if args.git else []), tree=options.tree)
    results: list[tuple[list[PatchReport], InputFailure | None]] = []
    if args.git:
        results.append(_git(args, options))
    if args.jobs > 1 and len(specs) > 1 and "-" not in specs:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=args.jobs) as ex:
            results += list(ex.map(_one, specs, [fmt] * len(specs), [options] * len(specs), chunksize=4))
    else:
        results += [_one(s, fmt, options) for s in specs]
    for reps, failure in results:
        report.patches.extend(reps)
        if failure is not None:
            report.failures.append(failure)
    for r in report.patches:
        r.findings = common.apply_selection(r.findings, opts)
    common.emit(report, opts)
    return common.exit_status(report, opts)
