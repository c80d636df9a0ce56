"""Self-check: a topic page's posts are dated in the order they are printed.

Forumotion prints a topic's posts in posting order (a merged topic's posts too: by date), so a
post dated well before the one above it was misread: a month or weekday word taken for another,
a year guessed wrong. The run stops with both dates as evidence instead of storing them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, func, select

from forumscraper.db.models import CrawlRun, Post
from forumscraper.demo.content import Board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.runs import CLOCK_EVIDENCE_KEY, MISREAD_DATES_KEY
from forumscraper.spiders.clock import out_of_posting_order
from tests.crawling import crawl, stat

T = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)


def test_dates_in_posting_order_and_a_dst_hour_are_fine() -> None:
    dates = [
        ("a", T),
        ("undated", None),
        ("b", T + timedelta(days=3)),
        ("c", T + timedelta(days=3)),
    ]
    assert out_of_posting_order(dates, "u") is None
    # The hour a clock goes back is printed twice: a later post may read an hour earlier.
    assert out_of_posting_order([("a", T), ("b", T - timedelta(hours=1))], "u") is None
    assert out_of_posting_order([], "u") is None


def test_a_date_well_before_the_one_above_is_evidence() -> None:
    evidence = out_of_posting_order(
        [("Tue 05 Mar", T), ("Mar 02 Mar", None), ("Sat 02 Mar", T - timedelta(days=3))], "/t1-x"
    )
    assert evidence is not None
    assert evidence.startswith("/t1-x: 'Sat 02 Mar' was read as 2024-03-02 10:00 UTC, before")
    assert "'Tue 05 Mar' read as 2024-03-05 10:00 UTC" in evidence


@deferred_f_from_coro_f
async def test_a_page_dated_out_of_order_stops_the_run_and_stores_nothing_of_it(
    board: Board, db_url: str, engine: Engine
) -> None:
    """What a misread looks like on the page: the demo prints one post of the long topic
    two days before the post above it (a board cannot, so only a misread could show it)."""
    topic = board.topic(28)
    assert topic is not None
    misread = topic.live_posts[5]
    misread.posted_at = topic.live_posts[4].posted_at - timedelta(days=2)
    board.changed()
    with FixtureForumServer(board) as server:
        crawler = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
    assert stat(crawler, "forumscraper/run/status") == "failed"
    evidence = stat(crawler, MISREAD_DATES_KEY)
    assert "/t28-" in evidence and "while a topic's posts are printed in posting order" in evidence
    # Not a clock's stop: no timezone was found wrong.
    assert stat(crawler, CLOCK_EVIDENCE_KEY) is None
    assert stat(crawler, "forumscraper/dates/clock_mismatch") is None
    with engine.connect() as connection:
        message = connection.execute(
            select(CrawlRun.message).order_by(CrawlRun.id.desc()).limit(1)
        ).scalar_one()
    # The remedy said is not a timezone's: no zone mends a misread date word.
    assert message.startswith("dates were misread, the run stopped: ")
    assert "FORUMSCRAPER_TIMEZONE" not in message
    with engine.connect() as connection:
        stored = connection.execute(
            select(func.count()).where(Post.id.in_([p.id for p in topic.live_posts[:15]]))
        ).scalar_one()
    assert stored == 0, "nothing of the page is stored"
