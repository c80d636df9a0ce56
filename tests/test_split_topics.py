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
from forumscraper.db.state import MOVED_POSTS_KEY, TOPICS_GONE_KEY, VANISHED_POSTS_KEY
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


def split_old_topic_end(board: Board, forum_id: int) -> Topic:
    """Split the last two posts of a topic far down the big forum's list into a new topic of
    ``forum_id``: neither the old topic (its last post now earlier) nor the new one (the old
    topic's last post) is listed where a proven page stops the paging. Returns both."""
    listed = board.forum_list_paged(BIG_FORUM)
    old = next(
        t
        for t in listed[2 * board.topics_per_page :]
        if len(t.live_posts) >= 3 and not (t.sticky or t.announcement)
    )
    moving = {post.id for post in old.live_posts[-2:]}
    new = board.split_topic(old.id, moving, "Split off: the last two posts", forum_id)
    for topic in (old, new):
        place = [t.id for t in board.forum_list_paged(topic.forum_id)].index(topic.id)
        assert place >= 2 * board.topics_per_page or topic.forum_id != BIG_FORUM
    return new


@deferred_f_from_coro_f
async def test_posts_split_off_the_end_of_an_old_topic_are_found_by_the_forum_count(
    short_pages: Board,
    server: FixtureForumServer,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The old topic is not on the pages an incremental run reads, so no post is seen to
    vanish; the forum's row counting one topic more than the last run stored, with no new
    topic on those pages, is what shows it: the list is read to its end."""
    board = short_pages
    await full_crawl(server, board, db_url)
    new = split_old_topic_end(board, BIG_FORUM)
    with caplog.at_level(logging.INFO):
        crawler = await incremental(server, board, db_url)
    check_database_holds_the_board(engine, board)
    assert deleted_posts(engine) == set()
    assert stat(crawler, TOPICS_GONE_KEY) == [BIG_FORUM]
    assert f"Forum {BIG_FORUM} gained topics that the pages read so far do not show" in caplog.text
    assert any(path.startswith(f"/t{new.id}-") for path in server.requests)
    server.clear_requests()
    again = await incremental(server, board, db_url)
    assert stat(again, TOPICS_GONE_KEY) is None
    assert stat(again, "forumscraper/incremental/forum_pages_skipped") >= 1
    assert not [path for path in server.requests if path.startswith("/t")]


OTHER_FORUM = 5
"""A forum whose list is one page: a topic new to it is always on a page read."""


@deferred_f_from_coro_f
async def test_posts_split_off_an_old_topic_into_another_forum_leave_its_row_right(
    short_pages: Board,
    server: FixtureForumServer,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The new topic is listed where the run reads (another forum's one page), its posts are
    stored in the archive under the old topic, far down the big forum's list: they vanished
    from it, so the lists are read to their end and the old topic is read again."""
    board = short_pages
    await full_crawl(server, board, db_url)
    new = split_old_topic_end(board, OTHER_FORUM)
    with caplog.at_level(logging.INFO):
        crawler = await incremental(server, board, db_url)
    check_database_holds_the_board(engine, board)
    assert deleted_posts(engine) == set()
    assert stat(crawler, MOVED_POSTS_KEY) == 1
    assert stat(crawler, VANISHED_POSTS_KEY) == 1
    assert f"topic {new.id} shows posts" in caplog.text
