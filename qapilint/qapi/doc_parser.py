"""Doc-comment parser (placeholder until the real one lands)."""

from __future__ import annotations

from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.doc_model import DocBlock, DocLine
from qapilint.source import SourceInfo


def parse_doc_block(lines: list[DocLine], info: SourceInfo,
                    end_line: int) -> tuple[DocBlock, list[SchemaError]]:
    """Parse the content lines of one ``##`` block (opener and closer excluded).

    ``info`` is the opening ``##`` line, ``end_line`` the closing one.  Returns
    the block and its P1 errors (structure and style), in line order.
    """
    symbol = None
    symbol_info = None
    if lines and lines[0].text.startswith("@") and lines[0].text.endswith(":"):
        symbol = lines[0].text[1:-1]
        symbol_info = info.at(lines[0].line)
    return DocBlock(info=info, end_line=end_line, symbol=symbol, symbol_info=symbol_info,
                    lines=list(lines)), []
