"""Steps every reader shares once it has a subject, a message body and a diff."""

from __future__ import annotations

from qapilint import input_notes as notes
from qapilint.errors import InputError
from qapilint.patch import Patch
from qapilint.sources.diff import parse_diff, reindent_doc_continuations
from qapilint.sources.message import base_commit, parse_subject, split_message, trailers
from qapilint.sources.tolerant import DiffError


def is_qapi_path(path: str | None) -> bool:
    """A QAPI schema file: a .json file under a 'qapi' directory or named qapi-schema*."""
    if not path or not path.endswith(".json"):
        return False
    parts = path.split("/")
    return any(p == "qapi" or p.startswith("qapi-schema") for p in parts[:-1]) \
        or parts[-1].startswith("qapi-schema")


def set_subject(patch: Patch, subject: str, extra_prefixes: list[str] | None = None) -> None:
    s = parse_subject(subject)
    patch.subject = s.subject
    patch.title = s.title
    patch.prefixes = s.prefixes or list(extra_prefixes or [])
    if not s.prefixes and extra_prefixes:
        s2 = parse_subject("[" + " ".join(extra_prefixes) + "] x")
        s.version, s.number, s.total = s2.version, s2.number, s2.total
    patch.version = s.version
    patch.number = s.number
    patch.total = s.total


def set_message(patch: Patch, body: str) -> str:
    """Fill message/trailers from a body without its diff; return the text after '---'."""
    message, after = split_message(body)
    patch.message = message
    patch.trailers = trailers(message)
    return after


# The schema text one patch's hunks may show: QEMU's whole schema is 742 KB and
# its largest file 200 KB; past this a patch is refused, so that checking one
# patch stays within seconds.
MAX_SCHEMA_HUNK_BYTES = 512 * 1024


def schema_hunk_bytes(patch: Patch) -> int:
    """Characters of hunk lines in the patch's .json files (what the schema checks read)."""
    return sum(len(ln.text) + 1 for fd in patch.files if (fd.new_path or fd.old_path or "").endswith(".json")
               for h in fd.hunks for ln in h.lines)


def set_diff(patch: Patch, diff: str, offset: int, context_text: str = "") -> None:
    """Parse ``diff`` into ``patch.files`` and record the input notes."""
    patch.diff = diff
    patch.diff_offset = offset
    if patch.base_commit is None:
        patch.base_commit = base_commit(context_text) or base_commit(diff)
    if not diff.strip():
        patch.notes.append(notes.NO_DIFF)
        return
    try:
        parsed = parse_diff(diff, offset, context_text)
    except DiffError as e:
        # Every reader comes through here: the one place a diff is read.
        raise InputError(patch.source or patch.id, f"diff line {e.line}: {e.message}") from None
    patch.files = parsed.files
    size = schema_hunk_bytes(patch)
    if size > MAX_SCHEMA_HUNK_BYTES:
        raise InputError(patch.source or patch.id, f"patch {patch.id}: its schema hunks hold {size // 1024} KiB, "
                                                   f"more than {MAX_SCHEMA_HUNK_BYTES // 1024} KiB; refused")
    patch.whitespace_collapsed = parsed.whitespace_collapsed
    patch.notes.extend(parsed.notes)
    if patch.whitespace_collapsed:
        for fd in patch.files:
            if is_qapi_path(fd.path):
                reindent_doc_continuations(fd)
    if not parsed.files:
        patch.notes.append(notes.NO_DIFF)
        return
    for fd in patch.files:
        if fd.status in ("deleted", "renamed") and is_qapi_path(fd.old_path):
            patch.notes.append(notes.schema_removed(fd.old_path or "", fd.status, fd.new_path))
    if not any(is_qapi_path(fd.old_path) or is_qapi_path(fd.new_path) for fd in patch.files):
        patch.notes.append(notes.NOT_QAPI)
