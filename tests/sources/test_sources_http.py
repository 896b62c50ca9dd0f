"""Patchwork over HTTP, against a small server on 127.0.0.1 started by the test."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from qapilint.errors import InputError
from qapilint.sources import http as pw_http
from qapilint.sources import load


class Server:
    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.failures: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.hits: list[str] = []
        self.base = ""
        self.trickle: dict[str, tuple[float, bool]] = {}   # path -> (seconds between bytes, headers at once)

    def json(self, path: str, obj: object) -> None:
        self.routes[path] = (200, {"Content-Type": "application/json"}, json.dumps(obj).encode())


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            state.hits.append(self.path)
            queued = state.failures.get(self.path)
            if queued:
                status, headers = queued.pop(0)
                self._send(status, headers, b"{}")
                return
            status, headers, body = state.routes.get(self.path, (404, {}, b'{"detail": "Not found."}'))
            if self.path in state.trickle:
                self._slowly(body, *state.trickle[self.path])
                return
            self._send(status, headers, body)

        def _slowly(self, body: bytes, pause: float, quick_head: bool) -> None:
            # A slow-loris answer: every read succeeds within any per-read timeout.
            head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body) * 1000}\r\n\r\n".encode()
            try:
                if quick_head:
                    self.wfile.write(head)
                    head = b""
                for b in head + body * 1000:
                    self.wfile.write(bytes([b]))
                    self.wfile.flush()
                    time.sleep(pause)
            except OSError:
                pass

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    monkeypatch.setattr(pw_http, "CONFIG", pw_http.HttpConfig(
        retries=3, backoff_factor=0.01, max_retry_after=0.05, connect_timeout=2, read_timeout=5))
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        t.join(timeout=5)


def _fixture(fixtures_dir: Path, name: str) -> Any:
    return json.loads((fixtures_dir / "inputs" / name).read_text())


def test_api_patch(server: Server, fixtures_dir: Path) -> None:
    server.json("/api/patches/1001/", _fixture(fixtures_dir, "pw-patch-1001.json"))
    s = load(f"{server.base}/api/patches/1001/")
    assert s.patches[0].id == "1001" and s.patches[0].files


def test_versioned_api_patch_and_format_param(server: Server, fixtures_dir: Path) -> None:
    server.json("/api/1.3/patches/1001/", _fixture(fixtures_dir, "pw-patch-1001.json"))
    s = load(f"{server.base}/api/1.3/patches/1001/?format=api")
    assert s.patches[0].title.startswith("qapi/gadget")
    assert server.hits == ["/api/1.3/patches/1001/"]


def test_web_patch_url_by_msgid(server: Server, fixtures_dir: Path) -> None:
    data = _fixture(fixtures_dir, "pw-patch-1002.json")
    msgid = str(data["msgid"]).strip("<>")
    q = urllib.parse.urlencode({"project": "qemu-devel", "msgid": msgid})
    server.json(f"/api/patches/?{q}", [{"id": 1002, "url": f"{server.base}/api/patches/1002/"}])
    server.json("/api/patches/1002/", data)
    s = load(f"{server.base}/project/qemu-devel/patch/{msgid}/")
    assert s.patches[0].id == "1002"
    assert server.hits[0].startswith("/api/patches/?")


def test_web_patch_url_unknown_msgid(server: Server) -> None:
    server.json("/api/patches/?project=qemu-devel&msgid=nope%40x", [])
    with pytest.raises(InputError, match="no patch with Message-ID <nope@x>"):
        load(f"{server.base}/project/qemu-devel/patch/nope@x/")


@pytest.mark.parametrize("path", ["/series/77/", "/api/series/77/", "/project/qemu-devel/list/?series=77"])
def test_series_fetches_patches_and_cover(server: Server, fixtures_dir: Path, path: str) -> None:
    series = _fixture(fixtures_dir, "pw-series-77.json")
    refs = [*series["patches"], series["cover_letter"]]
    for ref in refs:
        ref["url"] = str(ref["url"]).replace("http://pw.example.org", server.base)
    server.json("/api/series/77/", series)
    server.json("/api/patches/1001/", _fixture(fixtures_dir, "pw-patch-1001.json"))
    server.json("/api/patches/1002/", _fixture(fixtures_dir, "pw-patch-1002.json"))
    server.json("/api/covers/500/", _fixture(fixtures_dir, "pw-cover-500.json"))
    s = load(server.base + path)
    assert [p.id for p in s.patches] == ["1001", "1002"]
    assert s.cover is not None and s.base_commit is not None


def test_retries_5xx_then_succeeds(server: Server, fixtures_dir: Path) -> None:
    server.json("/api/patches/1001/", _fixture(fixtures_dir, "pw-patch-1001.json"))
    server.failures["/api/patches/1001/"] = [(503, {}), (502, {})]
    s = load(f"{server.base}/api/patches/1001/")
    assert s.patches[0].id == "1001"
    assert server.hits.count("/api/patches/1001/") == 3


def test_retries_429_with_retry_after(server: Server, fixtures_dir: Path) -> None:
    server.json("/api/patches/1001/", _fixture(fixtures_dir, "pw-patch-1001.json"))
    server.failures["/api/patches/1001/"] = [(429, {"Retry-After": "1"})]
    assert load(f"{server.base}/api/patches/1001/").patches
    assert server.hits.count("/api/patches/1001/") == 2


def test_persistent_5xx_is_an_input_error(server: Server) -> None:
    server.failures["/api/patches/5/"] = [(500, {})] * 10
    with pytest.raises(InputError, match="500"):
        load(f"{server.base}/api/patches/5/")
    assert server.hits.count("/api/patches/5/") == 4     # first try + 3 retries


def test_404(server: Server) -> None:
    with pytest.raises(InputError, match="HTTP 404"):
        load(f"{server.base}/api/patches/404/")


def test_not_json(server: Server) -> None:
    server.routes["/api/patches/7/"] = (200, {"Content-Type": "text/html"}, b"<html></html>")
    with pytest.raises(InputError, match="not JSON"):
        load(f"{server.base}/api/patches/7/")


def test_unknown_url(server: Server) -> None:
    with pytest.raises(InputError, match="not a patchwork patch or series URL"):
        load(f"{server.base}/somewhere/else")
    assert server.hits == []


def test_connection_refused() -> None:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cfg = pw_http.HttpConfig(retries=1, backoff_factor=0.01, connect_timeout=1, read_timeout=1)
    with pytest.raises(InputError, match="HTTP"):
        pw_http.load_url(f"http://127.0.0.1:{port}/api/patches/1/", cfg)


@pytest.fixture
def other(server: Server) -> Iterator[Server]:
    """A second server: another host, as far as the loader is concerned (another port)."""
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            state.hits.append(self.path)
            body = b'{"detail": "should never be asked"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        t.join(timeout=5)


@pytest.mark.parametrize("quick_head", [False, True], ids=["slow-headers", "slow-body"])
def test_slow_loris_answer_ends_at_the_overall_deadline(server: Server, fixtures_dir: Path, quick_head: bool) -> None:
    server.json("/api/patches/1001/", _fixture(fixtures_dir, "pw-patch-1001.json"))
    server.trickle["/api/patches/1001/"] = (0.05, quick_head)   # 20 bytes/s, each read well within 5 s
    cfg = pw_http.HttpConfig(retries=0, connect_timeout=2, read_timeout=5, deadline=1.0)
    t0 = time.monotonic()
    with pytest.raises(InputError, match="no complete answer within 1 s"):
        pw_http.load_url(f"{server.base}/api/patches/1001/", cfg)
    assert time.monotonic() - t0 < 10


def test_redirect_to_another_host_is_not_followed(server: Server, other: Server) -> None:
    server.routes["/api/patches/1/"] = (302, {"Location": f"{other.base}/api/patches/1/"}, b"")
    with pytest.raises(InputError, match="redirect to another host not followed"):
        load(f"{server.base}/api/patches/1/")
    assert other.hits == []


def test_redirect_on_the_same_host_is_followed(server: Server, fixtures_dir: Path) -> None:
    server.routes["/api/patches/1001/"] = (301, {"Location": "/api/1.3/patches/1001/"}, b"")
    server.json("/api/1.3/patches/1001/", _fixture(fixtures_dir, "pw-patch-1001.json"))
    assert load(f"{server.base}/api/patches/1001/").patches[0].id == "1001"


def test_redirect_loop_is_bounded(server: Server) -> None:
    server.routes["/api/patches/2/"] = (302, {"Location": "/api/patches/2/"}, b"")
    with pytest.raises(InputError, match="more than 5 redirects"):
        load(f"{server.base}/api/patches/2/")
    assert server.hits.count("/api/patches/2/") == 6


def test_a_url_on_another_host_in_a_series_is_not_followed(server: Server, other: Server,
                                                           fixtures_dir: Path) -> None:
    series = _fixture(fixtures_dir, "pw-series-77.json")
    for ref in [*series["patches"], series["cover_letter"]]:
        ref["url"] = str(ref["url"]).replace("http://pw.example.org", other.base)
    server.json("/api/series/77/", series)
    with pytest.raises(InputError, match="patchwork gave a URL on another host, not followed: 127.0.0.1:"):
        load(f"{server.base}/api/series/77/")
    assert other.hits == []


def test_a_url_on_another_host_for_a_msgid_is_not_followed(server: Server, other: Server) -> None:
    q = urllib.parse.urlencode({"project": "qemu-devel", "msgid": "m@x"})
    server.json(f"/api/patches/?{q}", [{"id": 1, "url": f"{other.base}/api/patches/1/"}])
    with pytest.raises(InputError, match="another host"):
        load(f"{server.base}/project/qemu-devel/patch/m@x/")
    assert other.hits == []


@pytest.mark.parametrize("a, b, same", [
    ("http://pw.example.org/x", "http://pw.example.org:80/y", True),
    ("http://pw.example.org/x", "https://pw.example.org/y", True),
    ("https://pw.example.org/x", "http://pw.example.org/y", False),
    ("http://pw.example.org/x", "http://evil.example.org/y", False),
    ("http://pw.example.org:8000/x", "http://pw.example.org:8001/y", False),
    ("http://pw.example.org/x", "file:///etc/passwd", False),
])
def test_same_host(a: str, b: str, same: bool) -> None:
    assert pw_http.same_host(a, b) is same


def test_superscript_digit_id_is_not_a_number(server: Server) -> None:
    # '²'.isdigit() is true and int('²') raises: the id is taken as a Message-ID instead.
    server.json("/api/patches/?project=qemu-devel&msgid=%C2%B2", [])
    with pytest.raises(InputError, match="no patch with Message-ID"):
        load(f"{server.base}/project/qemu-devel/patch/%C2%B2/")
