"""Backward compatibility for QMP clients: send/receive directions over the type-usage graph
(:mod:`qapilint.changes.usage`, shared with the release comparison)."""

from __future__ import annotations

import re

from qapilint.changes.items import values_of
from qapilint.changes.model import Change, Definition, describe
from qapilint.changes.usage import RECEIVE, SEND, directions
from qapilint.checks import compat_rules as R
from qapilint.checks.context import CheckContext
from qapilint.checks.qapi_members import BUILTINS, Member, effective_members
from qapilint.checks.registry import Rule
from qapilint.checks.tags import Tag, find_tags_in_text
from qapilint.findings import Finding, Severity
from qapilint.versions import fmt

_ABSENCE = re.compile(r"\b(absent|omitted|omit|default|defaults|not (?:present|given|set|specified|provided)|"
                      r"only (?:present|set|returned|reported|available|included)|present (?:only|if|when)|"
                      r"if (?:not )?(?:set|given|specified|present|provided|enabled|supported)|unless|"
                      r"when|otherwise|if any|if known|if available)\b", re.IGNORECASE)


def _features(v: object) -> set[str]:
    out: set[str] = set()
    feats = v.get("features") if isinstance(v, dict) else None
    if isinstance(feats, list):
        for f in feats:
            name = f.get("name") if isinstance(f, dict) else f
            if isinstance(name, str):
                out.add(name)
    return out


def _member_features(d: Definition | None, name: str) -> set[str]:
    if d is None:
        return set()
    for block in (d.data.get("data"), d.data.get("base")):
        if isinstance(block, dict):
            for k, v in block.items():
                if isinstance(k, str) and k.lstrip("*") == name:
                    return _features(v)
    data = d.data.get("data")
    if d.meta == "enum" and isinstance(data, list):
        for v in data:
            if isinstance(v, dict) and v.get("name") == name:
                return _features(v)
    return set()


class _Compat:
    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.before = ctx.changes.before
        self.after = ctx.changes.after
        self.complete = self.before.complete and self.after.complete
        self.dirs_after = directions(self.after) if self.after.complete else {}
        self.dirs_before = directions(self.before) if self.before.complete else {}
        self.out: list[Finding] = []
        self.needs_tree: list[str] = []
        self.members_seen: set[tuple[str, str]] = set()

    def direction(self, defname: str, meta: str) -> set[str] | None:
        if meta == "command":
            return {SEND}
        if meta == "event":
            return {RECEIVE}
        if not self.complete:
            return None
        return self.dirs_after.get(defname, set()) | self.dirs_before.get(defname, set())

    def emit(self, rule: Rule, c: Change, message: str, severity: Severity | None = None) -> None:
        line = c.line
        self.out.append(Finding(rule=rule.id, family="compat", severity=severity or rule.severity,
                                message=message, file=c.file or None, line=line,
                                patch_line=(c.patch_lines[0] if c.patch_lines else None),
                                definition=c.definition, item=c.name))

    def exemption(self, c: Change, d: Definition | None) -> tuple[str | None, Severity | None]:
        feats = _features(d.data) if d else set()
        feats |= _member_features(d, c.name) if c.name else set()
        if "unstable" in feats or c.definition.startswith("x-") or (c.name or "").startswith("x-"):
            return "unstable", None
        if "deprecated" in feats:
            return "deprecated", Severity.NOTE
        return None, None

    def unreleased(self, d: Definition | None, item: str | None) -> str | None:
        """The release ``d`` (or its ``item``) was added in, when that release is not out yet."""
        exp = self.ctx.expected
        if exp is None or d is None or d.doc is None:
            return None
        tags: list[Tag] = []
        if item is not None:
            sec = d.doc.members().get(item) or d.doc.features().get(item)
            if sec is not None:
                tags = find_tags_in_text(sec.text)
        if not tags:
            since = d.doc.tag("Since")
            tags = find_tags_in_text(f"(since {since.text.strip()})") if since is not None else []
        v = tags[-1].version if tags else None
        first_unreleased = min([exp.version, *exp.also] + ([exp.frozen] if exp.frozen else []))
        return fmt(v) if v is not None and v >= first_unreleased else None

    def removal(self, rule: Rule, c: Change, what: str) -> None:
        d = self.before.definitions.get(c.definition)
        ex, sev = self.exemption(c, d)
        if ex == "unstable":
            return
        if self.unreleased(d, c.name if c.what != "definition" else None) is not None:
            return  # added during this development cycle: no client has it yet
        meta = d.meta if d else c.meta
        dirs = self.direction(c.definition, meta)
        if c.what == "value" and dirs is not None and dirs and SEND not in dirs:
            sev = sev or Severity.WARNING
            what += " (receive-only: invisible on the wire, visible in introspection)"
        if dirs is not None and not dirs and meta not in ("command", "event"):
            return  # type used by nothing: no client can see it
        msg = f"{what}; this breaks existing clients"
        if ex == "deprecated":
            msg = f"{what}; it was deprecated, so its removal follows the deprecation policy"
        self.emit(rule, c, msg, sev)

    def run(self) -> list[Finding]:
        moved = self.ctx.moved
        for c in self.ctx.changes.changes:
            if c.definition in moved:
                continue
            d_after = self.after.definitions.get(c.definition)
            d_before = self.before.definitions.get(c.definition)
            known = d_after or d_before
            meta = known.meta if known is not None else c.meta
            if c.op == "removed" and c.what == "definition" and meta in ("command", "event"):
                self.removal(R.REMOVED_COMMAND, c, f"{describe(meta, c.definition)} is removed")
            elif c.op == "removed" and c.what == "member":
                if d_after is not None and c.name in self.effective(d_after, "after"):
                    # Moved into (or out of) a base: still there for clients; compare what it is.
                    if (c.definition, c.name) not in self.members_seen:
                        self.members_seen.add((c.definition, c.name))
                        self.member(c, meta, d_before, d_after)
                    continue
                self.removal(R.REMOVED_MEMBER, c,
                             f"member '{c.name}' is removed from {describe(meta, c.definition)}")
            elif c.op == "removed" and c.what == "value" and meta == "enum":
                # Only enums have values; lists cut out of pragma directives are not API.
                self.removal(R.REMOVED_VALUE, c, f"value '{c.name}' is removed from {describe('enum', c.definition)}")
            elif c.op == "removed" and c.what == "branch" and meta:
                self.removal(R.REMOVED_BRANCH, c, f"branch '{c.name}' is removed from {describe(meta, c.definition)}")
            elif (c.what in ("type", "optional") and c.op == "changed" and d_after is None and c.name
                  and not self.complete):
                # The hunks do not show which definition the member belongs to.
                self.needs_tree.append(f"the definition holding '{c.name}' ({c.file}:{c.line})")
            elif (c.what == "member" and c.op in ("added", "changed")
                  or c.what in ("type", "optional") and c.op == "changed") and d_after is not None and c.name:
                # The differ reports a member's new type and optionality as separate changes.
                if (c.definition, c.name) not in self.members_seen:
                    self.members_seen.add((c.definition, c.name))
                    self.member(c, meta, d_before, d_after)
            elif c.what in ("base", "discriminator", "boxed", "returns", "data") and c.op == "changed":
                if c.what in ("base", "data") and self.same_members(d_before, d_after):
                    continue    # a refactoring: clients see the same members as before
                self.emit(R.STRUCTURE_CHANGED, c, f"{c.what} of {describe(meta, c.definition)} changes"
                          + (f" ({c.detail})" if c.detail else ""))
        if self.needs_tree:
            first = self.needs_tree[0]
            self.out.append(Finding(rule=R.NEEDS_TREE.id, family="compat", severity=R.NEEDS_TREE.severity,
                                    message=f"needs a tree to judge the change to {first} ({len(self.needs_tree)} such "
                                            "change(s)): whether clients send or receive it, or what its types "
                                            "look like, is not in the hunks; run with --tree"))
        return self.out

    def effective(self, d: Definition, side: str) -> dict[str, Member]:
        """Own and inherited members (without a tree: as far as the hunks show the base types)."""
        return effective_members(d, (self.after if side == "after" else self.before).definitions)

    def seen_whole(self, name: str) -> bool:
        d = self.after.definitions.get(name) or self.before.definitions.get(name)
        return d is not None and not d.partial

    def same_shape(self, old: str, new: str) -> bool:
        """Whether a type renamed from ``old`` to ``new`` looks the same on the wire.

        Introspection masks type names, so clients see only the shape: the
        same enum values, or the same members.
        """
        if old.startswith("[") != new.startswith("["):
            return False
        old, new = old.strip("[]"), new.strip("[]")
        a, b = self.before.definitions.get(old), self.after.definitions.get(new)
        if a is None or b is None or a.meta != b.meta or a.partial or b.partial:
            return False
        if a.meta == "enum":
            return values_of(a.data.get("data")).keys() == values_of(b.data.get("data")).keys()
        if a.meta == "struct":
            return self.effective(a, "before") == self.effective(b, "after")
        return False

    def same_members(self, d_before: Definition | None, d_after: Definition | None) -> bool:
        return (self.complete and d_before is not None and d_after is not None
                and self.effective(d_before, "before") == self.effective(d_after, "after"))

    def member(self, c: Change, meta: str, d_before: Definition | None, d_after: Definition) -> None:
        new = self.effective(d_after, "after").get(c.name or "")
        if new is None:
            return
        old = self.effective(d_before, "before").get(new.name) if d_before else None
        if c.definition in self.ctx.new_definitions:
            return
        ex, _sev = self.exemption(c, d_after)
        if ex is not None:
            return
        dirs = self.direction(c.definition, meta)
        label = f"'{new.name}' of {describe(meta, c.definition)}"
        if c.op == "added" and old is None:
            if not new.optional:
                if dirs is None:
                    self.needs_tree.append(describe(meta, c.definition))
                elif SEND in dirs:
                    self.emit(R.NEW_MANDATORY, c, f"new mandatory member {label} is sent by clients; "
                              "existing clients do not send it (make it optional)")
            else:
                self.absence_doc(c, new, d_after, dirs)
            return
        if old is None or self.unreleased(d_before, old.name) is not None:
            return      # new, or new in this development cycle: no client relies on it yet
        if old.optional and not new.optional:
            if dirs is None:
                self.needs_tree.append(describe(meta, c.definition))
            elif SEND in dirs:
                self.emit(R.OPTIONAL_TO_MANDATORY, c, f"{label} becomes mandatory; clients that omit it break")
        if not old.optional and new.optional:
            if dirs is None:
                self.needs_tree.append(describe(meta, c.definition))
            elif RECEIVE in dirs:
                self.emit(R.MANDATORY_TO_OPTIONAL, c, f"{label} becomes optional in returned data; "
                          "clients may rely on its presence")
        if old.type != new.type and not self.same_shape(old.type, new.type):
            named = [t.strip("[]") for t in (old.type, new.type) if t.strip("[]") not in BUILTINS]
            if not self.complete and named and not all(self.seen_whole(t) for t in named):
                # Perhaps a renamed type of the same shape (introspection hides names).
                self.needs_tree.append(f"{label} ('{old.type}' -> '{new.type}')")
            else:
                self.emit(R.TYPE_CHANGED, c, f"{label} changes type from '{old.type}' to '{new.type}'")

    def absence_doc(self, c: Change, m: Member, d: Definition, dirs: set[str] | None) -> None:
        if d.doc is None:
            return
        sec = d.doc.members().get(m.name)
        if sec is None or _ABSENCE.search(sec.text):
            return
        side = "what its absence means" if dirs and SEND in dirs else "when it is absent"
        self.emit(R.OPTIONAL_UNDOCUMENTED, c, f"new optional member '{m.name}' of {describe(d.meta, d.name)}: "
                  f"the description does not say {side}")


def check(ctx: CheckContext) -> list[Finding]:
    return _Compat(ctx).run()
