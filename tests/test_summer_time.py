"""Summer time on a board's clock, end to end.

A Forumotion board's "System time zone" (and a member profile's) is an offset, and summer time
a switch its admin turns ("Adjust time"): a page prints every date on the board's clock of the
moment it is served, an old post's too. In July, a post written in January is printed an hour
later than it was in January. Read on its own season's offset (the zone's rules, date by date),
such a date is stored an hour off, and nothing notices: the clock line and the feed's newest
topics are on today's offset. The demo prints as a real board does
(``demo.render.common.board_clock``); the rows must be the board's truth in either season,
whether the zone is configured by name or learnt from the pages.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select

from forumscraper.cli import main as forumscraper
from forumscraper.db.models import Board as BoardRow
from forumscraper.db.models import Post
from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import crawl, stat
from tests.test_board_variants import check_dates_are_the_boards

ZONE = "Europe/Paris"
SUMMER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SEASONS = {"summer": SUMMER, "winter": WINTER}


def paris_board(now: datetime) -> Board:
    """The demo board as it stood at ``now``, its clock on Paris time (summer time switched
    on and off as Paris does), and busy: a topic a day for the last 25 days, so that the RSS
    feed (the 25 newest topics) lists none written on the other offset. The feed then cannot
    tell a date read on the wrong season's offset; the rows must be right all the same."""
    board = build_demo_board(now)
    board.move_clock(ZONE)
    topic = board.topic(28)
    assert topic is not None
    rocky = board.member_by_name("Rocky")
    for day in range(25, 0, -1):
        at = now - timedelta(days=day, hours=3)
        board.add_topic(topic.forum_id, f"News of day {day}", rocky, f"<p>Day {day}.</p>", at)
    return board


def other_season_posts(board: Board, now: datetime) -> int:
    """How many live posts were written on the other offset than the one pages print at
    ``now``: those a date-by-date reading would store an hour off."""
    zone = ZoneInfo(ZONE)
    today = zone.utcoffset(now)
    return sum(
        1
        for topic in board.live_topics()
        for post in topic.live_posts
        if zone.utcoffset(post.posted_at) != today
    )


def recorded_zone(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return connection.execute(select(BoardRow.timezone)).scalar_one()


@pytest.mark.parametrize("configured", [False, True], ids=["learnt", "configured"])
@pytest.mark.parametrize("season", list(SEASONS))
@pytest.mark.parametrize("version", ["prosilver", "subsilver", "mobile"])
@deferred_f_from_coro_f
async def test_every_date_is_read_on_the_clock_of_the_page_that_prints_it(
    version: str, season: str, configured: bool, db_url: str, engine: Engine
) -> None:
    """prosilver shows guests a clock line; subsilver and mobile show none (the offset then
    comes from the RSS feed, or from the setting)."""
    now = SEASONS[season]
    board = paris_board(now)
    assert other_season_posts(board, now) >= 20, "the board spans both seasons"
    settings = {"FORUMSCRAPER_TIMEZONE": ZONE} if configured else {}
    with FixtureForumServer(board, version=version, clock=lambda: now) as server:
        crawler = await crawl("forum", db_url, base_url=server.base_url, **settings)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/dates/clock_mismatch") is None
    check_dates_are_the_boards(engine, board)
    # A zone given by name is kept by name: the next run reads it on that run's clock.
    offset = "Etc/GMT-2" if season == "summer" else "Etc/GMT-1"
    assert recorded_zone(engine) == (ZONE if configured else offset)


@pytest.mark.parametrize("version", ["prosilver", "subsilver"])
@deferred_f_from_coro_f
async def test_an_archive_read_in_winter_and_in_summer_keeps_every_date(
    version: str, db_url: str, engine: Engine
) -> None:
    """Read in January with the zone named, then in July once the admin turned summer time on:
    every page prints each stored post an hour later than in January. The runs read them at
    their stored dates (no false alarm of a moved clock), and store July's reply right."""
    clock = [WINTER]
    board = paris_board(WINTER)
    settings = {"FORUMSCRAPER_TIMEZONE": ZONE}
    with FixtureForumServer(board, version=version, clock=lambda: clock[0]) as server:
        first = await crawl("forum", db_url, base_url=server.base_url, **settings)
        assert stat(first, "forumscraper/run/status") == "finished"
        check_dates_are_the_boards(engine, board)

        clock[0] = SUMMER
        rocky = board.member_by_name("Rocky")
        reply = board.add_post(28, rocky, "Written on summer time.", SUMMER - timedelta(hours=2))
        for spider in ("recent", "forum"):
            crawler = await crawl(spider, db_url, base_url=server.base_url, **settings)
            assert stat(crawler, "forumscraper/run/status") == "finished", spider
            assert stat(crawler, "forumscraper/dates/clock_mismatch") is None, spider
    check_dates_are_the_boards(engine, board)
    with engine.connect() as connection:
        stored = connection.execute(select(Post.posted_at).where(Post.id == reply.id)).scalar()
    assert stored is not None and stored.replace(tzinfo=UTC) == reply.posted_at


@deferred_f_from_coro_f
async def test_a_zone_named_for_a_board_outlives_the_offset_its_pages_show(
    db_url: str, engine: Engine
) -> None:
    """``boards add --timezone Europe/Paris``, then a ``forum`` run in January that learns
    +01:00 from the index's clock line: the name stays recorded, not the offset. In July the
    admin has turned summer time on, and a ``recent`` run on the portal (a home page with no
    clock) reads on the name's summer offset: the reply is stored right and no stored date
    looks moved. Recording the offset made that run read on January's clock and fail."""
    clock = [WINTER]
    board = paris_board(WINTER)
    board.portal = True
    board.changed()
    with FixtureForumServer(board, version="prosilver", clock=lambda: clock[0]) as server:
        add = ["boards", "--database-url", db_url, "add", server.base_url, "--timezone", ZONE]
        assert forumscraper(add) == 0
        first = await crawl("forum", db_url, base_url=server.base_url)
        assert stat(first, "forumscraper/run/status") == "finished"
        assert recorded_zone(engine) == ZONE

        clock[0] = SUMMER
        rocky = board.member_by_name("Rocky")
        reply = board.add_post(28, rocky, "Written on summer time.", SUMMER - timedelta(hours=2))
        server.clear_requests()
        again = await crawl("recent", db_url, base_url=server.base_url)
        assert not any(path.startswith("/forum") for path in server.requests), "no clock asked"
    assert stat(again, "forumscraper/run/status") == "finished"
    assert stat(again, "forumscraper/dates/clock_mismatch") is None
    assert recorded_zone(engine) == ZONE
    check_dates_are_the_boards(engine, board)
    with engine.connect() as connection:
        stored = connection.execute(select(Post.posted_at).where(Post.id == reply.id)).scalar()
    assert stored is not None and stored.replace(tzinfo=UTC) == reply.posted_at
