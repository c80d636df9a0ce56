"""End to end: the real ``forum`` spider, in-process, against the fixture forum served on
127.0.0.1, into a real PostgreSQL and into SQLite. The database must hold exactly the board."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, func, select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import Base, CrawlRun, Forum, Post, Topic
from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.pages.versions import VERSIONS as REGISTERED_VERSIONS
from tests.crawling import crawl, stat
from tests.pages.conftest import html_text

VERSIONS = list(REGISTERED_VERSIONS)
"""Every registered template version: a version added to the registry is crawled here at once."""
NO_VIEW_COUNTS = {"mobile"}
"""Versions that print no view counts (topic lists nor topic pages): view_count stays NULL."""


@pytest.fixture(scope="module")
def board() -> Board:
    return build_demo_board()


@pytest.fixture(params=VERSIONS)
def forum_server(request: pytest.FixtureRequest, board: Board) -> Iterator[FixtureForumServer]:
    with FixtureForumServer(board, version=request.param) as server:
        yield server


def rows(engine: Engine, model: type[Base], *columns: str) -> dict[int, dict[str, Any]]:
    table = model.__table__
    with engine.connect() as connection:
        result = connection.execute(select(table.c.id, *(table.c[c] for c in columns)))
        return {row.id: row._asdict() for row in result}


def count(engine: Engine, model: type[Base]) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


def check_database_holds_the_board(
    engine: Engine, board: Board, unknown_views: frozenset[int] = frozenset()
) -> None:
    """Every forum, live topic and live post of ``board`` is stored once with its fields.

    ``unknown_views``: topics only seen through listings that show neither view counts nor
    descriptions (NULL: not known, never "none")."""
    forums = rows(engine, Forum, "title", "description", "parent_id", "category_id")
    assert forums == {
        forum.id: {
            "id": forum.id,
            "title": forum.title,
            "description": html_text(forum.description),
            "parent_id": forum.parent_id,
            "category_id": forum.category_id,
        }
        for forum in board.forums
    }
    topics = rows(
        engine,
        Topic,
        "forum_id",
        "title",
        "description",
        "author_name",
        "reply_count",
        "view_count",
        "last_post_at",
    )
    expected_topics = {
        topic.id: {
            "id": topic.id,
            "forum_id": topic.forum_id,
            "title": topic.title,
            "description": topic.description,
            "author_name": topic.author_name,
            "reply_count": topic.reply_count,
            "view_count": topic.views,
            "last_post_at": topic.last_post_at,
        }
        for topic in board.live_topics()
    }
    for topic_id in unknown_views:
        expected_topics[topic_id]["view_count"] = None
        expected_topics[topic_id]["description"] = None
    assert topics.keys() == expected_topics.keys()
    for topic_id, expected_topic in expected_topics.items():
        assert topics[topic_id] == expected_topic, f"topic {topic_id}"
    posts = rows(
        engine,
        Post,
        "topic_id",
        "position",
        "author_name",
        "author_id",
        "posted_at",
        "edited_at",
        "edit_count",
        "body_html",
    )
    expected_posts = {
        post.id: {
            "id": post.id,
            "topic_id": topic.id,
            "position": position,
            "author_name": post.author_name,
            "author_id": post.author.id if post.author else None,
            "posted_at": post.posted_at,
            "edited_at": post.edited_at,
            "edit_count": post.edit_count,
            "body_html": post.body_html,
        }
        for topic in board.live_topics()
        for position, post in enumerate(topic.live_posts)
    }
    assert posts.keys() == expected_posts.keys()
    for post_id, expected in expected_posts.items():
        assert posts[post_id] == expected, f"post {post_id}"


@deferred_f_from_coro_f
async def test_forum_crawl_stores_every_forum_topic_and_post_once(
    forum_server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    crawler = await crawl(
        "forum", db_url, base_url=forum_server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
    )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    blind = forum_server.version in NO_VIEW_COUNTS
    unknown_views = frozenset(t.id for t in board.live_topics()) if blind else frozenset()
    check_database_holds_the_board(engine, board, unknown_views)
    assert stat(crawler, "forumscraper/db/new_posts") == len(board.live_posts())

    counts = [count(engine, model) for model in (Forum, Topic, Post)]
    requested = list(forum_server.requests)
    assert len(requested) == len(set(requested)), "a page was requested twice"
    assert not [path for path in requested if re.search(r"/t\d+[pn]-", path)]

    again = await crawl(
        "forum", db_url, base_url=forum_server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
    )
    assert stat(again, "forumscraper/run/status") == "finished"
    assert [count(engine, model) for model in (Forum, Topic, Post)] == counts
    assert stat(again, "forumscraper/db/new_posts", 0) == 0
    assert stat(again, "forumscraper/db/updated_posts", 0) == 0
    with engine.connect() as connection:
        statuses = connection.execute(select(CrawlRun.status).order_by(CrawlRun.id)).scalars().all()
    assert statuses == ["finished", "finished"]


@deferred_f_from_coro_f
async def test_bodies_hold_no_container_markup_and_no_sponsored_post(
    board: Board, sqlite_url: str
) -> None:
    with FixtureForumServer(board, version="prosilver") as server:
        await crawl("forum", sqlite_url, base_url=server.base_url)
    engine = make_engine(sqlite_url)
    try:
        posts = rows(engine, Post, "body_html", "body_text", "signature_html")
    finally:
        engine.dispose()
    assert 0 not in posts
    for post_id, row in posts.items():
        assert "signature_div" not in row["body_html"], post_id
        assert 'class="post ' not in row["body_html"], post_id
        if row["signature_html"]:
            assert row["signature_html"] not in row["body_html"], post_id


@deferred_f_from_coro_f
async def test_a_forced_template_version_is_asked_for_on_every_request(
    board: Board, sqlite_url: str
) -> None:
    with FixtureForumServer(board, version="prosilver") as server:
        crawler = await crawl(
            "forum",
            sqlite_url,
            base_url=server.base_url,
            FORUMSCRAPER_TIMEZONE=board.timezone,
            FORUMSCRAPER_TEMPLATE_VERSION="subsilver",
        )
        requested = [path for path in server.requests if path != "/robots.txt"]
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert requested and all("change_version=subsilver" in path for path in requested)
    engine = make_engine(sqlite_url)
    try:
        check_database_holds_the_board(engine, board)
    finally:
        engine.dispose()


@deferred_f_from_coro_f
async def test_a_list_pages_topics_are_fetched_before_the_next_list_page(
    board: Board, sqlite_url: str
) -> None:
    """Topic requests go first, so the scheduler holds one list page's topics, not the topics of
    every list page read so far (a forum of 100,000 topics would queue them all)."""
    forum_id = 2
    assert len([t for t in board.topics if t.forum_id == forum_id]) > board.topics_per_page
    with FixtureForumServer(board, version="prosilver") as server:
        crawler = await crawl(
            "forum",
            sqlite_url,
            base_url=server.base_url,
            CONCURRENT_REQUESTS=1,
            CONCURRENT_REQUESTS_PER_DOMAIN=1,
        )
        requested = list(server.requests)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    topic_paths = {f"/t{t.id}-" for t in board.topics if t.forum_id == forum_id}
    second_list_page = next(
        i for i, path in enumerate(requested) if path.startswith(f"/f{forum_id}p50-")
    )
    topics_before = {
        path.split("-")[0] + "-"
        for path in requested[:second_list_page]
        if path.split("-")[0] + "-" in topic_paths
    }
    assert len(topics_before) == board.topics_per_page
