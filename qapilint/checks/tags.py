"""Finding version tags (``Since: X.Y`` sections, ``(since X.Y)`` notes) in doc lines.

Recognises the spellings seen in QEMU's schema and the near misses that
QEMU's doc parser does not treat as a ``Since`` section (missing colon,
wrong case, indentation), so that the version rules can name them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from qapilint.versions import Version, bounded_int, parse_version

# A version token as people write it: 10.2, 10.2.0, v10.2, 10.2.50
_VER = r"v?\d+(?:\.\d+)+"
# Doc content is the text after '# '.  A section must be 'Since:' at column 0.
_SECTION_LOOSE = re.compile(rf"^(?P<indent>\s*)(?P<word>since)\b(?P<colon>\s*:)?\s*(?P<ver>{_VER})\b",
                            re.IGNORECASE)
_INLINE = re.compile(rf"\(\s*(?P<word>since)\b\s*:?\s*(?P<ver>{_VER})\b", re.IGNORECASE)
# Feature / member descriptions that are only 'since X.Y'
_BARE = re.compile(rf"^(?P<word>since)\s*:?\s*(?P<ver>{_VER})\s*\.?\s*$", re.IGNORECASE)
# 'since X.Y' written as prose, e.g. '... behaviour (default: 0) since 10.1.'
_PROSE = re.compile(rf"(?<![(\w])since\s+(?P<ver>{_VER})\b", re.IGNORECASE)
_CONTENT = re.compile(r"^\s*#(?: (?P<text>.*)|(?P<empty>))$")

TagKind = Literal["section", "inline"]


@dataclass(frozen=True)
class Tag:
    kind: TagKind
    version_text: str          # as written: '10.2', '10.2.0', 'v10.2'
    col: int                   # 1-based column of the version text in the source line
    proper: bool               # a 'Since:' section QEMU recognises / a well-formed inline note
    problem: str | None = None  # 'missing colon', "'since' should be 'Since'", 'indented', ...

    @property
    def version(self) -> Version | None:
        return parse_version(self.version_text)

    @property
    def format_problem(self) -> str | None:
        """Why the version text is not plain X.Y, or None."""
        t = self.version_text
        if t.lower().startswith("v"):
            return f"'{t}' has a 'v' prefix; write {t[1:]}"
        parts = t.split(".")
        if len(parts) == 3:
            micro = bounded_int(parts[2])
            if micro is None:
                return f"'{t}' is not of the form X.Y"
            if micro == 50 or micro >= 90:
                return f"'{t}' is a development/rc VERSION string, not a release; write the release X.Y"
            return f"'{t}' has three components; QEMU tags name the release as X.Y"
        if len(parts) != 2 or self.version is None:   # the latter: numbers too long to be versions
            return f"'{t}' is not of the form X.Y"
        return None


def doc_content(raw: str) -> str | None:
    """Text after '# ' of a comment line, or None when the line is not a comment."""
    m = _CONTENT.match(raw.rstrip())
    if m is None:
        return None
    return m.group("text") or ""


def _content_offset(raw: str) -> int:
    """Index in ``raw`` where doc content begins (after '#' and one space)."""
    i = raw.index("#")
    return i + 2


def find_tags(raw: str) -> list[Tag]:
    """Version tags on one source line (a '#' comment line of a schema file)."""
    text = doc_content(raw)
    if text is None:
        return []
    off = _content_offset(raw)
    out: list[Tag] = []
    m = _SECTION_LOOSE.match(text)
    if m:
        problems = []
        if m.group("word") != "Since":
            problems.append(f"'{m.group('word')}' should be 'Since'")
        if not m.group("colon"):
            problems.append("missing colon after 'Since'")
        elif m.group("colon") != ":":
            problems.append("space before the colon")
        if m.group("indent"):
            problems.append("indented, so it is not a section")
        # An indented 'since X.Y' line continuing a description is an inline note.
        if m.group("indent") and not m.group("colon") and m.group("word") == "since":
            out.append(Tag("inline", m.group("ver"), off + m.start("ver") + 1, True))
            return out
        out.append(Tag("section", m.group("ver"), off + m.start("ver") + 1, not problems,
                       "; ".join(problems) or None))
        return out
    for m in _INLINE.finditer(text):
        out.append(Tag("inline", m.group("ver"), off + m.start("ver") + 1, True))
    if not out:
        desc = re.sub(r"^@[^:]*:\s*", "", text.strip())
        b = _BARE.match(desc)
        if b:
            out.append(Tag("inline", b.group("ver"), off + text.index(b.group("ver")) + 1, True))
    return out


def find_tags_in_text(text: str) -> list[Tag]:
    """Inline tags in a description's joined text (no column information)."""
    out: list[Tag] = []
    for line in text.splitlines() or [text]:
        for m in _INLINE.finditer(line):
            out.append(Tag("inline", m.group("ver"), 0, True))
        if not out:
            b = _BARE.match(line.strip())
            if b:
                out.append(Tag("inline", b.group("ver"), 0, True))
    if not out:
        # a note split over two lines
        out = [Tag("inline", m.group("ver"), 0, True) for m in _INLINE.finditer(" ".join(text.split()))]
    return out


def find_wrapped_tags(lines: list[tuple[int, str]]) -> list[tuple[int, Tag]]:
    """Inline notes that a line break splits, e.g. '... (since' / '#     2.11)'.

    ``lines`` are (line number, raw source line) of one description; each
    note found is placed on the line that holds its version.
    """
    contents: list[tuple[int, int, str]] = []      # (line, offset in joined text, raw line)
    joined = ""
    for n, raw in lines:
        text = doc_content(raw)
        if text is None:
            continue
        stripped = text.lstrip()
        contents.append((n, len(joined) + 1, raw))
        joined += " " + stripped
    out: list[tuple[int, Tag]] = []
    for m in _INLINE.finditer(joined):
        start = m.start("ver")
        n, off, raw = max((c for c in contents if c[1] <= start), key=lambda c: c[1])
        col = raw.find(m.group("ver"))
        out.append((n, Tag("inline", m.group("ver"), col + 1 if col >= 0 else 0, True)))
    return out


def find_prose_tags(lines: list[tuple[int, str]]) -> list[tuple[int, Tag]]:
    """'since X.Y' in a description without the parentheses of an inline note.

    Only worth asking for when a description has no proper tag: it is then
    what the author meant as one.
    """
    out: list[tuple[int, Tag]] = []
    for n, raw in lines:
        text = doc_content(raw)
        if text is None:
            continue
        off = _content_offset(raw)
        for m in _PROSE.finditer(text):
            out.append((n, Tag("inline", m.group("ver"), off + m.start("ver") + 1, False,
                               "written without the parentheses of '(since X.Y)'")))
    return out
