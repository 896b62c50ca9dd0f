"""A tolerant unified-diff reader for input that unidiff refuses.

It walks hunks by the counts in their headers, like ``git apply`` does, and
records what it had to repair so the caller can report it:

- a context line whose leading space was lost (HTML scrape, mailers that
  strip leading blanks) is taken as context while the counts still expect
  lines (``prefixless``, ``empty_context``);
- a hunk whose header counts lie is read up to the next header and flagged
  (``mismatched``); one that stops at the end of input is ``truncated``.

It also gathers the whitespace statistics that ``mangled.looks_collapsed``
uses.  Line numbers are 1-based within the text given, plus ``offset``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qapilint.patch import FileDiff, Hunk, HunkLine, LineKind

# Hunk line numbers and counts: no file has a billion lines, and int() of
# thousands of digits is refused.
MAX_LINE_DIGITS = 9
HUNK_RE = re.compile(r"^@@+ -(?P<os>\d+)(?:,(?P<ol>\d+))? \+(?P<ns>\d+)(?:,(?P<nl>\d+))? @@+ ?(?P<sec>.*)$")
_GIT_RE = re.compile(r"^diff --git (?P<a>\"?a/.+?\"?) (?P<b>\"?b/.+\"?)$")
_GIT_LOOSE_RE = re.compile(r"^diff --git (?P<a>\S+) (?P<b>\S+)$")
_BINARY_RE = re.compile(r"^Binary files (?P<a>.+) and (?P<b>.+) differ$")


class DiffError(ValueError):
    """A diff line no reading can make sense of (``line``: 1-based, offset included)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass
class ScanStats:
    body_lines: int = 0          # lines read as hunk bodies
    prefixless: int = 0          # non-empty body lines without ' ', '+', '-'
    empty_context: int = 0       # empty body lines taken as blank context
    multi_ws: int = 0            # body lines with a run of 2+ spaces or a tab
    single_indent: int = 0       # body lines whose text starts with exactly one space
    mismatched: list[str] = field(default_factory=list)   # 'path:@@line' of hunks whose counts lie
    truncated: bool = False


@dataclass
class ScanResult:
    files: list[FileDiff]
    stats: ScanStats


def strip_prefix(path: str, prefix: str) -> str:
    path = path.strip()
    if len(path) >= 2 and path[0] == '"' and path[-1] == '"':
        path = path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape", "replace")
    if path.startswith(prefix):
        return path[len(prefix):]
    return path


def header_path(rest: str, prefix: str) -> str | None:
    """The path of a '--- '/'+++ ' line (timestamps dropped; /dev/null -> None)."""
    name = rest.split("\t", 1)[0].rstrip()
    # 'diff -u' writes 'file<TAB>date'; some tools use two spaces before the date.
    name = re.split(r"\s{2,}\d{4}-\d\d-\d\d", name, maxsplit=1)[0]
    if name == "/dev/null":
        return None
    return strip_prefix(name, prefix)


def _note_ws(text: str, stats: ScanStats) -> None:
    if "  " in text or "\t" in text:
        stats.multi_ws += 1
    elif len(text) > 1 and text[0] == " " and text[1] != " ":
        stats.single_indent += 1


def _body_kind(line: str, old_left: int, new_left: int, stats: ScanStats) -> tuple[LineKind, str] | None:
    """How a line inside a hunk body reads, or None when it cannot belong to it."""
    c = line[:1]
    if c == "+" and new_left > 0:
        return "+", line[1:]
    if c == "-" and old_left > 0:
        return "-", line[1:]
    if c == " " and old_left > 0 and new_left > 0:
        return " ", line[1:]
    if old_left > 0 and new_left > 0 and not _starts_header(line):
        if line == "":
            stats.empty_context += 1
        else:
            stats.prefixless += 1
        return " ", line
    return None


def _starts_header(line: str) -> bool:
    return line.startswith(("diff --git ", "@@ ", "Index: ", "diff -"))


def _new_hunk(m: re.Match[str], lineno: int) -> Hunk:
    if any(len(g) > MAX_LINE_DIGITS for g in m.group("os", "ol", "ns", "nl") if g is not None):
        raise DiffError(lineno, f"hunk header number longer than {MAX_LINE_DIGITS} digits")
    return Hunk(
        old_start=int(m.group("os")), old_len=int(m.group("ol") if m.group("ol") is not None else 1),
        new_start=int(m.group("ns")), new_len=int(m.group("nl") if m.group("nl") is not None else 1),
        section=m.group("sec").strip(), patch_line=lineno)


def _read_hunk(lines: list[str], i: int, hunk: Hunk, offset: int, stats: ScanStats, path: str) -> int:
    """Fill ``hunk`` from lines[i:]; return the index after its body."""
    old_left, new_left = hunk.old_len, hunk.new_len
    old_no, new_no = hunk.old_start, hunk.new_start
    n = len(lines)
    while i < n and (old_left > 0 or new_left > 0):
        line = lines[i]
        if line.startswith("\\"):          # '\ No newline at end of file'
            i += 1
            continue
        if HUNK_RE.match(line) or line.startswith("diff --git "):
            break
        got = _body_kind(line, old_left, new_left, stats)
        if got is None:
            break
        kind, text = got
        stats.body_lines += 1
        _note_ws(text, stats)
        hl = HunkLine(kind, text, offset + i + 1)
        if kind != "+":
            hl.old_no = old_no
            old_no += 1
            old_left -= 1
        if kind != "-":
            hl.new_no = new_no
            new_no += 1
            new_left -= 1
        hunk.lines.append(hl)
        i += 1
    if old_left > 0 or new_left > 0:
        if i >= n:
            stats.truncated = True
        else:
            stats.mismatched.append(f"{path}:{hunk.patch_line}")
        return i
    # Counts satisfied: further '+'/'-' lines before the next header mean the
    # header undercounts.  Read them in (they are plainly part of the change),
    # but never a '-- ' mail signature followed by a version line.
    extra = False
    while i < n and lines[i][:1] in ("+", "-") and not _is_signature(lines, i) \
            and not lines[i].startswith(("--- ", "+++ ")):
        kind2: LineKind = "+" if lines[i][0] == "+" else "-"
        hl = HunkLine(kind2, lines[i][1:], offset + i + 1)
        if kind2 == "+":
            hl.new_no = new_no
            new_no += 1
        else:
            hl.old_no = old_no
            old_no += 1
        hunk.lines.append(hl)
        extra = True
        i += 1
    if extra:
        stats.mismatched.append(f"{path}:{hunk.patch_line}")
    return i


def _is_signature(lines: list[str], i: int) -> bool:
    return lines[i] == "-- " and (i + 1 >= len(lines) or lines[i + 1][:1] not in ("+", "-", " ", "@"))


def scan(lines: list[str], offset: int = 0) -> ScanResult:
    """Read every file diff in ``lines`` (the diff text split on '\\n')."""
    stats = ScanStats()
    files: list[FileDiff] = []
    cur: FileDiff | None = None
    cur_has_headers = False
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if line.startswith("diff --git "):
            m = _GIT_RE.match(line) or _GIT_LOOSE_RE.match(line)
            a = strip_prefix(m.group("a"), "a/") if m else None
            b = strip_prefix(m.group("b"), "b/") if m else None
            cur = FileDiff(old_path=a, new_path=b, patch_line=offset + i + 1)
            files.append(cur)
            cur_has_headers = False
            i += 1
            continue
        if line.startswith("--- ") and i + 1 < n and lines[i + 1].startswith("+++ "):
            if cur is None or cur_has_headers or cur.hunks:
                cur = FileDiff(old_path=None, new_path=None, patch_line=offset + i + 1)
                files.append(cur)
            cur.old_path = header_path(line[4:], "a/")
            cur.new_path = header_path(lines[i + 1][4:], "b/")
            if cur.old_path is None:
                cur.status = "added"
            elif cur.new_path is None:
                cur.status = "deleted"
            cur_has_headers = True
            i += 2
            continue
        m2 = HUNK_RE.match(line)
        if m2 and cur is not None:
            hunk = _new_hunk(m2, offset + i + 1)
            i = _read_hunk(lines, i + 1, hunk, offset, stats, cur.path)
            cur.hunks.append(hunk)
            continue
        if cur is not None and not cur.hunks:
            _git_extended(line, cur)
            if line.startswith("GIT binary patch") or _BINARY_RE.match(line):
                cur.status = "binary"
        i += 1
    return ScanResult(files, stats)


def _git_extended(line: str, cur: FileDiff) -> None:
    """Apply a git extended header line ('new file mode', 'rename from', ...)."""
    if line.startswith("new file mode"):
        cur.status = "added"
        cur.old_path = None
    elif line.startswith("deleted file mode"):
        cur.status = "deleted"
        cur.new_path = None
    elif line.startswith(("rename from ", "copy from ")):
        cur.old_path = strip_prefix(line.split(" ", 2)[2], "")
        cur.status = "renamed" if line.startswith("rename") else "added"
    elif line.startswith(("rename to ", "copy to ")):
        cur.new_path = strip_prefix(line.split(" ", 2)[2], "")
