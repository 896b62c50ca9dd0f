"""Readers for every input format -> the Patch / Series model (qapilint/patch.py).

``load(spec)`` takes a path, '-' (stdin) or an http(s) patchwork URL.  The
kind is told from the content (``sniff``) unless ``input_format`` forces it:

- ``patchwork``: a patch object (``/api/patches/N/``), a series object
  (``/api/series/N/``; its patches are looked up beside the file, see
  ``patchwork.sibling_resolver``) or a JSON array of patch objects;
- ``mbox``: an mbox, ``git format-patch`` output or one mail;
- ``diff``: a plain unified diff (``git diff``, ``diff -u``).

Line numbers (``patch_line``) are 1-based in the input as the user sees it:
the file or stdin for mbox/diff, the ``diff`` field for patchwork JSON.
``Patch.diff_offset`` is the number of input lines before the diff.
"""

from __future__ import annotations

import sys
import typing
from pathlib import Path

from qapilint.errors import InputError
from qapilint.patch import Patch, Series
from qapilint.sources.common import is_qapi_path, set_diff
from qapilint.sources.git import load_git_range
from qapilint.sources.mbox import read_mbox
from qapilint.sources.patchwork import (
    is_series_json,
    loads,
    patch_from_patchwork_json,
    series_from_json,
    series_from_list,
    sibling_resolver,
)
from qapilint.sources.sniff import KINDS, sniff

__all__ = [
    "MAX_INPUT_BYTES", "is_qapi_path", "load", "load_bytes", "load_git_range",
    "patch_from_patchwork_json", "sniff",
]

# Real patches are kilobytes, a big pull request a few megabytes; beyond this
# the input is refused before it is read whole, to bound time and memory.
MAX_INPUT_BYTES = 32 * 1024 * 1024


def _read_limited(f: typing.BinaryIO, where: str) -> bytes:
    data = f.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(where, f"input larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB; refused")
    return data


def _read_path(spec: str) -> bytes:
    p = Path(spec)
    try:
        if p.is_dir():
            raise InputError(spec, "is a directory")
        if p.stat().st_size > MAX_INPUT_BYTES:
            raise InputError(spec, f"input larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB; refused")
        with p.open("rb") as f:
            return _read_limited(f, spec)
    except FileNotFoundError:
        raise InputError(spec, "no such file") from None
    except OSError as e:
        raise InputError(spec, f"cannot read: {e.strerror or e}") from None


def load(spec: str, *, input_format: str | None = None, stdin: typing.BinaryIO | None = None) -> Series:
    """Read one input (path, '-' or URL) as a Series."""
    fmt = None if input_format in (None, "auto") else input_format
    if fmt is not None and fmt not in KINDS:
        raise InputError(spec, f"unknown input format {input_format!r} (patchwork, mbox, diff, auto)")
    if spec.startswith(("http://", "https://")):
        if fmt not in (None, "patchwork"):
            raise InputError(spec, f"URLs are read as patchwork, not {fmt}")
        from qapilint.sources.http import load_url  # requests is costly to import; only for URLs

        return load_url(spec)
    if spec == "-":
        where = "<stdin>"
        data = _read_limited(stdin if stdin is not None else sys.stdin.buffer, where)
    else:
        where = spec
        data = _read_path(spec)
    return load_bytes(data, where, input_format=fmt, path=None if spec == "-" else Path(spec))


def load_bytes(data: bytes, where: str, *, input_format: str | None = None, path: Path | None = None) -> Series:
    """Read input already in memory; ``path`` lets a series JSON find its patches beside it."""
    kind = input_format if input_format not in (None, "auto") else sniff(data)
    if kind is None:
        if not data.strip():
            raise InputError(where, "empty input")
        raise InputError(where, "not a patchwork JSON, an mbox/mail or a unified diff")
    if kind == "patchwork":
        return _load_json(data, where, path)
    if kind == "mbox":
        return read_mbox(data, where)
    return _load_diff(data, where)


def _decode_text(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Diffs of files in other encodings: keep every byte, one char each.
        text = data.decode("latin-1")
    return text.lstrip("\ufeff").replace("\r\n", "\n")


def _load_json(data: bytes, where: str, path: Path | None) -> Series:
    obj = loads(_decode_text(data), where)
    if isinstance(obj, list):
        return series_from_list(obj, where)
    if is_series_json(obj):
        def nowhere(ref: dict[str, typing.Any]) -> None:
            return None
        if path is None:
            return series_from_json(obj, where, nowhere, nowhere)
        return series_from_json(obj, where, sibling_resolver(path, "patch"), sibling_resolver(path, "cover"))
    if not isinstance(obj, dict):
        raise InputError(where, f"patchwork JSON: expected an object, got {type(obj).__name__}")
    p = patch_from_patchwork_json(obj, where)
    return Series(patches=[p], id=p.series_id, version=p.version, base_commit=p.base_commit, source=where)


def _load_diff(data: bytes, where: str) -> Series:
    text = _decode_text(data)
    name = Path(where).name if where != "<stdin>" else where
    patch = Patch(id=name, source=where)
    set_diff(patch, text, 0)
    return Series(patches=[patch], base_commit=patch.base_commit, source=where)
