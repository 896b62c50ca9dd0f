"""Configuration: ``[tool.qapilint]`` in pyproject.toml, or a ``.qapilint.toml`` (top-level keys).

Found by walking up from the tree (or the current directory); ``--config
FILE`` names one explicitly.  In each directory ``.qapilint.toml`` wins over
a pyproject.toml, and a pyproject.toml without ``[tool.qapilint]`` is passed
over.  Example::

    [tool.qapilint]
    select = ["version", "compat"]
    ignore = ["since-redundant"]
    extend-select = ["docs-order"]
    fail-on = "warning"
    target = "11.1"
    tree = "../qemu"

    [tool.qapilint.severity]
    "docs-order" = "warning"

    [tool.qapilint.per-path-ignores]
    "qapi/audio.json" = ["since-edited"]

Every error (unknown key, bad type, unknown rule) is an InputError naming
the file and the key.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qapilint.errors import InputError
from qapilint.findings import Severity

CONFIG_NAMES = (".qapilint.toml", "pyproject.toml")

KEYS = ("select", "ignore", "extend-select", "severity", "target", "tree", "per-path-ignores", "fail-on",
        "format", "show-source")


@dataclass
class Config:
    path: str | None = None
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    target: str | None = None
    tree: str | None = None
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    fail_on: Severity | None = None
    format: str | None = None
    show_source: bool | None = None


def _read(path: Path) -> dict[str, Any]:
    # Imported here: a TOML parser costs 5 ms at start-up, and most trees have no config file.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        with path.open("rb") as f:
            data: dict[str, Any] = tomllib.load(f)
            return data
    except OSError as e:
        raise InputError(str(path), f"cannot read config: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(str(path), f"invalid TOML: {e}") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "config is not UTF-8") from None


def _table(path: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    """The qapilint settings of a file, or None when it has none (pyproject without the table)."""
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        if not isinstance(tool, dict) or "qapilint" not in tool:
            return None
        table = tool["qapilint"]
        if not isinstance(table, dict):
            raise InputError(str(path), "[tool.qapilint] must be a table")
        return table
    if "tool" in data and isinstance(data["tool"], dict) and "qapilint" in data["tool"] and len(data) == 1:
        table = data["tool"]["qapilint"]
        return table if isinstance(table, dict) else {}
    return data


def find_config(start: str | Path | None = None) -> Path | None:
    """The nearest config file at or above ``start`` (default: the current directory)."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    if here.is_file():
        here = here.parent
    for d in (here, *here.parents):
        for name in CONFIG_NAMES:
            p = d / name
            if not p.is_file():
                continue
            if name == "pyproject.toml":
                try:
                    if _table(p, _read(p)) is None:
                        continue
                except InputError:
                    return p  # let load() report it
            return p
    return None


def _strings(where: str, key: str, value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(where, f"'{key}' must be a list of strings")
    return list(value)


def _severity(where: str, key: str, value: object) -> Severity:
    if not isinstance(value, str):
        raise InputError(where, f"'{key}' must be one of error, warning, note")
    try:
        return Severity.parse(value)
    except ValueError:
        raise InputError(where, f"'{key}': unknown severity {value!r} (error, warning, note)") from None


def _unknown_key(where: str, key: str, known: tuple[str, ...]) -> InputError:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return InputError(where, f"unknown key '{key}'{hint}; known keys: {', '.join(known)}")


def parse(table: dict[str, Any], where: str) -> Config:
    cfg = Config(path=where)
    for key, value in table.items():
        if key not in KEYS:
            raise _unknown_key(where, key, KEYS)
        if key == "select":
            cfg.select = _strings(where, key, value)
        elif key == "ignore":
            cfg.ignore = _strings(where, key, value)
        elif key == "extend-select":
            cfg.extend_select = _strings(where, key, value)
        elif key == "severity":
            if not isinstance(value, dict):
                raise InputError(where, "'severity' must be a table of rule = severity")
            cfg.severity = {str(k): _severity(where, f"severity.{k}", v) for k, v in value.items()}
        elif key == "per-path-ignores":
            if not isinstance(value, dict):
                raise InputError(where, "'per-path-ignores' must be a table of glob = [rules]")
            cfg.per_path_ignores = {str(k): _strings(where, f"per-path-ignores.{k}", v) for k, v in value.items()}
        elif key == "fail-on":
            cfg.fail_on = _severity(where, key, value)
        elif key in ("target", "tree", "format"):
            if not isinstance(value, str):
                raise InputError(where, f"'{key}' must be a string")
            setattr(cfg, key, value)
        elif key == "show-source":
            if not isinstance(value, bool):
                raise InputError(where, "'show-source' must be true or false")
            cfg.show_source = value
    if cfg.tree is not None and not Path(cfg.tree).is_absolute():
        # Relative to the config file, not to wherever qapilint runs.
        cfg.tree = str((Path(where).parent / cfg.tree).resolve())
    return cfg


def load(path: str | Path) -> Config:
    p = Path(path)
    if not p.is_file():
        raise InputError(str(p), "config file not found")
    table = _table(p, _read(p))
    if table is None:
        raise InputError(str(p), "no [tool.qapilint] table")
    return parse(table, str(p))


def discover(explicit: str | None = None, start: str | Path | None = None) -> Config:
    """``--config FILE``, else the nearest config above ``start``, else defaults."""
    if explicit:
        return load(explicit)
    found = find_config(start)
    return load(found) if found is not None else Config()
