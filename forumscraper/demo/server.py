"""A local HTTP server that serves a :class:`~forumscraper.demo.content.Board` like Forumotion.

Used by the end-to-end tests and benchmarks (port 0, a daemon thread) and by hand::

    python -m forumscraper.demo.server --port 8000 --version prosilver

HTTP/1.1 with keep-alive and ``Content-Length``; the ``Date`` header is the instant the page was
rendered for, so "Today"/"Yesterday" on the page agree with it. Every request target served is
recorded in :attr:`FixtureForumServer.requests`.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.render.common import VERSIONS
from forumscraper.demo.site import respond

__all__ = ["FixtureForumServer", "main"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Forumotion-demo"
    sys_version = ""
    server: _Server

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _serve(self, *, send_body: bool) -> None:
        owner = self.server.owner
        owner._record(self.path)
        now = owner.clock().astimezone(UTC).replace(microsecond=0)
        host = self.headers.get("Host") or f"{owner.host}:{owner.port}"
        response = respond(
            owner.board,
            self.path,
            now=now,
            site=f"http://{host}",
            default_version=owner.version,
            robots_disallow=owner.robots_disallow,
        )
        self.send_response_only(response.status)
        self.send_header("Server", self.server_version)
        self.send_header("Date", format_datetime(now, usegmt=True))
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if send_body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: no line per request on stderr."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FixtureForumServer


class FixtureForumServer:
    """Serve ``board`` on ``host:port`` (0 = any free port) from a background thread."""

    def __init__(
        self,
        board: Board,
        *,
        version: str = "prosilver",
        host: str = "127.0.0.1",
        port: int = 0,
        robots_disallow: Sequence[str] = (),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if version not in VERSIONS:
            raise ValueError(f"unknown version {version!r}, use one of {VERSIONS}")
        self.board = board
        self.version = version
        """Template version of requests without ``?change_version=`` (may be changed live)."""
        self.host = host
        self.port = port
        self.robots_disallow: list[str] = list(robots_disallow)
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        """Source of "now" for each request (tests may pin it)."""
        self.requests: list[str] = []
        """Every request target (path and query) served, in order."""
        self._requests_lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://host:port/``, available once started."""
        return f"http://{self.host}:{self.port}/"

    def start(self) -> None:
        if self._httpd is not None:
            raise RuntimeError("server already started")
        httpd = _Server((self.host, self.port), _Handler)
        httpd.owner = self
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> FixtureForumServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _record(self, target: str) -> None:
        with self._requests_lock:
            self.requests.append(target)

    def clear_requests(self) -> None:
        with self._requests_lock:
            self.requests.clear()


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the demo board until Ctrl-C."""
    parser = argparse.ArgumentParser(description="Serve the forumscraper demo forum.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--version", choices=VERSIONS, default="prosilver")
    args = parser.parse_args(argv)
    server = FixtureForumServer(
        build_demo_board(), version=args.version, host=args.host, port=args.port
    )
    server.start()
    print(f"Serving the demo forum ({args.version}) at {server.base_url} - Ctrl-C stops.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
