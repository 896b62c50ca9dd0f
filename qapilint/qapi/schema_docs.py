"""Doc connection (end of P4) and doc leftovers (P5).

Each checked definition with a doc block claims the ``@name:``
descriptions of what it may document: its features, then each member /
value / branch followed by that member's features.  A member without a
description is an error unless the pragma ``documentation-exceptions``
names the definition; a feature without one always is.  Afterwards (P5)
every description nobody claimed is reported, per doc block.
"""

from __future__ import annotations

from collections.abc import Iterable

from qapilint.qapi.diagnostics import SchemaError
from qapilint.qapi.doc_model import DocBlock, DocSection
from qapilint.qapi.exprs import Pragma
from qapilint.qapi.schema_model import (
    AlternateType,
    Branch,
    Command,
    Entity,
    EnumType,
    EnumValue,
    Event,
    Feature,
    Member,
    ObjectType,
)


class _DocState:
    def __init__(self, doc: DocBlock) -> None:
        self.doc = doc
        self.members: dict[str, DocSection] = {}
        self.features: dict[str, DocSection] = {}
        for s in doc.sections:
            if s.name is None or not s.name:
                continue
            if s.kind == "member":
                self.members.setdefault(s.name, s)
            elif s.kind == "feature":
                self.features.setdefault(s.name, s)
        self.claimed_members: set[str] = set()
        self.claimed_features: set[str] = set()


class DocConnector:
    def __init__(self, pragma: Pragma) -> None:
        self.pragma = pragma
        self._states: dict[int, _DocState] = {}

    def _state(self, doc: DocBlock) -> _DocState:
        st = self._states.get(id(doc))
        if st is None:
            st = self._states[id(doc)] = _DocState(doc)
        return st

    def connect(self, ent: Entity) -> list[SchemaError]:
        """Connect a checked definition to its doc block; the undocumented things, in QEMU's order."""
        if ent.doc is None:
            return []
        st = self._state(ent.doc)
        errors: list[SchemaError] = []
        self._features(st, ent.features, errors)
        if isinstance(ent, EnumType):
            for v in ent.values:
                self._member(st, v, errors)
        elif isinstance(ent, ObjectType):
            if ent.base is not None and ent.base.implicit:
                for m in ent.base.local_members:
                    self._member(st, m, errors)
            for m in ent.local_members:
                self._member(st, m, errors)
        elif isinstance(ent, AlternateType):
            for b in ent.branches:
                self._member(st, b, errors)
        elif isinstance(ent, Command | Event) and ent.arg_type is not None and ent.arg_type.implicit:
            for m in ent.arg_type.local_members:
                self._member(st, m, errors)
        return errors

    def _features(self, st: _DocState, feats: Iterable[Feature], errors: list[SchemaError]) -> None:
        for f in feats:
            if f.name in st.features:
                st.claimed_features.add(f.name)
            else:
                errors.append(SchemaError("doc-undocumented-feature",
                                          f"feature '{f.name}' lacks documentation", f.info))

    def _member(self, st: _DocState, m: Member | EnumValue | Branch, errors: list[SchemaError]) -> None:
        if m.name in st.members:
            st.claimed_members.add(m.name)
        elif st.doc.symbol not in self.pragma.documentation_exceptions:
            errors.append(SchemaError("doc-undocumented-member",
                                      f"{m.role} '{m.name}' lacks documentation", m.info))
        self._features(st, m.features, errors)

    def leftovers(self, docs: Iterable[DocBlock]) -> list[SchemaError]:
        """P5: descriptions of members and features that do not exist, per connected doc block."""
        errors: list[SchemaError] = []
        for doc in docs:
            st = self._states.get(id(doc))
            if st is None:
                continue
            for kind, described, claimed in (("member", st.members, st.claimed_members),
                                             ("feature", st.features, st.claimed_features)):
                bogus = [n for n in described if n not in claimed]
                if not bogus:
                    continue
                first = described[bogus[0]].info
                plural = len(bogus) > 1
                names = "', '".join(bogus)
                msg = (f"documented {kind}{'s' if plural else ''} '{names}' "
                       f"{'do' if plural else 'does'} not exist")
                errors.append(SchemaError(f"doc-documented-{kind}-missing", msg,
                                          first.at(first.line, None)))
        return errors
