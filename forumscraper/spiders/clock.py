"""The board's clock: the timezone a crawl reads dates in, where it came from, and the checks
that catch a wrong one. No Scrapy here.

Forumotion prints every date on the board's wall clock of the moment the page is served, an old
post's too: summer time is a switch the admin turns, so a zone given by name is read at its
offset of that moment (:func:`~forumscraper.text.dates.printing_clock`). The timezone is, in
order:
``FORUMSCRAPER_TIMEZONE``; else the offset between the first "Current date/time is …" line a
page of the run shows and that response's HTTP ``Date`` header; else the offset between a
topic's first post as printed and its creation time in the board's RSS feed (the ``forum``
spider reads one such topic page when no other page showed a clock); else, only once the pages
that could show a clock (portal, index, a forum page, that topic page) showed none, the zone an
earlier run recorded in ``boards``; else UTC, with a warning. Until it is known, no date is
read: the spiders wait (:meth:`BoardClock.wait`) before reading a page's dates.

Self-checks, each failing the run with its evidence rather than storing wrong dates:

- every clock line seen later must agree with the timezone in use (a configured zone that is
  not the board's, or an offset learnt from a stale page);
- no date read on a page may lie after the server's own ``Date`` header (beyond a minute, and
  within the 26 hours a timezone can be wrong by: :func:`check_dates`). A wrong offset shows
  there first on "Today at 23:50"-style dates: read on the wrong day's clock, the latest of
  them land in the future;
- a topic page's posts must be dated in the order they are printed, posting order
  (:func:`out_of_posting_order`: a misread word or year shows there);
- a topic's first post must be dated when the board's RSS feed says the topic was created
  (:class:`FeedCheck`): the feed prints UTC, the page the viewer's clock. This is the check that
  reaches the versions that show guests no clock (phpBB2, PunBB, AwesomeBB, mobile), a zone
  configured or recorded wrongly, and a member whose profile sets another zone than the board's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from forumscraper.pages.common import DateContext
from forumscraper.text.dates import OFFSET_SPAN, ORDER_SLACK, infer_board_offset

__all__ = [
    "CLOCK_TOLERANCE",
    "FUTURE_TOLERANCE",
    "OFFSET_SPAN",
    "BoardClock",
    "FeedCheck",
    "OffsetVotes",
    "StoredDatesCheck",
    "check_dates",
    "describe_tz",
    "far_future",
    "out_of_posting_order",
]

CLOCK_TOLERANCE = timedelta(minutes=5)
"""How far a page's clock line may be from the server's time read in the board's timezone (the
line shows minutes; a page may be rendered a moment before its header is written). Every real
timezone offset error is at least 15 minutes."""
FUTURE_TOLERANCE = timedelta(minutes=1)
"""How far after the server's ``Date`` header a printed date may lie."""
# OFFSET_SPAN (text.dates): the largest error a wrong timezone can make. A date further in the
# future than that is not a clock problem but what the board prints (an absurd date someone
# typed): it is stored as printed, and counted.


def describe_tz(tz: tzinfo) -> str:
    """``Asia/Baghdad``, ``UTC`` or ``UTC+03:00``: the zone as a person reads it."""
    key = getattr(tz, "key", None)
    if key:
        return str(key)
    if tz is UTC:
        return "UTC"
    delta = tz.utcoffset(None) or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


class BoardClock:
    """The board's timezone as this run knows it."""

    def __init__(self, configured: tzinfo | None = None) -> None:
        self.tz: tzinfo | None = configured
        self.source = "FORUMSCRAPER_TIMEZONE" if configured is not None else ""
        """Where :attr:`tz` came from, for the log."""
        self.recorded: tzinfo | None = None
        """The zone an earlier run stored in ``boards``: the fallback when no page shows a
        clock."""
        self.guessed = False
        """The zone is UTC for want of anything better (:meth:`fall_back`): dates read in it may
        be hours off, so they prove nothing about what a listing covers."""
        self._known: asyncio.Event | None = None

    @property
    def known(self) -> bool:
        return self.tz is not None

    def observe(self, clock: datetime | None, server: datetime | None, url: str) -> str | None:
        """A page showed the board's wall clock ``clock`` (naive) and its response's ``Date``
        header said ``server``: learn the timezone from the first such page, check it against
        every later one. Returns the evidence of a disagreement, else ``None``."""
        if clock is None or server is None:
            return None
        if self.tz is None:
            offset = infer_board_offset(clock, server)
            if offset is None:
                return (
                    f"{url} shows the board clock {clock:%Y-%m-%d %H:%M}, more than 14 hours "
                    f"from the server's Date header {server:%Y-%m-%d %H:%M:%S} UTC"
                )
            self.settle(offset, f"the clock line of {url}")
            return None
        expected = server.astimezone(self.tz).replace(tzinfo=None)
        if abs(clock - expected) > CLOCK_TOLERANCE:
            return (
                f"{url} shows the board clock {clock:%Y-%m-%d %H:%M}, but the server's Date "
                f"header ({server:%Y-%m-%d %H:%M:%S} UTC) is {expected:%Y-%m-%d %H:%M} in "
                f"{describe_tz(self.tz)} (from {self.source})"
            )
        return None

    def settle(self, tz: tzinfo, source: str) -> None:
        """Use ``tz`` from now on (the first call wins)."""
        if self.tz is not None:
            return
        self.tz = tz
        self.source = source
        if self._known is not None:
            self._known.set()

    def to_record(self, now: datetime) -> tzinfo | None:
        """The zone to record in ``boards`` for later runs: the one in use, except an offset
        learnt from the pages that the recorded zone's name gives at ``now`` too: the name is
        kept (``boards add --timezone Europe/Paris``), so that later runs follow its summer
        time where an offset would stay on this season's."""
        tz, named = self.tz, self.recorded
        if named is None or isinstance(named, timezone) or not isinstance(tz, timezone):
            return tz
        return named if named.utcoffset(now) == tz.utcoffset(now) else tz

    def fall_back(self) -> bool:
        """No page that could show the clock did: use the recorded zone, else UTC. ``True``
        when that is UTC for want of anything better (the caller warns)."""
        if self.tz is not None:
            return False
        if self.recorded is not None:
            self.settle(self.recorded, "an earlier run (boards), no page showed a clock")
            return False
        self.guessed = True
        self.settle(UTC, "nothing: no page showed the board's clock")
        return True

    async def wait(self) -> tzinfo:
        """The timezone, once known."""
        if self.tz is None:
            if self._known is None:
                self._known = asyncio.Event()
            await self._known.wait()
        assert self.tz is not None
        return self.tz

    def dates(self, now: datetime) -> DateContext:
        """How to read the dates of a page served at ``now`` (UTC until the zone is known:
        callers wait for it before reading dates)."""
        return DateContext(tz=self.tz or UTC, now=now)


def check_dates(
    dates: Iterable[tuple[str | None, datetime | None]], context: DateContext, url: str
) -> str | None:
    """The evidence that the dates read on a page (printed text, value read) cannot be right
    with the timezone in use, else ``None``: a date after the server's ``Date`` header by more
    than a minute and less than :data:`OFFSET_SPAN`."""
    low, high = context.now + FUTURE_TOLERANCE, context.now + OFFSET_SPAN
    for raw, value in dates:
        if value is not None and low < value <= high:
            return (
                f"{url}: {raw!r} was read as {value:%Y-%m-%d %H:%M} UTC, after the server's "
                f"Date header {context.now:%Y-%m-%d %H:%M:%S} UTC"
            )
    return None


def out_of_posting_order(
    dates: Iterable[tuple[str | None, datetime | None]], url: str
) -> str | None:
    """The evidence that a topic page's post dates (printed text, value read, in page order)
    cannot be right, else ``None``: Forumotion prints a topic's posts in posting order, so a
    date more than :data:`~forumscraper.text.dates.ORDER_SLACK` before the one above it is
    misread (a month or weekday word taken for another, a year guessed wrong). Undated posts
    are skipped; the slack covers a DST hour printed twice."""
    above: tuple[str | None, datetime] | None = None
    for raw, value in dates:
        if value is None:
            continue
        if above is not None and value < above[1] - ORDER_SLACK:
            return (
                f"{url}: {raw!r} was read as {value:%Y-%m-%d %H:%M} UTC, before the post above "
                f"it, {above[0]!r} read as {above[1]:%Y-%m-%d %H:%M} UTC, while a topic's posts "
                "are printed in posting order"
            )
        above = (raw, value)
    return None


def far_future(dates: Iterable[datetime | None], context: DateContext) -> int:
    """How many of ``dates`` lie further in the future than any clock error explains."""
    high = context.now + OFFSET_SPAN
    return sum(1 for value in dates if value is not None and value > high)


ZONE_STEP = timedelta(minutes=15)
"""Every timezone offset is a multiple of this."""


class OffsetVotes:
    """Dates read against the same dates known another way (a feed's UTC, the archive).

    A difference of a whole number of quarter hours, from 15 minutes to 26 hours, is what a
    wrong timezone makes. It is evidence once two dates show the same one and more dates show it
    than agree: one date alone may be another post's (deleted, merged, an older reader's
    mistake), and no other cause gives several dates one offset."""

    def __init__(self) -> None:
        self.agreeing = 0
        self.offsets: dict[timedelta, list[str]] = {}

    def vote(self, error: timedelta, evidence: str) -> tuple[timedelta, list[str]] | None:
        """Count one date ``error`` off (read minus known); the offset and its evidence once
        they make the case, else ``None``."""
        if abs(error) < CLOCK_TOLERANCE:
            self.agreeing += 1
            return None
        offset = round(error / ZONE_STEP) * ZONE_STEP
        if abs(error - offset) > FUTURE_TOLERANCE or abs(offset) > OFFSET_SPAN:
            return None  # not a timezone's error
        seen = self.offsets.setdefault(offset, [])
        seen.append(evidence)
        if len(seen) < 2 or len(seen) <= self.agreeing:
            return None
        return offset, seen


class FeedCheck:
    """Topics' creation times from the board's RSS feed (UTC, to the second) against their
    first posts' dates as read (the viewer's clock, to the minute), by :class:`OffsetVotes`."""

    def __init__(self) -> None:
        self.created: dict[int, datetime] = {}
        self.urls: dict[int, str] = {}
        self.votes = OffsetVotes()

    def learn(self, created: dict[int, datetime], urls: dict[int, str] | None = None) -> None:
        """The feed's topics and creation times (an older entry never replaces a newer one),
        and their addresses."""
        for topic_id, moment in created.items():
            self.created.setdefault(topic_id, moment)
        for topic_id, url in (urls or {}).items():
            self.urls.setdefault(topic_id, url)

    def probe_topic(self, now: datetime) -> tuple[str, datetime] | None:
        """The newest topic of the feed created more than two days before ``now`` (its first
        post's date is printed whole, not as "Today"/"Yesterday"): its address and creation
        time, whose first page tells the board's clock when no page shows it."""
        old = [
            (moment, topic_id)
            for topic_id, moment in self.created.items()
            if moment < now - timedelta(days=2) and topic_id in self.urls
        ]
        if not old:
            return None
        moment, topic_id = max(old)
        return self.urls[topic_id], moment

    def check(self, topic_id: int, posted_at: datetime | None, tz: tzinfo, url: str) -> str | None:
        """The evidence that dates are read on a wrong clock, once this first post makes it
        so; else ``None``."""
        created = self.created.pop(topic_id, None)
        if created is None or posted_at is None:
            return None
        found = self.votes.vote(
            posted_at - created.replace(second=0, microsecond=0),
            f"{url}: the first post was read as {posted_at:%Y-%m-%d %H:%M} UTC, the feed says "
            f"the topic was created at {created:%Y-%m-%d %H:%M:%S} UTC",
        )
        if found is None:
            return None
        offset, seen = found
        return (
            f"dates read in {describe_tz(tz)} are {offset / timedelta(hours=1):+g} h from the "
            f"board's RSS feed on {len(seen)} topics ({seen[0]}; {seen[1]})"
        )


class StoredDatesCheck:
    """Posts read again against their dates in the archive. A post's date never changes: posts
    read again that moved by one timezone's offset (:class:`OffsetVotes`) mean the board's
    clock is not the one the archive's dates were read on (an admin moved the board's zone or
    its summer time, and no page of this run showed the clock).

    A listed topic's last post counts too, against the topic's stored watermark: its date read
    again, unless a reply came since. A clock moved back makes every such date earlier, a new
    reply within the hour included, so the run would judge the topic unchanged and miss the
    reply; no page of it would be fetched for the posts' check to see."""

    def __init__(self) -> None:
        self.votes = OffsetVotes()

    def check(
        self, moved: Iterable[tuple[int, datetime, datetime]], agreeing: int, tz: tzinfo
    ) -> str | None:
        """``moved``: (post id, stored date, date read now) of posts whose date changed;
        ``agreeing``: posts read again at their stored date. The evidence once they make the
        case, else ``None``."""
        self.votes.agreeing += agreeing
        for post_id, stored, read in moved:
            found = self.votes.vote(
                read - stored,
                f"post {post_id} was stored as {stored:%Y-%m-%d %H:%M} UTC and is read now as "
                f"{read:%Y-%m-%d %H:%M} UTC",
            )
            if found is not None:
                return _moved_evidence(found, tz)
        return None

    def check_listed(
        self, topic_id: int, stored: datetime, listed: datetime, tz: tzinfo
    ) -> str | None:
        """A topic's last post as a listing dates it, against the topic's stored watermark.
        A later date is not counted (a reply is what it means); the same one agrees; an earlier
        one is the clock moved back, or the last post deleted (then seldom by whole quarter
        hours, and not on several topics by the same)."""
        if listed > stored:
            return None
        found = self.votes.vote(
            listed - stored,
            f"topic {topic_id}'s last post was stored as {stored:%Y-%m-%d %H:%M} UTC and is "
            f"listed now as {listed:%Y-%m-%d %H:%M} UTC",
        )
        return None if found is None else _moved_evidence(found, tz)


def _moved_evidence(found: tuple[timedelta, list[str]], tz: tzinfo) -> str:
    offset, seen = found
    return (
        f"dates read in {describe_tz(tz)} are {offset / timedelta(hours=1):+g} h "
        f"from the same posts' dates in the archive on {len(seen)} posts ({seen[0]}; "
        f"{seen[1]}): the board's timezone or summer time changed since they were "
        "stored; a forum run whose pages show the board's clock learns it"
    )
