"""What counts as covering a board, after runs that failed or could not judge.

A ``forum`` run may stop paging a topic list early only when a covered run proves the topics
beyond stored: after a first run that failed on a list page (no covered run), or after a run
that stored the first page's changes and failed on the second, the next run reads the lists on
(unchanged topics still not fetched). A ``recent`` run counts as covered only when its listings
reach back to the last covered run: not a ``-a full=1`` run after a pause, not a board's first
``recent`` run, not a run on a guessed clock; each warns, and so do the runs after it. A
"Recent topics" widget that leaves out a stored topic newer than its oldest entry (one set to
list some forums only) proves nothing. Against the fixture forum over HTTP, with the stored
rows compared with the board's, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select, update

from forumscraper.db.models import Board as BoardRow
from forumscraper.db.models import CrawlRun, Post, Topic
from forumscraper.db.state import NO_COVERED_RUN_KEY, RECENT_GAP_KEY, last_covered_start
from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.faults import Fault
from forumscraper.demo.render.common import VERSIONS
from forumscraper.demo.server import FixtureForumServer
from forumscraper.spiders.forum import UNKNOWN_TYPES_KEY, UNPROVEN_PAGES_KEY
from forumscraper.spiders.recent import WIDGET_LEFT_OUT_KEY
from tests.conftest import BoardAsOf
from tests.crawling import crawl, stat
from tests.test_crawl_forum import check_database_holds_the_board
from tests.test_incremental import full_crawl, minute, topic_requests
from tests.test_recent_listings import recent as recent_run

WIDGET = ["/robots.txt", "/"]
ACTIVE = "/search?search_id=activetopics"
FEED = "/feed/"
PAGE_2 = "/f2p50-"
"""Page 2 of forum 2's topic list (the demo's only forum with two pages)."""


@pytest.fixture
def board(board_as_of: BoardAsOf) -> Board:
    """The demo board as it stood three hours ago (the tests add posts, edit, delete): the
    replies tests add from the last two hours are then newer than every post before them, at any
    hour. Built now, just after the board's midnight, its "today" posts are minutes old."""
    return board_as_of(timedelta(hours=3))


async def forum_run(server: FixtureForumServer, board: Board, db_url: str, status: str) -> Crawler:
    server.clear_requests()
    crawler = await crawl(
        "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
    )
    assert stat(crawler, "forumscraper/run/status") == status
    return crawler


def covered(engine: Engine) -> datetime | None:
    with engine.connect() as connection:
        board_id = connection.execute(select(BoardRow.id)).scalar_one()
    return last_covered_start(engine, board_id)


def stored_topic_ids(engine: Engine) -> set[int]:
    with engine.connect() as connection:
        return set(connection.execute(select(Topic.id)).scalars())


def stored_post(engine: Engine, post_id: int) -> bool:
    with engine.connect() as connection:
        return connection.execute(select(Post.id).where(Post.id == post_id)).first() is not None


def move_runs_back(engine: Engine, delta: timedelta) -> None:
    """Pretend every recorded run started ``delta`` earlier (the crawler was paused since)."""
    with engine.begin() as connection:
        for run_id, started in connection.execute(select(CrawlRun.id, CrawlRun.started_at)).all():
            started = started if started.tzinfo else started.replace(tzinfo=UTC)
            connection.execute(
                update(CrawlRun).where(CrawlRun.id == run_id).values(started_at=started - delta)
            )


def second_page_topics(board: Board) -> set[int]:
    return {topic.id for topic in board.forum_list_paged(2)[50:]}


# -- forum: a list stops early only on a covered run's proof -----------------------------------


@deferred_f_from_coro_f
async def test_after_a_failed_first_run_the_next_runs_read_the_list_page_it_lost(
    server: FixtureForumServer,
    board: Board,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    lost = second_page_topics(board)
    assert len(lost) == 14
    # Page 2 of forum 2 answers 500 to the first run (both tries): the run fails.
    server.faults.add(PAGE_2, Fault(kind="status", status=500, times=2))
    await forum_run(server, board, db_url, "failed")
    assert stored_topic_ids(engine) & lost == set()
    assert covered(engine) is None

    # A recent run finds the board unchanged, but has no covered run to reach back to: it
    # says so and does not count as covered.
    with caplog.at_level(logging.WARNING):
        crawler = await recent_run(server, board, db_url)
    assert stat(crawler, NO_COVERED_RUN_KEY) == 1
    assert "No covered run of this board" in caplog.text
    assert covered(engine) is None

    # The next forum run reads every list to its end, fetching only the topics never stored.
    crawler = await forum_run(server, board, db_url, "finished")
    assert any(path.startswith(PAGE_2) for path in server.requests)
    assert stat(crawler, "forumscraper/incremental/no_covered_run") == 1
    assert stat(crawler, UNPROVEN_PAGES_KEY) == 1
    fetched = {int(m[1]) for path in topic_requests(server) if (m := re.match(r"/t(\d+)", path))}
    assert fetched == lost
    check_database_holds_the_board(engine, board)
    assert covered(engine) is not None

    # Covered now: an unchanged board costs what it cost before (page 2 not read).
    crawler = await forum_run(server, board, db_url, "finished")
    assert not any(path.startswith(PAGE_2) for path in server.requests)
    assert topic_requests(server) == []
    assert stat(crawler, UNPROVEN_PAGES_KEY) is None
    crawler = await recent_run(server, board, db_url)
    assert server.requests == WIDGET
    assert stat(crawler, NO_COVERED_RUN_KEY) is None
    assert stat(crawler, RECENT_GAP_KEY) is None


@pytest.mark.parametrize("language", ["en", "tr"])
@deferred_f_from_coro_f
async def test_a_first_page_stored_by_a_failed_run_proves_nothing_about_the_second(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine, language: str
) -> None:
    """Page 1 opens with the forum's announcement and sticky, untouched for a year. In Turkish
    they print type words the reader does not know ("Duyuru:", "Sabit:"): taken for normal
    topics, their old dates would prove page 2 stored and lose the reply."""
    board.language = language
    await full_crawl(server, board, db_url)
    move_runs_back(engine, timedelta(hours=2))  # the last covered run was two hours ago
    since = covered(engine)
    rocky = board.member_by_name("Rocky")
    paged = board.forum_list_paged(2)
    pinned = [topic for topic in paged if topic.announcement or topic.sticky]
    assert pinned == paged[:2] and all(t.last_post_at < minute(-60 * 24 * 300) for t in pinned)
    # A reply an hour ago in the forum's oldest topic, then replies to the 48 other topics of
    # page 1: the old topic heads page 2, behind them and the two pinned ones.
    quiet = paged[-1].id
    late = board.add_post(quiet, rocky, "<p>A reply an hour ago</p>", minute(-60))
    for index, topic in enumerate(paged[2:50]):
        board.add_post(topic.id, rocky, f"<p>Busy reply {index}</p>", minute(-30 + index // 10))
    assert quiet == board.forum_list_paged(2)[50].id

    # The nightly run stores page 1's replies and fails on page 2.
    server.faults.add(PAGE_2, Fault(kind="status", status=500, times=2))
    await forum_run(server, board, db_url, "failed")
    assert not stored_post(engine, late.id)
    assert covered(engine) == since

    # The next run finds page 1 unchanged, but its topics moved after the covered run: what
    # follows them is not proven stored, so page 2 is read and the reply found.
    crawler = await forum_run(server, board, db_url, "finished")
    assert any(path.startswith(PAGE_2) for path in server.requests)
    assert stat(crawler, UNPROVEN_PAGES_KEY) == 1
    assert stored_post(engine, late.id)
    check_database_holds_the_board(engine, board)
    with engine.connect() as connection:
        rows = connection.execute(select(Topic.id, Topic.topic_type))
        types = {topic_id: topic_type for topic_id, topic_type in rows}
    assert [types[topic.id] for topic in pinned] == (
        ["announcement", "sticky"] if language == "en" else [None, None]
    )
    assert stat(crawler, UNKNOWN_TYPES_KEY) == (None if language == "en" else 2)


# -- recent: covered only when its listings reach back ------------------------------------------


@deferred_f_from_coro_f
async def test_a_full_recent_run_after_a_pause_reports_its_gap_and_is_not_covered(
    server: FixtureForumServer,
    board: Board,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await full_crawl(server, board, db_url)
    move_runs_back(engine, timedelta(days=3))  # the crawler was down for three days
    since = covered(engine)
    rocky = board.member_by_name("Rocky")
    topics = board.live_topics()
    quiet = board.recent_topics(len(topics))[-1]
    missed = board.add_post(quiet.id, rocky, "<p>During the pause</p>", minute(-30 * 60))
    busy = [t.id for t in topics if t.id != quiet.id][:12]
    fresh = [
        board.add_post(t, rocky, f"<p>Fresh {i}</p>", minute(-12 + i)) for i, t in enumerate(busy)
    ]

    with caplog.at_level(logging.WARNING):
        crawler = await recent_run(server, board, db_url, full="1")
    gap = stat(crawler, RECENT_GAP_KEY)
    assert isinstance(gap, int) and timedelta(days=1) < timedelta(seconds=gap) < timedelta(days=3)
    assert "Gap: the board's listings (widget, activetopics, feed)" in caplog.text
    assert covered(engine) == since
    assert all(stored_post(engine, post.id) for post in fresh)
    assert not stored_post(engine, missed.id)  # no listing shows it: hence the warning

    # The next plain run still measures from the forum run and warns again.
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        crawler = await recent_run(server, board, db_url)
    assert stat(crawler, RECENT_GAP_KEY) is not None
    assert "Gap: the board's listings" in caplog.text
    assert covered(engine) == since

    await forum_run(server, board, db_url, "finished")
    check_database_holds_the_board(engine, board)
    crawler = await recent_run(server, board, db_url)
    assert stat(crawler, RECENT_GAP_KEY) is None


@deferred_f_from_coro_f
async def test_recent_runs_of_a_board_never_read_whole_are_not_covered(
    server: FixtureForumServer,
    board: Board,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        crawler = await recent_run(server, board, db_url)  # nothing covered: every listing
    assert set(server.requests) >= {*WIDGET, ACTIVE, FEED}
    assert stat(crawler, NO_COVERED_RUN_KEY) == 1
    assert "scrapy crawl forum" in caplog.text
    crawler = await recent_run(server, board, db_url, full="1")
    assert set(server.requests) >= {*WIDGET, ACTIVE, FEED}
    assert stat(crawler, NO_COVERED_RUN_KEY) == 1
    # Still nothing to reach back to: the older topics were never read.
    crawler = await recent_run(server, board, db_url)
    assert set(server.requests) >= {*WIDGET, ACTIVE, FEED}
    assert stat(crawler, NO_COVERED_RUN_KEY) == 1
    assert covered(engine) is None
    assert len(stored_topic_ids(engine)) < len(board.live_topics())

    # The forum run reads the board whole (unchanged stored topics are not fetched again);
    # from then on an unchanged board costs the widget's page.
    await forum_run(server, board, db_url, "finished")
    check_database_holds_the_board(engine, board)
    crawler = await recent_run(server, board, db_url)
    assert server.requests == WIDGET
    assert stat(crawler, NO_COVERED_RUN_KEY) is None
    assert stat(crawler, RECENT_GAP_KEY) is None


@deferred_f_from_coro_f
async def test_a_recent_run_on_a_guessed_clock_is_not_covered(
    db_url: str, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    # punBB prints the board's clock on no page a recent run reads; the board is on UTC, so
    # the guess is even right, but nothing shows it.
    board = build_demo_board()
    board.timezone = "UTC"
    board.__dict__.pop("tzinfo", None)
    board.changed()
    with FixtureForumServer(board, version="punbb") as server:
        await full_crawl(server, board, db_url)
        since = covered(engine)
        with engine.begin() as connection:
            connection.execute(update(BoardRow).values(timezone=None))  # no recorded zone
        with caplog.at_level(logging.WARNING):
            crawler = await crawl("recent", db_url, base_url=server.base_url)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert set(server.requests) >= {*WIDGET, ACTIVE, FEED}
    assert stat(crawler, RECENT_GAP_KEY) is not None
    assert "guessed timezone" in caplog.text
    assert covered(engine) == since
    check_database_holds_the_board(engine, board)


# -- recent: a widget that leaves out forums ----------------------------------------------------


@deferred_f_from_coro_f
async def test_a_widget_leaving_out_a_forum_proves_nothing(
    db_url: str, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    board = build_demo_board()
    board.recent_widget_hidden_forums = frozenset({4})  # "Introductions", a sub-forum
    with FixtureForumServer(board, version="prosilver") as server:
        await full_crawl(server, board, db_url)
        move_runs_back(engine, timedelta(minutes=20))  # the last check was 20 minutes ago
        topic = board.topic(120)
        assert topic is not None and topic.forum_id == 4
        rocky = board.member_by_name("Rocky")
        reply = board.add_post(120, rocky, "<p>In a forum the widget does not show</p>", minute(-2))
        with caplog.at_level(logging.INFO):
            crawler = await recent_run(server, board, db_url)
        # The archive's topic 120 (last post in November) is newer than the widget's oldest
        # entry yet not listed: the active topics are read, and list the reply.
        assert server.requests[:3] == [*WIDGET, ACTIVE]
        assert FEED not in server.requests
        assert stat(crawler, WIDGET_LEFT_OUT_KEY) == 1
        assert "does not list 1 stored topic(s)" in caplog.text and "topic 120 (" in caplog.text
        assert stat(crawler, RECENT_GAP_KEY) is None
        assert stored_post(engine, reply.id)
    check_database_holds_the_board(engine, board)


@pytest.mark.parametrize("version", VERSIONS)
@deferred_f_from_coro_f
async def test_a_widget_listing_every_forum_is_trusted_in_every_version(
    version: str, db_url: str, engine: Engine
) -> None:
    board = build_demo_board()
    # The mobile version shows no widget: its checks read the active topics, as before.
    listings = [*WIDGET, ACTIVE] if version == "mobile" else WIDGET
    with FixtureForumServer(board, version=version) as server:
        await full_crawl(server, board, db_url)
        crawler = await recent_run(server, board, db_url)
        assert server.requests == listings
        assert stat(crawler, WIDGET_LEFT_OUT_KEY) is None
        rocky = board.member_by_name("Rocky")
        reply = board.add_post(board.live_topics()[-1].id, rocky, "<p>A reply</p>", minute())
        crawler = await recent_run(server, board, db_url)
        assert server.requests[: len(listings)] == listings and FEED not in server.requests
        pages = server.requests[len(listings) :]  # the replied topic's last page only
        assert len(pages) == 1 and re.match(rf"/t{reply.topic_id}\D", pages[0]), pages
        assert stat(crawler, WIDGET_LEFT_OUT_KEY) is None
        assert stored_post(engine, reply.id)
    # Mobile topic lists show no view counts.
    views = frozenset(t.id for t in board.live_topics()) if version == "mobile" else frozenset()
    check_database_holds_the_board(engine, board, unknown_views=views)
