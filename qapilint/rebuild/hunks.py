"""The hunk-only rebuild of one patch, in three steps each taken once.

1. ``plan``: every hunk side of every QAPI file becomes a window, scanned
   into regions (``window``);
2. the naming pass gives every region its definition (``assign``), with the
   C hunks and, for a series, the other patches as evidence (``series``);
3. the two sides' definitions are built from the named regions (``views``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from qapilint.collector import paused
from qapilint.errors import InputError
from qapilint.patch import FileDiff, Patch
from qapilint.rebuild.assign import Evidence, Pass, pass_notes
from qapilint.rebuild.series import SeriesEvidence
from qapilint.rebuild.views import Piece, SideView, add_piece
from qapilint.rebuild.window import Window, file_windows

__all__ = ["Evidence", "HunkPlan", "MAX_LINES", "SeriesEvidence", "build", "check_size", "plan", "series_evidence"]


@dataclass
class HunkPlan:
    """The windows of a patch's QAPI files (those rebuilt from their hunks)."""

    patch: Patch
    files: list[tuple[FileDiff, list[dict[str, Window]]]] = field(default_factory=list)


# QEMU's whole schema is under 30,000 lines, its largest file under 7,000,
# and real patches show a few thousand schema lines at most: past this a
# patch is refused (one error line) rather than rebuilt slowly.
MAX_LINES = 20_000


def check_size(patch: Patch, fds: list[FileDiff]) -> None:
    n = sum(len(h.lines) for fd in fds for h in fd.hunks)
    if n > MAX_LINES:
        raise InputError(patch.source or patch.id, f"{n} lines of schema hunks: more than the {MAX_LINES} "
                         "a rebuild reads")


def plan(patch: Patch, fds: list[FileDiff]) -> HunkPlan:
    check_size(patch, fds)
    # Many small objects made, few freed: the collector would walk them all
    # again and again (three times the work on a large patch).
    with paused():
        return HunkPlan(patch, [(fd, file_windows(fd)) for fd in fds])


def series_evidence(patches: list[Patch], files_of: Callable[[Patch], list[FileDiff]]) -> SeriesEvidence:
    """The evidence each patch of a series gives the others (``SeriesEvidence.for_patch(i)``).

    Each patch's files (``files_of``) are scanned in turn and let go once the
    evidence has taken what it keeps of them; a patch refused as too large
    (its own rebuild says so) gives none.
    """
    out = SeriesEvidence()
    for i, p in enumerate(patches):
        try:
            files = plan(p, files_of(p)).files
        except InputError:
            files = []
        out.add(f"patch {p.number}/{p.total}" if p.number is not None and p.total else f"patch {i + 1}", files)
    return out


def build(hp: HunkPlan, before: SideView, after: SideView, evidence: Evidence | None = None) -> list[str]:
    """Name the plan's regions and add them to the two sides; returns notes on names the evidence gave."""
    if not hp.files:
        return []
    with paused():
        return _build(hp, before, after, evidence)


def _build(hp: HunkPlan, before: SideView, after: SideView, evidence: Evidence | None) -> list[str]:
    files = [(fd.path, windows) for fd, windows in hp.files]
    Pass(hp.patch, evidence).run(files)
    notes = pass_notes(files)
    for fd, windows in hp.files:
        deep: int | None = None
        for sides in windows:
            for side in ("-", "+"):
                w = sides.get(side)
                if w is None:
                    continue
                if w.too_deep is not None and deep is None:
                    deep = w.too_deep
                view = before if side == "-" else after
                for r in w.regions:
                    add_piece(view, r.key,
                              Piece(r.name, r.expr, r.doc, w.lines, w.path, meta_hint=r.meta_hint))
        if deep is not None:
            notes.append(f"{fd.path}:{deep}: nested deeper than the scanner reads; the inner part is left out")
    return notes
