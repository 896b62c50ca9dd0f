"""Loading a whole schema: the root file, its includes (depth-first) and pragmas.

Mirrors QEMU's frontend: an include is relative to the including file and
named ``os.path.join(dirname(includer), include)``; a file already included
anywhere is skipped; a file that includes itself through the chain of
includers is an inclusion loop; pragmas form one global state where a later
setting replaces an earlier one.

Unlike QEMU, an include must stay inside the schema's tree (see
:mod:`qapilint.contain`): a patch's ``{ 'include': '../../secret' }`` or an
absolute path gives ``include-outside-tree`` and nothing is read.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from qapilint import contain
from qapilint.collector import paused
from qapilint.errors import InputError
from qapilint.qapi.cache import ParseCache, default_cache, parse_file_cached
from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.exprs import Expr, ParsedSchema, Pragma, Value
from qapilint.source import SourceInfo

Reader = Callable[[str], str]

_LIST_PRAGMAS = {
    "command-name-exceptions": "command_name_exceptions",
    "command-returns-exceptions": "command_returns_exceptions",
    "documentation-exceptions": "documentation_exceptions",
    "member-name-exceptions": "member_name_exceptions",
}


def read_file(path: str) -> str:
    """Read a schema file as QEMU does (UTF-8, universal newlines): a regular file, size-capped, never blocking."""
    return contain.decode(contain.read_regular(path))


def _why(e: Exception) -> str:
    if isinstance(e, UnicodeDecodeError):
        return f"not valid UTF-8 (byte 0x{e.object[e.start]:02x} at offset {e.start})"
    if isinstance(e, InputError):
        return e.message
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e) or type(e).__name__


class _Loader:
    def __init__(self, root: str, reader: Reader, cache: ParseCache | None, tree: str | None) -> None:
        self.reader = reader
        self.tree = tree
        self.cache = cache
        self.schema = ParsedSchema(root=root)
        self.included: set[str] = set()

    def load(self, text: str, fname: str, parent: SourceInfo | None) -> None:
        self.included.add(os.path.abspath(fname))
        self.schema.files.append(fname)
        fp = parse_file_cached(text, fname, parent, self.cache)
        parsed = fp.parsed
        schema = self.schema
        n_err = n_doc = 0
        for expr in parsed.exprs:
            mark = fp.marks.get(id(expr))
            if mark is None:
                schema.exprs.append(expr)
                continue
            # Everything the file produced before the directive comes first.
            schema.errors.extend(parsed.errors[n_err:mark[0]])
            schema.docs.extend(parsed.docs[n_doc:mark[1]])
            n_err, n_doc = mark
            if "include" in expr.data:
                self.include(expr, fname)
            else:
                self.pragma(expr)
        schema.errors.extend(parsed.errors[n_err:])
        schema.docs.extend(parsed.docs[n_doc:])

    def error(self, rule: str, message: str, info: SourceInfo) -> None:
        self.schema.errors.append(SchemaError(rule, message, info))

    def include(self, expr: Expr, fname: str) -> None:
        info = expr.info
        if len(expr.data) != 1:
            self.error("include-extra-keys", "invalid 'include' directive", info)
            return
        include = expr.data["include"]
        if not isinstance(include, str):
            self.error("include-not-string", "value of 'include' must be a string", info)
            return
        incl_fname = os.path.join(os.path.dirname(fname), include)
        try:
            if os.path.isabs(include) or "\0" in include:
                raise contain.PathRefused(include, contain.lexical_problem(include) or "absolute path")
            if self.tree is not None:
                contain.relative_name(self.tree, incl_fname)
        except contain.PathRefused as e:
            self.outside(include, e.reason, info)
            return
        incl_abs = os.path.abspath(incl_fname)
        inf: SourceInfo | None = info
        while inf is not None:
            if incl_abs == os.path.abspath(inf.file):
                self.error("include-loop", f"inclusion loop for {include}", info)
                return
            inf = inf.parent
        if incl_abs in self.included:
            return
        try:
            text = self.reader(incl_fname)
        except contain.PathRefused as e:
            if isinstance(e, contain.TooLarge):
                self.error("include-unreadable", f"can't read include file '{contain.show(incl_fname)}': "
                           f"{e.reason}", info)
            else:
                self.outside(include, e.reason, info)
            return
        except (OSError, UnicodeDecodeError, InputError) as e:
            self.error("include-unreadable", f"can't read include file '{incl_fname}': {_why(e)}", info)
            return
        self.load(text, incl_fname, info)

    def outside(self, include: str, reason: str, info: SourceInfo) -> None:
        # The path as written and why; never anything read from it.
        self.error("include-outside-tree", f"can't include '{contain.show(include)}': {reason}", info)

    def pragma(self, expr: Expr) -> None:
        info = expr.info
        if len(expr.data) != 1:
            self.error("pragma-extra-keys", "invalid 'pragma' directive", info)
            return
        pragma = expr.data["pragma"]
        if not isinstance(pragma, dict):
            self.error("pragma-not-object", "value of 'pragma' must be an object", info)
            return
        for name, value in pragma.items():
            self.one_pragma(name, value, info)

    def one_pragma(self, name: str, value: Value, info: SourceInfo) -> None:
        state: Pragma = self.schema.pragma
        if name == "doc-required":
            if not isinstance(value, bool):
                self.error("pragma-doc-required-bool", "pragma 'doc-required' must be boolean", info)
                return
            state.doc_required = value
        elif name in _LIST_PRAGMAS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.error("pragma-not-string-list", f"pragma {name} must be a list of strings", info)
                return
            setattr(state, _LIST_PRAGMAS[name], list(value))
        else:
            self.error("pragma-unknown", f"unknown pragma '{name}'", info)


def _tree_reader(tree: str) -> Reader:
    files = contain.TreeFiles(tree)

    def read(name: str) -> str:
        return contain.decode(files.read_bytes(contain.relative_name(tree, name)))
    return read


def load_schema(path: str, reader: Reader | None = None, use_cache: bool = True,
                tree: str | None = None) -> ParsedSchema:
    """Parse the schema rooted at ``path`` with all its includes (QEMU's phase P1).

    ``reader`` maps a file name to its text, so patched texts can be checked
    from memory; its names are relative to the tree when ``tree`` is "".
    Without a reader the file system is read, inside ``tree`` (default: the
    tree ``path`` belongs to, :func:`contain.find_root`); the root file
    itself is the caller's and only has to be a regular file.  Includes that
    leave ``tree`` (or are absolute) are refused.  An unreadable root raises
    :class:`InputError`; everything else is in ``ParsedSchema.errors``, the
    first being the one QEMU reports.  Parses come from the on-disk cache
    (:mod:`qapilint.qapi.cache`) when it holds them, unless ``use_cache`` is
    false.
    """
    if reader is None:
        tree = tree if tree is not None else contain.find_root(path)
        read = _tree_reader(tree)
        first: Reader = read_file
    else:
        read = first = reader
    try:
        text = first(path)
    except InputError:
        raise
    except contain.PathRefused as e:
        raise InputError(path, f"can't read schema file '{contain.show(path)}': {e.reason}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(path, f"can't read schema file '{path}': {_why(e)}") from None
    loader = _Loader(path, read, default_cache() if use_cache else None, tree)
    with paused():   # see parser.parse_file_events
        loader.load(text, path, None)
    return loader.schema
