"""End to end: a board whose date layout prints no year (``D j M - G:i``, "Wed 29 Jul - 15:51")
and whose first posts are ten years older than its latest.

Such a date recurs on its weekday every 5, 6 or 11 years, so the year of a post older than five
years is not on its page. What the crawl stores must be right or NULL (its text kept, counted),
never a plausible wrong year: a topic's first post is dated by the topic's JSON-LD
``datePublished`` (whatever zone that is printed in), a later post when the posts before it on
the page leave one year, and at the run's close the rest by the posts around them (ids follow
posting order). The reader used to give every such date the latest year that fits, which put
ten-year-old posts years later than they were written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select, update

from forumscraper.db.models import Post, Topic
from forumscraper.demo.content import DEMO_LONG_TOPIC_ID, Board, build_demo_board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.reprocess import reprocess
from forumscraper.text.dates import is_relative_date, lacks_year, parse_forum_date
from tests.crawling import crawl, stat

YEARS = 10


def old_board(
    date_format: str, json_ld_timezone: str | None = None, *, built: datetime | None = None
) -> Board:
    """The demo board with its posts up to the 20th of the long topic ten years older: that
    topic (three pages) is revived after ten years; 140 posts are old, 80 recent (``built``:
    the moment its dates count back from, now by default)."""
    board = build_demo_board(built)
    board.date_format, board.json_ld_timezone = date_format, json_ld_timezone
    board.date_back(YEARS, through_post=split_post(board))
    return board


def split_post(board: Board) -> int:
    return board.topic(DEMO_LONG_TOPIC_ID).live_posts[19].id


def stored_posts(engine: Engine) -> dict[int, Any]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(Post.id, Post.posted_at, Post.posted_at_raw, Post.edited_at, Post.edited_at_raw)
        )
        return {row.id: row for row in rows}


def stored_topics(engine: Engine) -> dict[int, datetime | None]:
    with engine.connect() as connection:
        return dict(connection.execute(select(Topic.id, Topic.last_post_at)).all())


@pytest.mark.parametrize("json_ld_timezone", [None, "America/Los_Angeles"])
@deferred_f_from_coro_f
async def test_a_date_without_a_year_is_stored_right_or_null_never_in_a_wrong_year(
    json_ld_timezone: str | None, db_url: str, engine: Engine
) -> None:
    board = old_board("forumotion_short", json_ld_timezone)
    with FixtureForumServer(board, version="prosilver") as server:
        crawler = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
        served_at = datetime.now(board.tzinfo)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    stored = stored_posts(engine)
    posts = board.live_posts()
    old = {post.id for post in posts if post.id <= split_post(board)}
    undated = 0
    for post in posts:
        row = stored[post.id]
        assert lacks_year(row.posted_at_raw) or is_relative_date(row.posted_at_raw)
        # Right, or NULL: never another year.
        assert row.posted_at in (post.posted_at, None), (post.id, row.posted_at_raw)
        assert row.edited_at in (post.edited_at, None), (post.id, row.edited_at_raw)
        undated += (row.posted_at is None) + (post.edited_at is not None and row.edited_at is None)
    # Every topic's first post is dated by its JSON-LD, and the topic row has it.
    with engine.connect() as connection:
        first_post_at = dict(connection.execute(select(Topic.id, Topic.first_post_at)).all())
    for topic in board.live_topics():
        assert stored[topic.first_post.id].posted_at == topic.first_post.posted_at
        assert first_post_at[topic.id] == topic.first_post.posted_at
    # The pages left the old replies undated; the posts around them dated most of them. What
    # stays NULL sits in the ten years with no post, where two years fit.
    without_year = stat(crawler, "forumscraper/dates/without_year")
    by_order = stat(crawler, "forumscraper/dates/dated_by_order")
    assert without_year > 50 and by_order > 50
    assert without_year - by_order == undated
    assert 0 < undated < 10
    assert stat(crawler, "forumscraper/dates/out_of_order") is None
    # What the reader did before: each old post in the latest year that fits, years off.
    wrong = [
        post.id
        for post in posts
        if parse_forum_date(stored[post.id].posted_at_raw, now=served_at, tz=board.tzinfo)
        != post.posted_at
    ]
    assert set(wrong) == old
    # A topic's last post: the listing prints it without a year too; stored right or NULL.
    last_post_at = stored_topics(engine)
    for topic in board.live_topics():
        assert last_post_at[topic.id] in (topic.last_post_at, None), topic.id
    assert sum(last_post_at[t.id] is None for t in board.live_topics()) < 5
    # reprocess keeps each year the crawl gave, and the undated stay NULL.
    assert reprocess(engine) == (len(stored), 0)
    assert stored_posts(engine) == stored


@deferred_f_from_coro_f
async def test_an_unchanged_old_board_is_not_fetched_again_and_a_new_reply_is(
    db_url: str, engine: Engine
) -> None:
    """The listings' guessed years never make a stored topic look changed, so an incremental
    run of the unchanged board fetches no topic; a reply to a ten-year-old topic is fetched."""
    board = old_board("forumotion_short")
    with FixtureForumServer(board, version="prosilver") as server:
        await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone)
        again = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
        assert stat(again, "forumscraper/incremental/changed_topics") is None
        assert stat(again, "forumscraper/db/new_posts") is None
        old_topic = board.topic(12)
        assert old_topic.last_post.id <= split_post(board)
        reply = board.add_post(old_topic.id, None, "<b>Ten years on</b>", guest_name="Visitor")
        revived = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
    assert stat(revived, "forumscraper/incremental/changed_topics") == 1
    assert stat(revived, "forumscraper/db/new_posts") == 1
    assert stored_posts(engine)[reply.id].posted_at == reply.posted_at
    assert stored_topics(engine)[old_topic.id] == reply.posted_at


@deferred_f_from_coro_f
async def test_a_list_dated_without_years_only_still_stops_paging(
    db_url: str, engine: Engine
) -> None:
    """A board quiet for a month: no row of its lists says "Today" or "Yesterday", so none
    has a year. The years guessed for them are never earlier than the truth, so they still
    prove a list's later pages unchanged: an incremental run of the unchanged board stops
    paging."""
    board = old_board("forumotion_short", built=datetime.now(UTC) - timedelta(days=30))
    with FixtureForumServer(board, version="prosilver") as server:
        await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone)
        again = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
    assert stat(again, "forumscraper/run/status") == "finished"
    assert stat(again, "forumscraper/incremental/changed_topics") is None
    assert stat(again, "forumscraper/incremental/forum_pages_skipped") >= 1
    assert stat(again, "forumscraper/incremental/forum_pages_unproven") is None


@deferred_f_from_coro_f
async def test_the_same_board_with_the_year_printed_is_all_dated(
    db_url: str, engine: Engine
) -> None:
    board = old_board("forumotion")  # "D j M Y - G:i"
    with FixtureForumServer(board, version="prosilver") as server:
        crawler = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
    assert stat(crawler, "forumscraper/dates/unreadable") is None
    assert stat(crawler, "forumscraper/dates/dated_by_order") is None
    stored = stored_posts(engine)
    for post in board.live_posts():
        assert (stored[post.id].posted_at, stored[post.id].edited_at) == (
            post.posted_at,
            post.edited_at,
        )


def years_back_same_weekday(day: datetime) -> datetime:
    """``day`` in the latest earlier year where it falls on the same weekday."""
    for years in range(1, 29):
        try:
            earlier = day.replace(year=day.year - years)
        except ValueError:  # 29 February
            continue
        if earlier.weekday() == day.weekday():
            return earlier
    raise AssertionError("a date falls on its weekday again within 28 years")


@deferred_f_from_coro_f
async def test_a_listed_date_without_a_year_read_as_tomorrow_does_not_stop_the_run(
    db_url: str, engine: Engine
) -> None:
    """A topic whose last post was written years ago on tomorrow's day and weekday: its
    listing date reads as tomorrow, a day after the server's clock, which would be a timezone's
    error for a date with a year. Here it says nothing of the clock: the run goes on."""
    board = old_board("forumotion_short")
    tomorrow = datetime.now(board.tzinfo).replace(second=0, microsecond=0) + timedelta(days=1)
    topic = board.topic(12)
    topic.last_post.posted_at = years_back_same_weekday(tomorrow).astimezone(UTC)
    board.changed()
    with FixtureForumServer(board, version="prosilver") as server:
        crawler = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/dates/clock_mismatch") is None
    assert stored_posts(engine)[topic.last_post.id].posted_at in (topic.last_post_at, None)
    assert stored_topics(engine)[topic.id] in (topic.last_post_at, None)


@deferred_f_from_coro_f
async def test_a_new_reply_without_a_year_is_dated_by_the_posts_before_it(
    db_url: str, engine: Engine
) -> None:
    """A reply written three days ago to a ten-year-old topic, read by the `recent` spider: its
    page bounds it by the topic's first post only (ten years: two years fit), and the run's
    close dates it by the posts before it, board-wide, as it does the topic's watermark."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    board = old_board("forumotion_short", built=now - timedelta(days=10))
    topic = board.topic(12)
    with FixtureForumServer(board, version="prosilver") as server:
        await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone)
        reply = board.add_post(
            topic.id, None, "<b>Ten years on</b>", now - timedelta(days=3), guest_name="Visitor"
        )
        recent = await crawl(
            "recent", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
    assert stat(recent, "forumscraper/run/status") == "finished"
    # The page leaves both replies undated, the new one and the old one (its year, from the
    # first run's close, is not the page's): the close dates both.
    assert stat(recent, "forumscraper/dates/without_year") == 2
    assert stat(recent, "forumscraper/dates/dated_by_order") == 2
    stored = stored_posts(engine)
    assert lacks_year(stored[reply.id].posted_at_raw)
    assert [stored[post.id].posted_at for post in topic.live_posts] == [
        post.posted_at for post in topic.live_posts
    ]
    assert stored_topics(engine)[topic.id] == reply.posted_at


@deferred_f_from_coro_f
async def test_a_full_run_puts_right_an_archive_the_older_reader_stored_guessed_years_in(
    db_url: str, engine: Engine
) -> None:
    """An archive of the old board as the older reader left it, every date without a year in
    the latest year that fits: a full run stores each such date as its page and the posts around
    it read it, or NULL, never keeping the guess."""
    board = old_board("forumotion_short")
    with FixtureForumServer(board, version="prosilver") as server:
        await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone)
        right = stored_posts(engine)
        guessed = {
            post_id: parse_forum_date(row.posted_at_raw, now=datetime.now(UTC), tz=board.tzinfo)
            for post_id, row in right.items()
            if lacks_year(row.posted_at_raw)
        }
        with engine.begin() as connection:
            for post_id, value in guessed.items():
                connection.execute(update(Post).where(Post.id == post_id).values(posted_at=value))
        wrong = [pid for pid, value in guessed.items() if value != board.post(pid).posted_at]
        assert len(wrong) > 100
        full = await crawl(
            "forum",
            db_url,
            base_url=server.base_url,
            spider_args={"full": "1"},
            FORUMSCRAPER_TIMEZONE=board.timezone,
        )
    assert stat(full, "forumscraper/run/status") == "finished"
    assert stored_posts(engine) == right
