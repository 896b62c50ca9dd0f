"""Definitions as one state of the schema shows them, and how a file was rebuilt.

This is the floor the rebuild (producer) and the differ and checks
(consumers) share; ``qapilint.changes.model`` re-exports it with the rest of
the ChangeSet contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from qapilint.qapi.doc_model import DocBlock
from qapilint.source import SourceInfo


@dataclass
class Definition:
    """One definition as seen in one state (before or after).

    ``data`` is the expression as written (plain values, ``*`` markers
    kept).  ``partial`` is True when only part of it was visible (hunk-only
    rebuild cut it); ``seen_lines`` are then the file lines that were seen.
    """

    name: str
    meta: str                      # enum struct union alternate command event
    data: dict[str, object]
    info: SourceInfo               # line of the opening '{' (post- or pre-image file)
    doc: DocBlock | None = None
    partial: bool = False
    file: str = ""
    seen_lines: set[int] = field(default_factory=set)   # partial: file lines seen


def describe(meta: str, name: str) -> str:
    """How messages name a definition: "struct 'Foo'", or where an unnamed (cut) one is."""
    if name.startswith("?"):
        path, _sep, hunk = name[1:].rpartition("#")
        return f"the definition around hunk {hunk} of {path} (its name is out of view)"
    return f"{meta or 'definition'} '{name}'"


@dataclass
class FileRebuild:
    path: str
    rebuild: Literal["tree", "hunks"]
    unplaced_hunks: int = 0
    before_text: str | None = None     # whole file (tree) or None (hunks)
    after_text: str | None = None
    notes: list[str] = field(default_factory=list)
    # hunk-only: the post-image line numbers the patch added, per file
    added_lines: set[int] = field(default_factory=set)
