"""Output hygiene: control characters, lone surrogates and odd encodings from a patch never break an output."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_reports_factory import PATH, find_line, make_report

from qapilint.findings import Finding, Severity
from qapilint.reports import FORMATS, RenderOptions, render
from qapilint.reports.safe import dumps, for_terminal

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "bad \x1b]0;owned\x07 \x9b2J \ud800 end"
JSON_FORMATS = ("json", "sarif", "gitlab", "b4", "patchwork")


def _hostile_report() -> Any:
    report = make_report()
    rep = report.patches[0]
    f = copy.copy(rep.findings[0])
    f.message = "message says " + HOSTILE
    f.notes = ["note " + HOSTILE]
    rep.findings.append(f)
    rep.patch.subject += HOSTILE
    rep.patch.msgid = "<x\ud800@example.net>"
    find_line(rep.patch.files, "# Since: 10.2").text += " \x1b[31m"
    return report


def test_terminal_text_shows_control_characters() -> None:
    assert for_terminal("a\x1b[2Jb\tc\x9bd\ne") == "a\\x1b[2Jb\tc\\x9bd\\x0ae"
    assert for_terminal("a\nb", keep_newlines=True) == "a\nb"
    assert for_terminal("x\ud800") == "x\ufffd"


@pytest.mark.parametrize("fmt", ["text", "github", "b4-prep"])
def test_terminal_formats_escape_c0_and_c1(fmt: str) -> None:
    out = render(fmt, _hostile_report(), RenderOptions(fmt=fmt, show_source=True))
    assert not any(c in out for c in "\x1b\x07\x9b\ud800"), repr(out)
    if fmt != "github":
        assert "\\x1b]0;owned\\x07 \\x9b2J" in out
    out.encode("utf-8")


def test_colour_codes_are_ours_only() -> None:
    out = render("text", _hostile_report(), RenderOptions(color=True))
    assert "\x1b[1;31m" in out  # our own colour
    assert "\x1b]0;owned" not in out and "\x9b" not in out


def test_caret_stays_under_the_escaped_column() -> None:
    report = make_report()
    f = report.patches[0].findings[0]
    line = find_line(report.patches[0].patch.files, "# Since: 10.2")
    line.text = "#\x1b Since: 10.2"
    f.col = line.text.index("10.2") + 1
    report.patches[0].changes = None
    lines = render("text", report, RenderOptions(show_source=True)).splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.endswith("#\\x1b Since: 10.2"))
    assert lines[i + 1].index("^") == lines[i].index("10.2")


@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_json_formats_stay_valid_and_inert(fmt: str) -> None:
    out = render(fmt, _hostile_report(), RenderOptions(fmt=fmt))
    json.loads(out)
    assert not any(c in out for c in "\x1b\x07\x9b\ud800")
    out.encode("utf-8")


def test_every_format_encodes_as_utf8() -> None:
    for fmt in FORMATS:
        render(fmt, _hostile_report(), RenderOptions(fmt=fmt, email_from="M <m@example.org>")).encode("utf-8")


def test_dumps_escapes_c1_and_line_separators() -> None:
    text = dumps({"a": "x\x85y\u2028z\x7f"})
    assert json.loads(text) == {"a": "x\x85y\u2028z\x7f"}
    assert "\x85" not in text and "\u2028" not in text


def _hostile_patchwork(tmp_path: Path) -> Path:
    data = json.loads((ROOT / "fixtures" / "inputs" / "pw-patch-1001.json").read_text(encoding="utf-8"))
    data["msgid"] = "<x\ud800@example.org>"
    data["name"] = "[v2,1/2] qapi/gadget: add \x1b[2J a serial \ud800 number"
    data["submitter"]["name"] = "Zoë \x1b[31mÜnï\nFrom evil"
    data["diff"] = data["diff"].replace("serial number", "serial \x1b]0;owned\x07 number", 1)
    p = tmp_path / "hostile.json"
    # ensure_ascii keeps the lone surrogate as a \ud800 escape, as a server would send it.
    p.write_text(json.dumps(data), encoding="ascii")
    return p


def _cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONIOENCODING="ascii")  # a terminal that cannot show UTF-8
    return subprocess.run([sys.executable, "-m", "qapilint", *args], capture_output=True, env=env, timeout=120)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "gitlab", "github", "b4", "b4-prep", "patchwork",
                                 "email", "html"])
def test_cli_survives_hostile_names_in_every_format(fmt: str, tmp_path: Path) -> None:
    p = _cli("check", "--format", fmt, "--email-from", "Märta <m@example.org>", str(_hostile_patchwork(tmp_path)))
    assert p.returncode in (0, 1), p.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in p.stderr
    assert b"\x1b]0;owned" not in p.stdout and b"\x1b[2J" not in p.stdout and b"\xc2\x9b" not in p.stdout
    if fmt in JSON_FORMATS:
        json.loads(p.stdout.decode("utf-8"))
    if fmt == "email":
        assert p.stdout.count(b"\nFrom ") == 0  # one message, no injected separator


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_changes_survives_hostile_names(fmt: str, tmp_path: Path) -> None:
    p = _cli("changes", "--format", fmt, str(_hostile_patchwork(tmp_path)))
    assert p.returncode == 0 and b"Traceback" not in p.stderr, p.stderr.decode("utf-8", "replace")
    assert b"\x1b" not in p.stdout
    if fmt == "json":
        json.loads(p.stdout.decode("utf-8"))


def test_error_lines_escape_control_characters(tmp_path: Path) -> None:
    bad = tmp_path / "bad\x1b[2J.json"
    bad.write_text("{", encoding="utf-8")
    p = _cli("check", str(bad))
    assert p.returncode == 2
    assert b"\x1b" not in p.stderr and b"\\x1b[2J" in p.stderr


def test_text_finding_about_a_control_character_line() -> None:
    f = Finding("x-rule", Severity.WARNING, "line holds \x1b[6n", file=PATH, line=3)
    report = make_report(findings=False)
    report.patches[0].findings = [f]
    assert "line holds \\x1b[6n [x-rule]" in render("text", report, RenderOptions())


# A diff path as git C-quotes it (CR, LF, SOH), and one with a NUL and a U+202E RIGHT-TO-LEFT
# OVERRIDE, which patchwork's JSON can carry.
_QUOTED = r'"b/qapi/x\r\ny\001z.json"'
_RAW_CONTROLS = set(map(chr, [*range(0x00, 0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0)])) | {
    "\u2028", "\u2029", "\u202e"}


def _hostile_paths(tmp_path: Path) -> Path:
    quoted = (f'diff --git {_QUOTED.replace("b/", "a/", 1)} {_QUOTED}\nnew file mode 100644\n--- /dev/null\n'
              f"+++ {_QUOTED}\n@@ -0,0 +1,2 @@\n+{{ 'command': 'foo' }}\n+{{ 'struct': 'bad name' }}\n")
    nul = "qapi/n\0m\u202e.json"
    plain = (f"diff --git a/{nul} b/{nul}\nnew file mode 100644\n--- /dev/null\n+++ b/{nul}\n@@ -0,0 +1,1 @@\n"
             "+{ 'command': 'bar' }\n")
    data = json.loads((ROOT / "fixtures" / "inputs" / "pw-patch-1001.json").read_text(encoding="utf-8"))
    data["diff"] = quoted + plain
    p = tmp_path / "paths.json"
    p.write_text(json.dumps(data), encoding="ascii")
    return p


@pytest.mark.parametrize("fmt", ["text", "github", "b4", "b4-prep", "json", "sarif", "gitlab", "patchwork",
                                 "email", "html"])
def test_control_characters_in_diff_paths_never_reach_an_output(fmt: str, tmp_path: Path) -> None:
    """Paths show in file fields and inside other findings' messages: escaped in every one."""
    p = _cli("check", "--format", fmt, "--email-from", "M <m@example.org>", str(_hostile_paths(tmp_path)))
    assert p.returncode == 1, p.stderr.decode("utf-8", "replace")
    out = p.stdout.decode("utf-8")
    raw = sorted({c for c in out + p.stderr.decode("utf-8") if c in _RAW_CONTROLS})
    assert raw == [], raw
    if fmt in ("text", "b4-prep"):
        assert "qapi/x\\x0d\\x0ay\\x01z.json" in out and "qapi/n\\x00m\\u202e.json" in out
    if fmt == "github":
        props = [ln.split("::")[1] for ln in out.splitlines() if ln.startswith("::")]
        assert props and not any("%0A" in x or "%0D" in x for x in props), props
    if fmt == "sarif":
        uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(out)["runs"][0]["results"]
                for loc in r["locations"] if "uri" in loc["physicalLocation"]["artifactLocation"]}
        assert "qapi/x%0D%0Ay%01z.json" in uris and "qapi/n%00m%E2%80%AE.json" in uris
        assert not any(c in u for u in uris for c in _RAW_CONTROLS)


def test_terminal_text_shows_unicode_line_breaks_and_bidi_controls() -> None:
    assert for_terminal("a\u2028b\u202ec\u2066d") == "a\\u2028b\\u202ec\\u2066d"
    assert for_terminal("\u00e9\u4e2d") == "\u00e9\u4e2d"      # ordinary text stays as it is
