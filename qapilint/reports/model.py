"""What a ``check`` run produces, for every report format to render."""

from __future__ import annotations

from dataclasses import dataclass, field

from qapilint import __version__
from qapilint.changes.model import PatchChanges
from qapilint.findings import Finding
from qapilint.patch import Patch


@dataclass
class PatchReport:
    patch: Patch
    findings: list[Finding] = field(default_factory=list)
    changes: PatchChanges | None = None
    preexisting: int = 0                 # schema findings already present before the patch (not listed)
    notes: list[str] = field(default_factory=list)   # e.g. "needs a tree", whitespace note
    expected_version: str | None = None
    expected_version_source: str | None = None       # provenance of the expected version
    touches_qapi: bool = True


@dataclass
class InputFailure:
    where: str
    message: str


@dataclass
class Report:
    patches: list[PatchReport] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    failures: list[InputFailure] = field(default_factory=list)
    tool_version: str = __version__
    tree: str | None = None
    # What the run looked at when it was not patches ('the tree ~/qemu' for audit): said in summaries.
    scope: str | None = None
    # --fix: how many findings had their fix written (they are no longer listed); None without --fix.
    fixed: int | None = None

    def base_notes(self) -> list[str]:
        """The distinct 'base: ...' notes of the patches (which tree state was checked, and why)."""
        out: list[str] = []
        for rep in self.patches:
            for n in rep.notes:
                if n.startswith("base: ") and n not in out:
                    out.append(n)
        return out
