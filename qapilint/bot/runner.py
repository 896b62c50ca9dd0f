"""The poll cycle: list new patches, check the QAPI ones, post each check exactly once.

Exactly once rests on three rules (see ``state``): a row is written before
every network action that changes patchwork; a POST is preceded by an intent
row holding how many checks with our context the patch had; and an intent
left by a crash is settled by counting those checks again before any new POST.

Each check (conversion, series assembly, base choice, the pipeline) runs in
a forked child with a time and memory budget (``sandbox``), after the bot
fetched everything it needs; a check over its budget is recorded as failed,
retried in later cycles, and the bot goes on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from qapilint.bot import sandbox, scope
from qapilint.bot.client import AuthError, PatchworkClient, PatchworkError
from qapilint.bot.state import FINAL, PatchRow, State
from qapilint.errors import InputError
from qapilint.patch import Patch, Series
from qapilint.pipeline import CheckOptions
from qapilint.reports import patchwork as pwreport
from qapilint.reports.model import PatchReport

log = logging.getLogger("qapilint.bot")

Checker = Callable[[Patch, CheckOptions, "Series | None"], PatchReport]
Converter = Callable[[dict[str, Any], str], Patch]
JSON = Any


class FatalError(Exception):
    """Stops the bot (bad token, pipeline missing): exit status 2."""


@dataclass
class BotConfig:
    url: str
    project: str
    context: str = pwreport.DEFAULT_CONTEXT
    since: str | None = None
    tree: str | None = None
    report_dir: str | None = None
    report_url: str | None = None
    dry_run: bool = False
    check_all: bool = False            # also post on patches touching no QAPI file
    lookback: float = 86400.0          # re-list this far behind the cursor (late mail, edits)
    series_wait: float = 86400.0       # check an incomplete series' patches after this long anyway
    max_attempts: int = 3
    max_diff_bytes: int = 4 * 1024 * 1024
    per_page: int = 100
    check_timeout: float | None = 60.0         # wall time of one check (None: unbounded)
    check_memory: int | None = 2048 * 1024 * 1024   # address space one check may add (None: unbounded)


@dataclass
class CycleStats:
    listed: int = 0
    checked: int = 0
    posted: int = 0
    skipped: int = 0
    waiting: int = 0
    failed: int = 0
    recovered: int = 0
    check_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def default_checker(patch: Patch, options: CheckOptions, series: Series | None) -> PatchReport:
    from qapilint import pipeline

    return pipeline.check_patch(patch, options, series)


def default_converter(data: dict[str, Any], where: str) -> Patch:
    from qapilint import sources

    conv: Converter = sources.patch_from_patchwork_json
    return conv(data, where)


def _pw_date_minus(date: str, seconds: float) -> str:
    try:
        d = dt.datetime.fromisoformat(date.replace("Z", ""))
    except ValueError:
        return date
    return (d - dt.timedelta(seconds=seconds)).replace(microsecond=0).isoformat()


_ID = re.compile(r"[0-9]{1,18}")   # ASCII: '²'.isdigit() is true and int('²') raises


def _int(value: object) -> int | None:
    """An id from patchwork: a non-negative int that SQLite can store, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 2**63 else None
    if isinstance(value, str) and _ID.fullmatch(value):
        return int(value)
    return None


def _text(value: object) -> str:
    """Patchwork gives "" or null for absent strings; both become ""."""
    return value if isinstance(value, str) else ""


def _one_line(text: str, limit: int = 80) -> str:
    t = " ".join(text.split())
    return t if len(t) <= limit else t[: limit - 3] + "..."


class Bot:
    def __init__(self, config: BotConfig, client: PatchworkClient, state: State, *,
                 checker: Checker | None = None, converter: Converter | None = None,
                 out: TextIO | None = None, clock: Callable[[], float] = time.time) -> None:
        self.cfg = config
        self.client = client
        self.state = state
        self.checker = checker or default_checker
        self.converter = converter or default_converter
        self.out = out
        self.clock = clock
        self.ctx = pwreport.slugify_context(config.context)
        self._details: dict[int, JSON] = {}
        self._unfetched: dict[int, PatchworkError] = {}
        self._series: dict[int, JSON | None] = {}
        self._covers: dict[int, JSON | None] = {}
        self._touched: set[int] = set()
        self.stop = threading.Event()   # set by SIGTERM: finish the patch at hand, then return

    # ------------------------------------------------------------------ cycle
    def poll_once(self) -> CycleStats:
        stats = CycleStats()
        self._details.clear()
        self._unfetched.clear()
        self._series.clear()
        self._covers.clear()
        self._touched.clear()
        events_ok = self._poll_events(stats)
        self._pending(stats, events_ok)
        self._listing(stats)
        log.info("cycle: %d listed, %d checked, %d posted, %d confirmed, %d skipped, %d waiting, %d failed",
                 stats.listed, stats.checked, stats.posted, stats.recovered, stats.skipped, stats.waiting,
                 stats.failed)
        return stats

    def run_forever(self, interval: float, stop: threading.Event, max_cycles: int | None = None) -> None:
        cycles = 0
        while not stop.is_set():
            self.poll_once()
            cycles += 1
            if max_cycles is not None and cycles >= max_cycles:
                return
            stop.wait(interval)

    def _poll_events(self, stats: CycleStats) -> bool:
        """Series completed since the last poll (a hint; series details stay authoritative)."""
        since = self.state.get_meta("events_cursor") or self._initial_since()
        newest = since
        try:
            for ev in self.client.series_completed(self.cfg.project, since, self.cfg.per_page):
                if not isinstance(ev, dict):
                    continue
                payload = ev.get("payload")
                series = payload.get("series") if isinstance(payload, dict) else None
                sid = _int(series.get("id")) if isinstance(series, dict) else None
                if sid is not None:
                    self.state.mark_series_done(sid)
                date = _text(ev.get("date"))
                if date and (newest is None or date > newest):
                    newest = date
        except AuthError:
            raise
        except PatchworkError as e:
            stats.errors.append(str(e))
            log.warning("events: %s (series completion taken from series details)", e.message)
            return False
        if newest:
            self.state.set_meta("events_cursor", newest)
        return True

    def _initial_since(self) -> str | None:
        if self.cfg.since:
            return self.cfg.since
        start = dt.datetime.fromtimestamp(self.clock(), dt.timezone.utc).replace(tzinfo=None)
        return _pw_date_minus(start.replace(microsecond=0).isoformat(), self.cfg.lookback)

    def _listing(self, stats: CycleStats) -> None:
        cursor = self.state.get_meta("cursor")
        since = _pw_date_minus(cursor, self.cfg.lookback) if cursor else self._initial_since()
        try:
            for summary in self.client.list_patches(self.cfg.project, since, self.cfg.per_page):
                if self.stop.is_set():
                    return
                if not isinstance(summary, dict):
                    continue
                pid = _int(summary.get("id"))
                if pid is None:
                    continue
                stats.listed += 1
                if pid not in self._touched:
                    row = self.state.get(pid, self.ctx)
                    pw_hash = _text(summary.get("hash"))
                    edited = row is not None and bool(pw_hash) and pw_hash != row.pw_hash
                    if row is None or (edited and row.status in (*FINAL, "failed")):
                        self._process(pid, stats)
                date = _text(summary.get("date"))
                if date and (cursor is None or date > cursor):
                    cursor = date
                    self.state.set_meta("cursor", date)
        except AuthError:
            raise
        except PatchworkError as e:
            stats.errors.append(str(e))
            log.warning("listing stopped: %s (resumes next cycle)", e.message)

    def _pending(self, stats: CycleStats, events_ok: bool) -> None:
        now = self.clock()
        for row in self.state.rows(self.ctx, "intent", "waiting", "failed"):
            if self.stop.is_set():
                return
            if row.status == "intent":
                self._settle_intent(row, stats)
            elif row.status == "failed":
                if row.attempts < self.cfg.max_attempts:
                    self._process(row.patch_id, stats)
            else:
                complete = row.series_id is not None and self.state.series_done(row.series_id)
                if complete or not events_ok or now - row.first_seen >= self.cfg.series_wait:
                    self._process(row.patch_id, stats)
                else:
                    stats.waiting += 1

    # ---------------------------------------------------------------- patches
    def _fail(self, pid: int, stats: CycleStats, message: str, *, final: bool = False, **fields: object) -> None:
        row = self.state.get(pid, self.ctx)
        attempts = (row.attempts if row else 0) + 1
        if final:
            attempts = max(attempts, self.cfg.max_attempts)
        self.state.put(pid, self.ctx, "failed", attempts=attempts, error=message[:500], **fields)
        stats.failed += 1
        stats.errors.append(f"patch {pid}: {message}")
        give_up = " (giving up)" if attempts >= self.cfg.max_attempts else ""
        log.warning("patch %d: failed: %s%s", pid, message, give_up)

    def _detail(self, pid: int) -> JSON:
        if pid in self._unfetched:
            raise self._unfetched[pid]
        if pid not in self._details:
            data = self.client.patch(pid)
            if not isinstance(data, dict):
                raise PatchworkError(self.client.api(f"patches/{pid}/"), "expected a JSON object")
            self._details[pid] = data
        return self._details[pid]

    def _series_detail(self, sid: int) -> JSON | None:
        if sid not in self._series:
            try:
                data = self.client.series(sid)
            except AuthError:
                raise
            except PatchworkError as e:
                log.warning("series %d: %s", sid, e.message)
                data = None
            self._series[sid] = data if isinstance(data, dict) else None
        return self._series[sid]

    def _process(self, pid: int, stats: CycleStats) -> None:
        """Fetch, select, wait for the series, check, post: one patch; never raises for the patch's sake."""
        self._touched.add(pid)
        t0 = time.monotonic()
        try:
            detail = self._detail(pid)
        except AuthError:
            raise
        except PatchworkError as e:
            self._fail(pid, stats, e.message)
            return
        subject = _text(detail.get("name"))
        diff = _text(detail.get("diff"))
        pw_hash = _text(detail.get("hash"))
        diff_hash = hashlib.sha256(diff.encode("utf-8", "surrogatepass")).hexdigest()
        row = self.state.get(pid, self.ctx)
        if row is not None and row.status in FINAL and row.diff_hash == diff_hash:
            self.state.put(pid, self.ctx, row.status, pw_hash=pw_hash)
            return
        if row is not None and row.status == "intent":
            self._settle_intent(row, stats)
            return
        if row is not None and row.status == "failed" and row.diff_hash and row.diff_hash != diff_hash:
            self.state.put(pid, self.ctx, "failed", attempts=0)  # a new diff deserves fresh attempts
        base = {"pw_hash": pw_hash, "diff_hash": diff_hash, "subject": subject[:500]}
        if len(diff) > self.cfg.max_diff_bytes:
            self._fail(pid, stats, f"diff too large ({len(diff)} bytes)", final=True, **base)
            return
        qapi = scope.touches_qapi(diff)
        if not qapi and not self.cfg.check_all:
            self.state.put(pid, self.ctx, "skipped", verdict=None, findings=None, **base)
            stats.skipped += 1
            log.info("patch %d %r: no QAPI file, no check", pid, _one_line(subject))
            return
        sid = self._series_id(detail)
        sdata = self._series_detail(sid) if sid is not None else None
        if sid is not None:
            if sdata is not None and sdata.get("received_all") is True:
                self.state.mark_series_done(sid)
            complete = self.state.series_done(sid)
            first_seen = row.first_seen if row is not None else self.clock()
            if not complete and self.clock() - first_seen < self.cfg.series_wait:
                self.state.put(pid, self.ctx, "waiting", series_id=sid, **base)
                stats.waiting += 1
                log.info("patch %d %r: waiting for the rest of series %d", pid, _one_line(subject), sid)
                return
        self._check_and_post(pid, detail, sid, sdata, base, row, stats, t0)

    def _series_id(self, detail: JSON) -> int | None:
        series = detail.get("series")
        if isinstance(series, list) and series and isinstance(series[0], dict):
            return _int(series[0].get("id"))
        return None

    def _where(self, pid: int) -> str:
        return self.client.api(f"patches/{pid}/")

    def _build_series(self, pid: int, patch: Patch, sid: int | None, sdata: JSON | None) -> Series | None:
        if sid is None or sdata is None:
            return None
        members: list[Patch] = []
        for item in sdata.get("patches") or []:
            other = _int(item.get("id")) if isinstance(item, dict) else None
            if other is None:
                continue
            if other == pid:
                members.append(patch)
                continue
            try:
                d = self._detail(other)
                if not scope.touches_qapi(_text(d.get("diff"))):
                    continue
                members.append(self.converter(d, self._where(other)))
            except AuthError:
                raise
            except (PatchworkError, InputError) as e:
                patch.notes.append(f"series patch {other} left out: {e}")
        if patch not in members:
            members.append(patch)
        members.sort(key=lambda p: (p.number if p.number is not None else 10**6, p.id))
        received = sdata.get("received_all")
        return Series(patches=members, id=str(sid), version=_int(sdata.get("version")) or 1,
                      received_all=received if isinstance(received, bool) else None,
                      source=_text(sdata.get("web_url")))

    def _cover_text(self, sdata: JSON | None) -> str:
        cover = sdata.get("cover_letter") if isinstance(sdata, dict) else None
        cid = _int(cover.get("id")) if isinstance(cover, dict) else None
        if cid is None:
            return ""
        if cid not in self._covers:
            try:
                data = self.client.get_json(self.client.api(f"covers/{cid}/"))
            except AuthError:
                raise
            except PatchworkError:
                data = None
            self._covers[cid] = data if isinstance(data, dict) else None
        c = self._covers[cid]
        return _text(c.get("content")) if c else ""

    def _options(self, patch: Patch, series: Series | None, detail: JSON, sdata: JSON | None) -> CheckOptions:
        if not self.cfg.tree:
            return CheckOptions()
        from qapilint.bot import tree as treemod

        base = (patch.base_commit or (series.base_commit if series else None)
                or scope.find_base_commit(_text(detail.get("content")), _text(detail.get("diff")))
                or scope.find_base_commit(self._cover_text(sdata)))
        rev, how = treemod.resolve_base(self.cfg.tree, base, _text(detail.get("date")) or None, series)
        opts = CheckOptions(tree=self.cfg.tree, base=rev, base_reason=how)
        opts.extra["base_reason"] = how
        return opts

    def _check_and_post(self, pid: int, detail: JSON, sid: int | None, sdata: JSON | None,
                        base: dict[str, Any], row: PatchRow | None, stats: CycleStats, t0: float) -> None:
        subject = base["subject"]
        try:
            self._prefetch(pid, sdata)
            report = self._run_check(pid, detail, sid, sdata)
        except AuthError:
            raise
        except NotImplementedError as e:
            raise FatalError(f"the check pipeline is not available yet ({e or 'not implemented'})") from None
        except InputError as e:
            self._fail(pid, stats, f"unusable patch: {e.message}", final=True, **base)
            return
        except PatchworkError as e:
            self._fail(pid, stats, e.message, **base)
            return
        except sandbox.CheckFailed as e:   # over its budget, or crashed: retried in a later cycle
            self._fail(pid, stats, str(e), **base)
            return
        except Exception as e:  # one bad patch must not stop the bot
            self._fail(pid, stats, f"check crashed: {type(e).__name__}: {_one_line(str(e), 200)}", **base)
            log.debug("patch %d: check crashed", pid, exc_info=True)
            return
        stats.checked += 1
        target_url = None
        if self.cfg.report_dir and self.cfg.report_url:
            from qapilint.bot import artifacts

            try:
                target_url = artifacts.write_report(report, self.cfg.report_dir, self.cfg.report_url,
                                                    f"{pid}-{base['diff_hash'][:12]}")
            except OSError as e:
                log.warning("patch %d: report not written: %s", pid, e)
        body = pwreport.payload(report, self.ctx, target_url)
        if target_url and "target_url" not in body:
            log.warning("patch %d: report URL longer than %d characters, left out", pid, pwreport.TARGET_URL_MAX)
        elapsed = time.monotonic() - t0
        stats.check_seconds += elapsed
        nfind = len(report.findings)
        fields = dict(base, verdict=body["state"], findings=nfind, payload=json.dumps(body), series_id=sid)
        if self.cfg.dry_run:
            out = self.out
            if out is not None:
                # Patch ids are strings in every JSON qapilint writes (check's reports too).
                out.write(json.dumps({"patch": str(pid), "check": body}) + "\n")
                out.flush()
            self.state.put(pid, self.ctx, "posted", **fields)
            self._log_line(pid, subject, body["state"], nfind, elapsed, "dry-run, not posted")
            return
        # "Fresh": we never posted on this patch, so a check of ours found there now
        # came from a run whose state was lost, not from an older diff.
        self._post(pid, fields, row is None or row.check_id is None, stats, subject, elapsed)

    def _prefetch(self, pid: int, sdata: JSON | None) -> None:
        """What the check will read from patchwork, fetched here: the check's process has no network."""
        for item in (sdata.get("patches") or []) if isinstance(sdata, dict) else []:
            other = _int(item.get("id")) if isinstance(item, dict) else None
            if other is None or other == pid:
                continue
            try:
                self._detail(other)
            except AuthError:
                raise
            except PatchworkError as e:
                self._unfetched[other] = e
        if self.cfg.tree:
            self._cover_text(sdata)

    def _run_check(self, pid: int, detail: JSON, sid: int | None, sdata: JSON | None) -> PatchReport:
        def check() -> PatchReport:
            patch = self.converter(detail, self._where(pid))
            series = self._build_series(pid, patch, sid, sdata)
            options = self._options(patch, series, detail, sdata)
            return self.checker(patch, options, series)

        if self.cfg.check_timeout is None and self.cfg.check_memory is None:
            return check()

        def bounded() -> PatchReport:
            self.client.offline = True
            return _portable(check())

        report: PatchReport = sandbox.run(bounded, self.cfg.check_timeout, self.cfg.check_memory)
        return report

    def _ours(self, pid: int) -> tuple[int, int | None]:
        """How many checks with our context the patch has, and the newest one's id (streamed)."""
        count = 0
        newest: int | None = None
        for c in self.client.checks(pid):
            if isinstance(c, dict) and c.get("context") == self.ctx:
                count += 1
                cid = _int(c.get("id"))
                if cid is not None and (newest is None or cid > newest):
                    newest = cid
        return count, newest

    def _post(self, pid: int, fields: dict[str, Any], fresh: bool, stats: CycleStats, subject: str,
              elapsed: float) -> None:
        try:
            before, newest = self._ours(pid)
        except AuthError:
            raise
        except PatchworkError as e:
            self._fail(pid, stats, f"listing checks: {e.message}", **fields)
            return
        if fresh and before > 0:
            # No memory of this patch but a check of ours is there (state file lost or
            # shared): posting again would duplicate it.
            self.state.put(pid, self.ctx, "posted", check_id=newest, **fields)
            self._log_line(pid, subject, fields["verdict"], fields["findings"], elapsed, "check already present")
            return
        self.state.put(pid, self.ctx, "intent", checks_before=before, **fields)
        row = self.state.get(pid, self.ctx)
        assert row is not None
        self._send(row, stats, subject, elapsed)

    def _send(self, row: PatchRow, stats: CycleStats, subject: str, elapsed: float) -> None:
        body = json.loads(row.payload or "{}")
        pid = row.patch_id
        try:
            created = self.client.post_check(pid, body)
        except AuthError:
            raise
        except PatchworkError as e:
            # The POST may have landed anyway: the intent row stays and is settled
            # by counting checks next cycle; only a client error (4xx) is final.
            # Transient failures keep the intent for as long as it takes (an outage
            # must not drop checks); a refused payload (4xx) is final.
            final = e.status is not None and 400 <= e.status < 500 and e.status != 429
            if final:
                self.state.put(pid, self.ctx, "failed", attempts=max(row.attempts + 1, self.cfg.max_attempts),
                               error=e.message[:500])
            else:
                self.state.put(pid, self.ctx, "intent", attempts=row.attempts + 1, error=e.message[:500])
            stats.failed += 1
            log.warning("patch %d: posting the check failed: %s", pid, e.message)
            return
        cid = _int(created.get("id")) if isinstance(created, dict) else None
        self.state.put(pid, self.ctx, "posted", check_id=cid, error=None)
        stats.posted += 1
        self._log_line(pid, subject, row.verdict or "", row.findings or 0, elapsed, "posted")

    def _settle_intent(self, row: PatchRow, stats: CycleStats) -> None:
        """A POST was about to happen (or happened) when the last run stopped."""
        self._touched.add(row.patch_id)
        try:
            now, newest = self._ours(row.patch_id)
        except AuthError:
            raise
        except PatchworkError as e:
            log.warning("patch %d: cannot list checks to settle a pending post: %s", row.patch_id, e.message)
            stats.failed += 1
            return
        if row.checks_before is not None and now > row.checks_before:
            self.state.put(row.patch_id, self.ctx, "posted", check_id=newest, error=None)
            stats.recovered += 1
            self._log_line(row.patch_id, row.subject, row.verdict or "", row.findings or 0, 0.0,
                           "posted (confirmed after restart)")
            return
        self._send(row, stats, row.subject, 0.0)

    def _log_line(self, pid: int, subject: str, verdict: str, findings: int, elapsed: float, what: str) -> None:
        log.info("patch %d %r: %s, %d finding%s, %.2fs, %s", pid, _one_line(subject), verdict or "-", findings,
                 "" if findings == 1 else "s", elapsed, what)


def _portable(report: PatchReport) -> PatchReport:
    """The report without the whole-schema models (reports never read them): small to send back."""
    from qapilint.changes.model import SchemaState

    if report.changes is not None:
        pc = report.changes
        report.changes = dataclasses.replace(pc, before=SchemaState(complete=pc.before.complete),
                                             after=SchemaState(complete=pc.after.complete))
    return report
