"""QMP examples in doc comments and commit messages: where each message is, line by line.

A message starts at a ``->`` (client) or ``<-`` (server) arrow followed by
a JSON text and runs over as many lines as its brackets need.  Examples are
``.. qmp-example::`` blocks (``:title:``, ``:annotated:``), the ``Example:``
/ ``Examples:`` sections of older trees, or any literal block with arrows;
the grouping only matters for telling which command a reply answers.  Every
message keeps the file line and column of each of its lines, so that a
finding can point at the offending line inside it.

Where a message ends when its brackets do not balance is decided from the
layout: the next arrow, a line indented less than the arrow or at its
column but not reading as JSON (prose, the next section), the end of the
doc block.  A message cut by the edge of what is in view (a hunk) is
marked incomplete and is not checked for syntax.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from operator import attrgetter

from qapilint.qapi.doc_model import DocBlock
from qapilint.qapi.qmp_json import Parsed, Path, iter_positions, parse, quick_parse

# A message never runs longer than this (hostile input, a lost bracket).
MAX_MESSAGE_LINES = 400
# Lines a commit message's brace blocks are read over, in all (hostile input).
MAX_COMMIT_SCAN = 50_000

# The directive, its options and the old section tag are read with str methods
# (each regular expression costs a fifth of a millisecond to compile, at every start).
_SECTION_TAGS = ("Example:", "Examples:")
# QMP keys that make a brace block in a commit message a QMP message.
CLIENT_KEYS = ("execute", "exec-oob")
SERVER_KEYS = ("return", "error", "event", "QMP")
_FIRST_KEY = re.compile(r"""\{\s*["'](?P<key>[A-Za-z-]+)["']\s*:""")
# How a line that continues a JSON text may start (prose, '2. Then ...', does not).
_JSONISH_START = re.compile(r"""["'{}\[\],:]|\.\.\.|\u2026|-?\d[\d.eE+-]*\s*(?:[,}\]]|$)|(?:true|false|null)\b""")


# One line of a message as stored: (file line, 1-based column of the text, the text).
Row = tuple[int, int, str]


class Message:
    """One QMP message: ``direction`` "->" (client), "<-" (server) or "" (not said, in a
    commit message); its lines (``rows``: line, column of the text, text); ``complete``
    when its end is in view (else it is cut and not checked for syntax); its example."""

    __slots__ = ("direction", "rows", "complete", "example", "_text", "_parsed", "_positions", "_scan")

    def __init__(self, direction: str, rows: list[Row], complete: bool = True) -> None:
        self.direction = direction
        self.rows = rows
        self.complete = complete
        self.example: Example | None = None
        self._text: str | None = None
        self._parsed: Parsed | None = None
        self._positions: dict[Path, tuple[int, int]] = {}
        self._scan: Iterator[tuple[Path, tuple[int, int]]] | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "\n".join([r[2] for r in self.rows])
        return self._text

    def parsed(self) -> Parsed:
        """The message read as JSON (once)."""
        if self._parsed is None:
            self._parsed = parse(self.text, self.where)
        return self._parsed

    def locate(self, path: Path, at_key: bool = False) -> int | None:
        """Offset of the key (or value) at ``path``; None when it is not found (then: the first line)."""
        if not path:
            return None
        pos = self._positions.get(path) or self._unique_key(path)
        if pos is None:
            # Read on only as far as the path (a long reply's mistake is usually near its top),
            # unless a key is written twice: then the value read is the last one's, as is its place.
            if self._scan is None:
                self._scan = iter_positions(self.text)
            parsed = self._parsed
            early = parsed is not None and not any(p.kind == "duplicate-key" for p in parsed.problems)
            for p, at in self._scan:
                self._positions[p] = at
                if p == path and early:
                    break
            pos = self._positions.get(path)
            if pos is None:
                return None
        return pos[0] if at_key else pos[1]

    def _unique_key(self, path: Path) -> tuple[int, int] | None:
        """(key, value) offsets of the member at ``path`` when its key is written once in the whole
        message: then that is the place, found without reading the message token by token."""
        key = path[-1]
        parsed = self._parsed
        text = self.text
        # Only in a text read without repairs or escapes is every key written as '"key":'.
        if (not isinstance(key, str) or parsed is None or not parsed.ok or parsed.problems
                or "\\" in text or '"' in key):
            return None
        node = parsed.value            # the path must be in the message for its key to be this one
        for step in path:
            in_object = isinstance(node, dict) and isinstance(step, str) and step in node
            if not (in_object or isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)):
                return None
            node = node[step]  # type: ignore[index]
        quoted = f'"{key}"'
        at = -1
        k = text.find(quoted)
        while k >= 0:
            after = k + len(quoted)
            while after < len(text) and text[after] in " \t\n\r":
                after += 1
            if after < len(text) and text[after] == ":":
                if at >= 0:
                    return None          # written twice: only the scan can tell which
                at, colon = k, after
            k = text.find(quoted, k + 1)
        if at < 0:
            return None
        value = colon + 1
        while value < len(text) and text[value] in " \t\n\r":
            value += 1
        return at, value

    @property
    def line(self) -> int:
        return self.rows[0][0]

    @property
    def lines(self) -> list[int]:
        return [r[0] for r in self.rows]

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) in the file of ``offset`` in :attr:`text`."""
        for line, col, text in self.rows:
            if offset <= len(text):
                return line, col + offset
            offset -= len(text) + 1
        line, col, text = self.rows[-1]
        return line, col + len(text)

    def where(self, offset: int) -> str:
        line, col = self.position(offset)
        return f"line {line}, column {col}"


class Example:
    """A group of messages: a '.. qmp-example::' block (``kind`` qmp-example), an 'Example:'
    section (section), other arrows of a doc block (literal), or a commit message (commit).
    ``line`` is the directive, the section tag or the first message; ``symbol`` the
    definition the doc block documents."""

    __slots__ = ("file", "line", "kind", "symbol", "title", "annotated", "messages")

    def __init__(self, file: str, line: int, kind: str, symbol: str | None = None) -> None:
        self.file = file
        self.line = line
        self.kind = kind
        self.symbol = symbol
        self.title: str | None = None
        self.annotated = False
        self.messages: list[Message] = []

    def describe(self) -> str:
        if self.kind == "commit":
            return "the commit message"
        what = f"example '{self.title}'" if self.title else "example"
        return f"the {what} at line {self.line}" + (f" of '{self.symbol}'" if self.symbol else "")


class CommentLine:
    """A doc-comment line: file line, 1-based column of ``text[0]``, the text after '#'."""

    __slots__ = ("line", "col", "text")

    def __init__(self, line: int, col: int, text: str) -> None:
        self.line = line
        self.col = col
        self.text = text


def comment_line(line: int, raw: str) -> CommentLine | None:
    h = raw.find("#")
    if h < 0 or h and raw[:h].strip():
        return None
    return CommentLine(line, h + 2, raw[h + 1:].rstrip())


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _arrow(text: str) -> tuple[str, int] | None:
    """('->'|'<-', index of what follows the arrow) when ``text`` starts a message."""
    s = text.lstrip()
    if s[:2] not in ("->", "<-"):
        return None
    i = len(text) - len(s) + 2
    rest = text[i:].lstrip()
    if rest and rest[0] not in "{[":
        return None   # '-> ... text sent by client ...': notation, not a message
    return s[:2], i


_BRACKETS = re.compile(r"""[{}\[\]]|"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?""")


def _depth_change(text: str, depth: int) -> tuple[int, int | None]:
    """Bracket depth after ``text`` and the index where depth first returns to 0 (None: never)."""
    for m in _BRACKETS.finditer(text):
        c = m.group()
        if c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth <= 0:
                return 0, m.start()
    return depth, None


def _collect(lines: Sequence[CommentLine], i: int, start: int, direction: str, ends_known: bool,
             base_indent: int, commit: bool = False) -> tuple[Message, int]:
    """The message whose JSON starts at ``lines[i].text[start:]``; returns it and the next line index."""
    first = lines[i]
    text = first.text[start:]
    lead = _indent(text)
    segs: list[Row] = [(first.line, first.col + start + lead, text[lead:])]
    n = len(lines)
    # Most messages are the lines up to a blank line, an arrow or a
    # de-indent, and are JSON as they stand: one call of the C parser.
    j = i + 1
    prev = first.line
    while j < n and j - i < MAX_MESSAGE_LINES:
        cl = lines[j]
        t = cl.text
        s = t.lstrip()
        if not s or cl.line != prev + 1 or s[:2] in ("->", "<-"):
            break
        lead = len(t) - len(s)
        if commit:
            if _JSONISH_START.match(s) is None:
                break
        elif lead < base_indent and s[0] not in "}]" or lead == base_indent and _JSONISH_START.match(s) is None:
            break
        segs.append((cl.line, cl.col + lead, s))
        prev = cl.line
        j += 1
    msg = Message(direction, segs)
    fast = quick_parse(msg.text)
    if fast is not None:
        msg._parsed = fast
        return msg, j
    del segs[1:]
    depth, end = _depth_change(text, 0)
    j = i + 1
    complete = True
    if end is None and depth > 0:
        pending: list[Row] = []      # blank lines, kept only if the message goes on
        while True:
            if j >= n:
                complete = ends_known
                break
            cl = lines[j]
            if cl.line != lines[j - 1].line + 1:
                complete = False          # a gap: the rest is out of view
                break
            t = cl.text
            s = t.strip()
            if not s:
                pending.append((cl.line, cl.col, ""))
                j += 1
                continue
            if _arrow(t) is not None or _ends_message(t, s, base_indent, commit):
                break
            if len(segs) + len(pending) >= MAX_MESSAGE_LINES:
                complete = False
                break
            segs.extend(pending)
            pending = []
            lead = _indent(t)
            segs.append((cl.line, cl.col + lead, t[lead:]))
            j += 1
            depth, end = _depth_change(t, depth)
            if end is not None:
                break
    # Text right after the end, on following lines indented deeper than the
    # arrow, belongs to this message: a bracket closed it too early.
    if complete and end is not None:
        while j < n and len(segs) < MAX_MESSAGE_LINES:
            cl = lines[j]
            t = cl.text
            s = t.strip()
            if (not s or cl.line != lines[j - 1].line + 1 or s[0] not in "\",:}]"
                    or (not commit and _indent(t) <= base_indent)):
                break
            lead = _indent(t)
            segs.append((cl.line, cl.col + lead, t[lead:]))
            j += 1
    return Message(direction, segs, complete), j


def _ends_message(t: str, s: str, base_indent: int, commit: bool) -> bool:
    """A line that cannot continue an unbalanced message: prose, the next section.

    In a doc comment, a line indented deeper than the arrow continues it; one
    at the arrow's indentation only when it reads as JSON (a text re-wrapped
    to the line width); a closing bracket at any indentation.
    """
    lead = _indent(t)
    if commit or lead == base_indent:
        return _JSONISH_START.match(s) is None
    return lead < base_indent and s[0] not in "}]"


# A faster reader of the common message (see _DocLines.fast_message).
FastMessage = Callable[[int, int, str, int], "tuple[Message, int] | None"]


def examples_in_lines(file: str, lines: Sequence[CommentLine], symbol: str | None = None,
                      ends_known: bool = True, marks: Sequence[int] | None = None,
                      fast: FastMessage | None = None) -> list[Example]:
    """The examples of one run of doc-comment lines (a doc block, or what a hunk shows of one).

    ``ends_known``: the last line is the block's real end (its closing ``##``
    follows), so a message still open there is unclosed, not cut.
    ``marks``: the indices of the only lines that may start something (an
    arrow, a directive, a section), when the caller found them faster.
    """
    out: list[Example] = []
    loose: Example | None = None          # messages outside any directive
    current: Example | None = None
    n = len(lines)
    todo = iter(marks if marks is not None else range(n))
    i = 0
    while True:
        k = next(todo, None)
        if k is None:
            break
        if k < i:
            continue
        i = k
        cl = lines[i]
        t = cl.text
        s = t.lstrip()
        c = s[:1]
        if not c or c not in ".E-<":
            continue
        ind = len(t) - len(s)
        s = s.rstrip()
        if c == "." and s[2:3].isspace() and s[:2] == ".." and s[2:].lstrip() == "qmp-example::":
            current = Example(file, cl.line, "qmp-example", symbol)
            out.append(current)
            i += 1
            while i < n and (opt := _option(lines[i].text.strip())) is not None:
                if opt[0] == "title":
                    current.title = opt[1].strip() or None
                else:
                    current.annotated = True
                i += 1
            continue
        if c == "E" and ind <= 1 and s in _SECTION_TAGS:
            current = Example(file, cl.line, "section", symbol)
            out.append(current)
            continue
        arrow = _arrow(t)
        if arrow is None:
            continue
        direction, start = arrow
        if not t[start:].strip():
            # The JSON starts on the next line.
            if i + 1 < n and lines[i + 1].text.lstrip()[:1] in ("{", "["):
                i += 1
                start = 0
            else:
                continue
        got = fast(i, start, direction, ind) if fast is not None else None
        msg, i = got if got is not None else _collect(lines, i, start, direction, ends_known, ind)
        ex = current
        if ex is None:
            if loose is None:
                loose = Example(file, msg.line, "literal", symbol)
                out.append(loose)
            ex = loose
        msg.example = ex
        ex.messages.append(msg)
    return [e for e in out if e.messages]


def _option(text: str) -> tuple[str, str] | None:
    """(name, value) of a directive option line (':title: Text', ':annotated:'), else None."""
    for name in ("title", "annotated"):
        tag = f":{name}:"
        if text.startswith(tag):
            return name, text[len(tag):].lstrip()
    return None


# Lines that may start something: an arrow, a directive, an 'Example:' section.
_MARK = re.compile(r"[ \t]*#[ \t]*(?:->|<-|\.\.[ \t]+qmp-example::|Examples?:)")


class _DocLines(Sequence[CommentLine]):
    """A doc block's lines as :class:`CommentLine`, made only for the lines looked at."""

    def __init__(self, block: DocBlock) -> None:
        self.dls = block.lines
        self.made: dict[int, CommentLine] = {}

    def __len__(self) -> int:
        return len(self.dls)

    def __getitem__(self, i: int) -> CommentLine:  # type: ignore[override]
        cl = self.made.get(i)
        if cl is None:
            dl = self.dls[i]
            cl = comment_line(dl.line, dl.raw) or CommentLine(dl.line, 1, "")
            self.made[i] = cl
        return cl

    def fast_message(self, i: int, start: int, direction: str, base_indent: int) -> tuple[Message, int] | None:
        """The message at line ``i`` when it is plain JSON up to a blank line, an arrow or a
        de-indent: read straight from the raw lines (most messages; the rest go through _collect)."""
        dls = self.dls
        dl = dls[i]
        raw = dl.raw
        h = raw.find("#")
        t = raw[h + 1 + start:]
        s = t.lstrip()
        rows: list[Row] = [(dl.line, h + 2 + start + len(t) - len(s), s.rstrip())]
        n = min(len(dls), i + MAX_MESSAGE_LINES)
        j = i + 1
        while j < n:
            dl = dls[j]
            raw = dl.raw
            h = raw.find("#")
            t = raw[h + 1:]
            s = t.lstrip()
            if not s or s[:2] in ("->", "<-") or h < 0:
                break
            lead = len(t) - len(s)
            if lead < base_indent and s[0] not in "}]" or lead == base_indent and _JSONISH_START.match(s) is None:
                break
            rows.append((dl.line, h + 2 + lead, s.rstrip()))
            j += 1
        text = "\n".join([r[2] for r in rows])
        parsed = quick_parse(text)
        if parsed is None:
            return None
        msg = Message(direction, rows)
        msg._text = text
        msg._parsed = parsed
        return msg, j


def _marks(raws: list[str], joined: str) -> list[int]:
    """Indices of the lines that may start something, found with str.find (most lines have none).

    Arrows are looked for by their rare half ('>' of '->', '<' of '<-'):
    finding '-' stops at every hyphenated name.  'xample' covers both
    'qmp-example::' and 'Example:'.
    """
    starts: set[int] = set()
    find = joined.find
    for char, step in ((">", -1), ("<", 1)):
        k = find(char)
        while k >= 0:
            if joined[k + step:k + step + 1] == "-":
                starts.add(joined.rfind("\n", 0, k) + 1)
            k = find(char, k + 1)
    k = find("xample")
    while k >= 0:
        starts.add(joined.rfind("\n", 0, k) + 1)
        k = find("xample", k + 6)
    out: list[int] = []
    line = prev = 0
    mark = _MARK.match
    for off in sorted(starts):
        line += joined.count("\n", prev, off)
        prev = off
        if mark(raws[line]):
            out.append(line)
    return out


_RAW = attrgetter("raw")


def examples_in_doc(block: DocBlock) -> list[Example]:
    """Every example of a whole doc block (as the frontend parsed it)."""
    joined = "\n".join(map(_RAW, block.lines))
    # '>' and '<' are rare in doc text and found at memchr speed, where '-' is in every other name.
    if (">" not in joined or "->" not in joined) and ("<" not in joined or "<-" not in joined):
        return []
    raws = joined.split("\n")       # the lines again (a line holding a newline would show)
    if len(raws) != len(block.lines):
        raws = [dl.raw for dl in block.lines]
    marks = _marks(raws, joined)
    if not marks:
        return []
    lines = _DocLines(block)
    return examples_in_lines(block.info.file, lines, block.symbol, ends_known=True, marks=marks,
                             fast=lines.fast_message)


def examples_in_commit(message: str) -> list[Example]:
    """QMP quoted in a commit message, with or without arrows, as one example.

    A brace block counts when it is arrowed or its first key is a QMP one
    (``execute``, ``return``, ``event``, ...): QAPI schema text, also in
    braces, uses single quotes and other keys.
    """
    raw = message.split("\n")
    lines = [CommentLine(k + 1, 1, t.rstrip()) for k, t in enumerate(raw)]
    ex = Example("", 1, "commit")
    n = len(lines)
    i = 0
    budget = MAX_COMMIT_SCAN      # lines looked at, over all candidates (hostile input)
    while i < n and budget > 0:
        t = lines[i].text
        s = t.lstrip()
        arrow = _arrow(t)
        if arrow is not None and t[arrow[1]:].strip():
            direction, start = arrow
        elif s.startswith("{"):
            direction, start = "", len(t) - len(s)
        else:
            i += 1
            continue
        msg, j = _collect(lines, i, start, direction, True, len(t) - len(s), commit=True)
        budget -= j - i
        if direction or _qmp_key(msg.text) is not None:
            msg.example = ex
            ex.messages.append(msg)
            i = j
        else:
            i += 1
    return [ex] if ex.messages else []


def _qmp_key(text: str) -> str | None:
    """The message's first key when it is one of QMP's top-level keys, double-quoted."""
    m = _FIRST_KEY.match(text)
    if m is None or text[m.start("key") - 1] != '"':
        return None
    key = m.group("key")
    return key if key in CLIENT_KEYS or key in SERVER_KEYS else None
