"""What the parser hands to the expression checker: top-level expressions with source info."""

from __future__ import annotations

from dataclasses import dataclass, field

from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.doc_model import DocBlock
from qapilint.source import SourceInfo

# A parsed QAPI value: str, bool, list of values, or dict (insertion-ordered).
Value = object


@dataclass
class Expr:
    """One top-level definition (directives are consumed by the loader).

    ``data`` holds plain Python values exactly as written (keys keep the
    ``*`` optional marker); ``info`` is the line of the opening ``{``.
    """

    data: dict[str, Value]
    info: SourceInfo
    doc: DocBlock | None = None


@dataclass
class Pragma:
    doc_required: bool = False
    command_name_exceptions: list[str] = field(default_factory=list)
    command_returns_exceptions: list[str] = field(default_factory=list)
    documentation_exceptions: list[str] = field(default_factory=list)
    member_name_exceptions: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    """One file's parse: its expressions (directives included), doc blocks and errors."""

    path: str
    exprs: list[Expr] = field(default_factory=list)
    docs: list[DocBlock] = field(default_factory=list)
    errors: list[SchemaError] = field(default_factory=list)


@dataclass
class ParsedSchema:
    """A whole schema after P1 (parse, includes, pragmas, doc parsing).

    ``exprs`` are the definitions in QEMU's parse order (includes expanded
    depth-first at their directive); ``errors`` are P1 errors in the order
    QEMU would meet them (the first is the one QEMU reports).
    """

    root: str
    exprs: list[Expr] = field(default_factory=list)
    docs: list[DocBlock] = field(default_factory=list)
    pragma: Pragma = field(default_factory=Pragma)
    files: list[str] = field(default_factory=list)
    errors: list[SchemaError] = field(default_factory=list)
