"""Source positions carried by every parsed node, so that every message can point at a line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceInfo:
    """A position in a schema file.

    ``file`` is the path as QEMU would print it (root as given; an included
    file as ``dirname(includer) + '/' + include-string``, not normalised).
    ``line`` is 1-based; ``col`` is 1-based (QEMU's tab rule) or None where
    QEMU prints no column.  ``parent`` is the include directive that brought
    this file in (outermost last), for "In file included from" lines.
    ``defn_meta``/``defn_name`` name the definition the position is inside,
    for QEMU's "In struct 'Foo':" context line.
    """

    file: str
    line: int
    col: int | None = None
    parent: SourceInfo | None = None
    defn_meta: str | None = None
    defn_name: str | None = None

    def at(self, line: int, col: int | None = None) -> SourceInfo:
        return SourceInfo(self.file, line, col, self.parent, self.defn_meta, self.defn_name)

    def in_defn(self, meta: str, name: str) -> SourceInfo:
        return SourceInfo(self.file, self.line, self.col, self.parent, meta, name)

    def include_chain(self) -> list[SourceInfo]:
        """The include directives leading here, outermost first."""
        chain: list[SourceInfo] = []
        p = self.parent
        while p is not None:
            chain.append(p)
            p = p.parent
        chain.reverse()
        return chain

    def __str__(self) -> str:
        if self.col is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.col}"
