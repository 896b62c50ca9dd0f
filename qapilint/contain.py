"""Reading files of a tree when the names come from a patch or a schema.

A patch is hostile input: an include (``{ 'include': '../../token' }``), a
diff path (``+++ b/qapi/../../secret.json``) or a symlink committed to the
tree must not make qapilint read, or reveal the existence of, anything
outside the tree, nor hang on a FIFO or fill memory from ``/dev/zero``.
Every such name goes through :func:`relative_name` (lexical: NUL bytes,
absolute paths, ``..`` that leaves the root) and is read by
:class:`TreeFiles` (symlinks checked on the real path, regular files only,
opened without blocking, a size cap per file and per tree).

A refusal is :class:`PathRefused`; its message names the path (printable,
shortened) and why, never anything read from it.
"""

from __future__ import annotations

import errno
import os
import stat

MAX_FILE_BYTES = 8 * 1024 * 1024        # QEMU's largest schema file is ~200 KB
MAX_TREE_BYTES = 64 * 1024 * 1024       # all files one reader serves (the whole qapi/ is ~1.5 MB)
_SHOW_MAX = 120


class PathRefused(Exception):
    """A name that must not be read: outside the tree, not a regular file, or too large."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{show(path)}: {reason}")
        self.path = path
        self.reason = reason


class TooLarge(PathRefused):
    """Inside the tree and regular, but over a size cap."""


def show(path: str) -> str:
    """``path`` for a message: control characters escaped, shortened, never more than one line."""
    out = []
    for ch in path:
        o = ord(ch)
        if o < 0x20 or 0x7F <= o < 0xA0 or ch in "\u2028\u2029":
            out.append("\\0" if o == 0 else f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}")
        elif 0xD800 <= o < 0xE000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(ch)
    text = "".join(out)
    return text if len(text) <= _SHOW_MAX else text[:_SHOW_MAX - 3] + "..."


def lexical_problem(path: str) -> str | None:
    """Why a tree-relative name is refused before touching the file system, or None."""
    if "\0" in path:
        return "the path contains a NUL byte"
    if not path:
        return "the path is empty"
    if os.path.isabs(path):
        return "absolute paths are not allowed"
    norm = os.path.normpath(path)
    if norm == os.pardir or norm.startswith(os.pardir + os.sep):
        return "the path leads outside the tree"
    return None


def relative_name(root: str, name: str) -> str:
    """``name`` as a path relative to the tree ``root``.

    ``root`` is a directory, ``name`` relative to the current directory or
    absolute; or ``root`` is "" and ``name`` is already tree-relative (the
    check is then purely lexical, whatever the current directory is).
    Raises :class:`PathRefused` when ``name`` has a NUL byte or leaves the
    tree lexically; symlinks are judged when the file is read.
    """
    if "\0" in name:
        raise PathRefused(name, "the path contains a NUL byte")
    rel = os.path.relpath(os.path.abspath(name), os.path.abspath(root)) if root else os.path.normpath(name)
    problem = lexical_problem(rel)
    if problem is not None:
        raise PathRefused(name, problem)
    return rel


def find_root(path: str) -> str:
    """The tree a schema file belongs to: the nearest directory up with a VERSION file or a .git.

    Without one, the file's own directory: its includes may then name files
    beside it or below it, nothing above.
    """
    start = os.path.dirname(os.path.abspath(path))
    d = start
    while True:
        if os.path.isfile(os.path.join(d, "VERSION")) or os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return start
        d = parent


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular(path: str, max_bytes: int = MAX_FILE_BYTES, *, shown: str | None = None) -> bytes:
    """The bytes of one regular file, opened without blocking, at most ``max_bytes``.

    A directory raises IsADirectoryError (an ordinary unreadable file); a
    FIFO, device or socket raises :class:`PathRefused` without being read.
    """
    name = shown if shown is not None else path
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), name)
    if not stat.S_ISREG(st.st_mode):
        raise PathRefused(name, f"{_kind(st.st_mode)}, not a regular file")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)   # the file may have been swapped since the stat above
        if not stat.S_ISREG(st.st_mode):
            raise PathRefused(name, f"{_kind(st.st_mode)}, not a regular file")
        if st.st_size > max_bytes:
            raise TooLarge(name, f"larger than {max_bytes // (1024 * 1024)} MiB")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(name, f"larger than {max_bytes // (1024 * 1024)} MiB")
        return b"".join(chunks)
    finally:
        os.close(fd)


def decode(data: bytes, errors: str = "strict", universal_newlines: bool = True) -> str:
    """Text as ``open(encoding='utf-8', errors=..., newline=None or '')`` would give it."""
    text = data.decode("utf-8", errors)
    if universal_newlines and "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


class TreeFiles:
    """Reads files below ``root`` by tree-relative name, with every refusal above.

    One instance is one budget: ``max_tree`` bytes over all reads (a run, or
    one check of the bot).
    """

    def __init__(self, root: str, max_file: int = MAX_FILE_BYTES, max_tree: int = MAX_TREE_BYTES) -> None:
        self.root = root
        self.real_root = os.path.realpath(root)
        self.max_file = max_file
        self.max_tree = max_tree
        self.spent = 0

    def resolve(self, rel: str) -> str:
        """The real path of tree-relative ``rel``; PathRefused when it is not a name inside the tree."""
        problem = lexical_problem(rel)
        if problem is not None:
            raise PathRefused(rel, problem)
        real = os.path.realpath(os.path.join(self.root, rel))
        if real != self.real_root and not real.startswith(self.real_root.rstrip(os.sep) + os.sep):
            raise PathRefused(rel, "a symbolic link leads outside the tree")
        return real

    def read_bytes(self, rel: str) -> bytes:
        real = self.resolve(rel)
        over = TooLarge(rel, f"the files read from the tree exceed {self.max_tree // (1024 * 1024)} MiB")
        cap = min(self.max_file, self.max_tree - self.spent)
        if cap <= 0:
            raise over
        try:
            data = read_regular(real, cap, shown=rel)
        except TooLarge:
            if cap < self.max_file:
                raise over from None
            raise
        self.spent += len(data)
        return data

    def read_text(self, rel: str, errors: str = "strict", universal_newlines: bool = True) -> str:
        return decode(self.read_bytes(rel), errors, universal_newlines)
