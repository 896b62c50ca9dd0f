"""The fast schema check never accepts what jsonschema rejects (it may defer)."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from qapilint.sources.patchwork import _schema
from qapilint.sources.schema_fast import conforms

SCHEMAS = ("patchwork-patch.schema.json", "patchwork-series.schema.json")
ODD_VALUES: list[Any] = [None, "", 0, 1.5, True, [], {}, ["x"], {"a": 1}, "text", [1]]


def _mutations(doc: dict[str, Any], rng: random.Random, n: int) -> list[Any]:
    out: list[Any] = []
    keys = list(doc)
    for _ in range(n):
        m = copy.deepcopy(doc)
        k = rng.choice(keys)
        action = rng.random()
        if action < 0.3:
            del m[k]
        elif action < 0.8:
            m[k] = rng.choice(ODD_VALUES)
        elif isinstance(m.get("series"), list) and m["series"]:
            m["series"][0][rng.choice(["id", "version", "name"])] = rng.choice(ODD_VALUES)
        else:
            m[k] = {"nested": rng.choice(ODD_VALUES)}
        out.append(m)
    out += [None, [], "patch", 3]
    return out


def _agrees(doc: Any, name: str) -> None:
    schema = _schema(name)
    fast = conforms(doc, schema)
    truth = jsonschema.validators.validator_for(schema)(schema).is_valid(doc)
    if fast is True:
        assert truth, f"fast check accepted what jsonschema rejects: {json.dumps(doc)[:200]}"
    if truth and fast is False:
        pytest.fail("fast check rejected a valid document (it should defer, not reject)")


@pytest.mark.parametrize("name", SCHEMAS)
def test_fast_check_agrees_on_fixture_mutations(name: str, fixtures_dir: Path) -> None:
    doc = json.loads((fixtures_dir / "examples" / "throttle-stats.json").read_text())
    if name.startswith("patchwork-series"):
        doc = {"id": 7, "name": "s", "version": 1, "patches": [{"id": 1, "url": "u"}], "cover_letter": None}
    for m in [doc, *_mutations(doc, random.Random(1234), 300)]:
        _agrees(m, name)


def test_fast_check_accepts_every_real_patch(data_dir: Path) -> None:
    files = sorted((data_dir / "corpus" / "patchwork").glob("*.json"))[:200]
    if not files:
        pytest.skip("corpus not available")
    for f in files:
        doc = json.loads(f.read_text())
        assert conforms(doc, _schema(SCHEMAS[0])) is True
        _agrees(doc, SCHEMAS[0])


def test_unknown_keywords_defer() -> None:
    assert conforms({"a": 1}, {"type": "object", "patternProperties": {}}) is None
