"""Release-level verdicts as findings, for ``qapilint diff`` and ``qapilint check --against REV``.

Which entries of a comparison become findings:

- a breaking removal that broke the deprecation policy: ``release-removed-undeprecated``
  (never marked deprecated) or ``release-removed-early`` (not deprecated long enough);
- any other breaking change that broke it: ``release-undeclared-break``.  A break is
  *declared* when the schema announced it in advance: the item carried the ``deprecated``
  feature for the required releases, or is ``unstable`` / has an ``x-`` name;
- a breaking change the policy allows: ``release-declared-break`` (a note).

Breaks of items no release had (added and changed again during one development cycle)
are not findings: no released client can depend on them.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from qapilint.changes.model import Change, PatchChanges
from qapilint.checks import release_rules as R
from qapilint.compare import compare_loaded
from qapilint.compare.history import History, release_commits
from qapilint.compare.model import Comparison, Entry, SideInfo, headline
from qapilint.compare.side import Side, load_side
from qapilint.findings import Finding
from qapilint.qapi.exprs import ParsedSchema
from qapilint.rebuild.detect import MAIN_ROOT, TreeReader
from qapilint.sources.gitrepo import GitRepo
from qapilint.versions import Version

_REMOVALS = ("definition", "member", "value", "branch")


def rule_for(e: Entry) -> str | None:
    if not e.breaking or e.unreleased:
        return None
    if e.policy != "violation":
        return R.DECLARED_BREAK.id
    if e.op == "removed" and e.what in _REMOVALS:
        return R.REMOVED_UNDEPRECATED.id if e.deprecated_since is None else R.REMOVED_EARLY.id
    return R.UNDECLARED_BREAK.id


def finding_for(e: Entry, prefix: str = "") -> Finding | None:
    rid = rule_for(e)
    if rid is None:
        return None
    rule = next(r for r in R.RULES if r.id == rid)
    msg = f"{prefix}{headline(e)}; {e.reason}" if e.reason else f"{prefix}{headline(e)}"
    return rule.finding(msg, file=e.file or None, line=e.line, definition=e.definition, item=e.name)


def findings(cmp: Comparison, prefix: str = "") -> list[Finding]:
    out = [f for f in (finding_for(e, prefix) for e in cmp.entries) if f is not None]
    out.sort(key=Finding.sort_key)
    return out


class Against:
    """``check --against REV``: the breaks each patch of a series introduces against release REV.

    A patch's before- and after-states are each compared with REV; what is
    breaking after the patch and was not before is the patch's doing.  So a
    change to API added since REV is no break (no released client has it),
    and breaks already on the branch before the series are not blamed on it.

    Git objects (REV's schema, the releases of the history) are read through
    the pipeline's object reader (``bind``); only when the pipeline has none
    (a tree that is not the top of a checkout) does this open one, and
    ``done`` closes it.
    """

    def __init__(self, reader: TreeReader, rev: str) -> None:
        memo: dict[tuple[str, str | None, str], Side] = {}
        self.tree = reader.root
        self._own: GitRepo | None = None
        self.read: Callable[[str], str | None] = reader.read
        repo = self._repo_of(reader)
        self.release = load_side(rev, self.tree, MAIN_ROOT, memo, repo)
        self.label = self.release.info.describe()
        self.history = History(self.tree, release_commits(self.tree, reader.rev or "HEAD"), MAIN_ROOT, memo, repo)
        self.overlay: dict[str, str | None] = {}
        self._seen: dict[int, tuple[ParsedSchema, Comparison]] = {}

    def _repo_of(self, reader: TreeReader) -> GitRepo:
        if reader.repo is not None:
            return reader.repo
        if self._own is None:
            self._own = GitRepo(self.tree)
        return self._own

    def bind(self, reader: TreeReader) -> None:
        """Check another series: read its base through ``reader``, and git objects through its
        object reader (REV's reader and the history's keep reading, through that one)."""
        repo = self._repo_of(reader)
        self.read = reader.read
        if self.release.reader is not None:
            self.release.reader.repo = repo
        self.history.use(repo)
        self.overlay, self._seen = {}, {}

    def done(self) -> None:
        """The series is checked: close the object reader this opened, if any."""
        if self._own is not None:
            self._own.close()

    def _text(self, path: str, texts: dict[str, str | None]) -> str | None:
        return texts[path] if path in texts else self.read(path)

    def _compare(self, parsed: ParsedSchema, texts: dict[str, str | None], target: Version | None) -> Comparison:
        got = self._seen.get(id(parsed))
        if got is not None and got[0] is parsed:
            return got[1]
        frozen = dict(texts)
        info = SideInfo(label="the patched tree", root=MAIN_ROOT, release=target, released=False)
        side = Side.from_parsed(parsed, info, lambda p: self._text(p, frozen))
        cmp = compare_loaded(self.release, side, self.history)
        self._seen[id(parsed)] = (parsed, cmp)
        return cmp

    def patch(self, pc: PatchChanges, target: Version | None) -> list[Finding]:
        before, after = pc.before.parsed, pc.after.parsed
        texts_before = dict(self.overlay)
        self.overlay.update({f.path: f.after_text for f in pc.files if f.rebuild == "tree"})
        if before is None or after is None or not pc.after.complete:
            return []
        old = {e.ident() for e in self._compare(before, texts_before, target).entries if e.breaking}
        out: list[Finding] = []
        for e in self._compare(after, self.overlay, target).entries:
            if not e.breaking or e.ident() in old:
                continue
            f = finding_for(e, prefix=f"against {self.label}: ")
            if f is None:
                continue
            _place(f, e, pc.changes)
            out.append(f)
        return out


def _place(f: Finding, e: Entry, changes: list[Change]) -> None:
    """Point the finding at the patch's own change of the item (a removal's line is in REV otherwise)."""
    for c in changes:
        if c.definition == e.definition and c.name == e.name and c.file:
            f.file, f.line = c.file, c.line
            f.patch_line = c.patch_lines[0] if c.patch_lines else None
            return
    for c in changes:
        if c.file == e.file and c.line == e.line and c.patch_lines:
            f.patch_line = c.patch_lines[0]
            return
    if e.op == "removed":
        f.notes.append(f"in {e.file}:{e.line} of the release")
        f.file = f.line = None


_AGAINST: dict[tuple[str, str, str | None], Against] = {}


def against(reader: TreeReader, rev: str) -> Against:
    """The release side for REV, loaded once per process (every input of a run shares it),
    reading through ``reader`` (the base of the series being checked)."""
    key = (os.path.abspath(reader.root), rev, reader.rev)
    got = _AGAINST.get(key)
    if got is None:
        got = _AGAINST[key] = Against(reader, rev)
    else:
        got.bind(reader)
    return got
