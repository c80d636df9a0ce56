"""A page in a markup no template version recognises, met by the crawl: a failed page with
its evidence (``forumscraper/extract/empty_page/unknown_template``), never read as prosilver."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import func, select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import Post, Topic
from forumscraper.demo.content import Board
from forumscraper.demo.faults import Fault
from forumscraper.demo.server import FixtureForumServer
from forumscraper.demo.site import respond
from tests.crawling import crawl, stat

TZ = "Asia/Baghdad"


def unknown_version(board: Board, target: str) -> bytes:
    """The prosilver page of ``target`` with its version marker changed."""
    html = respond(board, target, now=datetime.now(UTC), site="http://x").body.decode()
    assert html.count('<body id="phpbb"') == 1
    return html.replace('<body id="phpbb"', '<body id="phpbb4"').encode()


@pytest.mark.parametrize(("target", "kind"), [("/t18-x", "topic"), ("/f2-x", "forum")])
@deferred_f_from_coro_f
async def test_a_page_of_an_unknown_version_is_a_failed_page(
    target: str, kind: str, server: FixtureForumServer, board: Board, sqlite_url: str
) -> None:
    prefix = target.removesuffix("x")
    body = unknown_version(board, target)
    server.faults.add(prefix, Fault(kind="body", status=200, body=body, times=None))
    crawler = await crawl("forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/extract/empty_page/unknown_template") == 1
    assert stat(crawler, "forumscraper/run/status") == "failed"
    assert not stat(crawler, "spider_exceptions/count", 0)
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            if kind == "topic":
                stored = select(func.count()).select_from(Post).where(Post.topic_id == 18)
            else:
                stored = select(func.count()).select_from(Topic).where(Topic.forum_id == 2)
            assert connection.execute(stored).scalar_one() == 0
    finally:
        engine.dispose()


@deferred_f_from_coro_f
async def test_recent_reports_an_active_topics_page_of_an_unknown_version(
    server: FixtureForumServer, board: Board, sqlite_url: str
) -> None:
    """``recent`` after a ``forum`` run: the active-topics listing in an unknown markup is a
    failed listing page (the run fails), never read as prosilver's rows."""
    await crawl("forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    target = "/search?search_id=activetopics"
    body = unknown_version(board, target)
    server.faults.add("/search", Fault(kind="body", status=200, body=body, times=None))
    # A widget listing nothing proves nothing: the active topics are read (an unchanged board
    # whose widget covers the time since the forum run is checked on the widget alone).
    board.recent_widget_topics = 0
    crawler = await crawl("recent", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/extract/empty_page/unknown_template") == 1
    assert not stat(crawler, "spider_exceptions/count", 0)
    assert stat(crawler, "forumscraper/run/status") == "failed"
