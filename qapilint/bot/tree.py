"""The QEMU checkout revision a patch is checked against (``--tree``)."""

from __future__ import annotations

import re
import subprocess

_SHA = re.compile(r"^[0-9a-f]{7,64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _git(tree: str, *args: str) -> str | None:
    try:
        p = subprocess.run(["git", "-C", tree, *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return p.stdout.strip() if p.returncode == 0 else None


def has_commit(tree: str, sha: str) -> bool:
    return bool(_SHA.match(sha)) and _git(tree, "cat-file", "-e", f"{sha}^{{commit}}") is not None


def head_before(tree: str, date: str) -> str | None:
    """HEAD's newest commit committed before a patchwork date (naive UTC)."""
    if not _DATE.match(date):
        return None
    rev = _git(tree, "rev-list", "-1", f"--before={date.replace('T', ' ')} +0000", "HEAD")
    return rev or None


def resolve_base(tree: str, base_commit: str | None, date: str | None) -> tuple[str | None, str]:
    """(revision, how it was chosen): the series' base-commit when the tree has it, else HEAD at the date."""
    if base_commit and has_commit(tree, base_commit):
        return base_commit, f"base-commit {base_commit[:12]}"
    if date:
        rev = head_before(tree, date)
        if rev:
            why = "base-commit not in tree; " if base_commit else ""
            return rev, f"{why}tree HEAD as of {date}"
    return None, "tree as checked out"
