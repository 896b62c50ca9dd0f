"""Patchwork REST JSON (``/api/patches/N/``, ``/api/covers/N/``, ``/api/series/N/``) -> Patch / Series.

A series object only references its patches (id, url, msgid).  How they are
found is the caller's ``resolve``: over HTTP they are fetched by URL
(``http.py``); for a series saved as a file they are looked up beside it
(``sibling_resolver``): ``<id>.json``, ``patch-<id>.json`` or
``patchwork-patch-<id>.json`` in the same directory, else any sibling JSON
file whose ``id`` matches.  A saved series may also embed whole patch objects
(with ``diff``); those are used as they are.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from qapilint.errors import InputError
from qapilint.patch import Patch, Series
from qapilint.sources.common import set_diff, set_message, set_subject
from qapilint.sources.message import (
    MAX_HEADER_BYTES,
    HeaderError,
    base_commit,
    clean_text,
    decode_words,
    header_fields,
    header_lists,
    parse_date,
    pseudo_from,
    split_address,
    strip_pseudo_headers,
)
from qapilint.sources.schema_fast import conforms

JSON = dict[str, Any]
Resolver = Callable[[JSON], JSON | None]
MAX_SIBLING_SCAN = 5000
# Patchwork objects nest four or five levels; the stdlib parser recurses per level.
MAX_JSON_DEPTH = 64
_JSON_NESTING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


@lru_cache(maxsize=4)
def _schema(name: str) -> Any:
    return json.loads(resources.files("qapilint.data").joinpath(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=2)
def _validator(name: str) -> Any:
    # Typed as Any on purpose: jsonschema ships no type information and the stub
    # package is not a project dependency.  Imported here: it is slow to import.
    jsonschema: Any = importlib.import_module("jsonschema")
    schema = _schema(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _field(err: Any) -> str:
    return ".".join(str(p) for p in err.absolute_path)


def validate(data: object, schema: str, where: str, what: str) -> None:
    """Raise InputError naming the first offending field."""
    if conforms(data, _schema(schema)) is True:
        return  # the common case, decided without importing jsonschema
    errors = sorted(_validator(schema).iter_errors(data), key=lambda e: (len(e.absolute_path), e.message))
    if not errors:
        return
    err = errors[0]
    if err.validator == "required":
        missing = [r for r in err.validator_value if isinstance(err.instance, dict) and r not in err.instance]
        name = missing[0] if missing else "?"
        inside = _field(err)
        full = f"{inside}.{name}" if inside else name
        raise InputError(where, f"{what} JSON: '{full}' is missing")
    if err.validator == "type" and not err.absolute_path:
        raise InputError(where, f"{what} JSON: expected an object, got {type(data).__name__}")
    got = type(err.instance).__name__ if err.instance is not None else "null"
    raise InputError(where, f"{what} JSON: '{_field(err)}' has an unexpected value ({got}): {err.message[:120]}")


def json_depth_error(text: str) -> str | None:
    """Why ``text`` nests too deeply to be read as JSON (the position of the first level too deep), or None."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return None
    depth = 0
    for m in _JSON_NESTING.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return f"nested deeper than {MAX_JSON_DEPTH} levels at offset {m.start()}"
        elif c in "]}":
            depth -= 1
    return None


def loads(text: str, where: str) -> Any:
    """Patchwork JSON text -> its value, nesting bounded, strings without lone surrogates."""
    why = json_depth_error(text)
    if why is not None:
        raise InputError(where, f"patchwork JSON: {why}")
    try:
        return clean_json(json.loads(text))
    except ValueError as e:
        raise InputError(where, f"patchwork JSON: not valid JSON ({e})") from None


def clean_json(value: Any) -> Any:
    """``value`` with every string (keys too) free of lone surrogates, which no output can encode.

    JSON escapes such as ``\\ud800`` make them; iterative, so any depth is fine.
    """
    if isinstance(value, str):
        return clean_text(value)
    if not isinstance(value, (dict, list)):
        return value
    root: list[Any] = [value]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        holder, key = stack.pop()
        v = holder[key]
        if isinstance(v, str):
            holder[key] = clean_text(v)
        elif isinstance(v, list):
            stack.extend((v, i) for i in range(len(v)))
        elif isinstance(v, dict):
            if any(isinstance(k, str) and clean_text(k) != k for k in v):
                cleaned = {clean_text(k): x for k, x in v.items()}
                v.clear()
                v.update(cleaned)
            stack.extend((v, k) for k in v)
    return root[0]


def _headers(data: JSON) -> dict[str, str]:
    """Headers as name -> first value; patchwork gives an object (lists for repeats) or raw text."""
    raw = data.get("headers")
    out: dict[str, str] = {}
    if isinstance(raw, str):
        if len(raw) > MAX_HEADER_BYTES:
            raise HeaderError(f"'headers' larger than {MAX_HEADER_BYTES // 1024} KiB")
        out = header_fields(raw)
    elif isinstance(raw, dict):
        for k, v in raw.items():
            if isinstance(v, list):
                v = v[0] if v else ""
            if isinstance(v, str):
                out[k.lower()] = v
    return out


def _recipients(data: JSON, name: str) -> list[str]:
    """Every value of address header ``name`` (patchwork gives a list for a repeated header)."""
    raw = data.get("headers")
    if isinstance(raw, str):
        return header_lists(raw[:MAX_HEADER_BYTES]).get(name.lower(), [])
    if isinstance(raw, dict):
        for k, v in raw.items():
            if isinstance(k, str) and k.lower() == name.lower():
                return [x for x in (v if isinstance(v, list) else [v]) if isinstance(x, str)]
    return []


def _text(v: object) -> str:
    return v if isinstance(v, str) else ""


def _fill_common(patch: Patch, data: JSON) -> tuple[str, dict[str, str]]:
    hdrs = _headers(data)
    subject = decode_words(" ".join(hdrs.get("subject", "").split())) or _text(data.get("name"))
    prefixes = [p for p in (data.get("prefixes") or []) if isinstance(p, str)]
    set_subject(patch, subject, prefixes)
    sub = data.get("submitter")
    if isinstance(sub, dict):
        patch.author, patch.email = _text(sub.get("name")), _text(sub.get("email"))
    if not patch.email and hdrs.get("from"):
        patch.author, patch.email = split_address(hdrs["from"])
    content = _text(data.get("content")).replace("\r\n", "\n")
    pf = pseudo_from(content)
    if pf and pf[1]:
        patch.author, patch.email = pf
    patch.date = parse_date(hdrs.get("date")) or parse_date(_text(data.get("date")))
    patch.msgid = _text(data.get("msgid")) or hdrs.get("message-id") or None
    patch.in_reply_to = hdrs.get("in-reply-to") or None
    patch.to, patch.cc = _recipients(data, "to"), _recipients(data, "cc")
    if pf and pf[1] and hdrs.get("from"):
        patch.cc.append(hdrs["from"])  # sent on the author's behalf: the sender is in the thread too
    series = data.get("series")
    if isinstance(series, list) and series and isinstance(series[0], dict):
        sid = series[0].get("id")
        patch.series_id = str(sid) if sid not in (None, "") else None
        sv = series[0].get("version")
        if isinstance(sv, int) and patch.version == 1 and sv > 1:
            patch.version = sv
    return strip_pseudo_headers(content), hdrs


def patch_from_patchwork_json(data: JSON, where: str) -> Patch:
    """A Patch from one ``GET /api/patches/N/`` object (validated against the shipped schema)."""
    data = clean_json(data)
    validate(data, "patchwork-patch.schema.json", where, "patchwork")
    patch = Patch(id=str(data["id"]), source=where)
    try:
        body, _ = _fill_common(patch, data)
    except HeaderError as e:
        raise InputError(where, f"patchwork: {e}") from None
    after = set_message(patch, body)
    set_diff(patch, _text(data.get("diff")).replace("\r\n", "\n"), 0, body + "\n" + after)
    return patch


def cover_from_patchwork_json(data: JSON, where: str) -> Patch:
    """A cover letter (``GET /api/covers/N/`` or a series' cover reference) as a diff-less Patch."""
    data = clean_json(data)
    patch = Patch(id=str(data.get("id", "")), source=where)
    try:
        body, _ = _fill_common(patch, data)
    except HeaderError as e:
        raise InputError(where, f"patchwork cover: {e}") from None
    after = set_message(patch, body)
    patch.base_commit = patch.base_commit or base_commit(body + "\n" + after)
    return patch


def is_series_json(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("patches"), list) and "diff" not in data


def series_from_json(data: object, where: str, resolve: Resolver, resolve_cover: Resolver) -> Series:
    """A Series from ``GET /api/series/N/``, its patches found by ``resolve``."""
    validate(data, "patchwork-series.schema.json", where, "patchwork series")
    assert isinstance(data, dict)
    series = Series(id=str(data["id"]), source=where)
    if isinstance(data.get("version"), int):
        series.version = data["version"]
    ra = data.get("received_all")
    series.received_all = ra if isinstance(ra, bool) else None
    cover_ref = data.get("cover_letter")
    if isinstance(cover_ref, dict):
        full = cover_ref if "content" in cover_ref else resolve_cover(cover_ref)
        series.cover = cover_from_patchwork_json(full or cover_ref, where)
        series.base_commit = series.cover.base_commit
    for ref in data["patches"]:
        full = ref if "diff" in ref else resolve(ref)
        if full is None:
            raise InputError(where, f"patchwork series: patch {ref.get('id')} not found")
        p = patch_from_patchwork_json(full, f"{where}#patch-{ref.get('id')}")
        p.series_id = p.series_id or series.id
        series.patches.append(p)
    series.patches.sort(key=lambda p: (p.number is None, p.number or 0))
    if series.base_commit is None:
        series.base_commit = next((p.base_commit for p in series.patches if p.base_commit), None)
    return series


def series_from_list(items: list[Any], where: str) -> Series:
    """A JSON array of patch objects (``GET /api/patches/?series=N``) as one Series."""
    series = Series(source=where)
    for k, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError(where, f"patchwork JSON: item {k} is not an object")
        series.patches.append(patch_from_patchwork_json(item, f"{where}[{k}]"))
    if series.patches:
        series.id = series.patches[0].series_id
        series.version = series.patches[0].version
        series.base_commit = next((p.base_commit for p in series.patches if p.base_commit), None)
    return series


def _load_json(path: Path) -> Any:
    try:
        return loads(path.read_bytes().decode("utf-8"), str(path))
    except (OSError, ValueError, InputError):
        return None


def sibling_resolver(series_path: Path, kind: str = "patch") -> Resolver:
    """Find a referenced patch/cover in files beside a saved series JSON."""
    folder = series_path.parent
    index: dict[str, Path] | None = None

    def resolve(ref: JSON) -> JSON | None:
        nonlocal index
        rid = str(ref.get("id"))
        for name in (f"{rid}.json", f"{kind}-{rid}.json", f"patchwork-{kind}-{rid}.json"):
            cand = folder / name
            if cand.is_file() and cand != series_path:
                got = _load_json(cand)
                if isinstance(got, dict) and str(got.get("id")) == rid:
                    return got
        if index is None:
            index = {}
            for n, cand in enumerate(sorted(folder.glob("*.json"))):
                if n >= MAX_SIBLING_SCAN:
                    break
                got = _load_json(cand)
                if isinstance(got, dict) and cand != series_path and ("diff" in got or "content" in got):
                    index.setdefault(f"{'patch' if 'diff' in got else 'cover'}:{got.get('id')}", cand)
        hit = index.get(f"{kind}:{rid}")
        got = _load_json(hit) if hit else None
        return got if isinstance(got, dict) else None

    return resolve
