"""The doc-comment model: what a ``##`` ... ``##`` block says, line by line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from qapilint.source import SourceInfo

SectionKind = Literal["plain", "member", "feature", "tag"]


@dataclass
class DocLine:
    line: int          # 1-based line in the file
    text: str          # content after '# ' (or '' for a bare '#'), trailing whitespace stripped
    raw: str           # the whole source line, without the newline


@dataclass
class DocSection:
    """A paragraph run, an ``@name:`` description, or a tagged section.

    ``name`` is the member/feature name for kinds member/feature, the tag
    ("Since", "Returns", "Errors", "TODO") for kind tag, None for plain.
    ``text`` is the section's text with the ``@name:``/``Tag:`` prefix
    removed and continuation lines joined with newlines (indent removed).
    """

    kind: SectionKind
    name: str | None
    text: str
    info: SourceInfo
    lines: list[DocLine] = field(default_factory=list)


@dataclass
class DocBlock:
    info: SourceInfo                 # the opening '##' line
    end_line: int                    # the closing '##' line
    symbol: str | None               # None for a free-form block
    symbol_info: SourceInfo | None
    sections: list[DocSection] = field(default_factory=list)
    lines: list[DocLine] = field(default_factory=list)   # every content line, in order

    @property
    def freeform(self) -> bool:
        return self.symbol is None

    def members(self) -> dict[str, DocSection]:
        return {s.name: s for s in self.sections if s.kind == "member" and s.name is not None}

    def features(self) -> dict[str, DocSection]:
        return {s.name: s for s in self.sections if s.kind == "feature" and s.name is not None}

    def tag(self, name: str) -> DocSection | None:
        for s in self.sections:
            if s.kind == "tag" and s.name == name:
                return s
        return None
