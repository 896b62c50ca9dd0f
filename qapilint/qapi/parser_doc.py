"""Cutting one ``##`` documentation block out of the source: its lines and lexical errors.

The block arrives as one DOC token (opener, ``#`` lines, optional closer);
what the lines *mean* is :mod:`qapilint.qapi.doc_parser`'s business.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.doc_model import DocLine
from qapilint.qapi.parser_lex import line_col, next_token_pos
from qapilint.source import SourceInfo


@dataclass
class RawDocBlock:
    info: SourceInfo                     # the opener line (no column: QEMU's 'blk')
    lines: list[DocLine]
    end_line: int
    errors: list[SchemaError] = field(default_factory=list)


def read_doc_block(text: str, value: str, start: int, line: int,
                   path: str, parent: SourceInfo | None) -> RawDocBlock:
    """Split the DOC token ``value`` found at ``start`` (on ``line``) into DocLines."""
    errors: list[SchemaError] = []

    def error(rule: str, message: str, pos: int) -> None:
        ln, col = line_col(text, pos)
        errors.append(SchemaError(rule, message, SourceInfo(path, ln, col, parent)))

    segs = value.split("\n")
    if segs[0] != "##":
        error("doc-start-junk", "junk after '##' at start of documentation comment", start)
    lines: list[DocLine] = []
    append = lines.append
    end_line = line
    closed = False
    for i in range(1, len(segs)):
        seg = segs[i]
        val = seg.lstrip()
        if not val:
            continue
        end_line = line + i
        if val[1:2] == " ":
            append(DocLine(end_line, val[2:].rstrip(), seg))
        elif val == "#":
            append(DocLine(end_line, "", seg))
        elif val[1] == "#":
            # Only the last line of the token can be a closer.
            closed = True
            if val != "##":
                error("doc-end-junk", "junk after '##' at end of documentation comment",
                      _hash_pos(start, segs, i))
        else:
            error("doc-missing-space", "missing space after #", _hash_pos(start, segs, i))
            append(DocLine(end_line, val[1:].rstrip(), seg))
    if not closed:
        error("doc-unterminated", "documentation comment must end with '##'",
              next_token_pos(text, start + len(value)))
    return RawDocBlock(SourceInfo(path, line, None, parent), lines, end_line, errors)


def _hash_pos(start: int, segs: list[str], i: int) -> int:
    """Offset of the '#' on line ``i`` of the token (errors only, so no running total)."""
    pos = start + sum(len(s) + 1 for s in segs[:i])
    seg = segs[i]
    return pos + len(seg) - len(seg.lstrip())
