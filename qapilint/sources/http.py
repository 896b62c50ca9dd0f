"""Patchwork over HTTP: patch and series URLs -> Series.

Understood URLs (any path prefix before them is kept, for patchwork hosted
below '/'):

- ``/project/P/patch/<msgid>/`` (web page) -> ``GET /api/patches/?project=P&msgid=<msgid>``
  (patchwork >= 2.2, API 1.2); a numeric id instead of a msgid -> ``/api/patches/N/``
- ``/api/patches/N/``, ``/api/1.3/patches/N/`` (any API version), same for ``covers``
- ``/series/N/``, ``/api/series/N/``, ``/api/1.x/series/N/``, ``/project/P/list/?series=N``

Every request goes through a requests Session whose adapter retries with
urllib3's Retry (exponential backoff on connection errors, 429 and 5xx,
honouring Retry-After up to a cap) and has connect/read timeouts.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
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
    user_agent: str = "qapilint (+patchwork REST client)"


CONFIG = HttpConfig()


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
    adapter = HTTPAdapter(max_retries=retry)
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
    cfg = cfg or CONFIG
    url = _clean(url)
    try:
        r = s.get(url, timeout=(cfg.connect_timeout, cfg.read_timeout), stream=True)
    except requests.exceptions.RetryError as e:
        raise InputError(where, f"HTTP: gave up after {cfg.retries} retries: {_reason(e)}") from None
    except requests.exceptions.RequestException as e:
        raise InputError(where, f"HTTP: {_reason(e)}") from None
    with r:
        if r.status_code == 404:
            raise InputError(where, f"HTTP 404: not found: {url}")
        if r.status_code >= 400:
            raise InputError(where, f"HTTP {r.status_code} {r.reason or ''}".rstrip() + f": {url}")
        body = bytearray()
        try:
            for chunk in r.iter_content(65536):
                body += chunk
                if len(body) > cfg.max_bytes:
                    raise InputError(where, f"HTTP: response larger than {cfg.max_bytes} bytes: {url}")
        except requests.exceptions.RequestException as e:
            raise InputError(where, f"HTTP: {_reason(e)}") from None
    try:
        return json.loads(bytes(body))
    except ValueError:
        ctype = r.headers.get("Content-Type", "?")
        raise InputError(where, f"HTTP: not JSON ({ctype}) from {url}") from None


def _reason(e: Exception) -> str:
    text = str(e)
    m = re.search(r"\(Caused by (\w+)", text)
    return f"{type(e).__name__}: {m.group(1)}" if m else f"{type(e).__name__}: {text[:160]}"


_API = re.compile(r"^(?P<base>.*?)/api/(?:(?P<ver>\d+\.\d+)/)?(?P<kind>patches|series|covers)/(?P<id>\d+)/?$")
_WEB_PATCH = re.compile(r"^(?P<base>.*?)/project/(?P<project>[^/]+)/patch/(?P<key>[^/]+)(?:/(?:mbox|raw)?)?/?$")
_WEB_SERIES = re.compile(r"^(?P<base>.*?)/series/(?P<id>\d+)(?:/mbox)?/?$")
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
            if key.isdigit():
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
                item = get_json(s, str(item["url"]), url, cfg)
            return _one(item, url)
        m = _WEB_SERIES.match(path)
        m_list = _WEB_LIST.match(path)
        if m or (m_list and query.get("series", "").isdigit()):
            base = m.group("base") if m else m_list.group("base") if m_list else ""
            sid = m.group("id") if m else query["series"]
            data = get_json(s, _api(origin, base, None, f"series/{sid}/"), url, cfg)
            return _series(s, data, url, origin, base, None, cfg)
    raise InputError(url, "not a patchwork patch or series URL "
                          "(expected .../patch/<msgid>/, .../api/patches/N/ or .../series/N/)")


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
            got = get_json(s, str(url), where, cfg)
            return got if isinstance(got, dict) else None
        return resolve

    return series_from_json(data, where, fetch("patches"), fetch("covers"))
