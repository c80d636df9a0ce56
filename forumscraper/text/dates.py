"""Parse the dates Forumotion prints into aware UTC datetimes.

Forumotion renders every date in the viewer's format and timezone (for a guest: the board
default), in the board language, and replaces same-day and previous-day dates with "Today at" /
"Yesterday at". These functions turn such strings into UTC given the board timezone and the
moment the page was served. They never guess: anything not parsed with confidence gives None.

Also here: RSS (RFC 822), JSON-LD, HTTP ``Date`` header parsing, the ``{CURRENT_TIME}`` page
line, and helpers to find the board's UTC offset.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "board_timezone",
    "infer_board_offset",
    "parse_current_time",
    "parse_forum_date",
    "parse_http_date",
    "parse_jsonld_date",
    "parse_rss_date",
]

_MIN_YEAR = 1970
_MAX_YEAR = 2999
_YEAR_SEARCH = 7  # earlier years tried to match a weekday when the year is not printed
_CLOCK_SKEW = timedelta(days=1)
_MAX_OFFSET = timedelta(hours=14)
_MAX_DATE_LENGTH = 100  # longer text is not a date; also bounds regex backtracking

# Full month and weekday names, lower case without accents. A printed name matches when it is a
# prefix (of at least 3 letters) of one of these; all languages share one table because no
# 3-letter prefix names two different months (or two different weekdays).
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "janvier", "enero", "janeiro", "gennaio", "januar", "janner"),
    2: ("february", "fevrier", "febrero", "fevereiro", "febbraio", "februar"),
    3: ("march", "mars", "marzo", "marco", "marz", "mrz"),
    4: ("april", "avril", "abril", "aprile"),
    5: ("may", "mai", "mayo", "maio", "maggio"),
    6: ("june", "juin", "junio", "junho", "giugno", "juni"),
    7: ("july", "juillet", "julio", "julho", "luglio", "juli"),
    8: ("august", "aout", "agosto"),
    9: ("september", "septembre", "septiembre", "setembro", "settembre"),
    10: ("october", "octobre", "octubre", "outubro", "ottobre", "oktober"),
    11: ("november", "novembre", "noviembre", "novembro"),
    12: ("december", "decembre", "diciembre", "dezembro", "dicembre", "dezember"),
}
_WEEKDAY_NAMES: dict[int, tuple[str, ...]] = {  # date.weekday(): Monday is 0
    0: ("monday", "lundi", "lunes", "segunda", "lunedi", "montag"),
    1: ("tuesday", "mardi", "martes", "terca", "martedi", "dienstag"),
    2: ("wednesday", "mercredi", "miercoles", "quarta", "mercoledi", "mittwoch"),
    3: ("thursday", "jeudi", "jueves", "quinta", "giovedi", "donnerstag"),
    4: ("friday", "vendredi", "viernes", "sexta", "venerdi", "freitag"),
    5: ("saturday", "samedi", "sabado", "sabato", "samstag"),
    6: ("sunday", "dimanche", "domingo", "domenica", "sonntag"),
}
# German two-letter weekday abbreviations ("Di", "Do" are ambiguous across languages and so
# stay unknown, which is fine: weekdays only help to infer a missing year).
_WEEKDAY_SHORT = {"mo": 0, "di": 1, "mi": 2, "do": 3, "fr": 4, "sa": 5, "so": 6}

# "Today"/"Yesterday" in each language, normalized: days to subtract from the board date.
_RELATIVE_DAYS = {
    "today": 0,
    "aujourd'hui": 0,
    "aujourdhui": 0,
    "hoy": 0,
    "hoje": 0,
    "oggi": 0,
    "heute": 0,
    "yesterday": 1,
    "hier": 1,
    "ayer": 1,
    "ontem": 1,
    "ieri": 1,
    "gestern": 1,
}

# Date part, separator, optional connector ("at", "à", "a las", "às", "alle", "um"), time.
_SPLIT_RE = re.compile(
    r"^(?P<date>.+?)[\s,@-]+(?:(?:at|a las|a la|as|a|alle|all'|um|kl)[\s,]+)?"
    r"(?P<hour>[0-9]{1,2})[:h](?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?"
    r"(?:\s*(?P<ampm>[ap])\.?\s?m\.?)?(?:\s*uhr)?$"
)
_ISO_DATE_RE = re.compile(r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})$")
_DMY_DATE_RE = re.compile(
    r"^(?P<d>[0-9]{1,2})(?P<sep>[/.-])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})$"
)
_DAY_TOKEN_RE = re.compile(r"^(?P<n>[0-9]{1,2})(?:st|nd|rd|th|er|o)?$")
_YEAR_TOKEN_RE = re.compile(r"^[0-9]{4}$")
_WORD_TOKEN_RE = re.compile(r"^(?P<w>[a-z]+)(?:-[a-z]+)?$")
_FILLER_TOKENS = frozenset({"-", "de", "del"})

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
    r"|la fecha/hora actual es|a data/hora a(?:c)?tual e|la data(?:/ora)? di oggi e"
    r"|la data/ora (?:attuale|corrente) e|aktuelles datum und uhrzeit:?|es ist jetzt)"
    r"(?:\s+(?:le|el|il|on))?\s+"
)
_FIXED_OFFSET_RE = re.compile(
    r"^(?:(?:utc|gmt)\s*)?(?P<sign>[+-])\s*(?P<h>[0-9]{1,2})(?::?(?P<m>[0-9]{2}))?$",
    re.IGNORECASE,
)
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


_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc`\u00b4]")
_SPACE_RUNS = re.compile(r"\s+")
_LEAD = re.compile(r"^[\s»«\-\u2013\u2014•]+")
_TRAIL = re.compile(r"[\s,]+$")
_TOKEN_SPLIT = re.compile(r"[\s,]+")


def _normalize(raw: str) -> str:
    """Lower-case, strip accents, unify apostrophes and spaces, trim decoration."""
    if raw.isascii():
        text = raw.lower()  # what NFKD, dropping combining marks and casefold do to ASCII
    else:
        text = unicodedata.normalize("NFKD", raw)
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _APOSTROPHES.sub("'", text)
    text = _SPACE_RUNS.sub(" ", text)
    text = _LEAD.sub("", text)
    return _TRAIL.sub("", text)


def _lookup(word: str, table: dict[int, tuple[str, ...]]) -> set[int]:
    """Return the keys of ``table`` whose names start with ``word`` (3 letters or more)."""
    if len(word) < 3:
        return set()
    return {key for key, names in table.items() if any(n.startswith(word) for n in names)}


@lru_cache(maxsize=1024)
def _month(word: str) -> int | None:
    found = _lookup(word, _MONTH_NAMES)
    return found.pop() if len(found) == 1 else None


@lru_cache(maxsize=1024)
def _weekday(word: str) -> tuple[bool, int | None]:
    """Return (is a weekday name, weekday if unambiguous)."""
    found = _lookup(word, _WEEKDAY_NAMES)
    if word in _WEEKDAY_SHORT:
        found.add(_WEEKDAY_SHORT[word])
    if not found:
        return False, None
    return True, (found.pop() if len(found) == 1 else None)


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


def _parse_date_words(text: str) -> tuple[int | None, int, int, int | None] | None:
    """Parse the date part made of names and numbers: (year, month, day, weekday)."""
    tokens = [t.rstrip(".") for t in _TOKEN_SPLIT.split(text)]
    tokens = [t for t in tokens if t and t not in _FILLER_TOKENS]
    shape = "".join("N" if t[:1].isdigit() else "W" for t in tokens)
    roles = _SHAPES.get(shape)
    if roles is None:
        return None
    year: int | None = None
    month = day = 0
    weekday: int | None = None
    for role, token in zip(roles, tokens, strict=True):
        if role in "DM":
            word = _WORD_TOKEN_RE.match(token)
            if word is None:
                return None
            if role == "M":
                found = _month(word["w"])
                if found is None:
                    return None
                month = found
            else:
                is_weekday, weekday = _weekday(word["w"])
                if not is_weekday:
                    return None
        elif role == "d":
            number = _DAY_TOKEN_RE.match(token)
            if number is None:
                return None
            day = int(number["n"])
        elif _YEAR_TOKEN_RE.match(token):
            year = int(token)
        else:
            return None
    return year, month, day, weekday


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
    if date_text in _RELATIVE_DAYS:
        return _WallClock(
            hour=hour, minute=minute, second=second, days_ago=_RELATIVE_DAYS[date_text]
        )
    parts: tuple[int | None, int, int, int | None] | None
    numeric = _ISO_DATE_RE.match(date_text) or _DMY_DATE_RE.match(date_text)
    if numeric is not None:
        parts = (int(numeric["y"]), int(numeric["m"]), int(numeric["d"]), None)
    else:
        parts = _parse_date_words(date_text)
    if parts is None:
        return None
    year, month, day, weekday = parts
    if year is not None:
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            return None
        try:
            printed = date(year, month, day)
        except ValueError:
            return None
        if weekday is not None and printed.weekday() != weekday:
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
        weekday=weekday,
    )


def _infer_year(clock: _WallClock, now: datetime, tz: tzinfo) -> int | None:
    """Pick the year of a date printed without one: the latest that is not in the future.

    Up to one day in the future is allowed (clock skew). When the weekday is printed and does
    not match, up to 7 earlier years are tried for one that does; failing that, the latest fit
    is kept.
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
    return latest


def parse_forum_date(raw: str, *, now: datetime, tz: tzinfo) -> datetime | None:
    """Parse a date as Forumotion prints it and return it as an aware UTC datetime.

    ``tz`` is the board timezone the wall-clock time is printed in; ``now`` (aware) is when the
    page was served: "Today"/"Yesterday" are relative to its date in ``tz``, and a date printed
    without a year gets the latest year that does not put it more than a day after ``now``.
    Ambiguous wall-clock times (DST fall-back) take the first occurrence (``fold=0``).
    Returns None for anything that cannot be parsed with confidence.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("parse_forum_date: now must be a timezone-aware datetime")
    clock = _parse_wall_clock(raw)
    if clock is None:
        return None
    try:
        if clock.days_ago is not None:
            day = now.astimezone(tz).date() - timedelta(days=clock.days_ago)
            year, month, dom = day.year, day.month, day.day
        else:
            year_or_none = clock.year if clock.year is not None else _infer_year(clock, now, tz)
            if year_or_none is None:
                return None
            year, month, dom = year_or_none, clock.month, clock.day
        local = datetime(year, month, dom, clock.hour, clock.minute, clock.second, tzinfo=tz)
        return local.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


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


def parse_http_date(raw: str) -> datetime | None:
    """Parse an HTTP ``Date`` header (IMF-fixdate, RFC 850 or asctime) into aware UTC."""
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
    if abs(offset) > _MAX_OFFSET:
        return None
    return timezone(offset)


def board_timezone(name: str) -> tzinfo:
    """Return the tzinfo for a configured board timezone.

    Accepts an IANA name ("Europe/Paris"), "UTC", or a fixed offset east of UTC ("+03:00",
    "-0530", "UTC+01:00"). Raises ValueError for anything else.
    """
    text = name.strip()
    if text.casefold() in _UTC_NAMES:
        return UTC
    fixed = _FIXED_OFFSET_RE.match(text)
    if fixed is not None:
        minutes = int(fixed["h"]) * 60 + int(fixed["m"] or 0)
        if minutes > _MAX_OFFSET.total_seconds() // 60 or int(fixed["m"] or 0) > 59:
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
