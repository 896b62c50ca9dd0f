"""A git revision range of a work tree -> Series, via ``git format-patch --stdout``."""

from __future__ import annotations

import subprocess
from pathlib import Path

from qapilint.errors import InputError
from qapilint.patch import Series
from qapilint.sources.mbox import read_mbox

GIT_TIMEOUT = 300


def _git(tree: str, args: list[str], where: str) -> bytes:
    try:
        r = subprocess.run(["git", "-C", tree, *args], capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise InputError(where, "git is not installed") from None
    except subprocess.TimeoutExpired:
        raise InputError(where, f"git {args[0]} took longer than {GIT_TIMEOUT}s") from None
    if r.returncode != 0:
        msg = r.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(where, f"git {args[0]}: {msg[0] if msg else f'exit status {r.returncode}'}")
    return r.stdout


def load_git_range(tree: str, rev_range: str) -> Series:
    """The commits of ``rev_range`` (e.g. 'origin/master..HEAD') in ``tree`` as a Series."""
    where = f"{tree}:{rev_range}"
    if not rev_range or rev_range.startswith("-") or any(c in rev_range for c in "\n\r\0"):
        raise InputError(where, "git range: must be a revision range such as 'origin/master..HEAD'")
    if not Path(tree).is_dir():
        raise InputError(where, "git range: the tree is not a directory")
    # --end-of-options keeps a range that looks like an option from being read as one.
    out = _git(tree, ["format-patch", "--stdout", "--no-color", "--end-of-options", rev_range], where)
    if not out.strip():
        raise InputError(where, "git range: no commits in range")
    series = read_mbox(out, where)
    if ".." in rev_range and "..." not in rev_range:
        left, right = rev_range.split("..", 1)
        base = _git(tree, ["merge-base", "--end-of-options", left or "HEAD", right or "HEAD"], where)
        series.base_commit = base.decode("ascii", "replace").strip() or None
        for p in series.patches:
            p.base_commit = p.base_commit or series.base_commit
    return series
