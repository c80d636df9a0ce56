"""A moderator splits posts out of a topic into a new one (``/modcp?mode=split``).

The posts keep their ids and dates, so the new topic is listed as far down its forum's list as
its last post is old: an incremental ``forum`` run that stops paging at a proven page never
sees it, and the posts, gone from their old topic, were marked deleted while they are live
elsewhere. Posts that vanish from a stored topic now make the run read every list to its end
(in the same run when it sees them vanish, in the next ``forum`` run when another run did), so
the new topic is found and the posts take their new place.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select

from forumscraper.db.models import Post
from forumscraper.db.state import VANISHED_POSTS_KEY
from forumscraper.demo.content import Board, Topic
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import reply_time, stat
from tests.test_crawl_forum import check_database_holds_the_board
from tests.test_incremental import full_crawl, recent, refetch_everything
from tests.test_incremental_heals import LONG_TOPIC, incremental

BIG_FORUM = 2
"""The demo forum with the longest list (64 topics)."""


def deleted_posts(engine: Engine) -> set[int]:
    with engine.connect() as connection:
        return set(
            connection.execute(select(Post.id).where(Post.deleted_at.is_not(None))).scalars()
        )


def split_far_down(board: Board) -> Topic:
    """Split four posts of the long topic (forum 5) into a new topic of the big forum, whose
    list (20 topics a page) then shows it on its third page."""
    topic = board.topic(LONG_TOPIC)
    assert topic is not None
    moving = {post.id for post in topic.live_posts[5:9]}
    new = board.split_topic(LONG_TOPIC, moving, "Split off: the side discussion", BIG_FORUM)
    place = [t.id for t in board.forum_list_paged(BIG_FORUM)].index(new.id)
    assert place >= 2 * board.topics_per_page, "listed where a proven page stops the paging"
    return new


@deferred_f_from_coro_f
async def test_posts_split_off_are_found_in_their_new_topic_by_the_run_that_sees_them_go(
    short_pages: Board,
    server: FixtureForumServer,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    board = short_pages
    await full_crawl(server, board, db_url)
    new = split_far_down(board)
    with caplog.at_level(logging.INFO):
        crawler = await incremental(server, board, db_url)
    check_database_holds_the_board(engine, board)
    assert deleted_posts(engine) == set(), "posts split off are not deleted"
    assert stat(crawler, VANISHED_POSTS_KEY) == 1
    assert f"Stored posts are not where the archive has them (topic {LONG_TOPIC})" in caplog.text
    assert any(path.startswith(f"/t{new.id}-") for path in server.requests)
    # The run read every list to its end: the next one pages as usual.
    server.clear_requests()
    again = await incremental(server, board, db_url)
    assert stat(again, VANISHED_POSTS_KEY) is None
    assert stat(again, "forumscraper/incremental/forum_pages_skipped") >= 1
    assert not [path for path in server.requests if path.startswith("/t")]


@deferred_f_from_coro_f
async def test_posts_a_recent_run_saw_go_are_found_by_the_next_forum_run(
    short_pages: Board,
    server: FixtureForumServer,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``recent`` reads no lists: the posts it marks deleted make the next ``forum`` run read
    them all."""
    board = short_pages
    await full_crawl(server, board, db_url)
    split = split_far_down(board)
    moved = {post.id for post in split.live_posts}
    rocky = board.member_by_name("Rocky")
    replied = reply_time(board, LONG_TOPIC, timedelta(minutes=2))
    board.add_post(LONG_TOPIC, rocky, "<p>Back to the subject.</p>", replied)
    await recent(server, board, db_url)
    assert deleted_posts(engine) == moved, "recent saw them go, and nothing of where"
    with caplog.at_level(logging.INFO):
        crawler = await incremental(server, board, db_url)
    check_database_holds_the_board(engine, board)
    assert deleted_posts(engine) == set()
    assert stat(crawler, VANISHED_POSTS_KEY) == 1
    assert "marked posts deleted" in caplog.text


@deferred_f_from_coro_f
async def test_a_run_that_read_every_list_leaves_nothing_to_look_for(
    short_pages: Board, server: FixtureForumServer, db_url: str, engine: Engine
) -> None:
    """Posts a full run marks deleted (it read every list) send no later run to the lists'
    ends; nor do those of a run that read them all because it saw posts vanish."""
    board = short_pages
    await full_crawl(server, board, db_url)
    topic = board.topic(LONG_TOPIC)
    assert topic is not None
    first = topic.live_posts[3].id
    board.delete_post(first)
    full = await refetch_everything(server, board, db_url)
    assert stat(full, "forumscraper/db/deleted_posts") == 1
    after_full = await incremental(server, board, db_url)
    assert stat(after_full, VANISHED_POSTS_KEY) is None
    second = topic.live_posts[3].id
    board.delete_post(second)
    seen = await incremental(server, board, db_url)
    assert (stat(seen, VANISHED_POSTS_KEY), stat(seen, "forumscraper/db/deleted_posts")) == (1, 1)
    after = await incremental(server, board, db_url)
    assert stat(after, VANISHED_POSTS_KEY) is None
    assert deleted_posts(engine) == {first, second}
