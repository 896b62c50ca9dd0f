"""The check pipeline: patch -> rebuild -> schema before/after -> ChangeSet -> checks -> report.

Used by ``qapilint check`` and by the bot.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qapilint import collector, versions
from qapilint.changes.model import PatchChanges
from qapilint.checks.context import CheckContext
from qapilint.findings import Finding, Severity
from qapilint.patch import Patch, Series
from qapilint.qapi.exprs import ParsedSchema
from qapilint.reports.model import PatchReport

if TYPE_CHECKING:
    from qapilint.checks import release as release_check
    from qapilint.qapi.result_cache import ResultCache
    from qapilint.rebuild import RebuildCache
    from qapilint.rebuild.detect import TreeReader

# Reads one file of the base tree (None: absent).
BaseReader = Callable[[str], "str | None"]

# Review families run on the ChangeSet, in report order.  Each module has check(ctx).
CHECK_MODULES = (
    "qapilint.checks.version",
    "qapilint.checks.compat",
    "qapilint.checks.docs",
    "qapilint.checks.message",
    "qapilint.checks.cname",
    "qapilint.checks.fragment_schema",
    "qapilint.checks.include_hunks",
    "qapilint.checks.example",
)

# QEMU doc rules that depend on exact whitespace: meaningless on collapsed input.
WHITESPACE_RULES = frozenset({"doc-line-too-long", "doc-sentence-spacing", "doc-bad-indent",
                              "doc-missing-space"})


@dataclass
class CheckOptions:
    tree: str | None = None          # QEMU checkout (work tree) to rebuild against
    base: str | None = None          # git revision to read base files from
    base_reason: str | None = None   # why that revision (for the report's base note)
    target: str | None = None        # --target X.Y
    rules: str | None = None         # --rules latest|X.Y for schema rules
    show_all: bool = False           # --all: list pre-existing schema findings too
    against: str | None = None       # --against REV: also check for client-visible breaks against release REV
    extra: dict[str, object] = field(default_factory=dict)


def _read_version(reader: TreeReader | None) -> tuple[str, str] | None:
    """The base's VERSION file and how to name it, read where the base files are read."""
    if reader is None:
        return None
    text = reader.read("VERSION")
    if text is None:
        return None
    return text, (f"VERSION at {reader.rev[:12]}" if reader.rev else "the tree's VERSION")


def expected_version(patch: Patch, series: Series | None, options: CheckOptions,
                     reader: TreeReader | None) -> versions.Expected | None:
    """The release new API should name, in order of trust (each result says its source)."""
    if options.target:
        v = versions.parse_version(options.target)
        if v is not None:
            return versions.Expected(v, f"expected {options.target}: --target")
    date_exp = None
    when = patch.date or (series.cover.date if series and series.cover else None)
    if when is not None:
        date_exp = versions.from_date(when)
    tree_exp = None
    got = _read_version(reader)
    if got is not None:
        tree_exp = versions.from_version_file(*got)
    if tree_exp is not None:
        if date_exp is not None and date_exp.version > tree_exp.version:
            # The tree is older than the patch date says: the patch may have been
            # based on a stale tree; accept what either source expects.
            return versions.Expected(tree_exp.version, tree_exp.source + "; " + date_exp.source,
                                     also=frozenset({date_exp.version, *date_exp.also}))
        return tree_exp
    return date_exp


def _rules_version(options: CheckOptions, reader: TreeReader | None) -> tuple[int, int] | None:
    """--rules X.Y|latest, else the rules of the base's VERSION, else the newest."""
    from qapilint.qapi.rule_versions import version_of_tree_file

    if options.rules and options.rules != "latest":
        return versions.parse_version(options.rules)
    got = _read_version(reader) if options.rules != "latest" else None
    if got is None:
        return None
    try:
        return version_of_tree_file(got[0])
    except ValueError:
        return None


def _before_key(parsed: ParsedSchema, read: BaseReader) -> tuple[ResultCache, str] | None:
    """The result cache and the key of the before-state schema, or None when not cacheable."""
    from qapilint.qapi.result_cache import default_result_cache

    rc = default_result_cache()
    if rc is None:
        return None
    files: list[tuple[str, str]] = []
    for name in parsed.files:
        # What the rebuild's loader read (normalised names, through the same reader's memo).
        text = read(os.path.normpath(name))
        if text is None:
            return None
        files.append((name, text))
    return rc, rc.key(parsed.root, files)


def _before_pairs(parsed: ParsedSchema, read: BaseReader | None) -> list[tuple[str, str]]:
    """(rule, message) of every frontend error of the before-state, from the result cache when it has them."""
    from qapilint.qapi.schema import check_parsed

    cached = _before_key(parsed, read) if read is not None else None
    if cached is not None:
        rc, key = cached
        pairs = rc.get(key)
        if pairs is not None:
            return pairs
    pairs = [(e.rule, e.message) for e in check_parsed(parsed)[1]]
    if cached is not None:
        rc.put(key, pairs)
    return pairs


@dataclass
class Verdict:
    """The frontend's errors (rule, message) on one loaded schema, kept for the next patch of a series,
    whose before-state is this patch's after-state (the same object)."""

    parsed: ParsedSchema | None = None
    pairs: list[tuple[str, str]] = field(default_factory=list)


def schema_findings(changes: PatchChanges, options: CheckOptions, reader: TreeReader | None,
                    when: dt.date | None, base_read: BaseReader | None = None,
                    last: Verdict | None = None) -> tuple[list[Finding], int]:
    """Schema errors the patch introduces (tree mode), and the count of pre-existing ones.

    ``base_read`` reads the files the before-state was loaded from (the
    tree, nothing patched in memory): given, the before-state's verdict may
    come from the on-disk result cache.  ``last`` holds the previous patch's
    after-state verdict and is updated to this patch's: a series checks each
    state once, not twice.
    """
    from qapilint.qapi.rule_versions import RULE_ARRIVED, rule_applies
    from qapilint.qapi.schema import check_parsed

    after = changes.after.parsed
    if after is None or not changes.after.complete:
        return [], 0
    version = _rules_version(options, reader)

    def applies(rule: str) -> bool:
        if not rule_applies(rule, version):
            return False
        arrived = RULE_ARRIVED.get(rule)
        return options.rules is not None or when is None or arrived is None or arrived <= when.isoformat()

    before = changes.before.parsed
    known = last.pairs if last is not None and before is not None and last.parsed is before else None
    after_errors = check_parsed(after)[1]
    if last is not None:
        last.parsed, last.pairs = after, [(e.rule, e.message) for e in after_errors]
    after_f = [e.to_finding() for e in after_errors if applies(e.rule)]
    if options.show_all:
        return after_f, 0
    seen: Counter[tuple[str, str]] = Counter()
    if known is not None:
        seen.update(p for p in known if applies(p[0]))
    elif before is not None:
        # The same object as the after-state (nothing changed) is already
        # normalised by the run above: only a fresh load's verdict is cacheable.
        read = base_read if before is not after else None
        seen.update(p for p in _before_pairs(before, read) if applies(p[0]))
    out = []
    pre = 0
    for f in after_f:
        k = (f.rule, f.message)
        if seen[k] > 0:
            seen[k] -= 1
            pre += 1
        else:
            out.append(f)
    return out, pre


def _qapi_paths(changes: PatchChanges) -> set[str]:
    return {f.path for f in changes.files}


def check_series(series: Series, options: CheckOptions) -> list[PatchReport]:
    """Check every patch of a series (earlier patches applied before later ones)."""
    with collector.paused():
        return _check_series(series, options)


def _check_series(series: Series, options: CheckOptions) -> list[PatchReport]:
    from qapilint.checks.input_rules import check_input
    from qapilint.rebuild.base import resolve
    from qapilint.rebuild.detect import tree_for

    if not series.patches and series.cover is not None:
        # A cover letter alone: nothing to rebuild, but say so.
        cover = series.cover
        return [PatchReport(patch=cover, findings=check_input(cover), touches_qapi=False)]
    tree = tree_for(options.tree)
    if tree is None:
        return _check_resolved(series, options, None, [])
    base = resolve(series, tree, base=options.base, base_why=options.base_reason)
    try:
        # One reader for the rebuild and the result cache's key: the key is then
        # made of exactly the texts the rebuild read (its reader keeps them).
        return _check_resolved(series, options, base.reader(), [base.note])
    finally:
        base.close()


def _check_resolved(series: Series, options: CheckOptions, reader: TreeReader | None,
                    base_notes: list[str]) -> list[PatchReport]:
    against = _against(options, reader)
    try:
        return _check_patches(series, options, reader, base_notes, against)
    finally:
        if against is not None:
            against.done()


def _check_patches(series: Series, options: CheckOptions, reader: TreeReader | None, base_notes: list[str],
                   against: release_check.Against | None) -> list[PatchReport]:
    from qapilint.changes import differ
    from qapilint.checks import version as version_check
    from qapilint.checks.input_rules import check_input, check_paths
    from qapilint.rebuild import RebuildCache

    # Patches are rebuilt one at a time, as they are checked: a series holds
    # at most the schemas of one patch (and the next one's before-state).
    cache = RebuildCache()
    series_gc = collector.SeriesCollector()
    changes = differ.iter_changes_for_series(series, tree=reader, cache=cache, want_schema=True)
    last = Verdict()
    reports: list[PatchReport] = []
    series_tags: list[list[tuple[Finding, versions.Version]]] = []
    series_removed: list[version_check.Removed] = []
    for i, (patch, pc) in enumerate(zip(series.patches, changes, strict=True)):
        exp = expected_version(patch, series, options, reader)
        # Input notes become findings (input family); keep only the rebuild's own notes.
        rep = PatchReport(patch=patch, changes=pc,
                          notes=base_notes + [n for n in pc.notes if n not in patch.notes],
                          expected_version=exp.text if exp else None,
                          expected_version_source=exp.source if exp else None,
                          touches_qapi=bool(pc.files))
        input_findings = check_input(patch) + check_paths(pc.refused)
        if not pc.files:
            _release_schemas(pc, cache)
            series_gc.after_patch()
            rep.findings = input_findings
            reports.append(rep)
            series_tags.append([])
            continue
        findings = list(input_findings)
        ctx = CheckContext(patch=patch, changes=pc, expected=exp, qapi_paths=_qapi_paths(pc),
                           with_tree=reader is not None)
        for modname in CHECK_MODULES:
            findings.extend(importlib.import_module(modname).check(ctx))
        if against is not None:
            findings.extend(against.patch(pc, exp.version if exp else None))
        # Last: the frontend normalises the parsed expressions in place.
        # Only the first patch's before-state is the tree alone; later ones
        # include the earlier patches, held in the rebuild's memory.
        base_read = reader.read if reader is not None and i == 0 else None
        schema_f, rep.preexisting = schema_findings(pc, options, reader, patch.date.date() if patch.date else None,
                                                    base_read, last)
        findings.extend(schema_f)
        if patch.whitespace_collapsed:
            findings = [f for f in findings if f.rule not in WHITESPACE_RULES]
        rep.findings = findings
        series_tags.append(version_check.tag_versions(ctx))
        series_removed.append(version_check.removed(ctx))
        # Only now: the series-level tables above read the definitions.
        _release_schemas(pc, cache)
        series_gc.after_patch()
        reports.append(rep)
    if len(reports) > 1:
        extra = version_check.check_series(series_tags, series_removed)
        by_patch = {id(f): i for i, tags in enumerate(series_tags) for f, _v in tags}
        for f in extra:
            reports[by_patch[id(f)]].findings.append(f)
    for r in reports:
        r.findings.sort(key=Finding.sort_key)
    return reports


def _against(options: CheckOptions, reader: TreeReader | None) -> release_check.Against | None:
    """--against REV: the release to check client-visible breaks against (needs a tree)."""
    if not options.against or reader is None:
        return None
    from qapilint.checks import release as release_check_mod

    return release_check_mod.against(reader, options.against)


def _release_schemas(pc: PatchChanges, cache: RebuildCache) -> None:
    """Forget what a checked patch alone needed, so a long series is not held whole.

    Kept: the after-state's loaded schema and each touched file's newest
    definitions (the next patch's before-state), and what reports read (the
    changes, each file's after-text).  Dropped: the loaded schemas, the
    definition tables of both sides, the before-texts, and the parsed
    definitions of texts the patch replaced.
    """
    keep = pc.after.parsed
    for key in [k for k, v in cache.schemas.items() if v is not keep]:
        del cache.schemas[key]
    pc.before.parsed = pc.after.parsed = None
    pc.before.definitions, pc.after.definitions = {}, {}
    touched = {f.path for f in pc.files}
    newest: dict[str, tuple[str, str]] = {}
    for fkey in cache.files:            # insertion order: a path's after-text comes last
        if fkey[0] in touched:
            newest[fkey[0]] = fkey
    for fkey in [k for k in cache.files if k[0] in touched and newest[k[0]] != k]:
        del cache.files[fkey]
    for f in pc.files:
        f.before_text = None


def check_patch(patch: Patch, options: CheckOptions, series: Series | None = None) -> PatchReport:
    """Check one patch (a series context gives version consistency across patches)."""
    reports = check_series(series if series is not None else Series(patches=[patch]), options)
    for r in reports:
        if r.patch is patch:
            return r
    return reports[-1]


def worst(findings: list[Finding]) -> Severity | None:
    return max((f.severity for f in findings), default=None)
