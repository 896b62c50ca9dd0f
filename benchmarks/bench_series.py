"""Hunk-only ChangeSets of whole series against tree mode, with and without series evidence.

usage: python benchmarks/bench_series.py [--corpus DIR] [--bundle FILE] [--limit N] [-v]

For every series of the evaluation corpus (../shared/data/corpus, never
copied into the repo) this writes an mbox of its patches in k/n order to a
temp dir and reads it the way ``qapilint changes SERIES.mbox`` does
(``sources.load`` then ``changes_for_series``), three times:

* tree mode: the qapi history bundle checked out at the series' base commit
  (earlier patches applied in memory): the reference;
* hunk-only, each patch alone (``series_evidence=False``);
* hunk-only with the series as evidence (the default).

It prints, for both hunk-only runs, agreement with tree mode on the
added/removed keys (op, what, definition, name) of each patch, precision,
named precision (claims whose definition is named), and region names: the
named hunk-only definitions whose seen lines all lie in the tree definition
of that name (a definition with any line in another one is a wrong name).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field

from qapilint.changes.differ import changes_for_series
from qapilint.changes.model import Definition, PatchChanges
from qapilint.errors import InputError
from qapilint.patch import Series
from qapilint.rebuild import RebuildCache, TreeReader
from qapilint.rebuild.scan import Line, scan
from qapilint.sources import load

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "..", "..", "shared", "data", "corpus")
Key = tuple[str, str, str, str | None]


def keys(pc: PatchChanges) -> set[Key]:
    return {(c.op, c.what, c.definition, c.name) for c in pc.changes if c.op in ("added", "removed")}


def _patch_no(r: dict[str, object]) -> int:
    return int(str(r.get("patch") or "1/1").split("/")[0])


def owners(text: str) -> dict[int, str]:
    """File line -> the definition whose doc block or expression holds it."""
    lines = [Line(t, i + 1) for i, t in enumerate(text.split("\n"))]
    out: dict[int, str] = {}
    sc = scan(lines)
    for e in sc.exprs:
        if not e.name:
            continue
        first = e.doc.start if e.doc is not None else e.root.line
        for i in range(first, e.root.end + 1):
            out[lines[i].no] = e.name
    return out


@dataclass
class Score:
    agree: int = 0
    either: int = 0
    claims: int = 0
    named: int = 0
    named_ok: int = 0
    defs_named: int = 0
    defs_wrong: int = 0
    defs_anon: int = 0
    wrong: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)

    def add(self, pid: str, hunk: PatchChanges, tree: PatchChanges,
            truth: dict[tuple[str, str], dict[int, str]]) -> None:
        kh, kt = keys(hunk), keys(tree)
        self.agree += len(kh & kt)
        self.either += len(kh | kt)
        self.claims += len(kh)
        named = {k for k in kh if not k[2].startswith("?")}
        self.named += len(named)
        self.named_ok += len(named & kt)
        for k in sorted(kh - kt, key=str):
            self.diffs.append(f"{pid} hunk-only claim not in tree: {' '.join(str(x) for x in k)}")
        for k in sorted(kt - kh, key=str):
            self.diffs.append(f"{pid} tree change missed by hunk-only: {' '.join(str(x) for x in k)}")
        for side, state in (("-", hunk.before), ("+", hunk.after)):
            for d in state.definitions.values():
                self._region(pid, side, d, truth)

    def _region(self, pid: str, side: str, d: Definition, truth: dict[tuple[str, str], dict[int, str]]) -> None:
        own = truth.get((side, d.file))
        if own is None or not d.seen_lines:
            return
        if d.name.startswith("?"):
            self.defs_anon += 1
            return
        self.defs_named += 1
        others = sorted({own[n] for n in d.seen_lines if n in own and own[n] != d.name})
        if others:
            self.defs_wrong += 1
            self.wrong.append(f"{pid} {side} {d.file}: named {d.name}, lines of {', '.join(others)}")

    def summary(self, label: str) -> str:
        pct = lambda a, b: f"{100 * a / max(b, 1):.1f}%"  # noqa: E731
        return (f"{label}: agreement {self.agree}/{self.either} ({pct(self.agree, self.either)}), "
                f"precision {self.agree}/{self.claims} ({pct(self.agree, self.claims)}), "
                f"named precision {self.named_ok}/{self.named} ({pct(self.named_ok, self.named)}), "
                f"region names wrong {self.defs_wrong}/{self.defs_named} named definitions "
                f"({self.defs_anon} left unnamed)")


def truth_of(tree: PatchChanges) -> dict[tuple[str, str], dict[int, str]]:
    out: dict[tuple[str, str], dict[int, str]] = {}
    for f in tree.files:
        if f.rebuild != "tree":
            continue
        if f.before_text is not None:
            out[("-", f.path)] = owners(f.before_text)
        if f.after_text is not None:
            out[("+", f.path)] = owners(f.after_text)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--bundle")
    ap.add_argument("--limit", type=int, help="only the first N series")
    ap.add_argument("-v", action="store_true",
                    help="list wrong region names and the key differences series evidence makes")
    ap.add_argument("--diffs", action="store_true", help="list every key difference of each patch alone")
    a = ap.parse_args()
    labels_path = os.path.join(a.corpus, "labels.json")
    bundle = a.bundle or os.path.join(a.corpus, "..", "qemu-qapi-history.bundle")
    if not os.path.exists(labels_path) or not os.path.exists(bundle):
        print(f"corpus or bundle not found at {a.corpus}", file=sys.stderr)
        return 2
    with open(labels_path) as f:
        recs = json.load(f)["patches"]
    by_series: dict[str, list[dict[str, object]]] = defaultdict(list)
    for r in recs:
        by_series[str(r["series"])].append(r)
    work = tempfile.mkdtemp(prefix="bench-series-")
    repo = os.path.join(work, "repo")
    subprocess.run(["git", "clone", "-q", bundle, repo], check=True)
    has_evidence = "series_evidence" in inspect.signature(changes_for_series).parameters
    alone, with_series = Score(), Score()
    cache = RebuildCache()
    readers: dict[str, TreeReader] = {}
    t_alone = t_series = 0.0
    n_patches = n_series = 0
    for sid, rs in list(by_series.items())[: a.limit]:
        rs.sort(key=_patch_no)
        base = str(rs[0].get("base_commit") or "")
        if not base:
            continue
        path = os.path.join(work, f"series-{n_series}.mbox")
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as out:
            for r in rs:
                with open(os.path.join(a.corpus, "mbox", f"{r['id']}.mbox"), encoding="utf-8",
                          errors="surrogateescape") as f:
                    out.write(f.read())
        try:
            series: Series = load(path)
        except InputError as e:
            print(f"{sid}: {e}", file=sys.stderr)
            continue
        n_series += 1
        n = len(series.patches)
        reader = readers.get(base) or readers.setdefault(base, TreeReader(repo, base))
        tree = changes_for_series(series, reader, cache=cache)[:n]
        t = time.perf_counter()
        one = (changes_for_series(series, series_evidence=False) if has_evidence  # type: ignore[call-arg]
               else changes_for_series(series))[:n]
        t_alone += time.perf_counter() - t
        t = time.perf_counter()
        both = changes_for_series(series)[:n]
        t_series += time.perf_counter() - t
        ids = [str(r["id"]) for r in rs] if len(rs) == n else [p.id for p in series.patches]
        for pid, tr, h1, h2 in zip(ids, tree, one, both, strict=True):
            truth = truth_of(tr)
            alone.add(pid, h1, tr, truth)
            with_series.add(pid, h2, tr, truth)
            n_patches += 1
    print(f"{n_series} series, {n_patches} patches; hunk-only {t_alone:.2f} s alone, "
          f"{t_series:.2f} s with series evidence")
    print(alone.summary("each patch alone"))
    print(with_series.summary("with series evidence" if has_evidence else "with series evidence (n/a)"))
    if a.v:
        for label, sc in (("alone", alone), ("series", with_series)):
            for w in sc.wrong:
                print(f"[{label}] wrong region name: {w}")
        for d in sorted(set(alone.diffs) ^ set(with_series.diffs)):
            print(f"[{'alone' if d in alone.diffs else 'series'} only] {d}")
    if a.diffs:
        for d in alone.diffs:
            print(f"[alone] {d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
