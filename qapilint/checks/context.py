"""What every review rule gets: the patch, its ChangeSet, the expected release, line indexes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from qapilint.changes.model import Change, Definition, PatchChanges
from qapilint.patch import HunkLine, Patch
from qapilint.versions import Expected


@dataclass
class CheckContext:
    patch: Patch
    changes: PatchChanges
    expected: Expected | None = None
    qapi_paths: set[str] = field(default_factory=set)
    with_tree: bool = False     # checked against a tree (some files may still be rebuilt from hunks)

    @property
    def complete(self) -> bool:
        """True when the whole schema was rebuilt from a tree."""
        return self.changes.after.complete

    @property
    def date(self) -> dt.date | None:
        return self.patch.date.date() if self.patch.date else None

    @cached_property
    def added_lines(self) -> dict[tuple[str, int], HunkLine]:
        """(path, post-image line) -> the '+' line of the patch."""
        return {k: ln for k, ln in self.new_lines.items() if ln.kind == "+"}

    @cached_property
    def new_lines(self) -> dict[tuple[str, int], HunkLine]:
        """(path, post-image line) -> any '+' or context line the patch shows."""
        out: dict[tuple[str, int], HunkLine] = {}
        for f in self.patch.files:
            if f.path not in self.qapi_paths:
                continue
            for h in f.hunks:
                for ln in h.lines:
                    if ln.kind != "-" and ln.new_no is not None:
                        out[(f.path, ln.new_no)] = ln
        return out

    def patch_line(self, path: str, line: int | None) -> int | None:
        if line is None:
            return None
        hl = self.new_lines.get((path, line))
        return hl.patch_line if hl else None

    def is_added(self, path: str, line: int | None) -> bool:
        return line is not None and (path, line) in self.added_lines

    @cached_property
    def moved(self) -> set[str]:
        """Definitions removed and added by the same patch (moved or rewritten, not new)."""
        added = {c.definition for c in self.changes.changes if c.op == "added" and c.what == "definition"}
        removed = {c.definition for c in self.changes.changes if c.op == "removed" and c.what == "definition"}
        return added & removed

    @cached_property
    def new_definitions(self) -> set[str]:
        return {c.definition for c in self.changes.changes
                if c.op == "added" and c.what == "definition" and c.definition not in self.moved}

    def definition_after(self, name: str) -> Definition | None:
        return self.changes.after.definitions.get(name)

    def additions(self, *whats: str) -> list[Change]:
        return [c for c in self.changes.changes if c.op == "added" and c.what in whats]
