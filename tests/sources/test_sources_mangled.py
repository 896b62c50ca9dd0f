"""Whitespace-collapsed input (an HTML scrape): detected, repaired, never on normal diffs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qapilint.input_notes import WHITESPACE_COLLAPSED
from qapilint.sources import load, patch_from_patchwork_json
from qapilint.sources.diff import parse_diff


def _collapse(line: str) -> str:
    return re.sub(r"[ \t]+", " ", line)


@pytest.fixture
def inputs(fixtures_dir: Path) -> Path:
    return fixtures_dir / "inputs"


def _hunk_shape(path: Path) -> list[object]:
    (p,) = load(str(path)).patches
    return [(f.path, [(h.old_start, h.old_len, h.new_start, h.new_len, [ln.kind for ln in h.lines])
                      for h in f.hunks]) for f in p.files]


@pytest.mark.parametrize("name", ["pw-collapsed-1101.json", "pw-collapsed-noprefix-1102.json"])
def test_collapsed_detected_and_repaired(inputs: Path, name: str) -> None:
    (p,) = load(str(inputs / name)).patches
    assert p.whitespace_collapsed
    assert WHITESPACE_COLLAPSED in p.notes
    # The repaired hunks have the shape of the original patch.
    assert _hunk_shape(inputs / name) == _hunk_shape(inputs / "pw-patch-1002.json")


def test_prefix_loss_is_noted(inputs: Path) -> None:
    (p,) = load(str(inputs / "pw-collapsed-noprefix-1102.json")).patches
    assert any(n.startswith("context lines without their leading space") for n in p.notes)
    ctx = [ln for f in p.files for h in f.hunks for ln in h.lines if ln.kind == " "]
    assert any(ln.text == "" for ln in ctx) and "return head;" in [ln.text for ln in ctx]


@pytest.mark.parametrize("name", ["pw-patch-1001.json", "pw-patch-1002.json", "series-v2.mbox",
                                  "git-diff-mixed.diff", "diff-u.diff", "mail-qp.eml", "bad-no-qapi.diff",
                                  "git-diff-delete-schema.diff"])
def test_normal_inputs_not_flagged(inputs: Path, name: str) -> None:
    for p in load(str(inputs / name)).patches:
        assert not p.whitespace_collapsed
        assert WHITESPACE_COLLAPSED not in p.notes


def test_flush_left_diff_not_flagged() -> None:
    # A normal diff whose lines are all at column 0 has no double blanks either.
    body = "".join(f"+# line {i}\n" for i in range(20))
    text = f"--- a/qapi/x.json\n+++ b/qapi/x.json\n@@ -0,0 +1,20 @@\n{body}"
    assert not parse_diff(text).whitespace_collapsed


def test_small_diff_not_judged() -> None:
    text = ("--- a/qapi/x.json\n+++ b/qapi/x.json\n@@ -1,2 +1,2 @@\n"
            " { 'struct': 'A',\n- 'data': {} }\n+ 'data': {'a': 'int'} }\n")
    assert not parse_diff(text).whitespace_collapsed


def test_collapsing_any_fixture_is_detected(inputs: Path) -> None:
    data = json.loads((inputs / "pw-patch-1001.json").read_text())
    data["diff"] = re.sub(r"[ \t]+", " ", data["diff"])
    data["content"] = re.sub(r"[ \t]+", " ", data["content"])
    p = patch_from_patchwork_json(data, "collapsed")
    assert p.whitespace_collapsed


def test_mangled_corpus_repairs(data_dir: Path) -> None:
    """Collapsing real patches (and trimming their context prefixes) is detected and repaired."""
    files = sorted((data_dir / "corpus" / "patchwork").glob("*.json"))[:80]
    if not files:
        pytest.skip("corpus not available")
    flagged = big = 0
    for f in files:
        data = json.loads(f.read_text())
        orig = patch_from_patchwork_json(data, str(f))
        data["diff"] = "\n".join(_collapse(ln).strip() if ln.startswith(" ") else _collapse(ln)
                                 for ln in data["diff"].split("\n"))
        p = patch_from_patchwork_json(data, str(f))
        if sum(len(h.lines) for fd in orig.files for h in fd.hunks) >= 40:
            big += 1
            flagged += p.whitespace_collapsed
        assert [[(h.old_len, h.new_len, len(h.lines)) for h in fd.hunks] for fd in p.files] == \
               [[(h.old_len, h.new_len, len(h.lines)) for h in fd.hunks] for fd in orig.files], f
    assert big and flagged == big


def test_collapsed_doc_continuations_get_their_indent_back() -> None:
    from qapilint.patch import FileDiff, Hunk, HunkLine
    from qapilint.sources.diff import reindent_doc_continuations

    texts = [("+", "# @speed: maximum speed of the link, in"), ("+", "# megabits per second (since 11.1)"),
             ("+", "#"), ("+", "# Since: 9.0"), (" ", "##")]
    hunk = Hunk(1, 1, 1, 5, "", [HunkLine(k, t, i) for i, (k, t) in enumerate(texts, 1)])
    fd = FileDiff("qapi/net.json", "qapi/net.json", hunks=[hunk])
    reindent_doc_continuations(fd)
    assert [ln.text for ln in hunk.lines] == [
        "# @speed: maximum speed of the link, in", "#     megabits per second (since 11.1)",
        "#", "# Since: 9.0", "##"]
