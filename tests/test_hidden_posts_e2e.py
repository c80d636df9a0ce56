"""Posts hidden from a member crawl's account, end to end, on SQLite and PostgreSQL.

A member whose profile ignores another gets each of that member's posts as Forumotion's
``postrow.hidden`` block: a message in the post's place (FACTS.md §2.1). The crawl cannot archive
those posts; it must not take them for deleted, and the posts after them keep their places. The
run counts them and says what to do.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select

from forumscraper.db.models import Post, Topic
from forumscraper.demo.content import Board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.spiders.topics import HIDDEN_POSTS_KEY
from tests.crawling import crawl, stat
from tests.members import PASSWORD, TZ, member_server

IGNORED = "Layla"


@pytest.fixture
def server(board: Board) -> Iterator[FixtureForumServer]:
    """The demo with Rocky's account, whose profile ignores :data:`IGNORED`."""
    with member_server(board, member_only_forum=False) as server:
        server.members.ignored.add(IGNORED)
        yield server


def board_posts(board: Board) -> dict[int, tuple[int, int, str]]:
    """Every live post of the board: id -> (topic, position, author)."""
    return {
        post.id: (topic.id, position, post.author_name)
        for topic in board.topics
        for position, post in enumerate(topic.live_posts)
    }


def stored_posts(engine: Engine) -> dict[int, tuple[int, int | None, str | None]]:
    """The live posts stored: id -> (topic, position, author)."""
    query = select(Post.id, Post.topic_id, Post.position, Post.author_name).where(
        Post.deleted_at.is_(None)
    )
    with engine.connect() as connection:
        return {
            row.id: (row.topic_id, row.position, row.author_name)
            for row in connection.execute(query)
        }


def stored_topics(engine: Engine) -> dict[int, tuple[int | None, str | None]]:
    """Topic id -> (reply count, starter's name)."""
    with engine.connect() as connection:
        rows = connection.execute(select(Topic.id, Topic.reply_count, Topic.author_name)).all()
    return {row.id: (row.reply_count, row.author_name) for row in rows}


def ignored_posts(board: Board) -> set[int]:
    return {pid for pid, (_, _, author) in board_posts(board).items() if author == IGNORED}


@deferred_f_from_coro_f
async def test_a_member_crawl_stores_every_post_it_sees_in_its_place(
    as_member: None,
    board: Board,
    server: FixtureForumServer,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hidden = ignored_posts(board)
    assert len(hidden) >= 6
    with caplog.at_level(logging.WARNING):
        crawler = await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/login/success") == 1
    assert stat(crawler, HIDDEN_POSTS_KEY) == len(hidden)
    assert "hidden from the crawl's account" in caplog.text
    assert "empty the account's ignore list" in caplog.text
    expected = {pid: where for pid, where in board_posts(board).items() if pid not in hidden}
    assert stored_posts(engine) == expected
    # A topic whose first post is hidden takes its starter from the page's JSON-LD, never
    # from the first post shown.
    topics = stored_topics(engine)
    assert any(topic.live_posts[0].id in hidden for topic in board.topics)
    for topic in board.topics:
        starter = topic.live_posts[0].author_name
        assert topics[topic.id] == (len(topic.live_posts) - 1, starter), topic.id
    # The board unchanged, the next run reads no topic again (stored posts count fewer rows
    # than the topics' replies, and that is no change).
    again = await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(again, "forumscraper/run/status") == "finished"
    assert stat(again, "forumscraper/incremental/changed_topics", 0) == 0
    assert stat(again, HIDDEN_POSTS_KEY, 0) == 0
    assert stored_posts(engine) == expected


@deferred_f_from_coro_f
async def test_posts_hidden_from_the_account_are_not_taken_for_deleted(
    monkeypatch: pytest.MonkeyPatch,
    board: Board,
    server: FixtureForumServer,
    db_url: str,
    engine: Engine,
) -> None:
    """A guest run stored every post; the weekly member run (``full=1``) sees some of them
    hidden: they stay live, every post where it was, and a post deleted meanwhile is still
    found deleted in the topics without hidden posts."""
    guest = await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(guest, "forumscraper/run/status") == "finished"
    assert stat(guest, HIDDEN_POSTS_KEY, 0) == 0
    everything = board_posts(board)
    assert stored_posts(engine) == everything
    # A post with no hidden one in its topic is deleted from the board meanwhile.
    hidden = ignored_posts(board)
    hidden_topics = {everything[pid][0] for pid in hidden}
    topic = next(t for t in board.topics if t.id not in hidden_topics and len(t.live_posts) > 2)
    doomed = topic.live_posts[-1].id
    board.delete_post(doomed)

    monkeypatch.setenv("FORUMSCRAPER_USERNAME", "Rocky")
    monkeypatch.setenv("FORUMSCRAPER_PASSWORD", PASSWORD)
    member = await crawl(
        "forum", db_url, base_url=server.base_url, spider_args={"full": "1"},
        FORUMSCRAPER_TIMEZONE=TZ,
    )  # fmt: skip
    assert stat(member, "forumscraper/run/status") == "finished"
    assert stat(member, HIDDEN_POSTS_KEY) == len(hidden)
    assert stat(member, "forumscraper/db/deleted_posts") == 1
    everything.pop(doomed)
    assert stored_posts(engine) == everything
