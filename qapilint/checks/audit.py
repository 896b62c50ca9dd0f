"""``qapilint audit``: version-tag rules over every definition of a whole tree."""

from __future__ import annotations

import os

from qapilint.checks import version_rules as R
from qapilint.checks.registry import Rule
from qapilint.checks.tags import Tag, find_tags
from qapilint.findings import Finding
from qapilint.qapi.exprs import Expr, ParsedSchema
from qapilint.versions import fmt

META_KEYS = ("enum", "struct", "union", "alternate", "command", "event")


def _f(rule: Rule, file: str, line: int, message: str, *, col: int | None = None,
       definition: str | None = None, item: str | None = None) -> Finding:
    return Finding(rule=rule.id, family=rule.family, severity=rule.severity, message=message, file=file,
                   line=line, col=col, definition=definition, item=item)


def _meta_name(e: Expr) -> tuple[str, str]:
    for k in META_KEYS:
        v = e.data.get(k)
        if isinstance(v, str):
            return k, v
    return "definition", "?"


def audit_expr(e: Expr) -> list[Finding]:
    meta, name = _meta_name(e)
    out: list[Finding] = []
    doc = e.doc
    file = e.info.file
    if doc is None:
        out.append(_f(R.SINCE_MISSING, file, e.info.line, f"{meta} '{name}' has no doc block, so no 'Since:'",
                      definition=name))
        return out
    section_tag: tuple[int, Tag] | None = None
    malformed = False
    member_tags: list[tuple[int, Tag, str]] = []
    for sec in doc.sections:
        for dl in sec.lines:
            for t in find_tags(dl.raw):
                prob = t.format_problem
                if prob:
                    out.append(_f(R.SINCE_FORMAT, file, dl.line, f"malformed version: {prob}", col=t.col,
                                  definition=name, item=sec.name if sec.kind != "tag" else None))
                if t.kind == "section":
                    if sec.kind == "tag" and sec.name == "Since" and t.proper:
                        section_tag = (dl.line, t)
                    elif sec.kind in ("member", "feature") and dl.line != sec.info.line:
                        # an indented 'Since: X' inside a description: a member note
                        member_tags.append((dl.line, t, sec.name or "?"))
                    else:
                        malformed = True
                        out.append(_f(R.SINCE_MALFORMED, file, dl.line,
                                      f"'Since' in the doc of {meta} '{name}' is not recognised as a section "
                                      f"({t.problem or 'not at the start of a section'}); "
                                      f"write '# Since: {t.version_text}'", col=t.col, definition=name))
                elif sec.kind in ("member", "feature"):
                    member_tags.append((dl.line, t, sec.name or "?"))
    if doc.tag("Since") is None and not malformed:
        out.append(_f(R.SINCE_MISSING, file, doc.end_line, f"{meta} '{name}' has no 'Since:' section",
                      definition=name))
    if section_tag is not None and section_tag[1].version is not None:
        dv = section_tag[1].version
        for line, t, item in member_tags:
            mv = t.version
            if mv is not None and mv < dv:
                out.append(_f(R.SINCE_MEMBER_OLDER, file, line,
                              f"'{item}' of {meta} '{name}' says since {fmt(mv)}, but '{name}' itself is "
                              f"since {fmt(dv)}", col=t.col, definition=name, item=item))
    return out


def audit(parsed: ParsedSchema, examples: bool = False, checked_files: set[str] | None = None) -> list[Finding]:
    """Version-tag rules over every definition; with ``examples``, the example family too.

    ``checked_files`` are files an earlier root already brought (their
    examples were checked against the schema that includes all of them); the
    files this root adds are added to it.
    """
    out: list[Finding] = []
    for e in parsed.exprs:
        out.extend(audit_expr(e))
    if examples:
        from qapilint.checks.example import audit_examples

        out.extend(audit_examples(parsed, checked_files))
    if checked_files is not None:
        checked_files.update(os.path.normpath(f) for f in parsed.files)
    return out
