# ruff: noqa: RUF001 (Arabic letters and digits that look Latin are the point)
"""Dates in every board language Forumotion offers (forumscraper.text.dates with the names of
forumscraper.text.date_names): what real boards print (``shared/forumotion/DATES.md``, verbatim),
Arabic and Turkish names one by one, every language in every layout, and the traps: a weekday
is never read as a month, names two languages read differently give no date unless the printed
year and weekday settle it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from forumscraper.text.date_names import NAMES
from forumscraper.text.dates import (
    board_timezone,
    date_shape,
    is_relative_date,
    parse_current_time,
    parse_forum_date,
)

# DATES.md's examples are from 2009 to 2024; "now" is after them, in the same year as the
# examples printed without a year (read as the latest past year whose weekday fits).
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def read(raw: str, now: datetime = NOW) -> datetime | None:
    return parse_forum_date(raw, now=now, tz=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # D M d, Y g:i a (the default)
        ("السبت يناير 03, 2015 5:17 am", at(2015, 1, 3, 5, 17)),
        ("Jue Mayo 09, 2024 12:42 am", at(2024, 5, 9, 0, 42)),
        ("Qua maio 08, 2024 5:04 pm", at(2024, 5, 8, 17, 4)),
        ("Dom Mag 19, 2024 4:12 am", at(2024, 5, 19, 4, 12)),
        ("Fr Apr 19, 2024 2:28 pm", at(2024, 4, 19, 14, 28)),
        ("Ptsi Eyl. 21, 2009 5:00 pm", at(2009, 9, 21, 17, 0)),
        ("Gio Gen 04, 2018 9:31 am", at(2018, 1, 4, 9, 31)),
        # D d M Y, H:i
        ("Vie 26 Abr 2024, 17:33", at(2024, 4, 26, 17, 33)),
        ("Seg 06 maio 2024, 21:25", at(2024, 5, 6, 21, 25)),
        ("الأحد 14 أبريل 2019, 17:47", at(2019, 4, 14, 17, 47)),
        # D d M Y, g:i a
        ("Lun 18 Mar 2024, 9:38 pm", at(2024, 3, 18, 21, 38)),
        # D j M Y - G:i
        ("Fr 26 Apr 2024 - 17:12", at(2024, 4, 26, 17, 12)),
        # D j M - G:i (no year: the latest year whose weekday fits)
        ("Mar 29 Abr - 19:48", at(2025, 4, 29, 19, 48)),
        ("Qui 1 Set - 21:15", at(2022, 9, 1, 21, 15)),
        ("Sex 7 Out - 8:34", at(2022, 10, 7, 8, 34)),
        # d/m/y, h:i a
        ("19/10/16, 09:28 pm", at(2016, 10, 19, 21, 28)),
        # the epoch as a guest's "last visit"
        ("Perş. Ocak 01, 1970 2:00 am", at(1970, 1, 1, 2, 0)),
        # other layouts Forumotion offers, with a time
        ("20.01.12 10:00", at(2012, 1, 20, 10, 0)),
        ("19/4/2024 10:00", at(2024, 4, 19, 10, 0)),
        ("2024-04-19 10:00", at(2024, 4, 19, 10, 0)),
        ("19 Nisan 2024, 5:12 pm", at(2024, 4, 19, 17, 12)),
    ],
)
def test_what_real_boards_print(raw: str, expected: datetime) -> None:
    assert read(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "16th April 2013",  # jS F Y: a day, no time of day; not guessed
        "19/4/2024",
        "2024-04-19",
        "21/09/09",  # a join date
    ],
)
def test_layouts_without_a_time_are_no_post_date(raw: str) -> None:
    assert read(raw) is None


ARABIC_WEEKDAYS = ["الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
ARABIC_MONTHS = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
]
TURKISH_WEEKDAYS = ["Ptsi", "Sal\u0131", "Çarş.", "Perş.", "Cuma", "C.tesi", "Paz"]
TURKISH_MONTHS = [
    "Ocak",
    "Şubat",
    "Mart",
    "Nisan",
    "May\u0131s",
    "Haziran",
    "Temmuz",
    "Ağustos",
    "Eyl.",
    "Ekim",
    "Kas\u0131m",
    "Aral\u0131k",
]


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize(
    ("weekdays", "months"),
    [(ARABIC_WEEKDAYS, ARABIC_MONTHS), (TURKISH_WEEKDAYS, TURKISH_MONTHS)],
    ids=["ar", "tr"],
)
def test_every_arabic_and_turkish_name(weekdays: list[str], months: list[str], month: int) -> None:
    for day in (1, 9, 17, 25):  # four weekdays a month: all seven over the year
        moment = at(2023, month, day, 21, 5)
        weekday = weekdays[moment.weekday()]
        printed = [
            f"{weekday} {months[month - 1]} {day:02d}, 2023 9:05 pm",
            f"{weekday} {day} {months[month - 1]} 2023 - 21:05",
            f"{weekday} {day:02d} {months[month - 1]} 2023, 21:05",
        ]
        for raw in printed:
            assert read(raw) == moment, raw


@pytest.mark.parametrize(
    ("raw", "days_back"),
    [
        ("اليوم في 10:00", 0),
        ("أمس في 10:00", 1),
        ("اليوم، 10:00", 0),
        ("Bugün 10:00", 0),
        ("Bugün saat 10:00", 0),
        ("Dün, 10:00", 1),
        ("Сегодня в 10:00", 0),
        ("Вчера в 10:00", 1),
        ("Dzisiaj o 10:00", 0),
        ("Wczoraj, 10:00", 1),
        ("Vandaag om 10:00", 0),
        ("Gisteren om 10:00", 1),
        ("Σήμερα στις 10:00", 0),
        ("Χθες, 10:00", 1),
        ("Tegnap 10:00", 1),
        ("Dnes v 10:00", 0),
        ("Včera v 10:00", 1),
        ("Ieri la 10:00", 1),
        ("Hari ini 10:00", 0),
        ("Heute um 10:00 Uhr", 0),
        ("Oggi alle 10:00", 0),
    ],
)
def test_today_and_yesterday_in_other_languages(raw: str, days_back: int) -> None:
    assert read(raw) == at(2025, 6, 1, 10, 0) - timedelta(days=days_back)
    assert is_relative_date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Spanish "Mar" is Tuesday before the day, March after it
        ("Mar 29 Abr 2025 - 19:48", at(2025, 4, 29, 19, 48)),
        ("Lun 18 Mar 2024, 9:38 pm", at(2024, 3, 18, 21, 38)),
        ("Mar 26 Mar 2013 - 10:01", at(2013, 3, 26, 10, 1)),
        ("Mar Mar 26, 2013 10:01 am", at(2013, 3, 26, 10, 1)),
        # Turkish "Paz" is Sunday, Pazartesi (Monday) printed "Ptsi"
        ("Paz Kas\u0131m 17, 2024 1:00 pm", at(2024, 11, 17, 13, 0)),
        # Finnish "marraskuu" (November) starts with "mar": English "Sun Mar" is still March
        ("Sun Mar 10, 2013 2:33 pm", at(2013, 3, 10, 14, 33)),
        # German "Do" (Thursday) is Spanish Sunday: the month says which language
        ("Do 15 Okt 2020 - 9:00", at(2020, 10, 15, 9, 0)),
        ("Do 18 Oct 2020 - 9:00", at(2020, 10, 18, 9, 0)),
        # Croatian "listopad" is October, Polish November: the year and weekday settle it
        ("pon 14 listopad 2024 - 10:00", at(2024, 10, 14, 10, 0)),
        ("pon 4 listopad 2024 - 10:00", at(2024, 11, 4, 10, 0)),
        ("pon 14 lis 2024 - 10:00", at(2024, 10, 14, 10, 0)),
        # Slovak Wednesday "St" and Thursday "Št" are one token without accents
        ("St 28 apr 2021, 15:19", at(2021, 4, 28, 15, 19)),
        ("Št 29 apr 2021, 15:19", at(2021, 4, 29, 15, 19)),
    ],
)
def test_names_are_read_by_their_place_and_language(raw: str, expected: datetime) -> None:
    assert read(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "Dom Mar 19, 2024 4:12 am",  # 2024-03-19 was a Tuesday: "Mar" is no Sunday's month
        "Mar Dom 19, 2024 4:12 am",  # a weekday in the month's place
        "pon 14 listopad - 10:00",  # October (hr) or November (pl): no year to tell
        "pon 14 lis - 10:00",
        "Lun Eyl. 21, 2009 5:00 pm",  # a Spanish weekday with a Turkish month
        "Xyz Dec 01, 2024 9:59 am",
        "اليوم غدا بعد ظهر 10:00",  # more than two unknown words after "today"
    ],
)
def test_no_guess(raw: str) -> None:
    assert read(raw) is None


def test_arabic_variants() -> None:
    """ "في" before the date, Arabic-Indic digits, the Arabic comma, hamza-less spellings,
    direction marks around the names."""
    expected = at(2015, 1, 3, 5, 17)
    assert read("في السبت يناير 03, 2015 5:17 am") == expected
    assert read("السبت يناير ٠٣، ٢٠١٥ ٥:١٧ am") == expected
    assert read("\u200fالسبت\u200f يناير 03, 2015 5:17 am") == expected
    assert read("في 19/10/16, 09:28 pm") == at(2016, 10, 19, 21, 28)
    assert read("الاحد 14 ابريل 2019, 17:47") == at(2019, 4, 14, 17, 47)


@pytest.mark.parametrize(
    ("raw", "year"),
    [("01/01/70 10:00", 1970), ("31/12/99 10:00", 1999), ("01/01/00 10:00", 2000)],
)
def test_two_digit_years(raw: str, year: int) -> None:
    result = read(raw)
    assert result is not None and result.year == year


LAYOUTS = {
    "D M d, Y g:i a": "{D} {M} {t:%d}, {t:%Y} {h12}:{t:%M} {ampm}",
    "D d M Y, H:i": "{D} {t:%d} {M} {t:%Y}, {t:%H}:{t:%M}",
    "D d M Y, g:i a": "{D} {t:%d} {M} {t:%Y}, {h12}:{t:%M} {ampm}",
    "D j M Y - G:i": "{D} {t.day} {M} {t:%Y} - {t.hour}:{t:%M}",
    "D j M - G:i": "{D} {t.day} {M} - {t.hour}:{t:%M}",
}


def printed(layout: str, weekday: str, month: str, moment: datetime) -> str:
    return LAYOUTS[layout].format(
        D=weekday,
        M=month,
        t=moment,
        h12=moment.hour % 12 or 12,
        ampm="am" if moment.hour < 12 else "pm",
    )


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("language", sorted(NAMES))
def test_every_language_in_every_layout(language: str, layout: str) -> None:
    """Each language's names in each layout, from CLDR through babel (the tables' source too:
    this checks the reading by place and language, not the spelling); every weekday and month,
    abbreviated and in full. A date two languages read apart is allowed to be unreadable
    (None), never wrong."""
    babel = pytest.importorskip("babel")
    codes = {"sr-Latn": "sr_Latn", "zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant"}
    locale = babel.Locale.parse(codes.get(language, language))
    rng = random.Random(f"{language} {layout}")
    unread = 0
    for width in ("abbreviated", "wide"):
        for month in range(1, 13):
            if "Y" in layout:
                moment = at(2019, month, 1, 0, 0) + timedelta(minutes=rng.randrange(28 * 24 * 60))
            else:
                moment = NOW - timedelta(days=30 * month, minutes=rng.randrange(24 * 60))
            moment = moment.replace(second=0, microsecond=0)
            raw = printed(
                layout,
                locale.days["format"][width][moment.weekday()],
                locale.months["format"][width][moment.month],
                moment,
            )
            result = read(raw)
            assert result in (moment, None), raw
            unread += result is None
    assert unread <= 2, f"{unread} of 24 {language} dates unread"


def test_date_shape() -> None:
    assert date_shape("Ptsi Eyl. 21, 2009 5:00 pm") == "a a. 9, 9 9:9 a"
    assert date_shape("  السبت   يناير 03, 2015 5:17 am") == "a a 9, 9 9:9 a"
    assert date_shape("19/10/16, 09:28 pm") == "9/9/9, 9:9 a"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fecha y hora actual: Vie 26 Abr 2024, 17:33", datetime(2024, 4, 26, 17, 33)),
        ("Data/hora atual: Seg 06 maio 2024, 21:25", datetime(2024, 5, 6, 21, 25)),
        ("La data/ora di oggi è Dom Mag 19, 2024 4:12 am", datetime(2024, 5, 19, 4, 12)),
        ("Aktuelles Datum und Uhrzeit: Fr 26 Apr 2024 - 17:12", datetime(2024, 4, 26, 17, 12)),
    ],
)
def test_clock_lines_of_dates_md(text: str, expected: datetime) -> None:
    assert parse_current_time(text, strict=True) == expected


@pytest.mark.parametrize(
    ("stored", "offset"),
    [
        ("<+0530>-05:30", timedelta(hours=5, minutes=30)),
        ("<-0930>+09:30", -timedelta(hours=9, minutes=30)),
    ],
)
def test_board_timezone_reads_what_board_info_stores(stored: str, offset: timedelta) -> None:
    assert board_timezone(stored) == timezone(offset)
    assert board_timezone("Etc/GMT-3") == ZoneInfo("Etc/GMT-3")
