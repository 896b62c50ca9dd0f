"""JSON as QMP examples write it: elisions allowed, every syntax problem said precisely.

Examples in doc comments and commit messages shorten long output with
``...`` (a line, an array item, an object member or a member's value).  An
elision is never an error; commas next to one are optional, and an object
holding one is marked so that the missing-member check leaves it alone.

Most messages are plain JSON: they go through the standard library's C
parser.  The rest (elisions, mistakes) go through the scanner below, which
names what is wrong (trailing comma, missing comma, a bracket closed by the
wrong one, single quotes, ...) at its offset, and carries on past the
mistakes whose repair is certain (a trailing or missing comma, single
quotes, a duplicate key) so that the members after them are checked too.
Positions of keys and values are computed only when a finding needs one
(:func:`locate`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

# Nesting beyond this is not an example but hostile input.
MAX_DEPTH = 64


class EDict(dict[str, object]):
    """An object with an elided member: its members are not all shown."""

    elided = True


class EList(list[object]):
    """An array with elided items."""

    elided = True


class _Elided:
    """A member value written as ``...``: any value."""

    _inst: _Elided | None = None

    def __new__(cls) -> _Elided:
        if cls._inst is None:
            cls._inst = super().__new__(cls)
        return cls._inst

    def __repr__(self) -> str:
        return "ELIDED"


ELIDED = _Elided()

Path = tuple[str | int, ...]
# Says where an offset of the message text is ("line 12, column 5"), for messages naming a second place.
Where = Callable[[int], str]


class Fix(NamedTuple):
    """A certain repair: replace text[start:end] with ``text`` (offsets into the message text)."""

    start: int
    end: int
    text: str


class Problem(NamedTuple):
    """One syntax problem at ``offset`` of the message text; ``fix`` when the repair is certain.

    ``more``: repairs of the same mistake further on, said once (single quotes): one fix
    repairs them all, so fixing the first does not merely reveal the next.
    """

    kind: str
    message: str
    offset: int
    fix: Fix | None = None
    more: tuple[Fix, ...] = ()


class Parsed:
    """A message read: ``value`` (None when it could not be read, see ``problems``); ``ok`` when
    a value was read, possibly after certain repairs; ``elided`` when an elision occurs."""

    __slots__ = ("value", "ok", "problems", "elided")

    def __init__(self, value: object = None, ok: bool = False, problems: list[Problem] | None = None,
                 elided: bool = False) -> None:
        self.value = value
        self.ok = ok
        self.problems = problems if problems is not None else []
        self.elided = elided


# An elision: '...' (or '…'), possibly with words up to a second '...' ('...more...',
# '... more channels follow ...'), possibly alone in brackets ('[...]', '{ ... }').
_ELL = r"""(?:\.\.\.+(?:[ \t]*[A-Za-z][^\n"{}\[\]]{0,80}?\.\.\.+)?|\u2026)"""
_TOKEN = re.compile(rf"""[ \t\r\n]*(?:
   (?P<str>"(?:[^"\\\n]|\\.)*")
  |(?P<ustr>"(?:[^"\\\n]|\\.)*)
  |(?P<sq>'(?:[^'\\\n]|\\.)*'?)
  |(?P<ell>\[[ \t]*{_ELL}[ \t]*\]|\{{[ \t]*{_ELL}[ \t]*\}}|{_ELL})
  |(?P<num>[-+]?(?:\d[\w.]*|\.\d[\w.]*)(?:(?<=[eE])[-+]\d+)?)
  |(?P<punct>[{{}}\[\]:,])
  |(?P<word>[A-Za-z_][A-Za-z0-9_-]*)
  |(?P<other>.)
  |(?P<ws>$)
)""", re.X)
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?\Z")
_CLOSE = {"{": "}", "[": "]"}
_LITERALS = {"true": True, "false": False, "null": None}


class _Tok:
    __slots__ = ("kind", "text", "pos")

    def __init__(self, kind: str, text: str, pos: int) -> None:
        self.kind = kind       # str sq ell num punct word other ustr eof
        self.text = text
        self.pos = pos


def tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind == "ws":
            continue
        out.append(_Tok(kind, m.group(kind), m.start(kind)))
    out.append(_Tok("eof", "", len(text)))
    return out


def _show(t: _Tok) -> str:
    if t.kind == "eof":
        return "the end of the message"
    s = t.text if len(t.text) <= 24 else t.text[:21] + "..."
    return s if t.kind in ("str", "sq", "ustr") else f"'{s}'"


def _snippet(text: str, start: int) -> str:
    """What follows ``start``, whitespace collapsed, at most ~30 characters."""
    s = " ".join(text[start:start + 80].split())
    return s if len(s) <= 30 else s[:27] + "..."


class _Stop(Exception):
    pass


class _Parser:
    """Recursive descent over the tokens; positions of keys and values recorded by path."""

    def __init__(self, text: str, where: Where | None = None) -> None:
        self.text = text
        self.where_fn = where
        self.toks = tokens(text)
        self.i = 0
        self.problems: list[Problem] = []
        self.positions: dict[Path, tuple[int, int]] = {}   # path -> (key offset, value offset)
        self.elided = False
        self.last_elided = False         # whether the container just read had a '...'
        self.quoted_once = False
        self.quoted_at = -1             # index of the single-quotes problem in ``problems``
        self.quoted_msg = ""            # and its message, before the count of further ones
        self.quoted_more = 0

    # -- helpers

    def peek(self, k: int = 0) -> _Tok:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def take(self) -> _Tok:
        t = self.toks[self.i]
        if t.kind != "eof":
            self.i += 1
        return t

    def take_comma(self) -> bool:
        """Consume a ','; True when an elision precedes it (``..., ]`` is no trailing comma)."""
        i = self.i
        self.take()
        return i > 0 and self.toks[i - 1].kind == "ell"

    def problem(self, kind: str, message: str, offset: int, fix: Fix | None = None) -> None:
        self.problems.append(Problem(kind, message, offset, fix))

    def fail(self, kind: str, message: str, offset: int) -> _Stop:
        self.problem(kind, message, offset)
        return _Stop()

    def where(self, offset: int) -> str:
        if self.where_fn is not None:
            return self.where_fn(offset)
        line = self.text.count("\n", 0, offset) + 1
        col = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return f"line {line}, column {col}"

    # -- grammar

    def document(self) -> object:
        first = self.peek()
        if first.kind == "eof":
            raise self.fail("empty", "the message is empty", 0)
        value = self.value((), 0)
        t = self.peek()
        if t.kind != "eof":
            closer = self.toks[self.i - 1]
            if closer.kind == "punct" and closer.text in "}]" and (
                    t.text == "," or t.kind == "str" or (t.kind == "sq" and self.peek(1).text == ":")):
                raise self.fail("early-close",
                                f"'{closer.text}' closes the message before '{_snippet(self.text, t.pos)}': "
                                f"a bracket is closed too early or there is one too many", closer.pos)
            raise self.fail("extra", f"'{_snippet(self.text, t.pos)}' follows the end of the message", t.pos)
        return value

    def value(self, path: Path, depth: int) -> object:
        if depth > MAX_DEPTH:
            raise self.fail("too-deep", f"nesting deeper than {MAX_DEPTH} levels", self.peek().pos)
        t = self.take()
        k = t.kind
        if k == "punct":
            if t.text == "{":
                return self.obj(t, path, depth)
            if t.text == "[":
                return self.arr(t, path, depth)
            raise self.fail("unexpected", f"a value was expected, not {_show(t)}", t.pos)
        if k == "str":
            return self.string(t)
        if k == "sq":
            return self.single(t)
        if k == "num":
            return self.number(t)
        if k == "word":
            if t.text in _LITERALS:
                return _LITERALS[t.text]
            low = t.text.lower()
            hint = f" (JSON spells it {low})" if low in _LITERALS else \
                ", null" if t.text in ("None", "nil") else ""
            raise self.fail("bare-word", f"'{t.text}' is not a JSON value: strings are double-quoted{hint}", t.pos)
        if k == "ell":
            self.elided = True
            return ELIDED
        if k == "ustr":
            raise self.fail("unterminated-string", "the string is not closed on its line", t.pos)
        raise self.fail("unexpected", f"a value was expected, not {_show(t)}", t.pos)

    def string(self, t: _Tok) -> str:
        try:
            s = json.loads(t.text)
        except ValueError:
            raise self.fail("bad-escape", f"invalid escape in string {_show(t)}", t.pos) from None
        return str(s)

    def single(self, t: _Tok) -> str:
        if not t.text.endswith("'") or len(t.text) < 2:
            raise self.fail("unterminated-string", "the string is not closed on its line", t.pos)
        body = t.text[1:-1]
        dq = '"' + body.replace('"', '\\"') + '"'
        fix = Fix(t.pos, t.pos + len(t.text), dq) if "\\" not in body else None
        if not self.quoted_once:
            self.quoted_once = True
            self.quoted_at = len(self.problems)
            self.quoted_msg = f"single-quoted string {_show(t)}: JSON strings use double quotes"
            self.problem("single-quotes", self.quoted_msg, t.pos, fix)
        else:
            self.quoted_more += 1
            first = self.problems[self.quoted_at]
            more = (*first.more, fix) if fix is not None and first.fix is not None else first.more
            self.problems[self.quoted_at] = first._replace(
                more=more, message=f"{self.quoted_msg} ({self.quoted_more} more in this message)")
        return body

    def number(self, t: _Tok) -> object:
        m = _NUMBER.match(t.text)
        if m is None:
            raise self.fail("bad-number", f"{_show(t)} is not a JSON number", t.pos)
        if m.group(1) or m.group(2):
            return float(t.text)
        try:
            return int(t.text)
        except ValueError:
            # Past Python's digit limit; QEMU's JSON parser reads an integer
            # too large for 64 bits as a double too.
            return float(t.text)

    def obj(self, open_tok: _Tok, path: Path, depth: int) -> object:
        out: dict[str, object] = {}
        for t in self.items(open_tok, "}", "a member", lambda t: t.kind in ("str", "sq") and self.peek(1).text == ":"):
            key = self.key(t)
            colon = self.take()
            if not (colon.kind == "punct" and colon.text == ":"):
                raise self.fail("missing-colon", f"':' was expected after the key {_show(t)}, not {_show(colon)}",
                                colon.pos)
            vpos = self.peek().pos
            sub = (*path, key)
            if key in out:
                self.problem("duplicate-key", f"duplicate key {_show(t)}", t.pos)
            self.positions[sub] = (t.pos, vpos)
            out[key] = self.value(sub, depth + 1)
        if self.last_elided:
            # '{ ... }' alone stands for any value, '{ "a": 1, ... }' for an object with more members.
            return ELIDED if not out else EDict(out)
        return out

    def key(self, t: _Tok) -> str:
        self.take()
        if t.kind == "str":
            return self.string(t)
        if t.kind == "sq":
            return self.single(t)
        if t.kind == "word":
            raise self.fail("unquoted-key", f"the key '{t.text}' is not quoted: keys are double-quoted strings",
                            t.pos)
        if t.kind == "ustr":
            raise self.fail("unterminated-string", "the string is not closed on its line", t.pos)
        raise self.fail("unexpected", f"a key (a double-quoted string) was expected, not {_show(t)}", t.pos)

    def arr(self, open_tok: _Tok, path: Path, depth: int) -> object:
        out: list[object] = []
        for t in self.items(open_tok, "]", "a value",
                            lambda t: t.kind in ("str", "sq", "num", "word") or t.text in ("{", "[")):
            sub = (*path, len(out))
            self.positions[sub] = (t.pos, t.pos)
            out.append(self.value(sub, depth + 1))
        if self.last_elided:
            return ELIDED if not out else EList(out)
        return out

    def items(self, open_tok: _Tok, close: str, what: str, starts_item: Callable[[_Tok], bool]) -> Iterator[_Tok]:
        """The first token of each item of the container ``open_tok`` opens, up to its ``close``.

        The punctuation between items is the same for objects and arrays:
        commas (a trailing one and a missing one are problems with a fix, as
        an example reader forgives them), '...' elisions, and the wrong
        closer.  Afterwards ``last_elided`` says whether the container had one.
        """
        other = "]" if close == "}" else "}"
        elided = False
        need_comma = False      # an item was just read
        last_end = open_tok.pos + 1
        while True:
            t = self.peek()
            if t.kind == "punct" and t.text == close:
                self.take()
                break
            if t.kind == "punct" and t.text == other:
                raise self.fail("mismatch", f"'{other}' closes the '{open_tok.text}' opened at "
                                f"{self.where(open_tok.pos)}", t.pos)
            if t.kind == "eof":
                raise self.fail("unclosed", f"the '{open_tok.text}' opened at {self.where(open_tok.pos)} "
                                "is never closed", open_tok.pos)
            if t.kind == "punct" and t.text == ",":
                after_ell = self.take_comma()
                nxt = self.peek()
                if nxt.kind == "punct" and nxt.text == close and not after_ell:
                    self.problem("trailing-comma", f"trailing comma before '{close}'", t.pos,
                                 Fix(t.pos, t.pos + 1, ""))
                elif not need_comma and not after_ell:
                    raise self.fail("unexpected", f"{what} was expected, not ','", t.pos)
                need_comma = False
                continue
            if t.kind == "ell":
                self.take()
                elided = self.elided = True
                need_comma = False
                continue
            if need_comma:
                if t.kind == "ustr":
                    raise self.fail("unterminated-string", "the string is not closed on its line", t.pos)
                if starts_item(t):
                    self.problem("missing-comma", f"missing ',' before {_show(t)}", last_end,
                                 Fix(last_end, last_end, ","))
                else:
                    raise self.fail("unexpected", f"',' or '{close}' was expected, not {_show(t)}", t.pos)
            yield t
            prev = self.toks[self.i - 1]
            last_end = prev.pos + len(prev.text)
            need_comma = True
        self.last_elided = elided


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("duplicate key")
    return out


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_no_constant)


def quick_parse(text: str) -> Parsed | None:
    """``text`` read by the standard library's parser when it is plain JSON, else None."""
    if "..." in text or "\u2026" in text or not text.startswith(("{", "[")):
        return None
    try:
        value, end = _DECODER.raw_decode(text)     # decode() would first skip the white space there is none of
    except (ValueError, RecursionError):
        return None
    if end != len(text) and text[end:].strip(" \t\n\r"):
        return None
    return Parsed(value, True)


def parse(text: str, where: Where | None = None) -> Parsed:
    """Read one message (its text, arrow removed).  Never raises on bad input."""
    fast = quick_parse(text)
    if fast is not None:
        return fast
    p = _Parser(text, where)
    try:
        value = p.document()
    except _Stop:
        return Parsed(None, False, p.problems, p.elided)
    except RecursionError:
        return Parsed(None, False, [Problem("too-deep", "nested too deeply", 0)], p.elided)
    return Parsed(value, True, p.problems, p.elided)


def iter_positions(text: str) -> Iterator[tuple[Path, tuple[int, int]]]:
    """(key offset, value offset) of every member and item, by path, as far as ``text`` reads:
    one at a time, in text order, building no values.  The paths are those :func:`parse`
    gives (elided items are not counted in array indices).

    A finding's key usually sits near the start of a long reply: whoever
    looks one up stops reading there (see ``Message.locate``).
    """
    stack: list[_Frame] = []
    after_colon = False
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "ws" or kind is None:
            continue
        tok = m.group(kind)
        pos = m.start(kind)
        if kind == "punct" and tok in ":,":
            after_colon = tok == ":"
            continue
        if kind == "punct" and tok in "}]":
            if stack:
                stack.pop()
            after_colon = False
            continue
        if kind == "ell":
            after_colon = False
            continue
        frame = stack[-1] if stack else None
        if frame is not None and frame.is_object and not after_colon:
            # A key (a string followed by ':').
            if kind in ("str", "sq"):
                frame.key = tok[1:-1] if "\\" not in tok else _key_text(tok)
                frame.key_pos = pos
            continue
        sub: Path | None = None
        if frame is not None:
            if frame.is_object:
                if frame.key is not None:
                    sub = (*frame.path, frame.key)
                    yield sub, (frame.key_pos, pos)
            else:
                sub = (*frame.path, frame.index)
                yield sub, (pos, pos)
                frame.index += 1
        after_colon = False
        if kind == "punct" and tok in "{[":
            if len(stack) > MAX_DEPTH:
                return
            stack.append(_Frame(tok == "{", sub if sub is not None else ()))


class _Frame:
    __slots__ = ("is_object", "path", "key", "key_pos", "index")

    def __init__(self, is_object: bool, path: Path) -> None:
        self.is_object = is_object
        self.path = path
        self.key: str | None = None
        self.key_pos = 0
        self.index = 0


def _key_text(tok: str) -> str:
    try:
        return str(json.loads(tok if tok[0] == '"' else '"' + tok[1:-1].replace('"', '\\"') + '"'))
    except ValueError:
        return tok[1:-1]
