"""``check`` inputs read from a git checkout: ``--git RANGE``, ``--staged`` and ``--pre-push``.

Each gives a Series and the base it is checked against (with the reason the
report's base note gives): the merge-base of a range, ``HEAD`` for the
staged change.  The base is always read from git objects.
"""

from __future__ import annotations

import dataclasses
import os

from qapilint.errors import InputError
from qapilint.patch import Series
from qapilint.pipeline import CheckOptions
from qapilint.sources.gitrepo import EMPTY_TREE, GitRepo, run_git, toplevel

_ZERO = "0" * 40


def checkout(tree: str | None, where: str) -> GitRepo:
    """The repository of ``tree`` (default: the current directory), at its top level."""
    d = tree or os.getcwd()
    top = toplevel(d)
    if top is None:
        raise InputError(where, f"{d} is not in a git checkout")
    return GitRepo(top)


def range_input(tree: str | None, rev_range: str, options: CheckOptions) -> tuple[Series, CheckOptions]:
    """The commits of RANGE, checked against where the range starts plus the earlier commits."""
    from qapilint import sources

    repo = checkout(tree, f"git:{rev_range}")
    series = sources.load_git_range(repo.top, rev_range)
    if options.base is not None or series.base_commit is None:
        return series, dataclasses.replace(options, tree=repo.top)
    if ".." in rev_range and "..." not in rev_range:
        why = f"the merge-base of {rev_range}, where its commits start"
    elif series.base_commit == EMPTY_TREE:
        why = f"as the first commit of {rev_range} has no parent"
    else:
        why = f"the parent of the first commit of {rev_range}"
    return series, dataclasses.replace(options, tree=repo.top, base=series.base_commit, base_reason=why)


def staged_input(tree: str | None, options: CheckOptions) -> tuple[Series, CheckOptions]:
    """What ``git diff --cached`` shows, checked against HEAD (the empty tree before the first commit)."""
    from qapilint import sources

    where = "<staged>"
    repo = checkout(tree, where)
    # Fixed prefixes and no external diff or textconv: the user's diff settings
    # must not change what is read.
    diff = run_git(repo.top, ["diff", "--cached", "--no-color", "--no-ext-diff", "--no-textconv",
                              "--src-prefix=a/", "--dst-prefix=b/"], where)
    head = repo.commit("HEAD")
    base, why = (head, "HEAD, which the staged change is made against") if head else (
        EMPTY_TREE, "as nothing is committed yet")
    opts = dataclasses.replace(options, tree=repo.top, base=options.base or base,
                               base_reason=None if options.base else why)
    if not diff.strip():
        return Series(source=where), opts
    series = sources.load_bytes(diff, where, input_format="diff")
    for p in series.patches:
        p.subject = p.title = "staged changes"
    return series, opts


def pre_push_range(tree: str | None, env: dict[str, str]) -> str | None:
    """The range a push sends, from pre-commit's PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF.

    A new branch (no from-ref, or the all-zero id git uses for "nothing
    there") starts at its upstream, else at its merge-base with the default
    branch; None when neither exists.  The refs are resolved to commit ids
    before they go into the range, so nothing in them reaches git as syntax.
    """
    from qapilint.rebuild.base import own_commits_start

    repo = checkout(tree, "pre-push")
    to_ref = env.get("PRE_COMMIT_TO_REF") or "HEAD"
    to = repo.commit(to_ref)
    if to is None:
        raise InputError("pre-push", f"PRE_COMMIT_TO_REF {to_ref!r} is not a commit")
    from_ref = env.get("PRE_COMMIT_FROM_REF") or ""
    # pre-commit gives a commit id, or 'ID^' for a branch the remote does not have yet.
    start = repo.commit(from_ref) if from_ref.rstrip("^") and from_ref.rstrip("^") != _ZERO else None
    if start is None:
        start = own_commits_start(repo, to)
    if start is None:
        return None
    return f"{start}..{to}"

