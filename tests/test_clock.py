"""The board's clock (``forumscraper.spiders.clock``): where the timezone comes from and the
self-checks that catch a wrong one, without Scrapy."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from scrapy.utils.defer import deferred_f_from_coro_f

from forumscraper.pages.common import DateContext
from forumscraper.spiders.clock import BoardClock, check_dates, describe_tz, far_future

SERVER = datetime(2026, 3, 1, 21, 30, 12, tzinfo=UTC)
PLUS3 = timezone(timedelta(hours=3))


def test_the_first_clock_line_sets_the_zone_and_later_ones_are_checked() -> None:
    clock = BoardClock()
    assert not clock.known
    assert clock.observe(None, SERVER, "http://b/") is None  # a portal: no clock line
    assert not clock.known
    assert clock.observe(datetime(2026, 3, 2, 0, 30), SERVER, "http://b/forum") is None
    assert clock.tz == PLUS3 and "http://b/forum" in clock.source
    # A later page that agrees (a minute later) is fine; one three hours off is evidence.
    later = SERVER + timedelta(minutes=1)
    assert clock.observe(datetime(2026, 3, 2, 0, 31), later, "http://b/f1-x") is None
    evidence = clock.observe(datetime(2026, 3, 1, 21, 31), later, "http://b/f2-x")
    assert evidence is not None and "http://b/f2-x" in evidence and "UTC+03:00" in evidence


def test_a_configured_zone_that_is_not_the_boards_is_caught_by_its_clock() -> None:
    clock = BoardClock(ZoneInfo("Europe/Paris"))
    assert clock.known and clock.source == "FORUMSCRAPER_TIMEZONE"
    assert clock.observe(datetime(2026, 3, 1, 22, 30), SERVER, "http://b/") is None
    evidence = clock.observe(datetime(2026, 3, 2, 0, 30), SERVER, "http://b/")
    assert evidence is not None and "Europe/Paris" in evidence


def test_a_clock_too_far_from_the_server_is_evidence_not_a_zone() -> None:
    clock = BoardClock()
    evidence = clock.observe(datetime(2026, 3, 3, 0, 0), SERVER, "http://b/")
    assert evidence is not None and not clock.known


def test_without_a_clock_the_recorded_zone_then_utc_apply() -> None:
    clock = BoardClock()
    clock.recorded = ZoneInfo("Asia/Baghdad")
    assert clock.fall_back() is False
    assert clock.tz == ZoneInfo("Asia/Baghdad") and "earlier run" in clock.source
    bare = BoardClock()
    assert bare.fall_back() is True  # the caller warns
    assert bare.tz is UTC


@deferred_f_from_coro_f
async def test_waiting_for_the_zone_resumes_once_it_is_known() -> None:
    clock = BoardClock()
    order: list[str] = []

    async def reader() -> None:
        tz = await clock.wait()
        order.append(f"read in {describe_tz(tz)}")

    task = asyncio.ensure_future(reader())
    await asyncio.sleep(0)
    order.append("clock seen")
    clock.observe(datetime(2026, 3, 2, 0, 30), SERVER, "http://b/forum")
    await task
    assert order == ["clock seen", "read in UTC+03:00"]


def test_dates_after_the_servers_header_are_evidence_of_a_wrong_offset() -> None:
    context = DateContext(tz=UTC, now=SERVER)
    fine = [("Today at 21:30", SERVER), ("Yesterday at 23:59", SERVER - timedelta(hours=22))]
    assert check_dates(fine, context, "http://b/t1-x") is None
    within_a_minute = [("Today at 21:31", SERVER + timedelta(seconds=48))]
    assert check_dates(within_a_minute, context, "http://b/t1-x") is None
    # "Today at 23:50" on a UTC+3 board read as UTC: two hours and a half in the future.
    wrong = [("Today at 23:50", SERVER.replace(hour=23, minute=50, second=0))]
    evidence = check_dates(wrong, context, "http://b/t1-x")
    assert evidence is not None and "Today at 23:50" in evidence and "t1-x" in evidence


def test_absurd_dates_are_not_clock_evidence_but_are_counted() -> None:
    context = DateContext(tz=UTC, now=SERVER)
    absurd = [("Fri Jan 01, 2999 12:00 am", datetime(2999, 1, 1, tzinfo=UTC)), (None, None)]
    assert check_dates(absurd, context, "http://b/t1-x") is None
    assert far_future([value for _, value in absurd], context) == 1


def test_zones_are_described_as_people_read_them() -> None:
    assert describe_tz(UTC) == "UTC"
    assert describe_tz(ZoneInfo("Asia/Baghdad")) == "Asia/Baghdad"
    assert describe_tz(timezone(timedelta(hours=-3, minutes=-30))) == "UTC-03:30"
