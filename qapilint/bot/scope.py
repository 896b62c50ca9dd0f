"""Which patches the bot looks at: the files a diff touches, QAPI schema paths, base commits."""

from __future__ import annotations

import fnmatch
import re

# QEMU's schema files: the main schema, the guest agent's, the storage daemon's,
# and the frontend's own test schemas.  Matched on the repository-relative path.
QAPI_PATTERNS = (
    "qapi/*.json",
    "qga/qapi-schema.json",
    "storage-daemon/qapi/*.json",
    "tests/qapi-schema/*.json",
    "*/qapi-schema.json",
)

_DIFF_GIT = re.compile(r"^diff --git a/(\S+) b/(\S+)\s*$")
_HEADER = re.compile(r"^(?:---|\+\+\+) (?:[ab]/)?(\S+)")
_RENAME = re.compile(r"^(?:rename|copy) (?:from|to) (\S+)\s*$")
_BASE_COMMIT = re.compile(r"^base-commit:\s*([0-9a-f]{7,64})\s*$", re.MULTILINE)


def diff_paths(diff: str) -> list[str]:
    """Every path a unified diff names (old and new), in order, without duplicates."""
    out: dict[str, None] = {}
    for line in diff.splitlines():
        if not line or line[0] not in "d-+rc":
            continue
        m = _DIFF_GIT.match(line)
        if m:
            out.setdefault(m.group(1))
            out.setdefault(m.group(2))
            continue
        m = _HEADER.match(line) or _RENAME.match(line)
        if m and m.group(1) != "/dev/null":
            out.setdefault(m.group(1))
    return list(out)


def is_qapi_path(path: str) -> bool:
    return any(fnmatch.fnmatchcase(path, pat) for pat in QAPI_PATTERNS)


def qapi_paths(diff: str) -> list[str]:
    return [p for p in diff_paths(diff) if is_qapi_path(p)]


def touches_qapi(diff: str) -> bool:
    return bool(qapi_paths(diff))


def find_base_commit(*texts: str | None) -> str | None:
    """The ``base-commit:`` line git format-patch / b4 add, from the first text that has one."""
    for text in texts:
        if text:
            m = _BASE_COMMIT.search(text)
            if m:
                return m.group(1)
    return None
