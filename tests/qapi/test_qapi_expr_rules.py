"""P2 expression rules: one trigger and one near miss per rule, on definitions built in Python."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import pytest

from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.expr import check_exprs
from qapilint.qapi.exprs import Expr, ParsedSchema, Pragma
from qapilint.source import SourceInfo

Data = dict[str, object]


def run(data: Data, pragma: Pragma | None = None) -> list[SchemaError]:
    expr = Expr(copy.deepcopy(data), SourceInfo("t.json", 3))
    return check_exprs(ParsedSchema(root="t.json", exprs=[expr], pragma=pragma or Pragma())).errors


@dataclass
class Case:
    rule: str
    bad: Data
    message: str
    good: Data
    notes: list[str] = field(default_factory=list)
    pragma: Pragma | None = None     # for the near miss; also for the trigger when pragma_bad
    pragma_bad: bool = True


S: Data = {"struct": "Str", "data": {}}
U_BASE: Data = {"union": "Uni", "base": {"kind": "K"}, "discriminator": "kind", "data": {"a": "A"}}

CASES: list[Case] = [
    Case("expr-meta-key", {"struct": "Str", "enum": "Enm", "data": {}},
         "expression must have exactly one key 'enum', 'struct', 'union', 'alternate', 'command', 'event'", S),
    Case("expr-meta-key", {"data": {}},
         "expression must have exactly one key 'enum', 'struct', 'union', 'alternate', 'command', 'event'", S),
    Case("expr-keys-missing", {"enum": "Enm"}, "enum misses key 'data'", {"enum": "Enm", "data": []}),
    Case("expr-keys-missing", {"union": "Uni", "data": {}}, "union misses keys 'base', 'discriminator'", U_BASE),
    Case("expr-keys-unknown", {"alternate": "Alt", "base": "B", "data": {"i": "int"}},
         "alternate has unknown key 'base'", {"alternate": "Alt", "data": {"i": "int"}},
         ["Valid keys are 'alternate', 'data', 'features', 'if'."]),
    Case("expr-keys-unknown", {"event": "EV", "returns": "S", "gen": False},
         "event has unknown keys 'gen', 'returns'", {"event": "EV"},
         ["Valid keys are 'boxed', 'data', 'event', 'features', 'if'."]),
    # naming
    Case("name-not-string", {"struct": True, "data": {}}, "'struct' requires a string name", S),
    Case("name-not-string", {"enum": "Enm", "data": [{"name": ["x"]}]}, "'data' member requires a string name",
         {"enum": "Enm", "data": [{"name": "x"}]}),
    Case("name-not-string", {"struct": "Str", "data": {}, "features": [{"name": True}]},
         "'features' member requires a string name", {"struct": "Str", "data": {}, "features": [{"name": "f"}]}),
    Case("name-not-string", {**U_BASE, "discriminator": {}}, "'discriminator' requires a string name", U_BASE),
    Case("name-invalid", {"command": "my command"}, "command has an invalid name", {"command": "my-command"}),
    Case("name-invalid", {"struct": "Str", "data": {"*_a": "int"}}, "'data' member '*_a' has an invalid name",
         {"struct": "Str", "data": {"*__org.example_a": "int"}}),
    Case("name-invalid", {"command": "c", "data": {"a.b": "int"}}, "'data' member 'a.b' has an invalid name",
         {"command": "x-foo", "data": {"x-a": "int"}}),
    Case("name-reserved-q", {"enum": "Enm", "data": ["q-mode"]}, "'data' member 'q-mode' has an invalid name",
         {"enum": "Enm", "data": ["mode", "unix"]}),
    Case("name-reserved-q", {"command": "q_foo"}, "command has an invalid name", {"command": "qfoo"}),
    Case("name-event-case", {"event": "Disk-Full"}, "name of event must not use lowercase or '-'",
         {"event": "__com.example_DISK_FULL"}),
    Case("name-command-case", {"command": "query_status"}, "name of command must not use uppercase or '_'",
         {"command": "query_status"}, pragma=Pragma(command_name_exceptions=["query_status"]), pragma_bad=False),
    Case("name-command-case", {"command": "Query-status"}, "name of command must not use uppercase or '_'",
         {"command": "query-status"}, pragma=Pragma(command_name_exceptions=["Query-status"])),
    Case("name-type-camel", {"struct": "disk_info", "data": {}}, "name of struct must use CamelCase",
         {"struct": "x-DiskInfo", "data": {}}),
    Case("name-type-camel", {"enum": "ABC", "data": []}, "name of enum must use CamelCase",
         {"enum": "ABc1", "data": []}),
    Case("name-type-list-suffix", {"struct": "BlockList", "data": {}}, "struct name should not end in 'List'",
         {"struct": "BlockLists", "data": {}}),
    Case("name-member-case", {"struct": "Str", "data": {"fileName": "str"}},
         "name of 'data' member 'fileName' must not use uppercase or '_'",
         {"struct": "Str", "data": {"fileName": "str", "file_name": "str"}},
         pragma=Pragma(member_name_exceptions=["Str"]), pragma_bad=False),
    Case("name-member-case", {"command": "c", "data": {"a_b": "int"}},
         "name of 'data' member 'a_b' must not use uppercase or '_'",
         {"command": "c", "data": {"a-b": "int"}}, pragma=Pragma(member_name_exceptions=["c"])),
    Case("name-member-case", {"enum": "Enm", "data": ["On"]},
         "name of 'data' member 'On' must not use uppercase or '_'",
         {"enum": "Enm", "data": ["On", "1st"]}, pragma=Pragma(member_name_exceptions=["Enm"]),
         pragma_bad=False),
    Case("name-member-case", {"alternate": "Alt", "data": {"A": "int"}},
         "name of 'data' member 'A' must not use uppercase or '_'",
         {"alternate": "Alt", "data": {"a": "int"}}, pragma=Pragma(member_name_exceptions=["Alt"])),
    Case("name-member-case", {"command": "c", "features": ["my_feat"]},
         "name of 'features' member 'my_feat' must not use uppercase or '_'",
         {"command": "c", "features": ["my-feat"]}),
    Case("name-member-reserved", {"struct": "Str", "data": {"*has-cache": "bool"}},
         "'data' member '*has-cache' uses reserved name", {"struct": "Str", "data": {"*cache": "bool", "has": "int"}}),
    Case("name-member-reserved", {"event": "EV", "data": {"u": "int"}}, "'data' member 'u' uses reserved name",
         {"event": "EV", "data": {"uu": "int"}}),
    # enum
    Case("enum-data-not-array", {"enum": "Enm", "data": {"a": "b"}}, "'data' must be an array",
         {"enum": "Enm", "data": ["a", "b"]}),
    Case("enum-prefix-not-string", {"enum": "Enm", "prefix": True, "data": []}, "'prefix' must be a string",
         {"enum": "Enm", "prefix": "MY_E", "data": []}),
    Case("enum-value-keys", {"enum": "Enm", "data": [{"value": "a"}]}, "'data' member misses key 'name'",
         {"enum": "Enm", "data": [{"name": "a"}]}),
    Case("enum-value-keys", {"enum": "Enm", "data": [{"name": "a", "typo": "x"}]},
         "'data' member has unknown key 'typo'",
         {"enum": "Enm", "data": [{"name": "a", "if": "X", "features": ["f"]}]},
         ["Valid keys are 'features', 'if', 'name'."]),
    # struct
    Case("struct-data-not-object", {"struct": "Str", "data": "Other"}, "'data' should be an object or type name",
         {"struct": "Str", "base": "Other", "data": {}}),
    Case("struct-base-not-name", {"struct": "Str", "base": {"a": "int"}, "data": {}}, "'base' should be a type name",
         {"struct": "Str", "base": "B", "data": {}}),
    Case("member-keys", {"struct": "Str", "data": {"a": {"typ": "int"}}}, "'data' member 'a' misses key 'type'",
         {"struct": "Str", "data": {"a": {"type": "int"}}}),
    Case("member-keys", {"command": "c", "data": {"a": {"type": "int", "default": "1"}}},
         "'data' member 'a' has unknown key 'default'",
         {"command": "c", "data": {"a": {"type": "int", "if": "X", "features": ["f"]}}},
         ["Valid keys are 'features', 'if', 'type'."]),
    Case("member-keys", {**U_BASE, "base": {"kind": {"type": "K", "x": "y"}}},
         "'base' member 'kind' has unknown key 'x'", U_BASE, ["Valid keys are 'features', 'if', 'type'."]),
    # union
    Case("union-base-shape", {**U_BASE, "base": ["B"]}, "'base' should be an object or type name",
         {**U_BASE, "base": "B"}),
    Case("union-data-not-object", {**U_BASE, "data": ["A"]}, "'data' must be an object", U_BASE),
    Case("union-branch-keys", {**U_BASE, "data": {"a": {"type": "A", "features": ["f"]}}},
         "'data' member 'a' has unknown key 'features'", {**U_BASE, "data": {"a": {"type": "A", "if": "X"}}},
         ["Valid keys are 'if', 'type'."]),
    Case("union-branch-not-name", {**U_BASE, "data": {"a": ["A"]}}, "'data' member 'a' should be a type name",
         {**U_BASE, "data": {"a": "A", "B_c": "C"}}),
    # alternate
    Case("alternate-data-empty", {"alternate": "Alt", "data": {}}, "'data' must not be empty",
         {"alternate": "Alt", "data": {"n": "int"}}),
    Case("alternate-data-not-object", {"alternate": "Alt", "data": ["int"]}, "'data' must be an object",
         {"alternate": "Alt", "data": {"n": ["int"]}}),
    Case("alternate-branch-keys", {"alternate": "Alt", "data": {"n": {"typ": "int"}}},
         "'data' member 'n' misses key 'type'", {"alternate": "Alt", "data": {"n": {"type": "int", "if": "X"}}}),
    # command / event
    Case("command-data-shape", {"command": "c", "data": ["S"]}, "'data' should be an object or type name",
         {"command": "c", "data": "S"}),
    Case("command-boxed-needs-data", {"command": "c", "boxed": True}, "'boxed': true requires 'data'",
         {"command": "c", "boxed": True, "data": "S"}),
    Case("command-boxed-data-not-name", {"command": "c", "boxed": True, "data": {"a": "int"}},
         "'data' should be a type name", {"command": "c", "data": {"a": "int"}}),
    Case("command-returns-shape", {"command": "c", "returns": {"a": "int"}},
         "'returns' should be a type name or array", {"command": "c", "returns": ["R"]}),
    Case("command-returns-shape", {"command": "c", "returns": []},
         "'returns': array type must contain single type name", {"command": "c", "returns": "R"}),
    Case("event-data-shape", {"event": "EV", "data": ["S"]}, "'data' should be an object or type name",
         {"event": "EV", "data": "S"}),
    Case("event-boxed-needs-data", {"event": "EV", "boxed": True}, "'boxed': true requires 'data'",
         {"event": "EV", "boxed": True, "data": "S"}),
    Case("event-boxed-data-not-name", {"event": "EV", "boxed": True, "data": {"a": "int"}},
         "'data' should be a type name", {"event": "EV", "boxed": True, "data": "S"}),
    Case("flag-false-only", {"command": "c", "gen": True}, "flag 'gen' may only use false value",
         {"command": "c", "gen": False, "success-response": False}),
    Case("flag-true-only", {"command": "c", "allow-oob": False}, "flag 'allow-oob' may only use true value",
         {"command": "c", "allow-oob": True, "allow-preconfig": True}),
    Case("flag-true-only", {"event": "EV", "boxed": "yes", "data": "S"}, "flag 'boxed' may only use true value",
         {"event": "EV", "boxed": True, "data": "S"}),
    Case("flag-oob-coroutine", {"command": "c", "allow-oob": True, "coroutine": True},
         "flags 'allow-oob' and 'coroutine' are incompatible", {"command": "c", "coroutine": True}),
    # type references
    Case("typeref-not-name-or-array", {"struct": "Str", "data": {"a": {"type": {"b": "int"}}}},
         "'data' member 'a' should be a type name or array", {"struct": "Str", "data": {"a": {"type": ["B"]}}}),
    Case("typeref-not-name-or-array", {"alternate": "Alt", "data": {"a": {"type": True}}},
         "'data' member 'a' should be a type name or array", {"alternate": "Alt", "data": {"a": "bool"}}),
    Case("typeref-array-shape", {"struct": "Str", "data": {"a": ["int", "str"]}},
         "'data' member 'a': array type must contain single type name", {"struct": "Str", "data": {"a": ["int"]}}),
    Case("typeref-array-shape", {"event": "EV", "data": {"a": [["int"]]}},
         "'data' member 'a': array type must contain single type name", {"event": "EV", "data": {"a": ["int"]}}),
    # features
    Case("features-not-array", {"command": "c", "features": "deprecated"}, "'features' must be an array",
         {"command": "c", "features": ["deprecated"]}),
    Case("feature-keys", {"command": "c", "features": [{"nam": "f"}]}, "'features' member misses key 'name'",
         {"command": "c", "features": [{"name": "f"}]}),
    Case("feature-keys", {"struct": "Str", "data": {"a": {"type": "int", "features": [{"name": "f", "x": "y"}]}}},
         "'features' member has unknown key 'x'",
         {"struct": "Str", "data": {"a": {"type": "int", "features": [{"name": "f", "if": "X"}]}}},
         ["Valid keys are 'if', 'name'."]),
    # conditions
    Case("if-bad-type", {**S, "if": ["A"]}, "'if' condition of struct must be a string or an object", {**S, "if": "A"}),
    Case("if-not-identifier", {**S, "if": "defined(A)"},
         "'if' condition 'defined(A)' of struct is not a valid identifier", {**S, "if": "CONFIG_A1"}),
    Case("if-not-identifier", {"enum": "Enm", "data": [{"name": "a", "if": ""}]},
         "'if' condition '' of 'data' member 'a' is not a valid identifier",
         {"enum": "Enm", "data": [{"name": "a", "if": "A"}]}),
    Case("if-not-identifier", {"command": "c", "features": [{"name": "f", "if": {"not": "a"}}]},
         "'if' condition 'a' of 'features' member 'f' is not a valid identifier",
         {"command": "c", "features": [{"name": "f", "if": {"not": "A"}}]}),
    Case("if-keys", {**S, "if": {"and": ["A"]}}, "'if' condition of struct has unknown key 'and'",
         {**S, "if": {"all": ["A"]}}, ["Valid keys are 'all', 'any', 'not'."]),
    Case("if-conflicting-keys", {**S, "if": {"all": ["A"], "not": "B"}},
         "'if' condition of struct has conflicting keys", {**S, "if": {"all": ["A", {"not": "B"}]}}),
    Case("if-conflicting-keys", {**S, "if": {}}, "'if' condition of struct has conflicting keys",
         {**S, "if": {"not": {"any": ["A", "B"]}}}),
    Case("if-operands-not-array", {**S, "if": {"all": "A"}}, "'all' condition of struct must be an array",
         {**S, "if": {"all": ["A"]}}),
    Case("if-operands-empty", {**U_BASE, "data": {"a": {"type": "A", "if": {"any": []}}}},
         "'if' condition [] of 'data' member 'a' is useless",
         {**U_BASE, "data": {"a": {"type": "A", "if": {"any": ["A"]}}}}),
]


def _id(case: Case) -> str:
    return case.rule


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_rule_triggers(case: Case) -> None:
    errors = run(case.bad, case.pragma if case.pragma_bad else None)
    assert errors, "expected an error"
    first = errors[0]
    assert (first.rule, first.message, first.notes) == (case.rule, case.message, case.notes)
    assert first.info.line == 3 and first.info.col is None


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_rule_near_miss(case: Case) -> None:
    assert run(case.good, case.pragma) == []


def test_rule_registry_texts() -> None:
    from qapilint.findings import Severity
    from qapilint.qapi.rules import ERROR_RULES, RULE_IDS, RULES

    assert len(ERROR_RULES) == 127 and len(RULE_IDS) == len(RULES)
    for rule in RULES:
        assert rule.family == "schema" and rule.summary and "\n\nBad:  " in rule.explain and "\nFix:  " in rule.explain
        assert rule.severity == (Severity.NOTE if rule.id == "schema-not-checked" else Severity.ERROR)
    assert {c.rule for c in CASES} <= RULE_IDS
