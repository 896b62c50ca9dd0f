"""A git revision range of a work tree -> Series, via ``git format-patch --stdout``."""

from __future__ import annotations

from pathlib import Path

from qapilint.errors import InputError
from qapilint.patch import Series
from qapilint.sources.gitrepo import EMPTY_TREE, GIT_TIMEOUT, GitRepo, run_git
from qapilint.sources.mbox import read_mbox

__all__ = ["GIT_TIMEOUT", "load_git_range", "range_base"]

# The user's format.* and diff.* settings must not change what is read: prefixes,
# numbering and a cover letter are fixed here.
_FORMAT_PATCH = ["format-patch", "--stdout", "--no-color", "--numbered", "--no-cover-letter", "--no-thread",
                 "--src-prefix=a/", "--dst-prefix=b/", "--no-signature"]


def load_git_range(tree: str, rev_range: str) -> Series:
    """The commits of ``rev_range`` (e.g. 'origin/master..HEAD') in ``tree`` as a Series.

    ``series.base_commit`` is where the range starts: the merge-base of
    'A..B', else the parent of its first commit (the empty tree for a root).
    """
    where = f"{tree}:{rev_range}"
    if not rev_range or rev_range.startswith("-") or any(c in rev_range for c in "\n\r\0"):
        raise InputError(where, "git range: must be a revision range such as 'origin/master..HEAD'")
    if not Path(tree).is_dir():
        raise InputError(where, "git range: the tree is not a directory")
    if run_git(tree, ["rev-parse", "--is-inside-work-tree"], where).strip() != b"true":
        raise InputError(where, "git range: not inside a git work tree")
    # --end-of-options keeps a range that looks like an option from being read as one.
    out = run_git(tree, [*_FORMAT_PATCH, "--end-of-options", rev_range], where)
    if not out.strip():
        raise InputError(where, "git range: no commits in range")
    series = read_mbox(out, where)
    series.base_commit = range_base(tree, rev_range, series.patches[0].id if series.patches else None)
    for p in series.patches:
        p.base_commit = p.base_commit or series.base_commit
    return series


def range_base(tree: str, rev_range: str, first: str | None) -> str | None:
    """The merge-base of 'A..B'; otherwise the parent of the range's first commit."""
    repo = GitRepo(tree)
    if ".." in rev_range and "..." not in rev_range:
        left, right = rev_range.split("..", 1)
        base = repo.merge_base(left or "HEAD", right or "HEAD")
        if base:
            return base
    if first is None or repo.commit(first) is None:
        return None
    return repo.parent(first) or EMPTY_TREE
