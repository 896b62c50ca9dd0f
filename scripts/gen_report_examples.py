#!/usr/bin/env python3
"""Regenerate the example blocks of docs/report-examples.md from what the renderers print.

usage: python scripts/gen_report_examples.py [--check]

The format examples come from the test factory's patch (tests/reports/
test_reports_factory.py) with the fix the version rules give its first
finding; the review emails from the README's commands.  ``--check`` exits 1
when the document differs from what would be written.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "report-examples.md"
sys.path.insert(0, str(ROOT / "tests" / "reports"))

from test_reports_factory import make_report  # noqa: E402

from qapilint.findings import replace_in_line  # noqa: E402
from qapilint.reports import RenderOptions, render  # noqa: E402

EMAILS = (
    "qapilint check --format email --email-from 'Mark Maintainer <mark@example.org>' --tree fixtures/examples/tree "
    "--target 11.1 fixtures/examples/throttle-stats.mbox",
    "qapilint check --format email --email-from 'Mark Maintainer <mark@example.org>' fixtures/inputs/series-v2.mbox",
)


def _report() -> Any:
    report = make_report()
    f = report.patches[0].findings[0]
    assert f.file and f.line and f.col
    f.fix = replace_in_line(f.file, f.line, "# Since: 10.2", f.col, "10.2", "11.1")
    return report


def _json(fmt: str) -> str:
    doc = json.loads(render(fmt, _report(), RenderOptions(fmt=fmt)))
    if fmt == "json":
        p = doc["patches"][0]
        p["changes"], p["findings"] = p["changes"][:1], p["findings"][:1]
    elif fmt == "sarif":
        run = doc["runs"][0]
        run["tool"]["driver"]["rules"] = run["tool"]["driver"]["rules"][:1]
        run["results"] = run["results"][:1]
    elif fmt == "gitlab":
        doc = doc[:1]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def blocks() -> dict[str, str]:
    out = {
        "## text": render("text", _report(), RenderOptions(show_source=True)),
        "## json": _json("json"),
        "## sarif": _json("sarif"),
        "## github": render("github", _report(), RenderOptions(fmt="github")),
        "## gitlab": _json("gitlab"),
        "## b4 (": _json("b4"),
        "## b4-prep": render("b4-prep", _report(), RenderOptions(fmt="b4-prep")),
    }
    for head, cmd in zip(("### A patch checked against a tree", "### A series without a tree"), EMAILS, strict=True):
        p = subprocess.run([sys.executable, "-m", "qapilint", *shlex.split(cmd)[1:]], cwd=ROOT, capture_output=True,
                           text=True, check=False)
        out[head] = p.stdout
    return out


def rewrite(text: str) -> str:
    for head, body in blocks().items():
        start = text.index("\n" + head) + 1
        m = re.compile(r"^```[a-z]*\n", re.MULTILINE).search(text, start)
        assert m, head
        end = text.index("\n```\n", m.end()) + 1
        text = text[:m.end()] + body + text[end:]
    return text


def main() -> int:
    old = DOC.read_text(encoding="utf-8")
    new = rewrite(old)
    if "--check" in sys.argv[1:]:
        return 0 if new == old else 1
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
