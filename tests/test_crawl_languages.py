"""End to end in other board languages: the ``forum`` spider crawls the fixture forum set to
Arabic or Turkish, in each date layout of ``shared/forumotion/DATES.md``, into SQLite and a real
PostgreSQL; every stored post date and edit date is the board's own, none is unreadable.

Then ``forumscraper reprocess``: rows an older reader stored with NULL dates (or a wrong one)
get them from ``posted_at_raw``/``edited_at_raw`` without a crawl."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select, text, update

from forumscraper.db.engine import make_engine
from forumscraper.db.models import Board as BoardRow
from forumscraper.db.models import Post
from forumscraper.demo.content import DATE_FORMATS, Board, build_demo_board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.reprocess import DateCounts, reprocess
from tests.crawling import crawl, stat

CRAWLS = [
    # (board language, date layout, template version): every layout once
    ("ar", "phpbb", "prosilver"),  # السبت يناير 03, 2015 5:17 am
    ("ar", "dmy_24h", "invision"),  # الأحد 14 أبريل 2019, 17:47
    ("ar", "numeric", "subsilver"),  # 19/10/16, 09:28 pm
    ("ar", "forumotion_short", "modernbb"),
    ("ar", "numeric_dots", "punbb"),
    ("tr", "phpbb", "punbb"),  # Ptsi Eyl. 21, 2009 5:00 pm
    ("tr", "forumotion", "awesomebb"),
    ("tr", "dmy_12h", "mobile"),
    ("tr", "ordinal", "prosilver"),
]
assert {layout for _, layout, _ in CRAWLS} == set(DATE_FORMATS)


def board_in(language: str, date_format: str) -> Board:
    board = build_demo_board()
    board.language, board.date_format = language, date_format
    return board


def stored_dates(engine: Engine) -> dict[int, dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(Post.id, Post.posted_at, Post.edited_at, Post.posted_at_raw, Post.edited_at_raw)
        )
        return {row.id: row._asdict() for row in rows}


def check_dates(engine: Engine, board: Board) -> dict[int, dict[str, Any]]:
    stored = stored_dates(engine)
    posts = board.live_posts()
    assert stored.keys() == {post.id for post in posts}
    for post in posts:
        row = stored[post.id]
        assert row["posted_at"] == post.posted_at, (post.id, row["posted_at_raw"])
        assert row["edited_at"] == post.edited_at, (post.id, row["edited_at_raw"])
        assert row["posted_at_raw"]
        assert bool(row["edited_at_raw"]) == (post.edited_at is not None)
    return stored


@pytest.mark.parametrize(("language", "date_format", "version"), CRAWLS)
@deferred_f_from_coro_f
async def test_every_date_of_a_board_in_another_language_is_stored(
    language: str, date_format: str, version: str, db_url: str, engine: Engine
) -> None:
    board = board_in(language, date_format)
    with FixtureForumServer(board, version=version) as server:
        crawler = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/dates/unreadable") is None
    check_dates(engine, board)
    with engine.connect() as connection:  # the language the pages declare, on the board's row
        assert connection.execute(text("SELECT language FROM boards")).scalar() == language


@deferred_f_from_coro_f
async def test_reprocess_fills_in_the_dates_an_older_reader_left_null(
    db_url: str, engine: Engine
) -> None:
    board = board_in("ar", "forumotion")
    with FixtureForumServer(board, version="prosilver") as server:
        await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone)
    stored = check_dates(engine, board)
    # What an older reader left: Arabic dates unread (NULL), one read wrong; relative dates
    # ("اليوم في 9:59") NULL too; and a post stored before edit notes kept their date.
    relative = {
        pid for pid, row in stored.items() if row["posted_at_raw"].startswith(("اليوم", "أمس"))
    }
    assert relative
    wrong = next(pid for pid in stored if pid not in relative)
    edited = next(pid for pid, row in stored.items() if row["edited_at_raw"])
    with engine.begin() as connection:
        connection.execute(update(Post).values(posted_at=None, edited_at=None))
        connection.execute(
            update(Post).where(Post.id == wrong).values(posted_at=datetime(2001, 1, 1, tzinfo=UTC))
        )
        connection.execute(update(Post).where(Post.id == edited).values(edited_at_raw=None))
    dates = DateCounts()
    seen, changed = reprocess(engine, batch_size=40, dates=dates)
    assert seen == len(stored)
    assert changed == len(stored)  # every row had a NULL date or a wrong one
    assert dates.unreadable == 0
    assert dates.timezone == board.timezone
    after = stored_dates(engine)
    for post in board.live_posts():
        assert after[post.id]["posted_at"] == post.posted_at, post.id
        expected_edit = None if post.id == edited else post.edited_at
        assert after[post.id]["edited_at"] == expected_edit, post.id
    # Twice is once: nothing left to change.
    assert reprocess(engine) == (len(stored), 0)


@deferred_f_from_coro_f
async def test_reprocess_leaves_dates_alone_without_a_board_timezone(
    sqlite_url: str,
) -> None:
    board = board_in("tr", "phpbb")
    with FixtureForumServer(board, version="prosilver") as server:
        await crawl(
            "forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
    engine = make_engine(sqlite_url)
    try:
        with engine.begin() as connection:
            connection.execute(update(Post).values(posted_at=None))
            connection.execute(update(BoardRow).values(timezone=None))
        dates = DateCounts()
        reprocess(engine, dates=dates)
        assert dates.timezone is None
        assert all(row["posted_at"] is None for row in stored_dates(engine).values())
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("language", "version"), [("ar", "prosilver"), ("tr", "invision"), ("ar", "modernbb")]
)
@deferred_f_from_coro_f
async def test_the_clock_line_is_found_by_its_place_in_any_language(
    language: str, version: str, sqlite_url: str
) -> None:
    # No FORUMSCRAPER_TIMEZONE: the zone comes from a clock line whose words the reader does
    # not know (the demo's Arabic and Turkish lead-ins), found where the template prints it.
    board = board_in(language, "phpbb")
    with FixtureForumServer(board, version=version) as server:
        crawler = await crawl("forum", sqlite_url, base_url=server.base_url)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    engine = make_engine(sqlite_url)
    try:
        check_dates(engine, board)
    finally:
        engine.dispose()
