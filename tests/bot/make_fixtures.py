"""Regenerate fixtures/seed.json: invented qemu-devel-like patches in patchwork's shapes.

Run ``python tests/bot/make_fixtures.py`` after editing.  Hunk headers are
computed here so the diffs stay well formed.  Nothing is taken from QEMU: the
schema snippets, names and people are made up.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "fixtures" / "seed.json"


def hunk(old_start: int, lines: list[str], section: str = "") -> str:
    old = sum(1 for ln in lines if ln[0] in " -")
    new = sum(1 for ln in lines if ln[0] in " +")
    head = f"@@ -{old_start},{old} +{old_start},{new} @@{(' ' + section) if section else ''}"
    return "\n".join([head, *lines])


def filediff(path: str, hunks: list[str], index: str = "1a2b3c4d5e..5e4d3c2b1a") -> str:
    return "\n".join([f"diff --git a/{path} b/{path}", f"index {index} 100644", f"--- a/{path}",
                      f"+++ b/{path}", *hunks]) + "\n"


def qapi_member(path: str, struct: str, member: str, typ: str, since: str, start: int, extra: str = "") -> str:
    return filediff(path, [hunk(start, [
        f" # @{struct.lower()}-id: identifier of the {struct} object",
        " #",
        f"+# @{member}: {extra or 'newly exposed setting'}",
        f"+#     (since {since})",
        "+#",
        " # Since: 9.1",
        " ##",
        f" {{ 'struct': '{struct}',",
        f"-  'data': {{ '{struct.lower()}-id': 'str' }} }}",
        f"+  'data': {{ '{struct.lower()}-id': 'str',",
        f"+            '*{member}': '{typ}' }} }}",
    ])])


def c_change(path: str, func: str, start: int) -> str:
    return filediff(path, [hunk(start, [
        f" static int {func}(void *opaque)",
        " {",
        "-    return 0;",
        "+    int ret = demo_prepare(opaque);",
        "+    return ret < 0 ? ret : 0;",
        " }",
    ], f"static int {func}(void *opaque)")])


def qapi_command(path: str, name: str, since: str, start: int, todo: bool = False) -> str:
    doc = "# TODO: document the reply" if todo else f"# Returns the {name} report."
    return filediff(path, [hunk(start, [
        " { 'command': 'demo-ping' }",
        "+",
        "+##",
        f"+# @{name}:",
        "+#",
        f"+{doc}",
        "+#",
        f"+# Since: {since}",
        "+##",
        f"+{{ 'command': '{name}', 'returns': 'str' }}",
    ])])


PEOPLE: list[dict[str, Any]] = [
    {"id": 501, "name": "Alma Vintner", "email": "alma@example.org"},
    {"id": 502, "name": "Bo Kestrel", "email": "bo.kestrel@example.net"},
    {"id": 503, "name": "Cyra Holm", "email": "cyra@example.com"},
]

SERIES: list[dict[str, Any]] = [
    {"id": 7001, "name": "block: add a discard granularity knob", "version": 2, "total": 3, "submitter": 0,
     "cover": {"id": 6001, "date": "2026-03-02T09:00:00",
               "content": "This series adds a knob.\n\nv2: rebased\n\n"
                          "base-commit: 0123456789abcdef0123456789abcdef01234567\n"}},
    {"id": 7002, "name": "qga: add guest-demo-report", "version": 1, "total": 1, "submitter": 1},
    {"id": 7003, "name": "hw/misc: fix a leak in the demo device", "version": 1, "total": 1, "submitter": 2},
    {"id": 7004, "name": "storage-daemon: expose demo export option", "version": 1, "total": 1, "submitter": 0},
    {"id": 7005, "name": "migration: report demo counters", "version": 1, "total": 2, "submitter": 1},
    {"id": 7006, "name": "qapi: add query-demo-stats", "version": 1, "total": 1, "submitter": 2},
    {"id": 7007, "name": "docs/devel: clarify the qapi code generator notes", "version": 1, "total": 1, "submitter": 0},
    {"id": 7008, "name": "tests/qapi-schema: cover a duplicate member", "version": 3, "total": 1, "submitter": 1},
]

PATCHES: list[dict[str, Any]] = [
    {"id": 3001, "series": 7001, "k": 1, "date": "2026-03-02T09:00:01", "title": "block: plumb discard granularity",
     "diff": c_change("block/demo-copy.c", "demo_copy_setup", 210)},
    {"id": 3002, "series": 7001, "k": 2, "date": "2026-03-02T09:00:02", "title": "qapi: expose discard granularity",
     "diff": qapi_member("qapi/block-core.json", "DemoCopyOptions", "discard-granularity", "uint32", "11.0", 140)},
    {"id": 3003, "series": 7001, "k": 3, "date": "2026-03-02T09:00:03", "title": "qapi: report discard granularity",
     "diff": qapi_member("qapi/block-core.json", "DemoCopyInfo", "discard-granularity", "uint32", "10.2", 300)
     + c_change("block/demo-copy.c", "demo_copy_info", 400)},
    {"id": 3004, "series": 7002, "date": "2026-03-02T11:30:00", "title": "qga: add guest-demo-report",
     "diff": qapi_command("qga/qapi-schema.json", "guest-demo-report", "11.0", 1800)},
    {"id": 3005, "series": 7003, "date": "2026-03-02T12:00:00", "title": "hw/misc: fix a leak in the demo device",
     "diff": c_change("hw/misc/demo.c", "demo_realize", 88)},
    {"id": 3006, "series": 7004, "date": "2026-03-02T13:15:00", "title": "storage-daemon: expose demo export option",
     "diff": qapi_member("storage-daemon/qapi/qapi-schema.json", "DemoExport", "writethrough", "bool", "11.0", 60)},
    {"id": 3007, "series": 7005, "k": 1, "date": "2026-03-02T14:00:00", "title": "migration: count demo pages",
     "diff": qapi_member("qapi/migration.json", "DemoStats", "zero-pages", "int", "11.0", 500)},
    {"id": 3008, "series": 7006, "date": "2026-03-02T15:00:00", "title": "qapi: add query-demo-stats",
     "diff": qapi_command("qapi/misc.json", "query-demo-stats", "11.0", 90, todo=True)},
    {"id": 3009, "series": 7007, "date": "2026-03-02T16:00:00",
     "title": "docs/devel: clarify the qapi code generator notes",
     "diff": filediff("docs/devel/qapi-code-gen.rst", [hunk(12, [" Intro.", "-Old words.", "+New words."])])},
    {"id": 3010, "series": 7008, "date": "2026-03-02T17:00:00", "title": "tests/qapi-schema: cover a duplicate member",
     "diff": qapi_member("tests/qapi-schema/demo-dup-member.json", "DemoDup", "dup", "int", "11.0", 1)},
    {"id": 3011, "series": None, "date": "2026-03-02T18:00:00", "title": "qapi: fix a typo in the demo docs",
     "diff": qapi_member("qapi/misc.json", "DemoTypo", "spelling", "str", "11.0", 20)},
    {"id": 3012, "series": 7005, "k": 2, "date": "2026-03-03T08:00:00", "title": "migration: report demo counters",
     "diff": qapi_member("qapi/migration.json", "DemoStats", "dirty-pages", "int", "11.0", 520), "held": True},
]


def main() -> None:
    data: dict[str, Any] = {"project": {"id": 14, "name": "QEMU Development", "link_name": "qemu-devel",
                        "list_id": "qemu-devel.nongnu.org", "list_email": "qemu-devel@nongnu.org"},
            "people": PEOPLE, "series": SERIES, "patches": []}
    for p in PATCHES:
        s = next((s for s in SERIES if s["id"] == p["series"]), None)
        total = s["total"] if s else 1
        version = s["version"] if s else 1
        prefixes = []
        if version > 1:
            prefixes.append(f"v{version}")
        if total > 1:
            prefixes.append(f"{p['k']}/{total}")
        who = PEOPLE[s["submitter"] if s else 2]
        body = (f"This changes {p['title'].split(': ', 1)[-1]}.\n\n"
                f"Signed-off-by: {who['name']} <{who['email']}>\n")
        entry = {"id": p["id"], "series": p["series"], "date": p["date"], "prefixes": prefixes,
                 "title": p["title"], "submitter": who["id"], "content": body, "diff": p["diff"],
                 "msgid": f"<{p['date'].replace(':', '').replace('-', '')}.{p['id']}-demo@example.org>"}
        if p.get("held"):
            entry["held"] = True  # not on the server until a test delivers it
        data["patches"].append(entry)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
