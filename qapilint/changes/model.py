"""The ChangeSet model, shared by the differ (producer) and the review checks (consumers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from qapilint.qapi.doc_model import DocBlock
from qapilint.qapi.exprs import ParsedSchema
from qapilint.source import SourceInfo

Op = Literal["added", "removed", "changed"]
# definition | member | value | branch | feature | if | base | discriminator | type |
# optional | returns | data | boxed | flag | doc | since
What = str


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
class Change:
    op: Op
    what: What
    definition: str
    name: str | None = None        # member / value / branch / feature name
    meta: str = ""                 # meta of the definition
    partial: bool = False
    file: str = ""
    line: int | None = None        # line in the post-image (pre-image for removals)
    patch_lines: list[int] = field(default_factory=list)
    before: object | None = None   # e.g. old type, old optional flag
    after: object | None = None
    detail: str = ""               # human text, e.g. "optional -> mandatory"
    doc: str | None = None         # the doc text that goes with it (member description, ...)


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


@dataclass
class SchemaState:
    """Definitions of one side.  ``complete`` is True with a tree (whole schema parsed)."""

    definitions: dict[str, Definition] = field(default_factory=dict)
    complete: bool = False
    parsed: ParsedSchema | None = None


@dataclass
class PatchChanges:
    """What one patch changes; ``cumulative`` marks the whole-series entry."""

    patch_id: str
    subject: str
    files: list[FileRebuild] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    before: SchemaState = field(default_factory=SchemaState)
    after: SchemaState = field(default_factory=SchemaState)
    notes: list[str] = field(default_factory=list)
    cumulative: bool = False
    refused: list[tuple[str, str]] = field(default_factory=list)   # (diff path, why) not read from the tree
