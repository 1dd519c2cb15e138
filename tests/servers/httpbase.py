"""A threaded HTTP server on 127.0.0.1 (port 0) with byte counting and fault injection.

`LoopbackServer(handler_class)` starts at once in a daemon thread; `.url` is its base URL
(no trailing slash), `.stop()` shuts it down. Handlers subclass `Handler`, set `routes` as
(method, regex, function name) and answer with the helpers below. `send_file_bytes` serves a
byte string with HEAD, `Range: bytes=a-b` / `bytes=a-` (206 + Content-Range, 416 past the end)
and applies the server's `Faults`:

- `drop_after`: close the connection after that many body bytes of the next `drop_count`
  file answers (the Content-Length still announces the whole body);
- `fail_status` / `fail_count`: answer that status (500, 503, 429 ...) to the next n requests
  of any kind;
- `corrupt_count`: flip one byte in the next n file answers (a wrong checksum);
- `delay`: sleep that long before answering anything (a server slower than the timeout);
- `ignore_range`: answer 200 with the whole file even to a Range request;
- `rate`: send file bodies at that many bytes per second (a stalled transfer).

`server.bytes_sent` counts file bytes sent (total) and `server.bytes_by_path` per path;
`server.requests` logs (method, path, headers) of every request.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Faults:
    drop_after: int | None = None
    drop_count: int = 0
    fail_status: int = 500
    fail_count: int = 0
    corrupt_count: int = 0
    delay: float = 0.0
    ignore_range: bool = False
    rate: float = 0.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients that time out or cancel hang up mid-answer; that is what the fault tests
        # provoke. The default handler prints a traceback to stderr, where a later test's
        # capfd would read it as the CLI's own output. Other errors still print.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class LoopbackServer:
    def __init__(self, handler_class, **state):
        self.faults = Faults()
        self.lock = threading.Lock()
        self.bytes_sent = 0
        self.bytes_by_path: dict = {}
        self.requests: list = []
        self.state = state
        handler = type(handler_class.__name__, (handler_class,), {"server_state": self})
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def reset_counters(self) -> None:
        with self.lock:
            self.bytes_sent = 0
            self.bytes_by_path = {}
            self.requests = []

    def count(self, path: str, n: int) -> None:
        with self.lock:
            self.bytes_sent += n
            self.bytes_by_path[path] = self.bytes_by_path.get(path, 0) + n

    def take(self, name: str) -> bool:
        """Consume one use of a counted fault (fail_count, drop_count, corrupt_count)."""
        with self.lock:
            left = getattr(self.faults, name)
            if left > 0:
                setattr(self.faults, name, left - 1)
                return True
            return False

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_state: LoopbackServer = None
    routes: tuple = ()  # (method, regex on the path, method name)

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    @property
    def st(self) -> dict:
        """The server's `state` (what a test sets up and reads back)."""
        return self.server_state.state

    @property
    def path_only(self) -> str:
        return urlsplit(self.path).path

    @property
    def query(self) -> dict:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query, keep_blank_values=True).items()}

    def body_bytes(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self, method: str) -> None:
        state = self.server_state
        with state.lock:
            state.requests.append((method, self.path, dict(self.headers)))
        if state.faults.delay:
            time.sleep(state.faults.delay)
        if state.take("fail_count"):
            status = state.faults.fail_status
            extra = {"Retry-After": "0"} if status == 429 else {}
            self.send_json({"message": "injected failure"}, status, extra)
            return
        lookup = "GET" if method == "HEAD" else method
        for route_method, pattern, name in self.routes:
            if route_method == lookup:
                m = re.fullmatch(pattern, self.path_only)
                if m:
                    getattr(self, name)(*m.groups())
                    return
        self.send_json({"message": f"no route for {method} {self.path_only}"}, 404)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    # -- answers ------------------------------------------------------------------------------
    def send_json(self, data, status: int = 200, headers: dict | None = None) -> None:
        import json

        body = json.dumps(data).encode()
        self.send_raw(body, status, "application/json", headers)

    def send_raw(self, body: bytes, status: int = 200, content_type: str = "text/plain", headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send_raw(b"", status, headers={"Location": location})

    def send_file_bytes(self, data: bytes, content_type: str = "application/octet-stream",
                        headers: dict | None = None) -> None:
        state = self.server_state
        size = len(data)
        start, end, status = 0, size - 1, 200
        rng = self.headers.get("Range")
        if rng and not state.faults.ignore_range:
            m = re.fullmatch(r"bytes=(\d*)-(\d*)", rng.strip())
            if not m or (not m.group(1) and not m.group(2)):
                self.send_raw(b"", 416, headers={"Content-Range": f"bytes */{size}"})
                return
            if m.group(1):
                start = int(m.group(1))
                end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
            else:  # suffix range: the last n bytes
                start, end = max(size - int(m.group(2)), 0), size - 1
            if start >= size or end < start:
                self.send_raw(b"", 416, headers={"Content-Range": f"bytes */{size}"})
                return
            status = 206
        body = data[start:end + 1]
        if self.command != "HEAD" and state.take("corrupt_count") and body:
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(body)))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command == "HEAD":
            return
        drop = state.faults.drop_after
        if drop is not None and len(body) > drop and state.take("drop_count"):
            state.count(self.path_only, drop)  # before writing: the client may finish before we return
            self.wfile.write(body[:drop])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)  # the client sees the body end early
            return
        state.count(self.path_only, len(body))  # counted first, so a client that is done sees the total
        if state.faults.rate:
            step = max(int(state.faults.rate / 10), 1)  # a trickle: rate bytes per second, 10 writes a second
            for i in range(0, len(body), step):
                try:
                    self.wfile.write(body[i:i + step])
                    self.wfile.flush()
                except OSError:  # the client gave up
                    return
                time.sleep(0.1)
            return
        self.wfile.write(body)


class FileHandler(Handler):
    """Serves `state["files"]` (name -> bytes) at `/files/<name>` with Range and the faults.

    `state["bearer"]`: when set, requests need `Authorization: Bearer <it>` (401 otherwise);
    `state["redirect"]`: when set, every file answer is a 302 to `<it>/files/<name>`;
    `state["status"]`: when set, every file answer is that status (202 for an offline product).
    """

    routes = (("GET", r"/files/([^/]+)", "file"),)

    def file(self, name):
        st = self.server_state.state
        if st.get("bearer") and self.headers.get("Authorization") != f"Bearer {st['bearer']}":
            self.send_json({"detail": "Expired signature!"}, 401)
            return
        if st.get("redirect"):
            self.redirect(f"{st['redirect']}/files/{name}")
            return
        if st.get("status"):
            self.send_json({"detail": "see status"}, st["status"])
            return
        if name not in st["files"]:
            self.send_json({"detail": "not found"}, 404)
            return
        self.send_file_bytes(st["files"][name])
