"""A real HTTP server on a free 127.0.0.1 port serving the pages and feeds intake reads: each
path answers what a test set (a body and type, a status, a redirect, an ETag or a
Last-Modified date that makes a conditional GET a 304, a delay, a huge streamed body)."""

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None  # an HTTP date: If-Modified-Since it or later gets a 304
    delay: float = 0  # seconds before the answer
    stream_bytes: int = 0  # a body of this many bytes, written in 64 KB chunks


class PageServer:
    """The server: ``add(path, ...)`` sets what a path answers, ``url(path)`` addresses it,
    ``hits[path]`` counts requests and ``conditional[path]`` those that carried a validator
    (If-None-Match for a path with an ETag, If-Modified-Since for one with a date)."""

    def __init__(self, host: str = "127.0.0.1"):
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()
        self.server = ThreadingHTTPServer((host, 0), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def add(self, path: str, body: str | bytes = b"", **options) -> str:
        """Serve ``body`` at ``path``; returns its URL."""
        self.routes[path] = Route(body=body.encode() if isinstance(body, str) else body, **options)
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302, **options) -> str:
        """``path`` redirects to ``to`` (after ``delay=`` seconds, say); returns its URL."""
        return self.add(path, status=status, headers={"Location": to}, **options)

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path
                server.hits[path] += 1
                route = server.routes.get(path)
                if route is None:
                    return self._answer(404, b"not here", "text/plain", {})
                if route.delay:
                    time.sleep(route.delay)
                if route.etag and self.headers.get("If-None-Match"):
                    server.conditional[path] += 1
                    if self.headers["If-None-Match"] == route.etag:
                        return self._answer(304, b"", None, {"ETag": route.etag})
                if route.last_modified and self.headers.get("If-Modified-Since"):
                    server.conditional[path] += 1
                    if _not_after(route.last_modified, self.headers["If-Modified-Since"]):
                        return self._answer(304, b"", None, {"Last-Modified": route.last_modified})
                headers = dict(route.headers, **({"ETag": route.etag} if route.etag else {}),
                               **({"Last-Modified": route.last_modified} if route.last_modified else {}))
                if route.stream_bytes:
                    return self._stream(route)
                self._answer(route.status, route.body, route.content_type, headers)

            def _answer(self, status: int, body: bytes, content_type: str | None, headers: dict) -> None:
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the reader gave up (a timeout): nothing to tell it

            def _stream(self, route: Route) -> None:
                self.send_response(200)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(route.stream_bytes))
                self.end_headers()
                chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
                try:
                    for _ in range(route.stream_bytes // len(chunk)):
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the reader stopped: what the size cap is for
                self.close_connection = True

        return Handler

    def __enter__(self) -> "PageServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _not_after(modified: str, since: str) -> bool:
    """Whether the page, changed at ``modified``, is unchanged since ``since`` (both HTTP dates)."""
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # a date that cannot be read: answer in full, as servers do
