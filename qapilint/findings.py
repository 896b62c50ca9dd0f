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
