"""The recipes of README.md and docs/integrations.md, read from the markdown itself.

Each recipe is a fenced block right after an ``<!-- snippet:NAME -->`` marker;
the tests run that text, so the documentation and the tests cannot drift.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
DOC = REPO / "docs" / "integrations.md"

_BLOCK = r"<!-- snippet:{name} -->\s*```[\w-]*\n(.*?)```"


def names(doc: Path) -> set[str]:
    return set(re.findall(r"<!-- snippet:([\w-]+) -->", doc.read_text(encoding="utf-8")))


def snippet(doc: Path, name: str) -> str:
    m = re.search(_BLOCK.format(name=re.escape(name)), doc.read_text(encoding="utf-8"), re.S)
    assert m, f"snippet {name} missing from {doc.name}"
    return m.group(1)
