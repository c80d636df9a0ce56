"""End to end on boards built unlike the default fixture, as real boards are: a portal in front
of the index (no clock on the home page), a timezone that is not the board's, announcements
repeated on every list page and global announcements listed in every forum, moved and merged
topics. The rows must be the board's truth, or the run must fail saying why."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select, text

from forumscraper.db.engine import make_engine
from forumscraper.db.models import CrawlRun, Post, Topic
from forumscraper.demo.content import Board, add_global_announcement, build_demo_board
from forumscraper.demo.faults import Fault
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import crawl, reply_time, stat
from tests.test_crawl_forum import VERSIONS, check_database_holds_the_board

CLOCKED = ["prosilver", "invision", "modernbb"]
"""Versions whose forum index (or every page's footer) shows guests the board's clock."""
UNCLOCKED = [v for v in VERSIONS if v not in CLOCKED]


def posts_by_id(engine: Engine) -> dict[int, Any]:
    with engine.connect() as connection:
        return {
            row.id: row
            for row in connection.execute(select(Post.id, Post.posted_at, Post.edited_at))
        }


def check_dates_are_the_boards(engine: Engine, board: Board) -> None:
    stored = posts_by_id(engine)
    for topic in board.live_topics():
        for post in topic.live_posts:
            row = stored[post.id]
            assert (row.posted_at, row.edited_at) == (post.posted_at, post.edited_at), post.id


def topic_pages(server: FixtureForumServer) -> list[str]:
    return [path for path in server.requests if re.match(r"/t\d+", path)]


def timezone_setting(board: Board, configured: bool) -> dict[str, str]:
    return {"FORUMSCRAPER_TIMEZONE": board.timezone} if configured else {}


# -- the board's clock -----------------------------------------------------------------------


@pytest.fixture
def portal_board() -> Board:
    board = build_demo_board()
    board.portal = True
    board.changed()
    return board


@pytest.mark.parametrize("configured", [False, True], ids=["inferred", "configured"])
@pytest.mark.parametrize("version", CLOCKED)
@deferred_f_from_coro_f
async def test_a_portal_fronted_board_gets_the_boards_dates_in_forum_and_recent_runs(
    version: str, configured: bool, portal_board: Board, db_url: str, engine: Engine
) -> None:
    board = portal_board
    assert board.timezone == "Asia/Baghdad"  # UTC+3: a date read as UTC is 3 hours late
    settings = timezone_setting(board, configured)
    with FixtureForumServer(board, version=version) as server:
        crawler = await crawl("forum", db_url, base_url=server.base_url, **settings)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        check_database_holds_the_board(
            engine,
            board,
            frozenset(t.id for t in board.live_topics()) if version == "mobile" else frozenset(),
        )
        # New posts, "Today at …" on the board's clock, read by a recent run.
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        rocky = board.member_by_name("Rocky")
        replied = reply_time(board, 28, timedelta(minutes=2))
        board.add_post(28, rocky, "Power is back in Karrada.", replied)
        board.add_topic(5, "A new topic, read by recent", rocky, "First!", now)
        server.clear_requests()
        crawler = await crawl("recent", db_url, base_url=server.base_url, **settings)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        assert stat(crawler, "forumscraper/db/new_posts") == 2
    check_dates_are_the_boards(engine, board)


@pytest.mark.parametrize("version", UNCLOCKED)
@deferred_f_from_coro_f
async def test_boards_that_show_guests_no_clock_get_the_boards_dates_when_configured(
    version: str, portal_board: Board, sqlite_url: str
) -> None:
    with FixtureForumServer(portal_board, version=version) as server:
        crawler = await crawl(
            "forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE="Asia/Baghdad"
        )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    engine = make_engine(sqlite_url)
    try:
        check_dates_are_the_boards(engine, portal_board)
    finally:
        engine.dispose()


@deferred_f_from_coro_f
async def test_recent_alone_on_a_portal_board_finds_the_clock_on_the_forum_index(
    portal_board: Board, sqlite_url: str
) -> None:
    # The first run of a database is a recent one: nothing recorded, no clock on the portal.
    with FixtureForumServer(portal_board, version="prosilver") as server:
        crawler = await crawl("recent", sqlite_url, base_url=server.base_url)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        assert server.requests[:2] == ["/robots.txt", "/"] and server.requests[2] == "/forum"
    engine = make_engine(sqlite_url)
    try:
        stored = posts_by_id(engine)
        assert stored
        truth = {p.id: p.posted_at for p in portal_board.live_posts()}
        assert {pid: row.posted_at for pid, row in stored.items()} == {
            pid: truth[pid] for pid in stored
        }
    finally:
        engine.dispose()


@deferred_f_from_coro_f
async def test_a_timezone_that_is_not_the_boards_fails_the_run_before_storing_dates(
    board: Board, sqlite_url: str
) -> None:
    with FixtureForumServer(board, version="prosilver") as server:
        crawler = await crawl(
            "forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE="UTC"
        )
    assert stat(crawler, "forumscraper/run/status") == "failed"
    assert stat(crawler, "forumscraper/dates/clock_mismatch") >= 1
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            run = connection.execute(select(CrawlRun.status, CrawlRun.message)).one()
            stored_posts = connection.execute(text("SELECT count(*) FROM posts")).scalar_one()
    finally:
        engine.dispose()
    assert run.status == "failed"
    assert "dates disagree with the board's clock" in run.message
    assert "FORUMSCRAPER_TIMEZONE" in run.message and "UTC" in run.message
    assert stored_posts == 0  # the index's clock caught it before any topic was read


@deferred_f_from_coro_f
async def test_dates_after_the_servers_clock_fail_the_run_where_no_page_shows_a_clock(
    sqlite_url: str,
) -> None:
    # phpBB2 shows guests no clock: only the dates can tell that UTC is not the board's zone.
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # 15:00 in Baghdad
    board = build_demo_board(now)
    rocky = board.member_by_name("Rocky")
    board.add_post(28, rocky, "Half an hour ago, on the board's clock.", now - timedelta(hours=1))
    with FixtureForumServer(board, version="subsilver", clock=lambda: now) as server:
        crawler = await crawl(
            "forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE="UTC"
        )
    assert stat(crawler, "forumscraper/run/status") == "failed"
    evidence = stat(crawler, "forumscraper/dates/clock_evidence")
    # The list page showing topic 28's last post is read before topic 28 itself.
    assert "after the server's Date header" in evidence and re.search(r"/(f5|t28)-", evidence)
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            message = connection.execute(select(CrawlRun.message)).scalar_one()
            late = connection.execute(
                select(Post.id).where(Post.posted_at > now + timedelta(minutes=1))
            ).all()
    finally:
        engine.dispose()
    assert evidence in message
    assert late == []  # the page with the impossible date was not stored


# -- announcements, global announcements, moved and merged topics ------------------------------


def variant_board(version: str) -> Board:
    """The demo board with every list-page variation a real board shows."""
    board = build_demo_board()
    board.portal = True
    board.announcements_on_every_page = True
    board.reordered_markup = version == "prosilver"
    add_global_announcement(board, forum_id=1)
    forum5 = board.forum_topics(5)
    board.merge_topic(forum5[-1].id, forum5[0].id, keep_row=True)
    board.move_topic(board.forum_topics(8)[0].id, 6, shadow=True)
    board.changed()
    return board


@pytest.fixture(params=VERSIONS)
def variant(request: pytest.FixtureRequest) -> Iterator[tuple[Board, FixtureForumServer]]:
    board = variant_board(request.param)
    with FixtureForumServer(board, version=request.param) as server:
        yield board, server


@deferred_f_from_coro_f
async def test_every_listed_topic_is_fetched_once_and_completed(
    variant: tuple[Board, FixtureForumServer], db_url: str
) -> None:
    board, server = variant
    crawler = await crawl(
        "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
    )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    repeated = [path for path, n in Counter(topic_pages(server)).items() if n > 1]
    assert repeated == []
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            live = connection.execute(
                select(
                    Topic.id, Topic.forum_id, Topic.reply_count, Topic.last_post_at, Topic.title
                ).where(Topic.deleted_at.is_(None))
            ).all()
        # The property: no live topic the listings showed is left without its watermark.
        assert [t.id for t in live if t.reply_count is None or t.last_post_at is None] == []
        truth = {t.id: t for t in board.live_topics()}
        assert {t.id for t in live} == set(truth)
        for row in live:
            topic = truth[row.id]
            assert (row.forum_id, row.reply_count, row.last_post_at, row.title) == (
                topic.forum_id,
                topic.reply_count,
                topic.last_post_at,
                topic.title,
            ), row.id
        check_dates_are_the_boards(engine, board)
        # An unchanged board: the next forum run reads no topic page, announcements included.
        server.clear_requests()
        again = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
        assert stat(again, "forumscraper/run/status") == "finished"
        assert topic_pages(server) == []
    finally:
        engine.dispose()


@deferred_f_from_coro_f
async def test_moved_and_merged_topics_keep_what_the_listings_showed(
    db_url: str, engine: Engine
) -> None:
    board = build_demo_board()
    forum5 = board.forum_topics(5)
    old, into = forum5[-1], forum5[0]
    old_title, old_author, old_forum = old.title, old.author_name, old.forum_id
    board.merge_topic(old.id, into.id, keep_row=True)
    moved = board.move_topic(board.forum_topics(8)[0].id, 6, shadow=True)
    with FixtureForumServer(board, version="prosilver") as server:
        crawler = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
        assert stat(crawler, "forumscraper/run/status") == "finished"
        assert stat(crawler, "forumscraper/fetch/moved_topics") == 1
        # The merged topic's address answered a redirect: the target was not fetched twice.
        assert Counter(topic_pages(server))[f"/t{into.id}-{into.slug}"] <= 1
    with engine.connect() as connection:
        row = connection.execute(
            select(Topic.title, Topic.author_name, Topic.forum_id, Topic.moved_to_id).where(
                Topic.id == old.id
            )
        ).one()
        moved_row = connection.execute(
            select(Topic.forum_id, Topic.topic_type).where(Topic.id == moved.id)
        ).one()
        counted = connection.execute(
            text("SELECT count(*) FROM topic_activity WHERE topic_id IN (:a, :b)"),
            {"a": old.id, "b": into.id},
        ).scalar_one()
        in_target = connection.execute(
            select(Post.id).where(Post.topic_id == into.id, Post.deleted_at.is_(None))
        ).scalars()
        target_posts = set(in_target)
    assert tuple(row) == (old_title, old_author, old_forum, into.id)
    assert tuple(moved_row) == (6, "normal")  # its new forum, never the shadow's
    assert counted == 1  # the merged topic is not counted twice
    assert target_posts == {p.id for p in board.topic(into.id).live_posts}  # type: ignore[union-attr]


@deferred_f_from_coro_f
async def test_a_topic_address_that_redirects_within_the_topic_is_followed(
    board: Board, sqlite_url: str
) -> None:
    # Not a move (a board now on https, a corrected slug): the page is read where it went.
    topic = board.topic(28)
    assert topic is not None
    with FixtureForumServer(board, version="prosilver") as server:
        server.faults.add(
            f"/t28-{topic.slug}", Fault(kind="redirect", status=301, location="/t28-new-slug")
        )
        crawler = await crawl(
            "forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
        assert "/t28-new-slug" in server.requests
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/fetch/moved_topics") is None
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                select(Topic.reply_count, Topic.moved_to_id).where(Topic.id == 28)
            ).one()
            stored = set(connection.execute(select(Post.id).where(Post.topic_id == 28)).scalars())
    finally:
        engine.dispose()
    assert tuple(row) == (topic.reply_count, None)
    assert stored == {p.id for p in topic.live_posts}
