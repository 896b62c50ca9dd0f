"""Patches per second for ``changes``: hunk-only, and against a tree at each series' base.

usage: python benchmarks/bench_changes.py [--corpus DIR] [--bundle FILE] [--limit N] [--disagreements]

Reads the evaluation corpus (../shared/data/corpus, never copied into the
repo).  Tree mode reads base files with ``git show BASE:path`` from a clone
of the qapi history bundle; patches of one series are applied in order, and
parsed base files are reused across patches with the same base (the cache
hit rate is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

from qapilint.changes.differ import changes_for_patch
from qapilint.changes.model import PatchChanges
from qapilint.errors import InputError
from qapilint.patch import Patch
from qapilint.rebuild import RebuildCache, TreeReader
from qapilint.sources import load

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "..", "..", "shared", "data", "corpus")


def keys(pc: PatchChanges) -> set[tuple[str, str, str, str | None]]:
    return {(c.op, c.what, c.definition, c.name) for c in pc.changes if c.op in ("added", "removed")}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--bundle")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--disagreements", action="store_true", help="list hunk-only vs tree differences")
    a = ap.parse_args()
    labels_path = os.path.join(a.corpus, "labels.json")
    if not os.path.exists(labels_path):
        print(f"corpus not found at {a.corpus}", file=sys.stderr)
        return 2
    with open(labels_path) as f:
        recs = json.load(f)["patches"][: a.limit]
    patches: list[tuple[dict[str, object], Patch]] = []
    for r in recs:
        try:
            s = load(os.path.join(a.corpus, "patchwork", f"{r['id']}.json"))
        except InputError:
            continue
        patches.extend((r, p) for p in s.patches[:1])

    t = time.perf_counter()
    hunk_results = [changes_for_patch(p) for _r, p in patches]
    dt = time.perf_counter() - t
    print(f"hunk-only: {len(patches)} patches in {dt:.2f} s = {len(patches) / dt:.0f} patches/s")

    bundle = a.bundle or os.path.join(a.corpus, "..", "qemu-qapi-history.bundle")
    if not os.path.exists(bundle):
        print("bundle not found: tree mode skipped")
        return 0
    repo = os.path.join(tempfile.mkdtemp(prefix="bench-changes-"), "repo")
    subprocess.run(["git", "clone", "-q", bundle, repo], check=True)
    by_series: dict[str, list[int]] = defaultdict(list)
    for i, (r, _p) in enumerate(patches):
        by_series[str(r["series"])].append(i)
    cache = RebuildCache()
    readers: dict[str, TreeReader] = {}
    tree_results: dict[int, PatchChanges] = {}
    placed = files = 0
    t = time.perf_counter()
    for idxs in by_series.values():
        idxs.sort(key=lambda i: int(str(patches[i][0].get("patch") or "1/1").split("/")[0]))
        base = str(patches[idxs[0]][0].get("base_commit") or "")
        if not base:
            continue
        reader = readers.get(base) or readers.setdefault(base, TreeReader(repo, base))
        overlay: dict[str, str | None] = {}
        from qapilint.changes.differ import _for_patch
        for i in idxs:
            pc, rb = _for_patch(patches[i][1], reader, None, cache, overlay, False)
            overlay.update(rb.patched)
            tree_results[i] = pc
            for fr in pc.files:
                files += 1
                placed += fr.unplaced_hunks == 0 and fr.rebuild == "tree"
    dt = time.perf_counter() - t
    n = len(tree_results)
    print(f"tree: {n} patches in {dt:.2f} s = {n / dt:.1f} patches/s "
          f"(parsed-file cache: {cache.hits} hits, {cache.misses} misses)")
    agree = total = 0
    for i, pc in tree_results.items():
        kh, kt = keys(hunk_results[i]), keys(pc)
        total += len(kh | kt)
        agree += len(kh & kt)
        if a.disagreements and kh != kt:
            print(f"  {pc.patch_id}: hunk-only only {sorted(kh - kt, key=str)}; tree only {sorted(kt - kh, key=str)}")
    print(f"files applied to the tree {placed}/{files}; hunk-only vs tree agreement {agree}/{total} "
          f"({100 * agree / max(total, 1):.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
