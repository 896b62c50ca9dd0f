"""Doc-comment parser: one ``##`` block's content lines -> DocBlock + P1 errors.

Follows the section grammar of QEMU's frontend as described in
qapi-rules.md §8.2 (our own implementation).  QEMU stops at the first
error; this parser carries on so that a caller can report everything, but
keeps QEMU's order: errors detected while reading lines come first, in line
order (on one line, style before structure, as QEMU checks style while
reading the line), then the end-of-block "text required" errors, which QEMU
only raises once the whole block was read.  So ``errors[0]`` (after the
caller drops rules the target QEMU does not have) is what QEMU reports.
"""

from __future__ import annotations

import re

from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.doc_model import DocBlock, DocLine, DocSection, SectionKind
from qapilint.qapi.doc_style import hash_column, style_errors
from qapilint.source import SourceInfo

# '@', any non-colon text (possibly empty), ':', then spaces.  Matched at the
# start of the line content, so an indented '@x:' is ordinary text.
_AT_NAME = re.compile(r"@([^:]*): *")
# Tags are case-sensitive, column 0 only; 'Tag::' is rST markup, not a tag.
_TAG = re.compile(r"(Returns|Errors|Since|Notes?|Examples?|TODO)(?!::): *")
_TAG_FIRST = frozenset("RESNT")
_UNIQUE_TAGS = frozenset(("Returns", "Errors", "Since"))

_NOTE_MSG = ("The '{}' section is no longer supported. Please use rST's '.. note::' or "
             "'.. admonition:: notes' directives, or another suitable admonition instead.")
_EXAMPLE_MSG = ("The '{}' section is no longer supported. Please use the '.. qmp-example::' "
                "directive, or other suitable markup instead.")


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


class _Builder:
    """Accumulates sections and structure errors for one block."""

    __slots__ = ("info", "lines", "sections", "parts", "errors", "members", "features", "tags",
                 "in_paragraphs")

    def __init__(self, info: SourceInfo, lines: list[DocLine]) -> None:
        self.info = info
        self.lines = lines
        self.sections: list[DocSection] = []
        self.parts: list[list[str]] = []      # text lines of sections[k]
        self.errors: list[SchemaError] = []
        self.members: set[str] = set()
        self.features: set[str] = set()
        self.tags: set[str] = set()
        # True while the last section is a run of plain paragraphs, which a
        # following paragraph extends rather than starting a new section.
        self.in_paragraphs = False

    def tok(self, rule: str, message: str, i: int, end_line: int) -> None:
        if i < len(self.lines):
            dl = self.lines[i]
            where = self.info.at(dl.line, hash_column(dl.raw))
        else:
            # Detected at the closing '##', whose raw text we do not get.
            where = self.info.at(end_line, 1)
        self.errors.append(SchemaError(rule, message, where))

    def sect(self, rule: str, message: str, i: int) -> None:
        self.errors.append(SchemaError(rule, message, self.info.at(self.lines[i].line)))

    def open(self, kind: SectionKind, name: str | None, i: int,
             keep: bool = True) -> tuple[DocSection, list[str]]:
        """Start a section at line ``i``; returns it and the list its text goes into.

        With ``keep`` false the section is parsed (its lines consumed) but not
        recorded: QEMU would have stopped there, and keeping a duplicate or
        nameless entry would only mislead the checks that use the block.
        """
        parts: list[str] = []
        sec = DocSection(kind, name, "", self.info.at(self.lines[i].line), [self.lines[i]])
        if keep:
            self.sections.append(sec)
            self.parts.append(parts)
        self.in_paragraphs = False
        return sec, parts

    def finish(self) -> list[SchemaError]:
        """Join section texts; return the end-of-block empty-section errors."""
        late: list[SchemaError] = []
        for sec, parts in zip(self.sections, self.parts, strict=True):
            sec.text = "\n".join(parts).strip("\n")
            if not sec.text and sec.kind != "plain":
                if sec.kind == "tag":
                    word = (sec.name or "").title()
                else:
                    word = "Member" if sec.kind == "member" else "Feature"
                late.append(SchemaError("doc-section-empty", f"text required after '{word}:'", sec.info))
        return late


def _indented(b: _Builder, i: int, sec: DocSection, parts: list[str], end_line: int) -> int:
    """Continue the description/tagged section whose first line is ``i``.

    Returns the index of the first line not belonging to it.  The first
    non-blank continuation line fixes the indent; QEMU only checks the line
    right after it for a de-indent (later ones silently end the section).
    """
    lines = b.lines
    n = len(lines)
    own = sec.lines
    j = i + 1
    while j < n and not lines[j].text:
        parts.append("")
        own.append(lines[j])
        j += 1
    if j >= n:
        return j
    text = lines[j].text
    indent = _indent(text)
    if not indent:
        return j
    parts.append(text[indent:])
    own.append(lines[j])
    j += 1
    check = True
    while j < n:
        dl = lines[j]
        text = dl.text
        if text:
            if text[0] == "@" and _AT_NAME.match(text):
                return j
            if _indent(text) < indent:
                if check:
                    b.tok("doc-bad-indent",
                          f"unexpected de-indent (expected at least {indent} spaces)", j, end_line)
                return j
            parts.append(text[indent:])
        else:
            parts.append("")
        own.append(dl)
        check = False
        j += 1
    return j


def _descriptions(b: _Builder, i: int, kind: SectionKind, end_line: int) -> int:
    """A run of ``@name:`` descriptions starting at ``i``; returns the next index."""
    lines = b.lines
    n = len(lines)
    seen = b.members if kind == "member" else b.features
    while i < n:
        text = lines[i].text
        m = _AT_NAME.match(text) if text[:1] == "@" else None
        if m is None:
            break
        name = m.group(1)
        keep = False
        if not name:
            b.sect("doc-param-empty-name", "invalid parameter name", i)
        elif name in seen:
            b.sect("doc-param-duplicate", f"'{name}' parameter name duplicated", i)
        else:
            seen.add(name)
            keep = True
        sec, parts = b.open(kind, name, i, keep)
        rest = text[m.end():]
        if rest:
            parts.append(rest)
        i = _indented(b, i, sec, parts, end_line)
    return i


def _definition(b: _Builder, end_line: int) -> None:
    lines = b.lines
    n = len(lines)
    i = 1
    no_more_args = False
    features_line = False
    while i < n:
        text = lines[i].text
        if not text:
            i += 1
            continue
        if text == "Features:":
            if features_line:
                b.tok("doc-features-duplicate", "duplicated 'Features:' line", i, end_line)
            features_line = True
            i += 1
            while i < n and not lines[i].text:
                i += 1
            start = i
            i = _descriptions(b, i, "feature", end_line)
            if i == start:
                b.tok("doc-features-empty", "feature descriptions expected", i, end_line)
            no_more_args = True
            continue
        c = text[0]
        if c == "@" and (m := _AT_NAME.match(text)):
            if no_more_args:
                b.tok("doc-description-after-section",
                      f"description of '@{m.group(1)}:' follows a section", i, end_line)
            i = _descriptions(b, i, "member", end_line)
            continue
        if c in _TAG_FIRST and (m := _TAG.match(text)):
            tag = m.group(1)
            kind: SectionKind = "tag"
            keep = True
            if tag[0] == "N":
                b.tok("doc-note-section", _NOTE_MSG.format(tag), i, end_line)
                kind = "plain"
            elif tag[0] == "E" and tag[1] == "x":
                b.tok("doc-example-section", _EXAMPLE_MSG.format(tag), i, end_line)
                kind = "plain"
            elif tag in _UNIQUE_TAGS:
                if tag in b.tags:
                    b.sect("doc-section-duplicate", f"duplicated '{tag}' section", i)
                    keep = False
                b.tags.add(tag)
            sec, parts = b.open(kind, tag if kind == "tag" else None, i, keep)
            rest = text[m.end():]
            if rest:
                parts.append(rest)
            i = _indented(b, i, sec, parts, end_line)
            no_more_args = True
            continue
        # A plain paragraph runs to the next blank line, whatever it holds
        # (a 'Since:' or '@x:' inside it is text).  Consecutive paragraphs
        # form one untagged section, as in QEMU.
        if b.in_paragraphs:
            sec = b.sections[-1]
            parts = b.parts[-1]
            parts.append("")
            sec.lines.append(lines[i])
        else:
            sec, parts = b.open("plain", None, i)
        parts.append(text)
        i += 1
        own = sec.lines
        while i < n and lines[i].text:
            parts.append(lines[i].text)
            own.append(lines[i])
            i += 1
        b.in_paragraphs = True
        if b.members:
            no_more_args = True


def _freeform(b: _Builder, end_line: int) -> None:
    lines = b.lines
    sec, parts = b.open("plain", None, 0)
    sec.lines = list(lines)
    for i, dl in enumerate(lines):
        text = dl.text
        if text[:1] == "@" and (m := _AT_NAME.match(text)):
            b.tok("doc-freeform-description",
                  f"'@{m.group(1)}:' not allowed in free-form documentation", i, end_line)
        parts.append(text)


def parse_doc_block(lines: list[DocLine], info: SourceInfo,
                    end_line: int) -> tuple[DocBlock, list[SchemaError]]:
    """Parse the content lines of one ``##`` block (opener and closer excluded).

    ``info`` is the opening ``##`` line, ``end_line`` the closing one.  Returns
    the block and its P1 errors (structure and style), in QEMU's detection
    order (see the module docstring).
    """
    b = _Builder(info, lines)
    symbol: str | None = None
    symbol_info: SourceInfo | None = None
    first = lines[0].text if lines else ""
    if first[:1] == "@":
        if first[-1] != ":":
            b.tok("doc-symbol-colon", "line should end with ':'", 0, end_line)
            symbol = first[1:]
        else:
            symbol = first[1:-1]
            if not symbol:
                b.tok("doc-symbol-empty", "name required after '@'", 0, end_line)
        symbol_info = info.at(lines[0].line)
        _definition(b, end_line)
    elif lines:
        _freeform(b, end_line)
    late = b.finish()
    errors = b.errors
    style = style_errors(lines, info)
    if style:
        # Style is checked as each line is read, before the line is parsed.
        errors = sorted(style + errors, key=lambda e: (e.info.line, e.rule not in _STYLE_RULES))
    if late:
        errors = errors + late
    block = DocBlock(info=info, end_line=end_line, symbol=symbol, symbol_info=symbol_info,
                     sections=b.sections, lines=list(lines))
    return block, errors


_STYLE_RULES = frozenset(("doc-line-too-long", "doc-sentence-spacing"))
