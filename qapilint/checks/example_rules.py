"""Rules of the example family: QMP examples (doc comments, commit messages) against the schema."""

from __future__ import annotations

from qapilint.checks.registry import Rule
from qapilint.findings import Severity
from qapilint.qapi import qmp_ids as Q

_F = "example"

_WHERE = ("Examples are the '->' (client) and '<-' (server) messages of '.. qmp-example::' blocks, "
          "of the 'Example:' sections of older trees and of literal blocks in doc comments.  ")

SYNTAX = Rule(
    Q.SYNTAX, _F, Severity.ERROR,
    "a QMP example message is not JSON",
    _WHERE + "Each message, with its elisions ('...' as a line, an array item, a member or a "
    "value) taken out, must be JSON.  The finding says what is wrong and where: a trailing "
    "comma, a missing comma, a bracket closed by the wrong kind or too early, a bracket never "
    "closed, a single-quoted string (QEMU's own parser takes those as an extension, but QMP "
    "is JSON and QEMU never sends them), a bare word.  A message that does not parse is not "
    "checked against the schema, except past a missing or trailing comma.")
UNKNOWN_COMMAND = Rule(
    Q.UNKNOWN_COMMAND, _F, Severity.ERROR,
    "a QMP example executes a command the schema does not define",
    _WHERE + "\"execute\" (or \"exec-oob\") names a command; QEMU answers an unknown one with "
    "CommandNotFound.  Usually a rename the example did not follow.")
UNKNOWN_EVENT = Rule(
    Q.UNKNOWN_EVENT, _F, Severity.ERROR,
    "a QMP example shows an event the schema does not define",
    _WHERE + "\"event\" names an event of the schema.")
UNKNOWN_MEMBER = Rule(
    Q.UNKNOWN_MEMBER, _F, Severity.ERROR,
    "a QMP example has a member its type does not have",
    _WHERE + "Every key of \"arguments\", of a reply's \"return\" value and of an event's "
    "\"data\", at every depth, must be a member of its type: struct members with those of "
    "its bases, a union's base members plus those of the branch its discriminator selects, "
    "command and event arguments.  QEMU rejects unknown arguments; an unknown key in output "
    "documents something QEMU never sends (often a typo or an old spelling: 'backing_file' "
    "for 'backing-filename').  Commands defined with 'gen': false take arguments their schema "
    "does not list (device_add passes them to the device), so their unknown keys are not "
    "reported.")
WRONG_TYPE = Rule(
    Q.WRONG_TYPE, _F, Severity.ERROR,
    "a QMP example has a value of the wrong JSON type",
    _WHERE + "str takes a string, the integer types a number without fraction or exponent, "
    "number any number, bool true or false, null null, enums a string, arrays an array, "
    "structs and unions an object, any anything.  An alternate takes the branch the value's "
    "JSON type selects (a string: its str or enum branch, a number: its numeric branch, ...), "
    "and nothing else.")
BAD_VALUE = Rule(
    Q.BAD_VALUE, _F, Severity.ERROR,
    "a QMP example has an integer out of range or a string that is no value of its enum",
    _WHERE + "Integer members must fit their type (int8 -128..127, uint32 0..4294967295, ...; "
    "QEMU accepts negative numbers for uint64 and size arguments, so only output is held to "
    "0..2^64-1).  Enum members take one of the enum's values; values with an 'if' condition "
    "count (the example may show a build that has them).  An error reply's \"class\" is a "
    "value of QapiErrorClass.")
MISSING_MEMBER = Rule(
    Q.MISSING_MEMBER, _F, Severity.WARNING,
    "a QMP example leaves out mandatory members",
    _WHERE + "An object that shows no elision ('...') should show every mandatory member of its "
    "type; a union always its discriminator.  Members with an 'if' condition are not "
    "required.  Shortened output is fine when it says so: add '...' to the object.  QEMU "
    "rejects a command without a mandatory argument.")
SHAPE = Rule(
    Q.SHAPE, _F, Severity.ERROR,
    "a QMP example message is no command, reply or event",
    _WHERE + "A client sends {\"execute\": NAME, \"arguments\": {...}, \"id\": ...}; the server "
    "answers {\"return\": VALUE} or {\"error\": {\"class\": ..., \"desc\": ...}} (plus the "
    "command's \"id\"), or sends an event.  A reply that shows the return value without "
    "{\"return\": ...} around it, a key QMP does not have, an arrow pointing the wrong way "
    "are reported.")
TIMESTAMP = Rule(
    Q.TIMESTAMP, _F, Severity.WARNING,
    "a QMP example event has no proper timestamp",
    _WHERE + "Every event carries \"timestamp\": {\"seconds\": N, \"microseconds\": N}, two "
    "integers and nothing else.")
OOB = Rule(
    Q.OOB, _F, Severity.ERROR,
    "a QMP example runs a command out of band that does not allow it",
    _WHERE + "\"exec-oob\" is for commands defined with 'allow-oob': true; QEMU rejects it for "
    "any other.")
STALE = Rule(
    "example-stale", _F, Severity.WARNING,
    "the patch makes an existing QMP example wrong",
    "With a tree, the examples the patch does not touch are checked against the schema "
    "before and after it: a problem that appears only after (the patch renamed or removed a "
    "member an example shows, made one mandatory that it leaves out, removed a command or an "
    "enum value it uses) is reported at the example, with the change that caused it.")
NEEDS_TREE = Rule(
    "example-needs-tree", _F, Severity.NOTE,
    "QMP examples name commands, events or types out of view: run with a tree",
    "Without a tree only the definitions the patch's hunks show are known.  Examples (and QMP "
    "in the commit message) that use others were checked for syntax only, and members of cut "
    "definitions were not checked; run with --tree to check them fully.")
MESSAGE_SYNTAX = Rule(
    "example-commit-syntax", _F, Severity.ERROR,
    "QMP quoted in the commit message is not JSON",
    "A brace block of the commit message whose first key is a QMP one (execute, return, "
    "event, error), or one after a '->' / '<-' arrow, is a QMP message, checked like the "
    "examples of doc comments (see example-syntax).  The location is in the commit message.")
MESSAGE_MISMATCH = Rule(
    "example-commit-mismatch", _F, Severity.ERROR,
    "QMP quoted in the commit message contradicts the patched schema",
    "QMP messages of the commit message, as far as they can be attributed to a command or an "
    "event, are matched against the schema as the patch leaves it: unknown commands, events "
    "and members, wrong types, values out of range.  Members left out are not reported "
    "(commit messages often show part of the output).")

RULES: tuple[Rule, ...] = (SYNTAX, UNKNOWN_COMMAND, UNKNOWN_EVENT, UNKNOWN_MEMBER, WRONG_TYPE, BAD_VALUE,
                           MISSING_MEMBER, SHAPE, TIMESTAMP, OOB, STALE, NEEDS_TREE, MESSAGE_SYNTAX,
                           MESSAGE_MISMATCH)
BY_ID = {r.id: r for r in RULES}
