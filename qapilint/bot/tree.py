"""The QEMU checkout revision a patch is checked against (``--tree``).

The bot runs unattended next to a checkout it does not own: it reads base
trees from git objects only, never from the work tree.  The choice is the
one base-resolution step every mode uses (``rebuild.base.resolve``) with
the bot's fallbacks: the series' base-commit when the tree has it, the
commit before the series when HEAD already holds it, HEAD as of the patch
date, and else the newest commit of the checked-out branch, saying so.
"""

from __future__ import annotations

from qapilint.patch import Series
from qapilint.rebuild.base import resolve
from qapilint.sources.gitrepo import GitRepo


def has_commit(tree: str, sha: str) -> bool:
    return GitRepo(tree).has_commit(sha)


def resolve_base(tree: str, base_commit: str | None, date: str | None,
                 series: Series | None = None) -> tuple[str | None, str]:
    """(revision, how it was chosen).  ``base_commit`` and ``date`` come from the patch: hostile.

    Raises InputError when ``tree`` is not a git checkout or has no commit.
    """
    patches = series.patches if series is not None else []
    base = resolve(Series(patches=patches, base_commit=base_commit), tree, worktree=False, date=date)
    base.close()
    return base.rev, base.why
