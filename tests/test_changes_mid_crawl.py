"""The board changes while a crawl reads a topic's pages.

A moderator deletes a post of a page the crawl has read, before it reads the next: every later
post moves one place back, so the first post of the next page is now the last of the page read
already, and no page the crawl reads shows it. It was never stored (a live post missing from
the archive), the deleted post stayed live, and the next runs, finding the count the archive
has, never looked again. A visit now checks its pages against the count the topic states (its
first page's JSON-LD, else its listing) and reads the topic again when they hold fewer posts.
A count that is still short after the second reading is the board's (a drifted counter): what
the pages hold is stored, with a warning, and no later run reads the topic for it again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select

from forumscraper.db.models import Post
from forumscraper.demo.content import Board
from forumscraper.demo.faults import Fault
from forumscraper.demo.server import FixtureForumServer
from forumscraper.spiders.topics import REREAD_KEY, SHORT_TOPICS_KEY, UNSEEN_LAST_POST_KEY
from tests.crawling import crawl, reply_time, stat
from tests.test_incremental_heals import LONG_TOPIC

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def archived(engine: Engine) -> tuple[dict[int, tuple[int, int | None]], set[int]]:
    """Live posts as {id: (topic, position)}, and the ids of posts marked deleted."""
    with engine.connect() as connection:
        result = connection.execute(select(Post.id, Post.topic_id, Post.position, Post.deleted_at))
        rows = result.all()
    live = {row.id: (row.topic_id, row.position) for row in rows if row.deleted_at is None}
    return live, {row.id for row in rows if row.deleted_at is not None}


def on_the_board(board: Board) -> dict[int, tuple[int, int | None]]:
    return {
        post.id: (topic.id, position)
        for topic in board.live_topics()
        for position, post in enumerate(topic.live_posts)
    }


async def forum_run(server: FixtureForumServer, board: Board, db_url: str) -> object:
    crawler = await crawl(
        "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
    )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    return crawler


@pytest.mark.parametrize("version", ["prosilver", "mobile"])
@deferred_f_from_coro_f
async def test_a_post_deleted_between_two_pages_of_a_topic_loses_no_other_post(
    board: Board, db_url: str, engine: Engine, version: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The mobile version prints no JSON-LD: its listing's count is the one checked."""
    topic = board.topic(LONG_TOPIC)
    assert topic is not None and len(topic.live_posts) > 30, "three pages of 15"
    gone, shifted = topic.live_posts[3], topic.live_posts[15]
    with FixtureForumServer(board, version=version) as server:
        # Once the first page is made, before the crawl has it: a moderator deletes a post.
        first_page = f"/t{LONG_TOPIC}-"
        server.faults.add(first_page, Fault(kind="then", then=lambda: board.delete_post(gone.id)))
        with caplog.at_level(logging.INFO):
            crawler = await forum_run(server, board, db_url)
        assert [kind for _, kind in server.faults.applied] == ["then"]
        live, deleted = archived(engine)
        assert shifted.id in live, "the post moved back onto the page read already is stored"
        assert live == on_the_board(board)
        assert deleted == {gone.id}
        assert stat(crawler, REREAD_KEY) == 1
        assert stat(crawler, SHORT_TOPICS_KEY) is None
        assert f"Topic {LONG_TOPIC}: it changed while it was read" in caplog.text
        # Nothing is left for the next run to mend. It reads the topic no more where its page
        # states its count; on mobile the stored count is the listing's, read before the
        # deletion, so the next run reads the topic's last page once.
        server.clear_requests()
        again = await forum_run(server, board, db_url)
        assert archived(engine) == (live, deleted)
        read = [path for path in server.requests if path.startswith(f"/t{LONG_TOPIC}")]
        assert read == ([] if version != "mobile" else [f"/t{LONG_TOPIC}p30-{topic.slug}"])
        assert stat(again, REREAD_KEY) is None


@deferred_f_from_coro_f
async def test_a_topic_that_counts_more_posts_than_it_shows_is_read_twice_and_stored(
    board: Board,
    server: FixtureForumServer,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A drifted counter: the topic counts one reply more than its pages show, in its lists
    and in its JSON-LD. Read twice, stored as shown, said; the next run does not read it."""
    topic = board.topic(LONG_TOPIC)
    assert topic is not None
    topic.miscounted = 1
    board.changed()
    with caplog.at_level(logging.INFO):
        crawler = await forum_run(server, board, db_url)
    live, deleted = archived(engine)
    assert live == on_the_board(board)
    assert deleted == set()
    assert stat(crawler, REREAD_KEY) == 1
    assert stat(crawler, SHORT_TOPICS_KEY) == 1
    pages = [path for path in server.requests if path.startswith(f"/t{LONG_TOPIC}")]
    assert len(pages) == 2 * len(set(pages)), "every page read twice, no more"
    assert f"Topic {LONG_TOPIC}, read twice, still holds fewer posts than it counts" in caplog.text
    server.clear_requests()
    again = await forum_run(server, board, db_url)
    assert archived(engine) == (live, deleted)
    assert not any(path.startswith(f"/t{LONG_TOPIC}") for path in server.requests)
    assert stat(again, SHORT_TOPICS_KEY) is None


@deferred_f_from_coro_f
async def test_a_reply_deleted_after_its_listing_was_read_is_said_and_not_read_again(
    board: Board,
    server: FixtureForumServer,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A moderator deletes a reply (spam) once the forum's list showing it is made: the list's
    "last post" link names a post the topic's pages no longer show. That is said, and the rows
    are the board's. The stored count is the list's, read before the deletion, so the next run
    reads the topic's last page once (as in the first test on mobile), and says nothing."""
    await forum_run(server, board, db_url)
    topic = board.topic(LONG_TOPIC)
    assert topic is not None
    spam = board.add_post(
        LONG_TOPIC,
        topic.last_post.author,
        "<p>Buy now</p>",
        reply_time(board, LONG_TOPIC, timedelta(minutes=2)),
    )
    server.faults.add(
        f"/f{topic.forum_id}-", Fault(kind="then", then=lambda: board.delete_post(spam.id))
    )
    server.clear_requests()
    with caplog.at_level(logging.INFO):
        crawler = await forum_run(server, board, db_url)
    assert [kind for _, kind in server.faults.applied] == ["then"]
    live, deleted = archived(engine)
    assert live == on_the_board(board)
    assert spam.id not in live and spam.id not in deleted
    assert stat(crawler, UNSEEN_LAST_POST_KEY) == 1
    assert (
        f"Topic {LONG_TOPIC}: its listing links post {spam.id} as its last, which its pages "
        "do not show" in caplog.text
    )
    for read in ([f"/t{LONG_TOPIC}p30-{topic.slug}"], []):
        server.clear_requests()
        again = await forum_run(server, board, db_url)
        assert archived(engine) == (live, deleted)
        assert [path for path in server.requests if path.startswith(f"/t{LONG_TOPIC}")] == read
        assert stat(again, UNSEEN_LAST_POST_KEY) is None
