"""A fast conformance test for the small JSON Schemas qapilint ships.

Importing jsonschema costs more than checking a patch, so valid inputs are
accepted by this interpreter of the same shipped schema; jsonschema stays the
authority: anything this module does not fully understand, and every input it
does not accept, goes to jsonschema, which decides and words the error.
"""

from __future__ import annotations

from typing import Any

# Keywords that only annotate.
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$comment", "examples"})
_SUPPORTED = frozenset({"type", "required", "properties", "items", "additionalProperties", "anyOf", "const"})


def _is_type(value: object, name: str) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    raise _Unknown(name)


class _Unknown(Exception):
    """A keyword or type this interpreter does not implement."""


def _conforms(value: object, schema: Any) -> bool:
    if schema is True:
        return True
    if schema is False or not isinstance(schema, dict):
        raise _Unknown(repr(schema))
    for key in schema:
        if key not in _SUPPORTED and key not in _ANNOTATIONS:
            raise _Unknown(key)
    if "const" in schema and not (value == schema["const"] and type(value) is type(schema["const"])):
        return False
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, t) for t in types):
            return False
    if "anyOf" in schema and not any(_conforms(value, s) for s in schema["anyOf"]):
        return False
    if isinstance(value, dict):
        if any(k not in value for k in schema.get("required", ())):
            return False
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for k, v in value.items():
            if not _conforms(v, props.get(k, extra)):
                return False
    if isinstance(value, list) and "items" in schema:
        return all(_conforms(v, schema["items"]) for v in value)
    return True


def conforms(value: object, schema: dict[str, Any]) -> bool | None:
    """True when ``value`` is valid, False when not, None when the schema uses more than we know."""
    try:
        return _conforms(value, schema)
    except (_Unknown, RecursionError):
        return None
