"""Tests for forumscraper.text.dates: Forumotion, RSS, JSON-LD and HTTP date parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forumscraper.text.dates import (
    board_timezone,
    infer_board_offset,
    lacks_time,
    lacks_year,
    parse_clock_line,
    parse_current_time,
    parse_forum_date,
    parse_http_date,
    parse_jsonld_date,
    parse_rss_date,
)

BAGHDAD = ZoneInfo("Asia/Baghdad")  # +03:00, no DST
PARIS = ZoneInfo("Europe/Paris")  # +01:00 / +02:00
PLUS3 = timezone(timedelta(hours=3))

# 2024-12-02 00:30 in Baghdad is still 2024-12-01 in UTC: the board's "today" is not UTC's.
NOW_BAGHDAD = datetime(2024, 12, 2, 0, 30, tzinfo=BAGHDAD)
# Just after New Year in Paris (still 2024 in UTC).
NOW_PARIS_NEW_YEAR = datetime(2025, 1, 1, 0, 30, tzinfo=PARIS)
# The day after the autumn DST change in Paris.
NOW_PARIS_AUTUMN = datetime(2024, 10, 28, 12, 0, tzinfo=PARIS)
# A summer day in Paris (summer time on).
NOW_PARIS_SUMMER = datetime(2024, 7, 1, 12, 0, tzinfo=PARIS)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


BAGHDAD_CASES = [
    # relative, English, 24 h and 12 h, across the local midnight
    ("Today at 00:10", utc(2024, 12, 1, 21, 10)),
    ("Yesterday at 23:50", utc(2024, 12, 1, 20, 50)),
    ("Today at 9:59", utc(2024, 12, 2, 6, 59)),
    ("Today at 12:17 am", utc(2024, 12, 1, 21, 17)),
    ("Today at 12:17 pm", utc(2024, 12, 2, 9, 17)),
    ("Yesterday at 10:29", utc(2024, 12, 1, 7, 29)),
    ("Yesterday at 10:02 pm", utc(2024, 12, 1, 19, 2)),
    ("today at 10:02 PM", utc(2024, 12, 2, 19, 2)),
    ("Today at 10:02 p.m.", utc(2024, 12, 2, 19, 2)),
    # relative, other languages
    ("Aujourd'hui à 19:50", utc(2024, 12, 2, 16, 50)),
    ("Aujourd\u2019hui à 19:50", utc(2024, 12, 2, 16, 50)),
    ("Hier à 19:50", utc(2024, 12, 1, 16, 50)),
    ("Hoy a las 10:00", utc(2024, 12, 2, 7, 0)),
    ("Ayer a las 10:00", utc(2024, 12, 1, 7, 0)),
    ("Hoje às 10:00", utc(2024, 12, 2, 7, 0)),
    ("Ontem às 10:00", utc(2024, 12, 1, 7, 0)),
    ("Oggi alle 10:00", utc(2024, 12, 2, 7, 0)),
    ("Ieri alle 10:00", utc(2024, 12, 1, 7, 0)),
    ("Heute um 10:00", utc(2024, 12, 2, 7, 0)),
    ("Gestern um 10:00", utc(2024, 12, 1, 7, 0)),
    # decoration around the string
    ("  Today at 9:59  ", utc(2024, 12, 2, 6, 59)),
    ("\u00a0Today\u00a0at\u00a09:59\u00a0", utc(2024, 12, 2, 6, 59)),
    ("» Today at 9:59", utc(2024, 12, 2, 6, 59)),
    ("- Today at 9:59,", utc(2024, 12, 2, 6, 59)),
    # phpBB default
    ("Sun Dec 01, 2024 9:59 am", utc(2024, 12, 1, 6, 59)),
    ("Sun Dec 01, 2024 12:05 am", utc(2024, 11, 30, 21, 5)),
    ("Sun Dec 01, 2024 12:05 pm", utc(2024, 12, 1, 9, 5)),
    ("Tue Mar 31, 2009 6:50 pm", utc(2009, 3, 31, 15, 50)),
    ("Tue Mar 31, 2009 18:50", utc(2009, 3, 31, 15, 50)),
    ("Wed Nov 14, 2012 4:20 PM", utc(2012, 11, 14, 13, 20)),
    ("Sun. Dec. 01, 2024 9:59 a.m.", utc(2024, 12, 1, 6, 59)),
    # ordinal
    ("16th April 2013, 2:13 pm", utc(2013, 4, 16, 11, 13)),
    ("July 16th 2015, 7:36 pm", utc(2015, 7, 16, 16, 36)),
    ("1st May 2013, 3:34 am", utc(2013, 5, 1, 0, 34)),
    ("22nd March 2014, 10:00", utc(2014, 3, 22, 7, 0)),
    ("1er mai 2013 - 3:34", utc(2013, 5, 1, 0, 34)),
    # Forumotion "D j M Y - H:i" in each language
    ("Wed 29 Jul 2015 - 15:51", utc(2015, 7, 29, 12, 51)),
    ("Ven 19 Fév 2021 - 19:36", utc(2021, 2, 19, 16, 36)),
    ("ven 19 fev 2021 - 19:36", utc(2021, 2, 19, 16, 36)),
    ("VEN 19 FÉVR. 2021 - 19:36", utc(2021, 2, 19, 16, 36)),
    ("Mar 26 Mar 2013 - 10:01", utc(2013, 3, 26, 7, 1)),
    ("Mer 21 Avr 2010 - 21:18", utc(2010, 4, 21, 18, 18)),
    ("Jeu 15 Aoû 2019 - 8:00", utc(2019, 8, 15, 5, 0)),
    ("Jeu 15 Aou 2019 - 8:00", utc(2019, 8, 15, 5, 0)),
    ("Mer 1 janv. 2020 - 8:00", utc(2020, 1, 1, 5, 0)),
    ("Dim 1 Déc 2024 - 9:59", utc(2024, 12, 1, 6, 59)),
    ("Dom 1 Dic 2024 - 9:59", utc(2024, 12, 1, 6, 59)),  # es / it
    ("Dom 1 Dez 2024 - 9:59", utc(2024, 12, 1, 6, 59)),  # pt
    ("So 1 Dez 2024 - 9:59", utc(2024, 12, 1, 6, 59)),  # de
    ("Sáb 17 Ago 2024 - 10:00", utc(2024, 8, 17, 7, 0)),
    ("Sex 16 Ago 2024 - 10:00", utc(2024, 8, 16, 7, 0)),
    ("Qua 13 Mar 2024 - 10:00", utc(2024, 3, 13, 7, 0)),
    ("Gio 14 Mar 2024 - 10:00", utc(2024, 3, 14, 7, 0)),
    ("Mi 13 Mär 2024 - 10:00", utc(2024, 3, 13, 7, 0)),
    ("Mié 13 Mar 2024 - 10:00", utc(2024, 3, 13, 7, 0)),
    ("Do 15 Okt 2020 - 9:00", utc(2020, 10, 15, 6, 0)),  # "Do" is ambiguous: ignored
    ("Lun 7 Giu 2021 - 9:00", utc(2021, 6, 7, 6, 0)),
    ("Lun 12 Lug 2021 - 9:00", utc(2021, 7, 12, 6, 0)),
    ("Lun 5 Juil 2021 - 9:00", utc(2021, 7, 5, 6, 0)),
    ("Sab 8 Mag 2021 - 9:00", utc(2021, 5, 8, 6, 0)),
    ("Segunda-feira 3 Out 2022 - 9:00", utc(2022, 10, 3, 6, 0)),
    ("19 de febrero de 2021 19:36", utc(2021, 2, 19, 16, 36)),
    ("19. Februar 2021 19:36 Uhr", utc(2021, 2, 19, 16, 36)),
    ("19 septembre 2021 19h36", utc(2021, 9, 19, 16, 36)),
    # no year: the latest past year, matching the weekday when given
    ("Mar 20 Déc - 10:07", utc(2022, 12, 20, 7, 7)),  # 2024/2023-12-20 are not Tuesdays
    ("Mar 3 Oct - 1:06", utc(2023, 10, 2, 22, 6)),
    ("Lun 25 Nov - 10:00", utc(2024, 11, 25, 7, 0)),
    ("25 Nov - 10:00", utc(2024, 11, 25, 7, 0)),
    ("Dec 2 - 10:00", utc(2024, 12, 2, 7, 0)),  # later today: within the skew allowance
    ("Dec 3 - 00:20", utc(2024, 12, 2, 21, 20)),  # 23 h 50 ahead: still within a day
    ("Dec 3 - 00:40", utc(2023, 12, 2, 21, 40)),  # a day and 10 min ahead: last year
    # numeric
    ("29/07/2015 15:51", utc(2015, 7, 29, 12, 51)),
    ("2015-07-29 15:51", utc(2015, 7, 29, 12, 51)),
    ("29.07.2015 15:51", utc(2015, 7, 29, 12, 51)),
    ("29-07-2015 15:51:30", utc(2015, 7, 29, 12, 51, 30)),
    ("1/2/2015 15:51", utc(2015, 2, 1, 12, 51)),
]


@pytest.mark.parametrize(("raw", "expected"), BAGHDAD_CASES)
def test_parse_forum_date_baghdad(raw: str, expected: datetime) -> None:
    result = parse_forum_date(raw, now=NOW_BAGHDAD, tz=BAGHDAD)
    assert result == expected
    assert result is not None
    assert result.tzinfo is UTC


@pytest.mark.parametrize(("raw", "expected"), BAGHDAD_CASES)
def test_parse_forum_date_fixed_offset_matches_zoneinfo(raw: str, expected: datetime) -> None:
    now = NOW_BAGHDAD.astimezone(PLUS3)
    assert parse_forum_date(raw, now=now, tz=PLUS3) == expected


@pytest.mark.parametrize(
    ("raw", "now", "expected"),
    [
        # New Year: "today" and no-year dates belong to 2025 locally, 2024 in UTC
        ("Mar 31 Déc - 23:00", NOW_PARIS_NEW_YEAR, utc(2024, 12, 31, 22, 0)),
        ("Today at 00:10", NOW_PARIS_NEW_YEAR, utc(2024, 12, 31, 23, 10)),
        ("Yesterday at 23:50", NOW_PARIS_NEW_YEAR, utc(2024, 12, 31, 22, 50)),
        ("Mer 1 Jan - 00:20", NOW_PARIS_NEW_YEAR, utc(2024, 12, 31, 23, 20)),
        ("Mer 1 Jan - 10:00", NOW_PARIS_NEW_YEAR, utc(2025, 1, 1, 9, 0)),
        ("Jeu 2 Jan - 00:10", NOW_PARIS_NEW_YEAR, utc(2025, 1, 1, 23, 10)),
        ("Ven 3 Jan - 10:00", NOW_PARIS_NEW_YEAR, utc(2020, 1, 3, 9, 0)),  # 2024 not Friday
        # 29 February: the latest leap year, weekday searched at most 7 years back
        ("Jeu 29 Fév - 10:00", NOW_PARIS_NEW_YEAR, utc(2024, 2, 29, 9, 0)),
        ("Sam 29 Fév - 10:00", NOW_PARIS_NEW_YEAR, utc(2020, 2, 29, 9, 0)),
        # Monday: 2016, too far back; 2024's 29 February is a Thursday, so no reading at all
        ("Lun 29 Fév - 10:00", NOW_PARIS_NEW_YEAR, None),
        # Every date on the clock of the page's moment, whatever its own season: summer time
        # is a switch the admin turns, and it moves old dates too. Winter time (+01:00):
        ("Wed 29 Jul 2015 - 15:51", NOW_PARIS_AUTUMN, utc(2015, 7, 29, 14, 51)),
        ("Ven 19 Fév 2021 - 19:36", NOW_PARIS_AUTUMN, utc(2021, 2, 19, 18, 36)),
        ("Today at 9:59", NOW_PARIS_AUTUMN, utc(2024, 10, 28, 8, 59)),
        # summer time (+02:00):
        ("Wed 29 Jul 2015 - 15:51", NOW_PARIS_SUMMER, utc(2015, 7, 29, 13, 51)),
        ("Ven 19 Fév 2021 - 19:36", NOW_PARIS_SUMMER, utc(2021, 2, 19, 17, 36)),
        ("Today at 9:59", NOW_PARIS_SUMMER, utc(2024, 7, 1, 7, 59)),
        # the wall clock the autumn change repeats and the one spring's skips: one offset,
        # one reading
        ("Yesterday at 02:30", NOW_PARIS_AUTUMN, utc(2024, 10, 27, 1, 30)),
        ("Sun 27 Oct 2024 - 02:30", NOW_PARIS_AUTUMN, utc(2024, 10, 27, 1, 30)),
        ("Sun 31 Mar 2024 - 02:30", NOW_PARIS_AUTUMN, utc(2024, 3, 31, 1, 30)),
    ],
)
def test_parse_forum_date_paris(raw: str, now: datetime, expected: datetime | None) -> None:
    assert parse_forum_date(raw, now=now, tz=PARIS) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "soon",
        "32/13/2020 25:61",
        "Tomorrow at 9:00",
        "Today",
        "Today at",
        "Today at 24:00",
        "Today at 9:60",
        "Today at 13:00 pm",
        "Today at 0:30 am",
        "29/07/2015",  # no time of day
        "2008-11-29",
        "Sun Feb 30, 2024 9:00 am",
        "Thu Dec 01, 2024 9:59 am",  # 2024-12-01 was a Sunday
        "Foo 29 Jul 2015 - 15:51",
        "Wed 29 Jxx 2015 - 15:51",
        "Mar 29 Jui - 10:00",  # juin or juillet?
        "Wed 29 Jul 15 - 15:51",  # two-digit year
        "29 Jul 0015 - 15:51",
        "Mar 30 Fév - 10:00",
        "07/29/2015 15:51",  # month/day order is not guessed
        "15:51",
        "Wed 29 Jul 2015 - 15:51 extra",
    ],
)
def test_parse_forum_date_unparseable(raw: str) -> None:
    assert parse_forum_date(raw, now=NOW_BAGHDAD, tz=BAGHDAD) is None


def test_parse_forum_date_requires_aware_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_forum_date("Today at 9:59", now=datetime(2024, 1, 1), tz=BAGHDAD)


@settings(deadline=None, max_examples=300)
@given(raw=st.text())
def test_parse_forum_date_never_raises(raw: str) -> None:
    result = parse_forum_date(raw, now=NOW_BAGHDAD, tz=BAGHDAD)
    assert result is None or result.tzinfo is UTC


@settings(deadline=None, max_examples=300)
@given(
    day=st.sampled_from(["Mar", "Lun", "Sun", "Dom", "So", "x", ""]),
    number=st.integers(min_value=0, max_value=40),
    month=st.sampled_from(["Déc", "Fév", "Jan", "Mar", "Mai", "Aug", "Jui", "Okt", "x"]),
    year=st.sampled_from(["", "2021", "1969", "9999", "0"]),
    hour=st.integers(min_value=0, max_value=30),
    ampm=st.sampled_from(["", " am", " pm"]),
)
def test_parse_forum_date_never_raises_on_near_misses(
    day: str, number: int, month: str, year: str, hour: int, ampm: str
) -> None:
    raw = f"{day} {number} {month} {year} - {hour}:07{ampm}"
    parse_forum_date(raw, now=NOW_BAGHDAD, tz=BAGHDAD)


# Wednesday 29 July was a Wednesday in 2015, 2020 and 2026: printed without a year ("D j M -
# G:i", a layout Forumotion offers), only what bounds it on the page says which.
NOW_2026 = datetime(2026, 12, 5, 12, 0, tzinfo=PARIS)
JULY_29 = "Wed 29 Jul - 15:51"
WINTER = timezone(timedelta(hours=1))
"""The clock a Paris board's page of ``NOW_2026`` prints every date on (summer time off)."""


def paris(*args: int) -> datetime:
    """A wall-clock time as a Paris board's page of ``NOW_2026`` prints it, in UTC."""
    return datetime(*args, tzinfo=WINTER).astimezone(UTC)


@pytest.mark.parametrize(
    ("after", "near", "expected"),
    [
        # Unbounded (a listing): the latest year that fits, as before.
        (None, None, paris(2026, 7, 29, 15, 51)),
        # The topic's JSON-LD date (seconds, any zone within a day) settles the first post.
        (None, paris(2015, 7, 29, 15, 51, 13), paris(2015, 7, 29, 15, 51)),
        (None, datetime(2015, 7, 29, 15, 51, 13, tzinfo=UTC), paris(2015, 7, 29, 15, 51)),
        (None, paris(2020, 7, 29, 0, 0), paris(2020, 7, 29, 15, 51)),
        # A JSON-LD date of another day (a first post deleted): nothing fits.
        (None, paris(2015, 7, 10, 9, 0), None),
        # Only a lower bound: read when one year fits between it and now, never guessed.
        (paris(2015, 7, 1), None, None),  # 2015, 2020 and 2026 fit
        (paris(2021, 1, 1), None, paris(2026, 7, 29, 15, 51)),
        (paris(2020, 7, 29, 15, 51), None, None),  # the bound itself and 2026
        (paris(2026, 7, 29, 15, 52), None, None),  # after the only candidate: unread
    ],
)
def test_a_date_without_a_year_is_read_in_the_one_year_its_bounds_allow(
    after: datetime | None, near: datetime | None, expected: datetime | None
) -> None:
    assert parse_forum_date(JULY_29, now=NOW_2026, tz=PARIS, after=after, near=near) == expected


def test_bounds_change_nothing_for_a_date_with_a_year_or_a_relative_date() -> None:
    bounds = {"after": paris(2026, 12, 1), "near": paris(2026, 12, 1)}
    for raw, expected in [
        ("Wed 29 Jul 2015 - 15:51", paris(2015, 7, 29, 15, 51)),
        ("Today at 9:59", paris(2026, 12, 5, 9, 59)),
    ]:
        assert parse_forum_date(raw, now=NOW_2026, tz=PARIS, **bounds) == expected
    assert lacks_year(JULY_29)
    assert not lacks_year("Wed 29 Jul 2015 - 15:51")
    assert not lacks_year("Yesterday at 9:59")
    assert not lacks_year("not a date")


@pytest.mark.parametrize(
    "raw", ["2024-05-06", "6/5/2024", "6th May 2024", "1er mai 2024", "6 Mayo 2024", "Today"]
)
def test_a_date_without_a_time_of_day_is_no_moment(raw: str) -> None:
    """The layouts Forumotion offers without a clock (``Y-m-d``, ``j/n/Y``, ``jS F Y``) give a
    day, not a moment: never read as its midnight, and told apart from text that is no date."""
    assert lacks_time(raw)
    assert parse_forum_date(raw, now=NOW_2026, tz=PARIS) is None


@pytest.mark.parametrize("raw", ["Sun Dec 01, 2024 9:59 am", "Today at 9:59", "9:59", "2024", ""])
def test_a_date_with_a_time_or_no_date_does_not_lack_a_time(raw: str) -> None:
    assert not lacks_time(raw)


WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@settings(deadline=None, max_examples=300)
@given(
    posted=st.datetimes(
        min_value=datetime(1995, 1, 1), max_value=datetime(2026, 12, 4), timezones=st.just(WINTER)
    ),
    gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=4000)),
    zone_error=st.timedeltas(min_value=timedelta(hours=-14), max_value=timedelta(hours=14)),
)
def test_a_bounded_date_without_a_year_is_right_or_unread_never_wrong(
    posted: datetime, gap: timedelta, zone_error: timedelta
) -> None:
    posted = posted.replace(second=0, microsecond=0)
    raw = f"{WEEKDAYS[posted.weekday()]} {posted.day} {MONTHS[posted.month - 1]} - {posted:%H:%M}"
    truth = posted.astimezone(UTC)
    # The first post, beside its JSON-LD date: always read.
    near = parse_forum_date(raw, now=NOW_2026, tz=PARIS, near=posted + zone_error)
    assert near == truth
    # A later post, bounded by the one before it (``gap`` earlier): right, or not read.
    read = parse_forum_date(raw, now=NOW_2026, tz=PARIS, after=truth - gap)
    assert read in (truth, None)
    if NOW_2026 - (truth - gap) < timedelta(days=365 * 5):
        assert read is not None  # a date recurs on its weekday 5 years apart at the closest


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thu, 21 Aug 2008 16:35:12 GMT", utc(2008, 8, 21, 16, 35, 12)),
        ("Thu, 21 Aug 2008 18:35:12 +0200", utc(2008, 8, 21, 16, 35, 12)),
        ("Thu, 21 Aug 2008 11:35:12 -0500", utc(2008, 8, 21, 16, 35, 12)),
        ("Thu, 21 Aug 2008 16:35:12 -0000", utc(2008, 8, 21, 16, 35, 12)),
        (" Thu, 21 Aug 2008 16:35:12 UT ", utc(2008, 8, 21, 16, 35, 12)),
        ("Thu, 21 Aug 2008 16:35:12", None),  # no zone
        ("Thu, 99 Aug 2008 16:35:12 GMT", None),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_rss_date(raw: str, expected: datetime | None) -> None:
    assert parse_rss_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "tz", "expected"),
    [
        ("2018-08-26 14:17:13", PARIS, utc(2018, 8, 26, 12, 17, 13)),
        ("2018-08-26 14:17:13", BAGHDAD, utc(2018, 8, 26, 11, 17, 13)),
        ("2018-01-26 14:17", PARIS, utc(2018, 1, 26, 13, 17)),
        ("2018-08-26T14:17:13+02:00", BAGHDAD, utc(2018, 8, 26, 12, 17, 13)),
        ("2018-08-26T12:17:13Z", BAGHDAD, utc(2018, 8, 26, 12, 17, 13)),
        ("2018-08-26T14:17:13+0200", UTC, utc(2018, 8, 26, 12, 17, 13)),
        ("2018-08-26", PARIS, None),
        ("2018-02-30 14:17:13", PARIS, None),
        ("26/08/2018 14:17", PARIS, None),
        ("", PARIS, None),
    ],
)
def test_parse_jsonld_date(raw: str, tz: tzinfo, expected: datetime | None) -> None:
    assert parse_jsonld_date(raw, tz) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sun, 01 Dec 2024 21:30:00 GMT", utc(2024, 12, 1, 21, 30)),
        ("Sunday, 06-Nov-94 08:49:37 GMT", utc(1994, 11, 6, 8, 49, 37)),
        ("Sun Nov  6 08:49:37 1994", utc(1994, 11, 6, 8, 49, 37)),
        ("Sun, 01 Dec 2024 21:30:00", None),
        ("Sun, 01 Dec 2024 21:30:00 +0200", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_http_date(raw: str, expected: datetime | None) -> None:
    assert parse_http_date(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Current date/time is Wed Nov 14, 2012 4:20 pm", datetime(2012, 11, 14, 16, 20)),
        ("It is currently Wed Nov 14, 2012 4:20 pm", datetime(2012, 11, 14, 16, 20)),
        ("Nous sommes le Ven 19 Fév 2021 - 19:36", datetime(2021, 2, 19, 19, 36)),
        ("La date/heure actuelle est Mar 26 Mar 2013 - 10:01", datetime(2013, 3, 26, 10, 1)),
        ("La fecha/hora actual es Vie 19 Feb 2021 - 19:36", datetime(2021, 2, 19, 19, 36)),
        ("A data/hora atual é Sex 19 Fev 2021 - 19:36", datetime(2021, 2, 19, 19, 36)),
        ("La data di oggi è Ven 19 Feb 2021 - 19:36", datetime(2021, 2, 19, 19, 36)),
        ("La data/ora di oggi è Ven 19 Feb 2021 - 19:36", datetime(2021, 2, 19, 19, 36)),
        ("Aktuelles Datum und Uhrzeit: Fr 19 Feb 2021 - 19:36", datetime(2021, 2, 19, 19, 36)),
        (
            "\n  Current date/time is\u00a0Wed Nov 14, 2012 4:20 pm\n",
            datetime(2012, 11, 14, 16, 20),
        ),
        (
            "Last visit was Tue Nov 13, 2012 1:00 pm\n"
            "Current date/time is Wed Nov 14, 2012 4:20 pm",
            datetime(2012, 11, 14, 16, 20),
        ),
        ("Wed 29 Jul 2015 - 15:51", datetime(2015, 7, 29, 15, 51)),  # bare date
        ("Current date/time is Today at 4:20 pm", None),
        ("Nous sommes le Mar 20 Déc - 10:07", None),  # no year
        ("Current date/time is", None),
        ("", None),
    ],
)
def test_parse_current_time(text: str, expected: datetime | None) -> None:
    result = parse_current_time(text)
    assert result == expected
    assert result is None or result.tzinfo is None


@pytest.mark.parametrize(
    ("board_now", "server_utc", "expected"),
    [
        (datetime(2024, 12, 2, 0, 30), utc(2024, 12, 1, 21, 30, 27), timedelta(hours=3)),
        (datetime(2024, 12, 2, 0, 30), utc(2024, 12, 1, 21, 29, 40), timedelta(hours=3)),
        (datetime(2024, 12, 1, 21, 30), utc(2024, 12, 1, 21, 30, 59), timedelta(0)),
        (datetime(2024, 12, 2, 3, 0), utc(2024, 12, 1, 21, 30), timedelta(hours=5, minutes=30)),
        (datetime(2024, 12, 2, 3, 15), utc(2024, 12, 1, 21, 30), timedelta(hours=5, minutes=45)),
        (datetime(2024, 12, 1, 18, 31), utc(2024, 12, 1, 21, 30), timedelta(hours=-3)),
        (datetime(2024, 12, 2, 11, 30), utc(2024, 12, 1, 21, 30), timedelta(hours=14)),
        (datetime(2024, 12, 2, 11, 45), utc(2024, 12, 1, 21, 30), None),
        (datetime(2024, 12, 1, 7, 0), utc(2024, 12, 1, 21, 30), None),
        (
            datetime(2024, 12, 2, 0, 30),
            datetime(2024, 12, 2, 0, 30, tzinfo=BAGHDAD),  # any aware time is converted
            timedelta(hours=3),
        ),
    ],
)
def test_infer_board_offset(
    board_now: datetime, server_utc: datetime, expected: timedelta | None
) -> None:
    result = infer_board_offset(board_now, server_utc)
    assert result == (None if expected is None else timezone(expected))


def test_infer_board_offset_with_parsed_inputs() -> None:
    board_now = parse_current_time("Current date/time is Sun Dec 01, 2024 11:30 pm")
    server_utc = parse_http_date("Sun, 01 Dec 2024 20:30:12 GMT")
    assert board_now is not None
    assert server_utc is not None
    assert infer_board_offset(board_now, server_utc) == PLUS3


def test_infer_board_offset_rejects_swapped_arguments() -> None:
    with pytest.raises(ValueError, match="naive"):
        infer_board_offset(utc(2024, 1, 1), utc(2024, 1, 1))
    with pytest.raises(ValueError, match="aware"):
        infer_board_offset(datetime(2024, 1, 1), datetime(2024, 1, 1))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Asia/Baghdad", BAGHDAD),
        (" Europe/Paris ", PARIS),
        ("UTC", UTC),
        ("utc", UTC),
        ("+03:00", PLUS3),
        ("+3", PLUS3),
        ("-0530", timezone(-timedelta(hours=5, minutes=30))),
        ("UTC+01:00", timezone(timedelta(hours=1))),
        ("UTC -03:00", timezone(timedelta(hours=-3))),
        ("+14:00", timezone(timedelta(hours=14))),
    ],
)
def test_board_timezone(name: str, expected: tzinfo) -> None:
    assert board_timezone(name) == expected


@pytest.mark.parametrize(
    "name", ["Mars/Olympus", "", "Europe", "../etc/passwd", "+15:00", "+03:75"]
)
def test_board_timezone_rejects_unknown(name: str) -> None:
    with pytest.raises(ValueError, match="board timezone"):
        board_timezone(name)


def test_parse_forum_date_rejects_overlong_text() -> None:
    assert (
        parse_forum_date("Today " + " " * 50 + "x" * 100 + " at 9:59", now=NOW_BAGHDAD, tz=BAGHDAD)
        is None
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Şu anki tarih ve saat: Ptsi Eyl. 21, 2009 5:00 pm", datetime(2009, 9, 21, 17, 0)),
        ("التاريخ والوقت الآن: السبت يناير 03, 2015 5:17 am", datetime(2015, 1, 3, 5, 17)),
        ("Aktuelles Datum und Uhrzeit: Fr 26 Apr 2024 - 17:12", datetime(2024, 4, 26, 17, 12)),
        ("Current date/time is Wed Nov 14, 2012 4:20 pm", datetime(2012, 11, 14, 16, 20)),
        ("Last visit was: Today at 12:00", None),  # no year: not a clock
        ("", None),
    ],
)
def test_a_clock_line_known_by_its_place_is_read_in_any_language(
    line: str, expected: datetime | None
) -> None:
    assert parse_clock_line(line) == expected
