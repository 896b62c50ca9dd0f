"""Builders for review-rule unit tests: a patch, its ChangeSet and a check context, by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from qapilint.changes.model import Change, Definition, FileRebuild, PatchChanges
from qapilint.checks.context import CheckContext
from qapilint.patch import FileDiff, Hunk, HunkLine, Patch
from qapilint.qapi.doc_model import DocBlock, DocLine, DocSection
from qapilint.source import SourceInfo
from qapilint.versions import Expected

PATH = "qapi/example.json"


def doc_block(first_line: int, lines: list[str], path: str = PATH) -> DocBlock:
    """A DocBlock from '# ...' lines (the '##' fences excluded), sections split simply."""
    info = SourceInfo(path, first_line - 1)
    dls = []
    for i, raw in enumerate(lines):
        text = raw[2:] if raw.startswith("# ") else ""
        dls.append(DocLine(first_line + i, text.rstrip(), raw))
    symbol = dls[0].text[1:-1] if dls and dls[0].text.startswith("@") else None
    sections: list[DocSection] = []
    in_features = False
    for dl in dls[1:]:
        t = dl.text
        if t == "Features:":
            in_features = True
            continue
        if t.startswith("@") and ":" in t:
            name, _, rest = t[1:].partition(":")
            sections.append(DocSection("feature" if in_features else "member", name, rest.strip(),
                                       info.at(dl.line), [dl]))
        elif t[:6] in ("Since:",) or t.startswith(("Returns:", "Errors:")):
            tag, _, rest = t.partition(":")
            sections.append(DocSection("tag", tag, rest.strip(), info.at(dl.line), [dl]))
        elif t.startswith(" ") and sections:
            sections[-1].lines.append(dl)
            sections[-1].text += "\n" + t.strip()
        elif t:
            sections.append(DocSection("plain", None, t, info.at(dl.line), [dl]))
    return DocBlock(info=info, end_line=first_line + len(lines), symbol=symbol,
                    symbol_info=info.at(first_line) if symbol else None, sections=sections, lines=dls)


@dataclass
class Scenario:
    """A one-file patch: post-image lines, which of them are added, and the ChangeSet."""

    lines: list[str]
    added: set[int]                               # 1-based post-image line numbers that are '+'
    removed: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    after: dict[str, Definition] = field(default_factory=dict)
    before: dict[str, Definition] = field(default_factory=dict)
    complete: bool = False
    message: str = ""
    date: dt.datetime = dt.datetime(2026, 4, 16, 12, 0, tzinfo=dt.timezone.utc)
    extra_files: list[FileDiff] = field(default_factory=list)

    def context(self, expected: Expected | None = None) -> CheckContext:
        hl = []
        pl = 5
        for i, text in enumerate(self.lines, start=1):
            hl.append(HunkLine("+" if i in self.added else " ", text, pl, None if i in self.added else i, i))
            pl += 1
        for text in self.removed:
            hl.append(HunkLine("-", text, pl, 0, None))
            pl += 1
        hunk = Hunk(1, len(self.lines), 1, len(self.lines), "", hl, 4)
        patch = Patch(id="t", subject="[PATCH] t", title="t", date=self.date, message=self.message,
                      files=[FileDiff(PATH, PATH, hunks=[hunk]), *self.extra_files])
        pc = PatchChanges(patch_id="t", subject="t", files=[FileRebuild(PATH, "tree" if self.complete else "hunks")],
                          changes=self.changes)
        pc.after.definitions = self.after
        pc.before.definitions = self.before
        pc.after.complete = pc.before.complete = self.complete
        return CheckContext(patch=patch, changes=pc, expected=expected, qapi_paths={PATH})


def definition(name: str, meta: str, data: dict[str, object], line: int, doc: DocBlock | None = None,
               partial: bool = False) -> Definition:
    return Definition(name=name, meta=meta, data=data, info=SourceInfo(PATH, line), doc=doc, partial=partial,
                      file=PATH)


@pytest.fixture
def expected_11_1() -> Expected:
    return Expected((11, 1), "expected 11.1: test", trusted=False)
