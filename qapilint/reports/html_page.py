"""One self-contained HTML page: inline CSS, no scripts, no external assets, all text escaped.

Per patch: a summary, a list of its findings (each a link to where it is
shown), the ChangeSet as a table, and the diff, QAPI schema files first, with
old and new line numbers in two columns and every finding directly under the
line it is about (findings that point at no diff line are listed above the
diff).  Rule ids link to a section at the end holding each rule's explain text.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from qapilint.checks.registry import registry
from qapilint.findings import Finding
from qapilint.patch import FileDiff, Hunk
from qapilint.reports.locate import all_findings, counts_text, hunk_line_at, plural
from qapilint.reports.model import PatchReport, Report
from qapilint.reports.safe import for_terminal

if TYPE_CHECKING:
    from qapilint.reports import RenderOptions

CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:70em;color:#1d1f21;background:#fff;padding:0 1em}
h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
.summary{margin:.3em 0 1em;color:#444}
table.changes{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}
table.changes th,table.changes td{border:1px solid #ccc;padding:.2em .6em;text-align:left}
table.changes th{background:#f3f3f3}
.diff{font-family:ui-monospace,monospace;font-size:.85em;border:1px solid #ddd;margin:.5em 0;overflow-x:auto}
.diff .l{white-space:pre;padding:0 .5em;min-height:1.2em}
.diff .n{display:inline-block;width:3.2em;color:#888;text-align:right;margin-right:.4em;user-select:none}
.diff .colhead{background:#f3f3f3;color:#555;font-weight:bold}
ul.toc{margin:.3em 0 1em;padding-left:1.2em}ul.toc li{margin:.15em 0}
.diff .add{background:#e6ffec}.diff .del{background:#ffebe9}.diff .hdr{background:#eef3ff;color:#555}
.diff .file{background:#f6f8fa;font-weight:bold}.diff .gap{color:#888;background:#fafafa}
.finding{font-family:system-ui,sans-serif;font-size:.95em;margin:.15em 0 .15em 7.6em;padding:.35em .6em;
border-left:4px solid #888;background:#fffbe6;white-space:normal}
.finding.error{border-color:#cf222e;background:#fff0f0}.finding.warning{border-color:#bf8700;background:#fff8e1}
.finding.note{border-color:#0969da;background:#eef6ff}
.sev{font-weight:bold;text-transform:uppercase;font-size:.8em;margin-right:.4em}
.prov{color:#555;font-size:.9em;margin-top:.2em}
.rule{font-family:ui-monospace,monospace;font-size:.85em}
dl.rules dt{font-family:ui-monospace,monospace;font-weight:bold;margin-top:1em}
dl.rules dd{white-space:pre-wrap;margin-left:1.5em}
.notes{color:#555;font-size:.9em}
"""


def e(text: str) -> str:
    """HTML-escaped, with control characters from the patch shown as text (they are not valid HTML)."""
    return escape(for_terminal(text, keep_newlines=True))


def _finding_html(f: Finding, anchor: str, cls: str = "finding") -> str:
    loc = f.location()
    lines = ([f.provenance] if f.provenance else []) + f.notes
    if f.fix is not None:
        lines.append("fix: " + f.fix.description)
    prov = "".join(f'<div class="prov">{e(t)}</div>' for t in lines)
    return (f'<div class="{cls} {f.severity.label}" id="{anchor}"><span class="sev">{e(f.severity.label)}</span>'
            f'{e(f.message)} <a class="rule" href="#rule-{e(f.rule)}">[{e(f.rule)}]</a>'
            f'{" <span class=prov>" + e(loc) + "</span>" if loc else ""}{prov}</div>')


def _toc(rep: PatchReport, anchors: dict[int, str]) -> str:
    """Every finding of the patch, most severe first, each a link to where it is shown."""
    if not rep.findings:
        return ""
    items = [f'<li><a href="#{anchors[id(f)]}">{e(f.location() or "patch")}</a>: '
             f'<span class="sev">{e(f.severity.label)}</span>{e(f.message)} '
             f'<span class="rule">[{e(f.rule)}]</span></li>'
             for f in sorted(rep.findings, key=lambda f: (-int(f.severity), f.sort_key()))]
    return f'<ul class="toc">{"".join(items)}</ul>'


def _qapi_first(files: list[FileDiff]) -> list[FileDiff]:
    """Schema files before the C, docs and tests around them: they are what the report is about."""
    return sorted(files, key=lambda fd: not fd.path.endswith(".json"))


def _changes_table(rep: PatchReport) -> str:
    pc = rep.changes
    if pc is None or not pc.changes:
        return '<p class="notes">No QAPI schema change recognised.</p>'
    rows = []
    for c in pc.changes:
        where = f"{c.file}:{c.line}" if c.file and c.line else (c.file or "")
        rows.append("<tr>" + "".join(f"<td>{e(str(x))}</td>" for x in (
            c.op, c.what, c.meta, c.definition, c.name or "", c.detail, where,
            "partial" if c.partial else "complete")) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("op", "what", "meta", "definition", "name", "detail", "where",
                                              "seen"))
    return f'<table class="changes"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _num(n: int | None) -> str:
    return f'<span class="n">{n if n is not None else ""}</span>'


def _hunk_html(h: Hunk, placed: dict[int, list[Finding]], anchors: dict[int, str]) -> list[str]:
    out = [f'<div class="l hdr">{_num(None)}{_num(None)}@@ -{h.old_start},{h.old_len} '
           f'+{h.new_start},{h.new_len} @@ {e(h.section)}</div>']
    for ln in h.lines:
        cls = {"+": "add", "-": "del", " ": "ctx"}[ln.kind]
        # Two columns, like a side-by-side review tool: old line numbers, then new ones.
        old = ln.old_no if ln.kind != "+" else None
        new = ln.new_no if ln.kind != "-" else None
        out.append(f'<div class="l {cls}">{_num(old)}{_num(new)}{e(ln.kind + ln.text)}</div>')
        out.extend(_finding_html(f, anchors[id(f)]) for f in placed.get(id(ln), []))
    return out


def _file_html(fd: FileDiff, placed: dict[int, list[Finding]], anchors: dict[int, str]) -> str:
    parts = [f'<div class="l file">{e(fd.path)}</div>',
             '<div class="l colhead"><span class="n">old</span><span class="n">new</span>line</div>']
    for h in fd.hunks:
        parts.extend(_hunk_html(h, placed, anchors))
    return '<div class="diff">' + "".join(parts) + "</div>"


def _expected(rep: PatchReport) -> str:
    """'; expected version 11.1 (patch dated ...)': the source without repeating the version."""
    if not rep.expected_version:
        return ""
    src = rep.expected_version_source or ""
    if src.startswith("expected ") and ": " in src:
        src = src.split(": ", 1)[1]
    return f"; expected version {e(rep.expected_version)}" + (f" ({e(src)})" if src else "")


def _patch_html(rep: PatchReport, index: int) -> str:
    p = rep.patch
    anchors = {id(f): f"finding-{index}-{k}" for k, f in enumerate(rep.findings, 1)}
    placed: dict[int, list[Finding]] = {}
    general: list[Finding] = []
    for f in rep.findings:
        hit = hunk_line_at(rep, f)
        if hit is None:
            general.append(f)
        else:
            placed.setdefault(id(hit[1]), []).append(f)
    meta = " · ".join(e(x) for x in (
        f"{p.author} <{p.email}>" if p.email else p.author, p.date.isoformat() if p.date else "",
        p.msgid or "") if x)
    counts = counts_text(rep.findings) or "no findings"
    parts = [f'<section id="patch-{index}"><h2>{e(p.subject or p.title or p.id)}</h2>',
             f'<div class="summary">{meta}<br>{e(counts)}{_expected(rep)}</div>', _toc(rep, anchors)]
    parts += [f'<div class="notes">note: {e(n)}</div>' for n in rep.notes]
    parts.append(_changes_table(rep))
    parts += [_finding_html(f, anchors[id(f)], "finding general") for f in general]
    parts += [_file_html(fd, placed, anchors) for fd in _qapi_first(p.files) if fd.hunks]
    parts.append("</section>")
    return "\n".join(parts)


def _rules_html(report: Report) -> str:
    reg = registry()
    used = sorted({f.rule for f in all_findings(report)})
    items = []
    for rid in used:
        r = reg.get(rid)
        summary = r.summary if r else ""
        explain = r.explain if r and r.explain else summary
        items.append(f'<dt id="rule-{e(rid)}">{e(rid)}</dt>'
                     f'<dd><b>{e(summary)}</b>{chr(10) + chr(10) + e(explain) if explain else ""}</dd>')
    if not items:
        return ""
    return '<section id="rules"><h2>Rules</h2><dl class="rules">' + "".join(items) + "</dl></section>"


def render(report: Report, opts: RenderOptions | None = None) -> str:
    findings = all_findings(report)
    title = "qapilint report"
    total = counts_text(findings) or "no findings"
    fails = "".join(f'<div class="finding error"><span class="sev">input</span>{e(x.where)}: '
                    f"{e(x.message)}</div>" for x in report.failures)
    body = "\n".join(_patch_html(rep, i) for i, rep in enumerate(report.patches, 1))
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body>\n"
            f"<h1>{escape(title)}</h1><div class=\"summary\">qapilint {escape(report.tool_version)}: "
            f"{e(report.scope or plural(len(report.patches), 'patch').replace('patchs', 'patches'))}, "
            f"{e(total)}</div>\n"
            f"{fails}{body}\n{_rules_html(report)}\n"
            f"</body></html>\n")
