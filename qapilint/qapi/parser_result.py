"""What parsing one file yields, kept apart from the lark-based parser so that
code serving parses from the cache (:mod:`qapilint.qapi.cache`) need not import lark."""

from __future__ import annotations

from dataclasses import dataclass, field

from qapilint.qapi.exprs import ParsedFile


@dataclass
class FileParse:
    """:func:`parse_file`'s result plus where each directive sits among the file's
    errors and doc blocks, so the loader can splice included files in QEMU's order."""

    parsed: ParsedFile
    marks: dict[int, tuple[int, int]] = field(default_factory=dict)   # id(expr) -> (#errors, #docs)
