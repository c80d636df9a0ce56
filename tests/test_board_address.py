"""A board's address: one spelling per board in ``boards`` (default port, trailing dot, any page
of the board), every request made from the board's root, and a board that answers from another
address refused before anything is stored. Crawls of the fixture forum over HTTP, on SQLite and
PostgreSQL, checked by the rows they leave."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, func, select

from forumscraper import config
from forumscraper.db.board import board_url, register_board
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.models import Board as BoardRow
from forumscraper.db.models import CrawlRun, Forum, Post, Topic, table_of
from forumscraper.demo.content import Board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.runs import ELSEWHERE_KEY, SUMMARY_KEY
from tests.crawling import crawl, stat
from tests.test_crawl_forum import check_database_holds_the_board
from tests.test_incremental import minute


def boards(engine: Engine) -> list[tuple[int, str]]:
    table = table_of(BoardRow)
    with engine.connect() as connection:
        return [
            (row.id, row.base_url)
            for row in connection.execute(select(table.c.id, table.c.base_url).order_by("id"))
        ]


def runs(engine: Engine) -> list[tuple[Any, ...]]:
    """Each ``crawl_runs`` row: spider, board, address, status and message."""
    table = table_of(CrawlRun)
    columns = (table.c.spider, table.c.board_id, table.c.base_url, table.c.status)
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                select(*columns, table.c.message).order_by(table.c.id)
            ).all()
        ]


def board_counts(engine: Engine) -> dict[str, list[tuple[Any, int]]]:
    """Forums, topics and posts per board id."""
    counts: dict[str, list[tuple[Any, int]]] = {}
    with engine.connect() as connection:
        for model in (Forum, Topic, Post):
            table = table_of(model)
            counts[table.name] = [
                (row[0], row[1])
                for row in connection.execute(
                    select(table.c.board_id, func.count()).group_by(table.c.board_id)
                ).all()
            ]
    return counts


def urls(engine: Engine) -> set[str]:
    """The ``url`` of every stored topic and post."""
    with engine.connect() as connection:
        return {
            url
            for model in (Topic, Post)
            for url in connection.execute(select(table_of(model).c.url)).scalars()
        }


# -- one spelling per board ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://demo.forumotion.com:443/", "https://demo.forumotion.com/"),
        ("http://demo.forumotion.com:80/forum", "http://demo.forumotion.com/"),
        ("https://Demo.Forumotion.com./", "https://demo.forumotion.com/"),
        ("http://demo.forumotion.com.:8080/t1-x", "http://demo.forumotion.com:8080/"),
        ("https://demo.forumotion.com:80/", "https://demo.forumotion.com:80/"),
        ("http://[::1]:80/", "http://[::1]/"),
    ],
)
def test_the_default_port_and_a_trailing_dot_are_not_part_of_the_address(
    given: str, kept: str
) -> None:
    assert board_url(given) == kept


@pytest.mark.parametrize("given", ["http://demo.forumotion.com:port/", "http://./"])
def test_an_address_without_a_host_or_with_a_port_that_is_no_port_is_refused(given: str) -> None:
    with pytest.raises(config.BadSetting, match="not a forum address"):
        config.forum_address("base_url", given)
    with pytest.raises(ValueError):
        board_url(given)


def test_the_spellings_of_one_board_are_one_row(engine: Engine) -> None:
    """The default port and a trailing dot name the same board; another scheme, ``www.`` or
    another port may be another board, and stay apart."""
    upgrade_to_head(engine)
    spellings = [
        "https://demo.forumotion.com/",
        "https://demo.forumotion.com:443/",
        "https://demo.forumotion.com./forum",
        "http://demo.forumotion.com/",
        "http://demo.forumotion.com:80/",
        "https://www.demo.forumotion.com/",
        "https://demo.forumotion.com:8443/",
    ]
    registered = [register_board(engine, spelling) for spelling in spellings]
    assert [created for _, created in registered] == [True, False, False, True, False, True, True]
    assert [board_id for board_id, _ in registered][:3] == [registered[0][0]] * 3
    assert [url for _, url in boards(engine)] == [
        "https://demo.forumotion.com/",
        "http://demo.forumotion.com/",
        "https://www.demo.forumotion.com/",
        "https://demo.forumotion.com:8443/",
    ]


# -- any page's address crawls the board -----------------------------------------------------------


@pytest.mark.parametrize("path", ["forum", "t11-welcome-to-the-new-forum"])
@deferred_f_from_coro_f
async def test_the_address_of_a_page_of_the_board_crawls_the_board_at_its_root(
    path: str, server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    address = server.base_url + path
    root = server.base_url
    crawler = await crawl("forum", db_url, base_url=address, FORUMSCRAPER_TIMEZONE=board.timezone)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    forum_requests = list(server.requests)
    check_database_holds_the_board(engine, board)

    board.add_post(board.live_topics()[0].id, board.member_by_name("Rocky"), "A reply", minute())
    server.clear_requests()
    crawler = await crawl("recent", db_url, base_url=address, FORUMSCRAPER_TIMEZONE=board.timezone)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/db/new_posts") == 1

    assert "/" in forum_requests and "/" in server.requests
    assert [p for p in forum_requests + server.requests if p.startswith(f"/{path}/")] == []
    [(board_id, kept)] = boards(engine)
    assert kept == root
    assert runs(engine) == [
        ("forum", board_id, root, "finished", None),
        ("recent", board_id, root, "finished", None),
    ]
    check_database_holds_the_board(engine, board)
    assert {url.startswith(root) for url in urls(engine)} == {True}


# -- a board answering from another address -------------------------------------------------------


@pytest.fixture
def moved(server: FixtureForumServer) -> Iterator[str]:
    """An address that redirects every request to the fixture forum's (a board's former
    address, or its ``http://`` address when it answers on ``https://``)."""
    target = server.base_url.rstrip("/")

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(301)
            self.send_header("Location", target + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    redirector = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=redirector.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{redirector.server_address[1]}/"
    redirector.shutdown()
    redirector.server_close()


def moved_message(moved: str, root: str) -> str:
    return (
        f"the board answers at another address: {moved} redirects to {root}: "
        f"crawl the address the board answers at, {root}"
    )


@pytest.mark.parametrize("spider", ["forum", "recent"])
@deferred_f_from_coro_f
async def test_an_address_redirecting_to_another_fails_and_stores_nothing(
    spider: str, moved: str, server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    root = server.base_url
    why = moved_message(moved, root)
    crawler = await crawl(spider, db_url, base_url=moved, FORUMSCRAPER_TIMEZONE=board.timezone)
    assert stat(crawler, "forumscraper/run/status") == "failed"
    assert stat(crawler, ELSEWHERE_KEY) == why.removeprefix(
        "the board answers at another address: "
    )
    assert stat(crawler, SUMMARY_KEY).endswith(f"Why: {why}")
    # The row this run registered for the address is removed, as for an address that is no
    # board; the run keeps the address it was given.
    assert boards(engine) == []
    assert runs(engine) == [(spider, None, moved, "failed", why)]
    assert board_counts(engine) == {"forums": [], "topics": [], "posts": []}

    crawler = await crawl("forum", db_url, base_url=root, FORUMSCRAPER_TIMEZONE=board.timezone)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    [(board_id, kept)] = boards(engine)
    assert kept == root
    assert runs(engine)[1] == ("forum", board_id, root, "finished", None)
    counts = board_counts(engine)
    assert [owner for table in counts.values() for owner, _ in table] == [board_id] * 3
    check_database_holds_the_board(engine, board)
    assert {url.startswith(root) for url in urls(engine)} == {True}


@deferred_f_from_coro_f
async def test_a_registered_board_that_now_redirects_keeps_its_row_and_gets_nothing(
    moved: str, server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    """A board kept under an address that now redirects (it moved to a custom domain): the run
    fails, the board's row stays (as for an address that stopped being a board)."""
    upgrade_to_head(engine)
    board_id, _ = register_board(engine, moved)
    crawler = await crawl("forum", db_url, base_url=moved, FORUMSCRAPER_TIMEZONE=board.timezone)
    assert stat(crawler, "forumscraper/run/status") == "failed"
    assert boards(engine) == [(board_id, moved)]
    assert runs(engine) == [
        ("forum", board_id, moved, "failed", moved_message(moved, server.base_url))
    ]
    assert board_counts(engine) == {"forums": [], "topics": [], "posts": []}
