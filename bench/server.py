"""A loopback HTTP server for the benchmark, fast enough never to be the bottleneck.

    python -m bench.server --topics 3000 [--posts-per-topic 15] [--seed 8]

Builds the benchmark board (:mod:`bench.fixture`), renders every page once, then answers each
request with bytes from memory: a minimal asyncio HTTP/1.1 server with keep-alive, one process
of its own, so its CPU time is measured apart from the crawler's. When it is listening it prints
one JSON line on stdout (port, pages, sizes). Control targets, not counted as requests:

- ``/__bench/targets``: every URL a whole-board crawl fetches, one per line;
- ``/__bench/requests``: the request targets served since the last call, as JSON (and resets);
- ``/__bench/add-posts?topics=20&posts=100&seed=1``: add replies, re-render, answer JSON.

With ``--hosts N`` the same board is also served on 127.0.0.2 … 127.0.0.(N+1), same port: one
board per loopback address for the many-boards measurement (:mod:`bench.fleet`), its links
pointing to the address it was asked on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from bench.fixture import RenderedSite, http_response, make_board

_CONTROL = "/__bench/"


class BenchServer:
    """Serves a :class:`RenderedSite`; records the targets asked for."""

    def __init__(self, site: RenderedSite) -> None:
        self.site = site
        self.requests: list[str] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                target = head.split(b" ", 2)[1].decode("latin-1")
                if target.startswith(_CONTROL):
                    writer.write(self.control(target))
                else:
                    self.requests.append(target)
                    host = writer.get_extra_info("sockname")[0]
                    writer.write(self.rehosted(self.site.lookup(target), host))
                if writer.transport.get_write_buffer_size() > 1 << 20:
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    def rehosted(self, response: bytes, host: str) -> bytes:
        """The response as served on another loopback address: its links point there."""
        if host == "127.0.0.1":
            return response
        head, _, body = response.partition(b"\r\n\r\n")
        body = body.replace(b"//127.0.0.1:", f"//{host}:".encode())
        head = re.sub(rb"Content-Length: \d+", f"Content-Length: {len(body)}".encode(), head)
        return head + b"\r\n\r\n" + body

    def control(self, target: str) -> bytes:
        url = urlsplit(target)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        now = datetime.now(UTC)
        if url.path == _CONTROL + "targets":
            body = "\n".join(self.site.site + path for path in self.site.crawl_targets)
            return http_response(200, "text/plain", body.encode(), now)
        if url.path == _CONTROL + "requests":
            served, self.requests = self.requests, []
            return http_response(200, "application/json", json.dumps(served).encode(), now)
        if url.path == _CONTROL + "add-posts":
            result = self.site.add_posts(
                int(query.get("topics", 20)),
                int(query.get("posts", 100)),
                int(query.get("seed", 0)),
            )
            return http_response(200, "application/json", json.dumps(result).encode(), now)
        return http_response(404, "text/plain", b"unknown control target", now)


async def serve(site: RenderedSite, sock: socket.socket, hosts: int = 0) -> None:
    server = BenchServer(site)
    listener = await asyncio.start_server(server.handle, sock=sock, backlog=128)
    port = sock.getsockname()[1]
    others = [
        await asyncio.start_server(server.handle, host=f"127.0.0.{2 + n}", port=port)
        for n in range(hosts)
    ]
    ready = {
        "port": sock.getsockname()[1],
        "pages": len(site.responses),
        "topic_pages": site.topic_pages,
        "topic_page_kb": round(site.topic_page_bytes / max(1, site.topic_pages) / 1024, 1),
        "posts": site.posts,
        "crawl_targets": len(site.crawl_targets),
        "render_seconds": round(site.render_seconds, 2),
        "hosts": [other.sockets[0].getsockname()[0] for other in others],
    }
    print(json.dumps(ready), flush=True)
    async with listener:
        await listener.serve_forever()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the benchmark forum on 127.0.0.1.")
    parser.add_argument("--topics", type=int, default=3000)
    parser.add_argument("--posts-per-topic", type=int, default=15)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--hosts", type=int, default=0, help="also on 127.0.0.2 … (N+1)")
    args = parser.parse_args(argv)
    if not 0 <= args.hosts <= 250:
        parser.error("--hosts: 0 to 250")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    board = make_board(args.topics, posts_per_topic=args.posts_per_topic, seed=args.seed)
    site = RenderedSite(board, f"http://127.0.0.1:{sock.getsockname()[1]}")
    site.render()
    try:
        asyncio.run(serve(site, sock, args.hosts))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
