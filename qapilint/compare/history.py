"""QEMU's deprecation policy, judged from the release history of the tree.

The policy: a feature is marked ``deprecated``, stays working in the release
that first ships the mark and in one more, and only then may be removed (or
changed incompatibly).  Items with the ``unstable`` feature and names with
the ``x-`` prefix are exempt.

Releases are the commits of the tree's history (ancestors of the newer
side) whose ``VERSION`` reads ``X.Y.0``, found with one ``git log`` of that
file.  A release's schema is loaded only when an entry needs it (walking
back from the newest release that still had an item to the first one that
marked it deprecated), once per run, through the same memo as the compared
sides, and parses come from the on-disk parse cache.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from qapilint.changes.items import features_of, parts
from qapilint.compare.model import Entry, ItemKey
from qapilint.compare.side import Side, definitions_of, load_side
from qapilint.definitions import Definition
from qapilint.errors import InputError
from qapilint.qapi.cache import parse_file_cached
from qapilint.qapi.exprs import ParsedSchema
from qapilint.rebuild.detect import TreeReader
from qapilint.sources.gitrepo import GitRepo, git_text
from qapilint.versions import Version, calendar, fmt

GIT_TIMEOUT = 60
MAX_RELEASE_LOADS = 60          # the whole history since 2.0 is about 35 releases
_RELEASE = re.compile(r"(\d+)\.(\d+)\.0")


@dataclass(frozen=True)
class ReleaseCommit:
    version: Version
    commit: str


def release_commits(tree: str, rev: str) -> list[ReleaseCommit]:
    """Releases among the ancestors of ``rev``, oldest first (one ``git log -p -- VERSION``)."""
    out = git_text(tree, "log", "--no-color", "--no-ext-diff", "-p", "-U0", "--format=%x00%H",
                   "--end-of-options", rev, "--", "VERSION", timeout=GIT_TIMEOUT)
    if out is None:
        return []
    found: dict[Version, str] = {}
    for chunk in out.split("\0")[1:]:
        lines = chunk.split("\n")
        commit = lines[0].strip()
        for ln in lines[1:]:
            if ln.startswith("+") and not ln.startswith("+++"):
                m = _RELEASE.fullmatch(ln[1:].strip())
                if m:
                    # Newest first: a version set twice keeps its later commit.
                    found.setdefault((int(m.group(1)), int(m.group(2))), commit)
    return [ReleaseCommit(v, c) for v, c in sorted(found.items())]


@dataclass
class Index:
    """What one release's schema (or one file of it) has, and marks deprecated, by history key."""

    present: set[ItemKey] = field(default_factory=set)
    deprecated: set[ItemKey] = field(default_factory=set)

    @classmethod
    def of(cls, defs: dict[str, Definition]) -> Index:
        ix = cls()
        for name, d in defs.items():
            feats = features_of(d.data)
            if d.meta in ("command", "event"):
                ix.add(("def", name), "deprecated" in feats)
            else:
                ix.add(("type", name), False)
            for kind, items in parts(d.meta, d.data).items():
                for it in items.values():
                    ix.add((kind, name, it.name), "deprecated" in it.features)
        return ix

    def add(self, key: ItemKey, deprecated: bool) -> None:
        self.present.add(key)
        if deprecated:
            self.deprecated.add(key)

    def has_owner(self, key: ItemKey) -> bool:
        return len(key) > 1 and (("def", key[1]) in self.present or ("type", key[1]) in self.present)

    def marks(self, key: ItemKey) -> bool:
        """Marked deprecated itself, or (an argument) through its command or event."""
        return key in self.deprecated or (key[0] == "member" and ("def", key[1]) in self.deprecated)


class History:
    """Release schemas of the tree, read as needed.

    Looking an item up in a release reads, first, only the file that holds
    its definition in the compared schema (one git object and, usually, a
    cached parse); only when the definition is not there does the whole
    release schema get loaded.
    """

    def __init__(self, tree: str | None, releases: list[ReleaseCommit], schema: str,
                 memo: dict[tuple[str, str | None, str], Side], repo: GitRepo | None = None) -> None:
        self.tree = tree
        # The caller's object reader (it closes it); None: each release read opens its own.
        self.repo = repo
        self.by_version = {r.version: r for r in releases}
        self.schema = schema
        self.memo = memo
        self.whole: dict[Version, Index | None] = {}
        self._files: dict[tuple[Version, str], Index | None] = {}
        self._readers: dict[Version, TreeReader] = {}
        self.loaded: list[str] = []
        self.failed: list[str] = []
        self.consulted: set[Version] = set()

    @property
    def available(self) -> bool:
        return bool(self.by_version)

    def use(self, repo: GitRepo) -> None:
        """Read releases through ``repo`` from now on (a later run's reader, the old one closed)."""
        self.repo = repo
        for r in self._readers.values():
            r.repo = repo

    def seed(self, v: Version, side: Side) -> None:
        """``side`` is release ``v``: its index needs no loading."""
        self.whole.setdefault(v, Index.of(side.defs))

    def index(self, v: Version) -> Index | None:
        """The whole schema of release ``v`` (None: not in the history, or unreadable)."""
        if v in self.whole:
            return self.whole[v]
        rc = self.by_version.get(v)
        got: Index | None = None
        if rc is not None and self.tree is not None and len(self.loaded) < MAX_RELEASE_LOADS:
            try:
                side = load_side(rc.commit, self.tree, self.schema, self.memo, self.repo)
            except InputError as e:
                self.failed.append(f"{fmt(v)}: {e.message}")
            else:
                got = Index.of(side.defs)
                self.loaded.append(fmt(v))
        self.whole[v] = got
        return got

    def file_index(self, v: Version, path: str) -> Index | None:
        k = (v, path)
        if k in self._files:
            return self._files[k]
        rc = self.by_version.get(v)
        got: Index | None = None
        if rc is not None and self.tree is not None:
            try:
                reader = self._readers.get(v) or TreeReader(self.tree, rc.commit, repo=self.repo)
            except InputError:
                reader = None
            if reader is not None:
                self._readers[v] = reader
                text = reader.read(path)
                if text is not None:
                    fp = parse_file_cached(text, path)
                    got = Index.of(definitions_of(ParsedSchema(root=path, exprs=fp.parsed.exprs)))
        self._files[k] = got
        return got

    def lookup(self, v: Version, key: ItemKey, path: str | None) -> Index | None:
        """An index of release ``v`` that can answer for ``key`` (its definition's file if that holds it)."""
        self.consulted.add(v)
        whole = self.whole.get(v)
        if whole is not None:
            return whole
        if path:
            fi = self.file_index(v, path)
            if fi is not None and fi.has_owner(key):
                return fi
        return self.index(v)


class Policy:
    """Sets ``deprecated_since`` and ``policy`` on entries of a comparison."""

    def __init__(self, old: Side, new: Side, history: History) -> None:
        self.old, self.new, self.history = old, new, history
        newest = max([x for x in (old.info.release, new.info.release) if x] or [(0, 0)])
        self.cal = [r.version for r in calendar(dt.date.today())]
        while self.cal[-1] < newest:        # a tree from beyond the projected calendar
            self.cal.append((self.cal[-1][0] + 1, 0) if self.cal[-1][1] >= 2 else
                            (self.cal[-1][0], self.cal[-1][1] + 1))
        self.pos = {v: i for i, v in enumerate(self.cal)}

    @staticmethod
    def history_key(e: Entry) -> ItemKey:
        """What must have been released (and deprecated) for a break to count: the item itself,
        or for a new part of something (a mandatory argument, an alternative), that something."""
        if e.op == "added" and e.what in ("member", "branch", "value") and len(e.key) == 3:
            if e.meta in ("command", "event"):
                return ("def", e.key[1])
            return ("type", e.replaces or e.key[1])
        return e.key

    def hint(self, key: ItemKey) -> str | None:
        """The file that holds the definition ``key`` belongs to (old side first)."""
        d = self.old.defs.get(key[1]) if len(key) > 1 else None
        d = d or (self.new.defs.get(key[1]) if len(key) > 1 else None)
        return d.file if d is not None else None

    def prev(self, v: Version) -> Version | None:
        i = self.pos.get(v)
        return self.cal[i - 1] if i else None

    def last_release(self, side: Side) -> Version | None:
        """The newest release whose contents ``side`` has (itself, or the one before its development)."""
        r = side.info.release
        return r if r is None or side.info.released else self.prev(r)

    def between(self) -> list[Version]:
        """Releases after the old side and before the new side's release, oldest first."""
        first, end = self.old.info.release, self.new.info.release
        if first is None or end is None:
            return []
        lo = self.pos.get(first, 0) + (1 if self.old.info.released else 0)
        return [v for v in self.cal[lo:self.pos.get(end, 0)]]

    def run_since(self, key: ItemKey, last: Version | None) -> tuple[Version | None, str]:
        """The first release of the run of releases up to ``last`` that mark ``key`` deprecated.

        Returns (release, state) where state is 'marked', 'open' (marked as far back as the
        history goes: the release is an upper bound), 'unmarked' (``last`` has it without the
        mark), 'absent' (``last`` does not have it) or 'unknown' (no history for ``last``).
        """
        since: Version | None = None
        v = last
        state = "unknown"
        while v is not None:
            ix = self.history.lookup(v, key, self.hint(key))
            if ix is None and v != last:
                state = "open"
            if ix is None or key not in ix.present or not ix.marks(key):
                if v == last:
                    state = "unknown" if ix is None else "absent" if key not in ix.present else "unmarked"
                break
            since, state = v, "marked"
            v = self.prev(v)
        return since, state

    def judge(self, e: Entry) -> None:
        if e.group == "deprecated":
            since = next((v for v in self.between()
                          if (ix := self.history.lookup(v, e.key, self.hint(e.key))) and ix.marks(e.key)),
                         self.new.info.release)
            e.deprecated_since = fmt(since) if since else None
        elif e.deprecated_old or e.breaking:
            since, _state = self.run_since(e.key, self.last_release(self.old))
            e.deprecated_since = fmt(since) if since else None
        if e.exempt:
            e.policy, e.reason = "exempt", "unstable or x- name: exempt from the deprecation policy"
            return
        if not e.breaking:
            e.policy = "ok"
            return
        self.judge_break(e)

    def judge_break(self, e: Entry) -> None:
        verb = "removed" if e.op == "removed" and e.what not in ("if", "feature") else "changed incompatibly"
        brk = self.new.info.release
        if e.op == "removed":
            for v in self.between():
                ix = self.history.lookup(v, e.key, self.hint(e.key))
                if ix is not None and e.key not in ix.present:
                    brk = v
                    break
        last = self.prev(brk) if brk is not None else None
        key = self.history_key(e)
        since, state = self.run_since(key, last) if last is not None else (None, "unknown")
        e.deprecated_since = fmt(since) if since else e.deprecated_since
        when = f" in {fmt(brk)}" if brk else ""
        if state == "unknown":
            if e.deprecated_old:
                e.policy = "ok"
                e.reason = (f"marked deprecated in {self.old.info.label}; the period is not verified "
                            "(no release history)")
            else:
                e.policy, e.reason = "violation", f"{verb}{when} without being marked deprecated"
        elif state == "absent":
            e.policy, e.unreleased = "ok", True
            e.reason = f"not in {fmt(last) if last else 'the last release'}: no released client has it"
        elif since is None:
            e.policy = "violation"
            e.reason = (f"{verb}{when} without having been marked deprecated "
                        f"({fmt(last) if last else 'the last release'} has it unmarked)")
        elif brk is not None and self.pos.get(brk, 0) - self.pos.get(since, 0) >= 2:
            e.policy, e.reason = "ok", f"deprecated since {fmt(since)}, {verb}{when}"
        elif state == "open":
            e.policy = "ok"
            e.reason = (f"deprecated since {fmt(since)} or earlier (older releases are not in the history), "
                        f"{verb}{when}: the period is not verified")
        else:
            nxt = self.cal[self.pos[since] + 1] if self.pos.get(since, len(self.cal)) + 1 < len(self.cal) else None
            e.policy = "violation"
            e.reason = (f"deprecated in {fmt(since)} but {verb}{when}: it must keep working in "
                        f"{fmt(since)} and {fmt(nxt) if nxt else 'the release after'}")


def apply_policy(entries: list[Entry], old: Side, new: Side, history: History) -> None:
    if old.info.released and old.info.release is not None:
        history.seed(old.info.release, old)
    p = Policy(old, new, history)
    for e in entries:
        p.judge(e)
