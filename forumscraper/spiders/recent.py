"""The ``recent`` spider: fetch only what changed since the last run.

    scrapy crawl recent -a base_url=https://example.forumotion.com/

It reads the board's recent-activity listings, cheapest first, and only as many as it needs:
the "Recent topics" widget of the portal/index (its page is fetched anyway: it proves the
address is a Forumotion board and shows the board's clock), then
``/search?search_id=activetopics`` (where guests may use it), then the RSS feed ``/feed/``. It
stops after a listing that *covers* the time since the board's last covered run (see
:func:`forumscraper.db.state.last_covered_start`): a listing ordered by last post whose oldest
entry is older than that run's start, by :data:`COVERAGE_MARGIN`, shows every topic that moved
since; so does an active-topics page that holds every match of its search, back to 24 hours
before it was served. The feed dates topics by creation, never by last post, so it proves
nothing about replies: it is read last, and after it a gap is reported (a WARNING naming it,
the stat ``forumscraper/recent/gap``) for a ``forum`` run to catch up. The first run of a board, a
``-a full=1`` run and a run whose dates are read in a guessed timezone read every listing.

A run counts as covered (:func:`~forumscraper.db.state.last_covered_start`) only when its
listings demonstrably reach back to the last covered run: a ``-a full=1`` run whose listings do
not reports its gap as any run does, a run on a guessed clock proves nothing (its whole span is
the gap), and a run of a board with no covered run at all has nothing to reach back to (a
WARNING, the stat ``forumscraper/recent/no_covered_run``): each is followed by runs that warn
again, until a ``forum`` run reads the board.

The widget is checked against the archive before it may prove anything: a stored topic whose
last post is later than the widget's oldest entry must be among its entries. One that is not
(a widget set to list some forums only, say) makes the widget prove nothing: the next listing
is read (``forumscraper/recent/widget_left_out``, one INFO line with the evidence).

Once the listings are read, each listed topic is compared with the database: a topic the
database does not hold is fetched whole; a stored one only if the listing shows a newer last
post or another reply count, and then only from the page holding the first post not yet
stored. An unchanged board costs the widget's page and nothing more.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from forumscraper.db.state import (
    NO_COVERED_RUN_KEY,
    RECENT_GAP_KEY,
    last_covered_start,
    topics_later_than,
)
from forumscraper.items import TopicItem
from forumscraper.pages import ForumListPage, Page
from forumscraper.pages.problems import describe_problem, is_truncated
from forumscraper.pages.recent import (
    ActiveTopicsPage,
    RecentTopic,
    RecentTopicsPage,
)
from forumscraper.pages.urls import parse_page_url
from forumscraper.spiders.base import CLOCK_PROBE
from forumscraper.spiders.clock import CLOCK_TOLERANCE
from forumscraper.spiders.topics import TopicSpider

COVERAGE_MARGIN = timedelta(minutes=1) + CLOCK_TOLERANCE + timedelta(minutes=4)
"""How much older than the last covered run's start a listing's oldest entry must be for the
listing to cover the time since: listed dates have minute precision ("Today at 9:59" is any
second of that minute), a page's printed clock may be :data:`CLOCK_TOLERANCE` from its server's
``Date`` header, and a few minutes more for our clock against the server's. A server whose
``Date`` header is behind our clock moves the bound back by as much (see :func:`proven_since`).
Ten minutes: on a board checked every 15 minutes the widget covers unless more of its topics
than it lists moved within the last 25 minutes or so."""

ACTIVE_TOPICS_WINDOW = timedelta(hours=24)
"""``/search?search_id=activetopics`` lists the topics with a post in the last 24 hours
(the templates' ``U_TODAY_ACTIVE`` link, "active topics"): a page that holds every match the
search found (:meth:`ActiveTopicsPage.match_count`) proves that far back, whatever its oldest
entry."""

WIDGET_LISTING = "widget"
ACTIVE_TOPICS_LISTING = "activetopics"
FEED_LISTING = "feed"
LISTINGS = (WIDGET_LISTING, ACTIVE_TOPICS_LISTING, FEED_LISTING)
"""The listings' names, in the order they are asked for (cheapest first): in the log lines
that name the listings read, and in their stats (``forumscraper/recent/<name>_entries``)."""

WIDGET_LEFT_OUT_KEY = "forumscraper/recent/widget_left_out"
"""Stat: stored topics whose last post is later than the widget's oldest entry, and which the
widget does not list (it then proves nothing about coverage)."""

Callback = Callable[[Response], AsyncIterator[Any]]


def listing_reach(entries: Sequence[RecentTopic], complete: bool = True) -> datetime | None:
    """How far back a listing ordered by last post, newest first, shows every topic that moved:
    its oldest entry's last post. ``None`` when it cannot tell: no entry, an entry without a
    date (unreadable, or a widget that shows none), entries out of order (not a last-post
    order, so what is left out may be newer), or a page that is not ``complete`` (cut off)."""
    dates = [entry.last_post_at for entry in entries]
    if not complete or not dates:
        return None
    known = [d for d in dates if d is not None]
    if len(known) < len(dates):
        return None
    if any(newer < older for newer, older in itertools.pairwise(known)):
        return None
    return known[-1]


def proven_since(reach: datetime, server_now: datetime, our_now: datetime) -> datetime:
    """The instant, on our clock, after which every change is proven to be in a listing whose
    oldest entry is dated ``reach`` (the board's clock, minute precision) on a page the server
    dated ``server_now`` (its ``Date`` header) and we read at ``our_now``. A server clock
    behind ours moves it later by as much; one ahead never moves it earlier."""
    behind = max(our_now - server_now, timedelta(0))
    return reach + COVERAGE_MARGIN + behind


class RecentSpider(TopicSpider):
    """Crawl the topics that moved since the last run."""

    name = "recent"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listed: dict[int, RecentTopic] = {}
        self.pending_listings = 0
        self.widget_page: RecentTopicsPage | None = None
        """The portal/index page, read once the board's timezone is known."""
        self.covered_since: datetime | None = None
        """When the board's last covered run started (``None``: read every listing)."""
        self.proven: datetime | None = None
        """The earliest instant after which the listings read so far show every change."""
        self.listings_left: list[tuple[str, Callback]] = []
        """The listings not yet requested, cheapest first: (path, callback)."""
        self.listings_read: list[str] = []

    async def start(self) -> AsyncIterator[Any]:
        # Read with -a full=1 too: such a run reads every listing, and still counts as
        # covered only if they reach back to the last covered run.
        self.covered_since = await self.read_db(last_covered_start)
        async for request in super().start():
            yield request

    def start_requests_for(self, base_url: str) -> Iterator[Request]:
        # The portal/index first: its clock gives the board's timezone, which the other
        # listings' "Today at 9:59" dates need, and its widget is the cheapest listing.
        self.listings_left = [
            ("search?search_id=activetopics", self.parse_active),
            ("feed/", self.parse_feed),
        ]
        self.pending_listings = 1
        yield Request(
            base_url,
            callback=self.parse_widget,
            errback=self.listing_failed,
            dont_filter=True,
        )

    @property
    def judging(self) -> bool:
        """Whether listings are read one at a time until one covers: not on the board's first
        run, nor with ``-a full=1``, nor with dates read in a guessed timezone."""
        return self.covered_since is not None and not self.clock.guessed and not self.full

    @property
    def covered(self) -> bool:
        """Whether the listings read show every change since the last covered run (never on
        a guessed clock: their dates may be hours off)."""
        return (
            self.covered_since is not None
            and not self.clock.guessed
            and self.proven is not None
            and self.proven < self.covered_since
        )

    def more_listings(self) -> Iterator[Request]:
        """The listings to read next: the next one when judging, else all that are left."""
        base_url = self.base_url or ""
        count = 1 if self.judging else len(self.listings_left)
        taken, self.listings_left = self.listings_left[:count], self.listings_left[count:]
        for path, callback in taken:
            self.pending_listings += 1
            yield Request(
                base_url + path, callback=callback, errback=self.listing_failed, dont_filter=True
            )

    # -- listings ---------------------------------------------------------------------------

    async def parse_widget(self, response: Response) -> AsyncIterator[Any]:
        page = self.html_page(response, RecentTopicsPage)
        self.recognise_board(page, response)
        if self.session_expired(page):
            for renewal in self.renew_session(response):
                yield renewal
            return
        if isinstance(page, RecentTopicsPage):
            self.observe_clock(page, response)
            self.widget_page = page
        if not self.clock.known and self.clock.recorded is not None:
            # Checked every few minutes: the zone an earlier run found costs no request.
            self.settle_without_clock()
        if not self.clock.known:
            # A portal without the clock line: the forum index (/forum) shows it, and on
            # boards that print it nowhere on the index, a forum page may.
            probe = self.first_forum_probe(page) if page is not None else None
            yield probe or self.clock_probe(response.urljoin("/forum"), step=1)
            return
        async for item in self.read_listings():
            yield item

    def clock_probe(self, url: str, step: int) -> Request:
        self.begin_clock_probe()
        return Request(
            url,
            callback=self.parse_clock_probe,
            errback=self.clock_probe_failed,
            meta={CLOCK_PROBE: step},
            dont_filter=True,
        )

    def first_forum_probe(self, page: Page) -> Request | None:
        """A probe of the first forum an index page lists, if it lists one."""
        if page.unknown_template is not None:
            return None
        forums = ForumListPage(page.url, page.html).forums()
        return self.clock_probe(forums[0].url, step=2) if forums and forums[0].url else None

    async def parse_clock_probe(self, response: Response) -> AsyncIterator[Any]:
        page = self.html_page(response, ForumListPage)
        if self.session_expired(page):
            for renewal in self.renew_session(response):
                yield renewal
            return
        if page is not None:
            self.observe_clock(page, response)
            if not self.clock.known and response.meta.get(CLOCK_PROBE) == 1:
                following = self.first_forum_probe(page)
                if following is not None:
                    self.clock_probes -= 1  # the next probe takes this one's place
                    yield following
                    return
        for _ in self.end_clock_probe():
            pass  # nothing is held: the listings follow
        async for item in self.read_listings():
            yield item

    async def clock_probe_failed(self, failure: Failure) -> AsyncIterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        self.logger.info(
            "Clock page not available (%s): %s", request.url, failure.getErrorMessage()
        )
        for _ in self.end_clock_probe():
            pass
        async for item in self.read_listings():
            yield item

    async def read_listings(self) -> AsyncIterator[Any]:
        """Once the board's timezone is known: the widget's entries, then, unless they cover
        the time since the last covered run, the next listing."""
        page = self.widget_page
        if page is not None:
            self.widget_page = None
            entries = await self.listing(page, RecentTopicsPage.widget)
            complete = not is_truncated(page.html)
            trusted = not await self.widget_leaves_out(entries, complete)
            # A widget that leaves out stored topics still names what it lists, but proves
            # nothing about what it does not.
            self._collect(entries, WIDGET_LISTING, page if trusted else None, complete=complete)
        async for item in self._listing_done():
            yield item

    async def widget_leaves_out(self, entries: list[RecentTopic], complete: bool) -> bool:
        """Whether the widget leaves out a stored topic whose stored last post is later than
        the widget's oldest entry (by :data:`COVERAGE_MARGIN`, for minute dates): listed by
        last post, it would list it, unless it lists some forums only (or the topic's last
        post was deleted). Counted and logged with the evidence; such a widget proves
        nothing. Not checked on a guessed clock (nothing is proven on it anyway)."""
        reach = listing_reach(entries, complete)
        if reach is None or self.clock.guessed:
            return False
        since = (reach + COVERAGE_MARGIN).astimezone(UTC)
        later = await self.read_db(topics_later_than, since, len(entries) + 10)
        listed = {entry.topic_id for entry in entries}
        left_out = [(topic_id, at) for topic_id, at in later if topic_id not in listed]
        if not left_out:
            return False
        self.crawler.stats.set_value(WIDGET_LEFT_OUT_KEY, len(left_out))
        self.logger.info(
            "The recent topics widget does not list %d stored topic(s) whose last post is "
            "later than its oldest entry (%s UTC): %s; it may list some forums only, so it "
            "proves nothing and the next listing is read",
            len(left_out),
            f"{reach.astimezone(UTC):%Y-%m-%d %H:%M}",
            ", ".join(
                f"topic {topic_id} ({at:%Y-%m-%d %H:%M} UTC)" for topic_id, at in left_out[:5]
            ),
        )
        return True

    async def parse_active(self, response: Response) -> AsyncIterator[Any]:
        page = self.html_page(response, ActiveTopicsPage)
        if self.session_expired(page):
            for renewal in self.renew_session(response):
                yield renewal
            return
        if isinstance(page, ActiveTopicsPage) and page.unknown_template is not None:
            # A markup no template version recognises: reported, never read as another's.
            self.page_failed(response, *describe_problem(page), "search")
        elif isinstance(page, ActiveTopicsPage):
            entries = await self.listing(page, ActiveTopicsPage.recent)
            whole = not is_truncated(page.html)
            # Every topic with a post in the last 24 hours, when the page holds all the search
            # found (none cut off, no further page).
            every_since = (
                page.dates.now - ACTIVE_TOPICS_WINDOW
                if whole and page.match_count() == len(entries)
                else None
            )
            self._collect(
                entries, ACTIVE_TOPICS_LISTING, page, complete=whole, every_since=every_since
            )
        async for item in self._listing_done():
            yield item

    async def parse_feed(self, response: Response) -> AsyncIterator[Any]:
        # Dated by creation: it names new topics, never proves replies covered (and checks
        # their first posts' dates: ``check_first_post``).
        self._collect(self.learn_feed(response), FEED_LISTING)
        async for item in self._listing_done():
            yield item

    async def listing_failed(self, failure: Failure) -> AsyncIterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        self.logger.info("Listing not available (%s): %s", request.url, failure.getErrorMessage())
        self.crawler.stats.inc_value("forumscraper/recent/listings_unavailable")
        async for item in self._listing_done():
            yield item

    def _listings_named(self) -> str:
        """The listings read, in the order they are asked for (their answers come in any)."""
        read = sorted(self.listings_read, key=lambda name: (*LISTINGS, name).index(name))
        return ", ".join(read) or "none readable"

    def _collect(
        self,
        entries: list[RecentTopic],
        source: str,
        page: Page | None = None,
        complete: bool = False,
        every_since: datetime | None = None,
    ) -> None:
        """Merge a listing's entries; for a listing ordered by last post (``page`` given),
        note how far back it proves every change listed: to its oldest entry, or to
        ``every_since`` (the server's clock) when it is known to list every topic that moved
        since then."""
        self.listings_read.append(source)
        self.crawler.stats.inc_value(f"forumscraper/recent/{source}_entries", len(entries))
        for entry in entries:
            known = self.listed.get(entry.topic_id)
            self.listed[entry.topic_id] = _merge(known, entry) if known else entry
        if page is None:
            return
        reaches = [r for r in (listing_reach(entries, complete), every_since) if r is not None]
        if not reaches:
            return
        reach = min(reaches)
        proven = proven_since(reach, page.dates.now, datetime.now(UTC))
        self.proven = proven if self.proven is None else min(self.proven, proven)

    async def _listing_done(self) -> AsyncIterator[Any]:
        """After each listing: the next one while they do not cover the time since the last
        covered run (all of them at once when not judging); once done, the topic pages."""
        self.pending_listings -= 1
        if self.pending_listings > 0:
            return
        if self.listings_left and not (self.judging and self.covered):
            for request in self.more_listings():
                yield request
            return
        self.crawler.stats.set_value("forumscraper/recent/listings_read", len(self.listings_read))
        if not self.covered:
            self._report_uncovered()
        for request in await self.unfinished_topic_requests():
            yield request
        if not self.listed:
            self.logger.warning("No recent topic found in any listing")
            return
        stored = await self.stored(self.listed)
        for entry in self.listed.values():
            listing = TopicItem(
                id=entry.topic_id,
                forum_id=entry.forum_id,
                title=entry.title,
                reply_count=entry.reply_count,
                last_post_at=entry.last_post_at,
                last_post_year_unknown=entry.last_post_year_unknown,
                last_poster_name=entry.last_poster_name,
                last_post_id=entry.last_post_id,
            )
            known = stored.get(entry.topic_id)
            if known is not None and entry.last_post_at is None and entry.reply_count is None:
                # Only the feed names it (by creation date): nothing says it changed.
                continue
            start = self.plan_topic(listing, known)
            if start is None:
                continue
            if entry.last_page_offset is not None and known is not None:
                start = min(start, entry.last_page_offset)
            ref = parse_page_url(entry.url)
            topic_request = self.topic_request(
                entry.topic_id, ref.slug if ref else "", listing, start
            )
            if topic_request is not None:
                yield topic_request

    def _report_uncovered(self) -> None:
        """Every listing is read and none reaches back to the last covered run, or there is
        none to reach back to: changes made before and no longer listed are not seen by this
        run, which does not count as covered (later ``recent`` runs say so again). Only a
        ``forum`` run catches up."""
        if self.covered_since is None:
            self.crawler.stats.set_value(NO_COVERED_RUN_KEY, 1)
            self.logger.warning(
                "No covered run of this board: its listings (%s) show recent changes only, "
                "and no earlier run proves the older topics stored (the board was never read "
                "whole, or every run of it failed). Run the forum spider (scrapy crawl forum "
                "-a base_url=%s) to read the board",
                self._listings_named(),
                self.base_url,
            )
            return
        self._report_gap()

    def _report_gap(self) -> None:
        """The listings do not reach back to the last covered run: the seconds in between
        (all of them on a guessed clock), as the stat and a WARNING."""
        assert self.covered_since is not None
        proven = None if self.clock.guessed else self.proven
        until = proven or datetime.now(UTC)
        seconds = max(1, int((until - self.covered_since).total_seconds()))
        self.crawler.stats.set_value(RECENT_GAP_KEY, seconds)
        if self.clock.guessed:
            reach = (
                "prove nothing: their dates were read in a guessed timezone (UTC, no page "
                "showed the board's clock), which may be hours off"
            )
        elif proven is not None:
            reach = (
                f"show every change since {proven:%Y-%m-%d %H:%M} UTC only (their oldest "
                f"entry plus a margin of {COVERAGE_MARGIN.total_seconds() / 60:.0f} minutes)"
            )
        else:
            reach = "prove nothing about when topics moved (no dated listing ordered by last post)"
        self.logger.warning(
            "Gap: the board's listings (%s) %s, and the last covered run started "
            "%s UTC: posts made between them in topics no longer listed are not fetched. "
            "Run the forum spider (scrapy crawl forum -a base_url=%s) to catch up",
            self._listings_named(),
            reach,
            f"{self.covered_since:%Y-%m-%d %H:%M}",
            self.base_url,
        )


def _merge(first: RecentTopic, other: RecentTopic) -> RecentTopic:
    """Two listings' views of one topic: the most informative value of each field."""
    return replace(
        first,
        title=first.title or other.title,
        last_post_at=max(
            (d for d in (first.last_post_at, other.last_post_at) if d is not None), default=None
        ),
        last_post_year_unknown=first.last_post_year_unknown or other.last_post_year_unknown,
        last_poster_name=first.last_poster_name or other.last_poster_name,
        last_page_offset=max(
            (o for o in (first.last_page_offset, other.last_page_offset) if o is not None),
            default=None,
        ),
        last_post_id=max(
            (p for p in (first.last_post_id, other.last_post_id) if p is not None), default=None
        ),
        reply_count=max(
            (c for c in (first.reply_count, other.reply_count) if c is not None), default=None
        ),
        forum_id=first.forum_id or other.forum_id,
        created_at=first.created_at or other.created_at,
    )
