"""Fixture trees for the release comparison: schemas written here, as directories or git histories."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from qapilint.compare import Comparison, Entry, compare

ROOT = "qapi/qapi-schema.json"
_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


def write_tree(d: Path, schema: str, version: str | None = None, files: dict[str, str] | None = None) -> Path:
    """A directory holding ``qapi/qapi-schema.json`` (and VERSION, other files)."""
    (d / "qapi").mkdir(parents=True, exist_ok=True)
    (d / ROOT).write_text(schema, encoding="utf-8")
    if version is not None:
        (d / "VERSION").write_text(version + "\n", encoding="utf-8")
    for path, text in (files or {}).items():
        (d / path).parent.mkdir(parents=True, exist_ok=True)
        (d / path).write_text(text, encoding="utf-8")
    return d


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=_ENV).stdout.strip()


def history(repo: Path, steps: list[tuple[str, str]]) -> dict[str, str]:
    """A git repository with one commit per (VERSION, schema) step; returns VERSION -> commit."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "master")
    out: dict[str, str] = {}
    for version, schema in steps:
        write_tree(repo, schema, version)
        git(repo, "add", "VERSION", ROOT)
        git(repo, "commit", "-q", "-m", f"version {version}")
        out[version] = git(repo, "rev-parse", "HEAD")
    return out


def diff_dirs(tmp: Path, old: str, new: str, **kw: object) -> Comparison:
    a = write_tree(tmp / "old", old)
    b = write_tree(tmp / "new", new)
    return compare(str(a), str(b), history=False, **kw)  # type: ignore[arg-type]


def find(cmp: Comparison, op: str, what: str, definition: str | None = None, name: str | None = None) -> Entry:
    got = [e for e in cmp.entries if e.op == op and e.what == what
           and (definition is None or e.definition == definition) and (name is None or e.name == name)]
    assert len(got) == 1, f"expected one {op} {what} {definition}.{name}, got {got} in {cmp.entries}"
    return got[0]


def keys(cmp: Comparison) -> set[tuple[str, str, str, str | None]]:
    return {(e.op, e.what, e.definition, e.name) for e in cmp.entries}
