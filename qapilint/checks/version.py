"""Version-tag review: 'Since:' on new definitions, '(since X.Y)' on later additions."""

from __future__ import annotations

import re

from qapilint.changes.model import Change, Definition
from qapilint.checks import version_rules as R
from qapilint.checks.context import CheckContext
from qapilint.checks.registry import Rule
from qapilint.checks.tags import Tag, find_tags, find_tags_in_text
from qapilint.findings import Finding, Severity
from qapilint.qapi.doc_model import DocSection
from qapilint.versions import Expected, Version, fmt, parse_version, release_of

_FIXES_TAGS = re.compile(r"\b(fix|correct|update|adjust)\w*\b.*\b(since|version)\b|\b(since|version)\b.*"
                         r"\b(tag|annotation|doc)\w*\b.*\b(fix|correct|wrong)", re.IGNORECASE)


def _finding(rule: Rule, ctx: CheckContext, path: str, line: int | None, message: str, *,
             col: int | None = None, severity: Severity | None = None, definition: str | None = None,
             item: str | None = None, provenance: str | None = None) -> Finding:
    return Finding(rule=rule.id, family=rule.family, severity=severity or rule.severity, message=message,
                   file=path, line=line, col=col, patch_line=ctx.patch_line(path, line),
                   definition=definition, item=item, provenance=provenance)


def _mismatch(ctx: CheckContext, exp: Expected, v: Version, what: str, path: str, line: int | None,
              col: int | None, definition: str, item: str | None) -> Finding | None:
    if exp.accepts(v):
        return None
    day = ctx.date
    rel = release_of(v)
    if rel is not None and not rel.projected and day is not None and rel.release <= day:
        sev = Severity.ERROR
        why = f"{fmt(v)} was released on {rel.release.isoformat()}"
    elif v < exp.version:
        sev = Severity.ERROR if exp.trusted else Severity.WARNING
        why = f"{fmt(v)} is older than the release under development"
    else:
        sev = Severity.WARNING
        why = f"{fmt(v)} is later than the release under development"
    msg = f"{what} says {fmt(v)}, but this is new in {exp.text} ({why})"
    return _finding(R.SINCE_MISMATCH, ctx, path, line, msg, col=col, severity=sev, definition=definition,
                    item=item, provenance=exp.source)


def _section_tags(ctx: CheckContext, path: str, sec: DocSection) -> list[tuple[int, Tag]]:
    out = []
    for dl in sec.lines:
        for t in find_tags(dl.raw):
            out.append((dl.line, t))
    if not out and sec.text:
        # no line information (fragment): fall back to the text
        out = [(sec.info.line, t) for t in find_tags_in_text(sec.text)]
    return out


def check_format(ctx: CheckContext) -> list[Finding]:
    """Malformed tags on the lines the patch adds."""
    out: list[Finding] = []
    for (path, n), hl in sorted(ctx.added_lines.items()):
        if "#" not in hl.text.lstrip()[:1]:
            continue
        for t in find_tags(hl.text):
            prob = t.format_problem
            if prob:
                out.append(_finding(R.SINCE_FORMAT, ctx, path, n, f"malformed version: {prob}", col=t.col))
            if t.kind == "section" and not t.proper:
                out.append(_finding(R.SINCE_MALFORMED, ctx, path, n,
                                    f"'Since' is not recognised as a section ({t.problem}); "
                                    f"write '# Since: {t.version_text}'", col=t.col))
    return out


def _since_of_definition(ctx: CheckContext, d: Definition) -> tuple[int | None, Tag | None]:
    if d.doc is None:
        return None, None
    sec = d.doc.tag("Since")
    if sec is not None:
        for n, t in _section_tags(ctx, d.file, sec):
            if t.kind == "section":
                return n, t
        v = sec.text.strip().split()[0] if sec.text.strip() else ""
        return sec.info.line, Tag("section", v, 0, True)
    return None, None


def _has_malformed_since(d: Definition) -> bool:
    if d.doc is None:
        return False
    return any(t.kind == "section" and not t.proper for dl in d.doc.lines for t in find_tags(dl.raw))


def check_new_definitions(ctx: CheckContext, exp: Expected | None) -> list[Finding]:
    out: list[Finding] = []
    for name in sorted(ctx.new_definitions):
        d = ctx.definition_after(name)
        if d is None:
            continue
        line, tag = _since_of_definition(ctx, d)
        if tag is None:
            if d.partial and d.doc is None:
                continue  # the doc block is outside the hunks: nothing to say without a tree
            if _has_malformed_since(d):
                continue  # reported by since-malformed
            where = d.doc.end_line if d.doc is not None else d.info.line
            exp_txt = f" (expected 'Since: {exp.text}')" if exp else ""
            out.append(_finding(R.SINCE_MISSING, ctx, d.file, where,
                                f"new {d.meta} '{name}' has no 'Since:' section{exp_txt}",
                                definition=name, provenance=exp.source if exp else None))
        elif exp is not None:
            v = tag.version
            if v is not None:
                f = _mismatch(ctx, exp, v, f"'Since:' of new {d.meta} '{name}'", d.file, line,
                              tag.col or None, name, None)
                if f:
                    out.append(f)
        # '(since X.Y)' on members of a new definition
        if d.doc is not None:
            for sec in d.doc.sections:
                if sec.kind not in ("member", "feature"):
                    continue
                for n, t in _section_tags(ctx, d.file, sec):
                    if t.kind == "inline" and ctx.is_added(d.file, n):
                        out.append(_finding(
                            R.SINCE_REDUNDANT, ctx, d.file, n,
                            f"'{sec.name}' of new {d.meta} '{name}' has '(since {t.version_text})'; "
                            f"it is as new as the definition", col=t.col or None, definition=name,
                            item=sec.name))
    return out


_WHAT_DOC = {"member": "member", "value": "value", "branch": "branch", "feature": "feature"}


def _description(d: Definition, c: Change) -> DocSection | None:
    if d.doc is None or c.name is None:
        return None
    if c.what == "feature":
        return d.doc.features().get(c.name)
    return d.doc.members().get(c.name)


def check_additions(ctx: CheckContext, exp: Expected | None) -> list[Finding]:
    """Members, values, branches and features added to definitions that already exist."""
    out: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for c in ctx.additions("member", "value", "branch", "feature"):
        if c.definition in ctx.new_definitions or c.definition in ctx.moved or c.name is None:
            continue
        key = (c.definition, c.what, c.name)
        if key in seen:
            continue
        seen.add(key)
        d = ctx.definition_after(c.definition)
        if d is None:
            continue
        if c.what == "branch" and d.meta == "union":
            continue  # union branches are not documented; their enum value carries the tag
        sec = _description(d, c)
        label = f"{_WHAT_DOC.get(c.what, c.what)} '{c.name}' added to {d.meta or c.meta or 'definition'} '{c.definition}'"
        if sec is None:
            if d.doc is None and not ctx.complete:
                continue  # doc block not visible in the hunks
            line = c.line
            out.append(_finding(R.SINCE_MEMBER_MISSING, ctx, d.file or c.file, line,
                                f"{label} has no description, so no '(since {exp.text if exp else 'X.Y'})'",
                                definition=c.definition, item=c.name,
                                provenance=exp.source if exp else None))
            continue
        tags = [(n, t) for n, t in _section_tags(ctx, d.file, sec) if t.version_text]
        if not tags:
            out.append(_finding(R.SINCE_MEMBER_MISSING, ctx, d.file, sec.info.line,
                                f"{label} lacks '(since {exp.text if exp else 'X.Y'})' in its description",
                                definition=c.definition, item=c.name,
                                provenance=exp.source if exp else None))
            continue
        if exp is None:
            continue
        n, t = tags[-1]
        v = t.version
        if v is None:
            continue  # since-format reports it
        f = _mismatch(ctx, exp, v, label, d.file, n, t.col or None, c.definition, c.name)
        if f:
            out.append(f)
    return out


def check_edited(ctx: CheckContext) -> list[Finding]:
    """Existing tags whose version the patch changes."""
    if _FIXES_TAGS.search(ctx.patch.title + "\n" + ctx.patch.message):
        return []
    out: list[Finding] = []
    for f in ctx.patch.files:
        if f.path not in ctx.qapi_paths:
            continue
        for h in f.hunks:
            removed: dict[str, str] = {}
            for ln in h.lines:
                if ln.kind == "-":
                    for t in find_tags(ln.text):
                        removed[_strip_version(ln.text, t)] = t.version_text
            for ln in h.lines:
                if ln.kind != "+" or ln.new_no is None:
                    continue
                for t in find_tags(ln.text):
                    old = removed.get(_strip_version(ln.text, t))
                    if old is not None and old != t.version_text:
                        out.append(_finding(R.SINCE_EDITED, ctx, f.path, ln.new_no,
                                            f"version tag changed from {old} to {t.version_text}; "
                                            "tags record when something was added", col=t.col))
    return out


def _strip_version(text: str, t: Tag) -> str:
    return re.sub(r"\s+", " ", text.replace(t.version_text, "X.Y")).strip()


def check(ctx: CheckContext) -> list[Finding]:
    exp = ctx.expected
    return (check_format(ctx) + check_new_definitions(ctx, exp) + check_additions(ctx, exp)
            + check_edited(ctx))


def tag_versions(ctx: CheckContext) -> list[tuple[Finding, Version]]:
    """Versions named by well-formed tags on new items, for the series consistency rule."""
    out = []
    for (path, n), hl in sorted(ctx.added_lines.items()):
        for t in find_tags(hl.text):
            v = parse_version(t.version_text)
            if v is not None and t.proper:
                out.append((_finding(R.SINCE_SERIES, ctx, path, n, "", col=t.col), v))
    return out


def check_series(per_patch: list[list[tuple[Finding, Version]]]) -> list[Finding]:
    """Flag tags that disagree with the version most of the series names."""
    counts: dict[Version, int] = {}
    for tags in per_patch:
        for _f, v in tags:
            counts[v] = counts.get(v, 0) + 1
    if len(counts) < 2:
        return []
    major = max(counts, key=lambda v: (counts[v], v))
    out = []
    for tags in per_patch:
        for f, v in tags:
            if v != major:
                f.message = (f"this series tags new API with {fmt(major)} elsewhere "
                             f"({counts[major]} tags), but this tag says {fmt(v)}")
                out.append(f)
    return out
