"""Faults a forum and its network really throw, and the crawl losing nothing to them.

Every scenario ends by comparing the database with the fixture board, so "nothing lost, nothing
twice" is checked row by row, not assumed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, func, select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import Post, Topic
from forumscraper.demo.content import Board
from forumscraper.demo.faults import Fault
from forumscraper.demo.server import FixtureForumServer
from forumscraper.demo.site import respond
from tests.crawling import crawl, stat
from tests.test_crawl_forum import check_database_holds_the_board

TZ = "Asia/Baghdad"


def watermark(engine: Engine, topic_id: int) -> datetime | None:
    with engine.connect() as connection:
        return connection.execute(
            select(Topic.last_crawled_at).where(Topic.id == topic_id)
        ).scalar_one_or_none()


def message_page(board: Board) -> bytes:
    """Forumotion's information box ("… does not exist"), as the forum would send it."""
    return respond(board, "/t999999-x", now=datetime.now(UTC), site="http://x").body


@deferred_f_from_coro_f
async def test_server_errors_and_429_are_retried_with_backoff(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    server.faults.add("/t28p15-", Fault(kind="status", status=500))
    server.faults.add("/t119-", Fault(kind="status", status=502))
    server.faults.add("/f2p50-", Fault(kind="status", status=503))
    server.faults.add("/t121-", Fault(kind="status", status=429, headers={"Retry-After": "1"}))
    server.faults.add("/t12-", Fault(kind="status", status=429))
    crawler = await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert len(server.faults.applied) == 5
    assert stat(crawler, "retry/count") == 5
    assert stat(crawler, "forumscraper/throttle/slowed_down_429") == 2
    assert stat(crawler, "forumscraper/throttle/slowed_down_503") == 1
    check_database_holds_the_board(engine, board)


@deferred_f_from_coro_f
async def test_timeouts_resets_and_cut_off_pages_are_fetched_again(
    server: FixtureForumServer, board: Board, sqlite_url: str
) -> None:
    server.faults.add("/t12-", Fault(kind="stall", seconds=2.5))
    server.faults.add("/t15-", Fault(kind="reset"))
    server.faults.add("/t16-", Fault(kind="truncate", keep=0.6))
    server.faults.add("/t28-", Fault(kind="truncate", keep=0.95))
    crawler = await crawl(
        "forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ, DOWNLOAD_TIMEOUT=1
    )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert sorted(kind for _, kind in server.faults.applied) == [
        "reset",
        "stall",
        "truncate",
        "truncate",
    ]
    assert (
        stat(crawler, "forumscraper/extract/empty_page/truncated", 0)
        + stat(crawler, "retry/reason_count/forumscraper_truncated", 0)
        >= 1
    )
    engine = make_engine(sqlite_url)
    try:
        check_database_holds_the_board(engine, board)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("page", "problem"),
    [("message", "message"), ("maintenance", "not_forumotion"), ("login_wall", "login_wall")],
)
@deferred_f_from_coro_f
async def test_a_200_error_page_is_never_read_as_an_empty_topic(
    page: str, problem: str, server: FixtureForumServer, board: Board, sqlite_url: str
) -> None:
    bodies = {
        "message": message_page(board),
        "maintenance": b"<html><body><h1>Forum under maintenance</h1></body></html>",
        "login_wall": (
            b'<html><head><script>_userdata["session_logged_in"] = 0;</script></head><body>'
            b'<form action="/login" method="post"><input name="username" />'
            b'<input type="password" name="password" /></form></body></html>'
        ),
    }
    server.faults.add("/t18-", Fault(kind="body", status=200, body=bodies[page], times=None))
    crawler = await crawl("forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/run/status") == "failed"
    assert stat(crawler, f"forumscraper/extract/empty_page/{problem}") >= 1
    engine = make_engine(sqlite_url)
    try:
        assert watermark(engine, 18) is None
        with engine.connect() as connection:
            posts_18 = connection.execute(
                select(func.count()).select_from(Post).where(Post.topic_id == 18)
            ).scalar_one()
        assert posts_18 == 0
        server.faults.clear()
        again = await crawl("forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
        assert stat(again, "forumscraper/run/status") == "finished"
        check_database_holds_the_board(engine, board)
    finally:
        engine.dispose()


@deferred_f_from_coro_f
async def test_a_page_failing_for_good_keeps_its_topic_for_the_next_run(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    server.faults.add("/t28p15-", Fault(kind="status", status=500, times=None))
    crawler = await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/run/status") == "failed"
    assert stat(crawler, "forumscraper/fetch/failed_pages") == 1
    assert watermark(engine, 28) is None
    assert watermark(engine, 119) is not None
    server.faults.clear()
    server.clear_requests()
    again = await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(again, "forumscraper/run/status") == "finished"
    assert {p.split("-")[0] for p in server.requests if p.startswith("/t")} == {
        "/t28",
        "/t28p15",
        "/t28p30",
    }
    check_database_holds_the_board(engine, board)


@deferred_f_from_coro_f
async def test_a_redirect_loop_fails_the_page_not_the_crawl(
    server: FixtureForumServer, board: Board, sqlite_url: str
) -> None:
    server.faults.add(
        "/t15-", Fault(kind="redirect", status=302, location="/t15-again", times=None)
    )
    crawler = await crawl(
        "forum",
        sqlite_url,
        base_url=server.base_url,
        FORUMSCRAPER_TIMEZONE=TZ,
        REDIRECT_MAX_TIMES=3,
    )
    assert stat(crawler, "forumscraper/run/status") == "failed"
    lost = stat(crawler, "forumscraper/fetch/failed_pages", 0)
    lost += stat(crawler, "forumscraper/fetch/lost_topics", 0)
    assert lost == 1
    engine = make_engine(sqlite_url)
    try:
        assert watermark(engine, 15) is None
        assert watermark(engine, 16) is not None
    finally:
        engine.dispose()


@deferred_f_from_coro_f
async def test_a_page_sent_in_another_encoding_than_declared_is_read_right(
    server: FixtureForumServer, board: Board, sqlite_url: str
) -> None:
    arabic = next(t for t in board.live_topics() if t.forum_id == 6)
    server.faults.add(f"/t{arabic.id}-", Fault(kind="encoding", encoding="windows-1256"))
    server.faults.add("/t119-", Fault(kind="encoding", encoding="iso-8859-1"))
    crawler = await crawl("forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert len(server.faults.applied) == 2
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            title = connection.execute(
                select(Topic.title).where(Topic.id == arabic.id)
            ).scalar_one()
            texts = (
                connection.execute(select(Post.body_text).where(Post.topic_id == arabic.id))
                .scalars()
                .all()
            )
        assert title == arabic.title
        assert all("\ufffd" not in text for text in texts)
    finally:
        engine.dispose()


@deferred_f_from_coro_f
async def test_a_moved_topic_is_stored_under_its_new_id_and_the_old_id_kept(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    target = board.topic(16)
    assert target is not None
    server.faults.add("/t15-", Fault(kind="redirect", status=301, location="/t16-x", times=None))
    crawler = await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/fetch/moved_topics") == 1
    with engine.connect() as connection:
        old = connection.execute(
            select(Topic.moved_to_id, Topic.deleted_at).where(Topic.id == 15)
        ).one()
        new_posts = connection.execute(
            select(func.count()).select_from(Post).where(Post.topic_id == 16)
        ).scalar_one()
    assert old.moved_to_id == 16 and old.deleted_at is not None
    assert new_posts == len(target.live_posts)
    assert watermark(engine, 16) is not None
