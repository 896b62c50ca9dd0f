"""The one place qapilint runs git: bounded, never through a shell, revisions checked first.

Everything above reads a git checkout through ``GitRepo``: revisions are
resolved to commit ids before use (``REV^{commit}`` after
``--end-of-options``), and file contents come from the object store through
one long-lived ``git cat-file --batch`` process, never from the work tree.
"""

from __future__ import annotations

import os
import re
import subprocess
from typing import IO

from qapilint.errors import InputError

GIT_TIMEOUT = 300          # a whole format-patch of a long range
SHORT_TIMEOUT = 60         # rev-parse, merge-base, ls-tree
MAX_BLOB = 64 * 1024 * 1024   # a schema file is kilobytes; a bigger blob is not one

# A commit id as a patch names it (base-commit: trailer): hex only, nothing git could read as an option.
SHA = re.compile(r"^[0-9a-f]{7,64}$")
# The empty tree: the base of a range that starts at a root commit.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def run_git(tree: str, args: list[str], where: str, *, timeout: int = GIT_TIMEOUT) -> bytes:
    """stdout of ``git -C tree ARGS``; any failure is one InputError line naming ``where``."""
    try:
        r = subprocess.run(["git", "-C", tree, *args], capture_output=True, timeout=timeout, check=False,
                           stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise InputError(where, "git is not installed") from None
    except subprocess.TimeoutExpired:
        raise InputError(where, f"git {args[0]} took longer than {timeout}s") from None
    if r.returncode != 0:
        msg = r.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(where, f"git {args[0]}: {msg[0] if msg else f'exit status {r.returncode}'}")
    return r.stdout


def git_text(tree: str, *args: str, timeout: int = SHORT_TIMEOUT) -> str | None:
    """stdout of a git command that may fail (stripped), or None when it does."""
    try:
        p = subprocess.run(["git", "-C", tree, *args], capture_output=True, timeout=timeout, check=False,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return p.stdout.decode("utf-8", "replace").strip() if p.returncode == 0 else None


def toplevel(d: str) -> str | None:
    """The top of the git work tree that holds directory ``d``, or None."""
    if not os.path.isdir(d):
        return None
    top = git_text(d, "rev-parse", "--show-toplevel")
    return top or None


class GitRepo:
    """A git work tree, read through its object store."""

    def __init__(self, top: str) -> None:
        self.top = top
        self._batch: subprocess.Popen[bytes] | None = None

    @classmethod
    def at(cls, d: str) -> GitRepo | None:
        """The repository whose work tree starts exactly at ``d`` (a QEMU checkout is one), or None.

        A directory inside some other repository (a fixture tree in a project's
        checkout) is not read through that repository: its paths would not be
        the schema's paths.
        """
        top = toplevel(d)
        if top is None or os.path.realpath(top) != os.path.realpath(d):
            return None
        return cls(d)

    def __enter__(self) -> GitRepo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def git(self, *args: str, timeout: int = SHORT_TIMEOUT) -> str | None:
        return git_text(self.top, *args, timeout=timeout)

    def commit(self, rev: str) -> str | None:
        """The full id of the commit ``rev`` names, or None (unknown, ambiguous, not a commit)."""
        if not rev or any(c in rev for c in "\n\r\0"):
            return None
        out = self.git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
        return out if out and re.fullmatch(r"[0-9a-f]{40,64}", out) else None

    def has_commit(self, sha: str) -> bool:
        """For revisions a patch names: hex only, then looked up as a commit."""
        return bool(SHA.match(sha)) and self.commit(sha) is not None

    def parent(self, commit: str) -> str | None:
        return self.commit(f"{commit}^") if SHA.match(commit) else None

    def merge_base(self, a: str, b: str) -> str | None:
        out = self.git("merge-base", "--end-of-options", a, b)
        return out or None

    def _proc(self) -> subprocess.Popen[bytes] | None:
        if self._batch is None or self._batch.poll() is not None:
            try:
                # --follow-symlinks: a committed link is read as the file it names inside
                # the tree, as the work tree reader does; one that leaves the tree (or
                # dangles, or loops) is answered as such and never read as schema text.
                self._batch = subprocess.Popen(["git", "-C", self.top, "cat-file", "--batch",
                                                "--follow-symlinks"],
                                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                               stderr=subprocess.DEVNULL)
            except OSError:
                self._batch = None
        return self._batch

    def read(self, rev: str, path: str) -> bytes | None:
        """The blob at ``rev:path`` (``rev`` a resolved commit or tree id), or None when it is absent."""
        if not path or any(c in path for c in "\n\r\0") or path.startswith("/"):
            return None
        proc = self._proc()
        if proc is None or proc.stdin is None or proc.stdout is None:
            return None
        try:
            proc.stdin.write(f"{rev}:{path}\n".encode("utf-8", "surrogateescape"))
            proc.stdin.flush()
            return _batch_answer(proc.stdout)
        except (OSError, ValueError):
            self.close()
            return None

    def list_dir(self, rev: str, d: str) -> list[str] | None:
        """Names in directory ``d`` at ``rev`` (None: no such directory)."""
        if any(c in d for c in "\n\r\0"):
            return None
        out = self.git("ls-tree", "--name-only", "-z", f"{rev}:{d}")
        return None if out is None else [n for n in out.split("\0") if n]

    def close(self) -> None:
        proc, self._batch = self._batch, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout is not None:
                proc.stdout.close()


def _batch_answer(out: IO[bytes]) -> bytes | None:
    """One answer of ``cat-file --batch``: '<id> <type> <size>' then the object, or '<name> missing'."""
    head = out.readline()
    if not head:
        raise OSError("git cat-file ended")
    parts = head.split()
    if len(parts) == 2 and parts[0] in _LINK_ANSWERS and parts[1].isdigit():
        _drain(out, int(parts[1]) + 1)      # the link's text: not a file of the tree
        return None
    if len(parts) != 3 or not parts[2].isdigit():
        return None          # missing / ambiguous: nothing follows the line
    size = int(parts[2])
    if size > MAX_BLOB:
        _drain(out, size + 1)  # keep the stream in step, keep none of it
        return None
    data = out.read(size)
    out.read(1)              # the newline after the object
    return data if parts[1] == b"blob" else None


# cat-file --follow-symlinks answers for a link it does not follow; '<size>' bytes of text follow.
_LINK_ANSWERS = frozenset({b"symlink", b"dangling", b"loop", b"notdir"})


def _drain(out: IO[bytes], left: int) -> None:
    while left:
        left -= len(out.read(min(left, 1 << 20)) or b"x" * left)
