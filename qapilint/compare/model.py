"""What a release comparison produces: one entry per client-visible change.

An entry has the shape of the ``changes`` JSON contract (``op``, ``what``,
``definition``, ``name``; see :mod:`qapilint.changes.model`) plus what a
release note needs: whether it breaks clients, since when the item was
deprecated, and how it stands with QEMU's deprecation policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from qapilint.definitions import Definition
from qapilint.versions import Version, fmt

Policy = Literal["ok", "violation", "exempt"]
# Keys of the deprecation history: ("def", name) for commands and events,
# ("member" | "value" | "branch", owning definition, name) for their parts.
ItemKey = tuple[str, ...]


@dataclass
class Entry:
    op: str                          # added | removed | changed
    what: str                        # definition member value branch feature if optional type returns ...
    definition: str                  # the definition that holds the item (new side; old side for removals)
    name: str | None = None          # member / value / branch / feature name
    meta: str = ""                   # meta of ``definition``
    on: str | None = None            # for a feature or condition of a part: "member 'x'"
    detail: str = ""
    before: object = None
    after: object = None
    directions: set[str] = field(default_factory=set)
    cond: object = None              # the item's 'if' (with its definition's), as written
    breaking: bool = False
    deprecated_since: str | None = None
    policy: Policy = "ok"
    reason: str = ""                 # why the policy verdict (human text)
    file: str = ""
    line: int | None = None
    via: str = ""                    # a command or event through which clients reach it
    replaces: str | None = None      # the old type in the same place, when ``definition`` is a new or renamed one
    # internal
    exempt: bool = False             # unstable / x- (the item, or every path reaching it)
    key: ItemKey = ()                # deprecation-history key on the old side
    deprecated_old: bool = False     # marked deprecated in the old schema
    deprecated_new: bool = False
    unreleased: bool = False         # no release had the item: no released client can break

    @property
    def group(self) -> str:
        """Changelog section: new, changed, deprecated or removed."""
        if self.what == "feature" and self.name == "deprecated":
            return "deprecated" if self.op == "added" else "changed"
        if self.op == "added" and self.what not in ("if", "optional"):
            return "new"
        if self.op == "removed" and self.what not in ("if", "optional"):
            return "removed"
        return "changed"

    def ident(self) -> tuple[str, str, str, str | None, str | None, str]:
        """What makes two entries the same change (found through different paths)."""
        return (self.op, self.what, self.definition, self.name, self.on, self.detail)


_ROLE = {"command": "argument", "event": "member"}


def _item(e: Entry) -> str:
    """The item an entry is about: "argument 'x' of command 'y'", "value 'v' of enum 'E'"."""
    owner = f"{e.meta or 'definition'} '{e.definition}'"
    role = _ROLE.get(e.meta, "member")
    if e.on is not None:
        return e.on.replace("member '", f"{role} '", 1) + f" of {owner}"
    if e.what in ("member", "type", "optional", "value", "branch") and e.name is not None:
        kind = e.key[0] if e.key and e.key[0] in ("value", "branch") else e.what
        word = kind if kind in ("value", "branch") else role
        return f"{word} '{e.name}' of {owner}"
    return owner


def subject(e: Entry) -> str:
    """What the entry changes, in words."""
    item = _item(e)
    prefix = {"feature": f"feature '{e.name}' of ", "if": "condition of ", "returns": "return type of ",
              "type": "type of ", "flag": f"'{e.name}' of ", "discriminator": "discriminator of "}
    return prefix.get(e.what, "") + item


def headline(e: Entry) -> str:
    """One line for a changelog or a finding: "new argument 'x' of command 'y' (optional)"."""
    if e.what == "feature" and e.name == "deprecated":
        return f"{_item(e)} deprecated" if e.op == "added" else f"{_item(e)} no longer deprecated"
    what = subject(e)
    if e.op == "added" and e.what not in ("if", "optional"):
        return f"new {what}" + (f" ({e.detail})" if e.detail else "")
    if e.op == "removed" and e.what not in ("if", "optional"):
        return f"{what} removed"
    return f"{what}: {e.detail}" if e.detail else f"{what} changed"


@dataclass
class SideInfo:
    """One compared schema: where it came from and which release it is."""

    label: str                       # what the user named (revision or directory)
    root: str                        # schema root file
    commit: str | None = None        # resolved revision (None: a directory)
    version_text: str | None = None  # VERSION contents
    release: Version | None = None   # the release it is (X.Y.0, stable X.Y.Z) or will be (development)
    released: bool = False           # True when it is that release (not development toward it)
    errors: int = 0                  # frontend P1 errors while loading (doc-comment ones not counted)
    refused: list[str] = field(default_factory=list)   # includes that leave the tree, said as findings say them
    definitions: dict[str, Definition] = field(default_factory=dict)

    def describe(self) -> str:
        if self.version_text is None:
            return self.label
        state = "" if self.released else f", development of {fmt(self.release)}" if self.release else ""
        return f"{self.label} ({self.version_text}{state})"


@dataclass
class Comparison:
    old: SideInfo
    new: SideInfo
    entries: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    releases_read: list[str] = field(default_factory=list)   # releases consulted for the deprecation history

    def counts(self) -> dict[str, int]:
        out = {"new": 0, "changed": 0, "deprecated": 0, "removed": 0, "breaking": 0,
               "violation": 0, "exempt": 0}
        for e in self.entries:
            out[e.group] += 1
            out["breaking"] += e.breaking
            out["violation"] += e.policy == "violation"
            out["exempt"] += e.policy == "exempt"
        return out
