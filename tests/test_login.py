"""Crawling as a logged-in member: real links instead of guest placeholders, member-only
forums, a wrong password failing fast, an expiring session renewed once, no password leaked."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, func, select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import Forum, Post, PostRevision, Topic
from forumscraper.demo.content import Board
from forumscraper.demo.content import Post as BoardPost
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import crawl, stat
from tests.members import MEMBER_FORUM, PASSWORD, TZ, member_server

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def server(board: Board) -> Iterator[FixtureForumServer]:
    with member_server(board) as server:
        yield server


def member_body(post: BoardPost) -> str:
    """The body a member gets: the seed post's has real links where ``body_html`` (a guest's
    copy) has placeholders."""
    return post.member_body_html or post.body_html


def posts_with_links(board: Board) -> dict[int, int]:
    """Post id -> placeholders written literally in its text, for posts holding real links."""
    return {
        post.id: member_body(post).count("You must be registered and logged in")
        for post in board.live_posts()
        if 'class="postlink"' in member_body(post)
    }


def member_forum_topics(board: Board) -> set[int]:
    return {t.id for t in board.live_topics() if t.forum_id == MEMBER_FORUM}


@deferred_f_from_coro_f
async def test_a_member_crawl_stores_real_links_and_member_only_forums(
    as_member: None, board: Board, server: FixtureForumServer, db_url: str, engine: Engine
) -> None:
    crawler = await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/login/success") == 1
    linked = posts_with_links(board)
    assert linked
    with engine.connect() as connection:
        rows = {
            row.id: row
            for row in connection.execute(
                select(Post.id, Post.links, Post.hidden_link_count).where(Post.id.in_(list(linked)))
            )
        }
        topics = set(connection.execute(select(Topic.id)).scalars())
    for post_id, literal in linked.items():
        assert rows[post_id].hidden_link_count == literal, post_id
        assert any(link["kind"] == "link" for link in rows[post_id].links), post_id
    assert member_forum_topics(board) <= topics
    assert len(topics) == len(board.live_topics())


@deferred_f_from_coro_f
async def test_a_guest_full_crawl_after_a_member_crawl_deletes_no_member_forum(
    as_member: None,
    monkeypatch: pytest.MonkeyPatch,
    board: Board,
    server: FixtureForumServer,
    db_url: str,
    engine: Engine,
) -> None:
    """The member-only forum is stored by a member crawl; a guest's index does not show it and
    a guest asking for it gets the login form: not a 404, so neither it nor its topics are
    marked deleted, and the run does not fail."""
    crawler = await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    monkeypatch.delenv("FORUMSCRAPER_USERNAME")
    monkeypatch.delenv("FORUMSCRAPER_PASSWORD")
    server.clear_requests()
    crawler = await crawl(
        "forum",
        db_url,
        base_url=server.base_url,
        spider_args={"full": "1"},
        FORUMSCRAPER_TIMEZONE=TZ,
    )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert any(path.startswith(f"/f{MEMBER_FORUM}-") for path in server.requests)  # asked for
    assert stat(crawler, "forumscraper/fetch/gone_forums") is None
    assert stat(crawler, "forumscraper/fetch/failed_pages") is None
    with engine.connect() as connection:
        forum_deleted = connection.execute(
            select(Forum.deleted_at).where(Forum.id == MEMBER_FORUM)
        ).scalar_one()
        topics_deleted = connection.execute(
            select(func.count()).select_from(Topic).where(Topic.deleted_at.is_not(None))
        ).scalar_one()
    assert forum_deleted is None
    assert topics_deleted == 0


@deferred_f_from_coro_f
async def test_a_guest_crawl_counts_the_placeholders_and_misses_member_forums(
    board: Board, server: FixtureForumServer, sqlite_url: str
) -> None:
    crawler = await crawl("forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    linked = posts_with_links(board)
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            counts = dict(
                connection.execute(
                    select(Post.id, Post.hidden_link_count).where(Post.id.in_(list(linked)))
                ).all()
            )
            topics = set(connection.execute(select(Topic.id)).scalars())
    finally:
        engine.dispose()
    for post_id, literal in linked.items():
        if post_id in counts:
            assert counts[post_id] > literal, post_id
    assert not member_forum_topics(board) & topics


@deferred_f_from_coro_f
async def test_a_wrong_password_fails_before_any_page_is_crawled(
    monkeypatch: pytest.MonkeyPatch, server: FixtureForumServer, sqlite_url: str
) -> None:
    monkeypatch.setenv("FORUMSCRAPER_USERNAME", "Rocky")
    monkeypatch.setenv("FORUMSCRAPER_PASSWORD", "not the password")
    crawler = await crawl("forum", sqlite_url, base_url=server.base_url)
    assert stat(crawler, "forumscraper/run/status") == "failed"
    assert "wrong user name or password" in stat(crawler, "forumscraper/login/failed")
    crawled = [p for p in server.requests if p.startswith(("/t", "/f", "/c"))]
    assert crawled == []


def expire_sessions_after(
    server: FixtureForumServer, requests: int
) -> tuple[threading.Thread, list[int]]:
    """A thread that logs everybody out once the forum has served ``requests`` requests; the
    list receives how many it had served when it did."""
    expired_at: list[int] = []

    def expire() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(server.requests) < requests:
            time.sleep(0.001)
        server.members.expire_all()
        expired_at.append(len(server.requests))

    thread = threading.Thread(target=expire, daemon=True)
    thread.start()
    return thread, expired_at


@deferred_f_from_coro_f
async def test_an_expired_session_is_renewed_once(
    as_member: None, board: Board, server: FixtureForumServer, sqlite_url: str
) -> None:
    thread, _ = expire_sessions_after(server, 25)
    crawler = await crawl(
        "forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ,
        CONCURRENT_REQUESTS_PER_DOMAIN=2,
    )  # fmt: skip
    thread.join(timeout=5)
    assert stat(crawler, "forumscraper/login/renewed") == 1
    assert server.members.logins == 2
    assert stat(crawler, "forumscraper/run/status") == "finished"
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            bodies = dict(connection.execute(select(Post.id, Post.body_html)).all())
    finally:
        engine.dispose()
    # Every post was stored as a member sees it: real links, no placeholder added.
    assert bodies == {post.id: member_body(post) for post in board.live_posts()}


@deferred_f_from_coro_f
async def test_the_renewed_login_goes_before_the_pages_already_queued(
    as_member: None, board: Board, server: FixtureForumServer, sqlite_url: str
) -> None:
    """Pages fetched between the expiry and the new login come back as guest pages and are
    fetched twice: the login must not wait behind the topics queued meanwhile."""
    thread, expired_at = expire_sessions_after(server, 25)
    crawler = await crawl(
        "forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ,
        CONCURRENT_REQUESTS=1, CONCURRENT_REQUESTS_PER_DOMAIN=1,
    )  # fmt: skip
    thread.join(timeout=5)
    assert stat(crawler, "forumscraper/login/renewed") == 1
    assert stat(crawler, "forumscraper/run/status") == "finished"
    logins = [i for i, path in enumerate(server.requests) if path.split("?")[0] == "/login"]
    assert len(logins) == 2 and expired_at
    # A page or two fetched while the guest page that shows the expiry is read, then the login
    # page (measured: 2 requests; 48 when the login waited behind the queued topics).
    gap = server.requests[expired_at[0] : logins[1] + 1]
    assert logins[1] - expired_at[0] <= 5, gap


@deferred_f_from_coro_f
async def test_a_member_recrawl_reveals_links_without_counting_an_edit(
    monkeypatch: pytest.MonkeyPatch,
    board: Board,
    server: FixtureForumServer,
    db_url: str,
    engine: Engine,
) -> None:
    await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    monkeypatch.setenv("FORUMSCRAPER_USERNAME", "Rocky")
    monkeypatch.setenv("FORUMSCRAPER_PASSWORD", PASSWORD)
    crawler = await crawl(
        "forum", db_url, base_url=server.base_url, spider_args={"full": "1"},
        FORUMSCRAPER_TIMEZONE=TZ,
    )  # fmt: skip
    linked = posts_with_links(board)
    hidden_forum = member_forum_topics(board)
    seen_as_guest = [
        p for p in board.live_posts() if p.id in linked and p.topic_id not in hidden_forum
    ]
    assert seen_as_guest
    assert stat(crawler, "forumscraper/db/links_revealed") == len(seen_as_guest)
    assert stat(crawler, "forumscraper/db/updated_posts", 0) == 0
    with engine.connect() as connection:
        revisions = connection.execute(select(func.count()).select_from(PostRevision)).scalar_one()
        counts = dict(
            connection.execute(
                select(Post.id, Post.hidden_link_count).where(Post.id.in_(list(linked)))
            ).all()
        )
    assert revisions == 0
    for post_id, literal in linked.items():
        assert counts[post_id] == literal, post_id


def test_the_password_is_absent_from_the_whole_log(
    server: FixtureForumServer, sqlite_url: str
) -> None:
    env = dict(
        os.environ,
        DATABASE_URL=sqlite_url,
        FORUMSCRAPER_TIMEZONE=TZ,
        FORUMSCRAPER_USERNAME="Rocky",
        FORUMSCRAPER_PASSWORD=PASSWORD,
    )
    process = subprocess.run(
        [
            sys.executable, "-m", "scrapy", "crawl", "forum", "-a", f"base_url={server.base_url}",
            "-s", "LOG_LEVEL=DEBUG", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert process.returncode == 0, process.stderr[-2000:]
    assert "Logged in as Rocky" in process.stderr
    assert PASSWORD not in process.stdout + process.stderr
    assert PASSWORD.replace(" ", "+") not in process.stdout + process.stderr
