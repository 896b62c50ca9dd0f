"""Which files are QAPI schema files, which schema they belong to, and reading a tree."""

from __future__ import annotations

import os
import re

from qapilint import contain
from qapilint.errors import InputError
from qapilint.patch import FileDiff
from qapilint.sources.gitrepo import EMPTY_TREE, GitRepo

_OPENER = re.compile(r"^\s*\{\s*'(struct|union|enum|alternate|command|event|include|pragma)'\s*:")
MAIN_ROOT = "qapi/qapi-schema.json"


def is_qapi_path(path: str) -> bool:
    if not path.endswith(".json"):
        return False
    return (path.startswith("qapi/") or path == "qga/qapi-schema.json"
            or path.startswith("storage-daemon/qapi/") or path.startswith("tests/qapi-schema/"))


def is_qapi_file(fd: FileDiff) -> bool:
    """By path, or for other .json files by content (a QAPI opener or doc symbol in view)."""
    path = fd.path
    if fd.status == "binary":
        return False
    if is_qapi_path(path):
        return True
    if not path.endswith(".json"):
        return False
    for h in fd.hunks:
        for ln in h.lines:
            if _OPENER.match(ln.text) or ln.text.startswith("# @"):
                return True
    return False


def schema_group(path: str) -> str:
    """Definitions share one namespace per schema: '' for QEMU's main schema."""
    if path.startswith("qapi/") or path.startswith("storage-daemon/qapi/"):
        return ""
    if path.startswith("qga/"):
        return "qga"
    return path


def def_key(group: str, name: str) -> str:
    return name if not group else f"{group}::{name}"


def is_qemu_tree(d: str) -> bool:
    return os.path.isfile(os.path.join(d, "VERSION")) and os.path.isfile(os.path.join(d, MAIN_ROOT))


def find_tree(start: str) -> str | None:
    """The QEMU checkout containing ``start``, if any."""
    d = os.path.abspath(start)
    while True:
        if is_qemu_tree(d):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def tree_for(explicit: str | None) -> str | None:
    """``--tree DIR`` as given, else the QEMU checkout the current directory is in."""
    return explicit if explicit else find_tree(os.getcwd())


class TreeReader:
    """Reads files of a tree: its work tree, or a git revision of it (from the object store).

    ``rev`` may be any revision (resolved here to a commit); ``repo`` shares
    one object reader between the base choice and the rebuild.

    Names come from patches and schemas: one that is not a plain name inside
    the tree, or (work tree) a symlink out of it, a FIFO, a device, a file
    over the size caps, is refused (:mod:`qapilint.contain`) and never read.
    ``read`` gives None for it, as for a file that is not there;
    ``read_or_refuse`` raises :class:`contain.PathRefused` instead, for
    callers that report the refusal.
    """

    def __init__(self, root: str, rev: str | None = None, repo: GitRepo | None = None) -> None:
        if not os.path.isdir(root):
            raise InputError(root, "tree is not a directory")
        self.root = root
        self.rev: str | None = None
        # Kept for the work tree too: other readers of the run (--against) share it.
        self.repo: GitRepo | None = repo
        self._cache: dict[str, str | None] = {}
        self._refused: dict[str, contain.PathRefused] = {}
        self._files = contain.TreeFiles(root)
        if rev is not None:
            self.repo = repo if repo is not None else GitRepo(root)
            self.rev = rev if rev == EMPTY_TREE else self.repo.commit(rev)
            if self.rev is None:
                raise InputError(root, f"unknown revision '{rev}'")

    @property
    def ident(self) -> str:
        return f"{os.path.abspath(self.root)}@{self.rev or 'worktree'}"

    def read(self, path: str) -> str | None:
        try:
            return self.read_or_refuse(path)
        except contain.PathRefused:
            return None

    def read_or_refuse(self, path: str) -> str | None:
        if path in self._cache:
            return self._cache[path]
        if path in self._refused:
            raise self._refused[path]
        problem = contain.lexical_problem(path)
        if problem is not None:   # before any branch: not even git is asked about it
            self._refused[path] = contain.PathRefused(path, problem)
            raise self._refused[path]
        text: str | None
        if self.rev is None:
            try:
                text = self._files.read_text(path, errors="replace", universal_newlines=False)
            except contain.PathRefused as e:
                self._refused[path] = e
                raise
            except OSError:
                text = None
        else:
            assert self.repo is not None
            data = self.repo.read(self.rev, path)
            text = data.decode("utf-8", errors="replace") if data is not None else None
        self._cache[path] = text
        return text

    def list_dir(self, d: str) -> list[str]:
        """Schema files directly in directory ``d`` (relative paths)."""
        if self.rev is None:
            try:
                names = sorted(os.listdir(os.path.join(self.root, d)))
            except OSError:
                return []
            return [f"{d}/{n}" for n in names if n.endswith(".json")]
        assert self.repo is not None
        names = self.repo.list_dir(self.rev, d) or []
        return [f"{d}/{n}" for n in names if n.endswith(".json")]

    def close(self) -> None:
        if self.repo is not None:
            self.repo.close()
