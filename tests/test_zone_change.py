"""A board whose clock moves (the admin sets another zone, or turns summer time off) between
runs: a post's date never changes, so posts read again at dates one offset away from their
stored ones stop the run with the evidence, instead of storing new posts an hour off and moving
stored ones. The next ``forum`` run, which learns the board's clock, stores every date right."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select

from forumscraper.db.models import CrawlRun
from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import crawl, stat
from tests.test_board_variants import check_dates_are_the_boards


def minute(offset: int = 0) -> datetime:
    return (datetime.now(UTC) + timedelta(minutes=offset)).replace(second=0, microsecond=0)


def add_activity(board: Board) -> None:
    rocky = board.member_by_name("Rocky")
    assert rocky is not None
    for index, topic in enumerate(board.recent_topics(3)):
        board.add_post(
            topic.id, rocky, f"A reply after the clock moved ({index})", minute(-30 + index)
        )
    board.add_topic(board.forums[1].id, "After the clock moved", rocky, "hello", minute(-5))


@pytest.mark.parametrize(
    ("version", "portal"),
    [("prosilver", True), ("subsilver", False)],  # no clock on the portal; none for guests
)
@deferred_f_from_coro_f
async def test_a_board_whose_clock_moved_stops_recent_and_forum_reads_it_right(
    version: str, portal: bool, db_url: str, engine: Engine
) -> None:
    board = build_demo_board()
    board.portal = portal
    board.move_clock("Etc/GMT-2")  # UTC+2, learnt by the first run (clock line or feed)
    with FixtureForumServer(board, version=version) as server:
        crawler = await crawl("forum", db_url, base_url=server.base_url)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        check_dates_are_the_boards(engine, board)
        board.move_clock("Etc/GMT-1")  # summer time off: UTC+1
        add_activity(board)

        crawler = await crawl("recent", db_url, base_url=server.base_url)
        assert stat(crawler, "forumscraper/run/status") == "failed"
        evidence = stat(crawler, "forumscraper/dates/clock_evidence")
        assert re.search(
            r"are -1 h from the same posts' dates in the archive on \d+ posts", evidence
        )
        assert stat(crawler, "forumscraper/dates/topics_reopened") > 0

        crawler = await crawl("forum", db_url, base_url=server.base_url)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        check_dates_are_the_boards(engine, board)
        # and the board is quiet again: recent agrees with the archive
        crawler = await crawl("recent", db_url, base_url=server.base_url)
        assert stat(crawler, "forumscraper/run/status") == "finished"
    with engine.connect() as connection:
        statuses = [
            row[0] for row in connection.execute(select(CrawlRun.status).order_by(CrawlRun.id))
        ]
    assert statuses == ["finished", "failed", "finished", "finished"]


@deferred_f_from_coro_f
async def test_posts_read_again_on_an_unmoved_clock_pass(db_url: str, engine: Engine) -> None:
    board = build_demo_board()
    board.portal = True
    with FixtureForumServer(board, version="prosilver") as server:
        await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone)
        add_activity(board)
        crawler = await crawl("recent", db_url, base_url=server.base_url)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        assert stat(crawler, "forumscraper/dates/clock_mismatch", 0) == 0
    check_dates_are_the_boards(engine, board)
