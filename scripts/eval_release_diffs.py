#!/usr/bin/env python3
"""Evaluate ``qapilint diff`` over consecutive QEMU releases: changes by kind, breaks, removals.

usage: scripts/eval_release_diffs.py [TREE] [--from 9.0] [--sample N --seed S]

TREE is a clone of the qapi history bundle (default /tmp/qemu-qapi).  For
each pair of consecutive releases from --from on, prints the number of
changes by group and by kind (op what), every breaking change, and every
removal with its deprecation-policy verdict.  --sample N prints N entries
drawn at random (reproducible with --seed) with their file:line, for
reading against the schema text by hand.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter

from qapilint.compare import Entry, compare
from qapilint.compare.history import release_commits
from qapilint.compare.model import headline


def _line(e: Entry) -> str:
    pol = f"policy {e.policy}" + (f", deprecated since {e.deprecated_since}" if e.deprecated_since else "")
    return f"{headline(e)} [{'breaking, ' if e.breaking else ''}{pol}] ({e.file}:{e.line})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tree", nargs="?", default="/tmp/qemu-qapi")
    ap.add_argument("--from", dest="start", default="9.0")
    ap.add_argument("--sample", type=int, default=0)
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    start = tuple(int(x) for x in args.start.split("."))
    rels = [r for r in release_commits(args.tree, "HEAD") if r.version >= start]
    if len(rels) < 2:
        print(f"eval: fewer than two releases from {args.start} in {args.tree}", file=sys.stderr)
        return 2
    everything: list[tuple[str, Entry]] = []
    totals: Counter[str] = Counter()
    for a, b in zip(rels, rels[1:], strict=False):
        label = f"{a.version[0]}.{a.version[1]} -> {b.version[0]}.{b.version[1]}"
        cmp = compare(a.commit, b.commit, tree=args.tree)
        c = cmp.counts()
        totals.update(c)
        print(f"== {label}: {c['new']} new, {c['changed']} changed, {c['deprecated']} deprecated, "
              f"{c['removed']} removed; {c['breaking']} breaking, {c['violation']} policy violations, "
              f"{c['exempt']} exempt (releases consulted: {', '.join(cmp.releases_read) or 'none'})")
        kinds = Counter(f"{e.op} {e.what}" for e in cmp.entries)
        print("   by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        for e in cmp.entries:
            if e.breaking:
                print(f"   BREAKING {_line(e)}")
        for e in cmp.entries:
            if e.group == "removed" and not e.breaking:
                print(f"   removed (not breaking) {_line(e)}")
        everything += [(label, e) for e in cmp.entries]
    print(f"== total: {dict(totals)}")
    if args.sample:
        rng = random.Random(args.seed)
        print(f"== sample of {args.sample} entries (seed {args.seed}):")
        for i, (label, e) in enumerate(rng.sample(everything, min(args.sample, len(everything))), 1):
            print(f"{i:3}. {label}: {_line(e)}; directions {sorted(e.directions)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
