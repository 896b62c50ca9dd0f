"""Report formats: text, json, sarif, github, gitlab, b4, b4-prep, patchwork, email, html.

Every format module exposes ``render(report, options) -> str``; ``render(fmt,
report, options)`` here picks the module by name and imports only that one.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from qapilint.findings import Severity
from qapilint.reports.model import Report
from qapilint.reports.safe import scrub

# format name -> module
FORMATS: dict[str, str] = {
    "text": "qapilint.reports.text",
    "json": "qapilint.reports.json_report",
    "sarif": "qapilint.reports.sarif",
    "github": "qapilint.reports.github",
    "gitlab": "qapilint.reports.gitlab",
    "b4": "qapilint.reports.b4",
    "b4-prep": "qapilint.reports.b4",
    "patchwork": "qapilint.reports.patchwork",
    "email": "qapilint.reports.email_reply",
    "html": "qapilint.reports.html_page",
}

# Formats read on a terminal: written in the terminal's encoding (what it cannot show, escaped).
TERMINAL_FORMATS = frozenset({"text", "github", "b4-prep"})

# Where the rule documentation lives (SARIF helpUri, HTML links).
INFORMATION_URI = "https://pypi.org/project/qapilint/"
TOOL_NAME = "qapilint"


@dataclass
class RenderOptions:
    """What a renderer may need beyond the report itself."""

    fmt: str = "text"
    color: bool = False
    show_source: bool = False
    quiet: bool = False
    # b4 / patchwork: the check's name (column header, context)
    tool: str = TOOL_NAME
    url: str | None = None
    fail_on: Severity = Severity.ERROR
    # email reply
    email_from: str | None = None
    email_cc: list[str] = field(default_factory=lambda: ["qemu-devel@nongnu.org"])


def render(fmt: str, report: Report, options: RenderOptions | None = None) -> str:
    """The report in format ``fmt`` (a key of FORMATS)."""
    opts = options if options is not None else RenderOptions(fmt=fmt)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} ({', '.join(FORMATS)})")
    if opts.fmt != fmt:
        opts = RenderOptions(**{**opts.__dict__, "fmt": fmt})
    mod = importlib.import_module(FORMATS[fmt])
    if fmt == "patchwork":
        out: str = mod.render(report, context=opts.tool)
    else:
        out = mod.render(report, opts)
    # Whatever a patch smuggled in, the report encodes as UTF-8.
    return scrub(out)
