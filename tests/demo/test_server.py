"""The fixture forum over HTTP: port 0, keep-alive, headers, request log, live changes."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
from parsel import Selector

from forumscraper.demo.content import DEMO_LONG_TOPIC_ID, Board
from forumscraper.demo.server import FixtureForumServer

from .conftest import NOW


@pytest.fixture
def server(fresh_board: Board) -> Iterator[FixtureForumServer]:
    with FixtureForumServer(fresh_board, clock=lambda: NOW) as running:
        yield running


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def page(self) -> Selector:
        return Selector(text=self.body.decode("utf-8"))


def get(server: FixtureForumServer, *targets: str, method: str = "GET") -> list[Fetched]:
    """Request ``targets`` in order over one keep-alive connection."""
    url = urlsplit(server.base_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    fetched = []
    sockets = set()
    try:
        for target in targets:
            connection.request(method, target)
            response = connection.getresponse()
            fetched.append(Fetched(response.status, response.headers, response.read()))
            sockets.add(id(connection.sock))
    finally:
        connection.close()
    assert len(sockets) == 1, "the server closed a keep-alive connection"
    return fetched


def test_serves_pages_on_a_free_port(server: FixtureForumServer) -> None:
    assert server.port != 0 and server.base_url == f"http://127.0.0.1:{server.port}/"
    index, forum, topic = get(server, "/", "/f2-general-discussion", f"/t{DEMO_LONG_TOPIC_ID}-x")
    for response in (index, forum, topic):
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert int(response.headers["Content-Length"]) == len(response.body)
        assert parsedate_to_datetime(response.headers["Date"]) == NOW
    assert server.requests == ["/", "/f2-general-discussion", f"/t{DEMO_LONG_TOPIC_ID}-x"]
    server.clear_requests()
    assert server.requests == []


def test_not_found_and_head(server: FixtureForumServer) -> None:
    missing, head = get(server, "/t424242-nothing", "/forum")
    assert missing.status == 404
    (head,) = get(server, "/forum", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert int(head.headers["Content-Length"]) > 1000


def test_version_switch(server: FixtureForumServer) -> None:
    target = f"/t{DEMO_LONG_TOPIC_ID}-x"
    pro, sub = get(server, target, f"{target}?change_version=subsilver")
    assert pro.page.css("body#phpbb") and sub.page.css("tr.post#p0")
    server.version = "subsilver"
    (default,) = get(server, target)
    assert default.page.css("table.forumline tr.post")


def test_mutations_show_up_in_the_next_request(server: FixtureForumServer) -> None:
    board = server.board
    rocky = board.member_by_name("Rocky")
    post = board.add_post(DEMO_LONG_TOPIC_ID, rocky, "Fresh <b>news</b>", NOW)
    (last_page,) = get(server, f"/t{DEMO_LONG_TOPIC_ID}p30-x")
    sel = last_page.page
    assert sel.css(f"div.post#p{post.id}")
    assert "Today at 5:30 pm" in "".join(sel.css(f"div#p{post.id} p.author ::text").getall())
    board.delete_topic(DEMO_LONG_TOPIC_ID)
    (gone,) = get(server, f"/t{DEMO_LONG_TOPIC_ID}-x")
    assert gone.status == 404


def test_robots_disallow(fresh_board: Board) -> None:
    with FixtureForumServer(fresh_board, robots_disallow=["/search", "/profile"]) as running:
        (robots,) = get(running, "/robots.txt")
    assert robots.body == b"User-agent: *\nDisallow: /search\nDisallow: /profile\n"
    assert robots.headers["Content-Type"].startswith("text/plain")


def test_rejects_unknown_version(fresh_board: Board) -> None:
    with pytest.raises(ValueError, match="phpbb4"):
        FixtureForumServer(fresh_board, version="phpbb4")
