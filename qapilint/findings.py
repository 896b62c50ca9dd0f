"""A finding: one small typed object with a rule id, like pyflakes/ruff messages."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (error, warning, note)") from None


@dataclass(frozen=True)
class Edit:
    """Replace a text range of one file: lines and columns are 1-based, the end column exclusive.

    An insertion has an empty range (``start == end``).  ``old_text`` is what
    the range held when the finding was made and ``line_text`` the whole line
    it starts on, so that the edit can be found again by content after the
    file has moved on, and refused when that content is gone.
    """

    file: str
    start_line: int
    start_col: int
    end_line: int
    end_col: int
    new_text: str
    old_text: str = ""
    line_text: str = ""
    before: tuple[str, ...] = ()   # the lines just above, nearest last (to tell equal lines apart)
    after: tuple[str, ...] = ()    # the lines just below, nearest first


@dataclass(frozen=True)
class Fix:
    """The one obvious repair of a finding: what it does, and the edits that do it."""

    description: str           # "replace '10.2' with '11.1'"
    edits: tuple[Edit, ...]


def replace_in_line(file: str, line: int, text: str, col: int, old: str, new: str, *,
                    context: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
                    description: str | None = None) -> Fix | None:
    """A fix replacing ``old`` at 1-based column ``col`` of source line ``text``; None when it is not there."""
    start = col - 1
    if line < 1 or start < 0 or text[start:start + len(old)] != old or old == new:
        return None
    what = description or (f"replace '{old}' with '{new}'" if old.strip() else f"insert '{new.strip()}'")
    edit = Edit(file, line, col, line, col + len(old), new, old, text, context[0], context[1])
    return Fix(what, (edit,))


@dataclass
class Finding:
    """One problem found.

    ``file``/``line``/``col`` point into the schema file (for ``check``: the
    patched file); ``patch_line`` is the 1-based line in the patch input it
    came from, when known.  ``provenance`` says how the decision was made
    ("expected 11.1: patch dated 2026-04-16, ..."), ``notes`` are extra
    lines printed under the message (QEMU's continuation lines, context).
    """

    rule: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    col: int | None = None
    family: str = ""
    patch_line: int | None = None
    provenance: str | None = None
    notes: list[str] = field(default_factory=list)
    definition: str | None = None
    item: str | None = None
    fix: Fix | None = None

    def location(self) -> str:
        if self.file is None:
            return ""
        if self.line is None:
            return self.file
        if self.col is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.col}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file or "", self.line or 0, self.col or 0, self.rule)
