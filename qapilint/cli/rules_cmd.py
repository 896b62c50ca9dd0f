"""``qapilint rules`` (every rule: id, family, severity, summary) and ``qapilint explain ID``."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import textwrap

from qapilint.checks.registry import FAMILIES, Rule, registry


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--family", action="append", metavar="NAME",
                   help=f"only rules of this family ({', '.join(FAMILIES)}); repeatable")
    p.add_argument("--format", "-f", choices=("text", "json"), default="text", help="output format")


def _rule_dict(r: Rule) -> dict[str, object]:
    return {"id": r.id, "family": r.family, "severity": r.severity.label, "summary": r.summary,
            "explain": r.explain, "qemu_since": r.qemu_since}


def _table(rules: list[Rule]) -> str:
    if not rules:
        return ""
    w_id = max(len(r.id) for r in rules)
    w_fam = max(len("family"), *(len(r.family) for r in rules))
    lines = [f"{'id':<{w_id}}  {'family':<{w_fam}}  {'severity':<8}  summary"]
    lines += [f"{r.id:<{w_id}}  {r.family:<{w_fam}}  {r.severity.label:<8}  {r.summary}" for r in rules]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    rules = list(registry().values())
    families = getattr(args, "family", None)
    if families:
        known = set(FAMILIES) | {r.family for r in rules}
        for fam in families:
            if fam not in known:
                print(f"qapilint: error: --family: unknown family {fam!r} ({', '.join(sorted(known))})",
                      file=sys.stderr)
                return 2
        rules = [r for r in rules if r.family in families]
    order = {f: i for i, f in enumerate(FAMILIES)}
    rules.sort(key=lambda r: (order.get(r.family, len(order)), r.family, r.id))
    if getattr(args, "format", "text") == "json":
        sys.stdout.write(json.dumps([_rule_dict(r) for r in rules], indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(_table(rules))
    return 0


def add_explain_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("rule", metavar="ID|FAMILY",
                   help="rule id, as printed in [brackets] after a finding, or a family name (version, compat, ...)")


def explain_text(r: Rule) -> str:
    head = f"{r.id} ({r.family}, {r.severity.label})"
    parts = [head, "", r.summary]
    if r.qemu_since:
        parts += ["", f"Enforced by QEMU's QAPI generator since {r.qemu_since}."]
    if r.explain:
        paras = [textwrap.fill(p, 79) if "\n" not in p else p for p in r.explain.split("\n\n")]
        parts += ["", "\n\n".join(paras)]
    return "\n".join(parts) + "\n"


def run_explain(args: argparse.Namespace) -> int:
    reg = registry()
    rid = (args.rule or "").strip().strip("[]")
    r = reg.get(rid)
    family = [x for x in reg.values() if x.family == rid]
    if r is None and family:
        sys.stdout.write(f"{rid}: {len(family)} rules ('qapilint explain ID' for one)\n\n"
                         + _table(sorted(family, key=lambda x: x.id)))
        return 0
    if r is None:
        fams = sorted({x.family for x in reg.values()})
        close = difflib.get_close_matches(rid, list(reg) + fams, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else " (see 'qapilint rules')"
        print(f"qapilint: error: unknown rule {rid!r}{hint}", file=sys.stderr)
        return 2
    sys.stdout.write(explain_text(r))
    return 0
