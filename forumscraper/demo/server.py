"""A local HTTP server that serves a :class:`~forumscraper.demo.content.Board` like Forumotion.

Used by the end-to-end tests and benchmarks (port 0, a daemon thread) and by hand::

    python -m forumscraper.demo.server --port 8000 --version prosilver

HTTP/1.1 with keep-alive and ``Content-Length``; the ``Date`` header is the instant the page was
rendered for, so "Today"/"Yesterday" on the page agree with it. Every request target served is
recorded in :attr:`FixtureForumServer.requests`.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.faults import Fault, FaultPlan, reencode
from forumscraper.demo.members import COOKIE, MemberArea, login_page
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

    def do_POST(self) -> None:
        owner = self.server.owner
        owner._record(f"POST {self.path}")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if not self.path.startswith("/login"):
            self._send(405, b"<h1>405</h1>")
            return
        token = owner.members.login(body)
        if token is None:
            self._send(200, login_page("You have specified an incorrect or inactive username."))
            return
        self._send(
            302,
            b"",
            {"Location": "/", "Set-Cookie": f"{COOKIE}={token}; Path=/; HttpOnly"},
        )

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response_only(status)
        self.send_header("Date", format_datetime(datetime.now(UTC), usegmt=True))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _serve(self, *, send_body: bool) -> None:
        owner = self.server.owner
        owner._record(self.path)
        owner._enter()
        try:
            if owner.latency:
                time.sleep(owner.latency)
            fault = owner.faults.take(self.path)
            if fault is not None and self._throw(fault, send_body=send_body):
                return
            self._answer(send_body=send_body, fault=fault)
        finally:
            owner._leave()

    def _throw(self, fault: Fault, *, send_body: bool) -> bool:
        """Misbehave as ``fault`` says; ``False`` when the page is still to be served."""
        if fault.kind == "stall":
            time.sleep(fault.seconds)
            return False
        if fault.kind == "reset":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if fault.kind in ("status", "body", "redirect"):
            body = fault.body if fault.kind == "body" else f"<h1>{fault.status}</h1>".encode()
            self.send_response_only(fault.status)
            self.send_header("Date", format_datetime(datetime.now(UTC), usegmt=True))
            if fault.kind == "redirect":
                self.send_header("Location", fault.location)
            for name, value in fault.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)
            return True
        return False

    def _answer(self, *, send_body: bool, fault: Fault | None = None) -> None:
        owner = self.server.owner
        now = owner.clock().astimezone(UTC).replace(microsecond=0)
        member = owner.members.member_request(self.headers.get("Cookie"))
        if self.path.split("?")[0] == "/login" or owner.members.forbidden(
            owner.board, self.path, member
        ):
            self._send(200, login_page())
            return
        host = self.headers.get("Host") or f"{owner.host}:{owner.port}"
        response = respond(
            owner.members.board_for(owner.board, member),
            self.path,
            now=now,
            site=f"http://{host}",
            default_version=owner.version,
            robots_disallow=owner.robots_disallow,
            timezone=owner.members.profile_timezone if member else None,
            ignored=owner.members.ignored if member else (),
        )
        body = owner.members.finish(response.body, member, owner.board)
        if fault is not None and fault.kind == "then" and fault.then is not None:
            fault.then()
        if fault is not None and fault.kind == "encoding":
            body = reencode(body, fault)
        if fault is not None and fault.kind == "truncate":
            body = body[: int(len(body) * fault.keep)]
        self.send_response_only(response.status)
        self.send_header("Server", self.server_version)
        self.send_header("Date", format_datetime(now, usegmt=True))
        if response.location is not None:
            self.send_header("Location", response.location)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: no line per request on stderr."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FixtureForumServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up (timeouts, resets: some thrown on purpose) are not errors."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


DEMO_PORT = 8000
PROG = "forumscraper serve-demo"
"""Where ``forumscraper serve-demo`` and a crawl given no forum serve the demo board, so that the
URLs a crawl stores still answer on the next run (another free port when it is taken)."""
DEMO_NOW = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
"""The demo board's "now": its dates, its clock line and its ``Date`` header, the same on every
run, so that a second crawl finds the board unchanged, as a real board between two posts."""


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
        self.members = MemberArea()
        """Accounts, sessions, member-only forums and links hidden from guests."""
        self.faults = FaultPlan()
        """Faults to throw (tests of HTTP failures): ``server.faults.add(prefix, Fault(...))``."""
        self.latency = 0.0
        """Seconds every answer waits (to observe concurrency)."""
        self.in_flight = 0
        self.max_in_flight = 0
        """Most requests served at the same time."""
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

    def _enter(self) -> None:
        with self._requests_lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._requests_lock:
            self.in_flight -= 1

    def clear_requests(self) -> None:
        with self._requests_lock:
            self.requests.clear()


def demo_server(
    version: str = "prosilver", host: str = "127.0.0.1", port: int = DEMO_PORT
) -> FixtureForumServer:
    """The demo board as the commands serve it: dated :data:`DEMO_NOW`, on ``port`` (any free
    port when that one is taken: compare ``server.port``), started."""
    server = FixtureForumServer(
        build_demo_board(DEMO_NOW),
        version=version,
        host=host,
        port=port,
        clock=lambda: DEMO_NOW,
    )
    try:
        server.start()
    except OSError:  # the port is taken (another demo, another program)
        server.port = 0
        server.start()
    return server


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the demo board until Ctrl-C."""
    from forumscraper.commands.common import OneLineParser, UsageError, port_number

    parser = OneLineParser(prog=PROG, description="Serve the forumscraper demo forum.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=port_number, default=DEMO_PORT)
    parser.add_argument("--version", choices=VERSIONS, default="prosilver")
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    server = FixtureForumServer(
        build_demo_board(DEMO_NOW),
        version=args.version,
        host=args.host,
        port=args.port,
        clock=lambda: DEMO_NOW,
    )
    try:
        server.start()
    except OSError as exc:  # the port is taken, the address is not this machine's
        print(
            f"{PROG}: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    print(f"Serving the demo forum ({args.version}) at {server.base_url} - Ctrl-C stops.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
