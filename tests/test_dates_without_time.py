"""End to end on boards whose date format prints no time of day (``Y-m-d``, ``j/n/Y``,
``jS F Y``: layouts Forumotion offers, ``DATE_ONLY_FORMATS``), into SQLite and a real PostgreSQL.

No post is given a moment its pages do not print: every post and edit date is NULL next to its
text (never a midnight), the run counts them in ``forumscraper/dates/without_time``, says so once
in the log with what would give the times, and its one-line summary names them. ``recent``
still finds a new reply (by the listings' post ids, not by dates). No zone is set, as a user
would not."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select

from forumscraper.db.models import Post
from forumscraper.demo.content import DATE_ONLY_FORMATS, build_demo_board
from forumscraper.demo.render.common import absolute_date
from forumscraper.demo.server import FixtureForumServer
from forumscraper.pipelines.dates import UNREADABLE, WITHOUT_TIME
from tests.crawling import crawl, stat

CRAWLS = [("date_ymd", "prosilver"), ("date_numeric", "subsilver"), ("date_ordinal", "punbb")]
assert {layout for layout, _ in CRAWLS} == set(DATE_ONLY_FORMATS)


def stored(engine: Engine) -> dict[int, tuple]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(Post.id, Post.posted_at, Post.posted_at_raw, Post.edited_at, Post.edited_at_raw)
        )
        return {row.id: tuple(row)[1:] for row in rows}


@pytest.mark.parametrize(("date_format", "version"), CRAWLS)
@deferred_f_from_coro_f
async def test_dates_without_a_time_are_stored_as_their_text_and_said(
    date_format: str,
    version: str,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    board = build_demo_board()
    board.date_format = date_format
    tz = board.tzinfo

    def printed(moment: datetime | None) -> str | None:
        return None if moment is None else absolute_date(moment.astimezone(tz), date_format)

    caplog.set_level(logging.WARNING, logger="forumscraper.pipelines.dates")
    with FixtureForumServer(board, version=version) as server:
        # No FORUMSCRAPER_TIMEZONE: pages with no readable date give no clock, and none is
        # needed to store no moment.
        crawler = await crawl("forum", db_url, base_url=server.base_url)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        posts = board.live_posts()
        expected = {
            post.id: (None, printed(post.posted_at), None, printed(post.edited_at))
            for post in posts
        }
        assert stored(engine) == expected
        dates = len(posts) + sum(post.edited_at is not None for post in posts)
        assert stat(crawler, UNREADABLE) == stat(crawler, WITHOUT_TIME) == dates
        assert f"{dates} printed dates not read (stored as NULL" in stat(
            crawler, "forumscraper/run/summary"
        )
        said = [r.getMessage() for r in caplog.records if "without a time of day" in r.getMessage()]
        assert len(said) == 1
        assert "crawl as a member whose profile's date format prints the time" in said[0]

        reply = board.add_post(board.topics[3].id, author=board.members[0], body_html="A reply")
        crawler = await crawl("recent", db_url, base_url=server.base_url)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/db/new_posts") == 1
    expected[reply.id] = (None, printed(reply.posted_at), None, None)
    assert stored(engine) == expected
