"""The rest of a series as evidence for the hunk-only rebuild.

The patches of a series apply one after the other, so a line of one
patch's pre- or post-image can be followed through the hunks of the patches
in between to the line it is in another patch's.  When a region of one
patch has its name out of view and another patch shows the same lines (same
text) inside a definition whose opener or doc symbol that patch has in view,
that definition is the region's.

Line states: state 0 is the file before the first patch, state i + 1 the
file after patch i; patch i's pre-image is state i, its post-image state
i + 1.  Walks are bounded (``REACH`` patches each way, ``PROBES`` lines per
region) so a long mbox costs what its patches do.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from qapilint.patch import FileDiff, Hunk
from qapilint.rebuild.window import Region, Window

REACH = 64
PROBES = 8

Files = list[tuple[FileDiff, list[dict[str, Window]]]]


class _LineMap:
    """Where each line of one file goes through one patch's hunks (and back)."""

    def __init__(self, fd: FileDiff) -> None:
        self.hunks = sorted(fd.hunks, key=lambda h: h.old_start)
        self.old_first = [self._first(h.old_start, h.old_len) for h in self.hunks]
        self.new_first = [self._first(h.new_start, h.new_len) for h in self.hunks]
        self.shift: list[int] = []
        total = 0
        for h in self.hunks:
            total += h.new_len - h.old_len
            self.shift.append(total)

    @staticmethod
    def _first(start: int, length: int) -> int:
        # An empty side (a pure addition or removal) sits after line ``start``.
        return start if length else start + 1

    def forward(self, line: int) -> int | None:
        return self._map(line, self.old_first, lambda h: h.old_len, "-", True)

    def backward(self, line: int) -> int | None:
        return self._map(line, self.new_first, lambda h: h.new_len, "+", False)

    def clean(self, a: int, b: int, fwd: bool) -> bool:
        """Whether the patch leaves lines ``a``..``b`` (of the state it starts from, or ends in when
        not ``fwd``) and everything between them as they are."""
        firsts = self.old_first if fwd else self.new_first
        k = max(bisect.bisect_right(firsts, a) - 1, 0)
        while k < len(self.hunks) and firsts[k] <= b + 1:
            last = firsts[k] - 1
            for ln in self.hunks[k].lines:
                here = ln.old_no if fwd else ln.new_no
                gone = "-" if fwd else "+"
                if ln.kind == " ":
                    last = here if here is not None else last + 1
                elif ln.kind == gone:
                    last = here if here is not None else last + 1
                    if a <= last <= b:
                        return False
                elif a <= last < b:     # a line the patch puts between two of them
                    return False
            k += 1
        return True

    def _map(self, line: int, firsts: list[int], length: object, gone: str, fwd: bool) -> int | None:
        k = bisect.bisect_right(firsts, line) - 1
        if k < 0:
            return line
        h = self.hunks[k]
        assert callable(length)
        n = length(h)
        if line < firsts[k] + n:
            return _inside(h, line, gone, fwd)
        shift = self.shift[k]
        return line + shift if fwd else line - shift


def _inside(h: Hunk, line: int, gone: str, fwd: bool) -> int | None:
    for ln in h.lines:
        here, there = (ln.old_no, ln.new_no) if fwd else (ln.new_no, ln.old_no)
        if here == line:
            return None if ln.kind == gone else there
    return None


@dataclass
class _Patch:
    """What one patch of the series tells the others: its files' diffs (the patch
    model's own, held by the series anyway) and the lines it shows inside named
    definitions, without its scanned windows."""

    label: str
    named: dict[str, list[tuple[str, int, str, str, int]]] = field(default_factory=dict)
    by_old: dict[str, FileDiff] = field(default_factory=dict)
    by_new: dict[str, FileDiff] = field(default_factory=dict)
    maps: dict[int, _LineMap] = field(default_factory=dict)

    def line_map(self, fd: FileDiff) -> _LineMap:
        got = self.maps.get(id(fd))
        if got is None:
            got = self.maps[id(fd)] = _LineMap(fd)
        return got


class SeriesEvidence:
    """What every patch of a series shows in view, to name the cut regions of the others."""

    def __init__(self) -> None:
        self.patches: list[_Patch] = []
        # state -> path -> line -> [(definition, line text, patch index, line of its name)]
        self._spans: dict[int, dict[str, dict[int, list[tuple[str, str, int, int]]]]] = {}
        self._kinds: dict[str, str] = {}

    def add(self, label: str, files: Files) -> None:
        """Take the next patch's scanned files; only the facts the others ask about are kept,
        so the series' windows need not all be held while its patches are rebuilt."""
        p = _Patch(label, {"-": [], "+": []})
        for fd, windows in files:
            if fd.old_path is not None and fd.status != "added":
                p.by_old[fd.old_path] = fd
            if fd.new_path is not None and fd.status != "deleted":
                p.by_new[fd.new_path] = fd
            for sides in windows:
                for side, w in sides.items():
                    base = w.lines[0].no if w.lines else 0
                    for r in w.regions:
                        if r.own is not None and r.meta:
                            self._kinds.setdefault(r.own, r.meta)
                        if r.own is None or not r.anchor:
                            continue
                        for no in range(r.first, r.last + 1):
                            i = no - base
                            if 0 <= i < len(w.lines) and w.lines[i].no == no:
                                p.named[side].append((w.path, no, w.lines[i].text, r.own, r.anchor))
        self.patches.append(p)

    def for_patch(self, index: int) -> PatchEvidence:
        return PatchEvidence(self, index)

    def spans(self, state: int) -> dict[str, dict[int, list[tuple[str, str, int, int]]]]:
        """The lines of state ``state`` that a patch shows in a named definition's region."""
        got = self._spans.get(state)
        if got is not None:
            return got
        got = {}
        for pi, side in ((state - 1, "+"), (state, "-")):
            if not 0 <= pi < len(self.patches):
                continue
            for path, no, text, own, anchor in self.patches[pi].named[side]:
                got.setdefault(path, {}).setdefault(no, []).append((own, text, pi, anchor))
        self._spans[state] = got
        return got

    def kinds(self) -> dict[str, str]:
        return self._kinds

    def _step(self, state: int, path: str, lines: tuple[int, ...], fwd: bool) -> tuple[str, tuple[int, ...]] | None:
        """The lines' path and numbers one state on (``fwd``) or back, if the patch in between
        leaves them, and everything between them, as they are."""
        p = self.patches[state if fwd else state - 1]
        fd = (p.by_old if fwd else p.by_new).get(path)
        if fd is None:
            if path in (p.by_new if fwd else p.by_old):
                return None     # the patch creates (or deletes) a file of that name: not this one
            return path, lines
        m = p.line_map(fd)
        if len(lines) > 1 and not m.clean(min(lines), max(lines), fwd):
            return None
        got = tuple(m.forward(n) if fwd else m.backward(n) for n in lines)
        if any(n is None for n in got):
            return None
        return (fd.path if fwd else (fd.old_path or fd.path)), got  # type: ignore[return-value]

    def _walk(self, start: int, end: int, path: str, lines: tuple[int, ...]) -> tuple[str, tuple[int, ...]] | None:
        """``lines`` of state ``start`` in state ``end``, when every patch between leaves them be."""
        at: tuple[str, tuple[int, ...]] | None = (path, lines)
        st = start
        while at is not None and st != end:
            fwd = end > st
            at = self._step(st, at[0], at[1], fwd)
            st = st + 1 if fwd else st - 1
        return at

    def lookup(self, index: int, r: Region) -> tuple[str, str, int] | None:
        """(definition, label of the patch that shows it, the line of its name here) for
        region ``r`` of patch ``index``.

        A line another patch shows in a named definition's region is that
        definition's here too when the patches in between change neither it,
        nor the line that shows the name, nor anything between the two.
        """
        w = r.window
        state = index if w.side == "-" else index + 1
        base = w.lines[0].no
        probes: list[tuple[int, str]] = []
        for no in range(r.first, r.last + 1):
            i = no - base
            if 0 <= i < len(w.lines) and w.lines[i].text.strip():
                probes.append((no, w.lines[i].text))
                if len(probes) >= PROBES:
                    break
        found: dict[str, tuple[int, int]] = {}
        for no, text in probes:
            for step in (1, -1):
                at: tuple[str, tuple[int, ...]] | None = (w.path, (no,))
                st = state
                while at is not None and abs(st - state) <= REACH:
                    for name, seen, pi, anchor in self.spans(st).get(at[0], {}).get(at[1][0], ()):
                        if seen != text or pi == index or name in found:
                            continue
                        # The name's line and all between must be as they are here too.
                        back = self._walk(st, state, at[0], (at[1][0], anchor))
                        if back is not None and back[1][0] == no:
                            found[name] = (pi, back[1][1])
                    if not 0 <= (st if step > 0 else st - 1) < len(self.patches):
                        break
                    at = self._step(st, at[0], at[1], step > 0)
                    st += step
        if len(found) != 1:
            return None
        name, (pi, anchor) = found.popitem()
        return name, self.patches[pi].label, anchor

    def keeps(self, index: int, side: str, path: str, line: int) -> bool:
        """Whether patch ``index`` keeps line ``line`` of its ``side`` as it is."""
        state = index if side == "-" else index + 1
        return self._walk(state, index + 1 if side == "-" else index, path, (line,)) is not None


@dataclass
class PatchEvidence:
    """The series' evidence as one patch asks it (``assign.Evidence``)."""

    series: SeriesEvidence
    index: int

    def name(self, r: Region) -> tuple[str, str, int] | None:
        return self.series.lookup(self.index, r)

    def keeps(self, r: Region, line: int) -> bool:
        return self.series.keeps(self.index, r.window.side, r.window.path, line)

    def kind(self, name: str) -> str:
        return self.series.kinds().get(name, "")
