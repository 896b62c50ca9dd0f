"""Apply findings' fixes to the files of a work tree (``--fix``), or show them as a diff (``--diff``).

Every edit is placed in the file as it is now, which may have moved on since
the commit the finding came from: the edit's line is found by its content
(the line at the recorded number when it is still there, else the equal line
whose neighbours match best, nearest on a tie), then the replaced text must
still be what the finding saw.  An edit that cannot be placed so, or that
overlaps one already taken, is skipped and said so; nothing is committed.

Files are written only inside the tree: relative paths without '..', no
symbolic link on the way, regular files of a bounded size, replaced
atomically (a temporary file in the same directory, then a rename).
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from dataclasses import dataclass, field

from qapilint.findings import Edit, Finding

MAX_FILE = 8 * 1024 * 1024
# Rules whose fix wins over another one on the same text (placed first).
OVERRIDING = frozenset({"since-mismatch"})
# Findings repaired by another rule's fix that rewrites their whole range: a version tag's spelling
# ('10.3.0') is repaired by the fix that writes the expected release over it ('11.0'), even when
# the two findings are in different patches of a series.
SUBSUMED_BY = {"since-format": frozenset({"since-mismatch", "since-malformed", "since-redundant"})}


class Refused(Exception):
    """A file that may not be read or written (outside the tree, a link, not a regular file, ...)."""


@dataclass
class Outcome:
    finding: Finding
    applied: bool
    reason: str = ""             # why not, when not applied; how, when another finding's fix did it
    line: int | None = None      # where the edit went in the current file
    by: Finding | None = None    # the finding whose fix repaired this one too


@dataclass
class Plan:
    """What ``--fix`` would do: the new text of each file, and the fate of each fix."""

    root: str
    old: dict[str, str] = field(default_factory=dict)
    new: dict[str, str] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    written: list[str] = field(default_factory=list)   # files written so far (``write``)

    @property
    def changed(self) -> list[str]:
        return [p for p in self.new if self.new[p] != self.old[p]]


def _parts(rel: str) -> list[str]:
    if not rel or "\0" in rel or os.path.isabs(rel) or rel.startswith(("/", "\\")):
        raise Refused("not a path inside the tree")
    parts = [p for p in rel.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise Refused("not a path inside the tree")
    return parts


def safe_path(root: str, rel: str) -> str:
    """``root/rel`` when every step is a real directory of the tree and the end a regular file."""
    parts = _parts(rel)
    here = os.path.realpath(root)
    for i, part in enumerate(parts):
        here = os.path.join(here, part)
        try:
            st = os.lstat(here)
        except OSError:
            raise Refused("no such file in the tree") from None
        if stat.S_ISLNK(st.st_mode):
            raise Refused("a symbolic link: not followed")
        last = i == len(parts) - 1
        if last and not stat.S_ISREG(st.st_mode):
            raise Refused("not a regular file")
        if not last and not stat.S_ISDIR(st.st_mode):
            raise Refused("not a path inside the tree")
    return here


def read_text(root: str, rel: str) -> str:
    path = safe_path(root, rel)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise Refused(f"cannot read: {e.strerror or e}") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise Refused("not a regular file")
        data = f.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise Refused(f"larger than {MAX_FILE // (1024 * 1024)} MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("not UTF-8") from None


def _score(lines: list[str], i: int, e: Edit) -> int:
    """How many of the edit's neighbouring lines are still next to line index ``i``."""
    n = 0
    for k, want in enumerate(reversed(e.before), 1):
        n += i - k >= 0 and lines[i - k] == want
    for k, want in enumerate(e.after, 1):
        n += i + k < len(lines) and lines[i + k] == want
    return n


def locate(lines: list[str], e: Edit) -> tuple[int | None, str]:
    """0-based index of the line the edit starts on, or None and why."""
    at = e.start_line - 1
    if not e.line_text:
        return (at, "") if 0 <= at < len(lines) else (None, "the file is shorter now")
    if 0 <= at < len(lines) and lines[at] == e.line_text:
        return at, ""
    found = [i for i, ln in enumerate(lines) if ln == e.line_text]
    if not found:
        return None, "the line is not in the file any more"
    ranked = sorted(found, key=lambda i: (-_score(lines, i, e), abs(i - at)))
    best = ranked[0]
    if len(ranked) > 1 and _score(lines, ranked[1], e) == _score(lines, best, e) \
            and abs(ranked[1] - at) == abs(best - at):
        return None, "the line appears more than once and its neighbours do not tell which"
    return best, ""


def _offsets(text_lines: list[str], ends: list[str], i: int, e: Edit) -> tuple[int, int] | None:
    """Character offsets in the whole text of the edit's range, starting on line index ``i``."""
    j = i + (e.end_line - e.start_line)
    if j >= len(text_lines) or e.start_col < 1 or e.end_col < 1:
        return None
    base = sum(len(t) + len(n) for t, n in zip(text_lines[:i], ends[:i], strict=True))
    end_base = sum(len(t) + len(n) for t, n in zip(text_lines[:j], ends[:j], strict=True))
    if e.start_col - 1 > len(text_lines[i]) or e.end_col - 1 > len(text_lines[j]):
        return None
    return base + e.start_col - 1, end_base + e.end_col - 1


def _split(text: str) -> tuple[list[str], list[str]]:
    raw = text.splitlines(keepends=True)
    lines = [r.rstrip("\r\n") for r in raw]
    return lines, [r[len(t):] for r, t in zip(raw, lines, strict=True)]


def plan(root: str, findings: list[Finding]) -> Plan:
    """Place every fix of ``findings`` in the current files of ``root`` (nothing is written)."""
    out = Plan(root=root)
    refused: dict[str, str] = {}
    # The fixes that set the version first (a mismatch's '10.2.0' -> '11.1' repairs the spelling too),
    # then errors: where two fixes overlap, the more severe finding's wins.
    order = sorted(range(len(findings)),
                   key=lambda k: (findings[k].rule not in OVERRIDING, -int(findings[k].severity), k))
    taken: dict[str, list[tuple[int, int, str, Finding]]] = {}
    outcomes: dict[int, Outcome] = {}
    for k in order:
        f = findings[k]
        if f.fix is None:
            continue
        placed: list[tuple[str, int, int, str, int]] = []
        why = ""
        for e in f.fix.edits:
            if e.file in refused:
                why = refused[e.file]
                break
            if e.file not in out.old:
                try:
                    out.old[e.file] = read_text(root, e.file)
                except Refused as r:
                    why = refused[e.file] = f"{e.file}: {r}"
                    break
            lines, ends = _split(out.old[e.file])
            i, why = locate(lines, e)
            if i is None:
                break
            span = _offsets(lines, ends, i, e)
            if span is None:
                why = "the line is shorter now"
                break
            if out.old[e.file][span[0]:span[1]] != e.old_text:
                why = f"the text there is no longer '{e.old_text}'"
                break
            placed.append((e.file, span[0], span[1], e.new_text, i + 1))
        if why or not placed:
            outcomes[k] = Outcome(f, False, why or "nothing to change")
            continue
        clash = _clash(taken, placed)
        if clash is not None:
            same, other = clash
            if same:
                outcomes[k] = Outcome(f, True, "", placed[0][4])
            elif _subsumed(f, other, taken, placed):
                outcomes[k] = Outcome(f, True, f"with the fix of {other.rule}", placed[0][4], other)
            else:
                outcomes[k] = Outcome(f, False, f"overlaps the fix of {other.rule}", placed[0][4])
            continue
        for path, a, b, new, _line in placed:
            taken.setdefault(path, []).append((a, b, new, f))
        outcomes[k] = Outcome(f, True, "", placed[0][4])
    for path, edits in taken.items():
        text = out.old[path]
        for a, b, new, _f in sorted(edits, key=lambda x: (x[0], x[1]), reverse=True):
            text = text[:a] + new + text[b:]
        out.new[path] = text
    for path in out.old:
        out.new.setdefault(path, out.old[path])
    out.outcomes = [outcomes[k] for k in sorted(outcomes)]
    return out


def _subsumed(f: Finding, other: Finding, taken: dict[str, list[tuple[int, int, str, Finding]]],
              placed: list[tuple[str, int, int, str, int]]) -> bool:
    """``other``'s fix, already taken, rewrites every range ``f``'s fix would (see SUBSUMED_BY)."""
    if other.rule not in SUBSUMED_BY.get(f.rule, ()):
        return False
    mine = [(path, x, y) for path, edits in taken.items() for x, y, _new, g in edits if g is other]
    return all(any(p == path and x <= a and b <= y for p, x, y in mine) for path, a, b, _new, _line in placed)


def _clash(taken: dict[str, list[tuple[int, int, str, Finding]]],
           placed: list[tuple[str, int, int, str, int]]) -> tuple[bool, Finding] | None:
    """(True, f) when the same edits are already taken for ``f``; (False, f) when they overlap f's."""
    for path, a, b, new, _line in placed:
        for x, y, other_new, other in taken.get(path, []):
            if (a, b, new) == (x, y, other_new):
                return True, other
            # Two insertions at one point, or ranges that share characters, cannot both be made.
            if a < y and x < b or a == b == x == y or (a == b and x < a < y) or (x == y and a < x < b):
                return False, other
    return None


def write(p: Plan) -> list[str]:
    """Write the changed files of the plan; the paths written."""
    done = []
    for rel in p.changed:
        path = safe_path(p.root, rel)  # again: the tree may have changed since it was read
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".qapilint-fix-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(p.new[rel])
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        done.append(rel)
        p.written.append(rel)
    return done


def fixed(p: Plan) -> list[Finding]:
    """The findings whose fix is now in the files: applied, and every file it edits written."""
    written = set(p.written)
    return [o.finding for o in p.outcomes if o.applied and o.finding.fix is not None
            and all(e.file in written for e in o.finding.fix.edits)]


def unified_diff(p: Plan) -> str:
    """The plan as a patch ``git apply`` takes (a/ and b/ prefixes, relative to the tree)."""
    out: list[str] = []
    for rel in sorted(p.changed):
        a = p.old[rel].splitlines(keepends=True)
        b = p.new[rel].splitlines(keepends=True)
        for line in difflib.unified_diff(a, b, git_quote(f"a/{rel}"), git_quote(f"b/{rel}"), lineterm="\n"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


_C_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r",
              '"': '\\"', "\\": "\\\\"}


def git_quote(name: str) -> str:
    """A file name as git writes it in a diff: as it is, or C-quoted when it holds a control
    character, a quote, a backslash or a non-ASCII byte (octal escapes), which ``git apply`` reads
    back; a name from a patch never reaches the terminal raw."""
    if all(0x20 <= ord(c) < 0x7F and c not in '"\\' for c in name):
        return name
    out = []
    for c in name:
        if c in _C_ESCAPES:
            out.append(_C_ESCAPES[c])
        elif 0x20 <= ord(c) < 0x7F:
            out.append(c)
        else:
            out.extend(f"\\{b:03o}" for b in c.encode("utf-8", "surrogateescape"))
    return '"' + "".join(out) + '"'


def summary_lines(p: Plan) -> list[str]:
    """One line per fix ('fixed' / 'not fixed: why') and a closing count."""
    lines = []
    for o in p.outcomes:
        f = o.finding
        where = f"{f.file}:{o.line or f.line}" if f.file else "patch"
        what = f.fix.description if f.fix is not None else ""
        if o.applied and o.by is not None and o.by.fix is not None:
            lines.append(f"{where}: fixed: {o.by.fix.description} ({o.reason}) [{f.rule}]")
        elif o.applied:
            lines.append(f"{where}: fixed: {what} [{f.rule}]")
        else:
            lines.append(f"{where}: not fixed: {what}: {o.reason} [{f.rule}]")
    applied = sum(1 for o in p.outcomes if o.applied)
    skipped = len(p.outcomes) - applied
    files = len(p.changed)
    tail = f"; {skipped} not applied" if skipped else ""
    lines.append(f"{applied} fix{'es' if applied != 1 else ''} applied to {files} file{'s' if files != 1 else ''}"
                 f"{tail}.")
    return lines
