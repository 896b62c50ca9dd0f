"""Command-line entry point: ``qapilint SUBCOMMAND ...``.

Each subcommand lives in its own module exposing ``add_arguments(parser)``
and ``run(args) -> int``; modules are imported only when their subcommand
runs, to keep start-up fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from qapilint import __version__

# name -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "schema": ("qapilint.cli.schema_cmd", "validate a whole QAPI schema like QEMU's frontend"),
    "changes": ("qapilint.cli.changes_cmd", "show what a patch changes in the QAPI schema"),
    "check": ("qapilint.cli.check_cmd", "review a patch: schema, version tags, compat, docs"),
    "diff": ("qapilint.cli.diff_cmd", "compare two releases (or revisions) as QMP clients see them"),
    "audit": ("qapilint.cli.audit_cmd", "apply version-tag rules and check the QMP examples of a whole tree"),
    "rules": ("qapilint.cli.rules_cmd", "list every rule"),
    "explain": ("qapilint.cli.rules_cmd", "explain one rule"),
    "bot": ("qapilint.cli.bot_cmd", "patchwork CI bot"),
}


def _module(name: str) -> object:
    return importlib.import_module(SUBCOMMANDS[name][0])


def _chosen(args: Sequence[str]) -> str | None:
    """The subcommand named on the command line (its first word that is not an option)."""
    return next((a for a in args if not a.startswith("-")), None)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qapilint", description="Review QEMU patches that touch the QAPI schema.")
    p.add_argument("--version", action="version", version=f"qapilint {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_mod, helptext) in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=helptext, description=helptext)
        if only is not None and name != only:
            continue
        mod = _module(name)
        getattr(mod, "add_explain_arguments" if name == "explain" else "add_arguments")(sp)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # Only the chosen subcommand's module is imported.
    chosen = _chosen(args_list)
    parser = build_parser(chosen if chosen in SUBCOMMANDS else None)
    args = parser.parse_args(args_list)
    if not args.command:
        parser.print_help()
        return 2
    mod = _module(args.command)
    runner = getattr(mod, "run_explain" if args.command == "explain" else "run")
    try:
        rc: int = runner(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    return rc


def run() -> NoReturn:
    """Console entry point: ``main()``, then leave without tearing the interpreter down.

    A ``check --tree`` builds a few hundred thousand objects (two whole
    schemas and their models); freeing them one by one at exit took a fifth
    of the run.  By then there is nothing left to clean up: output is flushed
    here, cache entries were written (atomically, by rename) when made, and
    worker pools are shut down.  The bot, long-running and owning temporary
    directories, exits normally.
    """
    rc = main()
    if _chosen(sys.argv[1:]) == "bot":
        sys.exit(rc)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):     # a closed pipe: nothing more to say
            stream.flush()
    os._exit(rc)


if __name__ == "__main__":
    run()
