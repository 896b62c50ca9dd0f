"""Unified diff text -> FileDiff / Hunk / HunkLine with patch line numbers.

Well-formed diffs are read with unidiff; a diff that needed repair (lost
context prefixes, lying hunk counts, truncation) or that unidiff refuses is
read by the tolerant scanner, which walks hunks by their header counts.
Both give the same model; ``patch_line`` is 1-based in the text given, plus
``offset`` (the number of input lines before the diff).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchedFile, PatchSet

from qapilint import input_notes as notes
from qapilint.patch import FileDiff, Hunk, HunkLine, LineKind
from qapilint.sources.mangled import looks_collapsed
from qapilint.sources.tolerant import ScanResult, scan, strip_prefix

# unidiff builds one object per line; past this size the scanner alone is
# used (it gives the same result on well-formed input, in far less memory).
UNIDIFF_MAX_CHARS = 4_000_000


@dataclass
class DiffParse:
    files: list[FileDiff]
    whitespace_collapsed: bool = False
    notes: list[str] = field(default_factory=list)


def _unidiff_path(path: str | None, prefix: str) -> str | None:
    if path is None or path == "/dev/null":
        return None
    return strip_prefix(path, prefix)


def _from_unidiff(pf: PatchedFile, offset: int, header_line: int) -> FileDiff:
    old = _unidiff_path(pf.source_file, "a/")
    new = _unidiff_path(pf.target_file, "b/")
    fd = FileDiff(old_path=old, new_path=new, patch_line=header_line)
    if pf.is_binary_file:
        fd.status = "binary"
    elif pf.is_added_file:
        fd.status, fd.old_path = "added", None
    elif pf.is_removed_file:
        fd.status, fd.new_path = "deleted", None
    elif pf.is_rename:
        fd.status = "renamed"
    for h in pf:
        lines = [ln for ln in h if ln.line_type in (" ", "+", "-")]
        first = (lines[0].diff_line_no or 0) if lines else 0
        hunk = Hunk(old_start=h.source_start, old_len=h.source_length, new_start=h.target_start,
                    new_len=h.target_length, section=(h.section_header or "").strip(),
                    patch_line=offset + first - 1 if lines else 0)
        for ln in lines:
            kind: LineKind = ln.line_type  # type: ignore[assignment]
            text = ln.value[:-1] if ln.value.endswith("\n") else ln.value
            hunk.lines.append(HunkLine(kind, text, offset + (ln.diff_line_no or 0),
                                       ln.source_line_no, ln.target_line_no))
        fd.hunks.append(hunk)
    return fd


def _with_unidiff(text: str, scanned: ScanResult, offset: int) -> list[FileDiff] | None:
    """unidiff's reading, or None when it disagrees with the scan (then the scan is used)."""
    try:
        ps = PatchSet(text)
    except (UnidiffParseError, ValueError, IndexError):
        return None
    if len(ps) != len(scanned.files):
        return None
    out = []
    for pf, sf in zip(ps, scanned.files, strict=True):
        fd = _from_unidiff(pf, offset, sf.patch_line)
        # git extended headers (copies, hunkless renames) are the scanner's
        # strength; keep its paths and status where unidiff saw less.
        if fd.status == "modified" and sf.status != "modified":
            fd.status, fd.old_path, fd.new_path = sf.status, sf.old_path, sf.new_path
        if len(fd.hunks) != len(sf.hunks):
            return None
        out.append(fd)
    return out


def _strip_dir_prefix(fd: FileDiff) -> None:
    """'diff -u old/qapi/x.json new/qapi/x.json' names the file qapi/x.json (like patch -p1)."""
    a, b = fd.old_path, fd.new_path
    if a and b and "/" in a and "/" in b:
        a0, a_rest = a.split("/", 1)
        b0, b_rest = b.split("/", 1)
        if a0 != b0 and a_rest == b_rest:
            fd.old_path, fd.new_path = a_rest, b_rest
    if fd.status == "renamed" and fd.old_path == fd.new_path:
        fd.status = "modified"


_DESC_START = re.compile(r"^#\s*@[^:\s]*:")
_TAG = re.compile(r"^#\s*(Since|Returns|Errors|TODO|Features):")


def reindent_doc_continuations(fd: FileDiff) -> None:
    """Give back the indentation a whitespace collapse took from doc description continuations.

    QEMU's doc parser ends an '@name:' description at the first line that is not
    indented, so collapsed continuation lines would cut descriptions short (and
    lose their '(since X.Y)').  QEMU's style indents them by four spaces.
    """
    for h in fd.hunks:
        in_desc = False
        for ln in h.lines:
            if ln.kind == "-":
                continue
            t = ln.text
            if _DESC_START.match(t):
                in_desc = True
            elif not t.startswith("#") or t.strip() in ("#", "") or t.startswith("##") or _TAG.match(t):
                in_desc = False
            elif in_desc and ln.kind == "+" and t.startswith("# ") and not t.startswith("#  "):
                ln.text = "#     " + t[2:]


def parse_diff(text: str, offset: int = 0, message_text: str = "", *, use_unidiff: bool = True) -> DiffParse:
    """Read a diff; ``message_text`` (the mail above it) helps judge whitespace collapse."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()          # the end of the last line, not an empty line
    scanned = scan(lines, offset)
    st = scanned.stats
    result = DiffParse(scanned.files)
    clean = not (st.prefixless or st.empty_context or st.mismatched or st.truncated)
    if use_unidiff and clean and len(text) <= UNIDIFF_MAX_CHARS:
        via = _with_unidiff(text, scanned, offset)
        if via is not None:
            result.files = via
    for fd in result.files:
        _strip_dir_prefix(fd)
    if looks_collapsed(st, message_text):
        result.whitespace_collapsed = True
        result.notes.append(notes.WHITESPACE_COLLAPSED)
    if st.prefixless or st.empty_context:
        result.notes.append(notes.context_repaired(st.prefixless + st.empty_context))
    if st.truncated:
        result.notes.append(notes.TRUNCATED)
    if st.mismatched:
        result.notes.append(notes.hunk_mismatch(st.mismatched))
    for fd in result.files:
        if fd.status == "binary":
            result.notes.append(notes.binary(fd.path))
    return result
