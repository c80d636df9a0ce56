"""The RSS feed's creation times check the first posts' dates, on every version: those that
show guests no clock (PunBB here) included, where a zone configured wrongly, or a member whose
profile sets another zone than the board's, would otherwise shift every date in silence."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import CrawlRun, Post
from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.spiders.clock import FeedCheck
from tests.conftest import BoardAsOf
from tests.crawling import crawl, stat
from tests.members import PASSWORD, TZ, member_server
from tests.test_board_variants import check_dates_are_the_boards

CREATED = datetime(2026, 11, 20, 9, 30, 41, tzinfo=UTC)
URL = "http://forum.test/t1-x"


def test_one_topic_off_by_an_offset_is_not_evidence_two_are() -> None:
    check = FeedCheck()
    check.learn({1: CREATED, 2: CREATED + timedelta(days=1), 3: CREATED + timedelta(days=2)})
    assert check.check(1, CREATED - timedelta(hours=8), UTC, URL) is None
    evidence = check.check(2, CREATED + timedelta(days=1, hours=-8), UTC, URL)
    assert evidence is not None
    assert "-8 h from the board's RSS feed on 2 topics" in evidence


def test_agreeing_topics_outweigh_a_shared_offset() -> None:
    check = FeedCheck()
    check.learn({n: CREATED + timedelta(days=n) for n in range(1, 6)})
    for n in (1, 2, 3):
        assert check.check(n, CREATED.replace(second=0) + timedelta(days=n), UTC, URL) is None
    for n in (4, 5):  # two first posts gone, each an hour later (or a summer's DST): outvoted
        assert check.check(n, CREATED + timedelta(days=n, hours=1), UTC, URL) is None


@pytest.mark.parametrize(
    "error",
    [timedelta(minutes=37), timedelta(days=3), timedelta(minutes=2)],
    ids=["not-a-zone", "beyond-any-zone", "within-tolerance"],
)
def test_differences_no_timezone_makes_are_never_evidence(error: timedelta) -> None:
    check = FeedCheck()
    check.learn({1: CREATED, 2: CREATED + timedelta(days=1)})
    assert check.check(1, CREATED + error, UTC, URL) is None
    assert check.check(2, CREATED + timedelta(days=1) + error, UTC, URL) is None


def test_a_topic_not_in_the_feed_or_undated_is_not_checked() -> None:
    check = FeedCheck()
    check.learn({1: CREATED})
    assert check.check(2, CREATED - timedelta(hours=3), UTC, URL) is None
    assert check.check(1, None, UTC, URL) is None


def rows(engine: Engine) -> tuple[list[tuple[str, str | None]], int]:
    with engine.connect() as connection:
        runs = [tuple(row) for row in connection.execute(select(CrawlRun.status, CrawlRun.message))]
        posts = len(connection.execute(select(Post.id)).all())
    return runs, posts  # type: ignore[return-value]


@pytest.fixture
def board() -> Board:
    return build_demo_board()


@pytest.fixture
def old_board(board_as_of: BoardAsOf) -> Board:
    """The demo board as it stood three days ago: no post is then "Today", "Yesterday" or
    hours old. On a wrong zone such a post can read as later than the server's clock, and that
    check (right too) stops the run before the feed's evidence is weighed, at some hours of the
    day: in New York's evening the member's "Today" is already tomorrow in Baghdad."""
    return board_as_of(timedelta(days=3))


@deferred_f_from_coro_f
async def test_a_member_whose_profile_sets_another_zone_fails_the_run_on_a_clockless_board(
    monkeypatch: pytest.MonkeyPatch, old_board: Board, db_url: str
) -> None:
    board = old_board
    monkeypatch.setenv("FORUMSCRAPER_USERNAME", "Rocky")
    monkeypatch.setenv("FORUMSCRAPER_PASSWORD", PASSWORD)
    server = member_server(board, member_only_forum=False)
    server.version = "punbb"
    server.members.profile_timezone = "America/New_York"
    with server:
        crawler = await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
        assert stat(crawler, "forumscraper/run/status") == "failed"
        evidence = stat(crawler, "forumscraper/dates/clock_evidence")
        # New York is 7 hours behind Baghdad in summer, 8 in winter: topics of either season.
        assert re.search(r"dates read in Asia/Baghdad are -[78] h from the board's RSS", evidence)
        engine = make_engine(db_url)
        try:
            runs, stored = rows(engine)
            assert runs[0][0] == "failed" and evidence in str(runs[0][1])
            # What the stopped run stored on the wrong clock is read again by the next run, on
            # the member's zone: every date is then the board's truth.
            assert stored == 0 or stat(crawler, "forumscraper/dates/topics_reopened") > 0
            crawler = await crawl(
                "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE="America/New_York"
            )
            assert stat(crawler, "forumscraper/run/status") == "finished"
            check_dates_are_the_boards(engine, board)
        finally:
            engine.dispose()


@pytest.mark.parametrize("version", ["punbb", "subsilver", "prosilver"])
@deferred_f_from_coro_f
async def test_the_right_zone_passes_the_feed_check(
    version: str, board: Board, sqlite_url: str
) -> None:
    with FixtureForumServer(board, version=version) as server:
        crawler = await crawl(
            "forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/dates/feed_topics") > 2
    engine = make_engine(sqlite_url)
    try:
        check_dates_are_the_boards(engine, board)
    finally:
        engine.dispose()


@deferred_f_from_coro_f
async def test_a_wrong_zone_on_a_clockless_board_fails_the_run(
    old_board: Board, sqlite_url: str
) -> None:
    with FixtureForumServer(old_board, version="punbb") as server:
        crawler = await crawl(
            "forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE="Europe/Paris"
        )
    assert stat(crawler, "forumscraper/run/status") == "failed"
    assert "dates read in Europe/Paris are" in stat(crawler, "forumscraper/dates/clock_evidence")


@pytest.mark.parametrize("version", ["punbb", "subsilver", "awesomebb", "mobile"])
@deferred_f_from_coro_f
async def test_a_board_that_shows_no_clock_gets_its_zone_from_the_feed(
    version: str, board: Board, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """No clock line on any page and no zone configured: the first page of a topic the feed
    dates tells the offset, instead of UTC with a warning."""
    caplog.set_level(logging.INFO)
    with FixtureForumServer(board, version=version) as server:
        crawler = await crawl("forum", sqlite_url, base_url=server.base_url)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert "Board timezone from the RSS feed's time of the first post of" in caplog.text
    assert "dates are read as UTC" not in caplog.text
    engine = make_engine(sqlite_url)
    try:
        check_dates_are_the_boards(engine, board)
    finally:
        engine.dispose()
