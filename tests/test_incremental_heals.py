"""Incremental runs that meet a topic changed above the pages they fetch (a post deleted, posts
merged in) or a page that failed: the rows they leave, on both databases, must be those of the
board (vanished posts marked deleted, every position once, the right reply count), and a topic
left incomplete must be completed by the next run whatever the listings say."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select, update

from forumscraper.db.models import CrawlRun, Post, Topic
from forumscraper.demo.content import Board
from forumscraper.demo.faults import Fault
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import crawl, stat
from tests.test_incremental import full_crawl, recent, topic_requests

LONG_TOPIC = 28
"""Forum 5's topic of 34 posts on three pages (15 a page)."""
REREAD = "forumscraper/incremental/topics_reread"


def minute(delta: int = 0) -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=delta)


async def incremental(server: FixtureForumServer, board: Board, db_url: str) -> object:
    crawler = await crawl(
        "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
    )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    return crawler


def stored_posts(engine: Engine, topic_id: int) -> tuple[list[tuple[int, int | None]], set[int]]:
    """A topic's live posts as (id, position) in position order, and its deleted post ids."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(Post.id, Post.position, Post.deleted_at)
            .where(Post.topic_id == topic_id)
            .order_by(Post.position, Post.id)
        ).all()
    live = [(row.id, row.position) for row in rows if row.deleted_at is None]
    return live, {row.id for row in rows if row.deleted_at is not None}


def topic_row(engine: Engine, topic_id: int) -> tuple[int | None, str | None]:
    with engine.connect() as connection:
        row = connection.execute(
            select(Topic.reply_count, Topic.last_poster_name).where(Topic.id == topic_id)
        ).one()
    return row.reply_count, row.last_poster_name


def check_topic_rows(engine: Engine, board: Board, topic_id: int) -> None:
    """The topic's live posts are the board's, each at its position (0 .. n-1, once each),
    and its watermark counts them."""
    topic = board.topic(topic_id)
    assert topic is not None
    live, _deleted = stored_posts(engine, topic_id)
    positions = [position for _id, position in live]
    assert [n for n in Counter(positions).values() if n > 1] == []
    assert live == [(post.id, index) for index, post in enumerate(topic.live_posts)]
    assert topic_row(engine, topic_id) == (topic.reply_count, topic.last_post.author_name)


async def check_healed(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine, topic_id: int
) -> None:
    """The topic's rows are the board's, and the next run finds nothing to fetch."""
    check_topic_rows(engine, board, topic_id)
    server.clear_requests()
    await incremental(server, board, db_url)
    assert topic_requests(server) == []


@deferred_f_from_coro_f
async def test_a_post_deleted_above_the_last_page_is_marked_and_positions_close_up(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    await full_crawl(server, board, db_url)
    topic = board.topic(LONG_TOPIC)
    assert topic is not None
    victim = topic.live_posts[3]
    board.delete_post(victim.id)
    board.changed()
    crawler = await incremental(server, board, db_url)
    # The listing counts 33 posts where 34 are stored: the topic is read whole at once.
    assert stat(crawler, REREAD) == 1
    assert f"/t{LONG_TOPIC}-" in " ".join(topic_requests(server))
    _live, deleted = stored_posts(engine, LONG_TOPIC)
    assert deleted == {victim.id}
    check_topic_rows(engine, board, LONG_TOPIC)
    # Healed: the next run finds nothing to fetch.
    server.clear_requests()
    crawler = await incremental(server, board, db_url)
    assert topic_requests(server) == []
    assert stat(crawler, REREAD) is None


@deferred_f_from_coro_f
async def test_a_post_deleted_and_one_added_are_both_seen(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    await full_crawl(server, board, db_url)
    topic = board.topic(LONG_TOPIC)
    assert topic is not None
    replies = topic.reply_count
    victim = topic.live_posts[3]
    board.delete_post(victim.id)
    author = board.member_by_name("Rocky")
    added = board.add_post(LONG_TOPIC, author, "<p>A new reply</p>", minute(-1))
    board.changed()
    assert topic.reply_count == replies  # the listing's count tells nothing
    crawler = await incremental(server, board, db_url)
    # The last page's posts sit one position earlier than stored: read whole.
    assert stat(crawler, REREAD) == 1
    _live, deleted = stored_posts(engine, LONG_TOPIC)
    assert deleted == {victim.id}
    assert added.id in dict(stored_posts(engine, LONG_TOPIC)[0])
    await check_healed(server, board, db_url, engine, LONG_TOPIC)


@deferred_f_from_coro_f
async def test_a_post_deleted_and_one_added_in_the_minute_of_the_last_are_seen_by_their_author(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    """A busy topic: a moderator deletes a post while another member replies in the minute of
    the last post. The listing's count and date stay as stored; its last poster does not."""
    await full_crawl(server, board, db_url)
    topic = board.topic(LONG_TOPIC)
    assert topic is not None
    replies, last_at, last_author = topic.reply_count, topic.last_post_at, topic.last_post.author
    victim = topic.live_posts[3]
    board.delete_post(victim.id)
    author = next(m for m in board.members if m is not last_author)
    added = board.add_post(LONG_TOPIC, author, "<p>A reply in the same minute</p>", last_at)
    assert (topic.reply_count, topic.last_post_at) == (replies, last_at)
    crawler = await incremental(server, board, db_url)
    assert stat(crawler, REREAD) == 1
    live, deleted = stored_posts(engine, LONG_TOPIC)
    assert deleted == {victim.id}
    assert added.id in dict(live)
    check_topic_rows(engine, board, LONG_TOPIC)


@deferred_f_from_coro_f
async def test_a_post_deleted_and_one_added_in_the_minute_of_the_last_by_its_poster_are_seen(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    """As above, by the member who wrote the last post: the listing's count, date and last
    poster stay as stored; only its "last post" link, to a post numbered above every stored
    one, tells."""
    await full_crawl(server, board, db_url)
    topic = board.topic(LONG_TOPIC)
    assert topic is not None
    before = (topic.reply_count, topic.last_post_at, topic.last_post.author_name)
    victim = topic.live_posts[3]
    board.delete_post(victim.id)
    added = board.add_post(LONG_TOPIC, topic.last_post.author, "<p>Me again</p>", before[1])
    assert (topic.reply_count, topic.last_post_at, topic.last_post.author_name) == before
    crawler = await incremental(server, board, db_url)
    assert stat(crawler, REREAD) == 1
    live, deleted = stored_posts(engine, LONG_TOPIC)
    assert deleted == {victim.id}
    assert added.id in dict(live)
    await check_healed(server, board, db_url, engine, LONG_TOPIC)


@deferred_f_from_coro_f
async def test_a_renamed_member_brings_no_topic_read(
    server: FixtureForumServer, board: Board, db_url: str
) -> None:
    """A member renamed: every listing prints the new name as the last poster of the topics
    they posted last in, but their "last post" links name the posts stored. Nothing was
    written: no topic is read (by its name alone, each such topic's last page was)."""
    await full_crawl(server, board, db_url)
    topic = board.topic(LONG_TOPIC)
    assert topic is not None and topic.last_post.author is not None
    topic.last_post.author.name += " (renamed)"
    board.changed()
    server.clear_requests()
    await incremental(server, board, db_url)
    await recent(server, board, db_url)
    assert topic_requests(server) == []


@deferred_f_from_coro_f
async def test_posts_merged_into_an_early_page_take_their_positions(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    await full_crawl(server, board, db_url)
    old = board.forum_list_paged(2)[-1]  # older than every post of the long topic
    merged = [post.id for post in old.live_posts]
    board.merge_topic(old.id, LONG_TOPIC, keep_row=False)
    board.changed()
    target = board.topic(LONG_TOPIC)
    assert target is not None
    assert [post.id for post in target.live_posts[: len(merged)]] == merged
    crawler = await incremental(server, board, db_url)
    assert stat(crawler, REREAD) == 1
    _live, deleted = stored_posts(engine, LONG_TOPIC)
    assert deleted == set()
    await check_healed(server, board, db_url, engine, LONG_TOPIC)


@deferred_f_from_coro_f
async def test_a_later_page_that_answers_404_is_fetched_by_the_next_run(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    """The README's promise: "a topic one of whose pages failed keeps its old watermark, and the
    next run fetches it whatever the listings say", here where the next run's listings do not
    show it (the run that failed counts as covered: a 404 fails no run)."""
    await full_crawl(server, board, db_url)
    with engine.begin() as connection:  # the full run stands for one made two hours ago
        connection.execute(update(CrawlRun).values(started_at=minute(-120)))
    topic_id = 119
    topic = board.topic(topic_id)
    assert topic is not None
    before = topic_row(engine, topic_id)
    rocky = board.member_by_name("Rocky")
    for index in range(20):
        board.add_post(topic_id, rocky, f"<p>Reply {index}</p>", minute(-115))
    others = [t.id for t in board.live_topics() if t.id != topic_id][:10]
    for index, other in enumerate(others):
        board.add_post(other, rocky, "<p>Another reply</p>", minute(-110 + index))
    board.changed()
    server.faults.add(f"/t{topic_id}p15", Fault(kind="status", status=404, times=1))

    crawler = await recent(server, board, db_url)
    assert f"/t{topic_id}p15" in " ".join(topic_requests(server))
    assert stat(crawler, "forumscraper/fetch/incomplete_topics") == 1
    assert topic_row(engine, topic_id) == before  # the watermark stays

    server.clear_requests()
    crawler = await recent(server, board, db_url)
    fetched = topic_requests(server)
    assert any(path.startswith(f"/t{topic_id}p15") for path in fetched)
    assert stat(crawler, "forumscraper/incremental/unfinished_topics") == 1
    assert stat(crawler, "forumscraper/fetch/incomplete_topics") is None
    _live, deleted = stored_posts(engine, topic_id)
    assert deleted == set()
    check_topic_rows(engine, board, topic_id)

    # Completed: the run after looks for nothing more.
    server.clear_requests()
    crawler = await recent(server, board, db_url)
    assert topic_requests(server) == []
    assert stat(crawler, "forumscraper/incremental/unfinished_topics") is None
