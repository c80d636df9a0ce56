"""Parse the dates Forumotion prints into aware UTC datetimes.

Forumotion renders every date in the viewer's format and timezone (for a guest: the board
default), in the board language, and replaces same-day and previous-day dates with "Today at" /
"Yesterday at". These functions turn such strings into UTC given the board timezone and the
moment the page was served. They never guess: anything not parsed with confidence gives None.

Every board language Forumotion offers is read: month and weekday names, "Today"/"Yesterday"
and the words around a date come from :mod:`forumscraper.text.date_names` (generated from CLDR
and dateparser's locale data by ``scripts/make_date_names.py``). A name is read by its position
in the layout (weekday slot, month slot: Spanish "Mar" is Tuesday before the day and March
after it), and the weekday and the month must be names of one same language; when languages
disagree on what a name means (Croatian "listopad" is October, Polish November), only a printed
year and weekday can settle it, else the date is unreadable (None), never a guess.

Also here: RSS (RFC 822), JSON-LD, HTTP ``Date`` header parsing, the ``{CURRENT_TIME}`` page
line, helpers to find the board's UTC offset, and :func:`date_shape` (how a date that could not
be read is reported).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forumscraper.text.date_names import NAMES

__all__ = [
    "MAX_OFFSET",
    "OFFSET_SPAN",
    "ORDER_SLACK",
    "board_timezone",
    "date_shape",
    "infer_board_offset",
    "is_relative_date",
    "lacks_time",
    "lacks_year",
    "parse_clock_line",
    "parse_current_time",
    "parse_forum_date",
    "parse_http_date",
    "parse_jsonld_date",
    "parse_rss_date",
    "printing_clock",
    "same_but_year",
]

_MIN_YEAR = 1970
_EPOCH = datetime(_MIN_YEAR, 1, 1, tzinfo=UTC)
_MAX_YEAR = 2999
_YEAR_SEARCH = 7  # earlier years tried to match a weekday when the year is not printed
_CLOCK_SKEW = timedelta(days=1)
MAX_OFFSET = timedelta(hours=14)
"""The farthest a board's timezone can be from UTC (UTC+14, Kiribati)."""
OFFSET_SPAN = timedelta(hours=26)
"""The largest error a wrong timezone can make (UTC-12 read as UTC+14): how far apart two
readings of one moment on clocks of unknown zones can be."""
ORDER_SLACK = timedelta(days=1)
"""How far a post may seem to precede one written before it (a wall-clock hour that a DST change
repeats is read once): bounds from other posts are widened by it. A day changes no year: a
date printed without one recurs five years apart at the closest."""
_MAX_DATE_LENGTH = 100  # longer text is not a date; also bounds regex backtracking
_MIN_PREFIX = 3  # a shortened name ("Eyl." for "Eylül") must keep this many letters
_MAX_TAIL_WORDS = 2  # unknown words allowed between "Today"/"Yesterday" and the time

_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc`\u00b4\u05f3]")
_SPACE_RUNS = re.compile(r"\s+")
_LEAD = re.compile(r"^[\s»«\-\u2013\u2014•]+")
_TRAIL = re.compile(r"[\s,]+$")
_TOKEN_SPLIT = re.compile(r"[\s,]+")
_FOLD = str.maketrans(
    {
        **{chr(0x0660 + n): str(n) for n in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + n): str(n) for n in range(10)},  # Persian digits
        "\u060c": ",",  # Arabic comma
        "\u0640": None,  # Arabic tatweel (letter stretching)
        # joiners and direction marks: invisible, around or inside right-to-left names
        **dict.fromkeys("\u061c\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"),
        "\u0649": "\u064a",  # alef maksura -> yeh ("فى" / "في")
        "\u06cc": "\u064a",  # Persian yeh -> Arabic yeh
        "\u06a9": "\u0643",  # Persian keheh -> Arabic kaf
        "\u0629": "\u0647",  # teh marbuta -> heh ("الجمعة" / "الجمعه")
        "\u0131": "i",  # Turkish dotless i
        "\u0142": "l",  # Polish ł
        "\u00f8": "o",  # Danish/Norwegian ø
        "\u0111": "d",  # Croatian đ
    }
)


def _normalize(raw: str) -> str:
    """Lower-case, strip accents, unify apostrophes, digits and spaces, trim decoration."""
    if raw.isascii():
        text = raw.lower()  # what NFKD, dropping combining marks and casefold do to ASCII
    else:
        text = unicodedata.normalize("NFKD", raw.translate(_FOLD))
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _APOSTROPHES.sub("'", text)
    text = _SPACE_RUNS.sub(" ", text)
    text = _LEAD.sub("", text)
    return _TRAIL.sub("", text)


def _name_key(name: str) -> str:
    """A name as the tokens of a normalized date read: normalized, without a final dot."""
    return _normalize(name).rstrip(".")


_Names = tuple[tuple[str, int], ...]
"""(normalized name, value) pairs of one language and role."""


def _names_by_language(role: str) -> dict[str, _Names]:
    table: dict[str, _Names] = {}
    for language, names in NAMES.items():
        spellings = names.months if role == "month" else names.weekdays
        first = 1 if role == "month" else 0  # months count from 1, weekdays from Monday = 0
        table[language] = tuple(
            dict.fromkeys(
                (_name_key(name), value)
                for value, words in enumerate(spellings, start=first)
                for name in words
            )
        )
    return table


_MONTHS = _names_by_language("month")
_WEEKDAYS = _names_by_language("weekday")


def _relative_words() -> dict[str, dict[str, int]]:
    """Normalized "today"/"yesterday" words -> {language: days back}, a word meaning both in
    one language dropped."""
    table: dict[str, dict[str, int]] = {}
    clash: set[tuple[str, str]] = set()
    for language, names in NAMES.items():
        for days, words in ((0, names.today), (1, names.yesterday)):
            for word in words:
                key = _name_key(word)
                known = table.setdefault(key, {})
                if known.get(language, days) != days:
                    clash.add((key, language))
                known[language] = days
    for key, language in clash:
        del table[key][language]
    return {key: langs for key, langs in table.items() if langs}


_RELATIVE = _relative_words()
_ALL_NAMES = frozenset(
    name for table in (_MONTHS, _WEEKDAYS) for pairs in table.values() for name, _ in pairs
)
_CONNECTOR_WORDS = frozenset(
    word
    for names in NAMES.values()
    for connector in names.connectors
    for word in _name_key(connector).split(" ")
    if word
)
_FILLER_TOKENS = frozenset({"-", "de", "del"} | _CONNECTOR_WORDS) - _ALL_NAMES - set(_RELATIVE)
"""Words dropped wherever they stand in a date ("de", "à", "في"): no language's name."""
_MULTIWORD = frozenset(
    name for name in _ALL_NAMES | set(_RELATIVE) if " " in name and len(name.split(" ")) == 2
)
"""Two-word names (Vietnamese "thg 1", Hebrew "יום ב'"), read as one token."""
_MULTIWORD_FIRST = frozenset(name.split(" ")[0] for name in _MULTIWORD)
_DIGIT_NAMES = frozenset(name for name in _ALL_NAMES if name[:1].isdigit())
"""Names that start with a digit (Japanese "4月", Korean "4월"): words, not numbers."""

# Date part, separator, optional connector ("at", "à", "a las", "às", "alle", "um"), time.
_SPLIT_RE = re.compile(
    r"^(?P<date>.+?)[\s,@-]+(?:(?:at|a las|a la|as|a|alle|all'|um|kl)[\s,]+)?"
    r"(?P<hour>[0-9]{1,2})[:h](?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?"
    r"(?:\s*(?P<ampm>[ap])\.?\s?m\.?)?(?:\s*uhr)?$"
)
_ISO_DATE_RE = re.compile(r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})$")
_DMY_DATE_RE = re.compile(
    r"^(?P<d>[0-9]{1,2})(?P<sep>[/.-])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4}|[0-9]{2})$"
)
_DAY_TOKEN_RE = re.compile(r"^(?P<n>[0-9]{1,2})(?:st|nd|rd|th|er|o|\u65e5|\uc77c)?$")
_YEAR_TOKEN_RE = re.compile(r"^(?P<y>[0-9]{4})(?:\u5e74|\ub144)?$")
_TWO_DIGIT_PIVOT = 70  # "d/m/y": 70..99 are 1970..1999, 00..69 are 2000..2069 (as strptime)

# Token shapes (W = word, N = number) and the role of each token, in order:
# D = weekday name, d = day of month, M = month name, Y = year.
_SHAPES: dict[str, str] = {
    "WNWN": "DdMY",  # Wed 29 Jul 2015
    "WNW": "DdM",  # Mar 20 Déc
    "NWN": "dMY",  # 16th April 2013
    "NW": "dM",
    "WWNN": "DMdY",  # Sun Dec 01, 2024
    "WWN": "DMd",
    "WNN": "MdY",  # July 16th 2015
    "WN": "Md",
}

# Lead-in of the {CURRENT_TIME} line per language, normalized (lower case, no accents).
_CURRENT_TIME_LEAD_RE = re.compile(
    r"(?:current date/time is|it is currently|nous sommes|la date/heure actuelle est"
    r"|la fecha/hora actual es|fecha y hora actual:|a data/hora a(?:c)?tual e"
    r"|data/hora a(?:c)?tual:|la data(?:/ora)? di oggi e"
    r"|la data/ora (?:attuale|corrente) e|aktuelles datum und uhrzeit:?|es ist jetzt)"
    r"(?:\s+(?:le|el|il|on))?\s+"
)
_FIXED_OFFSET_RE = re.compile(
    r"^(?:(?:utc|gmt)\s*)?(?P<sign>[+-])\s*(?P<h>[0-9]{1,2})(?::?(?P<m>[0-9]{2}))?$",
    re.IGNORECASE,
)
_POSIX_OFFSET_RE = re.compile(
    r"^<(?P<sign>[+-])(?P<h>[0-9]{2})(?P<m>[0-9]{2})>(?P<posix>[+-])(?P=h):(?P=m)$"
)
"""``<+0530>-05:30``: how ``boards.timezone`` stores a fixed offset that is no whole hour (POSIX
offsets count west of UTC, hence the opposite sign)."""
_UTC_NAMES = frozenset({"utc", "gmt", "z"})
_JSONLD_RE = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
)
_RSS_ZONE_RE = re.compile(r"\s(?:[+-][0-9]{4}|gmt|utc?|z|[ecmp][sd]t)$", re.IGNORECASE)
_HTTP_GMT_RE = re.compile(r"\s(?:gmt|utc)$", re.IGNORECASE)
_ASCTIME_RE = re.compile(
    r"^[a-z]{3} [a-z]{3} +[0-9]{1,2} [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}$", re.IGNORECASE
)
_SHAPE_LETTERS = re.compile(r"[^\W\d_]+")
_SHAPE_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, kw_only=True)
class _WallClock:
    """A parsed date string, before it is anchored to a year and a timezone."""

    hour: int
    minute: int
    second: int
    days_ago: int | None = None
    """Set for "Today"/"Yesterday" strings (0 or 1); then the fields below are unused."""
    year: int | None = None
    month: int = 0
    day: int = 0
    weekday: int | None = None
    """Printed weekday (Monday = 0), when printed and recognised."""


_Reading = tuple[frozenset[int], bool]
"""What a name token means in one language: (its values, whether it is one of the language's
names rather than the start of one)."""
_Index = dict[str, dict[str, set[int]]]


def _index(table: dict[str, _Names]) -> tuple[_Index, _Index]:
    """(whole names, starts of names of ``_MIN_PREFIX`` letters or more) -> {language: values}."""
    whole: _Index = {}
    starts: _Index = {}
    for language, names in table.items():
        for name, value in names:
            whole.setdefault(name, {}).setdefault(language, set()).add(value)
            for end in range(_MIN_PREFIX, len(name) + 1):
                starts.setdefault(name[:end], {}).setdefault(language, set()).add(value)
    return whole, starts


_MONTH_INDEX = _index(_MONTHS)
_WEEKDAY_INDEX = _index(_WEEKDAYS)


def _readings(token: str, index: tuple[_Index, _Index], *, one: bool) -> dict[str, _Reading]:
    """What ``token`` names in each language: {language: reading}.

    A language reads the token when it is one of its names, else when (``_MIN_PREFIX`` letters
    or more) it starts some of its names ("Eyl." for "Eylül"). With ``one`` (months), a language
    whose names give the token two values does not read it (Czech "čer" starts June and July);
    a weekday may stay open between two days (Slovak "St" and "Št", Wednesday and Thursday, are
    one token without accents): a printed year picks the day."""
    whole, starts = index
    exact = whole.get(token, {})
    found: dict[str, _Reading] = {}
    for table, is_whole in ((exact, True), (starts.get(token, {}), False)):
        for language, values in table.items():
            if (is_whole or language not in exact) and (len(values) == 1 or not one):
                found[language] = (frozenset(values), is_whole)
    return found


@lru_cache(maxsize=2048)
def _month_readings(token: str) -> Mapping[str, _Reading]:
    return _readings(token, _MONTH_INDEX, one=True)


@lru_cache(maxsize=2048)
def _weekday_readings(token: str) -> Mapping[str, _Reading]:
    return _readings(token, _WEEKDAY_INDEX, one=False)


def _hms(match: re.Match[str]) -> tuple[int, int, int] | None:
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"]) if match["second"] else 0
    if match["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["ampm"] == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


def _tokens(text: str) -> list[str]:
    """The words and numbers of a date part, fillers dropped."""
    tokens = [t.rstrip(".") for t in _TOKEN_SPLIT.split(text)]
    return [t for t in tokens if t and t not in _FILLER_TOKENS]


def _join_two_word_names(tokens: list[str]) -> list[str]:
    """``tokens`` with the two-word names (Vietnamese "thg 1") made single tokens."""
    joined: list[str] = []
    for token in tokens:
        if joined and f"{joined[-1]} {token}" in _MULTIWORD:
            joined[-1] = f"{joined[-1]} {token}"
        else:
            joined.append(token)
    return joined


def _shape(tokens: Iterable[str]) -> str:
    return "".join("N" if t[:1].isdigit() and t not in _DIGIT_NAMES else "W" for t in tokens)


_DateParts = tuple[int | None, int, int, frozenset[int]]
"""(year or None, month, day, weekdays the printed weekday may be: empty when not printed or
not known)."""


def _parse_date_words(text: str) -> _DateParts | None:
    """Parse the date part made of names and numbers."""
    tokens = _tokens(text)
    parts = _parse_tokens(tokens)
    if parts is None and not _MULTIWORD_FIRST.isdisjoint(tokens):
        # Only now: English "Thu 1 Dec" must not become Vietnamese "thu 1" ("thứ 1").
        parts = _parse_tokens(_join_two_word_names(tokens))
    return parts


def _parse_tokens(tokens: list[str]) -> _DateParts | None:
    roles = _SHAPES.get(_shape(tokens))
    if roles is None:
        # A connector that is also a name somewhere (Czech "v" is Hungarian Sunday) may stand
        # first or last: try without it.
        tokens = list(tokens)
        while tokens and tokens[-1] in _CONNECTOR_WORDS:
            tokens.pop()
        while tokens and tokens[0] in _CONNECTOR_WORDS:
            tokens.pop(0)
        roles = _SHAPES.get(_shape(tokens))
        if roles is None:
            return None
    year: int | None = None
    day = 0
    month = ""
    weekday: str | None = None
    for role, token in zip(roles, tokens, strict=True):
        if role == "M":
            month = token
        elif role == "D":
            weekday = token
        elif role == "d":
            number = _DAY_TOKEN_RE.match(token)
            if number is None:
                return None
            day = int(number["n"])
        else:
            found = _YEAR_TOKEN_RE.match(token)
            if found is None:
                return None
            year = int(found["y"])
    meaning = _meaning(weekday, month)
    if len(meaning) == 1:
        month_value, weekdays = meaning[0]
        return year, month_value, day, weekdays
    if not meaning or year is None or weekday is None:
        return None
    # The languages disagree on the month: only a printed year and weekday can settle it.
    fits = []
    for month_value, weekdays in meaning:
        try:
            if date(year, month_value, day).weekday() in weekdays:
                fits.append(month_value)
        except ValueError:
            continue
    if len(fits) != 1:
        return None
    return year, fits[0], day, frozenset({date(year, fits[0], day).weekday()})


_Meaning = tuple[tuple[int, frozenset[int]], ...]
"""What a month name, and the weekday name before it, can mean: (month, the days the weekday
name may be) per month the believed languages read. One reading, or several that only a
printed year and weekday can choose between; empty when no language reads both names."""


@lru_cache(maxsize=4096)
def _meaning(weekday: str | None, month: str) -> _Meaning:
    """The readings of a month name and the weekday name before it (``None``: none printed).

    Only the languages that read both names count, and of those the ones where more of the two
    are whole names are believed: "Sun Mar" is English (or Icelandic) for a Sunday in March,
    not a Finnish Sunday in November ("marraskuu"), and French "Jeu 3 Mar" is March as French
    shortens "mars". Cached: a board prints few distinct pairs."""
    months = _month_readings(month)
    weekdays = _weekday_readings(weekday) if weekday is not None else None
    languages = months.keys() if weekdays is None else months.keys() & weekdays.keys()
    if not languages:
        return ()

    def whole_names(language: str) -> int:
        return months[language][1] + (weekdays[language][1] if weekdays is not None else 0)

    best = max(whole_names(language) for language in languages)
    readings: dict[int, set[int]] = {}
    for language in languages:
        if whole_names(language) == best:
            (month_value,) = months[language][0]
            days = readings.setdefault(month_value, set())
            if weekdays is not None:
                days.update(weekdays[language][0])
    return tuple((value, frozenset(days)) for value, days in sorted(readings.items()))


def _relative_days(text: str) -> int | None:
    """Days back for "Today"/"Yesterday" in any language (the words before the time), or None.

    Up to two unknown words may follow the word (a connector such as Turkish "saat")."""
    known = _RELATIVE.get(text)
    if known is None:
        tokens = _tokens(text)
        for cut in range(len(tokens), max(0, len(tokens) - _MAX_TAIL_WORDS - 1), -1):
            if cut < len(tokens) and not all(t.isalpha() for t in tokens[cut:]):
                break
            known = _RELATIVE.get(" ".join(tokens[:cut]))
            if known is not None:
                break
    if known is None:
        return None
    days = set(known.values())
    return days.pop() if len(days) == 1 else None


def _numeric_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 1900 if year >= _TWO_DIGIT_PIVOT else 2000
    return year


@lru_cache(maxsize=4096)
def _parse_wall_clock(raw: str) -> _WallClock | None:
    """Split a printed date into its parts without anchoring it to a year or timezone.

    Cached (the result is immutable): a listing prints the same dates many times over."""
    text = _normalize(raw)
    if len(text) > _MAX_DATE_LENGTH:
        return None
    split = _SPLIT_RE.match(text)
    if split is None:
        return None
    hms = _hms(split)
    if hms is None:
        return None
    hour, minute, second = hms
    date_text = split["date"].strip()
    first, _, rest = date_text.partition(" ")
    while rest and first in _FILLER_TOKENS:  # Arabic "في" ("on") before the date
        date_text = rest
        first, _, rest = date_text.partition(" ")
    parts: _DateParts | None = None
    if date_text not in _RELATIVE:  # "Today": the most frequent date of a crawl
        numeric = _ISO_DATE_RE.match(date_text) or _DMY_DATE_RE.match(date_text)
        if numeric is not None:
            printed_year = _numeric_year(numeric["y"])
            parts = (printed_year, int(numeric["m"]), int(numeric["d"]), frozenset())
        else:
            parts = _parse_date_words(date_text)
    if parts is None:
        days_ago = _relative_days(date_text)
        if days_ago is None:
            return None
        return _WallClock(hour=hour, minute=minute, second=second, days_ago=days_ago)
    year, month, day, weekdays = parts
    if year is not None:
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            return None
        try:
            printed = date(year, month, day)
        except ValueError:
            return None
        if weekdays and printed.weekday() not in weekdays:
            return None
    elif not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return _WallClock(
        hour=hour,
        minute=minute,
        second=second,
        year=year,
        month=month,
        day=day,
        weekday=next(iter(weekdays)) if len(weekdays) == 1 else None,
    )


def is_relative_date(raw: str) -> bool:
    """Whether ``raw`` is a "Today at"/"Yesterday at" date (its day depends on when the page
    was served, not only on the text)."""
    clock = _parse_wall_clock(raw)
    return clock is not None and clock.days_ago is not None


def date_shape(raw: str) -> str:
    """The layout of a printed date with its words and numbers blanked: runs of letters become
    ``a``, runs of digits ``9`` ("Ptsi Eyl. 21, 2009 5:00 pm" -> "a a. 9, 9 9:9 a"). Unreadable
    dates are reported once per shape."""
    text = _SPACE_RUNS.sub(" ", raw.strip())
    return _SHAPE_DIGITS.sub("9", _SHAPE_LETTERS.sub("a", text))[:_MAX_DATE_LENGTH]


def _infer_year(clock: _WallClock, now: datetime, tz: tzinfo) -> int | None:
    """Pick the year of a date printed without one: the latest that is not in the future.

    Up to one day in the future is allowed (clock skew). When the weekday is printed and does
    not match, up to 7 earlier years are tried for one that does; failing that, ``None``: a
    year whose weekday contradicts the page is not a reading.
    """
    limit = now + _CLOCK_SKEW
    this_year = now.astimezone(tz).year
    latest: int | None = None
    # 29 February can be up to 8 years back (1900, 2100), then up to 7 more for the weekday.
    for year in range(this_year + 1, this_year - 16, -1):
        try:
            candidate = datetime(
                year, clock.month, clock.day, clock.hour, clock.minute, clock.second, tzinfo=tz
            )
        except ValueError:
            continue  # 29 February of a common year
        if candidate > limit:
            continue
        if latest is None:
            latest = year
            if clock.weekday is None:
                return year
        if latest - year > _YEAR_SEARCH:
            break
        if candidate.weekday() == clock.weekday:
            return year
    return None


def printing_clock(zone: tzinfo, at: datetime) -> tzinfo:
    """The clock a page served at ``at`` prints every date on: ``zone``'s UTC offset at that
    moment, whatever the season of the date printed.

    A board's "System time zone" (and a member profile's) is an offset, and summer time a
    switch its admin turns ("Adjust time"): once it is on, a post written in winter prints an
    hour later than it did on the day. Read on the zone's own winter offset, such a date would
    be stored an hour off. A zone that is a fixed offset already is returned as it is."""
    if isinstance(zone, timezone):
        return zone
    offset = zone.utcoffset(at)
    return zone if offset is None else timezone(offset)


def parse_forum_date(
    raw: str,
    *,
    now: datetime,
    tz: tzinfo,
    after: datetime | None = None,
    near: datetime | None = None,
    before: datetime | None = None,
) -> datetime | None:
    """Parse a date as Forumotion prints it and return it as an aware UTC datetime.

    ``tz`` is the board timezone; ``now`` (aware) is when the page was served. The wall-clock
    time is read on the offset ``tz`` has at ``now`` (:func:`printing_clock`: the board prints
    every date on its clock of the moment), and "Today"/"Yesterday" are relative to ``now``'s
    date on it. Returns None for anything that cannot be read with confidence.

    A date printed without a year (``D j M - G:i``) recurs on the same weekday every 5, 6 or 11
    years, so its year is only as sure as what bounds it. When the page gives bounds, the date
    is read only if exactly one year fits them: ``after``, a moment it cannot precede (the
    previous post of the topic, the topic's publication), ``near``, a full date it lies within
    :data:`OFFSET_SPAN` of (the topic's JSON-LD ``datePublished`` for its first post), and
    ``before``, a moment it cannot follow (a later post: :mod:`forumscraper.db.dates_by_order`),
    with ``now`` (plus a day of clock skew) as the upper bound in any case. Without bounds
    (listings), it gets the latest year that does not put it more than a day after ``now``
    (:func:`_infer_year`).
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("parse_forum_date: now must be a timezone-aware datetime")
    tz = printing_clock(tz, now)
    clock = _parse_wall_clock(raw)
    if clock is None:
        return None
    try:
        if clock.days_ago is not None:
            day = now.astimezone(tz).date() - timedelta(days=clock.days_ago)
            year, month, dom = day.year, day.month, day.day
        elif clock.year is None and (after, near, before) != (None, None, None):
            return _bounded(clock, tz, now=now, after=after, near=near, before=before)
        else:
            year_or_none = clock.year if clock.year is not None else _infer_year(clock, now, tz)
            if year_or_none is None:
                return None
            year, month, dom = year_or_none, clock.month, clock.day
        local = datetime(year, month, dom, clock.hour, clock.minute, clock.second, tzinfo=tz)
        return local.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _bounded(
    clock: _WallClock,
    tz: tzinfo,
    *,
    now: datetime,
    after: datetime | None,
    near: datetime | None,
    before: datetime | None,
) -> datetime | None:
    """A date printed without a year, in the one year that fits the bounds, else ``None``."""
    low, high = after or _EPOCH, now + _CLOCK_SKEW
    if before is not None:
        high = min(high, before)
    if near is not None:
        low, high = max(low, near - OFFSET_SPAN), min(high, near + OFFSET_SPAN)
    fits = []
    for year in range(max(low.astimezone(tz).year, _MIN_YEAR), high.astimezone(tz).year + 1):
        try:
            local = datetime(
                year, clock.month, clock.day, clock.hour, clock.minute, clock.second, tzinfo=tz
            )
        except ValueError:
            continue  # 29 February of a common year
        if low <= local <= high and clock.weekday in (None, local.weekday()):
            fits.append(local.astimezone(UTC))
    return fits[0] if len(fits) == 1 else None


def same_but_year(one: datetime, other: datetime, tz: tzinfo) -> bool:
    """Whether two moments show the same month, day and time on the board's clock, whatever
    their years: one post's date printed without a year, read in two years."""
    a, b = one.astimezone(tz), other.astimezone(tz)
    return (a.month, a.day, a.hour, a.minute) == (b.month, b.day, b.hour, b.minute)


def lacks_year(raw: str) -> bool:
    """Whether ``raw`` reads as a date printed without a year (not "Today"/"Yesterday")."""
    clock = _parse_wall_clock(raw)
    return clock is not None and clock.days_ago is None and clock.year is None


def lacks_time(raw: str) -> bool:
    """Whether ``raw`` reads as a date printed without a time of day ("2024-05-06", "6/5/2024",
    "6th May 2024": layouts Forumotion offers). Such a date gives no moment: it is never read as
    a midnight."""
    return _parse_wall_clock(raw) is None and _parse_wall_clock(f"{raw} 00:00") is not None


def parse_rss_date(raw: str) -> datetime | None:
    """Parse an RFC 822 RSS date ("Thu, 21 Aug 2008 16:35:12 GMT" or "+0200") into UTC."""
    text = raw.strip()
    if not _RSS_ZONE_RE.search(text):
        return None  # no zone: the wall clock could be anywhere
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # "-0000": UTC, origin unknown
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_jsonld_date(raw: str, tz: tzinfo) -> datetime | None:
    """Parse a JSON-LD ``datePublished`` into UTC.

    Forumotion prints board-local time without a zone ("2018-08-26 14:17:13"); that is read in
    ``tz``. An ISO 8601 value with an offset or "Z" is honoured as is.
    """
    text = raw.strip()
    if not _JSONLD_RE.match(text):
        return None
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=tz)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


@lru_cache(maxsize=64)
def parse_http_date(raw: str) -> datetime | None:
    """Parse an HTTP ``Date`` header (IMF-fixdate, RFC 850 or asctime) into aware UTC.

    Cached: the crawl reads the header of every response, twice for a topic page, and a
    server's ``Date`` changes once a second while dozens of pages arrive in it."""
    text = raw.strip()
    if not (_HTTP_GMT_RE.search(text) or _ASCTIME_RE.match(text)):
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # asctime: GMT by definition
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _naive_from_text(text: str) -> datetime | None:
    clock = _parse_wall_clock(text)
    if clock is None or clock.year is None:
        return None
    try:
        return datetime(clock.year, clock.month, clock.day, clock.hour, clock.minute, clock.second)
    except ValueError:
        return None


def parse_current_time(text: str, *, strict: bool = False) -> datetime | None:
    """Return the naive board wall clock from the ``{CURRENT_TIME}`` line, or None.

    Understands "Current date/time is Wed Nov 14, 2012 4:20 pm" and its French, Spanish,
    Portuguese, Italian and German versions, with the date in any format
    :func:`parse_forum_date` reads (a year must be printed). Text without a known lead-in is
    parsed as a bare date, unless ``strict`` (then it is None: any date on a page is not the
    clock).
    """
    for piece in re.split(r"[|\n]", text):
        normalized = _normalize(piece)
        lead = _CURRENT_TIME_LEAD_RE.search(normalized)
        if lead is not None:
            found = _naive_from_text(normalized[lead.end() :])
            if found is not None:
                return found
    return None if strict else _naive_from_text(text)


def parse_clock_line(text: str) -> datetime | None:
    """The naive board wall clock from a line known *by its place on the page* to be the
    ``{CURRENT_TIME}`` line, whatever its language: the words that lead in are skipped (up to
    twelve) until the rest reads as a date with a year. ``None`` if it never does."""
    tokens = _normalize(text).split(" ")
    for start in range(min(len(tokens), 12)):
        found = _naive_from_text(" ".join(tokens[start:]))
        if found is not None:
            return found
    return None


def infer_board_offset(board_now: datetime, server_utc: datetime) -> timezone | None:
    """Infer the board's fixed UTC offset from its wall clock and the server's HTTP time.

    ``board_now`` is naive (from :func:`parse_current_time`), ``server_utc`` aware (from
    :func:`parse_http_date`). The difference is rounded to the nearest 15 minutes; None when it
    exceeds ±14 hours.
    """
    if board_now.tzinfo is not None:
        raise ValueError("infer_board_offset: board_now must be naive (board wall clock)")
    if server_utc.tzinfo is None or server_utc.utcoffset() is None:
        raise ValueError("infer_board_offset: server_utc must be timezone-aware")
    server_naive = server_utc.astimezone(UTC).replace(tzinfo=None)
    quarters = math.floor((board_now - server_naive).total_seconds() / 900 + 0.5)
    offset = timedelta(minutes=15 * quarters)
    if abs(offset) > MAX_OFFSET:
        return None
    return timezone(offset)


def board_timezone(name: str) -> tzinfo:
    """Return the tzinfo for a configured board timezone.

    Accepts an IANA name ("Europe/Paris"), "UTC", or a fixed offset east of UTC ("+03:00",
    "-0530", "UTC+01:00"), and the POSIX form ``boards.timezone`` stores for an offset that is no
    whole hour ("<+0530>-05:30"). Raises ValueError for anything else.
    """
    text = name.strip()
    if text.casefold() in _UTC_NAMES:
        return UTC
    posix = _POSIX_OFFSET_RE.match(text)
    if posix is not None and posix["sign"] != posix["posix"]:
        text = f"{posix['sign']}{posix['h']}:{posix['m']}"
    fixed = _FIXED_OFFSET_RE.match(text)
    if fixed is not None:
        minutes = int(fixed["h"]) * 60 + int(fixed["m"] or 0)
        if minutes > MAX_OFFSET.total_seconds() // 60 or int(fixed["m"] or 0) > 59:
            raise ValueError(f"board timezone offset out of range (max ±14:00): {name!r}")
        sign = -1 if fixed["sign"] == "-" else 1
        return timezone(timedelta(minutes=sign * minutes))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"unknown board timezone {name!r}: use an IANA name such as 'Europe/Paris', "
            "'UTC', or a fixed offset such as '+03:00'"
        ) from None
