"""``qapilint check INPUT...``: review patches."""

from __future__ import annotations

import argparse
import gc
import os
import sys

from qapilint.cli import common, fix
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
    p.add_argument("--jobs", "-j", type=_jobs, default=1, metavar="N",
                   help="check N inputs in parallel (0: one per CPU); output order is input order")
    common.add_report_arguments(p)
    fix.add_arguments(p)


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


def _chunk(specs: list[str], input_format: str | None,
           options: CheckOptions) -> list[tuple[list[PatchReport], InputFailure | None]]:
    return [_one(s, input_format, options) for s in specs]


def _git(args: argparse.Namespace, options: CheckOptions) -> tuple[list[PatchReport], InputFailure | None]:
    from qapilint import sources

    tree = args.tree or os.getcwd()
    try:
        series = sources.load_git_range(tree, args.git)
        return check_series(series, options), None
    except InputError as e:
        return [], InputFailure(e.where, e.message)


def _jobs(text: str) -> int:
    """--jobs N: N >= 1, or 0 for one per CPU."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 (one per CPU) or more")
    return n if n > 0 else (os.cpu_count() or 1)


def _check_all(specs: list[str], fmt: str | None, options: CheckOptions,
               jobs: int) -> list[tuple[list[PatchReport], InputFailure | None]]:
    """Results in input order whatever the finishing order, so --jobs N prints what --jobs 1 prints."""
    from qapilint.cli.progress import Progress

    results: list[tuple[list[PatchReport], InputFailure | None] | None] = [None] * len(specs)
    with Progress(len(specs)) as bar:
        # stdin can be read once, by this process only.
        if jobs > 1 and len(specs) > 1 and "-" not in specs:
            from concurrent.futures import ProcessPoolExecutor, as_completed

            # Chunks: one task per input spends more on inter-process traffic than on checking
            # (a patch takes milliseconds); several chunks per worker keep the load even.
            size = max(1, min(16, len(specs) // (jobs * 8)))
            # The first input is checked here, before the workers fork: they inherit the imported
            # modules and the built parser instead of each paying for them.
            results[0] = _one(specs[0], fmt, options)
            bar.advance()
            starts = range(1, len(specs), size)
            # Unpickled reports are many small objects that all stay alive; the cyclic GC would
            # rescan them again and again (it tripled the parent's time) and can find nothing to free.
            gc_was_on = gc.isenabled()
            gc.disable()
            try:
                with ProcessPoolExecutor(max_workers=min(jobs, len(specs))) as ex:
                    futures = {ex.submit(_chunk, specs[i:i + size], fmt, options): i for i in starts}
                    for fut in as_completed(futures):
                        done = fut.result()
                        first = futures[fut]
                        results[first:first + len(done)] = done
                        bar.advance(len(done))
            finally:
                if gc_was_on:
                    gc.enable()
        else:
            for i, s in enumerate(specs):
                results[i] = _one(s, fmt, options)
                bar.advance()
    return [r for r in results if r is not None]


def run(args: argparse.Namespace) -> int:
    try:
        opts = common.resolve_options(args)
    except InputError as e:
        print(e.line(), file=sys.stderr)
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
    results += _check_all(specs, fmt, options, args.jobs)
    for reps, failure in results:
        report.patches.extend(reps)
        if failure is not None:
            report.failures.append(failure)
    for r in report.patches:
        r.findings = common.apply_selection(r.findings, opts)
    if fix.wanted(args):
        from qapilint.pipeline import find_tree

        # The work tree: --tree, or the checkout the --git range was read from, or the one we are in.
        root = options.tree or (os.getcwd() if args.git else find_tree(None))
        return fix.finish(report, root, args, opts)
    common.emit(report, opts)
    return common.exit_status(report, opts)
