"""Texts of the input notes put in ``Patch.notes``, and the rule each one belongs to.

The readers only record strings (the Patch model carries ``notes: list[str]``);
``qapilint.checks.input_rules.check_input`` turns them back into findings by
matching the fixed start of each text below.  Beside the patch model, not in
``qapilint.sources``: the rule registry reads it, and importing any module of
that package loads every reader (mail, HTTP, git), a third of ``audit``'s
start-up.
"""

from __future__ import annotations

WHITESPACE_COLLAPSED = "input whitespace appears collapsed; whitespace-sensitive rules skipped"
NOT_QAPI = "patch touches no QAPI schema file"
NO_DIFF = "no diff found in the input"
TRUNCATED = "diff ends in the middle of a hunk (truncated input?)"


def context_repaired(count: int) -> str:
    return f"context lines without their leading space read as context: {count}"


def hunk_mismatch(where: list[str]) -> str:
    shown = ", ".join(where[:5]) + (", ..." if len(where) > 5 else "")
    return f"hunk line counts disagree with their headers; read as far as they go: {shown}"


def binary(path: str) -> str:
    return f"binary change not checked: {path}"


def schema_removed(path: str, status: str, new_path: str | None) -> str:
    if status == "renamed" and new_path:
        return f"schema file renamed: {path} -> {new_path}"
    return f"schema file deleted: {path}"


# (fixed start of the text, rule id); first match wins.
NOTE_RULES: tuple[tuple[str, str], ...] = (
    (WHITESPACE_COLLAPSED, "input-whitespace-collapsed"),
    (NOT_QAPI, "input-not-qapi"),
    (NO_DIFF, "input-no-diff"),
    (TRUNCATED, "input-truncated"),
    ("context lines without their leading space", "input-context-repaired"),
    ("hunk line counts disagree", "input-hunk-mismatch"),
    ("binary change not checked", "input-binary"),
    ("schema file renamed", "input-schema-removed"),
    ("schema file deleted", "input-schema-removed"),
)


def rule_of(note: str) -> str:
    for start, rule in NOTE_RULES:
        if note.startswith(start):
            return rule
    return "input-note"
