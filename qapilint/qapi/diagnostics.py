"""Schema errors as QEMU's frontend reports them, with a stable rule id."""

from __future__ import annotations

from dataclasses import dataclass, field

from qapilint.findings import Finding, Severity
from qapilint.source import SourceInfo


@dataclass
class SchemaError:
    """One schema problem.

    ``message`` is the first line exactly as QEMU prints it; ``notes`` are
    QEMU's continuation lines ("Valid keys are ...", "previous definition").
    ``rule`` is an id from :mod:`qapilint.qapi.rules`.
    """

    rule: str
    message: str
    info: SourceInfo
    notes: list[str] = field(default_factory=list)
    severity: Severity = Severity.ERROR

    def to_finding(self) -> Finding:
        return Finding(rule=self.rule, severity=self.severity, message=self.message,
                       file=self.info.file, line=self.info.line, col=self.info.col,
                       family="schema", notes=list(self.notes),
                       definition=self.info.defn_name)


class SchemaStop(Exception):
    """Raised where QEMU stops and nothing after it can be checked sensibly."""

    def __init__(self, error: SchemaError) -> None:
        super().__init__(error.message)
        self.error = error
