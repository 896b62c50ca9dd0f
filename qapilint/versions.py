"""QEMU's release calendar and the release a new API element should name.

Facts: QEMU releases X.0, X.1, X.2 then (X+1).0, about April, August and
December.  VERSION ``A.B.50`` is development toward the next release;
``A.B.9N`` is its release candidate N (hard freeze: new API then targets the
release after).  Soft freeze is about a week before rc0; a patch posted then
may name either release.  Known releases ship in ``data/releases.json``
(regenerate with ``scripts/gen_releases.py``); later ones are projected.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

Version = tuple[int, int]

SOFT_FREEZE_DAYS = 7
# Projection for releases beyond the shipped data: (month, day) of the
# release and the gap between rc0 and the release, from recent cycles.
_PROJECTED_RELEASE_DAY = {0: (4, 22), 1: (8, 26), 2: (12, 20)}
_PROJECTED_RC0_GAP = dt.timedelta(days=35)


@dataclass(frozen=True)
class Release:
    version: Version
    release: dt.date
    rc0: dt.date
    projected: bool = False

    @property
    def soft_freeze(self) -> dt.date:
        return self.rc0 - dt.timedelta(days=SOFT_FREEZE_DAYS)


def fmt(v: Version) -> str:
    return f"{v[0]}.{v[1]}"


# A version component longer than this is no release number (and int() of
# thousands of digits is refused).
MAX_DIGITS = 9
_NUM = rf"(\d{{1,{MAX_DIGITS}}})"


def bounded_int(text: str) -> int | None:
    """int(text) for 1 to MAX_DIGITS ASCII digits, else None."""
    if 0 < len(text) <= MAX_DIGITS and text.isascii() and text.isdigit():
        return int(text)
    return None


def parse_version(text: str) -> Version | None:
    """'10.2' -> (10, 2); anything else (three parts, 'v' prefix, absurdly long numbers) -> None."""
    m = re.fullmatch(rf"{_NUM}\.{_NUM}", text.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def next_release(v: Version) -> Version:
    """The release after ``v``, by the current X.0/X.1/X.2 scheme (projection only)."""
    known = _known()
    for i, r in enumerate(known[:-1]):
        if r.version == v:
            return known[i + 1].version
    return (v[0] + 1, 0) if v[1] >= 2 else (v[0], v[1] + 1)


@lru_cache(maxsize=1)
def _known() -> list[Release]:
    raw = json.loads(resources.files("qapilint").joinpath("data/releases.json").read_text("utf-8"))
    out = []
    for r in raw["releases"]:
        v = parse_version(r["version"])
        if v is None or not r.get("rc0"):
            continue
        out.append(Release(v, dt.date.fromisoformat(r["release"]), dt.date.fromisoformat(r["rc0"])))
    return out


def calendar(until: dt.date) -> list[Release]:
    """Known releases, then projected ones until one is released after ``until``."""
    rels = list(_known())
    while rels[-1].release <= until:
        v = next_release(rels[-1].version)
        month, day = _PROJECTED_RELEASE_DAY.get(v[1], (12, 20))
        year = rels[-1].release.year + (1 if v[1] == 0 else 0)
        date = dt.date(year, month, day)
        rels.append(Release(v, date, date - _PROJECTED_RC0_GAP, projected=True))
    return rels


def release_of(v: Version) -> Release | None:
    for r in calendar(dt.date.today()):
        if r.version == v:
            return r
    return None


@dataclass(frozen=True)
class Expected:
    """The release new API should name, and why."""

    version: Version
    source: str                              # provenance, printed with every finding
    also: frozenset[Version] = field(default_factory=frozenset)   # acceptable too (soft freeze)
    trusted: bool = True                     # False when only inferred from a date
    frozen: Version | None = None            # the release in freeze (rc), which a tag may still name

    def accepts(self, v: Version) -> bool:
        return v == self.version or v in self.also

    @property
    def text(self) -> str:
        if self.also:
            return " or ".join(fmt(x) for x in sorted({self.version, *self.also}))
        return fmt(self.version)


def from_version_file(text: str, where: str = "VERSION") -> Expected | None:
    """Expected release for a tree whose VERSION file says ``text``."""
    m = re.fullmatch(rf"\s*{_NUM}\.{_NUM}\.{_NUM}\s*", text)
    if not m:
        return None
    a, b, c = (int(x) for x in m.groups())
    cur = (a, b)
    if c == 0 or c < 50:
        # a release or a stable branch: new API would go into the next release
        nxt = next_release(cur)
        return Expected(nxt, f"expected {fmt(nxt)}: {where} is {text.strip()} (release {fmt(cur)})")
    nxt = next_release(cur)
    if c >= 90:
        after = next_release(nxt)
        return Expected(after, f"expected {fmt(after)}: {where} is {text.strip()} "
                        f"({fmt(nxt)} rc{c - 90}: {fmt(nxt)} is frozen)", frozen=nxt)
    return Expected(nxt, f"expected {fmt(nxt)}: {where} is {text.strip()} (development of {fmt(nxt)})")


def from_date(when: dt.datetime | dt.date, what: str = "patch dated") -> Expected:
    """Expected release for a patch posted at ``when``, from the calendar."""
    day = when.date() if isinstance(when, dt.datetime) else when
    for r in calendar(day):
        if r.release <= day:
            continue
        proj = " (projected)" if r.projected else ""
        # rc0 is tagged late on its day: that day still counts as soft freeze
        if day > r.rc0:
            nxt = next_release(r.version)
            return Expected(nxt, f"expected {fmt(nxt)}: {what} {day.isoformat()}, {fmt(r.version)} in "
                            f"freeze since {r.rc0.isoformat()}{proj}", trusted=False, frozen=r.version)
        if day >= r.soft_freeze:
            nxt = next_release(r.version)
            return Expected(r.version, f"expected {fmt(r.version)} or {fmt(nxt)}: {what} {day.isoformat()}, "
                            f"{fmt(r.version)} soft freeze (rc0 {r.rc0.isoformat()}{proj})",
                            also=frozenset({nxt}), trusted=False)
        return Expected(r.version, f"expected {fmt(r.version)}: {what} {day.isoformat()}, "
                        f"{fmt(r.version)} under development (rc0 {r.rc0.isoformat()}{proj})", trusted=False)
    raise AssertionError("calendar() always ends after the given day")


def released_before(v: Version, day: dt.date) -> Release | None:
    """The release record of ``v`` if it was already released on ``day``."""
    r = release_of(v)
    if r is not None and not r.projected and r.release <= day:
        return r
    return None
