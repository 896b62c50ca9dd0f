"""Faults on the wire: retried where safe, recorded otherwise; auth failures stop the bot."""

from __future__ import annotations

from pathlib import Path

import botkit
import pwserver
import pytest
from botkit import cli, make_bot, ours, qapi_patch_ids, token_file

from qapilint.bot.client import AuthError, PatchworkClient, PatchworkError

WAITING = {3007}

pw = pytest.fixture(botkit.serve_seed)


def _all_posted_once(store: pwserver.Store) -> bool:
    return all(len(ours(store, pid)) == 1 for pid in qapi_patch_ids(store) - WAITING)


@pytest.mark.parametrize("kind", ["timeout", "reset", "500", "502", "503", "429"])
@pytest.mark.parametrize("path", [r"^/api/patches/\?", r"^/api/patches/3002/$", r"/checks/\?", r"^/api/series/"])
def test_transient_fault_on_get_is_retried(pw: pwserver.PWServer, tmp_path: Path, kind: str, path: str) -> None:
    # Retry-After 0 here; the wait itself is covered by test_429_honours_retry_after.
    pw.store.faults.append(pwserver.Fault(kind, path=path, method="GET", times=2, sleep=1.0, retry_after=0))
    bot = make_bot(pw, tmp_path / "s.db", timeout=(1.0, 0.5))
    stats = bot.poll_once()
    assert _all_posted_once(pw.store)
    assert stats.failed == 0
    assert pw.store.faults[0].times == 0


def test_429_honours_retry_after(pw: pwserver.PWServer, tmp_path: Path) -> None:
    pw.store.faults.append(pwserver.Fault("429", path=r"^/api/patches/3008/$", retry_after=1))
    make_bot(pw, tmp_path / "s.db").poll_once()
    gets = [i for i, (m, p) in enumerate(pw.store.log) if p == "/api/patches/3008/"]
    assert len(gets) == 2 and len(ours(pw.store, 3008)) == 1


@pytest.mark.parametrize("kind", ["reset", "503", "429", "timeout"])
def test_fault_on_post_never_duplicates(pw: pwserver.PWServer, tmp_path: Path, kind: str) -> None:
    # The server stores the check, then the answer is lost or refused: the next
    # cycle must find the check (or post it) and never post twice.
    pw.store.faults.append(pwserver.Fault(kind, path=r"^/api/patches/3004/checks/$", method="POST", sleep=1.0))
    for _ in range(3):
        make_bot(pw, tmp_path / "s.db", timeout=(1.0, 0.5)).poll_once()
    assert len(ours(pw.store, 3004)) == 1
    assert _all_posted_once(pw.store)


def test_lost_answer_after_post_is_settled_without_duplicate(pw: pwserver.PWServer, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # The check is created but the client never hears back (read timeout).
    monkeypatch.setattr(pw, "post_delay", 1.0)
    make_bot(pw, tmp_path / "s.db", timeout=(1.0, 0.3), retries=0).poll_once()
    monkeypatch.setattr(pw, "post_delay", 0.0)
    created = {pid for pid in qapi_patch_ids(pw.store) if ours(pw.store, pid)}
    assert created  # the POSTs landed server-side
    stats = make_bot(pw, tmp_path / "s.db").poll_once()
    assert _all_posted_once(pw.store)
    assert stats.recovered == len(created)


def test_malformed_detail_is_recorded_and_retried_next_cycle(pw: pwserver.PWServer, tmp_path: Path) -> None:
    pw.store.faults.append(pwserver.Fault("malformed", path=r"^/api/patches/3006/$"))
    stats = make_bot(pw, tmp_path / "s.db").poll_once()
    assert stats.failed == 1 and ours(pw.store, 3006) == []
    assert len(ours(pw.store, 3008)) == 1   # later patches still handled
    make_bot(pw, tmp_path / "s.db").poll_once()
    assert len(ours(pw.store, 3006)) == 1


def test_malformed_listing_stops_cycle_and_resumes(pw: pwserver.PWServer, tmp_path: Path) -> None:
    pw.store.faults.append(pwserver.Fault("malformed", path=r"^/api/patches/\?.*page=2"))
    stats = make_bot(pw, tmp_path / "s.db", per_page=4).poll_once()
    assert stats.errors and stats.listed == 4
    make_bot(pw, tmp_path / "s.db", per_page=4).poll_once()
    assert _all_posted_once(pw.store)


def test_huge_diff_is_recorded_not_checked(pw: pwserver.PWServer, tmp_path: Path) -> None:
    st = pw.store
    st.edit_diff(3011, st.patches[3011]["diff"] + "+" + "x" * 300_000 + "\n")
    stats = make_bot(pw, tmp_path / "s.db", max_diff_bytes=100_000).poll_once()
    assert ours(st, 3011) == [] and stats.failed == 1
    make_bot(pw, tmp_path / "s.db", max_diff_bytes=100_000).poll_once()
    assert [p for m, p in st.log if p == "/api/patches/3011/"] == ["/api/patches/3011/"]


def test_garbage_diff_does_not_stop_the_bot(pw: pwserver.PWServer, tmp_path: Path) -> None:
    st = pw.store
    st.edit_diff(3006, "diff --git a/qapi/x.json b/qapi/x.json\n\x00\x01@@ garbage @@\n+{'\n")
    make_bot(pw, tmp_path / "s.db").poll_once()
    assert _all_posted_once(st)


def test_response_size_cap(pw: pwserver.PWServer) -> None:
    client = PatchworkClient(pw.url, None, max_body=1000)
    with pytest.raises(PatchworkError, match="too large"):
        client.patch(3002)


def test_401_stops_the_bot(pw: pwserver.PWServer, tmp_path: Path) -> None:
    bot = make_bot(pw, tmp_path / "s.db", token="wrong")
    with pytest.raises(AuthError):
        bot.poll_once()
    assert pw.store.posts == 0


def test_cli_auth_failure_exits_2_without_leaking_the_token(pw: pwserver.PWServer, tmp_path: Path) -> None:
    secret = "f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed"
    r = cli(pw.url, tmp_path / "s.db", token_file(tmp_path, secret))
    assert r.returncode == 2
    assert "refused the token (HTTP 401)" in r.stderr
    assert secret not in r.stderr + r.stdout
    assert pw.store.posts == 0


def test_cli_403_on_post_exits_2(pw: pwserver.PWServer, tmp_path: Path) -> None:
    r = cli(pw.url, tmp_path / "s.db", token_file(tmp_path, pwserver.READONLY_TOKEN))
    assert r.returncode == 2 and "HTTP 403" in r.stderr
    assert pwserver.READONLY_TOKEN not in r.stderr


def test_cli_401_fault_mid_run_exits_2(pw: pwserver.PWServer, tmp_path: Path) -> None:
    pw.store.faults.append(pwserver.Fault("401", path=r"^/api/patches/3006/$"))
    r = cli(pw.url, tmp_path / "s.db", token_file(tmp_path))
    assert r.returncode == 2 and "HTTP 401" in r.stderr
    # What was done before the failure stays done; the next run finishes without duplicates.
    r = cli(pw.url, tmp_path / "s.db", token_file(tmp_path))
    assert r.returncode == 0, r.stderr
    assert _all_posted_once(pw.store)


def test_cli_run_logs_one_line_per_patch(pw: pwserver.PWServer, tmp_path: Path) -> None:
    r = cli(pw.url, tmp_path / "s.db", token_file(tmp_path))
    assert r.returncode == 0, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if " patch " in ln]
    assert {int(ln.split(" patch ")[1].split()[0]) for ln in lines} == set(pw.store.patches)
    assert all(pwserver.TOKEN not in ln for ln in r.stderr.splitlines())


def test_cli_dry_run_prints_payloads_posts_nothing_keeps_state(pw: pwserver.PWServer, tmp_path: Path) -> None:
    import json

    db = tmp_path / "s.db"
    r = cli(pw.url, db, None, "--dry-run")
    assert r.returncode == 0, r.stderr
    printed = [json.loads(x) for x in r.stdout.splitlines()]
    assert {x["patch"] for x in printed} == {str(i) for i in qapi_patch_ids(pw.store) - WAITING}
    assert pw.store.posts == 0
    r = cli(pw.url, db, token_file(tmp_path))
    assert r.returncode == 0 and _all_posted_once(pw.store)


def test_cli_needs_token_unless_dry_run(tmp_path: Path) -> None:
    r = cli("http://127.0.0.1:9", tmp_path / "s.db", None)
    assert r.returncode == 2 and "--token-file" in r.stderr


def test_cli_second_bot_on_the_same_state_refuses(pw: pwserver.PWServer, tmp_path: Path) -> None:
    import fcntl
    import os

    db = tmp_path / "s.db"
    fd = os.open(str(db) + ".lock", os.O_CREAT | os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        r = cli(pw.url, db, token_file(tmp_path))
    finally:
        os.close(fd)
    assert r.returncode == 1 and "another bot" in r.stderr
    assert pw.store.posts == 0
