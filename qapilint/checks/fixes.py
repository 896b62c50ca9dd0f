"""The one obvious repair of a version-tag finding, as a text edit (``Finding.fix``).

Only findings whose repair is certain get one:

- ``since-mismatch``: the version becomes the expected release, when exactly
  one release is expected and the tag is not a copied description's;
- ``since-member-missing``: ``(since X.Y)`` goes at the end of the new item's
  description (on a line of its own when the line would pass 70 columns);
- ``since-malformed``: ``Since 10.2`` / ``since: 10.2`` becomes ``Since: 10.2``
  (not an indented one: that may be meant as a member note), and names the
  expected release instead when it is a new definition's tag naming another;
- ``since-format``: ``10.2.0`` becomes ``10.2`` and ``v10.2`` becomes ``10.2``
  (not ``10.2.50`` or ``10.1.1``: which release is meant is a guess).

The rules stay as they are; ``attach`` runs over their findings afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from qapilint.checks.context import CheckContext
from qapilint.checks.tags import Tag, doc_content, find_tags
from qapilint.findings import Finding, Fix, replace_in_line
from qapilint.versions import Expected, Version, fmt, parse_version

# QEMU's doc lines are at most 70 characters from the '#' on (doc-line-too-long).
DOC_WIDTH = 70
CONTEXT = 3
_SECTION_WORD = re.compile(r"^(?P<lead>\s*#\s)(?P<word>since)\b\s*:?\s*", re.IGNORECASE)

# Text of a line of a file, by path and 1-based number (None when not known).
LineOf = Callable[[str, int], "str | None"]
Context = tuple[tuple[str, ...], tuple[str, ...]]


def _context(line_of: LineOf, path: str, n: int) -> Context:
    before = tuple(t for t in (line_of(path, k) for k in range(max(n - CONTEXT, 1), n)) if t is not None)
    after = tuple(t for t in (line_of(path, k) for k in range(n + 1, n + 1 + CONTEXT)) if t is not None)
    return before, after


def _tag_at(text: str, col: int | None) -> Tag | None:
    return next((t for t in find_tags(text) if col is None or t.col == col), None)


def mismatch_fix(path: str, n: int, text: str, col: int | None, exp: Expected, ctx: Context = ((), ())) -> Fix | None:
    tag = _tag_at(text, col)
    if tag is None or exp.also:
        return None
    return replace_in_line(path, n, text, tag.col, tag.version_text, fmt(exp.version), context=ctx)


def release_spelling(version_text: str) -> str | None:
    """The X.Y a tag's version names for certain: '10.2.0' and 'v10.2' name release 10.2.

    None for anything else: '10.2.50' or '10.1.1' may mean one of two releases.
    """
    new = version_text[1:] if version_text[:1] in "vV" else version_text
    parts = new.split(".")
    if len(parts) == 3 and parts[2] == "0":
        new = ".".join(parts[:2])
    return new if re.fullmatch(r"\d+\.\d+", new) else None


def release_named(tag: Tag) -> Version | None:
    """The release a tag names, however it is spelled (see :func:`release_spelling`)."""
    v = tag.version
    if v is not None:
        return v
    text = release_spelling(tag.version_text)
    return parse_version(text) if text is not None else None


def format_fix(path: str, n: int, text: str, col: int | None, ctx: Context = ((), ())) -> Fix | None:
    tag = _tag_at(text, col)
    if tag is None:
        return None
    old = tag.version_text
    new = release_spelling(old)
    if new is None or new == old:
        return None
    return replace_in_line(path, n, text, tag.col, old, new, context=ctx)


def malformed_fix(path: str, n: int, text: str, ctx: Context = ((), ()), version: str | None = None) -> Fix | None:
    """'# Since 10.2', '# since: 10.2', '# Since : 10.2' -> '# Since: 10.2' (section tags at column 0 only).

    ``version`` replaces the tag's version too (a new definition's tag naming the wrong release:
    repairing only the spelling would leave it wrong).
    """
    tag = _tag_at(text, None)
    m = _SECTION_WORD.match(text)
    if tag is None or tag.kind != "section" or m is None or tag.problem is None or "indented" in tag.problem:
        return None
    start = m.start("word")
    end = tag.col - 1 + len(tag.version_text)
    old = text[start:end]
    new = f"Since: {version or release_spelling(tag.version_text) or tag.version_text}"
    return replace_in_line(path, n, text, start + 1, old, new, context=ctx)


def _new_definition_tag(ctx: CheckContext, f: Finding, text: str) -> str | None:
    """The expected release, when ``f``'s line is in the doc block of a definition this patch adds
    and its tag names another (one expected release only)."""
    exp = ctx.expected
    tag = _tag_at(text, None)
    v = release_named(tag) if tag is not None else None
    if exp is None or exp.also or v is None or exp.accepts(v) or f.line is None:
        return None
    for name in ctx.new_definitions:
        d = ctx.definition_after(name)
        if d is not None and d.doc is not None and d.file == f.file and d.doc.info.line <= f.line <= d.doc.end_line:
            return fmt(exp.version)
    return None


def since_note_fix(path: str, n: int, text: str, version: str, ctx: Context = ((), ()),
                   continuation: str = "#     ") -> Fix | None:
    """Add '(since X.Y)' at the end of the description whose last line is ``text``."""
    content = doc_content(text)
    if content is None or not content.strip() or "#" not in text:
        return None
    body = text.rstrip()
    note = f"(since {version})"
    # One space between a sentence's end and '(' is a QEMU style error; two are the house style.
    sep = "  " if body.endswith((".", "!", "?")) else " "
    if len(body) - text.index("#") + len(sep) + len(note) <= DOC_WIDTH:
        return replace_in_line(path, n, text, len(body) + 1, text[len(body):], sep + note, context=ctx,
                               description=f"append '{note}'")
    return replace_in_line(path, n, text, len(body) + 1, text[len(body):], "\n" + continuation + note,
                           context=ctx, description=f"add '{note}' on a new line")


def section_fix(path: str, n: int, text: str, previous: str | None, version: str,
                ctx: Context = ((), ())) -> Fix | None:
    """Add a 'Since: X.Y' section above ``text``, the closing '##' of a new definition's doc block.

    After a blank doc line, as QEMU's blocks end ('#', then the section); none
    when the block is not at the left edge or has nothing above its end.
    """
    if text.rstrip() != "##" or previous is None or not previous.startswith("#") or previous.rstrip() == "##":
        return None
    content = doc_content(previous)
    lead = "" if content is not None and not content.strip() else "#\n"
    return replace_in_line(path, n, text, 1, "", f"{lead}# Since: {version}\n", context=ctx,
                           description=f"add 'Since: {version}'")


_NOTE_OPEN = re.compile(r"\(\s*since\s+$", re.IGNORECASE)


def redundant_fix(path: str, n: int, text: str, col: int | None, exp: Expected | None,
                  ctx: Context = ((), ())) -> Fix | None:
    """Drop a '(since X.Y)' that names the very release of the new definition it sits in.

    Only when other description text precedes it on the line (a note alone on
    its line would leave an empty doc line, which ends the description), and
    only when it names the expected release: a note naming an older one may
    be history carried along with a moved member, for a person to judge.
    """
    tag = _tag_at(text, col)
    v = release_named(tag) if tag is not None else None
    if tag is None or v is None or exp is None or exp.also or not exp.accepts(v):
        return None
    vstart = tag.col - 1
    vend = vstart + len(tag.version_text)
    opener = _NOTE_OPEN.search(text, 0, vstart)
    if opener is None or text[vend:vend + 1] != ")":
        return None
    start = opener.start()
    while start > 0 and text[start - 1] == " ":
        start -= 1
    before = doc_content(text[:start])
    if before is None or not before.strip():
        return None
    note = text[opener.start():vend + 1]
    return replace_in_line(path, n, text, start + 1, text[start:vend + 1], "", context=ctx,
                           description=f"remove '{note}'")


def _ends_description(following: str | None) -> bool:
    """The line after a description closes it (a blank doc line, the next item, the block's end):
    otherwise the text goes on in a way the doc parser does not take as part of it, and a note
    put in between would split that text."""
    if following is None:
        return False
    content = doc_content(following)
    return following.strip() == "##" or (content is not None and (not content.strip() or content.startswith("@")))


def _copied(f: Finding) -> bool:
    return "copied" in f.message


def _post_image(ctx: CheckContext) -> LineOf:
    texts: dict[str, list[str]] = {}

    def line_of(path: str, n: int) -> str | None:
        hl = ctx.new_lines.get((path, n))
        if hl is not None:
            return hl.text
        if path not in texts:
            fr = next((x for x in ctx.changes.files if x.path == path and x.after_text is not None), None)
            texts[path] = fr.after_text.splitlines() if fr is not None and fr.after_text is not None else []
        lines = texts[path]
        return lines[n - 1] if 1 <= n <= len(lines) else None

    return line_of


def _description_end(ctx: CheckContext, f: Finding) -> tuple[int, str] | None:
    """(line, indent of continuation lines) of the last line of the description of ``f.item``."""
    d = ctx.definition_after(f.definition) if f.definition else None
    if d is None or d.doc is None or f.item is None:
        return None
    sec = d.doc.members().get(f.item) or d.doc.features().get(f.item)
    if sec is None or not sec.lines:
        return None
    lines = [dl for dl in sec.lines if dl.text.strip()]
    if not lines or not all(ctx.is_added(d.file, dl.line) for dl in lines):
        return None  # only a description this patch writes
    # A new line continues the description with the indentation its other lines have.
    m = re.match(r"^\s*#\s+", lines[1].raw) if len(lines) > 1 else None
    return lines[-1].line, m.group() if m else "#     "


def fix_for(ctx: CheckContext, f: Finding, line_of: LineOf) -> Fix | None:
    if f.file is None or f.line is None:
        return None
    exp = ctx.expected
    if f.rule == "since-member-missing":
        if exp is None or exp.also or "lacks '(since" not in f.message or "without the parentheses" in f.message:
            return None
        end = _description_end(ctx, f)
        text = line_of(f.file, end[0]) if end is not None else None
        if end is None or text is None or not _ends_description(line_of(f.file, end[0] + 1)):
            return None
        return since_note_fix(f.file, end[0], text, fmt(exp.version), _context(line_of, f.file, end[0]), end[1])
    text = line_of(f.file, f.line)
    if text is None:
        return None
    ctx_lines = _context(line_of, f.file, f.line)
    if f.rule == "since-mismatch" and exp is not None and not _copied(f):
        return mismatch_fix(f.file, f.line, text, f.col, exp, ctx_lines)
    if f.rule == "since-format":
        return format_fix(f.file, f.line, text, f.col, ctx_lines)
    if f.rule == "since-malformed":
        return malformed_fix(f.file, f.line, text, ctx_lines, _new_definition_tag(ctx, f, text))
    if f.rule == "since-redundant":
        return redundant_fix(f.file, f.line, text, f.col, exp, ctx_lines)
    if f.rule == "since-missing" and exp is not None and not exp.also and ctx.is_added(f.file, f.line):
        return section_fix(f.file, f.line, text, line_of(f.file, f.line - 1), fmt(exp.version), ctx_lines)
    return None


def attach(ctx: CheckContext, findings: list[Finding]) -> list[Finding]:
    """``findings`` with the fixes that are certain filled in."""
    line_of = _post_image(ctx)
    for f in findings:
        if f.fix is None:
            f.fix = fix_for(ctx, f, line_of)
    _share_covering_fixes(findings)
    return findings


# Fixes that rewrite a whole tag (its release, its section word) and so also repair its spelling.
_WHOLE_TAG = ("since-mismatch", "since-malformed", "since-redundant")


def _covers(big: Fix, small: Fix) -> bool:
    """Every edit of ``small`` lies inside an edit of ``big`` (same line)."""
    return all(any(b.file == e.file and b.start_line == e.start_line == e.end_line == b.end_line
                   and b.start_col <= e.start_col and e.end_col <= b.end_col for b in big.edits)
               for e in small.edits)


def _share_covering_fixes(findings: list[Finding]) -> None:
    """A format finding whose tag another fix rewrites whole gets that fix: one edit repairs both.

    '(since 10.3.0)' where 11.0 is expected is a since-format and a since-mismatch; the
    mismatch's fix writes '11.0', which is also the right spelling.  Giving the format
    finding the same fix makes ``--fix`` count it as fixed by that edit, instead of
    writing '10.3' and leaving the mismatch to a second run.
    """
    whole = [f for f in findings if f.rule in _WHOLE_TAG and f.fix is not None]
    for f in findings:
        if f.rule != "since-format" or f.fix is None:
            continue
        for g in whole:
            assert g.fix is not None
            if g.file == f.file and g.line == f.line and _covers(g.fix, f.fix):
                f.fix = g.fix
                break


_TEXT_REPAIRED = ("since-format", "since-malformed")


def attach_from_text(findings: list[Finding], read: Callable[[str], str | None]) -> list[Finding]:
    """Fixes for findings over whole files (``audit``): format and section-spelling repairs."""
    cache: dict[str, list[str]] = {}

    def line_of(path: str, n: int) -> str | None:
        if path not in cache:
            cache[path] = (read(path) or "").splitlines()
        lines = cache[path]
        return lines[n - 1] if 1 <= n <= len(lines) else None

    for f in findings:
        # Only these rules are repaired from the text: the files of other findings are not read.
        if f.fix is not None or f.file is None or f.line is None or f.rule not in _TEXT_REPAIRED:
            continue
        text = line_of(f.file, f.line)
        if text is None:
            continue
        ctx_lines = _context(line_of, f.file, f.line)
        if f.rule == "since-format":
            f.fix = format_fix(f.file, f.line, text, f.col, ctx_lines)
        elif f.rule == "since-malformed":
            f.fix = malformed_fix(f.file, f.line, text, ctx_lines)
    return findings
