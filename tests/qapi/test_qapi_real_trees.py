"""Real QEMU trees from the history bundle: released schemas are valid (skips without the data)."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from qapilint.cli import main


def _git(clone: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(clone), *args], check=True, capture_output=True,
                          text=True).stdout


def _release_commits(clone: Path) -> dict[str, str]:
    """VERSION text -> the newest commit that set it, for every commit touching VERSION."""
    out: dict[str, str] = {}
    for line in _git(clone, "log", "--format=%H", "--", "VERSION").splitlines():
        version = _git(clone, "show", f"{line}:VERSION").strip()
        out.setdefault(version, line)
    return out


def _extract(clone: Path, rev: str, dest: Path) -> Path:
    tar = subprocess.run(["git", "-C", str(clone), "archive", rev, "qapi", "VERSION"], check=True,
                         capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
        tf.extractall(dest, filter="data")
    return dest / "qapi" / "qapi-schema.json"


@pytest.fixture(scope="module")
def releases(qemu_clone: Path) -> dict[str, str]:
    return _release_commits(qemu_clone)


@pytest.mark.parametrize("version", ["10.0.0", "10.1.0", "10.2.0", "HEAD"])
def test_released_schema_is_clean(qemu_clone: Path, releases: dict[str, str], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str], version: str) -> None:
    rev = "HEAD" if version == "HEAD" else releases.get(version)
    if rev is None:
        pytest.skip(f"no {version} release commit in the bundle")
    schema = _extract(qemu_clone, rev, tmp_path)
    rc = main(["schema", str(schema)])
    out, err = capsys.readouterr()
    assert (rc, out, err) == (0, "", "")


def test_latest_rules_on_an_older_tree_report_newer_doc_style(qemu_clone: Path, releases: dict[str, str],
                                                              tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    rev = releases.get("10.0.0")
    if rev is None:
        pytest.skip("no 10.0.0 release commit in the bundle")
    schema = _extract(qemu_clone, rev, tmp_path)
    rc = main(["schema", "--rules", "latest", str(schema)])
    out, _err = capsys.readouterr()
    assert rc == 1
    rules = {line.rsplit("[", 1)[1].rstrip("]") for line in out.splitlines() if line.endswith("]")}
    assert rules == {"doc-line-too-long", "doc-sentence-spacing"}
