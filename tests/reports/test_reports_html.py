"""HTML page: self-contained and escaped; rendered in headless Chromium (skipped without it)."""

from __future__ import annotations

import html
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from test_reports_factory import MBOX, find_line, make_report, make_series, parse_files

from qapilint.findings import Finding, Severity
from qapilint.reports import RenderOptions, render


def test_page_is_self_contained_and_escaped() -> None:
    report = make_report()
    report.patches[0].findings.append(Finding("x-rule", Severity.NOTE, "<script>alert(1)</script> & co",
                                              file="qapi/migration.json", line=54))
    page = render("html", report, RenderOptions())
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)
    assert "<link" not in page


def test_rule_links_resolve_to_anchors() -> None:
    page = render("html", make_series(), RenderOptions())
    links = set(re.findall(r'href="#(rule-[^"]+)"', page))
    anchors = set(re.findall(r'id="(rule-[^"]+)"', page))
    assert links and links <= anchors
    assert "since-mismatch" in page and "DeviceSaveStateTime" in page


def test_finding_follows_its_diff_line() -> None:
    page = render("html", make_report(), RenderOptions())
    i = page.index("+# Since: 10.2")
    j = page.index('id="finding-1-1"')
    nxt = page.find('<div class="l', i + 1)
    assert i < j < nxt


def test_summary_links_every_finding() -> None:
    report = make_report()
    page = render("html", report, RenderOptions())
    links = re.findall(r'href="#(finding-[^"]+)"', page)
    anchors = re.findall(r'id="(finding-[^"]+)"', page)
    assert len(links) == len(report.patches[0].findings) and sorted(links) == sorted(anchors)
    # The list comes before the diff.
    assert page.index('href="#finding-') < page.index('class="diff"')


def test_schema_files_come_before_c_files() -> None:
    report = make_report()
    patch = report.patches[0].patch
    c_file = parse_files(MBOX.replace("a/qapi/migration.json b/qapi/migration.json",
                                      "a/migration/savevm.c b/migration/savevm.c"))[0]
    patch.files.insert(0, c_file)
    page = render("html", report, RenderOptions())
    assert page.index('<div class="l file">qapi/migration.json') < page.index('<div class="l file">migration/savevm.c')


def _numbers(page: str, text: str) -> tuple[str, str]:
    m = re.search(r'<span class="n">(\d*)</span><span class="n">(\d*)</span>' + re.escape(html.escape(text)), page)
    assert m, text
    return m.group(1), m.group(2)


def test_line_numbers_go_in_their_own_columns() -> None:
    report = make_report()
    page = render("html", report, RenderOptions())
    files = report.patches[0].patch.files
    removed = next(ln for h in files[0].hunks for ln in h.lines if ln.kind == "-")
    added = find_line(files, "# Since: 10.2")
    context = next(ln for h in files[0].hunks for ln in h.lines if ln.kind == " " and ln.text.strip())
    assert _numbers(page, "-" + removed.text) == (str(removed.old_no), "")
    assert _numbers(page, "+" + added.text) == ("", str(added.new_no))
    assert _numbers(page, " " + context.text) == (str(context.old_no), str(context.new_no))
    assert '<span class="n">old</span><span class="n">new</span>' in page


def test_every_table_column_has_a_header() -> None:
    page = render("html", make_report(), RenderOptions())
    for table in re.findall(r"<table.*?</table>", page, re.S):
        heads = re.findall(r"<th>(.*?)</th>", table)
        assert heads and all(h.strip() for h in heads)
        row = re.search(r"<tbody><tr>(.*?)</tr>", table)
        assert row and len(re.findall(r"<td>", row.group(1))) == len(heads)


def test_expected_version_is_said_once() -> None:
    page = render("html", make_report(), RenderOptions())
    assert "expected version 11.1 (patch dated 2026-04-16" in page
    assert "(expected 11.1:" not in page


def _png_size_and_variety(data: bytes) -> tuple[int, int, int]:
    """Width, height and the number of distinct raw scanline bytes of a PNG (blank pages have ~1)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24])
    idat = b""
    pos = 8
    while pos < len(data):
        n = struct.unpack(">I", data[pos:pos + 4])[0]
        kind = data[pos + 4:pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw = zlib.decompress(idat)
    return w, h, len(set(raw[: 200_000]))


@pytest.fixture(scope="module")
def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("chromium not installed")
    return exe


def _chromium(exe: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp / 'profile'}",
           *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_page_renders_in_a_real_browser(chromium: str, tmp_path: Path) -> None:
    report = make_series()
    page = tmp_path / "report.html"
    page.write_text(render("html", report, RenderOptions()), encoding="utf-8")
    dom = _chromium(chromium, tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = re.sub(r"<[^>]+>", "", dom.stdout)
    for f in report.patches[0].findings:
        assert f"[{f.rule}]" in text
    assert "DeviceSaveStateTime" in text
    shot = tmp_path / "report.png"
    res = _chromium(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri())
    assert res.returncode == 0 and shot.exists(), res.stderr[-2000:]
    w, h, variety = _png_size_and_variety(shot.read_bytes())
    assert (w, h) == (1200, 1600)
    assert variety > 20
