"""The ChangeSet model, shared by the differ (producer) and the review checks (consumers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from qapilint.definitions import Definition, FileRebuild, describe
from qapilint.qapi.exprs import ParsedSchema

# Definition and FileRebuild live one floor down, where the rebuild can use them too.
__all__ = ["Change", "Definition", "FileRebuild", "Op", "PatchChanges", "SchemaState", "What", "describe"]

Op = Literal["added", "removed", "changed"]
# definition | member | value | branch | feature | if | base | discriminator | type |
# optional | returns | data | boxed | flag | doc | since
What = str


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
