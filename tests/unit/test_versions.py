"""Release calendar and expected-version inference."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from qapilint import versions as v


def test_next_release_wraps_after_x2() -> None:
    assert v.next_release((10, 2)) == (11, 0)
    assert v.next_release((11, 0)) == (11, 1)
    assert v.next_release((11, 1)) == (11, 2)


def test_known_release_dates_from_shipped_data() -> None:
    rel = v.release_of((10, 2))
    assert rel is not None and not rel.projected
    assert rel.release == dt.date(2025, 12, 23)
    assert v.release_of((10, 0)).release == dt.date(2025, 4, 22)  # type: ignore[union-attr]


@pytest.mark.parametrize(("day", "want", "also"), [
    (dt.date(2025, 10, 1), (10, 2), set()),            # development of 10.2
    (dt.date(2025, 11, 13), (11, 0), set()),           # 10.2 hard freeze: the release after
    (dt.date(2025, 7, 17), (10, 1), {(10, 2)}),        # soft freeze: either
    (dt.date(2025, 12, 24), (11, 0), set()),           # right after the 10.2 release
    (dt.date(2026, 4, 16), (11, 1), set()),            # projected: 11.0 frozen
])
def test_from_date(day: dt.date, want: v.Version, also: set[v.Version]) -> None:
    e = v.from_date(day)
    assert e.version == want
    assert set(e.also) == also
    assert day.isoformat() in e.source
    assert not e.trusted


@pytest.mark.parametrize(("text", "want"), [
    ("10.2.50", (11, 0)), ("10.1.50", (10, 2)), ("10.1.91", (11, 0)), ("10.0.90", (10, 2)),
    ("10.1.0", (10, 2)),
])
def test_from_version_file(text: str, want: v.Version) -> None:
    e = v.from_version_file(text + "\n")
    assert e is not None and e.version == want and e.trusted
    assert text in e.source


def test_from_version_file_rejects_garbage() -> None:
    assert v.from_version_file("not a version") is None


def test_parse_version_only_accepts_two_parts() -> None:
    assert v.parse_version("10.2") == (10, 2)
    assert v.parse_version("10.2.0") is None
    assert v.parse_version("v10.2") is None


def test_shipped_calendar_matches_bundle(qemu_clone: Path) -> None:
    """The shipped release data is what the generator derives from QEMU's history."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "gen_releases.py"
    out = subprocess.run([sys.executable, str(script), str(qemu_clone)], capture_output=True, text=True,
                         check=True).stdout
    shipped = json.loads((Path(v.__file__).parent / "data" / "releases.json").read_text())
    assert json.loads(out)["releases"] == shipped["releases"]


def test_corpus_phases_agree_with_labels(data_dir: Path) -> None:
    """The date rule reproduces the release under development for every labelled real patch."""
    labels = data_dir / "corpus" / "labels.json"
    if not labels.exists():
        pytest.skip("corpus not available")
    patches = json.loads(labels.read_text())["patches"]
    bad = [p["id"] for p in patches
           if v.fmt(v.from_date(dt.datetime.fromisoformat(p["date"])).version) != p["expected_since"]]
    assert bad == []


def test_frozen_release_is_named() -> None:
    assert v.from_version_file("10.1.92").frozen == (10, 2)
    assert v.from_version_file("10.1.50").frozen is None
    assert v.from_date(dt.date(2025, 11, 13)).frozen == (10, 2)
    assert v.from_date(dt.date(2025, 10, 1)).frozen is None
