"""Issue 11's evaluation as a test: hostile includes and diff paths, every output format, a canary.

For each scenario (``hostile.SCENARIOS``: a relative, absolute, symlinked,
/dev/zero, FIFO and /dev/stdin include, a symlinked and a '..' diff path),
every ``check --tree --format X`` (X in reports.FORMATS), ``changes`` and
``schema`` run in one child process: the canary beside the tree shows in no
output, the child ends (it is killed after a generous bound, which only a
hang reaches) and its peak memory stays under 200 MB.  Times are printed by
``benchmarks/bench_hostile.py``.
"""

from __future__ import annotations

from pathlib import Path

import hostile
import pytest

RULE = {"symlink-diff": "path-outside-tree", "dotdot-diff": "path-outside-tree"}


@pytest.mark.parametrize("scenario", hostile.SCENARIOS)
def test_hostile_names_reach_nothing_outside_the_tree(tmp_path: Path, scenario: str) -> None:
    case = hostile.build(tmp_path, scenario)
    m = hostile.measure(case, kill_after=90)
    assert m.returncode == 0, f"the runs did not finish (killed or crashed): {m.stderr[-2000:]}"
    assert m.max_rss_mb < 200, m.max_rss_mb
    assert [r["label"] for r in m.results] == [label for label, _ in hostile.commands(case)]
    for r in m.results:
        text = str(r["stdout"]) + str(r["stderr"])
        assert hostile.CANARY not in text, r["label"]
        assert "Traceback" not in text, r["label"]
        assert r["rc"] in ((0,) if str(r["label"]).startswith("changes") else (1,)), (r["label"], text)
    by_label = {str(r["label"]): str(r["stdout"]) for r in m.results}
    # The one clear finding, in the formats that spell rule ids.
    rule = RULE.get(scenario, "include-outside-tree")
    for label in ("check --format text", "check --format json", "check --format sarif"):
        assert rule in by_label[label], label
    assert "[include-outside-tree]" in by_label["schema"]


@pytest.mark.parametrize("scenario", ["symlink-include", "dotdot-diff"])
def test_outputs_do_not_tell_whether_the_file_outside_exists(tmp_path: Path, scenario: str) -> None:
    case = hostile.build(tmp_path, scenario)
    present = hostile.measure(case, kill_after=90)
    (tmp_path / "canary").unlink()
    (tmp_path / "canary.json").unlink()
    absent = hostile.measure(case, kill_after=90)
    assert present.returncode == absent.returncode == 0
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in present.results]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in absent.results]
