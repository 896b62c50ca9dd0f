"""``qapilint check --jobs N``: same report as --jobs 1, in input order; progress bar only on a terminal."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from qapilint.cli.progress import Progress, wanted

ROOT = Path(__file__).resolve().parents[2]
INPUTS = [
    ROOT / "fixtures/examples/throttle-stats.mbox",
    ROOT / "fixtures/inputs/pw-patch-1001.json",
    ROOT / "fixtures/inputs/series-v2.mbox",
    ROOT / "fixtures/inputs/bad-not-a-patch.txt",
    ROOT / "fixtures/inputs/pw-patch-1002.json",
    ROOT / "fixtures/inputs/git-diff-mixed.diff",
    ROOT / "fixtures/inputs/bad-truncated.patch",
]


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qapilint", "check", *args], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)


@pytest.mark.parametrize("fmt", ["json", "text", "email", "sarif"])
def test_jobs_two_prints_what_jobs_one_prints(fmt: str) -> None:
    inputs = [str(p) for p in INPUTS if p.exists()]
    assert len(inputs) >= 5
    one = _check("--format", fmt, "--jobs", "1", *inputs)
    two = _check("--format", fmt, "--jobs", "2", *inputs)
    assert one.returncode == two.returncode
    assert one.stdout and one.stdout == two.stdout
    assert one.stderr == two.stderr  # error lines too, in input order


def test_reports_follow_input_order_whatever_the_jobs() -> None:
    inputs = [str(p) for p in INPUTS if p.exists() and not p.name.startswith("bad-")]
    for order in (inputs, inputs[::-1]):
        doc = json.loads(_check("--format", "json", "--jobs", "2", *order).stdout)
        sources = list(dict.fromkeys(Path(p["source"]).name for p in doc["patches"]))
        assert sources == [Path(i).name for i in order if Path(i).name in sources]
        assert len(sources) >= 3


def test_no_progress_bar_when_stderr_is_not_a_terminal() -> None:
    inputs = [str(p) for p in INPUTS if p.exists()]
    p = _check("--format", "json", "--jobs", "2", *inputs)
    assert "\r" not in p.stderr and "\r" not in p.stdout


def test_bad_jobs_value_is_one_error_line() -> None:
    p = _check("--jobs", "-3", str(INPUTS[0]))
    assert p.returncode == 2 and "Traceback" not in p.stderr and "--jobs" in p.stderr


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_only_on_a_terminal_with_several_inputs() -> None:
    assert wanted(3, _Tty()) and not wanted(1, _Tty()) and not wanted(3, io.StringIO())
    tty = _Tty()
    with Progress(3, stream=tty) as bar:
        for _ in range(3):
            bar.advance()
    drawn = tty.getvalue()
    assert "3/3" in drawn and drawn.endswith("\r")  # erased at the end: the next stderr line starts clean
    quiet = io.StringIO()
    with Progress(3, stream=quiet) as bar:
        bar.advance(3)
    assert quiet.getvalue() == ""


def test_progress_line_fits_the_terminal() -> None:
    bar = Progress(10, stream=io.StringIO(), enabled=False)
    bar.advance(5)
    for cols in (20, 40, 80, 200):
        line = bar.line(cols)
        assert len(line) < cols and "5/10" in line
    inside = bar.line(80).split("[", 1)[1].split("]", 1)[0]
    assert abs(inside.count("#") - inside.count(".")) <= 1  # half done, half of the bar
