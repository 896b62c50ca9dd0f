"""QAPI schema file parser: lark LALR over ``grammars/qapi.lark``, building values directly.

The inline transformer below is called by lark as tokens are shifted and
rules reduced, so values, definitions and doc blocks are produced in text
order, without a parse tree, and without recursion (10,000-deep nesting is
fine).  Errors carry QEMU's exact messages and positions; after a syntax
error the parser resumes at the next line starting with ``{`` or ``##``, so
one run reports more than QEMU's single error, the first one being QEMU's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedToken

from qapilint.collector import paused
from qapilint.qapi import doc_parser
from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.doc_model import DocBlock
from qapilint.qapi.exprs import Expr, ParsedFile, Value
from qapilint.qapi.parser_doc import read_doc_block
from qapilint.qapi.parser_lex import LexError, QapiLexer, Source, eof_pos, forget_text, line_col
from qapilint.qapi.parser_result import FileParse
from qapilint.source import SourceInfo

GRAMMAR = Path(__file__).resolve().parent.parent / "grammars" / "qapi.lark"

# One file's worth of garbage should not cost minutes: QEMU reports one error.
MAX_ERRORS_PER_FILE = 100

_SCALARS = re.compile(r"#[^\n]*|'((?:[^'\\\n]|\\\\)*)'|(true)|(false)")
_RESYNC = re.compile(r"^(?:\{|##)", re.M)

_MSG_VALUE = "expected '{', '[', string, or boolean"
_EXPECT: dict[str, tuple[str, str]] = {
    "value": ("syn-expected-value", _MSG_VALUE),
    "value-or-rsqb": ("syn-expected-value-or-rbracket", "expected '{', '[', ']', string, or boolean"),
    "key-or-rbrace": ("syn-expected-key-or-rbrace", "expected string or '}'"),
    "key": ("syn-expected-key", "expected string"),
    "colon": ("syn-expected-colon", "expected ':'"),
    "comma-or-rbrace": ("syn-expected-comma-or-rbrace", "expected ',' or '}'"),
    "comma-or-rsqb": ("syn-expected-comma-or-rbracket", "expected ',' or ']'"),
}


class _SyntaxStop(Exception):
    pass


def _unquote(s: str) -> str:
    s = s[1:-1]
    return s.replace("\\\\", "\\") if "\\" in s else s


def _merge(lexical: list[SchemaError], parsed: list[SchemaError]) -> list[SchemaError]:
    """Interleave a block's lexical errors (line order) with the doc parser's (QEMU's order).

    QEMU meets a lexical problem when it reads that line, so it goes before
    the first doc-parser error located further down.
    """
    out: list[SchemaError] = []
    j = 0
    for e in lexical:
        while j < len(parsed) and parsed[j].info.line <= e.info.line and e.rule != "doc-start-junk":
            out.append(parsed[j])
            j += 1
        out.append(e)
    out.extend(parsed[j:])
    return out


class _Builder(Transformer[Token, Any]):
    """Lark callbacks (one shared instance; :meth:`begin` resets it per file)."""

    def begin(self, text: str, path: str, parent: SourceInfo | None) -> None:
        self.text = text
        self.path = path
        self.parent = parent
        self.result = FileParse(ParsedFile(path))
        self.errors = self.result.parsed.errors
        self.cur_doc: DocBlock | None = None
        self._line_pos = 0
        self._line = 1
        self.reset_nesting()

    def reset_nesting(self) -> None:
        self.depth = 0
        self.keysets: list[set[str]] = []
        self.top_start = 0

    # -- positions and errors -------------------------------------------------

    def line_of(self, pos: int) -> int:
        # Top-level positions only grow, so count newlines incrementally.
        if pos < self._line_pos:
            self._line_pos, self._line = 0, 1
        self._line += self.text.count("\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line

    def error_at(self, rule: str, message: str, pos: int) -> None:
        line, col = line_col(self.text, pos)
        self.errors.append(SchemaError(rule, message, SourceInfo(self.path, line, col, self.parent)))
        if len(self.errors) >= MAX_ERRORS_PER_FILE:
            raise _SyntaxStop()

    def error_info(self, rule: str, message: str, info: SourceInfo) -> None:
        self.errors.append(SchemaError(rule, message, info))

    # -- terminals (called when shifted) ----------------------------------------

    def LBRACE(self, tok: Token) -> Token:
        if self.depth == 0:
            self.top_start = tok.start_pos or 0
        self.depth += 1
        self.keysets.append(set())
        return tok

    def LSQB(self, tok: Token) -> Token:
        if self.depth == 0:
            self.top_start = tok.start_pos or 0
        self.depth += 1
        return tok

    def STRING(self, tok: Token) -> str:
        if self.depth == 0:
            self.top_start = tok.start_pos or 0
        return _unquote(tok)

    def TRUE(self, tok: Token) -> bool:
        if self.depth == 0:
            self.top_start = tok.start_pos or 0
        return True

    def FALSE(self, tok: Token) -> bool:
        if self.depth == 0:
            self.top_start = tok.start_pos or 0
        return False

    def _scalars(self, tok: Token) -> list[tuple[Value, int]]:
        out: list[tuple[Value, int]] = []
        for m in _SCALARS.finditer(tok, 1):
            s = m.group(1)
            if s is not None:
                out.append((s.replace("\\\\", "\\") if "\\" in s else s, m.start()))
            elif m.group(2) is not None:
                out.append((True, m.start()))
            elif m.group(3) is not None:
                out.append((False, m.start()))
        return out

    def FLATOBJ(self, tok: Token) -> dict[str, Value]:
        start = tok.start_pos or 0
        if self.depth == 0:
            self.top_start = start
        if len(tok) <= 2:
            return {}
        items = self._scalars(tok)
        d: dict[str, Value] = {}
        for i in range(0, len(items), 2):
            key = items[i][0]
            assert isinstance(key, str)
            if key in d:
                self.error_at("syn-duplicate-key", f"duplicate key '{key}'", start + items[i + 1][1])
            d[key] = items[i + 1][0]
        return d

    def FLATLIST(self, tok: Token) -> list[Value]:
        if self.depth == 0:
            self.top_start = tok.start_pos or 0
        if len(tok) <= 2:
            return []
        return [v for v, _ in self._scalars(tok)]

    def DOC(self, tok: Token) -> None:
        self.reject_doc()
        start = tok.start_pos or 0
        raw = read_doc_block(self.text, str(tok), start, self.line_of(start), self.path, self.parent)
        block, errors = doc_parser.parse_doc_block(raw.lines, raw.info, raw.end_line)
        self.errors.extend(_merge(raw.errors, errors))
        self.result.parsed.docs.append(block)
        self.cur_doc = block

    # -- rules (called when reduced) -----------------------------------------

    def key(self, c: list[Any]) -> str:
        key: str = c[0]
        keys = self.keysets[-1]
        if key in keys:
            colon: Token = c[1]
            pos = _LEXER.skip_gap(self.text, (colon.start_pos or 0) + 1)
            self.error_at("syn-duplicate-key", f"duplicate key '{key}'", pos)
        keys.add(key)
        return key

    def pair(self, c: list[Any]) -> tuple[str, Value]:
        return c[0], c[1]

    def members(self, c: list[Any]) -> dict[str, Value]:
        if len(c) == 1:
            return {c[0][0]: c[0][1]}
        d: dict[str, Value] = c[0]
        k, v = c[2]
        d[k] = v
        return d

    def object(self, c: list[Any]) -> dict[str, Value]:
        self.depth -= 1
        self.keysets.pop()
        return c[1] if len(c) == 3 else {}

    def items(self, c: list[Any]) -> list[Value]:
        if len(c) == 1:
            return [c[0]]
        lst: list[Value] = c[0]
        lst.append(c[2])
        return lst

    def array(self, c: list[Any]) -> list[Value]:
        self.depth -= 1
        return c[1] if len(c) == 3 else []

    def seq(self, c: list[Any]) -> None:
        return None

    def top(self, c: list[Any]) -> None:
        value = c[0]
        info = SourceInfo(self.path, self.line_of(self.top_start), None, self.parent)
        parsed = self.result.parsed
        if not isinstance(value, dict):
            self.error_info("top-not-object", "top-level expression must be an object", info)
        elif "include" in value or "pragma" in value:
            self.reject_doc()
            expr = Expr(value, info)
            parsed.exprs.append(expr)
            self.result.marks[id(expr)] = (len(self.errors), len(parsed.docs))
        else:
            doc = self.cur_doc
            if doc is not None and doc.symbol is None:
                self.error_info("doc-freeform-before-definition", "definition documentation required", doc.info)
                doc = None
            parsed.exprs.append(Expr(value, info, doc))
        self.cur_doc = None

    def reject_doc(self) -> None:
        doc = self.cur_doc
        if doc is not None and doc.symbol is not None:
            self.error_info("doc-not-followed-by-definition",
                            f"documentation for '{doc.symbol}' is not followed by the definition", doc.info)
        self.cur_doc = None

    # -- syntax errors -----------------------------------------------------------

    def syntax_error(self, e: UnexpectedToken) -> int:
        """Record QEMU's message for ``e``; return its position."""
        tok = e.token
        pos = eof_pos(self.text) if tok.type == "$END" else (tok.start_pos or 0)
        stack: list[Any] = e.state.value_stack if e.state is not None else []
        frame = None
        closed = 0
        for item in reversed(stack):
            if isinstance(item, Token):
                if item.type in ("RBRACE", "RSQB"):
                    closed += 1
                elif item.type in ("LBRACE", "LSQB"):
                    if closed == 0:
                        frame = item.type
                        break
                    closed -= 1
        last = stack[-1] if stack else None
        last_type = last.type if isinstance(last, Token) else None
        if frame is None:
            want = "value"
        elif frame == "LBRACE":
            below = stack[-2] if len(stack) >= 2 else None
            if last_type == "LBRACE":
                want = "key-or-rbrace"
            elif last_type == "COMMA":
                want = "key"
            elif last_type == "COLON":
                # QEMU checks for a duplicate key before looking at the value.
                if isinstance(below, str) and self.keysets and below in self.keysets[-1]:
                    self.error_at("syn-duplicate-key", f"duplicate key '{below}'", pos)
                want = "value"
            elif last_type is None and isinstance(last, str) and isinstance(below, Token) \
                    and below.type in ("LBRACE", "COMMA"):
                want = "colon"
            else:
                want = "comma-or-rbrace"
        elif last_type == "LSQB":
            want = "value-or-rsqb"
        elif last_type == "COMMA":
            want = "value"
        else:
            want = "comma-or-rsqb"
        rule, message = _EXPECT[want]
        self.error_at(rule, message, pos)
        return pos


_LEXER: QapiLexer
_PARSER: Lark | None = None
_BUILDER = _Builder()


def _lark() -> Lark:
    global _PARSER, _LEXER
    if _PARSER is None:
        _PARSER = Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", lexer=QapiLexer,
                       transformer=_BUILDER, cache=True, maybe_placeholders=False)
        _LEXER = QapiLexer(_PARSER.lexer_conf)
    return _PARSER


def parse_file_events(text: str, path: str, parent: SourceInfo | None = None) -> FileParse:
    """Parse one file; see :func:`parse_file`.  Also returns the directive marks."""
    if "\r" in text:
        # QEMU reads in text mode: universal newlines.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    parser = _lark()
    b = _BUILDER
    b.begin(text, path, parent)
    src = Source(text)
    # Parsing makes ~100k small acyclic objects; the cyclic GC passes they
    # trigger cost a quarter of the time and grow with the file size.
    with paused():
        try:
            while True:
                try:
                    parser.parse(src)
                    break
                except UnexpectedToken as e:
                    pos = b.syntax_error(e)
                except LexError as e:
                    pos = e.pos
                    b.error_at(e.rule, e.message, pos)
                # Resume at the next line that starts a definition or a doc block.
                b.cur_doc = None
                b.reset_nesting()
                nl = text.find("\n", pos)
                m = _RESYNC.search(text, nl + 1) if nl >= 0 else None
                if m is None:
                    break
                src = Source(text)
                src.start = m.start()
        except _SyntaxStop:
            b.cur_doc = None
    b.reject_doc()
    result = b.result
    b.begin("", "", None)   # drop references to the text
    forget_text()
    return result


def parse_file(text: str, path: str, parent: SourceInfo | None = None) -> ParsedFile:
    """Parse one schema file's text.

    ``path`` is the name QEMU would print; ``parent`` the include directive
    that brought the file in.  Directives stay in ``exprs`` (the loader acts
    on them); doc blocks are parsed with :mod:`qapilint.qapi.doc_parser` and
    attached to the definition that follows.
    """
    return parse_file_events(text, path, parent).parsed
