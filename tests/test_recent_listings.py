"""How many listings a ``recent`` run reads: the widget alone when it covers the time since the
board's last covered run, the active topics next, the feed last; and a gap beyond every listing
reported, never passed over in silence. Against the fixture forum over HTTP, on SQLite and
PostgreSQL, with the stored rows compared with the board's."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, Row, insert, select, update

from forumscraper.db.board import register_board
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.models import CrawlRun, Post
from forumscraper.db.state import NO_COVERED_RUN_KEY, RECENT_GAP_KEY, last_covered_start
from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.faults import Fault
from forumscraper.demo.server import FixtureForumServer
from forumscraper.demo.site import respond
from forumscraper.pages.recent import RecentTopic
from forumscraper.spiders.recent import COVERAGE_MARGIN, listing_reach, proven_since
from tests.crawling import crawl, stat
from tests.test_crawl_forum import check_database_holds_the_board
from tests.test_incremental import full_crawl, minute

WIDGET = ["/robots.txt", "/"]
ACTIVE = "/search?search_id=activetopics"
FEED = "/feed/"
T0 = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def entry(topic_id: int, last_post_at: datetime | None) -> RecentTopic:
    return RecentTopic(
        topic_id=topic_id,
        url=f"https://b.example/t{topic_id}-x",
        title="x",
        last_post_at=last_post_at,
    )


# -- what a listing proves ---------------------------------------------------------------------


def test_an_ordered_dated_listing_reaches_back_to_its_oldest_entry() -> None:
    entries = [entry(3, T0), entry(2, T0), entry(1, T0 - timedelta(hours=2))]
    assert listing_reach(entries) == T0 - timedelta(hours=2)


@pytest.mark.parametrize(
    "entries, complete",
    [
        ([], True),  # no entry: a widget absent, disabled or empty
        ([entry(2, T0), entry(1, None)], True),  # an entry without a date
        ([entry(2, None), entry(1, T0 - timedelta(days=9))], True),
        ([entry(2, T0 - timedelta(days=9)), entry(1, T0)], True),  # not in last-post order
        ([entry(2, T0), entry(1, T0 - timedelta(days=9))], False),  # the page was cut off
    ],
)
def test_a_listing_that_cannot_tell_proves_nothing(
    entries: list[RecentTopic], complete: bool
) -> None:
    assert listing_reach(entries, complete) is None


def test_the_margin_covers_minute_dates_and_clock_differences() -> None:
    assert timedelta(minutes=10) == COVERAGE_MARGIN
    since = T0  # the last covered run started then (our clock)
    # Same clocks: an oldest entry 11 minutes before the run's start covers, 10 does not.
    assert proven_since(since - timedelta(minutes=11), T0, T0) < since
    assert not proven_since(since - timedelta(minutes=10), T0, T0) < since
    # A server 3 minutes behind ours prints its dates 3 minutes early: 11 no longer covers.
    behind = T0 - timedelta(minutes=3)
    assert not proven_since(since - timedelta(minutes=11), behind, T0) < since
    assert proven_since(since - timedelta(minutes=14), behind, T0) < since
    # A server ahead of ours never makes a listing cover more.
    ahead = T0 + timedelta(minutes=30)
    assert not proven_since(since - timedelta(minutes=10), ahead, T0) < since


# -- runs against the fixture forum --------------------------------------------------------------


async def recent(
    server: FixtureForumServer, board: Board, db_url: str, **spider_args: str
) -> Crawler:
    server.clear_requests()
    crawler = await crawl(
        "recent",
        db_url,
        base_url=server.base_url,
        spider_args=spider_args,
        FORUMSCRAPER_TIMEZONE=board.timezone,
    )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    return crawler


def run_row(engine: Engine, crawler: Crawler) -> Row[Any]:
    """The run's ``crawl_runs`` row: spider, status, requests, new posts, stats."""
    runs = CrawlRun.__table__
    with engine.connect() as connection:
        return connection.execute(
            select(
                runs.c.spider, runs.c.status, runs.c.requests, runs.c.new_posts, runs.c.stats
            ).where(runs.c.id == stat(crawler, "forumscraper/run/id"))
        ).one()


@deferred_f_from_coro_f
async def test_an_unchanged_board_costs_the_widget_page_only(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    await full_crawl(server, board, db_url)
    crawler = await recent(server, board, db_url)
    assert server.requests == WIDGET
    run = run_row(engine, crawler)
    assert (run.spider, run.status, run.requests, run.new_posts) == ("recent", "finished", 2, 0)
    assert run.stats["forumscraper/recent/listings_read"] == 1
    assert RECENT_GAP_KEY not in run.stats
    # Still one listing on the next check: a covered recent run counts as the last covered run.
    await recent(server, board, db_url)
    assert server.requests == WIDGET
    check_database_holds_the_board(engine, board)


@deferred_f_from_coro_f
async def test_more_moved_topics_than_the_widget_lists_are_read_from_the_active_topics(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    await full_crawl(server, board, db_url)
    rocky = board.member_by_name("Rocky")
    shown = board.recent_widget_topics
    moved = [t.id for t in board.live_topics()[: shown + 2]]
    for index, topic_id in enumerate(moved):
        board.add_post(topic_id, rocky, f"<b>Reply {index} after the last run</b>", minute())
    new_topics = [
        board.add_topic(5, f"A new topic {k}", rocky, f"First post {k}", minute()).id
        for k in range(3)
    ]
    crawler = await recent(server, board, db_url)

    assert server.requests[:3] == [*WIDGET, ACTIVE]
    assert FEED not in server.requests
    assert stat(crawler, "forumscraper/recent/listings_read") == 2
    assert stat(crawler, RECENT_GAP_KEY) is None
    assert stat(crawler, "forumscraper/db/new_posts") == len(moved) + len(new_topics)
    # Every post of the board is stored, as a full crawl stores it (the new topics' view
    # counts are shown by neither listing).
    check_database_holds_the_board(engine, board, unknown_views=frozenset(new_topics))


@deferred_f_from_coro_f
async def test_a_board_without_widget_entries_is_checked_on_the_active_topics(
    board: Board, db_url: str, engine: Engine
) -> None:
    board.recent_widget_topics = 0  # the widget disabled, or a portal without it
    with FixtureForumServer(board, version="prosilver") as server:
        await full_crawl(server, board, db_url)
        crawler = await recent(server, board, db_url)
        assert server.requests == [*WIDGET, ACTIVE]
        assert stat(crawler, "forumscraper/recent/widget_entries", 0) == 0
        rocky = board.member_by_name("Rocky")
        board.add_post(board.live_topics()[0].id, rocky, "A reply", minute())
        crawler = await recent(server, board, db_url)
        assert stat(crawler, "forumscraper/db/new_posts") == 1
        assert FEED not in server.requests
    check_database_holds_the_board(engine, board)


@deferred_f_from_coro_f
async def test_the_first_run_and_a_full_run_read_every_listing(
    server: FixtureForumServer, board: Board, db_url: str
) -> None:
    await recent(server, board, db_url)  # nothing covered yet: every listing
    assert set(server.requests) >= {*WIDGET, ACTIVE, FEED}
    await recent(server, board, db_url, full="1")
    assert set(server.requests) >= {*WIDGET, ACTIVE, FEED}
    # Neither had a covered run to reach back to, so neither proves the older topics stored:
    # every listing again, and the run says so (a forum run reads the board).
    crawler = await recent(server, board, db_url)
    assert set(server.requests) >= {*WIDGET, ACTIVE, FEED}
    assert stat(crawler, NO_COVERED_RUN_KEY) == 1


@deferred_f_from_coro_f
async def test_a_gap_beyond_every_listing_is_reported_and_the_forum_run_closes_it(
    server: FixtureForumServer,
    board: Board,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await full_crawl(server, board, db_url)
    # The crawler was down for three days: the last covered run started then.
    with engine.begin() as connection:
        connection.execute(
            update(CrawlRun).values(started_at=datetime.now(UTC) - timedelta(days=3))
        )
    rocky = board.member_by_name("Rocky")
    topics = board.live_topics()
    quiet = board.recent_topics(len(topics))[-1]  # a reply two days ago: listed nowhere now
    missed = board.add_post(quiet.id, rocky, "A reply during the downtime", minute(-2 * 24 * 60))
    busy = [t.id for t in topics if t.id != quiet.id][: board.recent_widget_topics + 2]
    for topic_id in busy:
        board.add_post(topic_id, rocky, "A reply today", minute())

    with caplog.at_level(logging.WARNING):
        crawler = await recent(server, board, db_url)
    assert server.requests[:4] == [*WIDGET, ACTIVE, FEED]
    gap = stat(crawler, RECENT_GAP_KEY)
    assert isinstance(gap, int) and timedelta(days=2) < timedelta(seconds=gap) < timedelta(days=3)
    assert "Gap: the board's listings (widget, activetopics, feed)" in caplog.text
    assert "scrapy crawl forum" in caplog.text
    assert stat(crawler, "forumscraper/db/new_posts") == len(busy)
    with engine.connect() as connection:
        stored = connection.execute(select(Post.id).where(Post.id == missed.id)).scalar()
    assert stored is None  # what no listing shows, recent cannot see: hence the warning

    # A run with a gap does not count as covered: the next check still measures from the
    # forum run three days ago, and says so again.
    crawler = await recent(server, board, db_url)
    assert stat(crawler, RECENT_GAP_KEY) is not None
    # The forum run catches up; from then on the listings cover again (the widget shows only
    # today's replies, the active topics reach back a day).
    crawler = await crawl(
        "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
    )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    check_database_holds_the_board(engine, board)
    crawler = await recent(server, board, db_url)
    assert server.requests == [*WIDGET, ACTIVE]
    assert stat(crawler, RECENT_GAP_KEY) is None


@deferred_f_from_coro_f
async def test_a_widget_page_cut_off_proves_nothing(
    server: FixtureForumServer, board: Board, db_url: str
) -> None:
    await full_crawl(server, board, db_url)
    # Prefix "/" matches every path: the first is robots.txt, the second the widget's page.
    server.faults.add("/", Fault(kind="truncate", keep=0.8, times=2))
    crawler = await recent(server, board, db_url)
    # Whatever entries the cut page still shows, what followed them is unknown.
    assert server.requests == [*WIDGET, ACTIVE]
    assert stat(crawler, RECENT_GAP_KEY) is None


@deferred_f_from_coro_f
async def test_active_topics_closed_to_guests_leave_the_feed_and_a_gap(
    server: FixtureForumServer,
    board: Board,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await full_crawl(server, board, db_url)
    server.faults.add("/search", Fault(kind="status", status=403, times=None))
    rocky = board.member_by_name("Rocky")
    moved = [t.id for t in board.live_topics()[: board.recent_widget_topics + 2]]
    for topic_id in moved:
        board.add_post(topic_id, rocky, "A reply", minute())
    new_topic = board.add_topic(5, "A new topic", rocky, "First post", minute()).id
    with caplog.at_level(logging.WARNING):
        crawler = await recent(server, board, db_url)
    assert server.requests[:4] == [*WIDGET, ACTIVE, FEED]
    assert stat(crawler, "forumscraper/recent/listings_unavailable") == 1
    assert stat(crawler, RECENT_GAP_KEY) is not None
    assert "Gap: the board's listings (widget, feed)" in caplog.text
    # What the widget and the feed show is stored; the replies the widget no longer lists are
    # not (that is the gap the warning names, for a forum run to close).
    shown = {topic.id for topic in board.recent_topics(board.recent_widget_topics)}
    assert new_topic in shown and len(set(moved) - shown) == 3
    with engine.connect() as connection:
        stored = set(
            connection.execute(
                select(Post.topic_id).where(Post.body_html.in_(["A reply", "First post"]))
            ).scalars()
        )
    assert stored == shown


def test_the_last_covered_run_is_the_newest_finished_one_without_a_gap(engine: Engine) -> None:
    upgrade_to_head(engine)
    board_id, _ = register_board(engine, "https://one.forumotion.com/")
    other_id, _ = register_board(engine, "https://two.forumotion.com/")
    assert last_covered_start(engine, board_id) is None  # the board's first run
    at = [T0 + timedelta(hours=hour) for hour in range(6)]
    runs = [
        ("forum", board_id, at[0], "finished", {}),
        ("recent", board_id, at[1], "finished", {"forumscraper/recent/entries": 3}),
        ("recent", board_id, at[2], "finished", {RECENT_GAP_KEY: 3600}),  # left a gap
        ("forum", board_id, at[3], "failed", {}),  # a page may have failed
        ("recent", board_id, at[4], "interrupted", {}),
        ("reprocess", board_id, at[4], "finished", {}),  # no crawl: proves nothing
        ("forum", other_id, at[5], "finished", {}),  # another board's
    ]
    with engine.begin() as connection:
        connection.execute(
            insert(CrawlRun.__table__),
            [
                {"spider": spider, "board_id": board, "started_at": started, "status": status}
                | {"stats": stats, "requests": 0, "pages": 0, "new_posts": 0}
                | {"updated_posts": 0, "errors": 0}
                for spider, board, started, status, stats in runs
            ],
        )
    assert last_covered_start(engine, board_id) == at[1]
    assert last_covered_start(engine, other_id) == at[5]


@deferred_f_from_coro_f
async def test_a_burst_after_a_quiet_day_is_covered_by_a_whole_active_topics_page(
    db_url: str, engine: Engine
) -> None:
    # Nothing moved during the day before the burst: the active topics list the burst only,
    # its oldest entry is newer than the last run; the page holding every match proves 24 hours.
    board = build_demo_board(datetime.now(UTC) - timedelta(days=2))
    rocky = board.member_by_name("Rocky")
    with FixtureForumServer(board, version="prosilver") as server:
        await full_crawl(server, board, db_url)
        burst = [t.id for t in board.live_topics()[: board.recent_widget_topics + 2]]
        for topic_id in burst:
            board.add_post(topic_id, rocky, "A reply in the burst", minute())
        crawler = await recent(server, board, db_url)
        assert server.requests[:3] == [*WIDGET, ACTIVE]
        assert FEED not in server.requests
        assert stat(crawler, RECENT_GAP_KEY) is None
        assert stat(crawler, "forumscraper/db/new_posts") == len(burst)
        check_database_holds_the_board(engine, board)

        # The same page saying the search found more than it shows (page 1 of 2) proves
        # nothing: the feed is read too, and the gap reported.
        for topic_id in burst:
            board.add_post(topic_id, rocky, "A second reply in the burst", minute())
        html = respond(board, ACTIVE, now=datetime.now(UTC), site=server.base_url).body.decode()
        shown = f"Search found {len(burst)} matches"
        assert html.count(shown) == 1
        cut = html.replace(shown, f"Search found {len(burst) + 50} matches").encode()
        server.faults.add("/search", Fault(kind="body", status=200, body=cut, times=None))
        crawler = await recent(server, board, db_url)
        assert server.requests[:4] == [*WIDGET, ACTIVE, FEED]
        assert stat(crawler, RECENT_GAP_KEY) is not None
        assert stat(crawler, "forumscraper/db/new_posts") == len(burst)
    check_database_holds_the_board(engine, board)
