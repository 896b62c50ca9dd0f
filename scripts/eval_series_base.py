#!/usr/bin/env python3
"""Do checks of a branch that holds a series agree with checks of each patch on its own base?

For every multi-patch series of the corpus (labels.json: series, k/n, base_commit), in a
clone of the QAPI history bundle: check out the series' base, apply each corpus patch of it
in order (only its qapi/, VERSION and tests/qapi-schema/ parts, ``git apply --include``) and
commit it with the patch's own message, author and date.  Then check the branch twice, as a
developer would from inside it:

  git:   qapilint check --format json --git BASE..HEAD
  tree:  git format-patch --stdout BASE..HEAD | qapilint check --format json --tree . -

and compare each patch's findings with the per-patch run of ``corpus-eval check --tree``:
``qapilint check --format json --tree T PATCH.json`` where T is the bundle's qapi/ and VERSION
at the base plus the earlier patches of the series (qapi/*.json and VERSION), built the way
corpus-eval builds it.

A finding is (rule, file, line, severity, message).  Findings on files the bundle does not hold
(C files: the branch has only the QAPI parts of each patch) and the series-level rule
since-series-inconsistent (a single-patch run cannot give it) are counted apart.  A patch agrees
when its QAPI-file findings are equal; "schema errors only the series run has" are schema-family
errors of the series run missing from the per-patch run.

``--range BASE..TIP`` evaluates commits already in the bundle instead (e.g. the 7 QAPI commits of
the series that moved misc-target.json's commands into misc-i386.json, misc-arm.json and
machine.json: ``--range 252cf05..6cef69f``); the per-patch reference is then each commit's
format-patch output on the tree of its parent.

usage: scripts/eval_series_base.py [--data DIR] [--range A..B] [--series ID] [--limit N] [-j N] [-v]
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures as cf
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

INCLUDE_BRANCH = ["--include=qapi/*", "--include=VERSION", "--include=tests/qapi-schema/*"]
INCLUDE_REF = ["--include=qapi/*.json", "--include=VERSION"]      # what corpus-eval applies
SERIES_RULES = {"since-series-inconsistent"}
QAPI_PREFIXES = ("qapi/", "tests/qapi-schema/", "qga/", "storage-daemon/qapi/")

Finding = tuple[str, str, int, str, str, str]


def git(repo: str | Path, *args: str, data: bytes | None = None, env: dict[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess[bytes]:
    full_env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", **(env or {}))
    return subprocess.run(["git", "-C", str(repo), *args], input=data, capture_output=True, check=check,
                          env=full_env)


IN_PROCESS = True     # --cli: run the qapilint on PATH for every check instead


def qapilint(args: list[str], cwd: str | Path, stdin: bytes | None = None) -> dict[str, Any] | None:
    """``qapilint check --format json ARGS`` -> its JSON (the findings part), or None when it failed."""
    if IN_PROCESS:
        return _in_process(args, Path(cwd), stdin)
    p = subprocess.run(["qapilint", "check", "--format", "json", *args], cwd=cwd, input=stdin,
                       capture_output=True, timeout=600, check=False)
    if p.returncode not in (0, 1) or b"Traceback" in p.stderr:
        print(f"  qapilint {' '.join(args)}: exit {p.returncode}: {p.stderr.decode()[-300:]}", file=sys.stderr)
        return None
    return json.loads(p.stdout)


def _in_process(args: list[str], cwd: Path, stdin: bytes | None) -> dict[str, Any] | None:
    """The same check through the library (no interpreter start per patch): only the three forms used here."""
    from qapilint import sources
    from qapilint.cli import git_input
    from qapilint.errors import InputError
    from qapilint.pipeline import CheckOptions, check_series

    try:
        if args[0] == "--git":
            series, opts = git_input.range_input(str(cwd), args[1], CheckOptions())
        else:
            tree = str(cwd / args[1])
            series = sources.load_bytes(stdin or b"", "<stdin>") if args[2] == "-" else sources.load(args[2])
            opts = CheckOptions(tree=tree)
        reports = check_series(series, opts)
    except InputError as e:
        print(f"  qapilint {' '.join(args)}: {e.line()}", file=sys.stderr)
        return None
    return {"patches": [{"findings": [{"rule": f.rule, "family": f.family, "severity": f.severity.label,
                                       "message": f.message, "file": f.file, "line": f.line}
                                      for f in r.findings]} for r in reports]}


def split(findings: list[dict[str, Any]]) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """(QAPI-file findings, findings elsewhere, series-level findings), each sorted."""
    mine, other, series = [], [], []
    for f in findings:
        key = (f["rule"], f.get("file") or "", f.get("line") or 0, f["severity"], f["message"], f.get("family", ""))
        if f["rule"] in SERIES_RULES:
            series.append(key)
        elif (f.get("file") or "").startswith(QAPI_PREFIXES) or f.get("file") == "VERSION":
            mine.append(key)
        else:
            other.append(key)
    return sorted(mine), sorted(other), sorted(series)


def ref_tree(work: Path, repo: Path, base: str, priors: list[Path], name: str) -> Path | None:
    """corpus-eval's per-patch tree: qapi/ and VERSION at ``base`` plus the earlier patches."""
    d = work / name
    d.mkdir()
    a = git(repo, "archive", base, "qapi", "VERSION", check=False)
    if a.returncode:
        return None
    subprocess.run(["tar", "-x", "-C", str(d)], input=a.stdout, check=True)
    for mbox in priors:
        if subprocess.run(["git", "apply", *INCLUDE_REF, str(mbox)], cwd=d, capture_output=True).returncode:
            return None
    return d


def commit_mail(repo: Path, mbox: Path) -> bool | None:
    """Apply the QAPI parts of one mail and commit them with its message; None when nothing applies."""
    if git(repo, "apply", "--index", *INCLUDE_BRANCH, str(mbox), check=False).returncode:
        return False
    if not git(repo, "diff", "--cached", "--quiet", check=False).returncode:
        return None
    with tempfile.TemporaryDirectory() as t:
        info = subprocess.run(["git", "mailinfo", os.path.join(t, "msg"), os.path.join(t, "patch")],
                              input=mbox.read_bytes(), capture_output=True, check=True).stdout.decode("utf-8",
                                                                                                      "replace")
        head = dict(line.split(": ", 1) for line in info.splitlines() if ": " in line)
        body = Path(t, "msg").read_text(encoding="utf-8", errors="replace")
    message = head.get("Subject", "patch") + "\n\n" + body
    env = {"GIT_AUTHOR_NAME": head.get("Author") or "Unknown", "GIT_AUTHOR_EMAIL": head.get("Email") or "x@x",
           "GIT_AUTHOR_DATE": head.get("Date", ""), "GIT_COMMITTER_NAME": "eval",
           "GIT_COMMITTER_EMAIL": "eval@example.org", "GIT_COMMITTER_DATE": head.get("Date", "")}
    git(repo, "commit", "-q", "--no-verify", "-F", "-", data=message.encode(), env=env)
    return True


def series_runs(repo: Path, base: str) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
    g = qapilint(["--git", f"{base}..HEAD"], repo)
    mbox = git(repo, "format-patch", "--stdout", f"{base}..HEAD").stdout
    t = qapilint(["--tree", ".", "-"], repo, stdin=mbox)
    return (g["patches"] if g else None), (t["patches"] if t else None)


class Tally:
    def __init__(self) -> None:
        self.c: collections.Counter[str] = collections.Counter()
        self.lines: list[str] = []

    def compare(self, label: str, ref: dict[str, Any] | None, got: dict[str, list[dict[str, Any]] | None],
                k: int, verbose: bool) -> None:
        if ref is None:
            self.c["no reference"] += 1
            return
        r_mine, r_other, _ = split([f for p in ref["patches"] for f in p["findings"]])
        self.c["patches"] += 1
        for mode, patches in got.items():
            if patches is None or k >= len(patches):
                self.c[f"{mode}: no result"] += 1
                continue
            mine, other, series = split(patches[k]["findings"])
            self.c[f"{mode}: series-level findings"] += len(series)
            if mine == r_mine:
                self.c[f"{mode}: agree"] += 1
            else:
                self.c[f"{mode}: differ"] += 1
                if verbose:
                    self.lines.append(f"{label} [{mode}] only series run: {sorted(set(mine) - set(r_mine))}"
                                      f" only per-patch: {sorted(set(r_mine) - set(mine))}")
            if other != r_other:
                self.c[f"{mode}: differ outside QAPI files"] += 1
            extra = [f for f in set(mine) - set(r_mine) if f[3] == "error" and f[5] == "schema"]
            self.c[f"{mode}: schema errors only the series run has"] += len(extra)
            if extra and verbose:
                self.lines.append(f"{label} [{mode}] extra schema errors: {extra}")
            if any(f[0] == "name-redefined" for f in mine):
                self.c[f"{mode}: name-redefined"] += 1


def eval_corpus(a: argparse.Namespace, repo: Path, work: Path, tally: Tally) -> None:
    corpus = Path(a.data) / "corpus"
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))["patches"]
    by: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for r in labels:
        by[r["series"]].append(r)
    chosen = [(s, sorted(v, key=lambda r: int(str(r["patch"]).split("/")[0]))) for s, v in by.items()
              if len(v) > 1 and (a.series is None or s == a.series)]
    chosen = [(s, v) for s, v in chosen if v[0].get("base_commit")][: a.limit]
    built = partial = 0
    pool: cf.Executor = cf.ThreadPoolExecutor(max_workers=a.j) if a.cli else cf.ProcessPoolExecutor(max_workers=a.j)
    for n, (sid, recs) in enumerate(chosen):
        base = recs[0]["base_commit"]
        git(repo, "checkout", "-q", "-f", "-B", "eval", base)
        git(repo, "clean", "-q", "-fdx")
        held: list[tuple[int, dict[str, Any]]] = []     # (branch index, label record)
        priors: list[Path] = []
        refs = []
        for rec in recs:
            mbox = corpus / "mbox" / f"{rec['id']}.mbox"
            ok = commit_mail(repo, mbox)
            if ok is False:
                partial += 1
                break
            tree = ref_tree(work, repo, base, list(priors), f"{n}-{rec['id']}")
            priors.append(mbox)
            if ok is None:
                continue                    # nothing of it is in the bundle's paths
            held.append((len(held), rec))
            inp = corpus / "patchwork" / f"{rec['id']}.json"
            refs.append(pool.submit(qapilint, ["--tree", str(tree), str(inp)], work) if tree else None)
        else:
            built += 1
        if len(held) < 2:
            continue
        g, t = series_runs(repo, base)
        for (k, rec), fut in zip(held, refs, strict=True):
            ref = fut.result() if fut is not None else None
            tally.compare(f"{sid} {rec['patch']} ({rec['id']})", ref, {"git": g, "tree": t}, k, a.v)
        print(f"  {n + 1}/{len(chosen)} {sid}: {len(held)} patches", file=sys.stderr)
    pool.shutdown()
    tally.c["series built whole"] = built
    tally.c["series built in part (a patch did not apply)"] = partial


def eval_range(a: argparse.Namespace, repo: Path, work: Path, tally: Tally) -> None:
    base, _sep, tip = a.range.partition("..")
    git(repo, "checkout", "-q", "-f", "--detach", tip)
    commits = git(repo, "rev-list", "--reverse", "--no-merges", f"{base}..{tip}").stdout.decode().split()
    g, t = series_runs(repo, base)
    for k, c in enumerate(commits):
        tree = ref_tree(work, repo, f"{c}^", [], f"r{k}")
        one = work / f"r{k}.mbox"
        one.write_bytes(git(repo, "format-patch", "--stdout", "-1", c).stdout)
        ref = qapilint(["--tree", str(tree), str(one)], work) if tree else None
        tally.compare(f"{a.range} {k + 1}/{len(commits)} {c[:12]}", ref, {"git": g, "tree": t}, k, a.v)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.environ.get("QAPILINT_SHARED_DATA", "../shared/data"))
    ap.add_argument("--range", help="evaluate the commits BASE..TIP of the bundle instead of the corpus")
    ap.add_argument("--series", help="only this series id")
    ap.add_argument("--limit", type=int, help="at most N series")
    ap.add_argument("-j", type=int, default=2, help="per-patch reference runs in parallel")
    ap.add_argument("-v", action="store_true", help="list every disagreement")
    ap.add_argument("--cli", action="store_true", help="start the qapilint on PATH for every check")
    a = ap.parse_args()
    global IN_PROCESS
    IN_PROCESS = not a.cli
    bundle = Path(a.data) / "qemu-qapi-history.bundle"
    if not bundle.exists():
        print(f"no bundle at {bundle}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="eval-series-base-"))
    try:
        repo = work / "qemu"
        subprocess.run(["git", "clone", "-q", str(bundle), str(repo)], check=True)
        git(repo, "config", "user.name", "eval")
        git(repo, "config", "user.email", "eval@example.org")
        tally = Tally()
        (eval_range if a.range else eval_corpus)(a, repo, work, tally)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for line in tally.lines:
        print(line)
    c = tally.c
    for k in sorted(c):
        print(f"{k}: {c[k]}")
    for mode in ("git", "tree"):
        n = c["patches"]
        print(f"{mode}: per-patch agreement {c[f'{mode}: agree']}/{n} ({100 * c[f'{mode}: agree'] / max(n, 1):.1f}%), "
              f"schema errors only the series run has {c[f'{mode}: schema errors only the series run has']}, "
              f"name-redefined on {c[f'{mode}: name-redefined']} patches, "
              f"series-level findings {c[f'{mode}: series-level findings']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
