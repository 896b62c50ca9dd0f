"""One compared schema: loaded with the frontend's loader from a git revision or a directory.

A side keeps the definitions as written (the shape the compat rules and
the differ read), the send/receive usage graph of the whole schema, and
the file texts, to point entries at the line of the item they are about.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import re
from collections.abc import Callable

from qapilint import contain
from qapilint.changes.items import Item, inherited_from, parts
from qapilint.changes.model import SchemaState
from qapilint.changes.usage import directions
from qapilint.compare.model import SideInfo
from qapilint.definitions import Definition
from qapilint.errors import InputError
from qapilint.qapi.exprs import ParsedSchema
from qapilint.rebuild.detect import MAIN_ROOT, TreeReader
from qapilint.sources.gitrepo import GitRepo
from qapilint.versions import Version, next_release

METAS = ("enum", "struct", "union", "alternate", "command", "event")
Read = Callable[[str], "str | None"]
# A definition's text ends where the next top-level expression or doc block starts.
_NEXT = re.compile(r"^(\{|##)")
_MAX_DEF_LINES = 3000


def release_of(version_text: str | None) -> tuple[Version | None, bool]:
    """VERSION -> (the release it is or develops toward, whether it is that release)."""
    m = re.fullmatch(r"\s*(\d+)\.(\d+)\.(\d+)\s*", version_text or "")
    if not m:
        return None, False
    a, b, c = (int(x) for x in m.groups())
    if c < 50:              # X.Y.0, or a stable X.Y.Z: release X.Y
        return (a, b), True
    return next_release((a, b)), False


def definitions_of(parsed: ParsedSchema) -> dict[str, Definition]:
    """Definitions of a loaded schema, as written; the first of a name wins (as in QEMU)."""
    out: dict[str, Definition] = {}
    for e in parsed.exprs:
        meta = next((m for m in METAS if m in e.data), None)
        name = e.data.get(meta) if meta else None
        if meta is None or not isinstance(name, str) or name in out:
            continue
        # 'storage-daemon/qapi/../../qapi/block.json' is qapi/block.json.
        out[name] = Definition(name=name, meta=meta, data=e.data, info=e.info, doc=e.doc,
                               file=os.path.normpath(e.info.file))
    return out


class Side:
    """A whole schema as clients see it."""

    def __init__(self, info: SideInfo, read: Read, reader: TreeReader | None = None) -> None:
        self.info = info
        self.defs = info.definitions
        self.read = read
        self.reader = reader            # what ``read`` reads through, when it is a tree
        self.dirs = directions(SchemaState(definitions=self.defs, complete=True))
        self._lines: dict[str, list[str]] = {}
        self._view: dict[str, ObjView] = {}

    @classmethod
    def from_parsed(cls, parsed: ParsedSchema, info: SideInfo, read: Read,
                    reader: TreeReader | None = None) -> Side:
        info.definitions = definitions_of(parsed)
        # Doc-comment errors do not change what clients see (and old releases fail newer doc rules).
        info.errors = sum(1 for e in parsed.errors if not e.rule.startswith("doc-"))
        return cls(info, read, reader)

    def lines(self, path: str) -> list[str]:
        got = self._lines.get(path)
        if got is None:
            text = self.read(os.path.normpath(path)) if path else None
            got = text.split("\n") if text is not None else []
            self._lines[path] = got
        return got

    def locate(self, d: Definition, *tokens: str | None) -> tuple[str, int | None]:
        """File and line of an item of ``d``: each token (a member, value, branch or feature
        name) is looked for from where the one before it was found."""
        line = d.info.line or None
        if line is None:
            return d.file, line
        lines = self.lines(d.file)
        at = line - 1
        for token in tokens:
            if token is None:
                continue
            pat = re.compile(r"'\*?" + re.escape(token) + "'")
            for i in range(at, min(len(lines), line - 1 + _MAX_DEF_LINES)):
                if i > line - 1 and _NEXT.match(lines[i]):
                    break
                if pat.search(lines[i]):
                    at = i
                    break
        return d.file, at + 1

    def view(self, d: Definition) -> ObjView:
        got = self._view.get(d.name)
        if got is None:
            got = ObjView.of(d, self.defs)
            self._view[d.name] = got
        return got


class ObjView:
    """An object as introspection shows it: every member (own and inherited) with the
    definition that declares it, and the variants of a union (also a boxed command's)."""

    def __init__(self) -> None:
        self.members: dict[str, tuple[Item, Definition]] = {}
        self.branches: dict[str, tuple[Item, Definition]] = {}
        self.discriminator: str | None = None
        self.union: Definition | None = None

    @classmethod
    def of(cls, d: Definition, defs: dict[str, Definition]) -> ObjView:
        v = cls()
        chain = [d, *inherited_from(d, defs)]
        for x in reversed(chain):               # nearer definitions win
            for name, it in parts(x.meta, x.data)["member"].items():
                v.members[name] = (it, x)
        v.union = next((x for x in chain if x.meta == "union"), None)
        if v.union is not None:
            disc = v.union.data.get("discriminator")
            v.discriminator = disc if isinstance(disc, str) else None
            for name, it in parts("union", v.union.data)["branch"].items():
                v.branches[name] = (it, v.union)
        return v


def _version(read: Read) -> str | None:
    text = read("VERSION")
    return text.strip() if text is not None else None


def load_side(spec: str, tree: str | None, schema: str = MAIN_ROOT,
              memo: dict[tuple[str, str | None, str], Side] | None = None, repo: GitRepo | None = None) -> Side:
    """Load the schema named by ``spec``: a directory holding it, or a git revision of ``tree``.

    ``repo`` reads the git objects (the caller's, who closes it: one
    ``cat-file`` process for every side and release of a run).  Raises
    :class:`InputError` for an unknown revision, a missing schema or an
    unreadable root.
    """
    if os.path.isdir(spec):
        reader = TreeReader(spec)
        label = spec
    else:
        if tree is None:
            raise InputError(spec, "neither a directory nor a revision of a git tree (give --tree DIR)")
        if not spec or spec.startswith("-") or any(c in spec for c in "\n\r\0"):
            raise InputError(spec, "not a revision name")
        reader = TreeReader(tree, spec, repo=repo)
        label = spec
    key = (os.path.abspath(reader.root), reader.rev, schema)
    if memo is not None and key in memo:
        got = memo[key]
        if got.info.label == label:
            return got
        other = copy.copy(got)
        other.info = dataclasses.replace(got.info, label=label)
        return other
    side = _load(reader, label, schema)
    if memo is not None:
        memo[key] = side
    return side


def _load(reader: TreeReader, label: str, schema: str) -> Side:
    from qapilint.qapi.loader import load_schema

    def read_or_fail(path: str) -> str:
        # Names relative to the tree; one that leaves it, a link out of it, a FIFO, ... is
        # refused (contain.PathRefused), and the loader reports it as include-outside-tree.
        text = reader.read_or_refuse(os.path.normpath(path))
        if text is None:
            raise OSError(2, "No such file or directory", path)
        return text

    where = f"{label}:{schema}" if reader.rev else os.path.join(label, schema)
    try:
        root_text = reader.read_or_refuse(os.path.normpath(schema))
    except contain.PathRefused as e:
        raise InputError(where, f"schema not read: {e.reason}") from None
    if root_text is None:
        raise InputError(where, "no schema there (see --schema)")
    parsed = load_schema(schema, read_or_fail, tree="")
    vtext = _version(reader.read)
    release, released = release_of(vtext)
    info = SideInfo(label=label, root=schema, commit=reader.rev, version_text=vtext, release=release,
                    released=released,
                    refused=[f"{e.info.file}:{e.info.line}: {e.message} [{e.rule}]" for e in parsed.errors
                             if e.rule == "include-outside-tree"])
    return Side.from_parsed(parsed, info, reader.read, reader)
