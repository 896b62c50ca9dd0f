"""Naming a cut definition from the rest of the patch.

When neither the opener nor the doc symbol of a definition is in view, the
hunk-only rebuild keys it ``?path#N``.  The patch's C hunks often name it
anyway, in the spellings the QAPI generator gives it:

* an enum value ``cpr-exec-command`` of ``MigrationParameter`` is the C
  constant ``MIGRATION_PARAMETER_CPR_EXEC_COMMAND``;
* a member ``reconnect-ms`` of struct ``ChardevSocket`` is the C field
  ``reconnect_ms`` (and ``has_reconnect_ms`` when optional), reached through
  a variable declared ``ChardevSocket *sock`` (in the hunk, or in the
  function signature git prints in the hunk header);
* a branch ``passt`` of union ``Netdev`` is reached as ``netdev->u.passt``.

Only the items the patch adds or removes vote (an unchanged ``name`` member
is everywhere), only types the generator's marks show to be QAPI types
count (``has_FOO``, ``u.``, ``qapi_free_Foo``, ``FooList``...), and a name
is taken only when one candidate wins outright.  Measured on the corpus,
hunk-only and tree-mode changesets then agree on 86% of added/removed items
instead of 66%.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from qapilint.changes.items import parts
from qapilint.changes.model import Definition
from qapilint.patch import FileDiff, Patch
from qapilint.qapi.schema_model import c_name
from qapilint.rebuild.detect import def_key, is_qapi_file, schema_group
from qapilint.rebuild.scan import Line, Val
from qapilint.rebuild.views import SideView, item_name, merge_data

_CAMEL = re.compile(r"\b[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*\b")
_PTR_DECL = re.compile(r"\b([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)\s*\*+\s*(?:const\s+)?([A-Za-z_]\w*)\s*[;=,)\[]")
_VAL_DECL = re.compile(r"\b([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)\s+([A-Za-z_]\w*)\s*(?:=|;|\[)")
_NEW = re.compile(r"\b([A-Za-z_]\w*)\s*=\s*g_(?:new0?|malloc0?)\s*\(\s*([A-Z][A-Za-z0-9]*)\s*,")
_ACCESS = re.compile(r"\b([A-Za-z_]\w*)\s*(?:->|\.)\s*(u\s*\.\s*)?([A-Za-z_]\w*)")
_CONST = re.compile(r"\b[A-Z][A-Z0-9_]*\b")
_QAPI_USE = re.compile(r"\b(?:qapi_free_|visit_type_|QAPI_CLONE\(\s*|QAPI_CLONE_MEMBERS\(\s*)([A-Z]\w*?)(?:List)?\b"
                       r"|\b([A-Z][A-Za-z0-9]*)List\b")
_DEFINE = re.compile(r"#\s*define\s+([A-Z][A-Z0-9_]*)")
# C types whose fields happen to share names with QAPI members.
_NOT_QAPI = frozenset({"Error", "Object", "DeviceState", "Visitor", "QDict", "QObject", "QList", "GString",
                       "MachineState", "BlockDriverState", "CharBackend", "Chardev"})


def upper_name(name: str) -> str:
    """The C enum prefix QAPI derives from a CamelCase type name.

    An underscore goes before a capital that starts a new word: one that is
    followed by a lower-case letter, or that follows a digit.
    """
    s = c_name(name)
    if s.isupper():
        return s
    out: list[str] = []
    for i, ch in enumerate(s):
        if ch.isupper() and i > 0 and s[i - 1] != "_" and (
                (i + 1 < len(s) and s[i + 1].islower()) or s[i - 1].isdigit()):
            out.append("_")
        out.append(ch)
    return "".join(out).lstrip("_").upper()


def _camel_guess(prefix: str) -> str | None:
    if prefix.count("_") < 1:
        return None         # one word (TYPE_, QOM's type names) says too little
    guess = "".join(w[:1] + w[1:].lower() for w in prefix.split("_") if w)
    return guess if guess and upper_name(guess) == prefix else None


_STRUCTURE = frozenset({"data", "base", "type", "features", "if", "returns", "discriminator", "name",
                        "struct", "union", "alternate", "enum", "command", "event", "boxed", "prefix"})


class Namer:
    """The patch's naming evidence, read once, asked per cut region."""

    def __init__(self, patch: Patch) -> None:
        self.patch = patch
        self._read = False
        self.consts: set[str] = set()
        self.consts_on: dict[str, set[str]] = {"+": set(), "-": set()}    # constants only added / only removed
        self.spelled: dict[str, set[str]] = {}
        # (variable, field, through the union's 'u', the variable's declared types)
        self.accesses: list[tuple[str, str, bool, frozenset[str]]] = []
        self.qapi_types: set[str] = set()
        self.kinds: dict[str, str] = {}        # meta the evidence shows for a name it gave

    def _read_patch(self) -> None:
        # Read on first question: most patches have nothing cut to name.
        self._read = True
        patch = self.patch
        c_lines: list[str] = []
        changed: dict[str, list[str]] = {"+": [], "-": [], " ": []}
        q_lines: list[str] = []
        all_lines: list[str] = [patch.title or patch.subject, patch.message]
        for fd in patch.files:
            texts = [ln.text for h in fd.hunks for ln in h.lines]
            all_lines.extend(texts)
            if is_qapi_file(fd):
                q_lines.extend(texts)
                continue
            c_lines.extend(texts)
            self._read_c(fd)
            for h in fd.hunks:
                for ln in h.lines:
                    if ln.kind in changed:
                        changed[ln.kind].append(ln.text)
        c_text = "\n".join(c_lines)
        macros = set(_DEFINE.findall(c_text))
        self.consts = set(_CONST.findall(c_text)) - macros
        on = {kind: set(_CONST.findall("\n".join(texts))) - macros for kind, texts in changed.items()}
        # The constant of a value the patch adds did not exist before it: it
        # is on '+' lines only (and one it removes on '-' lines only).
        self.consts_on = {"+": on["+"] - on[" "] - on["-"], "-": on["-"] - on[" "] - on["+"]}
        for w in set(_CAMEL.findall("\n".join(all_lines))):
            self.spelled.setdefault(upper_name(w), set()).add(w)
        # Types the QAPI generator's API is used with, or that the schema hunks mention.
        self.qapi_types = {g for m in _QAPI_USE.findall(c_text) for g in m if g}
        self.qapi_types |= set(_CAMEL.findall("\n".join(q_lines)))

    def _read_c(self, fd: FileDiff) -> None:
        """Field accesses with the type their variable was last declared with in this file.

        git's hunk header shows the enclosing C function, parameters included,
        so a hunk starts with what its function declares.
        """
        scope: dict[str, set[str]] = {}
        for h in fd.hunks:
            for text in [h.section] + [ln.text for ln in h.lines]:
                if not text:
                    continue
                for t, var in _PTR_DECL.findall(text) + _VAL_DECL.findall(text):
                    scope[var] = {t}
                for var, t in _NEW.findall(text):
                    scope[var] = {t}
                for var, u, f in _ACCESS.findall(text):
                    if var in scope:
                        self.accesses.append((var, f, bool(u), frozenset(scope[var])))

    def name(self, values: dict[str, set[str]], members: set[str],
             exclude: Callable[[str], bool] = lambda _n: False) -> tuple[str, str] | None:
        """(definition name, the C spelling that named it) for a region changing these items.

        ``values`` are the enum values added ('+') and removed ('-');
        ``exclude`` rules out candidates known to be elsewhere.
        """
        if not self._read:
            self._read_patch()
        if any(values.values()) and not members:
            # Code the patch adds names what it adds: when a patch moves
            # values from one enum to another both enums' constants are
            # in view, but only the new ones are new.
            return (self._enum(values, self.consts_on, exclude)
                    or self._enum(values, {"+": self.consts, "-": self.consts}, exclude))
        if members and not any(values.values()):
            return self._struct(members, exclude)
        return None

    def _unique(self, prefix: str) -> str | None:
        names = self.spelled.get(prefix, set())
        return next(iter(names)) if len(names) == 1 else None

    def _enum(self, values: dict[str, set[str]], consts: dict[str, set[str]],
              exclude: Callable[[str], bool]) -> tuple[str, str] | None:
        # A prefix whose CamelCase spelling is also in the patch (Foo_str(),
        # Foo_lookup, a declaration) outranks a bare one; #define'd names are
        # macros, not enum constants.
        votes: Counter[str] = Counter()
        example: dict[str, str] = {}
        for v, side in sorted((v, side) for side, vs in values.items() for v in vs):
            tail = "_" + c_name(v).upper()
            for prefix in {c[: -len(tail)] for c in consts[side] if c.endswith(tail) and len(c) > len(tail)}:
                if exclude(self._unique(prefix) or _camel_guess(prefix) or ""):
                    continue
                votes[prefix] += 1
                example.setdefault(prefix, prefix + tail)

        def rank(p: str) -> tuple[bool, int]:
            return self._unique(p) is not None, votes[p]
        ranked = sorted(votes, key=rank, reverse=True)
        if not ranked or (len(ranked) > 1 and rank(ranked[1]) == rank(ranked[0])):
            return None
        best = ranked[0]
        name = self._unique(best) or (_camel_guess(best) if best not in self.spelled else None)
        return (name, example[best]) if name else None

    def _struct(self, members: set[str], exclude: Callable[[str], bool]) -> tuple[str, str] | None:
        fields: dict[str, str] = {}
        for m in members:
            fields[c_name(m)] = m
            fields["has_" + c_name(m)] = m
        votes: Counter[str] = Counter()
        example: dict[str, str] = {}
        seen: set[tuple[str, str]] = set()
        branches: set[str] = set()
        for var, field_, via_u, types in self.accesses:
            member = fields.get(field_)
            if member is None:
                continue
            for t in types:
                # Only QAPI generates has_FOO and a union's 'u'; a plain field may be any C struct's.
                qapi = field_.startswith("has_") or via_u or t in self.qapi_types
                if not qapi or t in _NOT_QAPI or (t, member) in seen or exclude(t):
                    continue
                seen.add((t, member))
                votes[t] += 1
                example.setdefault(t, f"{var}->{'u.' if via_u else ''}{field_}")
                if via_u:
                    branches.add(t)
        best = votes.most_common(2)
        if not best or (len(best) > 1 and best[1][1] == best[0][1]):
            return None
        if best[0][0] in branches:
            # Reached through 'u': the items are the branches of a union.
            self.kinds[best[0][0]] = "union"
        return best[0][0], example[best[0][0]]


def changed_items(root: Val, lines: list[Line], side: str) -> tuple[set[str], set[str]]:
    """(values, members) a cut expression's window changes on ``side`` ('-' or '+')."""
    values: set[str] = set()
    members: set[str] = set()

    def walk(v: Val) -> None:
        if v.kind == "dict":
            for k, c in v.entries:
                if k is None or k in ("data", "base"):
                    walk(c)
                elif k not in _STRUCTURE:
                    at = c.key_line if c.key_line is not None else c.line
                    if lines[at].kind == side:
                        members.add(k[1:] if k.startswith("*") else k)
        elif v.kind == "list":
            for it in v.items:
                if lines[it.line].kind == side and (it.kind == "str" or it.get("name") is not None):
                    values.add(item_name(it))
    walk(root)
    return values, members


def _changed(before: Definition | None, after: Definition | None) -> dict[str, dict[str, set[str]]]:
    """Item names by kind ('member', 'value', 'branch') and side: '+' only after, '-' only before."""
    def items(d: Definition | None) -> dict[str, set[str]]:
        if d is None:
            return {}
        return {k: set(v) for k, v in parts(d.meta, d.data).items()}
    b, a = items(before), items(after)
    return {k: {"+": a.get(k, set()) - b.get(k, set()), "-": b.get(k, set()) - a.get(k, set())}
            for k in ("member", "value", "branch")}


def name_anonymous(namer: Namer, before: SideView, after: SideView) -> list[str]:
    """Give names to ``?path#N`` definitions where the C hunks tell; returns notes on what was named."""
    notes: list[str] = []
    anon = sorted({k for v in (before, after) for k, d in v.definitions.items() if d.name.startswith("?")})
    for key in anon:
        b, a = before.definitions.get(key), after.definitions.get(key)
        changed = _changed(b, a)
        got = namer.name(changed["value"], changed["member"]["+"] | changed["member"]["-"]
                         | changed["branch"]["+"] | changed["branch"]["-"])
        if got is None:
            continue
        name, why = got
        d = a or b
        assert d is not None
        new_key = def_key(schema_group(d.file), name)
        if any(new_key in v.definitions and not v.definitions[new_key].partial for v in (before, after)):
            continue        # seen whole elsewhere: it has no parts out of view
        for view in (before, after):
            rename(view, key, new_key, name)
        notes.append(naming_note(d.file, name, why))
    return notes


def naming_note(path: str, name: str, why: str) -> str:
    return f"{path}: a definition whose name is out of view is taken to be {name} ({why} in the C hunks)"


def rename(view: SideView, old: str, new: str, name: str) -> None:
    """Move definition ``old`` to key ``new``, merging with what is already there."""
    d = view.definitions.pop(old, None)
    if d is None:
        return
    d.name = name
    into = view.definitions.get(new)
    for (k, path), loc in list(view.locs.items()):
        if k == old:
            del view.locs[(k, path)]
            view.locs.setdefault((new, path), loc)
    for flags in (view.data_partial, view.doc_partial):
        if old in flags:
            flags.discard(old)
            flags.add(new)
    if into is None:
        view.definitions[new] = d
        return
    merge_data(into.data, d.data)
    into.seen_lines |= d.seen_lines
    into.meta = into.meta or d.meta
    if into.doc is None:
        into.doc = d.doc
    elif d.doc is not None:
        into.doc.sections.extend(d.doc.sections)
        into.doc.lines.extend(d.doc.lines)
    into.partial = new in view.data_partial or new in view.doc_partial
