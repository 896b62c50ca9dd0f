#!/usr/bin/env python3
"""Regenerate qapilint/data/releases.json from a QEMU git history (facts only: dates).

usage: scripts/gen_releases.py QEMU_GIT_DIR > qapilint/data/releases.json

Reads every commit that touched VERSION: X.Y.0 marks a release, X.Y.90 the
first release candidate (hard freeze) of the next release.  Where a
repository lacks the rc0 commit, rc0 is taken as rc1 minus seven days (QEMU
tags release candidates weekly).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys


def main() -> int:
    repo = sys.argv[1]
    log = subprocess.run(["git", "-C", repo, "log", "--format=%H %cs", "--", "VERSION"],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    releases: dict[tuple[int, int], str] = {}
    rcs: dict[tuple[int, int, int], str] = {}
    for line in log:
        if not line.strip():
            continue
        sha, date = line.split()
        text = subprocess.run(["git", "-C", repo, "show", f"{sha}:VERSION"],
                              capture_output=True, text=True).stdout.strip()
        try:
            a, b, c = (int(x) for x in text.split("."))
        except ValueError:
            continue
        if c == 0:
            releases[(a, b)] = min(date, releases.get((a, b), date))
        elif c >= 90:
            rcs[(a, b, c)] = min(date, rcs.get((a, b, c), date))
    out = []
    ordered = sorted(releases)
    for prev, cur in zip(ordered, ordered[1:], strict=False):
        rc0 = rcs.get((*prev, 90))
        if rc0 is None and (*prev, 91) in rcs:
            rc0 = (dt.date.fromisoformat(rcs[(*prev, 91)]) - dt.timedelta(days=7)).isoformat()
        if cur[0] < 2:
            continue
        out.append({"version": f"{cur[0]}.{cur[1]}", "release": releases[cur], "rc0": rc0})
    json.dump({"source": "VERSION history of QEMU's git repository",
               "releases": out}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
