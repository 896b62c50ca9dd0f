"""``qapilint bot``: poll a patchwork project, check QAPI patches, post one check each."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import importlib
import logging
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from qapilint.bot.client import AuthError, PatchworkClient
from qapilint.bot.runner import Bot, BotConfig, Checker, Converter, FatalError
from qapilint.bot.state import State

log = logging.getLogger("qapilint.bot")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--patchwork", required=True, metavar="URL", help="patchwork instance, e.g. https://patchwork.example.org")
    p.add_argument("--project", required=True, metavar="LINK_NAME", help="project link name, e.g. qemu-devel")
    p.add_argument("--token-file", metavar="FILE", help="file holding the API token (needed unless --dry-run)")
    p.add_argument("--state", required=True, metavar="DB", help="SQLite state file (created if missing)")
    p.add_argument("--since", metavar="ISO8601", help="first run: patches dated from here (default: --lookback ago)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one poll cycle, then exit (default)")
    mode.add_argument("--interval", type=float, metavar="SECONDS", help="poll forever, this long between cycles")
    p.add_argument("--context", default="qapilint", help="check context (a slug; default: qapilint)")
    p.add_argument("--tree", metavar="DIR",
                   help="QEMU git checkout to check against, read from git objects only (base-commit, "
                        "else HEAD at the patch date, else HEAD)")
    p.add_argument("--report-dir", metavar="DIR", help="write a report per checked patch here")
    p.add_argument("--report-url", metavar="BASE",
                   help="URL under which --report-dir is served (the check's target_url)")
    p.add_argument("--dry-run", action="store_true",
                   help="post nothing, print the payloads (state file left unchanged)")
    p.add_argument("--check-all", action="store_true", help="also post a check on patches touching no QAPI file")
    p.add_argument("--lookback", type=float, default=24.0, metavar="HOURS",
                   help="re-list this far behind the cursor, for late mail and edited patches (default 24)")
    p.add_argument("--series-wait", type=float, default=24.0, metavar="HOURS",
                   help="check an incomplete series' patches after this long anyway (default 24)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="HTTP read timeout (default 30)")
    p.add_argument("--deadline", type=float, default=120.0, metavar="SECONDS",
                   help="overall time for one HTTP request, retries included (default 120)")
    p.add_argument("--check-timeout", type=float, default=60.0, metavar="SECONDS",
                   help="wall time one check may take before it is killed and retried later (default 60; "
                        "0: no limit)")
    p.add_argument("--check-memory", type=int, default=2048, metavar="MB",
                   help="memory one check may add before it fails (default 2048; 0: no limit)")
    p.add_argument("--retries", type=int, default=4, help="HTTP retries per request (default 4)")
    p.add_argument("--backoff", type=float, default=0.5, help="retry backoff factor in seconds (default 0.5)")
    p.add_argument("--max-attempts", type=int, default=3, help="cycles a failing patch is retried (default 3)")
    p.add_argument("--per-page", type=int, default=100, help="patchwork page size, 1..250 (default 100)")
    p.add_argument("--checker", metavar="MODULE:FUNCTION",
                   help="check function instead of qapilint.pipeline.check_patch")
    p.add_argument("--converter", metavar="MODULE:FUNCTION",
                   help="patchwork JSON -> Patch function instead of qapilint.sources.patch_from_patchwork_json")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")


class _Redact(logging.Filter):
    """Last line of defence: the token never reaches a log line."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secret and self.secret in record.getMessage():
            record.msg = record.getMessage().replace(self.secret, "<token>")
            record.args = ()
        return True


def _error(msg: str) -> int:
    print(f"qapilint: error: {msg}", file=sys.stderr)
    return 2


def _load_callable(spec: str) -> Any:
    mod, _, name = spec.partition(":")
    if not mod or not name:
        raise ValueError(f"{spec!r}: expected MODULE:FUNCTION")
    fn = getattr(importlib.import_module(mod), name, None)
    if not callable(fn):
        raise ValueError(f"{spec!r}: not a function")
    return fn


@contextlib.contextmanager
def _lock(path: str) -> Iterator[bool]:
    """One bot per state file: two would post the same check twice."""
    fd = os.open(path + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def _open_state(path: str, dry_run: bool) -> State:
    if not dry_run:
        return State(path)
    # A dry run works on a copy in memory: it sees what was posted, changes nothing.
    mem = State(":memory:")
    if os.path.exists(path):
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            src.backup(mem.db)
        finally:
            src.close()
    return mem


def _validate(args: argparse.Namespace) -> str | None:
    parts = urlsplit(args.patchwork)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"--patchwork {args.patchwork!r}: expected an http(s) URL"
    if args.since:
        try:
            dt.datetime.fromisoformat(args.since.replace("Z", ""))
        except ValueError:
            return f"--since {args.since!r}: expected an ISO 8601 date"
    if bool(args.report_dir) != bool(args.report_url):
        return "--report-dir and --report-url go together"
    if args.interval is not None and args.interval <= 0:
        return "--interval must be positive"
    if not 1 <= args.per_page <= 250:
        return "--per-page must be within 1..250"
    if not args.timeout > 0 or not args.deadline > 0:
        return "--timeout and --deadline must be positive"
    if args.check_timeout < 0 or args.check_memory < 0:
        return "--check-timeout and --check-memory must be 0 (no limit) or positive"
    if args.tree and not os.path.isdir(args.tree):
        return f"--tree {args.tree}: not a directory"
    if args.tree:
        from qapilint.sources.gitrepo import GitRepo

        if GitRepo.at(args.tree) is None:
            return f"--tree {args.tree}: not the top of a git checkout (the bot reads base trees from git objects)"
    if not args.dry_run and not args.token_file:
        return "--token-file is needed to post checks (or use --dry-run)"
    return None


def _read_token(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        token = f.read().strip()
    if not token or any(c.isspace() for c in token):
        raise ValueError("expected one token on one line")
    return token


def run(args: argparse.Namespace) -> int:
    problem = _validate(args)
    if problem:
        return _error(problem)
    token: str | None = None
    if args.token_file:
        try:
            token = _read_token(args.token_file)
        except (OSError, UnicodeDecodeError, ValueError) as e:
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            return _error(f"{args.token_file}: cannot read the token: {reason}")
    try:
        checker: Checker | None = _load_callable(args.checker) if args.checker else None
        converter: Converter | None = _load_callable(args.converter) if args.converter else None
    except (ImportError, ValueError) as e:
        return _error(str(e))

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(_Redact(token or ""))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    log.propagate = False

    state_dir = os.path.dirname(os.path.abspath(args.state))
    if not os.path.isdir(state_dir):
        return _error(f"--state {args.state}: directory {state_dir} does not exist")
    with _lock(args.state) as locked:
        if not locked:
            print(f"qapilint: another bot is using {args.state}; not started", file=sys.stderr)
            return 1
        try:
            state = _open_state(args.state, args.dry_run)
        except sqlite3.Error as e:
            return _error(f"--state {args.state}: {e}")
        cfg = BotConfig(url=args.patchwork, project=args.project, context=args.context, since=args.since,
                        tree=args.tree, report_dir=args.report_dir, report_url=args.report_url,
                        dry_run=args.dry_run, check_all=args.check_all, lookback=args.lookback * 3600.0,
                        series_wait=args.series_wait * 3600.0, max_attempts=args.max_attempts,
                        per_page=args.per_page, check_timeout=args.check_timeout or None,
                        check_memory=args.check_memory * 1024 * 1024 or None)
        client = PatchworkClient(args.patchwork, token,
                                 timeout=(min(10.0, args.timeout), args.timeout),
                                 retries=args.retries, backoff=args.backoff, deadline=args.deadline)
        bot = Bot(cfg, client, state, checker=checker, converter=converter, out=sys.stdout)
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()
            bot.stop.set()

        old = signal.signal(signal.SIGTERM, on_signal)
        try:
            if args.interval is None:
                bot.poll_once()
            else:
                bot.run_forever(args.interval, stop)
        except AuthError as e:
            return _error(f"patchwork refused the token (HTTP {e.status}) at {e.url}; check --token-file "
                          "and that the token's user may post checks to this project")
        except FatalError as e:
            return _error(str(e))
        finally:
            signal.signal(signal.SIGTERM, old)
            client.close()
            state.close()
    return 0
