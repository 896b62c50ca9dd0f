"""Distinct module-to-module imports inside one room of qapilint, and imports of rooms above it.

usage: python scripts/import_edges.py [ROOM] [--above ROOM,ROOM...] [--root CHECKOUT]

ROOM defaults to ``rebuild``; the rooms above default to those the
architecture puts after it (changes, checks, reports, cli, bot, pipeline).
Function-level imports count too.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def edges(root: str, room: str, above: list[str]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    d = os.path.join(root, "qapilint", room)
    inside: set[tuple[str, str]] = set()
    upward: set[tuple[str, str]] = set()
    for fn in sorted(os.listdir(d)):
        if not fn.endswith(".py"):
            continue
        mod = fn[:-3]
        with open(os.path.join(d, fn)) as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            parts = node.module.split(".")
            if parts[:2] == ["qapilint", room]:
                targets = parts[2:3] or [a.name for a in node.names]
                inside.update((mod, t) for t in targets if t != mod)
            elif len(parts) > 1 and parts[0] == "qapilint" and parts[1] in above:
                upward.add((mod, ".".join(parts[1:])))
    return inside, upward


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("room", nargs="?", default="rebuild")
    ap.add_argument("--above", default="changes,checks,reports,cli,bot,pipeline")
    ap.add_argument("--root", default=HERE, help="the checkout to read (default: this one)")
    a = ap.parse_args()
    inside, upward = edges(a.root, a.room, a.above.split(","))
    print(f"{len(inside)} module-to-module imports inside {a.room}/, {len(upward)} upward")
    for x, y in sorted(inside):
        print(f"  {x} -> {y}")
    for x, y in sorted(upward):
        print(f"  {x} -> {y} (upward)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
