"""Before/after views of the QAPI files a patch touches.

With a tree, hunks are applied in memory and the whole schema is read on
both sides (``complete``); a file whose hunks do not all apply, or that the
tree lacks, falls back to what its hunks show.  Without a tree every file is
rebuilt from its hunks, with cut definitions marked partial.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from qapilint import contain
from qapilint.definitions import FileRebuild
from qapilint.errors import InputError
from qapilint.patch import FileDiff, Patch
from qapilint.qapi.exprs import ParsedSchema
from qapilint.rebuild.apply import ApplyResult, apply_hunks, renumber, text_of
from qapilint.rebuild.detect import MAIN_ROOT, TreeReader, find_tree, is_qapi_file, is_qemu_tree
from qapilint.rebuild.hunks import Evidence, HunkPlan, SeriesEvidence, build, check_size, plan
from qapilint.rebuild.hunks import series_evidence as _series_evidence
from qapilint.rebuild.scan import Line
from qapilint.rebuild.tree import RebuildCache, Texts, add_locations, roots_for, schema_files, side_view
from qapilint.rebuild.views import SideView

__all__ = ["Evidence", "HunkPlan", "Rebuild", "RebuildCache", "TreeReader", "find_tree", "hunk_plan", "is_qemu_tree",
           "SeriesEvidence", "qapi_files", "rebuild", "series_evidence"]

WS_NOTE = "input whitespace was collapsed: hunks matched ignoring whitespace, the tree's text kept for context"


@dataclass
class Rebuild:
    files: list[FileRebuild] = field(default_factory=list)
    tree_before: SideView | None = None       # complete views (tree mode)
    tree_after: SideView | None = None
    hunk_before: SideView = field(default_factory=SideView)   # files rebuilt from hunks
    hunk_after: SideView = field(default_factory=SideView)
    parsed_before: ParsedSchema | None = None
    parsed_after: ParsedSchema | None = None
    patched: dict[str, str | None] = field(default_factory=dict)   # after texts (None: deleted)
    notes: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)   # (diff path, why) never read

    @property
    def complete(self) -> bool:
        return self.tree_before is not None and all(f.rebuild == "tree" for f in self.files)


def qapi_files(patch: Patch) -> list[FileDiff]:
    return [fd for fd in patch.files if is_qapi_file(fd)]


def _placement_notes(res: ApplyResult) -> list[str]:
    notes: list[str] = []
    for p in res.placements:
        if p.method == "offset":
            notes.append(f"hunk {p.hunk + 1} applied at offset {p.offset:+d} lines")
        elif p.method == "whitespace":
            notes.append(f"hunk {p.hunk + 1} matched ignoring whitespace"
                         + (f" at offset {p.offset:+d} lines" if p.offset else ""))
        elif p.method == "fuzz":
            notes.append(f"hunk {p.hunk + 1} applied with fuzz {p.fuzz}"
                         + (f" at offset {p.offset:+d} lines" if p.offset else ""))
    return notes


def hunk_plan(patch: Patch) -> HunkPlan:
    """The scanned windows of all of ``patch``'s QAPI files, for a hunk-only rebuild."""
    return plan(patch, qapi_files(patch))


def series_evidence(patches: list[Patch]) -> SeriesEvidence:
    """What each patch of a series shows, as evidence for the others' hunk-only rebuild
    (read from the patch model one patch at a time)."""
    return _series_evidence(patches, qapi_files)


def rebuild(patch: Patch, tree: str | TreeReader | None = None, base: str | None = None,
            cache: RebuildCache | None = None, overlay: dict[str, str | None] | None = None,
            want_schema: bool = False, hunks: HunkPlan | None = None, evidence: Evidence | None = None) -> Rebuild:
    """Rebuild the touched QAPI files of ``patch``.

    ``overlay`` holds texts earlier patches of a series produced (tree mode);
    ``want_schema`` also loads the whole schema with the frontend's loader
    (``parsed_before``/``parsed_after``).  Without a tree, ``hunks`` is the
    patch's ``hunk_plan`` when it was made already, and ``evidence`` what the
    rest of its series says (``series_evidence(...).for_patch(i)``).
    """
    out = Rebuild()
    files = qapi_files(patch)
    check_size(patch, files)
    # A diff path that is no plain name inside the tree is refused in both
    # modes (git apply refuses it too); its hunks are still reviewed.
    for fd in files:
        for p in (fd.old_path, fd.new_path):
            problem = None if p is None else contain.lexical_problem(p)
            if p is not None and problem is not None and (p, problem) not in out.refused:
                out.refused.append((p, problem))
    if tree is None:
        hp = hunks if hunks is not None else plan(patch, files)
        out.files.extend(FileRebuild(path=fd.path, rebuild="hunks") for fd, _w in hp.files)
        out.notes.extend(build(hp, out.hunk_before, out.hunk_after, evidence))
        return out
    reader = tree if isinstance(tree, TreeReader) else TreeReader(tree, base)
    cache = cache if cache is not None else RebuildCache()
    overlay = dict(overlay or {})
    before_texts = Texts(reader.read_or_refuse, overlay)
    located: list[tuple[str, list[Line], str, list[Line]]] = []
    from_hunks: list[FileDiff] = []
    refused = {p for p, _ in out.refused}
    for fd in files:
        old_path = fd.old_path or fd.path
        why = next((r for p, r in out.refused if p in (fd.old_path, fd.new_path)), None)
        try:
            base_text = None if why else "" if fd.status == "added" else before_texts.get(old_path)
        except contain.PathRefused as e:
            why = e.reason
            out.refused.append((old_path, why))
            refused.add(old_path)
            base_text = None
        if why is not None:
            fr = FileRebuild(path=fd.path, rebuild="hunks",
                             notes=[f"{contain.show(fd.path)} not read from the tree ({why}): rebuilt from its hunks"])
            out.files.append(fr)
            from_hunks.append(fd)
            continue
        if base_text is None:
            fr = FileRebuild(path=fd.path, rebuild="hunks",
                             notes=[f"{old_path} is not in the tree: rebuilt from its hunks"])
            out.files.append(fr)
            from_hunks.append(fd)
            continue
        res = apply_hunks(base_text, fd.hunks, fd.path)
        if res.unplaced:
            fr = FileRebuild(path=fd.path, rebuild="hunks", unplaced_hunks=len(res.unplaced),
                             notes=res.unplaced + ["rebuilt from its hunks instead"])
            out.files.append(fr)
            from_hunks.append(fd)
            continue
        # The patch's line numbers then name lines of the tree as patched (offsets included).
        renumber(res)
        after_text = None if fd.status == "deleted" else text_of(res.after)
        notes = _placement_notes(res)
        if patch.whitespace_collapsed and any(p.method != "exact" for p in res.placements):
            notes.append(WS_NOTE)
        out.files.append(FileRebuild(path=fd.path, rebuild="tree", before_text=base_text,
                                     after_text=after_text, notes=notes,
                                     added_lines={ln.no for ln in res.after if ln.kind == "+"}))
        out.patched[fd.path] = after_text
        if fd.old_path and fd.new_path and fd.old_path != fd.new_path:
            out.patched[fd.old_path] = None
        located.append((old_path, res.before, fd.path, res.after))
    out.notes.extend(build(plan(patch, from_hunks), out.hunk_before, out.hunk_after))
    after_texts = Texts(reader.read_or_refuse, {**overlay, **out.patched})
    touched = [p for p in [fd.path for fd in files] + [fd.old_path for fd in files if fd.old_path]
               if p not in refused]
    roots = roots_for(touched)
    files_b = schema_files(before_texts, roots, cache)
    files_a = schema_files(after_texts, roots, cache)
    for p in touched:
        if p not in files_b and _get(before_texts, p) is not None:
            files_b.append(p)
        if p not in files_a and _get(after_texts, p) is not None:
            files_a.append(p)
    out.tree_before = side_view(before_texts, files_b, cache)
    out.tree_after = side_view(after_texts, files_a, cache)
    for old_path, before_lines, new_path, after_lines in located:
        add_locations(out.tree_before, before_lines, old_path)
        if after_lines:
            add_locations(out.tree_after, after_lines, new_path)
    if want_schema:
        out.parsed_before = _load(before_texts, files_b, cache)
        out.parsed_after = _load(after_texts, files_a, cache)
    return out


def _get(texts: Texts, path: str) -> str | None:
    try:
        return texts.get(path)
    except contain.PathRefused:
        return None


def _load(texts: Texts, files: list[str], cache: RebuildCache) -> ParsedSchema | None:
    if _get(texts, MAIN_ROOT) is None:
        return None
    h = hashlib.sha1()
    for p in files:
        h.update(p.encode() + b"\0" + (_get(texts, p) or "").encode("utf-8", "surrogatepass") + b"\0")
    key = h.hexdigest()
    got = cache.schemas.get(key)
    if got is not None:
        return got
    from qapilint.qapi.loader import load_schema

    def read(path: str) -> str:
        text = texts.get(os.path.normpath(path))
        if text is None:
            raise OSError(2, "No such file or directory", path)
        return text

    try:
        got = load_schema(MAIN_ROOT, read, tree="")
    except InputError:
        return None
    cache.schemas[key] = got
    return got
