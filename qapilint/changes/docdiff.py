"""Doc-only changes: descriptions, member/feature descriptions and tagged sections."""

from __future__ import annotations

from qapilint.changes.items import Item, features_of, parts
from qapilint.changes.model import Change, Definition
from qapilint.qapi.doc_model import DocSection
from qapilint.rebuild.views import Loc, SideView

SectionKey = tuple[str, str]          # (kind, name) ; ("plain", "") is the description


def section_text(s: DocSection) -> str:
    if s.text:
        return s.text
    return "\n".join(dl.text for dl in s.lines)


def _sections(d: Definition | None) -> dict[SectionKey, tuple[str, DocSection]]:
    out: dict[SectionKey, tuple[str, DocSection]] = {}
    if d is None or d.doc is None:
        return out
    for s in d.doc.sections:
        key = (s.kind, s.name or "")
        text = section_text(s)
        if key in out:
            out[key] = (out[key][0] + "\n\n" + text, out[key][1])
        else:
            out[key] = (text, s)
    return out


def _all_features(data: dict[str, object], ps: dict[str, dict[str, Item]]) -> dict[str, Item]:
    """Features of the definition and of its members/values/branches, by name."""
    out = dict(features_of(data))
    for group in ps.values():
        for it in group.values():
            out.update({f: Item(name=f) for f in it.features})
    return out


def _norm(t: str) -> str:
    return " ".join(t.split())


def doc_changes(key: str, name: str, meta: str, partial: bool, b: Definition | None, a: Definition | None,
                bv: SideView, av: SideView, hunk_mode: bool) -> list[Change]:
    out: list[Change] = []
    bs, as_ = _sections(b), _sections(a)
    if not bs and not as_:
        return out
    if a is not None and b is not None:
        bp, ap = parts(b.meta or meta, b.data), parts(a.meta or meta, a.data)
        bp["feature"], ap["feature"] = _all_features(b.data, bp), _all_features(a.data, ap)
        new_items = {n for what in ("member", "value", "branch", "feature") for n in set(ap[what]) - set(bp[what])}
        gone_items = {n for what in ("member", "value", "branch", "feature") for n in set(bp[what]) - set(ap[what])}
    else:
        new_items, gone_items = set(), set()

    some = a if a is not None else b
    fallback_file = some.file if some is not None else ""

    def loc(view: SideView, sk: SectionKey) -> Loc | None:
        return view.locs.get((key, ("#doc", sk[0], sk[1])))

    def emit(op: str, sk: SectionKey, before: str | None, after: str | None) -> None:
        la, lb = loc(av, sk), loc(bv, sk)
        at = (lb or la) if op == "removed" else (la or lb)
        plines = sorted({x.patch_line for x in (la, lb) if x is not None and x.kind != " " and x.patch_line})
        what = "since" if sk == ("tag", "Since") else "doc"
        label = sk[1] or None
        detail = {"plain": "description", "member": "member description", "feature": "feature description",
                  "tag": f"{sk[1]} section"}[sk[0]]
        # A doc section appearing or going is a change of the definition's documentation.
        detail = f"{detail} {op}"
        out.append(Change(op="changed", what=what, definition=name, name=label, meta=meta,
                          partial=partial, file=at.file if at else fallback_file,
                          line=at.line if at else None, patch_lines=plines, before=before, after=after,
                          detail=detail, doc=after))

    def visible(view: SideView, sk: SectionKey, side: str) -> bool:
        if not hunk_mode:
            return True
        lc = loc(view, sk)
        return lc is not None and lc.kind == side

    for sk, (text, _s) in as_.items():
        if sk[0] in ("member", "feature") and sk[1] in new_items:
            continue                    # described with the member's own addition
        old = bs.get(sk)
        if old is None:
            if visible(av, sk, "+"):
                emit("added", sk, None, text)
        elif _norm(old[0]) != _norm(text):
            emit("changed", sk, old[0], text)
    for sk, (text, _s) in bs.items():
        if sk in as_ or (sk[0] in ("member", "feature") and sk[1] in gone_items):
            continue
        if visible(bv, sk, "-"):
            emit("removed", sk, text, None)
    return out
