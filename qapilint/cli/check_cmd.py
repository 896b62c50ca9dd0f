"""``qapilint check INPUT...``: review patches."""

from __future__ import annotations

import argparse
import os
import sys

from qapilint.cli import common, fix
from qapilint.collector import paused
from qapilint.errors import InputError
from qapilint.pipeline import CheckOptions, check_series
from qapilint.reports.model import InputFailure, PatchReport, Report


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="*", metavar="INPUT",
                   help="patchwork JSON, mbox / git format-patch output, unified diff, patchwork URL, or - for stdin")
    p.add_argument("--input-format", choices=["auto", "patchwork", "mbox", "diff"], default="auto",
                   help="force the input kind (default: sniffed from the content)")
    p.add_argument("--git", metavar="RANGE", help="check the commits of RANGE in the QEMU checkout (--tree or cwd)")
    p.add_argument("--staged", action="store_true",
                   help="check what is staged (git diff --cached) against HEAD (the pre-commit hook)")
    p.add_argument("--pre-push", action="store_true",
                   help="check the commits being pushed: PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF, or a new "
                        "branch from its upstream / merge-base with the default branch (the pre-push hook)")
    p.add_argument("--patchwork", metavar="URL", help="patchwork instance, with --patch N or --series N")
    p.add_argument("--patch", metavar="N", action="append", default=[], help="patchwork patch id")
    p.add_argument("--series", metavar="N", action="append", default=[], help="patchwork series id")
    p.add_argument("--tree", metavar="DIR", help="QEMU checkout to rebuild against (default: cwd if it is one)")
    p.add_argument("--base", metavar="REV",
                   help="read base files from this git revision of the tree (default: the series' base-commit, "
                        "the commit before the series when HEAD holds it, else the work tree)")
    p.add_argument("--target", metavar="X.Y", help="the release new API should name")
    p.add_argument("--against", metavar="REV",
                   help="also report client-visible breaks against release REV (a git revision of the tree), "
                        "judged by QEMU's deprecation policy (needs a tree)")
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
    except MemoryError:
        return [], InputFailure(spec, "input is too large")


def _chunk(specs: list[str], input_format: str | None,
           options: CheckOptions) -> list[tuple[list[PatchReport], InputFailure | None]]:
    return [_one(s, input_format, options) for s in specs]


def _from_git(args: argparse.Namespace, options: CheckOptions,
              what: str) -> tuple[list[PatchReport], InputFailure | None]:
    """--git RANGE, --staged or --pre-push: the series and its base come from the checkout."""
    from qapilint.cli import git_input

    try:
        if what == "staged":
            series, opts = git_input.staged_input(args.tree, options)
        else:
            rng = args.git
            if what == "pre-push":
                rng = git_input.pre_push_range(args.tree, dict(os.environ))
                if rng is None:
                    return [], None     # nothing pushed that has a base to compare with
            series, opts = git_input.range_input(args.tree, rng, options)
        return (check_series(series, opts) if series.patches else []), None
    except InputError as e:
        if what == "pre-push" and e.message == "git range: no commits in range":
            return [], None             # a push of nothing new (a tag, a deletion)
        return [], InputFailure(e.where, e.message)


def _bad_base(options: CheckOptions) -> InputError | None:
    """--base names no commit of the tree: one error up front, not one per input."""
    from qapilint.rebuild.detect import tree_for
    from qapilint.sources.gitrepo import GitRepo, toplevel

    if options.base is None:
        return None
    tree = tree_for(options.tree) or toplevel(os.getcwd())
    if tree is None:
        return InputError("--base", f"{options.base}: needs a git checkout (--tree DIR)")
    repo = GitRepo.at(tree) or GitRepo(toplevel(tree) or tree)
    if repo.commit(options.base) is None:
        return InputError(tree, f"--base {options.base}: not a commit of this repository")
    return None


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
            with paused(), ProcessPoolExecutor(max_workers=min(jobs, len(specs))) as ex:
                futures = {ex.submit(_chunk, specs[i:i + size], fmt, options): i for i in starts}
                for fut in as_completed(futures):
                    done = fut.result()
                    first = futures[fut]
                    results[first:first + len(done)] = done
                    bar.advance(len(done))
        else:
            for i, s in enumerate(specs):
                results[i] = _one(s, fmt, options)
                bar.advance()
    return [r for r in results if r is not None]


def _against_unusable(rev: str, tree: str | None) -> bool:
    """--against REV: say once, before any input, when it cannot be used."""
    from qapilint.rebuild.detect import TreeReader, find_tree

    where = tree or find_tree(os.getcwd())
    try:
        if where is None:
            raise InputError("--against", "needs a tree (--tree DIR, or run inside a QEMU checkout)")
        if rev.startswith("-"):
            raise InputError("--against", f"'{rev}' is not a revision")
        TreeReader(where, rev)
    except InputError as e:
        print(e.line(), file=sys.stderr)
        return True
    return False


def run(args: argparse.Namespace) -> int:
    try:
        opts = common.resolve_options(args)
    except InputError as e:
        print(e.line(), file=sys.stderr)
        return 2
    options = CheckOptions(tree=args.tree or opts.tree, base=args.base, target=args.target or opts.target,
                           rules=args.rules, show_all=args.show_all, against=args.against)
    if args.against and _against_unusable(args.against, options.tree):
        return 2
    fmt = None if args.input_format == "auto" else args.input_format
    specs = _specs(args)
    bad_base = _bad_base(options)
    if bad_base is not None:
        print(bad_base.line(), file=sys.stderr)
        return 2
    git_modes = [m for m, on in (("range", bool(args.git)), ("staged", args.staged), ("pre-push", args.pre_push))
                 if on]
    if len(git_modes) > 1:
        print("qapilint: error: give only one of --git, --staged and --pre-push", file=sys.stderr)
        return 2
    if not specs and not git_modes:
        print("qapilint: error: no input (give a file, URL, - for stdin, --git RANGE, --staged or --pre-push)",
              file=sys.stderr)
        return 2
    git_label = {"range": f"git:{args.git}", "staged": "git:staged", "pre-push": "git:pre-push"}
    report = Report(inputs=specs + [git_label[m] for m in git_modes], tree=options.tree)
    results: list[tuple[list[PatchReport], InputFailure | None]] = []
    for m in git_modes:
        results.append(_from_git(args, options, m))
    results += _check_all(specs, fmt, options, args.jobs)
    for reps, failure in results:
        report.patches.extend(reps)
        if failure is not None:
            report.failures.append(failure)
    for r in report.patches:
        r.findings = common.apply_selection(r.findings, opts)
    if fix.wanted(args):
        from qapilint.rebuild.detect import tree_for
        from qapilint.sources.gitrepo import toplevel

        # The work tree: --tree, or the checkout the git input was read from, or the one we are in.
        root = options.tree or (toplevel(os.getcwd()) if git_modes else tree_for(None))
        return fix.finish(report, root, args, opts)
    common.emit(report, opts)
    return common.exit_status(report, opts)
