"""Shared test fixtures.

Real QEMU data (../shared/data) is used for evaluation only and never copied
into the repo: tests that need it skip cleanly when it is absent.  Point
QAPILINT_SHARED_DATA at it to override the default location.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _private_parse_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests (and the CLI subprocesses they start) use a cache of their own, not the user's."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
FIXTURES = REPO / "fixtures"


def shared_data() -> Path | None:
    env = os.environ.get("QAPILINT_SHARED_DATA")
    p = Path(env) if env else REPO.parent / "shared" / "data"
    return p if p.is_dir() else None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    d = shared_data()
    if d is None:
        pytest.skip("shared data not available")
    return d


@pytest.fixture(scope="session")
def seed_json(data_dir: Path) -> Path:
    p = data_dir / "seed" / "patchwork-patch-2224051.json"
    if not p.exists():
        pytest.skip("seed patch not available")
    return p


@pytest.fixture(scope="session")
def qemu_clone(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of the QEMU qapi history bundle (once per test session)."""
    bundle = data_dir / "qemu-qapi-history.bundle"
    if not bundle.exists():
        pytest.skip("qemu-qapi-history.bundle not available")
    dest = tmp_path_factory.mktemp("qemu") / "qemu-qapi"
    subprocess.run(["git", "clone", "-q", str(bundle), str(dest)], check=True)
    return dest


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


# Property tests: the same examples on every run, no example database in the work tree.
from hypothesis import settings as _hyp_settings  # noqa: E402

_hyp_settings.register_profile("qapilint", derandomize=True, database=None, deadline=None)
_hyp_settings.load_profile("qapilint")
