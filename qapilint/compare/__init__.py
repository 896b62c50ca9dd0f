"""Release-level comparison: what QMP clients see change between two whole schemas.

``compare(OLD, NEW, tree=...)`` loads both schemas (a git revision of the
tree, read from git objects, or a directory holding a schema), compares
them as introspection shows them (:mod:`.walk`), and judges every change
against QEMU's deprecation policy with the tree's release history
(:mod:`.history`).  The result is a :class:`~.model.Comparison` of
:class:`~.model.Entry` objects; rendering is the reports room's
(:mod:`qapilint.reports.changelog`), verdicts as findings the checks room's
(:mod:`qapilint.checks.release`).
"""

from __future__ import annotations

import os

from qapilint.collector import paused
from qapilint.compare.history import History, apply_policy, release_commits
from qapilint.compare.model import Comparison, Entry
from qapilint.compare.side import Side, load_side
from qapilint.compare.walk import compare_sides
from qapilint.rebuild.detect import MAIN_ROOT
from qapilint.sources.gitrepo import GitRepo

__all__ = ["Comparison", "Entry", "Side", "compare", "compare_loaded", "history_for", "load_side"]

Memo = dict[tuple[str, str | None, str], Side]
_GROUPS = {"new": 0, "changed": 1, "deprecated": 2, "removed": 3}


def history_for(tree: str | None, new: Side, schema: str, memo: Memo, repo: GitRepo | None = None) -> History:
    """The releases of the tree's history up to the new side (its revision, else the tree's HEAD)."""
    if tree is None or not os.path.isdir(tree):
        return History(None, [], schema, memo)
    rev = new.info.commit or "HEAD"
    return History(tree, release_commits(tree, rev), schema, memo, repo)


def compare_loaded(old: Side, new: Side, history: History) -> Comparison:
    entries = compare_sides(old, new)
    apply_policy(entries, old, new, history)
    entries.sort(key=lambda e: (_GROUPS[e.group], e.file, e.line or 0, e.definition, e.name or ""))
    consulted = sorted(v for v in history.consulted if v in history.by_version)
    out = Comparison(old.info, new.info, entries, releases_read=[f"{a}.{b}" for a, b in consulted])
    for s in (old, new):
        out.notes.extend(f"{s.info.label}: {r}" for r in s.info.refused)
        if s.info.errors:
            out.notes.append(f"{s.info.label}: {s.info.errors} schema error(s) while loading (not doc "
                             "comments); compared what could be read")
    if old.info.release and new.info.release and old.info.release > new.info.release:
        out.notes.append(f"{old.info.label} is a later release than {new.info.label}: the changes read backwards")
    if not history.available:
        out.notes.append("no release history read (--no-history, or no git tree with releases): "
                         "deprecation periods are not verified")
    out.notes.extend(f"release {x}: could not be read" for x in history.failed)
    return out


def compare(old_spec: str, new_spec: str, tree: str | None = None, schema: str = MAIN_ROOT,
            history: bool = True) -> Comparison:
    """Compare the schema rooted at ``schema`` in ``old_spec`` and ``new_spec``.

    Each spec is a directory holding the schema or a revision of ``tree``.
    Raises :class:`qapilint.errors.InputError` when one cannot be loaded.
    """
    # Two whole schemas and their definitions are many long-lived objects and no garbage
    # cycles: the cyclic collector would only rescan them (a third of the run).
    with paused():
        return _compare(old_spec, new_spec, tree, schema, history)


def _compare(old_spec: str, new_spec: str, tree: str | None, schema: str, history: bool) -> Comparison:
    memo: Memo = {}
    # One object reader (one 'git cat-file --batch') for both sides and every release read.
    repo = GitRepo(tree) if tree is not None and os.path.isdir(tree) else None
    try:
        old = load_side(old_spec, tree, schema, memo, repo)
        new = load_side(new_spec, tree, schema, memo, repo)
        hist = history_for(tree, new, schema, memo, repo) if history else History(None, [], schema, memo)
        return compare_loaded(old, new, hist)
    finally:
        if repo is not None:
            repo.close()
