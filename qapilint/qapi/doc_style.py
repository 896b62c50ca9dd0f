"""Doc-comment style rules (qapi-rules.md §8.3): line length and sentence spacing.

QEMU checks these on every doc line while reading it, before the line is
interpreted, except inside literal blocks (``::`` / ``.. qmp-example::``).
They arrived in QEMU 10.2; callers pick them by version through
:mod:`qapilint.qapi.rule_versions` — this module always reports them.
"""

from __future__ import annotations

import re

from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.doc_model import DocLine
from qapilint.source import SourceInfo

RULE_LINE_TOO_LONG = "doc-line-too-long"
RULE_SENTENCE_SPACING = "doc-sentence-spacing"

MSG_LINE_TOO_LONG = "documentation line longer than 70 characters"
MSG_SENTENCE_SPACING = "Use two spaces between sentences"
NOTE_SENTENCE_SPACING = "If this not the end of a sentence, please report a bug."

# The limit counts the '# ' prefix, so content may be 68 characters.
MAX_CONTENT = 70 - 2

# Literal-mode marker: a line that is only '::' (indent allowed), or
# '.. qmp-example::' starting in column 0.
_LITERAL_MARKER = re.compile(r"(?:\.\. +qmp-example)? *::\Z")
# A long line is forgiven only when it is a bare URL: it cannot be wrapped.
_URL_ONLY = re.compile(r" *(?:https?|ftp)://[^ ]*\Z")
# Cheap pre-filter: most lines have no single-spaced sentence end at all.
_SINGLE_SPACE = re.compile(r"[.!?] [A-Z0-9(]")
# The exemptions ('e.g.' and a one-digit list marker 'N.' at line start) are tried
# before punctuation at each position, and a match consumes its text, so
# the punctuation inside an exempt token is never reported on its own.
_SENTENCE = re.compile(r"(?:\be\.g\.|^ *\d\.|([.!?])) [A-Z0-9(]")


def column_of(raw: str, index: int) -> int:
    """1-based column of ``raw[index]``, with QEMU's tab arithmetic."""
    prefix = raw[:index]
    if "\t" not in prefix:
        return index + 1
    col = 1
    for ch in prefix:
        col = (col + 7) % 8 + 1 if ch == "\t" else col + 1
    return col


def hash_column(raw: str) -> int:
    """Column of the line's '#' (where QEMU's doc-line token starts)."""
    i = raw.find("#")
    return column_of(raw, i) if i > 0 else 1


def sentence_spacing_index(text: str) -> int | None:
    """Index in ``text`` of the first single-spaced sentence end, or None."""
    if _SINGLE_SPACE.search(text) is None:
        return None
    for m in _SENTENCE.finditer(text):
        if m.start(1) >= 0:
            return m.start(1)
    return None


def style_errors(lines: list[DocLine], info: SourceInfo) -> list[SchemaError]:
    """Style errors of one block's content lines, in line order.

    ``info`` supplies file and include context; each error is located at its
    own line.  At most one error per rule per line (QEMU stops at the first;
    line length is checked before spacing).
    """
    out: list[SchemaError] = []
    literal = False
    literal_indent: int | None = None
    marker = _LITERAL_MARKER.match
    for dl in lines:
        text = dl.text
        if text and text[-1] == ":" and marker(text):
            literal = True
            literal_indent = None
            continue
        if literal and text:
            indent = len(text) - len(text.lstrip())
            if literal_indent is None:
                # The first literal line fixes the indent; with indent 0
                # nothing can dedent below it, so literal mode then lasts
                # to the end of the block (QEMU behaves the same).
                literal_indent = indent
            elif indent < literal_indent:
                literal = False
        if literal:
            continue
        if len(text) > MAX_CONTENT and _URL_ONLY.match(text) is None:
            out.append(SchemaError(RULE_LINE_TOO_LONG, MSG_LINE_TOO_LONG,
                                   info.at(dl.line, hash_column(dl.raw))))
        if ". " in text or "! " in text or "? " in text:
            idx = sentence_spacing_index(text)
            if idx is not None:
                # QEMU points at the single space assuming the '#' is in
                # column 1 (raw offset = 2 for '# ' + index + 1).
                out.append(SchemaError(RULE_SENTENCE_SPACING, MSG_SENTENCE_SPACING,
                                       info.at(dl.line, column_of(dl.raw, idx + 3)),
                                       notes=[NOTE_SENTENCE_SPACING]))
    return out
