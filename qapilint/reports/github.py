"""GitHub Actions workflow commands: ``::error file=F,line=L,col=C,title=T::message``.

GitHub unescapes ``%25`` ``%0D`` ``%0A`` in the message, and additionally
``%3A`` ``%2C`` in property values (where ':' and ',' are separators).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qapilint.findings import Finding, Severity
from qapilint.reports.model import Report
from qapilint.reports.safe import for_terminal

if TYPE_CHECKING:
    from qapilint.reports import RenderOptions

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    # The runner prints the text in its log: control characters from the patch are shown, not sent.
    # Only our own line breaks become '%0A' (which the runner turns back into one); a CR can only
    # come from the patch, and is shown as '\x0d' like any other control character.
    return "%0A".join(for_terminal(ln.replace("%", "%25")) for ln in text.split("\n"))


def escape_property(text: str) -> str:
    # A property (a file name) is one line: every control character in it, a line break too,
    # is shown escaped, never handed to the runner as '%0A' to turn back into a real one.
    return for_terminal(text).replace("%", "%25").replace(":", "%3A").replace(",", "%2C")


def command(f: Finding, tool: str = "qapilint") -> str:
    props: list[tuple[str, str]] = []
    if f.file:
        props.append(("file", f.file))
        if f.line is not None:
            props.append(("line", str(f.line)))
            if f.col is not None:
                props.append(("col", str(f.col)))
    props.append(("title", f"{tool} {f.rule}"))
    body = f.message
    extra = ([f.provenance] if f.provenance else []) + list(f.notes)
    if extra:
        body += "\n" + "\n".join(extra)
    prop_text = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMAND[f.severity]} {prop_text}::{escape_data(body)}"


def render(report: Report, opts: RenderOptions | None = None) -> str:
    tool = opts.tool if opts is not None else "qapilint"
    # Plain lines are log text, not workflow commands: the base shows in the step's log.
    lines = [f"{tool}: {escape_data(n)}" for n in report.base_notes()]
    lines += [command(f, tool) for rep in report.patches for f in rep.findings]
    lines += [f"::error title={escape_property(tool)}::{escape_data(x.where + ': ' + x.message)}"
              for x in report.failures]
    return "".join(line + "\n" for line in lines)
