"""Apply a file's hunks to its base text in memory, the way patch(1) places them.

Each hunk is tried exactly at its header position, then at the nearest offset,
then ignoring whitespace (HTML-scraped patches lost their indentation, so
context is compared with whitespace removed and the tree's own text is kept),
then with fuzz (up to two context lines dropped at each edge).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from qapilint.patch import Hunk, HunkLine
from qapilint.rebuild.scan import Line


@dataclass
class Placement:
    hunk: int            # index in the file's hunks
    at: int              # 0-based base line where the matched old text starts
    method: str          # exact | offset | whitespace | fuzz
    offset: int = 0
    fuzz: int = 0


@dataclass
class ApplyResult:
    before: list[Line] = field(default_factory=list)
    after: list[Line] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)     # one note per hunk that did not apply
    # Where each hunk line landed: (line, pre-image no, post-image no); fuzz-dropped context absent.
    numbers: list[tuple[HunkLine, int | None, int | None]] = field(default_factory=list)


def _norm(s: str) -> str:
    return "".join(s.split())


class _Index:
    def __init__(self, base: list[str]) -> None:
        self.base = base
        self.norm = [_norm(s) for s in base]
        self.by_exact: dict[str, list[int]] = {}
        self.by_norm: dict[str, list[int]] = {}
        for i, (a, b) in enumerate(zip(base, self.norm, strict=True)):
            self.by_exact.setdefault(a, []).append(i)
            self.by_norm.setdefault(b, []).append(i)


def _matches(seq: list[str], hay: list[str], at: int) -> bool:
    if at < 0 or at + len(seq) > len(hay):
        return False
    return all(hay[at + k] == s for k, s in enumerate(seq))


def _search(seq: list[str], hay: list[str], index: dict[str, list[int]], center: int, lo: int) -> int | None:
    if not seq:
        return None
    cands = [p for p in index.get(seq[0], []) if p >= lo and _matches(seq, hay, p)]
    if not cands:
        return None
    return min(cands, key=lambda p: (abs(p - center), p))


def _edges(old: list[HunkLine]) -> tuple[int, int]:
    lead = 0
    while lead < len(old) and old[lead].kind == " ":
        lead += 1
    trail = 0
    while trail < len(old) - lead and old[len(old) - 1 - trail].kind == " ":
        trail += 1
    return lead, trail


def _place(h: Hunk, idx: _Index, lo: int, last_offset: int, hi: int) -> tuple[int, str, int, int, int] | None:
    """(at, method, fuzz, dropped_leading, dropped_trailing) or None."""
    old = [ln for ln in h.lines if ln.kind != "+"]
    expected = h.old_start - 1 if h.old_len > 0 else h.old_start
    if not old:
        return max(lo, min(expected, hi)), "exact", 0, 0, 0
    lead, trail = _edges(old)
    exact = [ln.text for ln in old]
    if _matches(exact, idx.base, expected) and expected >= lo:
        return expected, "exact", 0, 0, 0
    center = expected + last_offset
    at = _search(exact, idx.base, idx.by_exact, center, lo)
    if at is not None:
        return at, "offset", 0, 0, 0
    normed = [_norm(t) for t in exact]
    at = _search(normed, idx.norm, idx.by_norm, center, lo)
    if at is not None:
        return at, "whitespace", 0, 0, 0
    for fuzz in (1, 2):
        dl, dt = min(fuzz, lead), min(fuzz, trail)
        if dl == 0 and dt == 0:
            continue
        for seq, hay, index in (([t for t in exact[dl:len(exact) - dt]], idx.base, idx.by_exact),
                                ([t for t in normed[dl:len(normed) - dt]], idx.norm, idx.by_norm)):
            at = _search(seq, hay, index, center + dl, lo)
            if at is not None:
                return at, "fuzz", fuzz, dl, dt
    return None


def _nearest(h: Hunk, idx: _Index, expected: int) -> tuple[int, int, int]:
    """Best partial match: (line, matching lines, hunk old lines)."""
    old = [_norm(ln.text) for ln in h.lines if ln.kind != "+"]
    best = (-1, 0)
    for p in range(0, max(len(idx.norm) - len(old), 0) + 1):
        score = sum(1 for k, s in enumerate(old) if p + k < len(idx.norm) and idx.norm[p + k] == s)
        if score > best[1] or (score == best[1] and best[0] >= 0 and abs(p - expected) < abs(best[0] - expected)):
            best = (p, score)
    return max(best[0], 0) + 1, best[1], len(old)


def header(h: Hunk) -> str:
    return f"@@ -{h.old_start},{h.old_len} +{h.new_start},{h.new_len} @@"


def apply_hunks(base_text: str, hunks: list[Hunk], path: str,
                on_place: Callable[[Placement], None] | None = None) -> ApplyResult:
    base = base_text.split("\n")
    if base and base[-1] == "":
        base.pop()
    base = [s[:-1] if s.endswith("\r") else s for s in base]
    idx = _Index(base)
    res = ApplyResult()
    before_kind: dict[int, tuple[str, int]] = {}
    lo, last_offset = 0, 0
    cursor = 0
    after: list[Line] = []

    def copy_until(stop: int) -> None:
        nonlocal cursor
        while cursor < stop:
            after.append(Line(base[cursor], len(after) + 1))
            cursor += 1

    for hi_, h in enumerate(hunks):
        got = _place(h, idx, lo, last_offset, len(base))
        if got is None:
            expected = max(h.old_start - 1, 0)
            line, score, total = _nearest(h, idx, expected)
            res.unplaced.append(f"hunk {hi_ + 1} ({header(h)}, patch line {h.patch_line}) does not apply; "
                                f"nearest candidate: line {line} ({score} of {total} lines match)")
            continue
        at, method, fuzz, dl, dt = got
        expected = h.old_start - 1 if h.old_len > 0 else h.old_start
        pl = Placement(hi_, at, method, at - dl - expected, fuzz)
        res.placements.append(pl)
        if on_place is not None:
            on_place(pl)
        last_offset = at - dl - expected
        copy_until(at)
        old_count = 0
        n_old = sum(1 for ln in h.lines if ln.kind != "+")
        for hl in h.lines:
            if hl.kind == "+":
                after.append(Line(hl.text, len(after) + 1, "+", hl.patch_line))
                res.numbers.append((hl, None, len(after)))
                continue
            k = old_count
            old_count += 1
            if k < dl or k >= n_old - dt:
                # Context that fuzz dropped is not in the tree there: the tree's lines stand.
                continue
            if cursor >= len(base):
                break
            if hl.kind == " ":
                before_kind[cursor] = (" ", hl.patch_line)
                after.append(Line(base[cursor], len(after) + 1, " ", hl.patch_line))
                res.numbers.append((hl, cursor + 1, len(after)))
            else:
                before_kind[cursor] = ("-", hl.patch_line)
                res.numbers.append((hl, cursor + 1, None))
            cursor += 1
        lo = cursor
    copy_until(len(base))
    res.after = after
    res.before = [Line(t, i + 1, *before_kind.get(i, (" ", 0))) for i, t in enumerate(base)]
    return res


def renumber(res: ApplyResult) -> int:
    """Give the hunk lines the file line numbers where they were placed; returns how many moved.

    A hunk applied at an offset then describes the patched tree, so what
    is found at a tree line maps back to the right patch line.
    """
    moved = 0
    for hl, old_no, new_no in res.numbers:
        if (hl.old_no, hl.new_no) != (old_no, new_no):
            moved += 1
        hl.old_no, hl.new_no = old_no, new_no
    return moved


def text_of(lines: list[Line]) -> str:
    return "".join(ln.text + "\n" for ln in lines)
