"""The README's example outputs are what the commands print (a recipe in the README is the text a test runs)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")

# "`qapilint ...`" on a line of its own, maybe a parenthesised remark, then a ```text block.
_EXAMPLE = re.compile(r"^`(qapilint [^`]+)`\n(?:\(.*\):\n)?\n```text\n(.*?)^```", re.MULTILINE | re.DOTALL)
_FIRST = re.compile(r"&& (qapilint check [^\n]+)\n.*?What the first command prints:\n\n```\n(.*?)^```",
                    re.MULTILINE | re.DOTALL)


def _examples() -> list[tuple[str, str]]:
    found = [(m.group(1), m.group(2)) for m in _EXAMPLE.finditer(README)]
    first = _FIRST.search(README)
    if first:
        found.insert(0, (first.group(1), first.group(2)))
    return found


def test_readme_has_examples() -> None:
    assert len(_examples()) >= 3


@pytest.mark.parametrize(("command", "expected"), _examples(), ids=lambda x: x[:60] if "qapilint" in x else "")
def test_readme_example_is_what_the_command_prints(command: str, expected: str) -> None:
    args = shlex.split(command)[1:]
    p = subprocess.run([sys.executable, "-m", "qapilint", *args], cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode in (0, 1), p.stderr
    assert p.stdout == expected


def test_report_examples_document_is_current() -> None:
    """docs/report-examples.md holds what the renderers print (regenerate with the script)."""
    p = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_report_examples.py"), "--check"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, "run: python scripts/gen_report_examples.py\n" + p.stderr
