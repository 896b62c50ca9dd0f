"""Rules of the docs family: doc comments agree with the definitions they describe."""

from __future__ import annotations

from qapilint.checks.registry import Rule
from qapilint.findings import Severity

_F = "docs"

# A doc symbol that differs from the definition, 'Returns:'/'Errors:' outside commands and
# descriptions of members that do not exist are QEMU's own rules (schema family).

UNDOCUMENTED = Rule("docs-undocumented", _F, Severity.WARNING,
                    "a new member, value, branch or feature has no description",
                    "Every member, enum value, alternate branch and feature gets an '@name:' "
                    "description in its definition's doc block (features under 'Features:').  "
                    "With a tree, QEMU's own check (doc-undocumented-member) reports this too.")
ORDER = Rule("docs-order", _F, Severity.NOTE,
             "member descriptions are not in definition order",
             "Readers expect descriptions in the order the members are defined; QEMU does not "
             "check this, reviewers do.")
BAD_REFERENCE = Rule("docs-bad-reference", _F, Severity.WARNING,
                     "a reference in a description does not resolve",
                     "`Name` cross-references a definition: one that names nothing is a broken link "
                     "in the manual (QEMU's Sphinx build rejects it).  '@name' is rendered as literal "
                     "text and may name a member of any definition; with a tree, one that names "
                     "nothing in the whole schema is reported as a likely typo or a stale name after "
                     "a rename.")

RULES: tuple[Rule, ...] = (UNDOCUMENTED, ORDER, BAD_REFERENCE)
