"""Rules of the docs family: doc comments agree with the definitions they describe."""

from __future__ import annotations

from qapilint.checks.registry import Rule
from qapilint.findings import Severity

_F = "docs"

UNDOCUMENTED = Rule("docs-undocumented", _F, Severity.WARNING,
                    "a new member, value, branch or feature has no description",
                    "Every member, enum value, alternate branch and feature gets an '@name:' "
                    "description in its definition's doc block (features under 'Features:').  "
                    "With a tree, QEMU's own check (doc-undocumented-member) reports this too.")
UNKNOWN_DESCRIPTION = Rule("docs-unknown-description", _F, Severity.ERROR,
                           "a description names a member that does not exist",
                           "An '@name:' description whose member is gone is usually a rename the doc "
                           "did not follow.  QEMU rejects it (doc-documented-member-missing).")
SYMBOL_MISMATCH = Rule("docs-symbol-mismatch", _F, Severity.ERROR,
                       "the doc block's '@Symbol:' line does not name the definition below it",
                       "QEMU attaches a doc block to the definition that follows and requires the "
                       "symbol to be that definition's name (doc-symbol-mismatch).")
ORDER = Rule("docs-order", _F, Severity.NOTE,
             "member descriptions are not in definition order",
             "Readers expect descriptions in the order the members are defined; QEMU does not "
             "check this, reviewers do.")
SECTION_MISPLACED = Rule("docs-section-misplaced", _F, Severity.ERROR,
                         "'Returns:' or 'Errors:' in the doc of something that is not a command",
                         "Only commands return data or errors; QEMU rejects these sections elsewhere.")
BAD_REFERENCE = Rule("docs-bad-reference", _F, Severity.WARNING,
                     "a reference in a description does not resolve",
                     "'@name' refers to a member of the same definition and `Name` to a definition; "
                     "one that names nothing renders as a broken reference in the manual.")

RULES: tuple[Rule, ...] = (UNDOCUMENTED, UNKNOWN_DESCRIPTION, SYMBOL_MISMATCH, ORDER, SECTION_MISPLACED,
                           BAD_REFERENCE)
