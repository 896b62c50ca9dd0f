"""A release comparison (``qapilint diff``) as a changelog: text, Markdown for release notes, JSON.

Entries are grouped new / changed / deprecated / removed; breaking ones are
marked, with the deprecation-policy verdict.  The JSON carries every entry
in the shape of the ``changes`` contract (``op``, ``what``, ``definition``,
``name``) plus ``breaking``, ``deprecated_since``, ``policy`` and where it is.
"""

from __future__ import annotations

import json
import re

from qapilint.compare.model import Comparison, Entry, SideInfo, headline
from qapilint.compare.walk import show_cond
from qapilint.findings import Finding
from qapilint.reports.safe import plain
from qapilint.versions import fmt

GROUPS = (("new", "New"), ("changed", "Changed"), ("deprecated", "Deprecated"), ("removed", "Removed"))
_SIGN = {"new": "+", "changed": "~", "deprecated": "*", "removed": "-"}


def _summary(cmp: Comparison) -> str:
    c = cmp.counts()
    return (f"{c['new']} new, {c['changed']} changed, {c['deprecated']} deprecated, {c['removed']} removed; "
            f"{c['breaking']} breaking, {c['violation']} against the deprecation policy")


def _marks(e: Entry) -> list[str]:
    out = []
    if e.cond is not None and e.what != "if":
        out.append(f"if {show_cond(e.cond)}")
    if e.policy == "violation":
        out.append(f"POLICY VIOLATION: {e.reason}")
    elif e.policy == "exempt":
        out.append("exempt: unstable or x-")
    elif e.breaking and e.reason:
        out.append(e.reason)
    elif e.deprecated_since and e.group != "deprecated":
        out.append(f"deprecated since {e.deprecated_since}")
    return out


def _title(side: SideInfo) -> str:
    return side.describe()


def render_text(cmp: Comparison, found: list[Finding]) -> str:
    lines = [f"qapilint diff: {_title(cmp.old)} -> {_title(cmp.new)}, {cmp.new.root}"]
    for key, title in GROUPS:
        group = [e for e in cmp.entries if e.group == key]
        if not group:
            continue
        lines.append("")
        lines.append(f"{title} ({len(group)}):")
        for e in group:
            flag = "BREAKING " if e.breaking else ""
            marks = "; ".join(_marks(e))
            where = f"{e.file}:{e.line}" if e.line else e.file
            lines.append(f"  {_SIGN[key]} {flag}{headline(e)}" + (f" [{marks}]" if marks else "") + f"  ({where})")
    if not cmp.entries:
        lines.append("")
        lines.append("no change visible to clients")
    lines.append("")
    for n in cmp.notes:
        lines.append(f"note: {n}")
    for f in found:
        lines.append(f"{f.location()}: {f.severity.label}: {f.message} [{f.rule}]")
    lines.append(f"summary: {_summary(cmp)}")
    return "\n".join(lines) + "\n"


_QUOTED = re.compile(r"'([^'\n]*)'")
# Markdown syntax that could turn up in prose; '_' only where it could start emphasis.
_MD_SPECIAL = re.compile(r"([\\*\[\]<|`]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def _escape(m: re.Match[str]) -> str:
    return "\\" + m.group(0)


def _md(text: str) -> str:
    """Quoted names become code spans; other Markdown syntax in the prose is escaped."""
    out, last = [], 0
    for m in _QUOTED.finditer(text):
        out.append(_MD_SPECIAL.sub(_escape, text[last:m.start()]))
        out.append("`" + m.group(1).replace("`", "'") + "`")
        last = m.end()
    out.append(_MD_SPECIAL.sub(_escape, text[last:]))
    return "".join(out)


def _rel(side: SideInfo) -> str:
    if side.release is None:
        return side.label
    return fmt(side.release) if side.released else f"{fmt(side.release)} (development)"


def render_markdown(cmp: Comparison, found: list[Finding]) -> str:
    lines = [f"## QAPI changes from {_rel(cmp.old)} to {_rel(cmp.new)}", "",
             f"Schema `{cmp.new.root}`: {_summary(cmp)}."]
    for key, title in GROUPS:
        group = [e for e in cmp.entries if e.group == key]
        if not group:
            continue
        lines += ["", f"### {title}", ""]
        for e in group:
            text = _md(headline(e))
            text = text[0].upper() + text[1:]
            extra = []
            if e.cond is not None and e.what != "if":
                extra.append(f"only if `{show_cond(e.cond)}`")
            if e.deprecated_since and e.group != "deprecated":
                extra.append(f"deprecated since {e.deprecated_since}")
            if e.policy == "exempt":
                extra.append("unstable")
            if e.policy == "violation":
                extra.append(f"**not following the deprecation policy**: {_md(e.reason)}")
            lead = "**Breaking:** " if e.breaking else ""
            lines.append(f"- {lead}{text}" + (f" ({'; '.join(extra)})" if extra else ""))
    if not cmp.entries:
        lines += ["", "No change visible to QMP clients."]
    return "\n".join(lines) + "\n"


def _side(s: SideInfo) -> dict[str, object]:
    return {"label": s.label, "commit": s.commit, "version": s.version_text,
            "release": fmt(s.release) if s.release else None, "released": s.released, "root": s.root}



def entry_json(e: Entry) -> dict[str, object]:
    return {"op": e.op, "what": e.what, "definition": e.definition, "name": e.name, "meta": e.meta,
            "on": e.on, "group": e.group, "detail": e.detail, "before": plain(e.before),
            "after": plain(e.after), "if": plain(e.cond), "directions": sorted(e.directions),
            "breaking": e.breaking, "deprecated_since": e.deprecated_since, "policy": e.policy,
            "reason": e.reason or None, "file": e.file or None, "line": e.line, "via": e.via or None,
            "replaces": e.replaces}


def render_json(cmp: Comparison, found: list[Finding]) -> str:
    doc = {"old": _side(cmp.old), "new": _side(cmp.new), "summary": cmp.counts(), "notes": list(cmp.notes),
           "releases_read": list(cmp.releases_read), "changes": [entry_json(e) for e in cmp.entries],
           "findings": [{"rule": f.rule, "severity": f.severity.label, "message": f.message, "file": f.file,
                         "line": f.line, "definition": f.definition, "item": f.item} for f in found]}
    return json.dumps(doc, indent=1) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
