"""QEMU's own schema test suite, scored by the shared qemu-suite harness (skips without the data)."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest


def test_qemu_schema_suite_agrees(data_dir: Path, qemu_clone: Path, tmp_path: Path) -> None:
    harness = data_dir.parent / "tools" / "qemu_suite.py"
    suite = qemu_clone / "tests" / "qapi-schema"
    if not harness.exists() or not suite.is_dir():
        pytest.skip("qemu-suite harness or suite not available")
    report = tmp_path / "suite.json"
    cmd = f"{shlex.quote(sys.executable)} -m qapilint schema {{file}}"
    subprocess.run([sys.executable, str(harness), "--suite", str(suite), "--cmd", cmd, "-q",
                    "--json", str(report)], check=True, capture_output=True, text=True, timeout=300)
    summary = json.loads(report.read_text())["summary"]
    assert summary["crashes"] == 0 and summary["timeouts"] == 0
    assert summary["verdict_agree"] == summary["cases"]
    # A case whose included file the bundle keeps back cannot agree on the line.
    assert summary["line_agree"] >= 0.95 * summary["error_cases"]
