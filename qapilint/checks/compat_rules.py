"""Rules of the compatibility family: what QMP clients see change."""

from __future__ import annotations

from qapilint.checks.registry import Rule
from qapilint.findings import Severity

_F = "compat"
_DIR = ("Directions: 'send' is what clients send (command arguments and every type reachable "
        "from them); 'receive' is what they get (command returns, event data, and every type "
        "reachable from them).  A type reachable from both must satisfy both.  Things with "
        "the 'unstable' feature are exempt; removing something marked 'deprecated' follows "
        "QEMU's deprecation policy and is reported as a note.")

REMOVED_COMMAND = Rule("compat-removed-command", _F, Severity.ERROR,
                       "a command or event is removed",
                       "Clients call commands and listen for events by name; removing one breaks "
                       "them unless it was deprecated for the required releases.  " + _DIR)
REMOVED_MEMBER = Rule("compat-removed-member", _F, Severity.ERROR,
                      "a member or argument is removed from a type clients use",
                      "In the send direction clients that pass the member get an error; in the "
                      "receive direction clients that read it break.  " + _DIR)
REMOVED_VALUE = Rule("compat-removed-value", _F, Severity.ERROR,
                     "an enum value is removed",
                     "Clients may send the value (send direction) or rely on seeing it.  A value "
                     "that can no longer occur in a receive-only type is invisible on the wire but "
                     "visible in introspection (warning).  " + _DIR)
REMOVED_BRANCH = Rule("compat-removed-branch", _F, Severity.ERROR,
                      "a union or alternate branch is removed",
                      "Clients selecting the branch break.  " + _DIR)
NEW_MANDATORY = Rule("compat-new-mandatory", _F, Severity.ERROR,
                     "a mandatory member is added in the send direction",
                     "Existing clients do not send it, so their commands fail.  Make it optional "
                     "and document what absence means.  " + _DIR)
OPTIONAL_TO_MANDATORY = Rule("compat-optional-to-mandatory", _F, Severity.ERROR,
                             "an optional member becomes mandatory in the send direction",
                             "Clients that omit it break.  " + _DIR)
MANDATORY_TO_OPTIONAL = Rule("compat-mandatory-to-optional", _F, Severity.ERROR,
                             "a mandatory member becomes optional in the receive direction",
                             "Clients may rely on its presence (heuristic inference, not stated by "
                             "QEMU's documentation).  " + _DIR)
TYPE_CHANGED = Rule("compat-type-changed", _F, Severity.WARNING,
                    "a member's type changes",
                    "Changing a member's type is compatible only in special cases (e.g. in the send "
                    "direction replacing T by an alternate that includes T, or making a str an "
                    "enum in the receive direction).  Check the wire format stays accepted.  " + _DIR)
STRUCTURE_CHANGED = Rule("compat-structure-changed", _F, Severity.WARNING,
                         "a base type, discriminator or boxed/returns shape changes",
                         "These change the members a client sees or must send.  " + _DIR)
OPTIONAL_UNDOCUMENTED = Rule("compat-optional-absence", _F, Severity.NOTE,
                             "a new optional member does not say what its absence means",
                             "For arguments, the documentation must say what happens when the member is "
                             "absent (the default); for returned data, when it is absent.  Clients depend "
                             "on that meaning staying the same.")
NEEDS_TREE = Rule("compat-needs-tree", _F, Severity.NOTE,
                  "compatibility of changed types could not be judged without a tree",
                  "Whether a type is sent, received or both depends on every command and event "
                  "that reaches it, which only the whole schema shows.  Run with --tree DIR.")

RULES: tuple[Rule, ...] = (REMOVED_COMMAND, REMOVED_MEMBER, REMOVED_VALUE, REMOVED_BRANCH, NEW_MANDATORY,
                           OPTIONAL_TO_MANDATORY, MANDATORY_TO_OPTIONAL, TYPE_CHANGED, STRUCTURE_CHANGED,
                           OPTIONAL_UNDOCUMENTED, NEEDS_TREE)
