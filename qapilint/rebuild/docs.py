"""Tolerant doc-block reading for hunk fragments and scanned files.

The real doc parser expects whole blocks; a hunk often shows only the
middle of one.  This splits whatever is visible into sections (member and
feature descriptions, tagged sections, plain paragraphs) so that a member
added in a doc middle still gets its description.
"""

from __future__ import annotations

import re

from qapilint.qapi.doc_model import DocBlock, DocLine, DocSection, SectionKind
from qapilint.rebuild.scan import DocPiece, Line, doc_text
from qapilint.source import SourceInfo

_ARG = re.compile(r"^@([^\s:]+):(?:\s+(.*))?$")
_TAG = re.compile(r"^(Since|Returns|Errors|TODO)\s*:(?:\s*(.*))?$")


def build_doc(piece: DocPiece, lines: list[Line], path: str) -> DocBlock:
    info = SourceInfo(path, lines[piece.start].no)
    doc_lines = [DocLine(line=lines[i].no, text=doc_text(lines[i].text), raw=lines[i].text)
                 for i in piece.content]
    sym_info = SourceInfo(path, lines[piece.symbol_line].no) if piece.symbol_line is not None else None
    block = DocBlock(info=info, end_line=lines[piece.end].no, symbol=piece.symbol,
                     symbol_info=sym_info, lines=doc_lines)
    block.sections = split_sections(doc_lines, path, skip_symbol=piece.symbol_line is not None)
    return block


def split_sections(doc_lines: list[DocLine], path: str, skip_symbol: bool) -> list[DocSection]:
    sections: list[DocSection] = []
    cur: DocSection | None = None
    in_features = False
    body: list[str] = []

    def flush() -> None:
        nonlocal cur, body
        if cur is not None:
            cur.text = "\n".join(body).strip()
            sections.append(cur)
        cur, body = None, []

    for k, dl in enumerate(doc_lines):
        if k == 0 and skip_symbol:
            continue
        text = dl.text
        stripped = text.strip()
        if not stripped:
            flush()
            continue
        if stripped == "Features:":
            flush()
            in_features = True
            continue
        m = _ARG.match(text)
        t = _TAG.match(text)
        if m:
            flush()
            kind: SectionKind = "feature" if in_features else "member"
            cur = DocSection(kind=kind, name=m.group(1), text="", info=SourceInfo(path, dl.line))
            body = [m.group(2) or ""]
        elif t:
            flush()
            cur = DocSection(kind="tag", name=t.group(1), text="", info=SourceInfo(path, dl.line))
            body = [t.group(2) or ""]
        elif cur is None:
            cur = DocSection(kind="plain", name=None, text="", info=SourceInfo(path, dl.line))
            body = [stripped]
        else:
            body.append(stripped)
        if cur is not None:
            cur.lines.append(dl)
    flush()
    return sections
