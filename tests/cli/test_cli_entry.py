"""The console entry point leaves without interpreter teardown: output must still be complete."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys

from qapilint.cli import main


def test_piped_output_is_complete() -> None:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["rules", "--format", "json"]) == 0
    got = subprocess.run([sys.executable, "-m", "qapilint", "rules", "--format", "json"],
                         capture_output=True, text=True, check=False)
    assert got.returncode == 0
    assert got.stdout == buf.getvalue() and len(got.stdout) > 10_000


def test_exit_status_survives() -> None:
    got = subprocess.run([sys.executable, "-m", "qapilint", "explain", "no-such-rule"],
                         capture_output=True, text=True, check=False)
    assert got.returncode == 2 and "no-such-rule" in got.stderr


def test_closed_pipe_is_quiet() -> None:
    p = subprocess.Popen([sys.executable, "-m", "qapilint", "rules"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.read(10)
    p.stdout.close()
    err = p.stderr.read().decode()
    p.wait(timeout=60)
    assert "Traceback" not in err
