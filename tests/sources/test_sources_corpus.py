"""Every real patch of the evaluation corpus loads, with hunks that agree with their headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from qapilint.patch import Patch
from qapilint.sources import load


def _files(data_dir: Path) -> list[Path]:
    corpus = data_dir / "corpus"
    files = sorted(corpus.glob("patchwork/*.json")) + sorted(corpus.glob("mbox/*.mbox"))
    if not files:
        pytest.skip("corpus not available")
    return files


def test_corpus_loads(data_dir: Path) -> None:
    failures: list[str] = []
    hunks = 0
    for f in _files(data_dir):
        series = load(str(f))
        for p in series.patches:
            assert not p.whitespace_collapsed, f"{f}: normal patch flagged as collapsed"
            for fd in p.files:
                for h in fd.hunks:
                    hunks += 1
                    if (len(h.old_text()), len(h.new_text())) != (h.old_len, h.new_len):
                        failures.append(f"{f}:{h.patch_line}")
    assert hunks > 0
    assert failures == []


def _lines(p: Patch) -> list[object]:
    return [(f.path, [[(ln.kind, ln.text) for ln in h.lines] for h in f.hunks]) for f in p.files]


def test_json_and_mbox_of_a_patch_agree(data_dir: Path) -> None:
    corpus = data_dir / "corpus"
    pairs = [(j, corpus / "mbox" / (j.stem + ".mbox")) for j in sorted(corpus.glob("patchwork/*.json"))[:60]]
    pairs = [(j, m) for j, m in pairs if m.exists()]
    if not pairs:
        pytest.skip("corpus not available")
    for j, m in pairs:
        (a,) = load(str(j)).patches
        (b,) = load(str(m)).patches
        assert (a.title, a.version, a.number, a.trailers) == (b.title, b.version, b.number, b.trailers), j
        assert _lines(a) == _lines(b), j


def test_mbox_patch_lines_index_the_file(data_dir: Path) -> None:
    for f in _files(data_dir)[-40:]:
        lines = f.read_text(encoding="utf-8").split("\n")
        for p in load(str(f)).patches:
            for fd in p.files:
                for h in fd.hunks:
                    for ln in h.lines:
                        assert lines[ln.patch_line - 1] == ln.kind + ln.text, f"{f}:{ln.patch_line}"
