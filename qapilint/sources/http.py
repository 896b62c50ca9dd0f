"""Patchwork over HTTP: patch and series URLs -> Series.

Understood URLs (any path prefix before them is kept, for patchwork hosted
below '/'):

- ``/project/P/patch/<msgid>/`` (web page) -> ``GET /api/patches/?project=P&msgid=<msgid>``
  (patchwork >= 2.2, API 1.2); a numeric id instead of a msgid -> ``/api/patches/N/``
- ``/api/patches/N/``, ``/api/1.3/patches/N/`` (any API version), same for ``covers``
- ``/series/N/``, ``/api/series/N/``, ``/api/1.x/series/N/``, ``/project/P/list/?series=N``

Every request goes through a requests Session whose adapter retries with
urllib3's Retry (exponential backoff on connection errors, 429 and 5xx,
honouring Retry-After up to a cap) and has connect/read timeouts.  Those
timeouts bound each socket operation only: a server sending one byte a
second would hold a request forever, so every request also runs under a
:class:`Deadline` (an overall bound, retries included) and a byte cap.
Only the host of the URL given is ever asked: redirects and ``url`` fields
that lead elsewhere are refused.

:class:`Deadline` and :func:`guarded_adapter` serve the bot's client too.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

from qapilint.errors import InputError
from qapilint.patch import Series
from qapilint.sources.patchwork import (
    JSON,
    is_series_json,
    patch_from_patchwork_json,
    series_from_json,
    series_from_list,
)


@dataclass
class HttpConfig:
    retries: int = 4
    backoff_factor: float = 0.5
    max_retry_after: float = 60.0       # never sleep longer than this on one Retry-After
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_bytes: int = 64 * 1024 * 1024
    deadline: float = 120.0             # one request, retries included, start to last byte
    max_redirects: int = 5
    user_agent: str = "qapilint (+patchwork REST client)"


CONFIG = HttpConfig()

_current = threading.local()


class Deadline:
    """An overall time bound on the HTTP requests made on this thread inside ``with Deadline(s):``.

    When it passes, the sockets of those requests are shut down, so whatever
    read is blocked returns at once (requests then raises; ``expired`` says
    why).  Connections opened after that are shut down as soon as they are
    used.  Works with sessions whose adapter is :func:`guarded_adapter`.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self.end = 0.0
        self._conns: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._outer: Deadline | None = None

    def __enter__(self) -> Deadline:
        self._outer = getattr(_current, "deadline", None)
        _current.deadline = self
        self.end = time.monotonic() + self.seconds
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        _current.deadline = self._outer
        with self._lock:
            self._conns.clear()

    def left(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def attach(self, conn: HTTPConnection) -> None:
        with self._lock:
            if not any(c is conn for c in self._conns):
                self._conns.append(conn)
            expired = self.expired
        if expired:
            _shut(conn)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            conns = list(self._conns)
        for conn in conns:
            _shut(conn)


def _shut(conn: HTTPConnection) -> None:
    sock = getattr(conn, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _attach(conn: HTTPConnection) -> None:
    d: Deadline | None = getattr(_current, "deadline", None)
    if d is not None:
        d.attach(conn)


class _GuardedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        _attach(self)
        super().connect()
        _attach(self)   # the socket exists now: shut it if the deadline passed meanwhile

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)   # a kept-alive connection serves this request too
        super().request(*args, **kwargs)


class _GuardedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        _attach(self)
        super().connect()
        _attach(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)
        super().request(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
        return manager


def guarded_adapter(retry: Retry) -> HTTPAdapter:
    """An adapter whose connections obey the thread's :class:`Deadline`."""
    return _GuardedAdapter(max_retries=retry)


def same_host(url: str, other: str) -> bool:
    """Whether ``other`` is on ``url``'s host (same port; http may become https, never the reverse)."""
    a, b = urllib.parse.urlsplit(url), urllib.parse.urlsplit(other)
    if b.scheme not in ("http", "https") or not b.hostname or (a.scheme == "https" and b.scheme != "https"):
        return False
    try:
        pa, pb = a.port, b.port
    except ValueError:
        return False
    default = {"http": 80, "https": 443}
    return (a.hostname or "").lower() == b.hostname.lower() and (
        (pa or default[a.scheme]) == (pb or default[b.scheme]) or (pa is None and pb is None))


class _CappedRetry(Retry):
    """Retry that honours Retry-After but never waits longer than the configured cap."""

    max_retry_after: float = 60.0

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.max_retry_after)


def session(cfg: HttpConfig | None = None) -> requests.Session:
    cfg = cfg or CONFIG
    # Retry.new() rebuilds the object from its constructor arguments, so the
    # cap lives on a per-config subclass rather than on the instance.
    capped = type("CappedRetry", (_CappedRetry,), {"max_retry_after": cfg.max_retry_after})
    retry = capped(
        total=cfg.retries, connect=cfg.retries, read=cfg.retries, status=cfg.retries,
        backoff_factor=cfg.backoff_factor, status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}), respect_retry_after_header=True, raise_on_status=False)
    s = requests.Session()
    adapter = guarded_adapter(retry)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    s.headers.update({"Accept": "application/json", "User-Agent": cfg.user_agent})
    return s


def _clean(url: str) -> str:
    """Drop '?format=api' (patchwork's HTML rendering of the API) and keep other queries."""
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "format"]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def get_json(s: requests.Session, url: str, where: str, cfg: HttpConfig | None = None) -> Any:
    """GET ``url`` as JSON within ``cfg.deadline`` and ``cfg.max_bytes``, following same-host redirects only."""
    cfg = cfg or CONFIG
    url = _clean(url)
    with Deadline(cfg.deadline) as deadline:
        try:
            return _get_json(s, url, where, cfg, deadline)
        except requests.exceptions.RequestException as e:
            if deadline.expired:
                raise InputError(where, f"HTTP: no complete answer within {cfg.deadline:g} s: {url}") from None
            if isinstance(e, requests.exceptions.RetryError):
                raise InputError(where, f"HTTP: gave up after {cfg.retries} retries: {_reason(e)}") from None
            raise InputError(where, f"HTTP: {_reason(e)}") from None


def _get_json(s: requests.Session, url: str, where: str, cfg: HttpConfig, deadline: Deadline) -> Any:
    start = url
    for _ in range(cfg.max_redirects + 1):
        r = s.get(url, timeout=(cfg.connect_timeout, cfg.read_timeout), stream=True, allow_redirects=False)
        if not r.is_redirect:
            break
        target = urllib.parse.urljoin(url, r.headers.get("Location", ""))
        r.close()
        if not same_host(start, target):
            raise InputError(where, f"HTTP: redirect to another host not followed: {_host(target)}")
        url = target
    else:
        raise InputError(where, f"HTTP: more than {cfg.max_redirects} redirects: {start}")
    late = InputError(where, f"HTTP: no complete answer within {cfg.deadline:g} s: {url}")
    with r:
        if deadline.expired:    # the answer was cut where the deadline struck: its status means nothing
            raise late
        if r.status_code == 404:
            raise InputError(where, f"HTTP 404: not found: {url}")
        if r.status_code >= 400:
            raise InputError(where, f"HTTP {r.status_code} {r.reason or ''}".rstrip() + f": {url}")
        body = bytearray()
        for chunk in r.iter_content(65536):
            body += chunk
            if len(body) > cfg.max_bytes:
                raise InputError(where, f"HTTP: response larger than {cfg.max_bytes} bytes: {url}")
            if deadline.expired:
                raise late
        if deadline.expired:
            raise late
    try:
        return json.loads(bytes(body))
    except (ValueError, RecursionError):
        ctype = r.headers.get("Content-Type", "?")
        raise InputError(where, f"HTTP: not JSON ({ctype}) from {url}") from None


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc[:100] or "?"


def _reason(e: Exception) -> str:
    text = str(e)
    m = re.search(r"\(Caused by (\w+)", text)
    return f"{type(e).__name__}: {m.group(1)}" if m else f"{type(e).__name__}: {text[:160]}"


_API = re.compile(r"^(?P<base>.*?)/api/(?:(?P<ver>[0-9]+\.[0-9]+)/)?(?P<kind>patches|series|covers)/(?P<id>[0-9]+)/?$")
_WEB_PATCH = re.compile(r"^(?P<base>.*?)/project/(?P<project>[^/]+)/patch/(?P<key>[^/]+)(?:/(?:mbox|raw)?)?/?$")
_WEB_SERIES = re.compile(r"^(?P<base>.*?)/series/(?P<id>[0-9]+)(?:/mbox)?/?$")
_ID = re.compile(r"[0-9]{1,18}")    # ASCII only: str.isdigit() also takes '²', which int() refuses
_WEB_LIST = re.compile(r"^(?P<base>.*?)/project/(?P<project>[^/]+)/list/?$")


def _api(origin: str, base: str, ver: str | None, tail: str) -> str:
    v = f"{ver}/" if ver else ""
    return f"{origin}{base}/api/{v}{tail}"


def load_url(url: str, cfg: HttpConfig | None = None) -> Series:
    parts = urllib.parse.urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    path = urllib.parse.unquote(parts.path)
    query = dict(urllib.parse.parse_qsl(parts.query))
    s = session(cfg)
    with s:
        m = _API.match(path)
        if m:
            kind, ver = m.group("kind"), m.group("ver")
            data = get_json(s, url, url, cfg)
            if kind == "series":
                return _series(s, data, url, origin, m.group("base"), ver, cfg)
            return _one(data, url)
        m = _WEB_PATCH.match(path)
        if m:
            key = m.group("key")
            if _ID.fullmatch(key):
                return _one(get_json(s, _api(origin, m.group("base"), None, f"patches/{key}/"), url, cfg), url)
            msgid = key if key.startswith("<") else f"<{key}>"
            q = urllib.parse.urlencode({"project": m.group("project"), "msgid": msgid.strip("<>")})
            found = get_json(s, _api(origin, m.group("base"), None, f"patches/?{q}"), url, cfg)
            if isinstance(found, dict) and isinstance(found.get("results"), list):
                found = found["results"]
            if not isinstance(found, list) or not found:
                raise InputError(url, f"patchwork has no patch with Message-ID {msgid}")
            item = found[0]
            if isinstance(item, dict) and "diff" not in item and item.get("url"):
                item = get_json(s, _own(url, str(item["url"])), url, cfg)
            return _one(item, url)
        m = _WEB_SERIES.match(path)
        m_list = _WEB_LIST.match(path)
        if m or (m_list and _ID.fullmatch(query.get("series", ""))):
            base = m.group("base") if m else m_list.group("base") if m_list else ""
            sid = m.group("id") if m else query["series"]
            data = get_json(s, _api(origin, base, None, f"series/{sid}/"), url, cfg)
            return _series(s, data, url, origin, base, None, cfg)
    raise InputError(url, "not a patchwork patch or series URL "
                          "(expected .../patch/<msgid>/, .../api/patches/N/ or .../series/N/)")


def _own(where: str, url: str) -> str:
    """A URL the server handed out, if it is on the server's own host."""
    if not same_host(where, url):
        raise InputError(where, f"patchwork gave a URL on another host, not followed: {_host(url)}")
    return url


def _one(data: Any, where: str) -> Series:
    if isinstance(data, list):
        return series_from_list(data, where)
    if is_series_json(data):
        raise InputError(where, "patchwork: got a series where a patch was expected")
    if not isinstance(data, dict):
        raise InputError(where, "patchwork JSON: expected an object")
    p = patch_from_patchwork_json(data, where)
    return Series(patches=[p], id=p.series_id, version=p.version, base_commit=p.base_commit, source=where)


def _series(s: requests.Session, data: Any, where: str, origin: str, base: str, ver: str | None,
            cfg: HttpConfig | None) -> Series:
    def fetch(kind: str) -> Any:
        def resolve(ref: JSON) -> JSON | None:
            url = ref.get("url") or _api(origin, base, ver, f"{kind}/{ref.get('id')}/")
            got = get_json(s, _own(where, str(url)), where, cfg)
            return got if isinstance(got, dict) else None
        return resolve

    return series_from_json(data, where, fetch("patches"), fetch("covers"))
