"""Tolerant QAPI scanner for whole files and for fragments cut at arbitrary lines.

A hunk shows a window of a file: it may start inside a definition (only the
tail of its ``data`` visible) or inside a doc block, and end in the middle
of either.  The scanner recovers the structure it can see: it infers how
deep the window starts from the unmatched closing brackets, parses values
with error recovery, and marks containers that were cut (``head_cut`` /
``tail_cut``).  Every value remembers the line it came from, so changes can
point at patch lines.

Nesting is bounded: QAPI never nests more than a handful of levels, so
containers deeper than ``MAX_DEPTH`` are matched but not read (the scan says
where), and a window cut inside thousands of containers costs no more than
one cut inside a few.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

DEFINITION_METAS = ("struct", "union", "alternate", "enum", "command", "event")
DIRECTIVES = ("include", "pragma")
MAX_DEPTH = 32


@dataclass(slots=True)
class Line:
    """One line of a file side: its text, file line number, diff kind and patch line."""

    text: str
    no: int
    kind: str = " "
    patch_line: int = 0


ValKind = Literal["str", "bool", "dict", "list", "other"]


@dataclass(slots=True)
class Val:
    kind: ValKind
    line: int                                   # index into the scanned lines
    value: object = None                        # scalars
    entries: list[tuple[str | None, Val]] = field(default_factory=list)   # dict; None = key not visible
    items: list[Val] = field(default_factory=list)                        # list
    key_line: int | None = None                 # line of the key that introduced this value
    head_cut: bool = False
    tail_cut: bool = False
    end: int = -1

    def get(self, key: str) -> Val | None:
        for k, v in self.entries:
            if k == key:
                return v
        return None

    def plain(self) -> object:
        if self.kind == "dict":
            return {k: v.plain() for k, v in self.entries if k is not None}
        if self.kind == "list":
            return [i.plain() for i in self.items]
        return self.value

    @property
    def cut(self) -> bool:
        return self.head_cut or self.tail_cut


@dataclass(slots=True)
class DocPiece:
    """A ``##`` block, or the visible part of one."""

    start: int                                  # first line index seen (opener if visible)
    end: int                                    # last line index seen (closer if visible)
    content: list[int] = field(default_factory=list)   # content line indices
    head_cut: bool = False
    tail_cut: bool = False
    symbol: str | None = None
    symbol_line: int | None = None


@dataclass(slots=True)
class ExprPiece:
    root: Val
    doc: DocPiece | None = None

    @property
    def meta(self) -> str | None:
        for k, _v in self.root.entries:
            if k in DEFINITION_METAS or k in DIRECTIVES:
                return k
        return None

    @property
    def name(self) -> str | None:
        m = self.meta
        if m is None or m in DIRECTIVES:
            return None
        v = self.root.get(m)
        return v.value if v is not None and isinstance(v.value, str) else None


State = Literal["none", "doc", "expr"]


@dataclass
class Scan:
    lines: list[Line]
    exprs: list[ExprPiece] = field(default_factory=list)
    docs: list[DocPiece] = field(default_factory=list)
    start_state: State = "none"
    end_state: State = "none"
    end_doc: DocPiece | None = None             # doc block open at the end (tail cut)
    end_expr: ExprPiece | None = None           # expression open at the end
    too_deep: int | None = None                 # first line index nested deeper than MAX_DEPTH


Token = tuple[str, object, int]                 # (type, value, line index)


# One token per match; '#' outside a string ends the line.  The alternatives
# are disjoint, so matching is linear in the line's length, and findall
# hands back plain strings (match objects cost more than the scan).
_TOKEN = re.compile(r"""'(?:[^'\\]|\\.)*\\?'?|[{}\[\]:,#]|[\w.-]+|[^ \t\r\f\v]""")
_STRING = re.compile(r"""'((?:[^'\\]|\\.)*\\?)""")
_ESCAPE = re.compile(r"\\(.)")
_PUNCT = frozenset("{}[]:,")


def _tokenize_line(text: str, idx: int, out: list[Token]) -> None:
    for tok in _TOKEN.findall(text):
        c = tok[0]
        if c in _PUNCT:
            out.append((tok, tok, idx))
        elif c == "'":
            if "\\" not in tok:
                body = tok[1:-1] if len(tok) > 1 and tok[-1] == "'" else tok[1:]
            else:
                m = _STRING.match(tok)
                body = _ESCAPE.sub(r"\1", m.group(1)) if m is not None else tok[1:]
            out.append(("str", body, idx))
        elif c == "#":
            return
        elif tok == "true" or tok == "false":
            out.append(("bool", tok == "true", idx))
        else:
            out.append(("other", tok, idx))


def is_comment(text: str) -> bool:
    return text.lstrip().startswith("#")


def is_doc_fence(text: str) -> bool:
    return text.strip() == "##"


def doc_text(text: str) -> str:
    """Content of a doc line: after '#' and one space, trailing space removed."""
    s = text.lstrip()[1:] if text.lstrip().startswith("#") else text
    if s.startswith(" "):
        s = s[1:]
    return s.rstrip()


def symbol_of(text: str) -> str | None:
    t = doc_text(text).strip()
    if t.startswith("@") and t.endswith(":") and " " not in t:
        return t[1:-1] or None
    return None


class _Frame:
    __slots__ = ("node", "state", "key", "key_line")

    def __init__(self, node: Val, state: str) -> None:
        self.node = node
        self.state = state          # dict: key colon value comma sync; list: item comma
        self.key: str | None = None
        self.key_line: int | None = None


def scan(lines: list[Line], at_file_start: bool = True, at_file_end: bool = True) -> Scan:
    """Scan ``lines`` (a whole file, or a window of one when the flags are False)."""
    tokens: list[Token] = []
    # Depth at the start of each line, relative to the window's first line;
    # unmatched closers tell how many containers the window starts inside.
    line_depth: list[int] = []
    depth, lowest = 0, 0
    head_types: list[str] = []
    for idx, ln in enumerate(lines):
        line_depth.append(depth)
        first = len(tokens)
        _tokenize_line(ln.text, idx, tokens)
        for k in range(first, len(tokens)):
            t = tokens[k][0]
            if t == "{" or t == "[":
                depth += 1
            elif t == "}" or t == "]":
                depth -= 1
                if depth < lowest:
                    lowest = depth
                    head_types.append(t)
    if at_file_start:
        head_types = []
        lowest = 0
    else:
        head_types += _implicit_levels(tokens, -lowest)
    base = len(head_types)
    abs_depth = [d + base for d in line_depth]

    result = Scan(lines=lines)
    _scan_docs(result, abs_depth, at_file_start, at_file_end)
    _parse_exprs(result, tokens, head_types, at_file_end)
    _attach_docs(result)
    if result.exprs and result.exprs[-1].root.tail_cut:
        result.end_state = "expr"
        result.end_expr = result.exprs[-1]
    elif result.docs and result.docs[-1].tail_cut:
        result.end_state = "doc"
        result.end_doc = result.docs[-1]
    if head_types:
        result.start_state = "expr"
    elif result.docs and result.docs[0].head_cut:
        result.start_state = "doc"
    return result


_ROOT_KEYS = frozenset(DEFINITION_METAS + DIRECTIVES + (
    "data", "base", "discriminator", "features", "if", "returns", "boxed", "gen", "success-response",
    "allow-oob", "allow-preconfig", "coroutine", "prefix"))


def _implicit_levels(tokens: list[Token], base: int) -> list[str]:
    """Containers a window is inside although it shows none of their brackets.

    At the top level of a schema there is nothing but ``{`` openers, so
    anything else found there (list items, ``key: value`` pairs) means the
    window started inside a container whose closer is out of view.
    """
    depth = base
    stray_colon = False
    stray = False
    keys: list[str] = []
    for k, (t, _v, _idx) in enumerate(tokens):
        if depth == 0 and t != "{":
            if t in "}]":
                continue
            stray = True
            if t == ":":
                stray_colon = True
                if k > 0 and tokens[k - 1][0] == "str":
                    keys.append(str(tokens[k - 1][1]))
        elif depth == 0 and t == "{" and k > 0 and tokens[k - 1][0] in (":", ","):
            stray = True
            stray_colon = stray_colon or tokens[k - 1][0] == ":"
        if t in "{[":
            depth += 1
        elif t in "}]":
            depth = max(depth - 1, 0)
    if not stray:
        return []
    if stray_colon and keys and all(k in _ROOT_KEYS for k in keys):
        return ["}"]                    # the definition itself
    return ["}" if stray_colon else "]", "}"]  # its data, inside the definition


def _scan_docs(result: Scan, abs_depth: list[int], at_file_start: bool, at_file_end: bool) -> None:
    lines = result.lines
    top = [i for i, ln in enumerate(lines) if abs_depth[i] == 0]
    in_doc = False
    cur: DocPiece | None = None
    first = next((i for i in top if lines[i].text.strip()), None)
    # A window that starts inside an expression is not inside a doc block where the expression ends.
    if (not at_file_start and first is not None and is_comment(lines[first].text)
            and not any(ln.text.strip() for ln in lines[:first])):
        in_doc = _starts_inside_doc(lines, first)
        if in_doc:
            cur = DocPiece(start=first, end=first, head_cut=True)
    for i in top:
        text = lines[i].text
        if in_doc and cur is not None:
            if is_doc_fence(text):
                cur.end = i
                result.docs.append(cur)
                cur, in_doc = None, False
            elif is_comment(text):
                cur.content.append(i)
                cur.end = i
                if cur.symbol is None and not cur.head_cut and len(cur.content) == 1:
                    sym = symbol_of(text)
                    if sym:
                        cur.symbol, cur.symbol_line = sym, i
            else:
                # A doc block ended without its closing '##' (only in broken input).
                cur.tail_cut = True
                result.docs.append(cur)
                cur, in_doc = None, False
        elif is_doc_fence(text):
            cur = DocPiece(start=i, end=i)
            in_doc = True
    if cur is not None:
        cur.tail_cut = True
        result.docs.append(cur)


def _starts_inside_doc(lines: list[Line], first: int) -> bool:
    """Whether a window whose first top-level line is a comment starts inside a doc block."""
    for j in range(first, len(lines)):
        text = lines[j].text
        if is_doc_fence(text):
            nxt = lines[j + 1].text if j + 1 < len(lines) else None
            # The first fence closes the block when no doc text follows it.
            return nxt is None or not is_comment(nxt) or is_doc_fence(nxt)
        if not is_comment(text):
            # Comment lines followed by code or a blank line: not a doc block.
            return False
    return True


def _scalar_kind(typ: str) -> ValKind:
    return "str" if typ == "str" else "bool" if typ == "bool" else "other"


def _new_container(tok: str, line: int) -> Val:
    return Val(kind="dict" if tok == "{" else "list", line=line)


def _parse_exprs(result: Scan, tokens: list[Token], head_types: list[str], at_file_end: bool) -> None:
    stack: list[_Frame] = []
    roots: list[Val] = []
    first_line = tokens[0][2] if tokens else 0
    # Containers past MAX_DEPTH are matched but not read: ``skip`` counts the
    # open ones, and everything inside them is passed over.
    outer = list(reversed(head_types))
    skip = max(len(outer) - MAX_DEPTH, 0)
    if skip:
        result.too_deep = first_line
    for t in outer[:MAX_DEPTH]:
        node = Val(kind="dict" if t == "}" else "list", line=first_line, head_cut=True)
        if stack:
            parent = stack[-1]
            parent.state = "value" if parent.node.kind == "dict" else "item"
        else:
            roots.append(node)
        frame = _Frame(node, "sync" if node.kind == "dict" else "item")
        stack.append(frame)
    # Parents of the innermost head-cut container hold it under an unseen key.
    for k in range(len(stack) - 1):
        stack[k].state = "pending-child"

    def attach(val: Val) -> None:
        if not stack:
            roots.append(val)
            return
        f = stack[-1]
        if f.node.kind == "dict":
            val.key_line = f.key_line
            f.node.entries.append((f.key, val))
            f.key, f.key_line = None, None
            f.state = "comma"
        else:
            f.node.items.append(val)
            f.state = "comma"

    def close(idx: int) -> None:
        f = stack.pop()
        f.node.end = idx
        if stack and stack[-1].state == "pending-child":
            p = stack[-1]
            p.node.entries.append((None, f.node)) if p.node.kind == "dict" else p.node.items.append(f.node)
            p.state = "comma"
        elif stack:
            attach(f.node)

    def push(typ: str, idx: int, key_line: int | None = None) -> None:
        nonlocal skip
        if len(stack) >= MAX_DEPTH:
            if result.too_deep is None:
                result.too_deep = idx
            skip = 1
            return
        child = _new_container(typ, idx)
        child.key_line = key_line
        stack.append(_Frame(child, "key" if typ == "{" else "item"))

    n = len(tokens)
    i = 0
    while i < n:
        typ, val, idx = tokens[i]
        if skip:
            if typ == "{" or typ == "[":
                skip += 1
            elif typ == "}" or typ == "]":
                skip -= 1
                if not skip and stack:
                    # The unread container stands in its parent as a value of its own.
                    attach(Val(kind="other", line=idx, value=None, end=idx))
            i += 1
            continue
        nxt = tokens[i + 1][0] if i + 1 < n else None
        if not stack:
            if typ == "{":
                node = _new_container("{", idx)
                roots.append(node)
                stack.append(_Frame(node, "key"))
            i += 1
            continue
        f = stack[-1]
        if typ in "}]":
            close(idx)
            i += 1
            continue
        if f.node.kind == "list":
            if typ == ",":
                f.state = "item"
            elif typ in "{[":
                push(typ, idx)
            elif typ in ("str", "bool", "other"):
                f.node.items.append(Val(kind=_scalar_kind(typ), line=idx, value=val))
                f.state = "comma"
            i += 1
            continue
        # dict frame
        if f.state in ("key", "sync", "comma"):
            if typ == "str" and nxt == ":":
                f.key, f.key_line = str(val), idx
                f.state = "value"
                i += 2
                continue
            if typ == ":" and f.state == "sync":
                f.key, f.key_line = None, None
                f.state = "value"
            elif typ in "{[" and f.state == "sync":
                f.key, f.key_line = None, None
                push(typ, idx)
            # anything else here (a value whose key is out of view, stray commas) is skipped
            i += 1
            continue
        if f.state == "value":
            if typ in "{[":
                push(typ, idx, f.key_line)
            elif typ in ("str", "bool", "other"):
                attach(Val(kind=_scalar_kind(typ), line=idx, value=val, end=idx))
        i += 1
    last = result.lines and len(result.lines) - 1 or 0
    while stack:
        f = stack.pop()
        f.node.tail_cut = True
        f.node.end = last
        if stack and stack[-1].state == "pending-child":
            p = stack[-1]
            p.node.entries.append((None, f.node)) if p.node.kind == "dict" else p.node.items.append(f.node)
        elif stack:
            attach(f.node)
    for r in roots:
        if r.kind == "dict":
            result.exprs.append(ExprPiece(root=r))


def _attach_docs(result: Scan) -> None:
    """Give each expression the doc block right before it (nothing but blank lines between)."""
    docs = sorted(result.docs, key=lambda d: d.start)
    di = 0
    for e in result.exprs:
        if e.root.head_cut:
            continue
        cand: DocPiece | None = None
        while di < len(docs) and docs[di].end < e.root.line:
            cand = docs[di]
            di += 1
        if cand is None or cand.tail_cut:
            continue
        between = result.lines[cand.end + 1: e.root.line]
        if all(not ln.text.strip() for ln in between):
            e.doc = cand
