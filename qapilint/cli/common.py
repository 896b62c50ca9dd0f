"""Report options shared by ``check``, ``changes`` and ``audit``.

A command calls ``add_report_arguments(parser)``, then at run time
``opts = resolve_options(args)`` (may raise InputError: bad config or
selector), filters every patch's findings with ``apply_selection``, and ends
with ``emit(report, opts)`` and ``return exit_status(report, opts)``.
Command-line options win over the config file.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

from qapilint import config as qconfig
from qapilint.errors import InputError
from qapilint.findings import Finding, Severity
from qapilint.reports import FORMATS, TERMINAL_FORMATS, RenderOptions, render
from qapilint.reports.locate import all_findings
from qapilint.reports.model import InputFailure, Report
from qapilint.selection import Selection, unknown_selectors

COLOR_CHOICES = ("auto", "always", "never")


@dataclass
class Options:
    selection: Selection = field(default_factory=Selection)
    fail_on: Severity = Severity.ERROR
    quiet: bool = False
    statistics: bool = False
    fmt: str = "text"
    output: str | None = None
    render: RenderOptions = field(default_factory=RenderOptions)
    tree: str | None = None
    target: str | None = None
    config_path: str | None = None


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out += [s.strip() for s in v.split(",") if s.strip()]
    return out


def add_report_arguments(p: argparse.ArgumentParser, formats: tuple[str, ...] = tuple(FORMATS)) -> None:
    """The report options; ``formats`` are those that make sense for the command (audit: no reply email)."""
    p.set_defaults(report_formats=formats)
    g = p.add_argument_group("report options")
    g.add_argument("--config", metavar="FILE",
                   help="config file (default: .qapilint.toml or pyproject.toml [tool.qapilint], "
                        "searched upwards from the tree or the current directory)")
    g.add_argument("--select", action="append", metavar="RULES",
                   help="only these rules (ids, families, id prefixes, ALL; comma-separated)")
    g.add_argument("--ignore", action="append", metavar="RULES", help="leave out these rules")
    g.add_argument("--extend-select", action="append", metavar="RULES", help="add rules to the selection")
    g.add_argument("--fail-on", choices=("error", "warning", "note"),
                   help="exit 1 when a finding of this severity or worse remains (default: error)")
    g.add_argument("--format", "-f", dest="format", choices=formats, help="report format (default: text)")
    g.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    g.add_argument("--color", choices=COLOR_CHOICES, default="auto", help="colour text output (default: auto)")
    g.add_argument("--show-source", action="store_true", default=None,
                   help="print the offending line with a caret under each finding")
    g.add_argument("--quiet", "-q", action="store_true", help="print findings only (no headings, notes, summary)")
    g.add_argument("--statistics", action="store_true", help="print the number of findings per rule")
    if "email" in formats:
        g.add_argument("--email-from", metavar="ADDR",
                       help="From: of --format email, left out of Cc (default: git config user.name/user.email)")
        g.add_argument("--email-cc", action="append", metavar="ADDR",
                       help="Cc: of --format email besides the patch's own recipients (default: "
                            "qemu-devel@nongnu.org)")


def _git_ident(cwd: str | None) -> str | None:
    """'Name <mail>' from git config, for the From: of a review reply."""
    from qapilint.sources.gitrepo import git_text

    where = cwd if cwd and os.path.isdir(cwd) else "."
    name, mail = (git_text(where, "config", "--get", key, timeout=10) or "" for key in ("user.name", "user.email"))
    if not mail:
        return None
    return f"{name} <{mail}>" if name else mail


def _check_addresses(sender: str | None, cc: list[str]) -> None:
    """--email-from and --email-cc must each be plain addresses (InputError naming the option)."""
    from qapilint.reports.recipients import AddressError, mailbox, mailboxes

    if sender:
        try:
            mailbox(sender)
        except AddressError as e:
            raise InputError("--email-from", str(e)) from None
    bad = mailboxes(cc)[1]
    if bad:
        raise InputError("--email-cc", bad[0])


def _use_color(choice: str, output: str | None, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never" or output:
        return False
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def resolve_options(args: argparse.Namespace) -> Options:
    tree = getattr(args, "tree", None)
    cfg = qconfig.discover(getattr(args, "config", None), start=tree if tree and os.path.isdir(tree) else None)
    where_cfg = cfg.path or "config"
    bad = unknown_selectors(Selection(cfg.select, cfg.ignore, cfg.extend_select, cfg.per_path_ignores,
                                      cfg.severity).all_selectors())
    if bad:
        raise InputError(where_cfg, f"unknown rule or family {bad[0]!r}")
    cli_select = _split(getattr(args, "select", None)) or None
    cli_ignore = _split(getattr(args, "ignore", None))
    cli_extend = _split(getattr(args, "extend_select", None))
    for flag, sels in (("--select", cli_select or []), ("--ignore", cli_ignore), ("--extend-select", cli_extend)):
        bad = unknown_selectors(sels)
        if bad:
            raise InputError(flag, f"unknown rule or family {bad[0]!r} (see 'qapilint rules')")
    selection = Selection(
        select=cli_select if cli_select is not None else cfg.select,
        ignore=cfg.ignore + cli_ignore,
        extend_select=cfg.extend_select + cli_extend,
        per_path_ignores=cfg.per_path_ignores,
        severity=cfg.severity,
    )
    fail_on_arg = getattr(args, "fail_on", None)
    fail_on = Severity.parse(fail_on_arg) if fail_on_arg else (cfg.fail_on or Severity.ERROR)
    fmt = getattr(args, "format", None) or cfg.format or "text"
    if fmt not in FORMATS:
        raise InputError(where_cfg, f"unknown format {fmt!r} ({', '.join(FORMATS)})")
    if fmt not in getattr(args, "report_formats", FORMATS):
        fmt = "text"  # the config's format is for patches (a reply email, say); this command has no such output
    output = getattr(args, "output", None)
    show_source = getattr(args, "show_source", None)
    email_from = getattr(args, "email_from", None)
    if fmt == "email" and not email_from:
        email_from = _git_ident(tree)
    email_cc = getattr(args, "email_cc", None)
    if fmt == "email":
        _check_addresses(email_from, _split(email_cc))
    ropts = RenderOptions(
        fmt=fmt,
        color=_use_color(getattr(args, "color", "auto") or "auto", output, sys.stdout),
        show_source=bool(show_source if show_source is not None else cfg.show_source),
        quiet=bool(getattr(args, "quiet", False)),
        fail_on=fail_on,
        email_from=email_from,
    )
    if email_cc:
        ropts.email_cc = _split(email_cc)
    return Options(selection=selection, fail_on=fail_on, quiet=ropts.quiet,
                   statistics=bool(getattr(args, "statistics", False)), fmt=fmt, output=output, render=ropts,
                   tree=tree or cfg.tree, target=getattr(args, "target", None) or cfg.target,
                   config_path=cfg.path)


def apply_selection(findings: list[Finding], options: Options) -> list[Finding]:
    return options.selection.apply(findings)


def statistics(report: Report) -> str:
    from qapilint.checks.registry import registry

    reg = registry()
    counts = Counter(f.rule for f in all_findings(report))
    sev = {f.rule: f.severity for f in all_findings(report)}
    lines = []
    for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        summary = reg[rule].summary if rule in reg else ""
        lines.append(f"{n:>5}  {rule:<30} {sev[rule].label:<8} {summary}".rstrip())
    return "".join(line + "\n" for line in lines)


def write_out(stream: TextIO, text: str, fmt: str) -> None:
    """UTF-8 for machine formats whatever the locale; a terminal's own encoding for the text ones."""
    buf = getattr(stream, "buffer", None)
    if buf is None:
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    enc = (getattr(stream, "encoding", None) or "utf-8") if fmt in TERMINAL_FORMATS else "utf-8"
    buf.write(text.encode(enc, "backslashreplace"))
    buf.flush()


def emit(report: Report, options: Options) -> None:
    """Write the report (input failures go to stderr as one line each).

    Rendering comes first: a format may find a patch it cannot render (a
    review reply to an address that does not parse) and record it as a failure.
    """
    if options.statistics and options.fmt == "text":
        text = statistics(report)
    else:
        text = render(options.fmt, report, options.render)
    for x in report.failures:
        print(InputError(x.where, x.message).line(), file=sys.stderr)
    if options.statistics and options.fmt != "text":
        sys.stderr.write(statistics(report))
    if options.output:
        try:
            with open(options.output, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            msg = f"cannot write report: {e.strerror or e}"
            print(f"qapilint: error: {options.output}: {msg}", file=sys.stderr)
            report.failures.append(InputFailure(options.output, msg))
        return
    write_out(sys.stdout, text, options.fmt)


def exit_status(report: Report, options: Options) -> int:
    """2 when an input could not be used, 1 when a finding at or above --fail-on remains, else 0."""
    if report.failures:
        return 2
    if any(f.severity >= options.fail_on for f in all_findings(report)):
        return 1
    return 0
