"""Rules of the message family: does the commit message agree with the diff?"""

from __future__ import annotations

from qapilint.checks.registry import Rule
from qapilint.findings import Severity

_F = "message"

TYPE_MISMATCH = Rule(
    "message-type-mismatch", _F, Severity.WARNING,
    "the commit message quotes a member with another type than the diff declares",
    "Commit messages often quote the new schema ('Foo { 'bar': 'int' }') or example QMP "
    "output.  When the diff was revised (say 'int' became 'uint32') but the message was "
    "not, reviewers and the git history are misled.  Update the message or the diff.")
MEMBER_UNKNOWN = Rule(
    "message-member-unknown", _F, Severity.WARNING,
    "the commit message quotes a member the diff does not have",
    "A member named in a quoted definition of the commit message does not exist in the "
    "definitions the patch adds or changes: typically a rename during review ('foo_bar' "
    "vs 'foo-bar') that the message did not follow.")
DEFINITION_UNKNOWN = Rule(
    "message-definition-unknown", _F, Severity.NOTE,
    "the commit message quotes a definition the diff does not add or change",
    "The message shows a definition by name with members, but the patch touches no "
    "definition of that name: perhaps it was renamed in a later revision.")

RULES: tuple[Rule, ...] = (TYPE_MISMATCH, MEMBER_UNKNOWN, DEFINITION_UNKNOWN)
