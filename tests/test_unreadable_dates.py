"""A printed date the reader cannot read is stored as NULL, never silently: counted in
``forumscraper/dates/unreadable`` and logged once per layout, with an example."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler
from sqlalchemy import Engine, select

from forumscraper.db.models import Post
from forumscraper.demo.content import LANGUAGE_TEXTS, build_demo_board
from forumscraper.demo.render import common
from forumscraper.demo.server import FixtureForumServer
from forumscraper.items import PostItem, TopicItem, TopicPageItem
from forumscraper.pipelines.dates import UNREADABLE, UnreadableDatesPipeline
from tests.crawling import crawl, stat

WHEN = datetime(2024, 12, 1, 6, 59, tzinfo=UTC)


def post(post_id: int, raw: str | None, read: datetime | None, **edit: object) -> PostItem:
    return PostItem(
        id=post_id, topic_id=1, position=post_id, posted_at_raw=raw, posted_at=read, **edit
    )  # type: ignore[arg-type]


def pipeline() -> UnreadableDatesPipeline:
    crawler = get_crawler()
    assert crawler.stats is not None
    return UnreadableDatesPipeline(crawler.stats)


def test_unreadable_dates_are_counted_and_each_layout_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    dates = pipeline()
    page = TopicPageItem(
        topic_id=1,
        url="http://forum.test/t1-x",
        posts=[
            post(1, "Sun Dec 01, 2024 9:59 am", WHEN),  # read
            post(2, "Xyz Dec 01, 2024 9:59 am", None),  # not read
            post(3, "Qqq Jan 02, 2025 10:01 pm", None),  # same layout: counted, not logged
            post(4, None, None),  # no date printed: nothing to count
            post(5, "Today at 9:59", WHEN, edited_at_raw="Blah 3 - 1:00", edited_at=None),
        ],
    )
    with caplog.at_level(logging.WARNING, logger="forumscraper.pipelines.dates"):
        assert dates.process_item(page) is page
        dates.process_item(TopicItem(id=1))  # other items pass untouched
        dates.process_item(post(6, "Xyz Dec 08, 2024 1:00 am", None))  # layout already logged
    assert dates.stats.get_value(UNREADABLE) == 4
    logged = [record.getMessage() for record in caplog.records]
    assert len(logged) == 2
    assert "'Xyz Dec 01, 2024 9:59 am'" in logged[0] and "'a a 9, 9 9:9 a'" in logged[0]
    assert "edit date 'Blah 3 - 1:00'" in logged[1]


def test_the_log_stops_after_many_layouts(caplog: pytest.LogCaptureFixture) -> None:
    dates = pipeline()
    with caplog.at_level(logging.WARNING, logger="forumscraper.pipelines.dates"):
        for n in range(80):
            dates.process_item(post(n, "x" + "-" * n + " 1:00", None))
    assert dates.stats.get_value(UNREADABLE) == 80
    assert len(caplog.records) == 51  # 50 layouts, then one line saying the rest are not logged


@deferred_f_from_coro_f
async def test_a_crawl_stores_unreadable_dates_as_null_and_says_so(
    db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The fixture forum prints Sundays with a weekday no language has ("Sxn"): those posts are
    stored with their printed date and a NULL ``posted_at``, counted and logged once."""
    printed = common.absolute_date

    def sunday_unreadable(local: datetime, date_format: str, language: str = "en") -> str:
        return printed(local, date_format, language).replace("Sun ", "Sxn ")

    monkeypatch.setattr(common, "absolute_date", sunday_unreadable)
    board = build_demo_board()
    with (
        FixtureForumServer(board, version="prosilver") as server,
        caplog.at_level(logging.WARNING, logger="forumscraper.pipelines.dates"),
    ):
        crawler = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    with engine.connect() as connection:
        rows = connection.execute(select(Post.id, Post.posted_at, Post.posted_at_raw)).all()
    unread = [row for row in rows if row.posted_at is None]
    assert unread and all(row.posted_at_raw.startswith("Sxn ") for row in unread)
    sundays = [p for p in board.live_posts() if p.posted_at.astimezone(board.tzinfo).weekday() == 6]
    assert {row.id for row in unread} <= {p.id for p in sundays}
    for row in rows:
        if row.posted_at is not None:
            assert row.posted_at == board.post(row.id).posted_at  # type: ignore[union-attr]
    assert stat(crawler, UNREADABLE) >= len(unread)
    # Once for the layout: as a post date, or as an edit date when an edited post's page (its
    # edit on a Sunday) is read first.
    logged = [r.getMessage() for r in caplog.records if "Could not read the " in r.getMessage()]
    assert len(logged) == 1 and "'Sxn " in logged[0]
    assert logged[0].startswith(("Could not read the post date", "Could not read the edit date"))


@deferred_f_from_coro_f
async def test_a_crawl_keeps_an_edit_note_it_cannot_read_and_says_so(
    db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A Turkish board's edit notes (a wording the reader does not know): each edited post is
    stored as edited once at least, with its note as the evidence in ``edited_at_raw`` and no
    date, counted and logged; before, the post was stored as never edited, in silence."""
    note = "En son {editor} tarafından {date} tarihinde düzenlendi, {count} kez"  # noqa: RUF001
    texts = {**LANGUAGE_TEXTS["tr"], "edited_one": note, "edited_many": note}
    monkeypatch.setitem(LANGUAGE_TEXTS, "tr", texts)
    board = build_demo_board()
    board.language = "tr"
    edited = [post for post in board.live_posts() if post.edit_count]
    assert edited
    with (
        FixtureForumServer(board, version="punbb") as server,
        caplog.at_level(logging.WARNING, logger="forumscraper.pipelines.dates"),
    ):
        crawler = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    columns = (Post.id, Post.edit_count, Post.edited_at, Post.edited_by, Post.edited_at_raw)
    with engine.connect() as connection:
        rows = {row.id: row for row in connection.execute(select(*columns))}
    for post in board.live_posts():
        row = rows[post.id]
        if post.edit_count:
            assert (row.edit_count, row.edited_at, row.edited_by) == (1, None, None), post.id
            assert row.edited_at_raw.startswith("En son "), post.id
        else:
            assert (row.edit_count, row.edited_at_raw) == (0, None), post.id
    assert stat(crawler, UNREADABLE) >= len(edited)
    assert any("edit date 'En son " in record.getMessage() for record in caplog.records)
