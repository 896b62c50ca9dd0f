"""The release comparison on QEMU's real history (evaluation data; skipped when it is absent)."""

from __future__ import annotations

from pathlib import Path

from qapilint.compare import compare
from qapilint.compare.history import release_commits


def _releases(clone: Path) -> dict[str, str]:
    return {f"{r.version[0]}.{r.version[1]}": r.commit for r in release_commits(str(clone), "HEAD")}


def test_release_10_2_removals_followed_the_policy(qemu_clone: Path) -> None:
    revs = _releases(qemu_clone)
    cmp = compare(revs["10.1"], revs["10.2"], tree=str(qemu_clone))
    removed = [(e.definition, e.name, e.policy, e.deprecated_since) for e in cmp.entries if e.group == "removed"]
    # Both 'reconnect' members carried the deprecated feature from 9.2 on (9.2, 10.0, 10.1).
    assert sorted(removed) == [("ChardevSocket", "reconnect", "ok", "9.2"),
                               ("NetdevStreamOptions", "reconnect", "ok", "9.2")]
    new_cmds = {e.definition for e in cmp.entries if e.what == "definition" and e.op == "added"}
    assert {"query-accelerators", "query-firmware-log"} <= new_cmds


def test_release_9_1_flags_the_undeprecated_removals(qemu_clone: Path) -> None:
    revs = _releases(qemu_clone)
    cmp = compare(revs["9.0"], revs["9.1"], tree=str(qemu_clone))
    violations = {(e.definition, e.name) for e in cmp.entries if e.policy == "violation"}
    assert ("QCryptoBlockCreateOptionsLUKS", "detached-header") in violations
    # The compression parameters were deprecated in 8.2 and removed in 9.1: allowed.
    ok = {(e.definition, e.name): e.deprecated_since for e in cmp.entries if e.group == "removed" and e.policy == "ok"}
    assert ok[("MigrateSetParameters", "compress-level")] == "8.2"
