"""Rules of the version family: ``Since:`` sections and ``(since X.Y)`` notes."""

from __future__ import annotations

from qapilint.checks.registry import Rule
from qapilint.findings import Severity

_F = "version"

SINCE_MISSING = Rule(
    "since-missing", _F, Severity.ERROR,
    "a new definition has no 'Since:' section",
    "Every definition's doc block ends with a tagged section 'Since: X.Y' naming the first "
    "release that contains it.  A new definition without one leaves users of the generated "
    "QMP reference guessing.  X.Y is the release under development (see 'expected' in the "
    "message for where qapilint got it).\n\n"
    "Bad:   ##\n       # @Foo:\n       #\n       # A foo.\n       ##\n"
    "Good:  add '# Since: 11.1' before the closing '##'.")
SINCE_MISMATCH = Rule(
    "since-mismatch", _F, Severity.ERROR,
    "a version tag names another release than the one under development",
    "New API is tagged with the release it will first appear in.  A tag naming a release "
    "that is already out is certainly wrong (typically a patch rebased across a release); "
    "one naming a later release, or the release that is currently frozen, is reported as a "
    "warning because the maintainer may intend it.\n\n"
    "The expected release comes from --target, else the tree's VERSION file, else the "
    "series' base-commit, else the patch date against QEMU's release calendar; every "
    "finding says which.")
SINCE_MEMBER_MISSING = Rule(
    "since-member-missing", _F, Severity.WARNING,
    "a member, value, branch or feature added to an existing definition lacks '(since X.Y)'",
    "When a definition already shipped, later additions carry an inline note at the end of "
    "their description, e.g. '@speed: Maximum speed (since 11.1)', so that users know "
    "which QEMU versions accept them.")
SINCE_REDUNDANT = Rule(
    "since-redundant", _F, Severity.NOTE,
    "'(since X.Y)' inside a definition that is itself new",
    "A member of a new definition is as old as the definition; its '(since X.Y)' note "
    "repeats the 'Since:' section, or, when it names an older release, was copied from "
    "elsewhere and is wrong.")
SINCE_FORMAT = Rule(
    "since-format", _F, Severity.ERROR,
    "a version tag is not of the form X.Y",
    "QEMU names releases X.Y.  '10.2.0' (three parts), 'v10.2' and development strings "
    "such as '10.2.50' or '10.1.92' are not used in tags.  An inline note may name a stable "
    "release ('(since 2.12.1)' exists in QEMU's schema), so three parts there are a warning.  "
    "Tags the patch only re-wraps or moves are not reported: it did not write them.")
SINCE_MALFORMED = Rule(
    "since-malformed", _F, Severity.ERROR,
    "a 'Since' line that QEMU's doc parser does not recognise as a section",
    "QEMU only recognises a tagged section spelled exactly 'Since:' at the start of a doc "
    "line (after '# ').  'Since 10.0' (no colon), 'since: 10.0' (lower case) or an "
    "indented 'Since:' become plain text, so the generated documentation has no version.")
SINCE_EDITED = Rule(
    "since-edited", _F, Severity.WARNING,
    "a patch changes an existing version tag",
    "Version tags record history; changing one is only right in a patch whose purpose is to "
    "fix tags (its commit message says so).  Otherwise it is usually an accident of "
    "rebasing or copy-and-paste.")
SINCE_SERIES = Rule(
    "since-series-inconsistent", _F, Severity.WARNING,
    "patches of one series name different releases in new version tags",
    "All new API in one series lands in the same release, so its tags should agree.")


SINCE_MEMBER_OLDER = Rule(
    "since-member-older", _F, Severity.WARNING,
    "a member's '(since X.Y)' is older than its definition's 'Since:'",
    "A member cannot have appeared before the definition that holds it.  This usually "
    "means the definition's 'Since:' is wrong (e.g. it was bumped when the type was "
    "renamed or split) or the member note was copied from elsewhere.  (audit only)")

RULES: tuple[Rule, ...] = (SINCE_MISSING, SINCE_MISMATCH, SINCE_MEMBER_MISSING, SINCE_REDUNDANT, SINCE_FORMAT,
                           SINCE_MALFORMED, SINCE_EDITED, SINCE_SERIES, SINCE_MEMBER_OLDER)
