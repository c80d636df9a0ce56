"""A board whose clock moves (the admin sets another zone, or turns summer time off) between
runs: a post's date never changes, so posts read again at dates one offset away from their
stored ones stop the run with the evidence, instead of storing new posts an hour off and moving
stored ones. The next ``forum`` run, which learns the board's clock, stores every date right."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select

from forumscraper.db.models import CrawlRun
from forumscraper.demo.content import Board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.spiders.clock import StoredDatesCheck
from tests.conftest import BoardAsOf
from tests.crawling import crawl, stat
from tests.test_board_variants import check_dates_are_the_boards


def minute(offset: int = 0) -> datetime:
    return (datetime.now(UTC) + timedelta(minutes=offset)).replace(second=0, microsecond=0)


STORED = datetime(2026, 10, 24, 18, 30, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Paris")


def test_listed_last_posts_an_hour_early_on_two_topics_are_evidence() -> None:
    check = StoredDatesCheck()
    assert check.check_listed(1, STORED, STORED - timedelta(hours=1), ZONE) is None
    evidence = check.check_listed(2, STORED, STORED - timedelta(hours=1), ZONE)
    assert evidence is not None
    assert "are -1 h from the same posts' dates in the archive on 2 posts" in evidence
    assert "topic 1's last post was stored as 2026-10-24 18:30 UTC" in evidence


def test_a_reply_an_agreeing_topic_or_a_deleted_last_post_is_not_evidence() -> None:
    check = StoredDatesCheck()
    for topic_id in (1, 2, 3):  # replies since: later, by whole hours too
        assert check.check_listed(topic_id, STORED, STORED + timedelta(hours=1), ZONE) is None
    for topic_id in (4, 5):  # last posts deleted: the one before, any minutes earlier
        assert check.check_listed(topic_id, STORED, STORED - timedelta(minutes=47), ZONE) is None
    # as many listed at their stored date as an hour early: not the case
    assert check.check_listed(6, STORED, STORED, ZONE) is None
    assert check.check_listed(7, STORED, STORED, ZONE) is None
    assert check.check_listed(8, STORED, STORED - timedelta(hours=1), ZONE) is None
    assert check.check_listed(9, STORED, STORED - timedelta(hours=1), ZONE) is None
    assert check.check_listed(10, STORED, STORED - timedelta(hours=1), ZONE) is not None


def summer_and_winter_clocks() -> tuple[str, str]:
    """A zone and the same zone an hour behind (summer time turned off), as ``Etc`` names,
    chosen so that both clocks' dates agree for the test's span. In the hour when the board's
    new clock is still on one day and the recorded one on the next, the new pages' "Today" is
    read on the wrong day, in the future: that check (right too) stops the run before the
    archive's evidence is weighed. The three candidates' bad hours do not overlap."""
    now = datetime.now(UTC)
    for hours in (2, 8, -4):
        local = now + timedelta(hours=hours)
        if (
            timedelta(hours=1, minutes=30)
            <= local - local.replace(hour=0, minute=0)
            <= timedelta(hours=23, minutes=30)
        ):
            return f"Etc/GMT-{hours}" if hours > 0 else f"Etc/GMT+{-hours}", (
                f"Etc/GMT-{hours - 1}" if hours > 1 else f"Etc/GMT+{1 - hours}"
            )
    raise AssertionError(f"no clock pair fits {now}")  # the candidates cover every hour


def add_activity(board: Board, ago: int = 30) -> None:
    """Replies to the three latest topics and a new topic, from ``ago`` minutes ago, on a board
    as it stood before then (``board_as_of``, hours back): its newest posts ("today" ones, placed
    between the board's midnight and its build) are then older than these, at any hour. Built
    now, just after the board's midnight, they fall in the last minutes, and a reply added half
    an hour ago would be older than the post before it, which Forumotion never shows."""
    rocky = board.member_by_name("Rocky")
    assert rocky is not None
    for index, topic in enumerate(board.recent_topics(3)):
        board.add_post(
            topic.id, rocky, f"A reply after the clock moved ({index})", minute(-ago + index)
        )
    board.add_topic(board.forums[1].id, "After the clock moved", rocky, "hello", minute(-ago + 25))


@pytest.mark.parametrize(
    ("version", "portal"),
    [("prosilver", True), ("subsilver", False)],  # no clock on the portal; none for guests
)
@pytest.mark.parametrize("summer_time", ["turned off", "turned on"])
@deferred_f_from_coro_f
async def test_a_board_whose_clock_moved_stops_recent_and_forum_reads_it_right(
    version: str,
    portal: bool,
    summer_time: str,
    db_url: str,
    engine: Engine,
    board_as_of: BoardAsOf,
) -> None:
    """Turned off, the clock moves back: every listed last post is an hour earlier than its
    watermark, a reply of the last hour included, so no topic page would be fetched and the
    reply would be missed; the listing's dates are the evidence. Turned on, every listed topic
    looks changed: its posts read again are (the replies are older than an hour: a newer one
    would be read after the server's clock, a check that stops the run first)."""
    board = board_as_of(timedelta(hours=1 if summer_time == "turned off" else 3))
    board.portal = portal
    summer, winter = summer_and_winter_clocks()
    before, after = (summer, winter) if summer_time == "turned off" else (winter, summer)
    board.move_clock(before)  # learnt by the first run (clock line or feed)
    with FixtureForumServer(board, version=version) as server:
        crawler = await crawl("forum", db_url, base_url=server.base_url)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        check_dates_are_the_boards(engine, board)
        board.move_clock(after)
        add_activity(board, 30 if summer_time == "turned off" else 150)

        crawler = await crawl("recent", db_url, base_url=server.base_url)
        assert stat(crawler, "forumscraper/run/status") == "failed"
        evidence = stat(crawler, "forumscraper/dates/clock_evidence")
        if summer_time == "turned off":
            assert re.search(
                r"are -1 h from the same posts' dates in the archive on \d+ posts \(topic \d+'s "
                r"last post was stored as .* and is listed now as",
                evidence,
            )
        else:
            assert re.search(
                r"are \+1 h from the same posts' dates in the archive on \d+ posts \(post \d+ was "
                r"stored as .* and is read now as",
                evidence,
            )
        # what it stored before the evidence was in is read again whole
        assert (
            stat(crawler, "forumscraper/db/new_posts", 0)
            + stat(crawler, "forumscraper/db/updated_posts", 0)
            == 0
            or stat(crawler, "forumscraper/dates/topics_reopened") > 0
        )

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
async def test_posts_read_again_on_an_unmoved_clock_pass(
    db_url: str, engine: Engine, board_as_of: BoardAsOf
) -> None:
    board = board_as_of(timedelta(hours=1))
    board.portal = True
    with FixtureForumServer(board, version="prosilver") as server:
        await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone)
        add_activity(board)
        crawler = await crawl("recent", db_url, base_url=server.base_url)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        assert stat(crawler, "forumscraper/dates/clock_mismatch", 0) == 0
    check_dates_are_the_boards(engine, board)
