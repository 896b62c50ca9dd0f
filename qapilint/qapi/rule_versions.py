"""Which QEMU release first enforces each schema rule, and which rules a tree gets.

Rules older than the oldest release qapilint supports (9.0) have no entry:
they apply to every supported tree.  Ids are those of qapi-rules.md.

How the entries were determined (QEMU history bundle, qapi/, tests/ and
VERSION only).  For every rule, the first appearance of each of its negative
test cases was taken from ``git log --diff-filter=A`` on
``tests/qapi-schema/NAME.json`` and, for cases whose .json the bundle
lacks, from ``git log -S"'NAME.json'"`` on ``tests/qapi-schema/meson.build``
(3a4b8c5, 2020-08-21, is the meson conversion: "at or before").  Rules
without a test case were dated by the commit that introduced them in the
bundle's history.  A commit was mapped to the first release commit (see
``RELEASES``) that has it as an ancestor (``git merge-base --is-ancestor``).
Only these arrived after 9.0:

* ``doc-note-section`` — c6bafe2 (2024-07-06) "qapi: convert "Note"
  sections to plain rST": the schema's last Note sections converted and the
  section rejected; first in 9.1.0.
* ``doc-example-section`` — 496f73c (2024-07-17) "qapi: remove "Example"
  doc section" (doc-good test rewritten); first in 9.1.0.
* ``features-too-many`` — test case features-too-many added to meson.build
  by 3da1ec9 (2025-02-10) "qapi: expose all schema features to code";
  first in 10.0.0.
* ``doc-line-too-long``, ``doc-sentence-spacing`` — test cases doc-long-line
  and doc-bad-space-between-sentences added by 0083d82 (2025-11-04) "qapi:
  Add documentation format validation"; first in 10.2.0.  Verified on the
  trees: 10.0.0 and 10.1.0 have lines breaking both rules, 10.2.0 and the
  newest tree have none.

Checked and found to be 9.0 or older (no entry): doc-errors-not-command
(59c7b52, "Errors" tag, 2024-03-04), doc-returns-without-return (c9d0158,
2024-03-04), doc-undocumented-member (7c29c57, 2024-02-12),
doc-features-duplicate / doc-features-empty (e90fedb, 2024-02-26), the
doc-bad-indent form (8e3d18b, 2024-02-26) — all in 9.0.0.

Not expressible here (no rule id in the catalog): 9.0.x–10.0.x also
rejected '=' headings in definition documentation and headings not first in
a free-form block; 976a4aa (2025-07-14) lifted that, first in 10.1.0.  And
fb21efe (2024-07-06, 9.1) stopped treating ``Tag::`` as a section tag.
"""

from __future__ import annotations

import re

from qapilint.errors import InputError

Version = tuple[int, int]

OLDEST_SUPPORTED: Version = (9, 0)

RULE_SINCE: dict[str, str] = {
    "doc-note-section": "9.1",
    "doc-example-section": "9.1",
    "features-too-many": "10.0",
    "doc-line-too-long": "10.2",
    "doc-sentence-spacing": "10.2",
}

# Release facts from the bundle's VERSION history (commit dates, which are
# the dates the release was tagged): version -> (release commit, release
# date, first release-candidate date, its VERSION).  10.2 has no X.Y.90
# commit: VERSION went from 10.1.50 straight to 10.1.91 (rc1).
RELEASES: dict[str, tuple[str, str, str, str]] = {
    "9.0": ("c106827", "2024-04-23", "2024-03-19", "8.2.90"),
    "9.1": ("e4291e9", "2024-09-03", "2024-07-31", "9.0.90"),
    "9.2": ("0bdf894", "2024-12-10", "2024-11-13", "9.1.90"),
    "10.0": ("efd39b3", "2025-04-22", "2025-03-18", "9.2.90"),
    "10.1": ("ab2c790", "2025-08-26", "2025-07-22", "10.0.90"),
    "10.2": ("0daf4da", "2025-12-23", "2025-11-19", "10.1.91"),
}

_SINCE: dict[str, Version] = {
    rule: (int(v.split(".")[0]), int(v.split(".")[1])) for rule, v in RULE_SINCE.items()
}

_VERSION_TEXT = re.compile(r"\s*v?(\d{1,9})\.(\d{1,9})(?:\.(\d{1,9}))?\s*\Z")


# Commit dates on which rules arrived in QEMU's master (from the same history as
# RULE_SINCE).  A patch written before a rule arrived was checked by a frontend
# without it, even on the development branch of the release that has it.
RULE_ARRIVED: dict[str, str] = {
    "doc-note-section": "2024-07-06",
    "doc-example-section": "2024-07-17",
    "features-too-many": "2025-02-10",
    "doc-line-too-long": "2025-11-04",
    "doc-sentence-spacing": "2025-11-04",
}


def rule_applies(rule_id: str, version: Version | None) -> bool:
    """Whether the frontend of ``version`` enforces ``rule_id`` (None = newest: all)."""
    if version is None:
        return True
    since = _SINCE.get(rule_id)
    return since is None or version >= since


def next_release(v: Version) -> Version:
    """The release after ``v`` (X.0, X.1, X.2, then (X+1).0 since 4.0)."""
    major, minor = v
    if (major == 2 and minor >= 12) or (major == 3 and minor >= 1) or (major >= 4 and minor >= 2):
        return (major + 1, 0)
    return (major, minor + 1)


def version_of_tree_file(version_text: str) -> Version:
    """The release whose rules a tree with this VERSION content is checked by.

    ``X.Y.Z`` with Z < 50 is release X.Y or its stable branch: X.Y's rules.
    ``X.Y.50`` (development) and ``X.Y.9N`` (release candidates) are on the
    way to the next release, and the frontend in such a tree is that
    cycle's: a rule that landed during the cycle is enforced from the
    commit that added it (the same commit fixes the schema), and any patch
    reviewed against the tree will be merged under those rules.  So they get
    the next release's rules.  Consequence: a development tree from before
    a mid-cycle rule landed (e.g. 10.1.50 in September 2025, before the
    10.2 doc style rules) is judged by a rule its own frontend lacked.
    """
    m = _VERSION_TEXT.match(version_text)
    if m is None:
        raise InputError("VERSION", f"not a QEMU version: {version_text.strip()[:40]!r}")
    v = (int(m.group(1)), int(m.group(2)))
    micro = int(m.group(3) or 0)
    return next_release(v) if micro >= 50 else v
