#!/usr/bin/env python3
"""Evaluate report fingerprints and SARIF locations over a corpus of patches (issue 13).

usage: eval_reports.py fingerprints --corpus DIR [-j N] [--per-patch]
       eval_reports.py fix --corpus DIR [--bundle B] [-j N] [-v]

Runs ``qapilint check --format sarif`` and ``--format gitlab`` on every
``DIR/patchwork/*.json`` as one report (one invocation), and with
``--per-patch`` once per patch as well, and prints: results, distinct
fingerprints (they must be equal: a fingerprint is unique within a report),
and SARIF results without a location (must be 0).

``fix`` takes every corpus patch with a labelled version defect, builds its
base tree like corpus_eval.py (the bundle at ``base_commit`` plus the earlier
patches of its series, qapi/ and VERSION only), commits it, commits the patch
on top (``git am --include``), then runs ``check --git HEAD~1..HEAD --base
HEAD~1``: once for the findings, once with ``--diff`` (which must apply with
``git apply --check`` on that tree), once with ``--fix``; amends the commit
and checks again.  It counts fixes offered/applied, labelled defects whose
finding had an applied fix and is gone afterwards, findings that are new
afterwards (by rule, file, definition, item and message), and whether
``qapilint schema`` still accepts the tree.

Uses the ``qapilint`` on PATH.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def _run(args: list[str]) -> Any:
    p = subprocess.run(["qapilint", "check", *args], capture_output=True, text=True, timeout=3600)
    if p.returncode not in (0, 1, 2) or "Traceback" in p.stderr:
        raise SystemExit(f"qapilint failed ({p.returncode}): {p.stderr[-2000:]}")
    return json.loads(p.stdout)


def _sarif_counts(doc: Any) -> tuple[int, int, int]:
    results = [r for run in doc["runs"] for r in run["results"]]
    prints = {json.dumps(r.get("partialFingerprints"), sort_keys=True) for r in results}
    unlocated = sum(1 for r in results if not r.get("locations"))
    return len(results), len(prints), unlocated


def _gitlab_counts(doc: Any) -> tuple[int, int]:
    return len(doc), len({it["fingerprint"] for it in doc})


def fingerprints(corpus: Path, jobs: int, per_patch: bool) -> None:
    inputs = sorted(str(p) for p in (corpus / "patchwork").glob("*.json"))
    n, d, u = _sarif_counts(_run(["-j", str(jobs), "--format", "sarif", *inputs]))
    print(f"one report of {len(inputs)} patches: SARIF results {n}, distinct fingerprints {d}, "
          f"results without a location {u}")
    gn, gd = _gitlab_counts(_run(["-j", str(jobs), "--format", "gitlab", *inputs]))
    print(f"one report of {len(inputs)} patches: GitLab issues {gn}, distinct fingerprints {gd}")
    if not per_patch:
        return

    def one(path: str) -> tuple[int, int, int, int, int]:
        s = _sarif_counts(_run(["--format", "sarif", path]))
        g = _gitlab_counts(_run(["--format", "gitlab", path]))
        return (*s, *g)

    with cf.ThreadPoolExecutor(jobs) as ex:
        rows = list(ex.map(one, inputs))
    tot = [sum(col) for col in zip(*rows, strict=True)]
    dup = sum(1 for r in rows if r[0] != r[1] or r[3] != r[4])
    print(f"per patch ({len(rows)} reports): SARIF results {tot[0]}, distinct per report {tot[1]}, "
          f"without a location {tot[2]}; GitLab issues {tot[3]}, distinct per report {tot[4]}; "
          f"reports with a shared fingerprint {dup}")


VERSION_TYPES = {"since-version-mismatch", "missing-member-since", "missing-since-section",
                 "malformed-since-section", "since-version-format"}
GIT_ENV = {"GIT_AUTHOR_NAME": "Eval", "GIT_AUTHOR_EMAIL": "eval@example.org", "GIT_COMMITTER_NAME": "Eval",
           "GIT_COMMITTER_EMAIL": "eval@example.org"}


def _git(repo: str, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    import os

    return subprocess.run(["git", "-C", repo, *args], input=stdin, capture_output=True, timeout=300,
                          env={**os.environ, **GIT_ENV})


def _near(f: dict[str, Any], d: dict[str, Any]) -> bool:
    if not (d.get("file") and f.get("file")):
        return False
    if not str(f["file"]).endswith(d["file"]) and not d["file"].endswith(str(f["file"])):
        return False
    return not (d.get("line") and f.get("line")) or abs(int(f["line"]) - int(d["line"])) <= 2


def _key(f: dict[str, Any]) -> tuple[str, ...]:
    import re

    msg = re.sub(r"\b(lines?)\s+\d+", r"\1 N", f["message"])
    return (f["rule"], f.get("file") or "", f.get("definition") or "", f.get("item") or "", msg)


class _Trees:
    def __init__(self, bundle: str, corpus: Path, labels: list[dict[str, Any]], tmp: str) -> None:
        self.corpus, self.tmp = corpus, tmp
        self.repo = f"{tmp}/history"
        subprocess.run(["git", "clone", "-q", bundle, self.repo], check=True)
        self.by_series: dict[str, list[dict[str, Any]]] = {}
        for r in labels:
            self.by_series.setdefault(r["series"], []).append(r)

    def make(self, rec: dict[str, Any]) -> str | None:
        import tempfile

        if not rec.get("base_commit"):
            return None
        d = tempfile.mkdtemp(dir=self.tmp)
        a = _git(self.repo, "archive", rec["base_commit"], "qapi", "VERSION")
        if a.returncode:
            return None
        subprocess.run(["tar", "-x", "-C", d], input=a.stdout, check=True)
        k = int(str(rec.get("patch") or "1/1").split("/")[0])
        for prior in sorted(self.by_series.get(rec["series"], []), key=lambda r: int(str(r["patch"]).split("/")[0])):
            if int(str(prior["patch"]).split("/")[0]) >= k:
                break
            mbox = str(self.corpus / "mbox" / f"{prior['id']}.mbox")
            if _git(d, "apply", "--include=qapi/*.json", "--include=VERSION", mbox).returncode:
                return None
        _git(d, "init", "-q")
        _git(d, "add", "-A")
        if _git(d, "commit", "-qm", "base").returncode:
            return None
        mbox = str(self.corpus / "mbox" / f"{rec['id']}.mbox")
        if _git(d, "am", "-q", "--include=qapi/*", "--include=VERSION", mbox).returncode:
            return None
        return d


def _check(repo: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["qapilint", "check", "--tree", repo, "--git", "HEAD~1..HEAD", "--base", "HEAD~1",
                           "--format", "json", *extra], cwd=repo, capture_output=True, text=True, timeout=600)


def _findings(repo: str, verbose: bool = False) -> list[dict[str, Any]] | None:
    p = _check(repo)
    if p.returncode not in (0, 1) or "Traceback" in p.stderr:
        if verbose:
            print(f"{repo}: exit {p.returncode}: {p.stderr.strip()[-2000:]}")
        return None
    return [f for patch in json.loads(p.stdout)["patches"] for f in patch["findings"]]


def _schema_ok(repo: str) -> bool:
    return subprocess.run(["qapilint", "schema", "qapi/qapi-schema.json"], cwd=repo, capture_output=True,
                          timeout=600).returncode == 0


def fix_eval(corpus: Path, bundle: str, jobs: int, verbose: bool) -> None:
    import tempfile
    from collections import Counter

    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))["patches"]
    chosen = [r for r in labels if any(d.get("type") in VERSION_TYPES for d in r.get("defects", []))]
    tmp = tempfile.mkdtemp(prefix="eval-fix-")
    trees = _Trees(bundle, corpus, labels, tmp)

    def one(rec: dict[str, Any]) -> Counter[str]:
        c: Counter[str] = Counter(patches=1)
        repo = trees.make(rec)
        if repo is None:
            c["no tree"] += 1
            return c
        c["trees"] += 1
        before = _findings(repo, verbose)
        if before is None:
            c["crash"] += 1
            if verbose:
                print(f"{rec['id']}: check failed before the fix ({repo})")
            return c
        fixes = [f for f in before if f.get("fix")]
        c["fixes offered"] += len(fixes)
        schema_before = _schema_ok(repo)
        if fixes:
            c["patches with a fix"] += 1
            diff = _check(repo, "--diff").stdout
            ok = _git(repo, "apply", "--check", "-", stdin=diff.encode()).returncode == 0
            c["diffs applying (git apply --check)" if ok else "diffs NOT applying"] += 1
            res = _check(repo, "--fix")
            applied = res.stderr.count(": fixed: ")
            c["fixes applied"] += applied
            c["fixes not applied"] += res.stderr.count(": not fixed: ")
            _git(repo, "commit", "-qa", "--amend", "--no-edit")
        after = _findings(repo, verbose) if fixes else before
        if after is None:
            c["crash"] += 1
            if verbose:
                print(f"{rec['id']}: check failed after the fix ({repo})")
            return c
        new = Counter(_key(f) for f in after) - Counter(_key(f) for f in before)
        c["new findings after the fix"] += sum(new.values())
        if verbose and new:
            print(f"{rec['id']}: new after fix: {sorted(new)}")
        vdef = [d for d in rec.get("defects", []) if d.get("type") in VERSION_TYPES]
        for d in vdef:
            c["version defects"] += 1
            had = [f for f in before if f.get("family") == "version" and _near(f, d)]
            if not had:
                continue
            c["defects found"] += 1
            # A defect is fixed when every finding on it had a fix (a fix for one of two findings
            # on a line leaves the other standing).
            if all(f.get("fix") for f in had):
                c["defects with a fix"] += 1
                still = [f for f in after if f.get("family") == "version" and _near(f, d)]
                c["fixed defects gone" if not still else "fixed defects STILL reported"] += 1
                if verbose and still:
                    print(f"{rec['id']}: still reported after the fix: {[f['message'] for f in still]}")
        if fixes:
            ok_after = _schema_ok(repo)
            c["schema accepted before and after" if schema_before and ok_after else
              "schema rejected after (accepted before)" if schema_before else "schema rejected before the fix"] += 1
        return c

    total: Counter[str] = Counter()
    with cf.ThreadPoolExecutor(jobs) as ex:
        for c in ex.map(one, chosen):
            total.update(c)
    order = ["patches", "trees", "no tree", "crash", "version defects", "defects found", "defects with a fix",
             "fixed defects gone", "fixed defects STILL reported", "patches with a fix", "fixes offered",
             "fixes applied", "fixes not applied", "diffs applying (git apply --check)", "diffs NOT applying",
             "new findings after the fix", "schema accepted before and after",
             "schema rejected after (accepted before)", "schema rejected before the fix"]
    print("fix: " + ", ".join(f"{k} {total.get(k, 0)}" for k in order))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    fp = sub.add_parser("fingerprints")
    fp.add_argument("--corpus", type=Path, required=True)
    fp.add_argument("-j", type=int, default=2)
    fp.add_argument("--per-patch", action="store_true")
    fx = sub.add_parser("fix")
    fx.add_argument("--corpus", type=Path, required=True)
    fx.add_argument("--bundle")
    fx.add_argument("-j", type=int, default=2)
    fx.add_argument("-v", action="store_true")
    a = ap.parse_args(argv)
    if a.cmd == "fingerprints":
        fingerprints(a.corpus, a.j, a.per_patch)
    else:
        fix_eval(a.corpus, a.bundle or str(a.corpus.parent / "qemu-qapi-history.bundle"), a.j, a.v)
    return 0


if __name__ == "__main__":
    sys.exit(main())
