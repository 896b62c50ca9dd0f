"""A small patchwork REST server for the bot's tests and benchmark (127.0.0.1 only).

It serves the shapes the bot uses, as patchwork 3.x does for API 1.2/1.3:
patch list (project, since, before, order, page, per_page; ``Link`` header
pagination, default page size 30, max 250), patch detail, series, covers,
events (``category=series-completed``), and checks (GET, and POST with
``Authorization: Token``).  Absent strings come back as "" the way real
instances send them.

Faults are switchable per request (``Fault``): timeout (answer late),
reset (close the connection), 5xx, 429 with Retry-After, malformed JSON, 401.
Env vars slow it down for kill tests: ``PWSERVER_DELAY`` (seconds before each
answer) and ``PWSERVER_POST_DELAY`` (seconds between storing a check and
answering the POST: the window in which a killed client has posted but not
heard back).

Run standalone: ``python tests/bot/pwserver.py [--synthetic N] [--port P]``.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import json
import os
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

SEED = Path(__file__).resolve().parent / "fixtures" / "seed.json"
TOKEN = "0123456789abcdef0123456789abcdef01234567"
READONLY_TOKEN = "fedcba9876543210fedcba9876543210fedcba98"
CHECK_STATES = ("pending", "success", "warning", "fail")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


@dataclass
class Fault:
    kind: str                      # timeout | reset | 500 | 502 | 503 | 429 | malformed | 401 | 403
    #                                slowloris (the real answer, one byte per ``sleep`` seconds)
    #                                huge (``size`` bytes of [{},{},...], no Content-Length)
    path: str = ""                 # regex searched in the request path (+ query)
    method: str | None = None      # None = any
    times: int = 1                 # how many matching requests it hits (-1 = forever)
    retry_after: int = 1
    sleep: float = 2.0             # for timeout; between bytes for slowloris
    size: int = 30 * 1024 * 1024   # for huge


@dataclass
class Store:
    base: str = "http://127.0.0.1"
    project: dict[str, Any] = field(default_factory=dict)
    people: dict[int, dict[str, Any]] = field(default_factory=dict)
    patches: dict[int, dict[str, Any]] = field(default_factory=dict)   # id -> seed entry
    held: dict[int, dict[str, Any]] = field(default_factory=dict)      # delivered later by tests
    series: dict[int, dict[str, Any]] = field(default_factory=dict)
    covers: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    checks: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    log: list[tuple[str, str]] = field(default_factory=list)
    posts: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)
    next_id: int = 1

    # ---------------------------------------------------------------- seeding
    @classmethod
    def from_seed(cls, seed: dict[str, Any] | None = None) -> Store:
        seed = seed if seed is not None else json.loads(SEED.read_text(encoding="utf-8"))
        st = cls()
        st.project = dict(seed["project"])
        st.people = {p["id"]: p for p in seed["people"]}
        for s in seed["series"]:
            st.series[s["id"]] = {**s, "patch_ids": []}
            if s.get("cover"):
                st.covers[s["cover"]["id"]] = {**s["cover"], "series": s["id"]}
        for p in seed["patches"]:
            if p.get("held"):
                st.held[p["id"]] = p
            else:
                st._add(p)
        st._complete_events(initial=True)
        return st

    def _add(self, p: dict[str, Any]) -> None:
        self.patches[p["id"]] = p
        if p.get("series") is not None:
            self.series[p["series"]]["patch_ids"].append(p["id"])

    def _complete_events(self, initial: bool = False) -> None:
        for s in self.series.values():
            if s.get("completed") or not self._received_all(s):
                continue
            s["completed"] = True
            last = max(self.patches[i]["date"] for i in s["patch_ids"])
            date = last if initial else _now()
            self.events.append({"id": len(self.events) + 1, "category": "series-completed", "date": date,
                                "series": s["id"]})

    def deliver(self, patch_id: int) -> None:
        """A held patch arrives (its series may become complete)."""
        with self.lock:
            self._add(self.held.pop(patch_id))
            self._complete_events()

    def edit_diff(self, patch_id: int, diff: str) -> None:
        with self.lock:
            self.patches[patch_id] = {**self.patches[patch_id], "diff": diff}

    def _received_all(self, s: dict[str, Any]) -> bool:
        return len(s["patch_ids"]) >= int(s.get("total") or 1)

    # ---------------------------------------------------------------- shapes
    def _person(self, pid: int) -> dict[str, Any]:
        p = self.people[pid]
        return {"id": p["id"], "url": f"{self.base}/api/people/{p['id']}/", "name": p["name"], "email": p["email"]}

    def _project(self) -> dict[str, Any]:
        p = self.project
        return {"id": p["id"], "url": f"{self.base}/api/projects/{p['id']}/", "name": p["name"],
                "link_name": p["link_name"], "list_id": p["list_id"], "list_email": p["list_email"],
                "web_url": "", "scm_url": "", "webscm_url": "", "list_archive_url": "",
                "list_archive_url_format": "", "commit_url_format": ""}

    def _series_ref(self, sid: int) -> dict[str, Any]:
        s = self.series[sid]
        return {"id": sid, "url": f"{self.base}/api/series/{sid}/", "web_url": f"{self.base}/project/"
                f"{self.project['link_name']}/list/?series={sid}", "date": self._series_date(s), "name": s["name"],
                "version": s["version"], "mbox": f"{self.base}/series/{sid}/mbox/"}

    def _series_date(self, s: dict[str, Any]) -> str:
        if s.get("cover"):
            return str(s["cover"]["date"])
        dates = [self.patches[i]["date"] for i in s["patch_ids"]]
        return min(dates) if dates else ""

    def _name(self, p: dict[str, Any]) -> str:
        pre = ",".join(p["prefixes"])
        return f"[{pre}] {p['title']}" if pre else p["title"]

    def patch_json(self, p: dict[str, Any], detail: bool) -> dict[str, Any]:
        pid = p["id"]
        web = f"{self.base}/project/{self.project['link_name']}/patch/{p['msgid'].strip('<>')}/"
        checks = self.checks.get(pid, [])
        out: dict[str, Any] = {
            "id": pid, "url": f"{self.base}/api/patches/{pid}/", "web_url": web, "project": self._project(),
            "msgid": p["msgid"], "list_archive_url": None, "date": p["date"], "name": self._name(p),
            "commit_ref": None, "pull_url": None, "state": "new", "archived": False,
            "hash": hashlib.sha1(p["diff"].encode()).hexdigest(), "submitter": self._person(p["submitter"]),
            "delegate": None, "mbox": web + "mbox/",
            "series": [self._series_ref(p["series"])] if p.get("series") is not None else [],
            "comments": f"{self.base}/api/patches/{pid}/comments/",
            "check": _combined(checks), "checks": f"{self.base}/api/patches/{pid}/checks/",
            "tags": {}, "related": [],
        }
        if detail:
            who = self.people[p["submitter"]]
            subject = f"[PATCH {' '.join(p['prefixes'])}] {p['title']}" if p["prefixes"] else f"[PATCH] {p['title']}"
            out["headers"] = {"From": f"{who['name']} <{who['email']}>", "To": self.project["list_email"],
                              "Subject": subject, "Message-ID": p["msgid"],
                              "Date": _rfc2822(p["date"])}
            out["content"] = p["content"]
            out["diff"] = p["diff"]
            out["prefixes"] = p["prefixes"]
        return out

    def series_json(self, sid: int) -> dict[str, Any]:
        s = self.series[sid]
        cover = s.get("cover")
        return {
            "id": sid, "url": f"{self.base}/api/series/{sid}/", "web_url": self._series_ref(sid)["web_url"],
            "project": self._project(), "name": s["name"], "date": self._series_date(s),
            "submitter": self._person(list(self.people)[s["submitter"]]),
            "version": s["version"], "total": s["total"], "received_total": len(s["patch_ids"]),
            "received_all": self._received_all(s), "mbox": f"{self.base}/series/{sid}/mbox/",
            "cover_letter": ({"id": cover["id"], "url": f"{self.base}/api/covers/{cover['id']}/", "web_url": "",
                              "msgid": f"<cover-{cover['id']}@example.org>", "list_archive_url": None,
                              "date": cover["date"], "name": s["name"], "mbox": ""} if cover else None),
            "patches": [{"id": i, "url": f"{self.base}/api/patches/{i}/", "web_url": "",
                         "msgid": self.patches[i]["msgid"], "list_archive_url": None,
                         "date": self.patches[i]["date"], "name": self._name(self.patches[i]), "mbox": ""}
                        for i in sorted(s["patch_ids"], key=lambda i: self.patches[i]["date"])],
        }

    def cover_json(self, cid: int) -> dict[str, Any]:
        c = self.covers[cid]
        return {"id": cid, "url": f"{self.base}/api/covers/{cid}/", "web_url": "", "project": self._project(),
                "msgid": f"<cover-{cid}@example.org>", "list_archive_url": None, "date": c["date"],
                "name": self.series[c["series"]]["name"], "submitter": self._person(list(self.people)[0]),
                "mbox": "", "series": [self._series_ref(c["series"])], "comments": "", "headers": {},
                "content": c["content"]}

    def event_json(self, e: dict[str, Any]) -> dict[str, Any]:
        return {"id": e["id"], "category": e["category"], "project": self._project(), "date": e["date"],
                "actor": None, "payload": {"series": self._series_ref(e["series"])}}

    def add_check(self, pid: int, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            check = {"id": self.next_id, "url": f"{self.base}/api/patches/{pid}/checks/{self.next_id}/",
                     "user": {"id": 1, "url": f"{self.base}/api/users/1/", "username": "qapilint-bot",
                              "first_name": "", "last_name": "", "email": "bot@example.org"},
                     "date": _now(), "state": body["state"], "target_url": body.get("target_url") or None,
                     "context": body.get("context") or "default", "description": body.get("description") or None}
            self.next_id += 1
            self.posts += 1
            self.checks.setdefault(pid, []).append(check)
            return check

    def take_fault(self, method: str, target: str) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.times != 0 and (f.method is None or f.method == method) and re.search(f.path, target):
                    if f.times > 0:
                        f.times -= 1
                    return f
        return None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat()


def _rfc2822(date: str) -> str:
    d = dt.datetime.fromisoformat(date).replace(tzinfo=dt.timezone.utc)
    return d.strftime("%a, %d %b %Y %H:%M:%S +0000")


def _combined(checks: list[dict[str, Any]]) -> str:
    latest: dict[tuple[int, str], str] = {}
    for c in checks:
        latest[(c["user"]["id"], c["context"])] = c["state"]
    states = set(latest.values())
    for s in ("fail", "warning", "pending"):
        if s in states:
            return s
    return "success" if states else "pending"


def _parse_date(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", ""))
    except ValueError:
        return None


class Handler(BaseHTTPRequestHandler):
    server: PWServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()

    # ------------------------------------------------------------- plumbing
    def _huge(self, size: int) -> None:
        # A listing page that never says how long it is: the client must stop on its own.
        self.close_connection = True
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[")
            block = b"{}," * 21845
            sent = 1
            while sent < size:
                self.wfile.write(block)
                sent += len(block)
            self.wfile.write(b"{}]")
        except OSError:
            pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None) -> None:
        data = raw if raw is not None else json.dumps(body).encode()
        trickle = getattr(self, "_trickle", 0.0)
        if trickle:
            self._trickle = 0.0
            self._send_slowly(status, data, headers or {}, trickle)
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Allow", "GET, POST, HEAD, OPTIONS")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _send_slowly(self, status: int, data: bytes, headers: dict[str, str], pause: float) -> None:
        # Slow loris: every read succeeds within any per-read timeout, the answer never ends in time.
        self.close_connection = True
        head = [f"HTTP/1.1 {status} OK", "Content-Type: application/json", f"Content-Length: {len(data)}",
                *(f"{k}: {v}" for k, v in headers.items())]
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + data
        try:
            for i in range(len(raw)):
                self.wfile.write(raw[i:i + 1])
                self.wfile.flush()
                time.sleep(pause)
        except OSError:
            pass

    def _reset(self) -> None:
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _fault(self, method: str, target: str) -> bool:
        f = self.server.store.take_fault(method, target)
        if f is None:
            return False
        if f.kind == "timeout":
            time.sleep(f.sleep)
            return False
        if f.kind == "slowloris":
            self._trickle = f.sleep    # _send answers, one byte at a time
            return False
        if f.kind == "huge":
            self._huge(f.size)
        if f.kind == "reset":
            self._reset()
        elif f.kind == "429":
            self._send(429, {"detail": "Request was throttled."}, {"Retry-After": str(f.retry_after)})
        elif f.kind in ("500", "502", "503"):
            self._send(int(f.kind), {"detail": "server error"})
        elif f.kind == "malformed":
            self._send(200, None, raw=b'{"id": 1, "name": "truncated')
        elif f.kind in ("401", "403"):
            self._send(int(f.kind), {"detail": "Invalid token."})
        return True

    def _auth(self) -> tuple[bool, int]:
        """(authenticated, error status): a wrong token fails even on GET, as DRF does."""
        header = self.headers.get("Authorization", "")
        if not header:
            return False, 0
        kind, _, tok = header.partition(" ")
        if kind != "Token":
            return False, 401
        if tok == TOKEN:
            return True, 0
        if tok == self.server.readonly_token:
            return False, 403
        return False, 401

    def _paginate(self, items: list[Any], q: dict[str, str]) -> None:
        try:
            per_page = max(1, min(250, int(q.get("per_page", "30"))))
            page = max(1, int(q.get("page", "1")))
        except ValueError:
            self._send(404, {"detail": "Invalid page."})
            return
        start = (page - 1) * per_page
        if start and start >= len(items):
            self._send(404, {"detail": "Invalid page."})
            return
        links = []
        path = urlsplit(self.path).path
        if start + per_page < len(items):
            links.append(f'<{self.server.store.base}{path}?{urlencode({**q, "page": page + 1})}>; rel="next"')
        if page > 1:
            links.append(f'<{self.server.store.base}{path}?{urlencode({**q, "page": page - 1})}>; rel="prev"')
        headers = {"Link": ", ".join(links)} if links else {}
        self._send(200, items[start:start + per_page], headers)

    # ---------------------------------------------------------------- verbs
    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        st = self.server.store
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        with st.lock:
            st.log.append((method, self.path))
        if self.server.delay:
            time.sleep(self.server.delay)
        if self._fault(method, self.path):
            return
        ok, err = self._auth()
        if err:
            self._send(err, {"detail": "Invalid token." if err == 401 else "Permission denied."})
            return
        parts = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        route = [s for s in parts.path.split("/") if s]
        if route[:1] != ["api"]:
            self._send(404, {"detail": "Not found."})
            return
        try:
            if method == "POST":
                self._post(route[1:], raw, ok)
            else:
                self._get(route[1:], q)
        except (KeyError, ValueError):
            self._send(404, {"detail": "Not found."})

    def _get(self, r: list[str], q: dict[str, str]) -> None:
        st = self.server.store
        with st.lock:
            if r == ["patches"]:
                self._paginate(self._patch_list(q), q)
            elif len(r) == 2 and r[0] == "patches":
                self._send(200, st.patch_json(st.patches[int(r[1])], detail=True))
            elif len(r) == 3 and r[0] == "patches" and r[2] == "checks":
                self._paginate(list(st.checks.get(int(r[1]), [])), q)
            elif len(r) == 2 and r[0] == "series":
                self._send(200, st.series_json(int(r[1])))
            elif len(r) == 2 and r[0] == "covers":
                self._send(200, st.cover_json(int(r[1])))
            elif r == ["events"]:
                self._paginate(self._event_list(q), q)
            else:
                self._send(404, {"detail": "Not found."})

    def _patch_list(self, q: dict[str, str]) -> list[dict[str, Any]]:
        st = self.server.store
        proj = q.get("project")
        if proj and proj not in (st.project["link_name"], str(st.project["id"])):
            return []
        since = _parse_date(q["since"]) if q.get("since") else None
        before = _parse_date(q["before"]) if q.get("before") else None
        items = [p for p in st.patches.values()
                 if (since is None or _parse_date(p["date"]) >= since)  # type: ignore[operator]
                 and (before is None or _parse_date(p["date"]) < before)]  # type: ignore[operator]
        order = q.get("order", "id")
        key = order.lstrip("-")
        items.sort(key=lambda p: (p["date"], p["id"]) if key == "date" else (p["id"],),
                   reverse=order.startswith("-"))
        return [st.patch_json(p, detail=False) for p in items]

    def _event_list(self, q: dict[str, str]) -> list[dict[str, Any]]:
        st = self.server.store
        since = _parse_date(q["since"]) if q.get("since") else None
        cat = q.get("category")
        items = [e for e in st.events if (not cat or e["category"] == cat)
                 and (since is None or _parse_date(e["date"]) >= since)]  # type: ignore[operator]
        items.sort(key=lambda e: (e["date"], e["id"]), reverse=q.get("order", "-date").startswith("-"))
        return [st.event_json(e) for e in items]

    def _post(self, r: list[str], raw: bytes, authed: bool) -> None:
        st = self.server.store
        if not (len(r) == 3 and r[0] == "patches" and r[2] == "checks"):
            self._send(405, {"detail": "Method not allowed."})
            return
        if not authed:
            self._send(401, {"detail": "Authentication credentials were not provided."})
            return
        pid = int(r[1])
        if pid not in st.patches:
            self._send(404, {"detail": "Not found."})
            return
        try:
            body = json.loads(raw.decode())
        except ValueError:
            self._send(400, {"detail": "JSON parse error"})
            return
        errors = {}
        if body.get("state") not in CHECK_STATES:
            errors["state"] = ["not a valid choice"]
        ctx = body.get("context", "default")
        if not isinstance(ctx, str) or not _SLUG.match(ctx) or len(ctx) > 255:
            errors["context"] = ["enter a valid slug"]
        url = body.get("target_url")
        if url and (not isinstance(url, str) or len(url) > 200 or not url.startswith(("http://", "https://"))):
            errors["target_url"] = ["enter a valid URL (at most 200 characters)"]
        if errors:
            self._send(400, errors)
            return
        check = st.add_check(pid, body)
        if self.server.post_delay:
            time.sleep(self.server.post_delay)
        self._send(201, check)


class PWServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, store: Store, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.store = store
        store.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.delay = float(os.environ.get("PWSERVER_DELAY") or 0)
        self.post_delay = float(os.environ.get("PWSERVER_POST_DELAY") or 0)
        self.readonly_token = READONLY_TOKEN
        self._thread: threading.Thread | None = None

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client killed mid-request (the kill tests) is expected, not news

    @property
    def url(self) -> str:
        return self.store.base

    def start(self) -> PWServer:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread:
            self._thread.join(5)


def synthetic_seed(n: int, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The fixture seed plus variations up to n patches: new ids, dates, series, and edited diffs."""
    seed = copy.deepcopy(base if base is not None else json.loads(SEED.read_text(encoding="utf-8")))
    templates = [p for p in seed["patches"] if not p.get("held")]
    seed["patches"] = [p for p in seed["patches"] if not p.get("held")]
    start = dt.datetime(2026, 3, 4, 8, 0, 0)
    sid = 8000
    pid = 20000
    i = 0
    while len(seed["patches"]) < n:
        size = 1 + i % 4
        sid += 1
        seed["series"].append({"id": sid, "name": f"synthetic series {sid}", "version": 1 + i % 3, "total": size,
                               "submitter": i % len(seed["people"])})
        for k in range(1, size + 1):
            if len(seed["patches"]) >= n:
                seed["series"][-1]["total"] = k - 1
                break
            t = templates[(i * 7 + k) % len(templates)]
            pid += 1
            date = (start + dt.timedelta(minutes=3 * len(seed["patches"]), seconds=k)).isoformat()
            diff = t["diff"].replace("(since 11.0)", f"(since {10 + (pid % 2)}.{pid % 3})").replace(
                "Since: 11.0", f"Since: 11.{pid % 2}")
            prefixes = [f"v{seed['series'][-1]['version']}"] if seed["series"][-1]["version"] > 1 else []
            if size > 1:
                prefixes.append(f"{k}/{size}")
            seed["patches"].append({**t, "id": pid, "series": sid, "date": date, "prefixes": prefixes,
                                    "msgid": f"<synthetic-{pid}@example.org>", "diff": diff,
                                    "title": f"{t['title']} (variant {pid})"})
        i += 1
    seed["series"] = [s for s in seed["series"] if s["id"] < 8000 or s["total"] > 0]
    return seed


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--synthetic", type=int, default=0, help="seed this many patches (fixtures + variations)")
    args = ap.parse_args()
    store = Store.from_seed(synthetic_seed(args.synthetic) if args.synthetic else None)
    srv = PWServer(store, args.port)
    print(srv.url, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        srv.serve_forever()


if __name__ == "__main__":
    main()
