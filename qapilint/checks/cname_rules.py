"""Rules of the C-name family: the C identifiers the schema generates, used by the patch's C code."""

from __future__ import annotations

from qapilint.checks.registry import Rule
from qapilint.findings import Severity

_F = "cname"

HAS_FLAG_MISSING = Rule(
    "cname-has-flag-absent", _F, Severity.ERROR,
    "C code uses a has_FOO flag the schema does not generate",
    "QAPI generates 'bool has_FOO' only for optional members whose C type is not a pointer "
    "(integers, numbers, booleans, enums) and for optional arrays.  Optional str, any, null "
    "and object/alternate members are pointers: absence is NULL and there is no flag.  "
    "Mandatory members never have one.  Code using a flag that is not generated does not "
    "compile.")
HAS_FLAG_NOT_SET = Rule(
    "cname-has-flag-not-set", _F, Severity.WARNING,
    "C code sets an optional member that needs has_FOO without setting the flag",
    "For optional scalar, enum and array members the generated code looks at has_FOO, not "
    "at the value: setting info->foo without info->has_foo = true means the member is "
    "never sent.")

RULES: tuple[Rule, ...] = (HAS_FLAG_MISSING, HAS_FLAG_NOT_SET)
