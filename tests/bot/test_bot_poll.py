"""A full poll against the test server: the right checks, once, with pagination and cursors."""

from __future__ import annotations

import json
from pathlib import Path

import botfakes
import botkit
import pwserver
import pytest
from botkit import make_bot, ours, qapi_patch_ids

from qapilint.bot.scope import touches_qapi

pw = pytest.fixture(botkit.serve_seed)


def test_full_poll_posts_one_check_per_complete_qapi_patch(pw: pwserver.PWServer, tmp_path: Path) -> None:
    st = pw.store
    bot = make_bot(pw, tmp_path / "s.db")
    stats = bot.poll_once()
    waiting = {pid for pid, p in st.patches.items() if p["series"] == 7005}
    for pid, p in st.patches.items():
        checks = ours(st, pid)
        if not touches_qapi(p["diff"]) or pid in waiting:
            assert checks == [], pid
            continue
        assert len(checks) == 1, pid
        assert checks[0]["state"] == botfakes.expected_state(p["diff"])
        assert checks[0]["description"] and "\n" not in checks[0]["description"]
    assert stats.posted == len(qapi_patch_ids(st) - waiting)
    assert stats.waiting == len(waiting)


def test_second_poll_posts_nothing(pw: pwserver.PWServer, tmp_path: Path) -> None:
    make_bot(pw, tmp_path / "s.db").poll_once()
    posts = pw.store.posts
    stats = make_bot(pw, tmp_path / "s.db").poll_once()
    assert pw.store.posts == posts
    assert stats.posted == 0


def test_pagination_follows_next_links(pw: pwserver.PWServer, tmp_path: Path) -> None:
    bot = make_bot(pw, tmp_path / "s.db", per_page=2)
    stats = bot.poll_once()
    pages = [p for m, p in pw.store.log if m == "GET" and p.startswith("/api/patches/?")]
    assert len(pages) == (len(pw.store.patches) + 1) // 2
    assert stats.listed == len(pw.store.patches)


def test_cursor_resumes_from_last_patch_date(pw: pwserver.PWServer, tmp_path: Path) -> None:
    make_bot(pw, tmp_path / "s.db").poll_once()
    newest = max(p["date"] for p in pw.store.patches.values())
    pw.store.log.clear()
    make_bot(pw, tmp_path / "s.db").poll_once()
    listing = [p for m, p in pw.store.log if p.startswith("/api/patches/?")]
    assert listing and all("since=" + newest.replace(":", "%3A") in p for p in listing)
    # Patches already handled are not fetched again.
    assert not [p for m, p in pw.store.log if p.rstrip("/").split("/")[-1].isdigit() and "/patches/" in p]


def test_incomplete_series_is_checked_when_complete(pw: pwserver.PWServer, tmp_path: Path) -> None:
    st = pw.store
    make_bot(pw, tmp_path / "s.db").poll_once()
    assert ours(st, 3007) == []
    st.deliver(3012)
    botfakes.CALLS.clear()
    stats = make_bot(pw, tmp_path / "s.db").poll_once()
    assert len(ours(st, 3007)) == 1 and len(ours(st, 3012)) == 1
    assert stats.posted == 2
    # Both were checked with the whole series as context.
    assert sorted(c[2] for c in botfakes.CALLS) == [2, 2]


def test_incomplete_series_checked_alone_after_the_wait(pw: pwserver.PWServer, tmp_path: Path) -> None:
    make_bot(pw, tmp_path / "s.db").poll_once()
    make_bot(pw, tmp_path / "s.db", series_wait=0).poll_once()
    assert len(ours(pw.store, 3007)) == 1


def test_edited_patch_is_checked_again(pw: pwserver.PWServer, tmp_path: Path) -> None:
    st = pw.store
    make_bot(pw, tmp_path / "s.db").poll_once()
    assert [c["state"] for c in ours(st, 3011)] == ["success"]
    st.edit_diff(3011, st.patches[3011]["diff"].replace("(since 11.0)", "(since 9.0)"))
    make_bot(pw, tmp_path / "s.db", lookback=86400).poll_once()
    assert [c["state"] for c in ours(st, 3011)] == ["success", "warning"]


def test_check_all_posts_on_non_qapi_patches(pw: pwserver.PWServer, tmp_path: Path) -> None:
    make_bot(pw, tmp_path / "s.db", check_all=True).poll_once()
    assert len(ours(pw.store, 3005)) == 1


def test_one_crashing_patch_does_not_stop_the_poll(pw: pwserver.PWServer, tmp_path: Path) -> None:
    st = pw.store
    st.edit_diff(3004, st.patches[3004]["diff"].replace("+# Since: 11.0", "+# FAKE-CRASH"))
    stats = make_bot(pw, tmp_path / "s.db").poll_once()
    assert ours(st, 3004) == []
    assert len(ours(st, 3006)) == 1 and stats.failed == 1
    # Retried on later cycles up to the bound, then left alone.
    for _ in range(4):
        make_bot(pw, tmp_path / "s.db", max_attempts=3).poll_once()
    detail_gets = [p for m, p in st.log if p == "/api/patches/3004/"]
    assert len(detail_gets) == 3


def test_dry_run_prints_payloads_and_posts_nothing(pw: pwserver.PWServer, tmp_path: Path) -> None:
    import io

    out = io.StringIO()
    make_bot(pw, tmp_path / "s.db", dry_run=True, out=out).poll_once()
    assert pw.store.posts == 0
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert {x["patch"] for x in lines} == {str(i) for i in qapi_patch_ids(pw.store) - {3007}}
    assert all(x["check"]["context"] == "qapilint" for x in lines)


def test_report_dir_gives_target_url(pw: pwserver.PWServer, tmp_path: Path) -> None:
    make_bot(pw, tmp_path / "s.db", report_dir=str(tmp_path / "r"), report_url="https://ci.example.org/q").poll_once()
    check = ours(pw.store, 3008)[0]
    name = check["target_url"].rsplit("/", 1)[1]
    assert check["target_url"].startswith("https://ci.example.org/q/3008-")
    assert (tmp_path / "r" / name).is_file()
    assert pwserver.TOKEN not in (tmp_path / "r" / name).read_text()


def test_overlong_report_url_is_left_out(pw: pwserver.PWServer, tmp_path: Path) -> None:
    base = "https://ci.example.org/" + "x" * 190
    make_bot(pw, tmp_path / "s.db", report_dir=str(tmp_path / "r"), report_url=base).poll_once()
    check = ours(pw.store, 3008)[0]
    assert check["target_url"] is None and check["state"] == "fail"


def test_tree_base_is_series_base_commit_else_head_at_patch_date(pw: pwserver.PWServer, tmp_path: Path) -> None:
    import subprocess

    repo = tmp_path / "qemu"
    repo.mkdir()

    def git(*args: str, date: str = "") -> str:
        env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin",
               "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                              env=env).stdout.strip()

    git("init", "-q")
    for i, date in enumerate(["2026-03-01T10:00:00+0000", "2026-03-02T12:00:00+0000"]):
        (repo / "VERSION").write_text(f"10.2.{50 + i}\n")
        git("add", "VERSION")
        git("commit", "-q", "-m", f"c{i}", date=date)
    first, second = git("rev-list", "--reverse", "HEAD").split()
    cover = pw.store.covers[6001]
    cover["content"] = cover["content"].replace("0123456789abcdef0123456789abcdef01234567", second)
    botfakes.CALLS.clear()
    make_bot(pw, tmp_path / "s.db", tree=str(repo)).poll_once()
    base = {pid: b for pid, b, _n in botfakes.CALLS}
    assert base["3002"] == second and base["3003"] == second      # the cover's base-commit
    assert base["3004"] == first                                  # 11:30, before the second commit
    assert base["3006"] == second                                 # 13:15


def test_lost_state_file_does_not_duplicate_checks(pw: pwserver.PWServer, tmp_path: Path) -> None:
    make_bot(pw, tmp_path / "a.db").poll_once()
    posts = pw.store.posts
    stats = make_bot(pw, tmp_path / "fresh.db").poll_once()
    assert pw.store.posts == posts and stats.posted == 0


def test_other_contexts_do_not_count_as_ours(pw: pwserver.PWServer, tmp_path: Path) -> None:
    pw.store.add_check(3004, {"state": "success", "context": "checkpatch"})
    make_bot(pw, tmp_path / "s.db").poll_once()
    assert len(ours(pw.store, 3004)) == 1
    make_bot(pw, tmp_path / "t.db", context="qapilint-strict").poll_once()
    assert len(ours(pw.store, 3004, "qapilint-strict")) == 1
