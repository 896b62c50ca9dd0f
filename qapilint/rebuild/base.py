"""Which state of a tree a series is checked against, and why: one step for every mode with a tree.

In a git checkout the base is a commit, read from the object store, in this order:

1. a revision the caller chose (``--base REV``; the merge-base of ``--git A..B``;
   ``HEAD`` for the staged change; the bot's choice);
2. the series' ``base-commit:`` when the repository has it;
3. when HEAD already holds the series (it was committed or applied there), the
   commit before it, found by comparing the series' QAPI changes with those of
   the commits HEAD has since its upstream (or its merge-base with the default
   branch; HEAD's newest MAX_CANDIDATES commits when it has none of its own);
4. otherwise the work tree as it is (or, for the bot, which never reads a work
   tree, HEAD as of the patch date, then HEAD).

A directory that is not the top of a git work tree is read as it is.  Patch
k of a series is checked against the base plus patches 1..k-1, applied in
memory by the rebuild.  Every report carries the one note this step writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qapilint.errors import InputError
from qapilint.patch import Patch, Series
from qapilint.rebuild.detect import TreeReader, is_qapi_file
from qapilint.sources.gitrepo import EMPTY_TREE, SHA, GitRepo, run_git
from qapilint.sources.mbox import read_mbox

# How many of HEAD's newest commits are compared with the series at most.
MAX_CANDIDATES = 200
_DEFAULT_BRANCHES = ("refs/remotes/origin/HEAD", "origin/master", "origin/main", "master", "main")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


@dataclass
class Base:
    """The chosen base: ``rev`` None means the work tree (or no git at all)."""

    tree: str
    rev: str | None
    why: str
    repo: GitRepo | None = None

    @property
    def note(self) -> str:
        if self.rev is None:
            return f"base: the work tree of {self.tree}, {self.why}"
        if self.rev == EMPTY_TREE:
            return f"base: the empty tree, {self.why}"
        return f"base: {self.rev[:12]}, {self.why}"

    def reader(self) -> TreeReader:
        return TreeReader(self.tree, self.rev, self.repo)

    def close(self) -> None:
        if self.repo is not None:
            self.repo.close()


def resolve(series: Series, tree: str, *, base: str | None = None, base_why: str | None = None,
            worktree: bool = True, date: str | None = None) -> Base:
    """The base of ``series`` in ``tree`` (see the module doc for the order).

    ``worktree`` False (the bot) never falls back to the work tree: HEAD as
    of ``date`` (patchwork's naive UTC), else HEAD, are used instead.
    """
    repo = GitRepo.at(tree)
    if repo is None:
        if base is not None:
            raise InputError(tree, f"--base {base}: not a git checkout (its top level), so it has no revisions")
        if not worktree:
            raise InputError(tree, "not a git checkout: base trees are read from git objects only")
        return Base(tree, None, "which is not a git checkout")
    try:
        return _in_repo(repo, series, tree, base, base_why, worktree, date)
    except BaseException:
        repo.close()
        raise


def _in_repo(repo: GitRepo, series: Series, tree: str, base: str | None, base_why: str | None,
             worktree: bool, date: str | None) -> Base:
    if base is not None:
        rev = base if base == EMPTY_TREE else repo.commit(base)
        if rev is None:
            raise InputError(tree, f"--base {base}: not a commit of this repository")
        return Base(tree, rev, base_why or f"given by --base {base}", repo)
    named = series_base_commit(series)
    if named is not None and repo.has_commit(named):
        rev = repo.commit(named)
        assert rev is not None
        return Base(tree, rev, "the series' base-commit", repo)
    missing = f"; its base-commit {named[:12]} is not in this repository" if named else ""
    held = held_by_head(repo, series)
    if held is not None:
        rev, n_held, n = held
        how = "which HEAD already holds" if n_held >= n else f"HEAD already holds {n_held} of its {n} patches"
        return Base(tree, rev, f"the commit before the series, {how}", repo)
    if worktree:
        return Base(tree, None, f"as the series names no base this repository has and HEAD does not hold it{missing}",
                    repo)
    if date and _DATE.match(date):
        rev = repo.git("rev-list", "-1", f"--before={date.replace('T', ' ')} +0000", "HEAD")
        if rev:
            return Base(tree, rev, f"HEAD as of the patch date {date}{missing}", repo)
    head = repo.commit("HEAD")
    if head is None:
        raise InputError(tree, "the repository has no commit to check against")
    older = f"; the patch date {date} is older than every commit" if date else ""
    return Base(tree, head, f"the newest commit, as no other revision could be chosen{missing}{older}", repo)


def series_base_commit(series: Series) -> str | None:
    """The base-commit a series names, when it is a plain commit id (a patch is hostile input)."""
    for sha in (series.base_commit, *(p.base_commit for p in series.patches)):
        if sha and SHA.match(sha.lower()):
            return sha.lower()
    return None


Fingerprint = tuple[tuple[str, str, tuple[str, ...]], ...]


def fingerprint(patch: Patch) -> Fingerprint:
    """A patch id of the QAPI part: the changed lines per file, whitespace and line numbers ignored.

    Like ``git patch-id --stable`` but without context lines, so a commit made
    from a mail that was applied with offsets or fuzz, or re-diffed with other
    context, still matches; only the QAPI files count, so a commit that holds
    just those parts of a patch matches too.
    """
    files = []
    for fd in patch.files:
        if not is_qapi_file(fd):
            continue
        lines = tuple(ln.kind + "".join(ln.text.split()) for h in fd.hunks for ln in h.lines if ln.kind != " ")
        if lines or fd.status in ("added", "deleted", "renamed"):
            files.append((fd.old_path or "", fd.new_path or "", lines))
    return tuple(sorted(files))


def own_commits_start(repo: GitRepo, head: str | None = None) -> str | None:
    """Where HEAD's own commits start: its upstream, else its merge-base with the default branch."""
    head = head or repo.commit("HEAD")
    if head is None:
        return None
    for ref in ("@{upstream}", *_DEFAULT_BRANCHES):
        other = repo.commit(ref)
        if other is None:
            continue
        mb = repo.merge_base(head, other)
        # HEAD is that branch (or behind it): it has no commits of its own.
        return mb if mb and mb != head else None
    return None


def _recent(repo: GitRepo) -> str | None:
    """Where HEAD's newest MAX_CANDIDATES first-parent commits start (a root commit has no base)."""
    out = repo.git("rev-list", "--first-parent", f"--max-count={MAX_CANDIDATES + 1}", "HEAD")
    revs = out.split() if out else []
    return revs[-1] if len(revs) > 1 else None


def held_by_head(repo: GitRepo, series: Series) -> tuple[str, int, int] | None:
    """(the commit before the series, how many of its QAPI patches HEAD holds, how many it has)."""
    prints = [fp for fp in (fingerprint(p) for p in series.patches) if fp]
    if not prints:
        return None
    # HEAD on the default branch itself (a series already merged, a detached
    # checkout of one) has no commits of its own: its newest ones are compared.
    since = own_commits_start(repo) or _recent(repo)
    if since is None:
        return None
    paths = sorted({p for fp in prints for f in fp for p in f[:2] if p})
    if any("\0" in p for p in paths):
        return None     # no commit holds such a path, and git cannot be given it
    first = next(p for p in series.patches if fingerprint(p))
    start = _first_candidate(repo, first, since, paths)
    if start is None:
        return None
    try:
        # Literal pathspecs: a path a patch names is never read as pathspec magic.
        out = run_git(repo.top, ["--literal-pathspecs", "format-patch", "--stdout", "--no-color",
                                 "--no-cover-letter", "--no-thread", "--src-prefix=a/", "--dst-prefix=b/",
                                 f"--max-count={MAX_CANDIDATES}", "--end-of-options", f"{start}..HEAD",
                                 "--", *paths], repo.top)
    except InputError:
        return None
    if not out.strip():
        return None
    try:
        commits = read_mbox(out, repo.top).patches
    except InputError:
        return None
    have = [fingerprint(c) for c in commits]
    for j, fp in enumerate(have):
        if fp != prints[0]:
            continue
        parent = repo.parent(commits[j].id) if SHA.match(commits[j].id) else None
        if parent is None:
            return None
        n_held = 1
        while n_held < len(prints) and j + n_held < len(have) and have[j + n_held] == prints[n_held]:
            n_held += 1
        return parent, n_held, len(prints)
    return None


def _needle(patch: Patch) -> str | None:
    """A changed line of the patch whose count in its file the patch surely changes (for ``git log -S``).

    The longest added line that no removed line contains (else the longest
    removed line no added line contains), stripped: a commit made from the
    patch, even with whitespace fixed at the ends, changes how often it occurs.
    """
    for kind, other in (("+", "-"), ("-", "+")):
        mine = {ln.text.strip() for fd in patch.files if is_qapi_file(fd) for h in fd.hunks for ln in h.lines
                if ln.kind == kind}
        theirs = [ln.text for fd in patch.files if is_qapi_file(fd) for h in fd.hunks for ln in h.lines
                  if ln.kind == other]
        usable = [t for t in mine if t and "\0" not in t and not any(t in o for o in theirs)]
        if usable:
            return max(usable, key=lambda t: (len(t), t))
    return None


def _first_candidate(repo: GitRepo, patch: Patch, since: str, paths: list[str]) -> str | None:
    """Where to start reading HEAD's commits for the series: before the oldest that may hold ``patch``.

    Reading and comparing every recent commit's diff costs a few hundred
    milliseconds on a checkout of the default branch; git's pickaxe narrows
    them first to the few that change how often one of the patch's lines
    occurs.  None: no commit can hold it.
    """
    needle = _needle(patch)
    if needle is None:
        return since
    out = repo.git("--literal-pathspecs", "log", "--no-merges", "--format=%H", f"--max-count={MAX_CANDIDATES}",
                   f"-S{needle}", "--end-of-options", f"{since}..HEAD", "--", *paths)
    found = out.split() if out else []
    if not found:
        return None
    return repo.parent(found[-1]) or since
