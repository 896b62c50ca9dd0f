"""Version-tag review: 'Since:' on new definitions, '(since X.Y)' on later additions."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from qapilint.changes.model import Change, Definition, describe
from qapilint.checks import version_rules as R
from qapilint.checks.context import CheckContext
from qapilint.checks.docs import documents_none
from qapilint.checks.fixes import release_named, release_spelling
from qapilint.checks.registry import Rule
from qapilint.checks.tags import Tag, doc_content, find_prose_tags, find_tags, find_tags_in_text, find_wrapped_tags
from qapilint.findings import Finding, Severity
from qapilint.qapi.doc_model import DocSection
from qapilint.versions import Expected, Version, bounded_int, fmt, parse_version, release_of

# '# @name: ...' (the item a description line documents)
_ITEM = re.compile(r"^\s*#\s*@([\w-]+):")
# A commit message saying it fixes version tags: on one line, a fix word then
# 'since'/'version', or 'since'/'version', a tag word, then a fix word.  Each
# word is searched for after the previous one (the first match ends earliest),
# which is linear; one regex with '.*' between the words backtracks
# polynomially on long lines of those words.
_FIX_WORD = re.compile(r"\b(?:fix|correct|update|adjust)\w*\b", re.IGNORECASE)
_VERSION_WORD = re.compile(r"\b(?:since|version)\b", re.IGNORECASE)
_TAG_WORD = re.compile(r"\b(?:tag|annotation|doc)\w*\b", re.IGNORECASE)
_WRONG_WORD = re.compile(r"\b(?:fix|correct|wrong)", re.IGNORECASE)
_FIXES_TAGS = ((_FIX_WORD, _VERSION_WORD), (_VERSION_WORD, _TAG_WORD, _WRONG_WORD))


def _words_in_order(line: str, words: tuple[re.Pattern[str], ...]) -> bool:
    pos = 0
    for w in words:
        m = w.search(line, pos)
        if m is None:
            return False
        pos = m.end()
    return True


def says_fixes_tags(text: str) -> bool:
    """Whether ``text`` (title and commit message) says the patch corrects version tags."""
    return any(_words_in_order(line, seq) for line in text.split("\n") for seq in _FIXES_TAGS)


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
    elif v == exp.frozen:
        # A change merged during the freeze goes into the frozen release: rare, but the
        # maintainer's call, so not certain enough for an error.
        sev = Severity.WARNING
        why = f"{fmt(v)} is in freeze; new API normally waits for {fmt(exp.version)}"
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
    if not out and len(sec.lines) > 1:
        out = find_wrapped_tags([(dl.line, dl.raw) for dl in sec.lines])
    if not out and sec.text:
        # no line information (fragment): fall back to the text
        out = [(sec.info.line, t) for t in find_tags_in_text(sec.text)]
    return out


# QEMU's special features: their descriptions carry no '(since X.Y)' (2 of the 61 in QEMU's schema at 10.2.50 do).
_SPECIAL_FEATURES = frozenset({"deprecated", "unstable"})

_TagKey = tuple[str | None, str, str, bool]


def _item_of(text: str, current: str | None) -> str | None:
    """The item a doc line belongs to, given the item of the line before it."""
    m = _ITEM.match(text)
    if m:
        return m.group(1)
    content = doc_content(text)
    if content is None or not content.strip() or not content.startswith(" "):
        return None  # a blank '#', a fence, code or an unindented paragraph ends a description
    return current


def _tag_keys(ctx: CheckContext, side: str) -> dict[str, dict[int, list[_TagKey]]]:
    """Per file and line of one side ('-' old, '+' new), the tags the patch shows there.

    A key is what identifies a tag across a re-wrapped, re-indented or moved
    line: the item described, the kind, the version text and the spelling.
    Lines are pre-image numbers for '-', post-image numbers for '+'.
    """
    out: dict[str, dict[int, list[_TagKey]]] = {}
    for f in ctx.patch.files:
        if f.path not in ctx.qapi_paths:
            continue
        per = out.setdefault(f.path, {})
        for h in f.hunks:
            item: str | None = None
            for ln in h.lines:
                if ln.kind not in (" ", side):
                    continue
                item = _item_of(ln.text, item)
                n = ln.new_no if side == "+" else ln.old_no
                if ln.kind == side and n is not None:
                    keys: list[_TagKey] = [(item, t.kind, t.version_text, t.proper) for t in find_tags(ln.text)]
                    if keys:
                        per[n] = keys
    return out


def _removed_tags(ctx: CheckContext) -> dict[str, set[_TagKey]]:
    """Per file, the keys of the tags on lines the patch removes."""
    return {path: {k for keys in per.values() for k in keys} for path, per in _tag_keys(ctx, "-").items()}


def _carried(ctx: CheckContext) -> set[tuple[str, int, str]]:
    """(file, post-image line, version) of added tags that the patch also removes elsewhere.

    Such a tag moved with its item (or was re-wrapped): the patch did not write it.
    """
    removed = _removed_tags(ctx)
    return {(path, n, k[2]) for path, per in _tag_keys(ctx, "+").items() for n, keys in per.items()
            for k in keys if k in removed.get(path, ())}


def _format_severity(t: Tag) -> Severity | None:
    """Inline notes may name a stable release ('(since 2.12.1)' is in QEMU's schema): only warn
    about three parts there, unless they are a development or rc VERSION string."""
    parts = t.version_text.split(".")
    micro = bounded_int(parts[2]) if len(parts) == 3 else None
    if t.kind == "inline" and parts[0].isdigit() and micro is not None and micro < 50:
        return Severity.WARNING
    return None


def check_format(ctx: CheckContext) -> list[Finding]:
    """Malformed tags on the lines the patch adds (not those it only re-wraps or moves)."""
    out: list[Finding] = []
    carried = _carried(ctx)
    for (path, n), hl in sorted(ctx.added_lines.items()):
        if "#" not in hl.text.lstrip()[:1]:
            continue
        for t in find_tags(hl.text):
            if (path, n, t.version_text) in carried:
                continue  # the tag was there before: this patch did not write it
            prob = t.format_problem
            if prob:
                out.append(_finding(R.SINCE_FORMAT, ctx, path, n, f"malformed version: {prob}", col=t.col,
                                    severity=_format_severity(t)))
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
        elif exp is not None and ctx.is_added(d.file, line):
            # A 'Since:' line the patch leaves alone was there before: the definition is
            # renamed or re-keyed, not new, and its tag keeps recording the first release.
            v = release_named(tag)
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


_DescIndex = dict[tuple[str, str, str], list[tuple[int, DocSection]]]


def _description_index(ctx: CheckContext) -> _DescIndex:
    """(file, 'member'|'feature', name) -> that name's descriptions, by line ('' file: any file)."""
    idx: _DescIndex = {}
    for d in ctx.changes.after.definitions.values():
        if d.doc is None:
            continue
        for sec in d.doc.sections:
            if sec.kind in ("member", "feature") and sec.name is not None and sec.info.line is not None:
                idx.setdefault((d.file or "", sec.kind, sec.name), []).append((sec.info.line, sec))
    for rows in idx.values():
        rows.sort(key=lambda r: r[0])
    return idx


def _nearest_description(ctx: CheckContext, path: str, c: Change, index: _DescIndex) -> DocSection | None:
    """Hunk-only fallback: the closest description of ``c.name`` above the addition.

    When the definition's head is outside the hunks its doc fragment and its
    code fragment may not be joined (or the fragment is keyed to no name);
    a doc block precedes its definition, so the nearest description of that
    name above the added item, in the same file, is the one that goes with it.
    Only a description the patch adds qualifies: an item's description is
    written with it, and an older one of that name belongs to another item.
    ``index`` is :func:`_description_index` (a search per item, not a walk of every doc).
    """
    if c.name is None or c.line is None:
        return None
    kind = "feature" if c.what == "feature" else "member"
    best: tuple[int, DocSection] | None = None
    for file in {path, ""}:
        rows = index.get((file, kind, c.name), [])
        i = bisect.bisect_left([r[0] for r in rows], c.line)
        while i > 0:
            i -= 1
            if ctx.is_added(path, rows[i][0]):
                if best is None or rows[i][0] > best[0]:
                    best = rows[i]
                break
    return best[1] if best is not None else None


def _described_before(ctx: CheckContext, item: str, version_text: str, exclude: str) -> str | None:
    """A definition of the pre-image whose description of ``item`` names ``version_text``."""
    for name, d in sorted(ctx.changes.before.definitions.items()):
        if d.doc is None or name == exclude:
            continue
        for sec in d.doc.sections:
            if sec.kind in ("member", "feature") and sec.name == item and any(
                    t.version_text == version_text for t in find_tags_in_text(sec.text)):
                return name
    return None


def check_additions(ctx: CheckContext, exp: Expected | None,
                    carried: set[tuple[str, int, str]] | None = None) -> list[Finding]:
    """Members, values, branches and features added to definitions that already exist."""
    carried = _carried(ctx) if carried is None else carried
    out: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    index = _description_index(ctx) if not ctx.complete else {}
    added_names: dict[str | None, set[str]] = {}
    for x in ctx.additions("member", "value"):
        if x.name:
            added_names.setdefault(x.definition, set()).add(x.name)
    for c in ctx.additions("member", "value", "branch", "feature"):
        if c.definition in ctx.new_definitions or c.definition in ctx.moved or c.name is None:
            continue
        # unnamed fragments are told apart by where the item is
        key = (c.definition or f"@{c.file}:{c.line}", c.what, c.name)
        if key in seen:
            continue
        seen.add(key)
        d = ctx.definition_after(c.definition) if c.definition else None
        meta = (d.meta if d is not None else "") or c.meta
        if c.what == "branch" and meta == "union":
            continue  # union branches are not documented; their enum value carries the tag
        path = (d.file if d is not None else "") or c.file
        sec = _description(d, c) if d is not None else None
        if sec is None and not ctx.complete:
            sec = _nearest_description(ctx, path, c, index)
        where = describe(meta, c.definition) if c.definition else "a definition outside the hunks"
        label = f"{_WHAT_DOC.get(c.what, c.what)} '{c.name}' added to {where}"
        if sec is None:
            if d is None or (d.doc is None and not ctx.complete):
                continue  # doc block not visible in the hunks
            if not ctx.complete and documents_none(d, added_names.get(c.definition, set())):
                continue  # a definition QEMU exempts from documentation
            line = c.line
            out.append(_finding(R.SINCE_MEMBER_MISSING, ctx, d.file or c.file, line,
                                f"{label} has no description, so no '(since {exp.text if exp else 'X.Y'})'",
                                definition=c.definition, item=c.name,
                                provenance=exp.source if exp else None))
            continue
        tags = [(n, t) for n, t in _section_tags(ctx, path, sec) if t.version_text]
        prose = find_prose_tags([(dl.line, dl.raw) for dl in sec.lines]) if not tags else []
        pv = prose[-1][1].version if prose else None
        if pv is not None and exp is not None and not exp.accepts(pv):
            tags = prose        # a wrong version, however it is written
        elif not tags and c.what == "feature" and c.name in _SPECIAL_FEATURES:
            continue        # marking API deprecated or unstable: QEMU records when in its docs, not here
        elif not tags:
            n_at, said = sec.info.line, ""
            if prose:
                n_at = prose[-1][0]
                said = f" (it says 'since {prose[-1][1].version_text}' without the parentheses)"
            out.append(_finding(R.SINCE_MEMBER_MISSING, ctx, path, n_at,
                                f"{label} lacks '(since {exp.text if exp else 'X.Y'})' in its description{said}",
                                definition=c.definition, item=c.name,
                                provenance=exp.source if exp else None))
            continue
        if exp is None:
            continue
        n, t = tags[-1]
        # '10.3.0' names release 10.3 (since-format says how to spell it): judged as 10.3.
        v = release_named(t)
        if v is None:
            continue  # since-format reports it
        if (path, n, t.version_text) in carried:
            continue  # the item moved here with its tag
        f = _mismatch(ctx, exp, v, label, path, n, t.col or None, c.definition, c.name)
        if f is not None and f.severity == Severity.ERROR:
            src = _described_before(ctx, c.name, t.version_text, c.definition)
            if src is not None:
                # The item was already in the API, in another definition, since then:
                # a copied description keeps that history (maintainers differ on it).
                f.severity = Severity.WARNING
                f.message += f"; '{src}' already documents '{c.name}' with that version, so it was copied"
        if f is not None and f.severity == Severity.ERROR and d is not None:
            _dl, dtag = _since_of_definition(ctx, d)
            dv = dtag.version if dtag is not None else None
            if dv is not None and v < dv:
                # Older than the definition that holds it: not a first release in this
                # definition but one carried over with a copied description.
                f.severity = Severity.WARNING
                f.message += (f"; it is older than the {d.meta or 'definition'}'s own 'Since: {fmt(dv)}', "
                              "so it was probably copied from where the item first appeared")
        if f:
            out.append(f)
    return out


def check_edited(ctx: CheckContext) -> list[Finding]:
    """Existing tags whose version the patch changes."""
    if says_fixes_tags(ctx.patch.title + "\n" + ctx.patch.message):
        return []
    out: list[Finding] = []
    for f in ctx.patch.files:
        if f.path not in ctx.qapi_paths:
            continue
        before_doc = _doc_owner(ctx.changes.before.definitions.values(), f.old_path or f.path)
        after_doc = _doc_owner(ctx.changes.after.definitions.values(), f.path)
        for h in f.hunks:
            removed: dict[str, tuple[str, int | None]] = {}
            for ln in h.lines:
                if ln.kind == "-":
                    for t in find_tags(ln.text):
                        removed[_strip_version(ln.text, t)] = (t.version_text, ln.old_no)
            for ln in h.lines:
                if ln.kind != "+" or ln.new_no is None:
                    continue
                for t in find_tags(ln.text):
                    old, old_no = removed.get(_strip_version(ln.text, t), (None, None))
                    # By the release named: '10.2' -> '10.2.0' is a spelling (since-format), and
                    # the message stays the same when --fix repairs the spelling.
                    new = _release_text(t.version_text)
                    if t.kind == "section" and not _same_owner(before_doc(old_no), after_doc(ln.new_no)):
                        continue    # one definition's 'Since:' gone, another's added: no tag was edited
                    if old is not None and _release_text(old) != new:
                        out.append(_finding(R.SINCE_EDITED, ctx, f.path, ln.new_no,
                                            f"version tag changed from {_release_text(old)} to {new}; "
                                            "tags record when something was added", col=t.col))
    return out


def _doc_owner(defs: Iterable[Definition], path: str) -> Callable[[int | None], str | None]:
    """The definition whose doc block holds a line of ``path`` (None: unknown, e.g. out of view)."""
    spans = [(d.doc.info.line, d.doc.end_line, d.name) for d in defs
             if d.file == path and d.doc is not None and d.doc.info.line is not None]

    def owner(n: int | None) -> str | None:
        if n is None:
            return None
        return next((name for start, end, name in spans if start <= n <= end), None)

    return owner


def _same_owner(before: str | None, after: str | None) -> bool:
    """Both lines in the doc block of the same definition, or too little known to tell them apart."""
    return before is None or after is None or before == after


def _release_text(version_text: str) -> str:
    return release_spelling(version_text) or version_text


def _strip_version(text: str, t: Tag) -> str:
    return re.sub(r"\s+", " ", text.replace(t.version_text, "X.Y")).strip()


def check(ctx: CheckContext) -> list[Finding]:
    from qapilint.checks.fixes import attach

    exp = ctx.expected
    return attach(ctx, check_format(ctx) + check_new_definitions(ctx, exp) + check_additions(ctx, exp, _carried(ctx))
                  + check_edited(ctx))


def _definition_at(ctx: CheckContext, path: str, line: int) -> Definition | None:
    """The definition of the after-state whose doc block holds ``line`` of ``path``."""
    for d in ctx.changes.after.definitions.values():
        if d.doc is not None and d.file == path and d.doc.info.line <= line <= d.doc.end_line:
            return d
    return None


@dataclass
class Removed:
    """What one patch removes: definitions and the tags of removed lines (moves show up as both)."""

    definitions: set[str] = field(default_factory=set)
    tags: set[_TagKey] = field(default_factory=set)


def removed(ctx: CheckContext) -> Removed:
    return Removed({c.definition for c in ctx.changes.changes if c.op == "removed" and c.what == "definition"},
                   {k for keys in _removed_tags(ctx).values() for k in keys})


def tag_versions(ctx: CheckContext) -> list[tuple[Finding, Version]]:
    """Versions named by well-formed tags on new API, for the series consistency rule.

    The same tags the per-patch rules treat as new: 'Since:' of a new
    definition, '(since X.Y)' in a new definition or on an item added to an
    existing one.  What the patch moves, re-wraps or copies is not new,
    whatever file it lands in: a tag the patch also removes, a definition it
    removes and adds, a tag on an item that was already there, an item whose
    description already had that version in another definition.
    """
    gone = removed(ctx).tags
    plus = _tag_keys(ctx, "+")
    added_items: dict[str | None, set[str]] = {}
    for c in ctx.additions("member", "value", "branch", "feature"):
        if c.name is not None:
            added_items.setdefault(c.definition, set()).add(c.name)
    any_added = {n for names in added_items.values() for n in names}
    out = []
    for (path, n), hl in sorted(ctx.added_lines.items()):
        keys = plus.get(path, {}).get(n, [])
        for t in find_tags(hl.text):
            v = parse_version(t.version_text)
            if v is None or not t.proper:
                continue
            key = next((k for k in keys if k[1:] == (t.kind, t.version_text, t.proper)), None)
            item = key[0] if key is not None else None
            if key is not None and key in gone:
                continue
            d = _definition_at(ctx, path, n)
            if d is not None:
                if d.name in ctx.moved:
                    continue
                if d.name not in ctx.new_definitions and (
                        t.kind == "section" or item not in added_items.get(d.name, set())
                        or _described_before(ctx, item, t.version_text, d.name) is not None):
                    continue
            elif not (item in any_added or (t.kind == "section" and ctx.new_definitions)):
                continue
            out.append((_finding(R.SINCE_SERIES, ctx, path, n, "", col=t.col,
                                 definition=d.name if d is not None else None, item=item), v))
    return out


def check_series(per_patch: list[list[tuple[Finding, Version]]],
                 removals: list[Removed] | None = None) -> list[Finding]:
    """Flag tags that disagree with the version most of the series names.

    ``removals`` (one per patch) tell moves across patches: a definition or a
    tagged line that one patch removes and another adds is not new API.
    """
    gone_defs = {d for r in removals or [] for d in r.definitions}
    gone_tags = {k for r in removals or [] for k in r.tags}

    def moved(f: Finding, v: Version) -> bool:
        if f.definition is not None and f.definition in gone_defs:
            return True
        return f.item is not None and any(k[0] == f.item and parse_version(k[2]) == v for k in gone_tags)

    per_patch = [[(f, v) for f, v in tags if not moved(f, v)] for tags in per_patch]
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
