"""Rules of the release family: a release-level comparison judged by QEMU's deprecation policy."""

from __future__ import annotations

from qapilint.checks.registry import Rule
from qapilint.findings import Severity

_F = "release"
_POLICY = ("QEMU's deprecation policy: a feature is marked with the 'deprecated' feature, keeps working "
           "in the release that first ships the mark and in one more, and only then may be removed or "
           "changed incompatibly.  Items with the 'unstable' feature and names starting with 'x-' are "
           "exempt.  The history is read from the releases in the tree's git history (VERSION X.Y.0).  "
           "Used by 'qapilint diff OLD NEW' and 'qapilint check --against REV'.")

REMOVED_UNDEPRECATED = Rule(
    "release-removed-undeprecated", _F, Severity.ERROR,
    "something clients use is removed without having been deprecated",
    "A command, event, member, enum value or branch that clients can see is gone, and the last "
    "release that had it did not mark it deprecated.  " + _POLICY)
REMOVED_EARLY = Rule(
    "release-removed-early", _F, Severity.ERROR,
    "something deprecated is removed before its deprecation period ended",
    "It was marked deprecated, but not for long enough: it must still work in the release after "
    "the one that first marked it.  " + _POLICY)
UNDECLARED_BREAK = Rule(
    "release-undeclared-break", _F, Severity.ERROR,
    "an incompatible change that was not declared in advance",
    "A change that breaks existing clients (a new mandatory argument, an optional argument made "
    "mandatory, a returned member made optional, a type that no longer accepts what it did, a "
    "narrower 'if' condition, ...) on an item that was neither deprecated for the required period "
    "nor exempt.  'Declared' means announced by the schema itself: the 'deprecated' feature in "
    "earlier releases, or 'unstable' / an 'x-' name.  " + _POLICY)
DECLARED_BREAK = Rule(
    "release-declared-break", _F, Severity.NOTE,
    "an incompatible change the deprecation policy allows",
    "The change breaks clients that still use the item, but it was deprecated for long enough, is "
    "unstable or has an 'x-' name.  Worth a line in the release notes.  " + _POLICY)

RULES: tuple[Rule, ...] = (REMOVED_UNDEPRECATED, REMOVED_EARLY, UNDECLARED_BREAK, DECLARED_BREAK)
