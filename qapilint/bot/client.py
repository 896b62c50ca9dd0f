"""A small patchwork REST client (API 1.2+): listing, details, checks.

Idempotent GETs retry on connection errors, timeouts, 5xx and 429 (honouring
Retry-After, capped).  The check POST is never retried blindly: whether an
unanswered POST created a check is decided by the caller, which looks at the
patch's checks first (see ``runner``).  The token only ever goes into the
Authorization header of requests to the configured origin.

Everything a server sends is bounded: each request (retries included) has
an overall deadline besides the per-read timeout, so a server trickling one
byte a second cannot hold the bot; bodies are streamed and capped (32 MiB
for a patch, 8 MiB for a page of a listing); a body with more JSON objects
and arrays than :data:`MAX_CONTAINERS` is refused before it is parsed (a
page of ``[{},{},...]`` costs ~25 bytes of memory per byte); listings are
consumed page by page, with a bound on pages and on items per page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import requests
from urllib3.util.retry import Retry

from qapilint.reports.patchwork import CheckPayload
from qapilint.sources.http import Deadline, guarded_adapter

JSON = Any

DEFAULT_TIMEOUT = (5.0, 30.0)
DEFAULT_DEADLINE = 120.0            # one request, start to last byte, retries included
MAX_BODY = 32 * 1024 * 1024         # a patch with a bigger response is refused, not read
MAX_PAGE_BODY = 8 * 1024 * 1024     # one page of a listing (250 patch summaries are ~1 MiB)
MAX_CONTAINERS = 1_000_000          # JSON objects + arrays in one response
MAX_PAGE_ITEMS = 250                # patchwork's own maximum page size
MAX_PAGES = 200                     # bound on one listing (200 x 250 patches)
MAX_CHECK_PAGES = 40                # 10,000 checks on one patch is already absurd
RETRY_AFTER_CAP = 120.0
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
_LENGTH = re.compile(r"[0-9]{1,20}")


class PatchworkError(Exception):
    """A request failed (after retries) or answered something unusable."""

    def __init__(self, url: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.message = message
        self.status = status


class AuthError(PatchworkError):
    """401/403: the token is wrong or lacks rights; the bot must stop."""


class _CappedRetry(Retry):
    """Retry whose Retry-After wait is bounded: a server must not park the bot for hours."""

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        if value is None:
            return None
        return float(min(value, RETRY_AFTER_CAP))


def _session(retries: int, backoff: float, post: bool) -> requests.Session:
    s = requests.Session()
    if post:
        # Only failures before the request was sent are safe to repeat for a POST.
        retry = _CappedRetry(total=retries, connect=retries, read=0, status=0, other=0,
                             allowed_methods=frozenset({"POST"}), backoff_factor=backoff, raise_on_status=False)
    else:
        retry = _CappedRetry(total=retries, connect=retries, read=retries, status=retries, other=0,
                             status_forcelist=(429, 500, 502, 503, 504), allowed_methods=frozenset({"GET"}),
                             backoff_factor=backoff, backoff_max=30.0, respect_retry_after_header=True,
                             raise_on_status=False)
    adapter = guarded_adapter(retry)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    s.headers["User-Agent"] = "qapilint-bot"
    s.headers["Accept"] = "application/json"
    s.trust_env = False  # no proxies or netrc from the environment: the token goes where we say
    return s


class PatchworkClient:
    def __init__(self, base_url: str, token: str | None = None, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT,
                 retries: int = 4, backoff: float = 0.5, max_body: int = MAX_BODY,
                 deadline: float = DEFAULT_DEADLINE, max_page_body: int = MAX_PAGE_BODY) -> None:
        self.base = base_url.rstrip("/") + "/"
        self._origin = urlsplit(self.base)[:2]
        self._token = token
        self.timeout = timeout
        self.max_body = max_body
        self.max_page_body = max_page_body
        self.deadline = deadline
        self.offline = False    # set in a check's process: it must not talk to the server
        self._get = _session(retries, backoff, post=False)
        self._post = _session(retries, backoff, post=True)
        self.requests = 0

    def __repr__(self) -> str:  # never show the token
        return f"PatchworkClient({self.base!r})"

    def close(self) -> None:
        self._get.close()
        self._post.close()

    def api(self, path: str, **params: str | int) -> str:
        url = urljoin(self.base, "api/" + path.lstrip("/"))
        return url + ("?" + urlencode(params) if params else "")

    def _online(self, url: str) -> None:
        if self.offline:
            raise PatchworkError(url, "no network in a check's process (not fetched beforehand)")

    def _headers(self, url: str) -> dict[str, str]:
        if self._token and urlsplit(url)[:2] == self._origin:
            return {"Authorization": f"Token {self._token}"}
        return {}

    def _read(self, url: str, resp: requests.Response, limit: int, deadline: Deadline) -> bytes:
        length = resp.headers.get("Content-Length", "")
        if _LENGTH.fullmatch(length) and int(length) > limit:
            resp.close()
            raise PatchworkError(url, f"response too large ({length} bytes)", resp.status_code)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in resp.iter_content(65536):
                size += len(chunk)
                if size > limit:
                    raise PatchworkError(url, f"response too large (over {limit} bytes)", resp.status_code)
                if deadline.expired:
                    raise self._late(url)
                chunks.append(chunk)
        except requests.RequestException as e:
            if deadline.expired:
                raise self._late(url) from None
            raise PatchworkError(url, f"connection failed while reading: {type(e).__name__}") from None
        finally:
            resp.close()
        if deadline.expired:    # the answer was cut where the deadline struck
            raise self._late(url)
        return b"".join(chunks)

    def _late(self, url: str) -> PatchworkError:
        return PatchworkError(url, f"no complete answer within {self.deadline:g} s")

    def _check_status(self, url: str, resp: requests.Response, body: bytes) -> None:
        if resp.status_code in (401, 403):
            detail = _detail(body)
            raise AuthError(url, f"HTTP {resp.status_code} {detail}".rstrip(), resp.status_code)
        if resp.status_code >= 400:
            raise PatchworkError(url, f"HTTP {resp.status_code} {_detail(body)}".rstrip(), resp.status_code)

    def _decode(self, url: str, body: bytes) -> JSON:
        from qapilint.errors import InputError
        from qapilint.sources.patchwork import loads

        # Counted before parsing: every '{' or '[' may become a container.
        if body.count(b"{") + body.count(b"[") > MAX_CONTAINERS:
            raise PatchworkError(url, f"response has more than {MAX_CONTAINERS} JSON objects and arrays")
        try:
            # The readers' one JSON decoder: nesting bounded, lone surrogates replaced.
            return loads(body.decode("utf-8"), url)
        except UnicodeDecodeError:
            raise PatchworkError(url, "malformed JSON in response") from None
        except InputError as e:
            raise PatchworkError(url, f"malformed JSON in response: {e.message}") from None

    def get(self, url: str, limit: int | None = None) -> tuple[JSON, requests.Response]:
        self._online(url)
        self.requests += 1
        with Deadline(self.deadline) as deadline:
            try:
                resp = self._get.get(url, headers=self._headers(url), timeout=self.timeout, stream=True,
                                     allow_redirects=False)
            except requests.RequestException as e:
                if deadline.expired:
                    raise self._late(url) from None
                raise PatchworkError(url, f"request failed: {_reason(e)}") from None
            body = self._read(url, resp, self.max_body if limit is None else limit, deadline)
        self._check_status(url, resp, body)
        return self._decode(url, body), resp

    def get_json(self, url: str) -> JSON:
        return self.get(url)[0]

    def iter_pages(self, url: str, max_pages: int = MAX_PAGES) -> Iterator[list[JSON]]:
        """Each page of a paginated listing, following ``Link: <...>; rel="next"``."""
        seen: set[str] = set()
        next_url: str | None = url
        for _ in range(max_pages):
            if next_url is None:
                return
            if next_url in seen:
                raise PatchworkError(next_url, "pagination loops")
            seen.add(next_url)
            data, resp = self.get(next_url, self.max_page_body)
            if not isinstance(data, list):
                raise PatchworkError(next_url, "expected a JSON list")
            if len(data) > MAX_PAGE_ITEMS:
                raise PatchworkError(next_url, f"a page of {len(data)} items; at most {MAX_PAGE_ITEMS} exist")
            yield data
            del data
            next_url = _next_link(resp.headers.get("Link", ""))
            if next_url is not None and urlsplit(next_url)[:2] != self._origin:
                raise PatchworkError(next_url, "next page is on another host; not followed")
        if next_url is not None:
            raise PatchworkError(url, f"more than {max_pages} pages")

    def list_patches(self, project: str, since: str | None, per_page: int = 100) -> Iterator[JSON]:
        params: dict[str, str | int] = {"project": project, "order": "date", "per_page": per_page}
        if since:
            params["since"] = since
        for page in self.iter_pages(self.api("patches/", **params)):
            yield from page

    def patch(self, patch_id: int) -> JSON:
        return self.get_json(self.api(f"patches/{patch_id}/"))

    def series(self, series_id: int) -> JSON:
        return self.get_json(self.api(f"series/{series_id}/"))

    def series_completed(self, project: str, since: str | None, per_page: int = 100) -> Iterator[JSON]:
        params: dict[str, str | int] = {"project": project, "category": "series-completed", "per_page": per_page}
        if since:
            params["since"] = since
        for page in self.iter_pages(self.api("events/", **params)):
            yield from page

    def checks(self, patch_id: int) -> Iterator[JSON]:
        """The patch's checks, one page in memory at a time."""
        for page in self.iter_pages(self.api(f"patches/{patch_id}/checks/", per_page=250), MAX_CHECK_PAGES):
            yield from page

    def post_check(self, patch_id: int, body: CheckPayload) -> JSON:
        url = self.api(f"patches/{patch_id}/checks/")
        self._online(url)
        self.requests += 1
        with Deadline(self.deadline) as deadline:
            try:
                resp = self._post.post(url, json=dict(body), headers=self._headers(url), timeout=self.timeout,
                                       stream=True, allow_redirects=False)
            except requests.RequestException as e:
                if deadline.expired:
                    raise self._late(url) from None
                raise PatchworkError(url, f"request failed: {_reason(e)}") from None
            raw = self._read(url, resp, self.max_page_body, deadline)
        self._check_status(url, resp, raw)
        if resp.status_code == 429 or resp.status_code >= 300:
            raise PatchworkError(url, f"HTTP {resp.status_code}", resp.status_code)
        try:
            return self._decode(url, raw)
        except PatchworkError:
            return {}  # created (2xx) even if the body is unreadable


def _next_link(header: str) -> str | None:
    for part in header.split(","):
        m = _LINK_NEXT.search(part)
        if m:
            return m.group(1)
    return None


def _detail(body: bytes) -> str:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return ""
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return " ".join(data["detail"].split())[:200]
    return " ".join(json.dumps(data).split())[:200]


def _reason(e: requests.RequestException) -> str:
    """A short cause without the request (and so without headers)."""
    inner = e.args[0] if e.args else e
    reason = getattr(inner, "reason", None)
    text = str(reason if reason is not None else inner)
    return f"{type(e).__name__}: {' '.join(text.split())[:200]}"
