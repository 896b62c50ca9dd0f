"""The check pipeline: patch -> rebuild -> schema before/after -> ChangeSet -> checks -> report.

Used by ``qapilint check`` and by the bot.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qapilint.patch import Patch, Series
from qapilint.reports.model import PatchReport


@dataclass
class CheckOptions:
    tree: str | None = None          # QEMU checkout (work tree) to rebuild against
    base: str | None = None          # git revision to read base files from
    target: str | None = None        # --target X.Y
    rules: str | None = None         # --rules latest|X.Y for schema rules
    show_all: bool = False           # --all: list pre-existing schema findings too
    extra: dict[str, object] = field(default_factory=dict)


def check_series(series: Series, options: CheckOptions) -> list[PatchReport]:
    """Check every patch of a series (earlier patches applied before later ones)."""
    raise NotImplementedError("wired up by the check integration")


def check_patch(patch: Patch, options: CheckOptions, series: Series | None = None) -> PatchReport:
    """Check one patch (a series context gives version consistency across patches)."""
    reports = check_series(series if series is not None else Series(patches=[patch]), options)
    for r in reports:
        if r.patch is patch:
            return r
    return reports[-1]
