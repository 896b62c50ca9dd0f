"""Schema errors as QEMU's frontend reports them, with a stable rule id."""

from __future__ import annotations

from collections import Counter
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


def errors_not_in(after: list[SchemaError], before: list[SchemaError]) -> list[SchemaError]:
    """The errors of ``after`` that ``before`` does not have, in order, matched by (rule,
    message) and counted: an error ``before`` has once takes away one of ``after``'s."""
    seen = Counter((e.rule, e.message) for e in before)
    out: list[SchemaError] = []
    for e in after:
        k = (e.rule, e.message)
        if seen[k] > 0:
            seen[k] -= 1
        else:
            out.append(e)
    return out


class SchemaStop(Exception):
    """Raised where QEMU stops and nothing after it can be checked sensibly."""

    def __init__(self, error: SchemaError) -> None:
        super().__init__(error.message)
        self.error = error
