"""A realistic fake Report for the renderer tests (imported by the other test_reports_* files).

The patch adds struct DeviceSaveStateTime tagged 'Since: 10.2' while 11.1 is
under development, adds a member to an existing struct with '(Since 10.2)',
and its commit message says 'instance-id': 'int' where the diff says 'uint32'.
"""

from __future__ import annotations

import datetime as dt
import re

from qapilint.changes.model import Change, FileRebuild, PatchChanges
from qapilint.findings import Finding, Severity
from qapilint.patch import FileDiff, Hunk, HunkLine, Patch
from qapilint.reports.model import PatchReport, Report

MBOX = """\
From 1a2b3c4d5e6f Mon Sep 17 00:00:00 2001
From: Bea Developer <bea@example.net>
Date: Thu, 16 Apr 2026 10:20:30 +0200
Message-ID: <20260416082030.777-3-bea@example.net>
In-Reply-To: <20260416082030.777-1-bea@example.net>
Subject: [PATCH v2 2/3] migration: report per-device save state time

Report how long saving each device's state took.  The new type is

  DeviceSaveStateTime { 'id': 'str', 'instance-id': 'int', 'time-us': 'int' }

Signed-off-by: Bea Developer <bea@example.net>
---
 qapi/migration.json | 23 +++++++++++++++++++++++
 1 file changed, 23 insertions(+)

diff --git a/qapi/migration.json b/qapi/migration.json
index 1111111..2222222 100644
--- a/qapi/migration.json
+++ b/qapi/migration.json
@@ -40,6 +40,24 @@
   'data': { 'transferred': 'int',
             'remaining': 'int' } }
\x20
+##
+# @DeviceSaveStateTime:
+#
+# Time spent saving the state of one device.
+#
+# @id: device id
+#
+# @instance-id: instance of the device's state
+#
+# @time-us: time in microseconds
+#
+# Since: 10.2
+##
+{ 'struct': 'DeviceSaveStateTime',
+  'data': { 'id': 'str',
+            'instance-id': 'uint32',
+            'time-us': 'int' } }
+
 ##
 # @MigrationInfo:
 #
@@ -80,10 +98,14 @@
 #
 # @status: current migration status
 #
+# @save-state-time: time spent saving device states
+#     (Since 10.2)
+#
 # Since: 0.14
 ##
 { 'struct': 'MigrationInfo',
-  'data': { '*status': 'MigrationStatus' } }
+  'data': { '*status': 'MigrationStatus',
+            '*save-state-time': ['DeviceSaveStateTime'] } }
\x20
 ##
 # @query-migrate:
--\x20
2.47.0
"""

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$")

PATH = "qapi/migration.json"


def parse_files(text: str) -> list[FileDiff]:
    """A small unified-diff reader: enough for the fixture, with patch_line = line in ``text``."""
    files: list[FileDiff] = []
    cur: FileDiff | None = None
    hunk: Hunk | None = None
    old = new = 0
    for no, line in enumerate(text.splitlines(), 1):
        if line.startswith("diff --git "):
            a, b = line.split()[2:4]
            cur = FileDiff(old_path=a[2:], new_path=b[2:], patch_line=no)
            files.append(cur)
            hunk = None
            continue
        m = _HUNK.match(line)
        if m and cur is not None:
            hunk = Hunk(int(m[1]), int(m[2] or 1), int(m[3]), int(m[4] or 1), m[5], patch_line=no)
            cur.hunks.append(hunk)
            old, new = hunk.old_start, hunk.new_start
            continue
        if hunk is None or line == "-- " or not line or line[0] not in " +-" or line.startswith(("---", "+++")):
            continue
        kind = line[0]
        hl = HunkLine(kind, line[1:], no)  # type: ignore[arg-type]
        if kind != "+":
            hl.old_no = old
            old += 1
        if kind != "-":
            hl.new_no = new
            new += 1
        hunk.lines.append(hl)
    return files


def find_line(files: list[FileDiff], needle: str) -> HunkLine:
    for fd in files:
        for h in fd.hunks:
            for ln in h.lines:
                if needle in ln.text and ln.kind == "+":
                    return ln
    raise AssertionError(f"fixture has no added line containing {needle!r}")


def after_text(files: list[FileDiff]) -> str:
    """A post-image with the hunk lines at their places and filler lines elsewhere."""
    lines: dict[int, str] = {}
    for fd in files:
        for h in fd.hunks:
            for ln in h.lines:
                if ln.new_no is not None:
                    lines[ln.new_no] = ln.text
    top = max(lines)
    return "\n".join(lines.get(i, f"# filler {i}") for i in range(1, top + 1)) + "\n"


def make_patch() -> Patch:
    files = parse_files(MBOX)
    return Patch(
        id="20260416082030.777-3-bea@example.net",
        subject="[PATCH v2 2/3] migration: report per-device save state time",
        title="migration: report per-device save state time",
        prefixes=["PATCH", "v2", "2/3"], version=2, number=2, total=3,
        author="Bea Developer", email="bea@example.net",
        date=dt.datetime(2026, 4, 16, 10, 20, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        msgid="<20260416082030.777-3-bea@example.net>",
        in_reply_to="<20260416082030.777-1-bea@example.net>",
        message="Report how long saving each device's state took.",
        files=files, source="save-state.mbox",
    )


PROVENANCE = "expected 11.1: patch dated 2026-04-16 (11.1 is under development from 2026-04 to 2026-08)"


def make_findings(patch: Patch) -> list[Finding]:
    since = find_line(patch.files, "# Since: 10.2")
    member = find_line(patch.files, "(Since 10.2)")
    typed = find_line(patch.files, "'instance-id': 'uint32'")
    return [
        Finding("since-mismatch", Severity.ERROR,
                "'Since:' of new struct 'DeviceSaveStateTime' says 10.2, but this is new in 11.1 "
                "(10.2 was released on 2025-12-23)",
                file=PATH, line=since.new_no, col=since.text.index("10.2") + 1, family="version",
                patch_line=since.patch_line, provenance=PROVENANCE, definition="DeviceSaveStateTime"),
        Finding("since-mismatch", Severity.ERROR,
                "'(since)' of member 'save-state-time' of struct 'MigrationInfo' says 10.2, but this is new "
                "in 11.1 (10.2 was released on 2025-12-23)",
                file=PATH, line=member.new_no, col=member.text.index("10.2") + 1, family="version",
                provenance=PROVENANCE, definition="MigrationInfo", item="save-state-time"),
        Finding("message-type-mismatch", Severity.WARNING,
                "the commit message says 'instance-id': 'int', but the diff declares 'uint32'",
                file=PATH, line=typed.new_no, col=13, family="message", patch_line=typed.patch_line,
                definition="DeviceSaveStateTime", item="instance-id"),
        Finding("compat-needs-tree", Severity.NOTE,
                "compatibility of changed types could not be judged without a tree", family="compat"),
    ]


def make_changes(patch: Patch) -> PatchChanges:
    typed = find_line(patch.files, "'instance-id': 'uint32'")
    return PatchChanges(
        patch_id=patch.id, subject=patch.subject,
        files=[FileRebuild(path=PATH, rebuild="hunks", after_text=after_text(patch.files))],
        changes=[
            Change("added", "definition", "DeviceSaveStateTime", meta="struct", file=PATH, line=57,
                   patch_lines=[typed.patch_line - 2]),
            Change("added", "member", "MigrationInfo", name="save-state-time", meta="struct", partial=True,
                   file=PATH, line=107, after="['DeviceSaveStateTime']"),
        ],
    )


def make_report(findings: bool = True) -> Report:
    patch = make_patch()
    rep = PatchReport(patch=patch, findings=make_findings(patch) if findings else [],
                      changes=make_changes(patch), expected_version="11.1", expected_version_source=PROVENANCE,
                      notes=["no tree: whole-schema checks need a tree (--tree DIR)"])
    return Report(patches=[rep], inputs=["save-state.mbox"])


def make_series() -> Report:
    """Two patches: the fixture patch and a clean one."""
    report = make_report()
    clean = make_patch()
    clean.id = "20260416082030.777-4-bea@example.net"
    clean.subject = "[PATCH v2 3/3] migration: document save-state-time"
    clean.msgid = "<" + clean.id + ">"
    report.patches.append(PatchReport(patch=clean, findings=[], changes=make_changes(clean)))
    return report


def test_factory_lines_are_consistent() -> None:
    patch = make_patch()
    text_lines = MBOX.splitlines()
    for fd in patch.files:
        for h in fd.hunks:
            assert len([x for x in h.lines if x.kind != "+"]) == h.old_len
            assert len([x for x in h.lines if x.kind != "-"]) == h.new_len
            for ln in h.lines:
                assert text_lines[ln.patch_line - 1] == ln.kind + ln.text


def test_factory_findings_point_at_their_lines() -> None:
    rep = make_report().patches[0]
    src = after_text(rep.patch.files).splitlines()
    for f in rep.findings:
        if f.line is not None and f.col is not None:
            assert src[f.line - 1][f.col - 1:].startswith(("10.2", "'instance-id'"))
