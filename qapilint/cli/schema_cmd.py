"""``qapilint schema PATH...``: validate whole QAPI schemas the way QEMU's frontend does.

Text output is QEMU's, with a severity word and the rule id added, so that
tools that read QEMU's diagnostics (and the qemu-suite harness) read ours:
"In file included from" lines and the "FILE: In struct 'X':" context line
come first, continuation lines follow indented.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TextIO

from qapilint import contain
from qapilint.errors import InputError
from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.schema import RulesVersion, context_lines, validate
from qapilint.versions import parse_version


def _rules_arg(text: str) -> str:
    if text != "latest" and parse_version(text) is None:
        raise argparse.ArgumentTypeError(f"expected 'latest' or X.Y, got {text!r}")
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="root schema file(s), e.g. qapi/qapi-schema.json")
    parser.add_argument("--rules", type=_rules_arg, default=None, metavar="latest|X.Y",
                        help="apply the rules QEMU X.Y enforced (default: the version of the tree the "
                             "schema is in, from its VERSION file; 'latest' if there is none)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--tree", metavar="DIR", default=None,
                        help="the tree includes must stay in (default: the nearest directory up from each "
                             "file with a VERSION file or a .git, else the file's own directory)")


def tree_version(path: str) -> RulesVersion:
    """The QEMU version of the tree holding ``path``: the nearest VERSION file above it."""
    from qapilint.qapi.rule_versions import version_of_tree_file

    d = os.path.dirname(os.path.abspath(path))
    while True:
        candidate = os.path.join(d, "VERSION")
        if os.path.isfile(candidate):
            try:
                return version_of_tree_file(contain.decode(contain.read_regular(candidate, 4096)))
            except (OSError, UnicodeDecodeError, InputError, contain.PathRefused):
                return None  # an unusable VERSION file: fall back to the newest rules
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def rules_version_for(path: str, rules: str | None) -> RulesVersion:
    if rules is None:
        return tree_version(path)
    if rules == "latest":
        return None
    return parse_version(rules)


def format_text(err: SchemaError) -> list[str]:
    info = err.info
    lines = context_lines(info)
    lines.append(f"{info}: {err.severity.label}: {err.message} [{err.rule}]")
    lines.extend("  " + n for n in err.notes)
    return lines


def as_json(err: SchemaError) -> dict[str, object]:
    return {"rule": err.rule, "severity": err.severity.label, "message": err.message,
            "file": err.info.file, "line": err.info.line, "col": err.info.col,
            "definition": err.info.defn_name, "notes": list(err.notes)}


def check_path(path: str, rules: str | None, tree: str | None = None) -> list[SchemaError]:
    """Validate one root file; raises InputError when it cannot be used."""
    if os.path.isdir(path):
        raise InputError(path, "is a directory, expected a schema file")
    if not os.path.exists(path):
        raise InputError(path, "no such file")
    try:
        return validate(path, rules_version=rules_version_for(path, rules), tree=tree).errors
    except RecursionError:
        raise InputError(path, "nested too deeply to check") from None


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    tree = getattr(args, "tree", None)
    if tree is not None and not os.path.isdir(tree):
        print(InputError(tree, "--tree: not a directory").line(), file=err)
        return 2
    status = 0
    collected: list[dict[str, object]] = []
    for path in args.paths:
        try:
            errors = check_path(path, args.rules, tree)
        except InputError as e:
            print(e.line(), file=err)
            status = 2
            continue
        if any(f.severity.label == "error" for f in errors) and status == 0:
            status = 1
        if args.format == "json":
            collected.extend(as_json(f) for f in errors)
        else:
            for f in errors:
                for line in format_text(f):
                    print(line, file=out)
    if args.format == "json":
        json.dump(collected, out, indent=2)
        out.write("\n")
    return status
