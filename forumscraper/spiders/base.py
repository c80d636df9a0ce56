"""What every spider shares: the forum's address, logging in, the board's timezone, reading
pages, the hierarchy named by breadcrumbs, and database reads.

Spiders decide what to request and follow; extraction is in ``forumscraper.pages``; fetching
topics whole is in ``forumscraper.spiders.topics``. With no forum address, ``scrapy crawl``
serves the bundled demo forum and gives the spider its address (``forumscraper.commands.crawl``).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from typing import Any, NoReturn, Protocol, TypeVar
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from forumscraper import config
from forumscraper.db.board import board_url as board_root
from forumscraper.db.database import database_for
from forumscraper.db.retry import DatabaseRetry
from forumscraper.db.state import (
    StoredTopic,
    board_login_names,
    recorded_timezone,
    stored_topics,
)
from forumscraper.items import CategoryItem, ForumItem
from forumscraper.middlewares import SESSION_META
from forumscraper.pages import DateContext, Page
from forumscraper.pages.common import Crumb
from forumscraper.pages.parse import decode_html
from forumscraper.pages.recent import RecentTopic, feed_entries
from forumscraper.pages.topic import TopicPage, TopicPageReading
from forumscraper.pages.versions import UnknownTemplate
from forumscraper.runs import (
    CLOCK_EVIDENCE_KEY,
    ELSEWHERE_KEY,
    MISREAD_DATES_KEY,
    NOT_A_BOARD,
    NOT_A_BOARD_KEY,
    close_from_outside,
    dates_stopped,
)
from forumscraper.spiders.clock import (
    BoardClock,
    FeedCheck,
    StoredDatesCheck,
    check_dates,
    describe_tz,
    far_future,
)
from forumscraper.spiders.login import Credentials, LoginFlow, LoginMisconfigured
from forumscraper.text.dates import infer_board_offset, parse_http_date

logger = logging.getLogger(__name__)
T = TypeVar("T")
P = TypeVar("P", bound=Page)
L = TypeVar("L", bound="_ListedTopic")


class _ListedTopic(Protocol):
    @property
    def last_post_at(self) -> datetime | None: ...
    @property
    def last_post_year_unknown(self) -> bool: ...


OWN_META = frozenset({"topic_id", "portal_checked"})
"""Request meta keys of ours, carried over when a page is fetched again (with every
``forumscraper_*`` key)."""
CLOCK_PROBE = "forumscraper_clock_probe"
"""Request meta: the page is read to find the board's clock (see ``begin_clock_probe``)."""
TOPIC_PROBE_PRIORITY = 10
"""The topic page read for the board's clock goes before the pages waiting for it."""


class ForumotionSpider(scrapy.Spider):
    """Base of the ``forum`` and ``recent`` spiders."""

    def __init__(
        self,
        *args: Any,
        base_url: str | None = None,
        full: str | None = None,
        board_url: str | None = None,
        many_boards: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.base_url = base_url
        self.board_url = board_url
        """``-a board_url=…``: the address the board is registered under in ``boards`` when it
        is not ``base_url`` (the bundled demo, served on a free port each time)."""
        self.many_boards = bool(many_boards)
        """One of the boards of ``-a boards=…`` (a worker's job too): the process-wide
        settings of one board (zone, login) are the ``FORUMSCRAPER_BASE_URL`` board's only."""
        self.full = str(full or "").lower() in ("1", "true", "yes")
        """``-a full=1``: fetch every topic whole, whatever the database holds."""
        self.posts_per_page = 15
        self.clock = BoardClock()
        """The board's timezone: configured, learnt from the first clock line, or a fallback."""
        self.feed_check = FeedCheck()
        """Topics' creation times from the board's RSS feed, against their first posts."""
        self.stored_dates = StoredDatesCheck()
        """Posts read again against their stored dates (fed by the store pipeline)."""
        self._closing: asyncio.Future[None] | None = None
        self.clock_probes = 0
        """Pages requested to find the board's clock and not yet read."""
        self.held_for_clock: list[Request] = []
        """Requests for pages with dates, held until the board's timezone is known."""
        self.known_forums: set[int] = set()
        self.known_categories: set[int] = set()
        self.login: LoginFlow | None = None
        self.db_retry = DatabaseRetry()
        """How database reads ride out a short outage (shared with the store pipeline)."""
        self.board_recognised = False
        """The run's first page was a Forumotion page (:meth:`recognise_board`)."""
        self.board_id: int | None = None
        """The crawl's board in ``boards`` (found or registered at start)."""
        self.template_version: str | None = None
        """The template version of the run's first Forumotion page."""
        self.board_title: str | None = None
        self.board_language: str | None = None
        """The language the run's first page declares (``<html lang>``), as BCP 47 lowercase."""
        """The ``<title>`` of the run's first page when it is the board's home or index."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ForumotionSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, ForumotionSpider)
        settings = crawler.settings
        spider.base_url = spider.base_url or config.base_url(settings)
        if not spider.base_url:
            raise config.BadSetting(
                "FORUMSCRAPER_BASE_URL",
                None,
                "no forum to crawl: give -a base_url=… or set FORUMSCRAPER_BASE_URL "
                "(scrapy crawl with neither serves the bundled demo forum)",
            )
        # A board lives at the root of its host: ``…/forum`` or a topic's address is the board
        # at ``…/``, and every request is made from that root.
        spider.base_url = board_root(spider.base_url)
        spider.posts_per_page = config.posts_per_page(settings)
        configured = config.board_timezone(settings)
        if configured is not None and not spider.settings_are_mine():
            logger.warning(
                "FORUMSCRAPER_TIMEZONE is not used for %s: among several boards it is the "
                "FORUMSCRAPER_BASE_URL board's only (give this board its own: forumscraper "
                "boards add %s --timezone TZ)",
                spider.base_url,
                spider.base_url,
                extra={"spider": spider},
            )
            configured = None
        if configured is not None:
            spider.clock = BoardClock(configured)
        spider.db_retry = DatabaseRetry.from_crawler(crawler)
        return spider

    def settings_are_mine(self) -> bool:
        """Whether the settings that describe one board (``FORUMSCRAPER_TIMEZONE``, the member
        login ``FORUMSCRAPER_USERNAME``/``…_PASSWORD``) are this board's: in a run of one board,
        yes; among ``-a boards=…`` (a worker's job), only for the ``FORUMSCRAPER_BASE_URL``
        board. Another board's zone or password is never used: each board's own are its row's
        (``boards add --timezone``, ``--username-env``)."""
        if not self.many_boards:
            return True
        own = config.base_url(self.crawler.settings)
        return own is not None and board_root(own) == self.base_url

    # -- start ----------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        assert self.base_url
        await self.find_board()
        if not self.clock.known:
            self.clock.recorded = await self.read_db(recorded_timezone)
        names = await self.read_db(board_login_names)
        try:
            if names:
                credentials = Credentials.from_environment(*names, named_by_board=True)
            else:
                credentials = Credentials.from_environment()
                if credentials is not None and not self.settings_are_mine():
                    # The process-wide login is one board's: never sent to another.
                    logger.warning(
                        "FORUMSCRAPER_USERNAME is not used for %s: among several boards it is "
                        "the FORUMSCRAPER_BASE_URL board's only; this board is crawled as a "
                        "guest (give it its own: forumscraper boards add %s --username-env N "
                        "--password-env N)",
                        self.base_url,
                        self.base_url,
                        extra={"spider": self},
                    )
                    credentials = None
        except LoginMisconfigured as exc:
            self.crawler.stats.set_value("forumscraper/login/failed", f"misconfigured: {exc.why}")
            logger.error("Login misconfigured: %s", exc.why, extra={"spider": self})
            raise
        if credentials is not None:
            self.login = LoginFlow(credentials, self.base_url, self.crawler.stats, self)
            base_url = self.base_url
            yield self.login.start(lambda: self.start_requests_for(base_url))
            return
        for request in self.start_requests_for(self.base_url):
            yield request

    def session_expired(self, page: Page | TopicPageReading | None) -> bool:
        """A member crawl received a guest page: the session expired (the page must not be
        read; :meth:`renew_session` asks for it again)."""
        return (
            self.login is not None
            and page is not None
            and page.is_forumotion
            and not page.logged_in
        )

    def renew_session(self, response: Response) -> Iterator[Request]:
        """The page at ``response`` came back as a guest page: ask for it again as a member,
        logging in again first when it shows the current session expired (as often as needed,
        see :meth:`LoginFlow.guest_page`); a new session that expires before serving a single
        member page stops the run."""
        assert self.login is not None and response.request is not None
        sent_under = int(response.meta.get(SESSION_META, 0))
        assert self.crawler.engine is not None
        again = fetch_again(response.request)
        yield from self.login.guest_page(again, sent_under, self.crawler.engine)

    def start_requests_for(self, base_url: str) -> Iterator[Request]:
        raise NotImplementedError

    @property
    def board_tz(self) -> tzinfo | None:
        """The board's timezone, once known (from the settings, a clock line, an earlier run,
        or UTC for want of anything else); ``None`` while unknown."""
        return self.clock.tz

    @property
    def zone_to_record(self) -> tzinfo | None:
        """The board's timezone as ``boards`` keeps it for later runs
        (:meth:`~forumscraper.spiders.clock.BoardClock.to_record`)."""
        return self.clock.to_record(datetime.now(UTC))

    def dates_for(self, response: Response) -> DateContext:
        """How to read dates on ``response``: the board timezone and the server's "now"."""
        return self.clock.dates(server_time(response) or datetime.now(UTC))

    def observe_clock(self, page: Page, response: Response) -> None:
        """Learn the board's timezone from the page's clock line (the first one of the run),
        or check the clock line against the timezone in use; a disagreement stops the run."""
        known = self.clock.known
        evidence = self.clock.observe(page.board_clock, server_time(response), response.url)
        if evidence is not None:
            self.stop_for_dates(evidence)
        if not known and self.clock.known:
            logger.info(
                "Board timezone inferred from the page clock: %s (%s)",
                describe_tz(self.clock.tz or UTC),
                response.url,
            )

    def recognise_board(self, page: Page | None, response: Response) -> None:
        """The run's first page must be a Forumotion page; else the address is not a board (or
        the board is behind a maintenance or proxy page): stop before anything is stored, with
        the evidence. A board that answers from another address (``base_url`` redirects to a
        custom domain, or from ``http`` to ``https``) stops the run the same way: its rows would
        be kept under an address whose pages are not its own, and the board would be archived
        twice once its own address is crawled."""
        if self.board_recognised:
            return
        if page is not None and page.is_forumotion:
            assert self.base_url
            answered = board_root(response.url)
            if answered != board_root(self.base_url):
                evidence = (
                    f"{self.base_url} redirects to {answered}: crawl the address the board "
                    f"answers at, {answered}"
                )
                self.crawler.stats.set_value(ELSEWHERE_KEY, evidence)
                logger.error(
                    "The board answers at another address: %s", evidence, extra={"spider": self}
                )
                raise CloseSpider(NOT_A_BOARD)
            self.board_recognised = True
            self.template_version = page.version
            self.board_language = page_language(page.sel.xpath("string(/html/@lang)").get())
            if urlsplit(response.url).path in ("", "/", "/forum", "/index.htm"):
                self.board_title = page.sel.xpath("normalize-space(//title)").get() or None
            return
        shown = "no HTML" if page is None else "a page without Forumotion's _userdata script"
        evidence = f"{response.url} answered {response.status} with {shown}"
        self.crawler.stats.set_value(NOT_A_BOARD_KEY, evidence)
        logger.error("Not a Forumotion board: %s", evidence, extra={"spider": self})
        raise CloseSpider(NOT_A_BOARD)

    def stop_for_dates(self, evidence: str) -> NoReturn:
        """Dates read with the timezone in use cannot be right: fail the run, with why."""
        self._dates_wrong(evidence)
        raise CloseSpider("clock_mismatch")

    def _dates_wrong(self, evidence: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("forumscraper/dates/clock_mismatch")
        if not stats.get_value(CLOCK_EVIDENCE_KEY):
            stats.set_value(CLOCK_EVIDENCE_KEY, evidence)
        logger.error(
            "Dates disagree with the board's clock, stopping the run: %s",
            evidence,
            extra={"spider": self},
        )

    def stop_for_misread_dates(self, evidence: str) -> NoReturn:
        """Dates that cannot be right whatever the timezone (a page's posts out of posting
        order): a date word or layout is read wrong, which no timezone setting mends. Fail the
        run, with why; its topics are read again by the next run, as after a clock stop."""
        stats = self.crawler.stats
        assert stats is not None
        if not stats.get_value(MISREAD_DATES_KEY):
            stats.set_value(MISREAD_DATES_KEY, evidence)
        logger.error("Dates were misread, stopping the run: %s", evidence, extra={"spider": self})
        raise CloseSpider("dates_misread")

    def _zone_for_stored_dates(self) -> tzinfo | None:
        """The timezone dates read again are checked against the archive's in: ``None``
        (nothing to check) while the board's zone is unknown, or once the run has its clock
        evidence (it is stopping on it)."""
        if dates_stopped(self.crawler.stats.get_stats()):
            return None
        return self.clock.tz

    def check_stored_dates(self, moved: list[tuple[int, datetime, datetime]], kept: int) -> None:
        """Close the run when posts read again moved from their stored dates by one
        timezone's offset (``spiders.clock.StoredDatesCheck``); called by the store pipeline
        with what each write found, outside any callback."""
        tz = self._zone_for_stored_dates()
        if tz is None or (not moved and not kept):
            return
        evidence = self.stored_dates.check(moved, kept, tz)
        if evidence is None:
            return
        self._dates_wrong(evidence)
        self._closing = close_from_outside(self.crawler, "clock_mismatch")

    def check_listed_date(self, topic_id: int, stored: datetime, listed: datetime) -> None:
        """Stop the run when listed topics' last posts moved from their stored watermarks by
        one timezone's offset (``spiders.clock.StoredDatesCheck.check_listed``)."""
        tz = self._zone_for_stored_dates()
        if tz is None:
            return
        evidence = self.stored_dates.check_listed(topic_id, stored, listed, tz)
        if evidence is not None:
            self.stop_for_dates(evidence)

    def check_dates(
        self, dates: Iterable[tuple[str | None, datetime | None]], context: DateContext, url: str
    ) -> None:
        """Stop the run when a page's dates cannot be right (see ``spiders.clock``)."""
        dates = list(dates)
        evidence = check_dates(dates, context, url)
        if evidence is not None:
            self.stop_for_dates(evidence)
        absurd = far_future((value for _, value in dates), context)
        if absurd:
            self.crawler.stats.inc_value("forumscraper/dates/far_future", absurd)
            logger.warning(
                "%s: %d date(s) years ahead of the server's clock: stored as printed", url, absurd
            )

    def begin_clock_probe(self) -> None:
        self.clock_probes += 1

    def end_clock_probe(self) -> Iterator[Request]:
        """A page read to find the board's clock is done: when no probe is left and no clock
        was seen, fall back (earlier run's zone, else UTC with a warning); then release the
        requests held until the timezone was known."""
        self.clock_probes = max(0, self.clock_probes - 1)
        if self.clock_probes:
            return
        self.settle_without_clock()
        held, self.held_for_clock = self.held_for_clock, []
        yield from held

    def settle_without_clock(self) -> None:
        if self.clock.known:
            return
        if self.clock.fall_back():
            logger.warning(
                "The board's timezone is unknown (no page of the run showed a 'Current "
                "date/time' line): dates are read as UTC; set FORUMSCRAPER_TIMEZONE to the "
                "board's timezone to fix that"
            )
        else:
            logger.info("Board timezone from an earlier run (boards): %s", self.clock.tz)

    async def listing(self, page: P, read: Callable[[P], list[L]]) -> list[L]:
        """A listing's rows (``read(page)``), read once the board's timezone is known; their
        last-post dates checked against the server's clock (see :meth:`check_dates`), but for
        those printed without a year: the year read for them may be tomorrow's for a post
        written years ago on the same day and weekday, which says nothing of the clock."""
        context = await self.read_dates(page)
        rows = read(page)
        self.check_dates(
            [
                ("a listed last post", row.last_post_at)
                for row in rows
                if not row.last_post_year_unknown
            ],
            context,
            page.url,
        )
        return rows

    def learn_feed(self, response: Response) -> list[RecentTopic]:
        """The topics of the board's RSS feed (``/feed/``), their creation times kept for
        :meth:`check_first_post`."""
        body = response.text if isinstance(response, TextResponse) else response.body
        entries = feed_entries(response.url, body, self.dates_for(response))
        self.feed_check.learn(
            {entry.topic_id: entry.created_at for entry in entries if entry.created_at},
            {entry.topic_id: response.urljoin(entry.url) for entry in entries if entry.url},
        )
        return entries

    def feed_clock_probe(self, response: Response) -> Request | None:
        """No page has shown the board's clock yet: ask for the first page of a topic the feed
        dates, whose first post's printed date, against the feed's UTC time, tells the offset
        (:meth:`parse_feed_probe`). ``None`` when the clock is known or the feed has no such
        topic."""
        if self.clock.known:
            return None
        found = self.feed_check.probe_topic(server_time(response) or datetime.now(UTC))
        if found is None:
            return None
        url, created = found
        self.begin_clock_probe()
        return Request(
            url,
            callback=self.parse_feed_probe,
            errback=self.feed_probe_failed,
            cb_kwargs={"created": created},
            dont_filter=True,  # the crawl reads this page again, as any topic page
            priority=TOPIC_PROBE_PRIORITY,
        )

    def parse_feed_probe(self, response: Response, created: datetime) -> Iterator[Request]:
        """Learn the board's offset from a topic's first post (read as naive wall-clock time:
        the zone is not known yet) and the feed's UTC creation time, then end the probe."""
        page = self.html_page(response, TopicPage) if not self.clock.known else None
        try:
            posts = page.posts() if isinstance(page, TopicPage) else []
        except UnknownTemplate:
            posts = []
        first = posts[0] if posts and posts[0].position == 0 else None
        if first is not None and first.posted_at is not None and not self.clock.known:
            offset = infer_board_offset(first.posted_at.replace(tzinfo=None), created)
            if offset is not None:
                self.clock.settle(
                    offset, f"the RSS feed's time of the first post of {response.url}"
                )
                logger.info("Board timezone from %s: %s", self.clock.source, describe_tz(offset))
        yield from self.end_clock_probe()

    def feed_probe_failed(self, failure: Failure) -> Iterator[Request]:
        logger.info("Could not read a topic to find the board's clock: %s", failure.value)
        yield from self.end_clock_probe()

    def check_first_post(self, topic_id: int, posted_at: datetime | None, url: str) -> None:
        """Stop the run when topics' first posts, read on the clock in use, are off their
        creation times in the RSS feed by one timezone's offset (see ``spiders.clock``)."""
        tz = self.clock.tz
        if tz is None:
            return
        evidence = self.feed_check.check(topic_id, posted_at, tz, url)
        if evidence is not None:
            self.stop_for_dates(evidence)

    async def read_dates(self, page: Page) -> DateContext:
        """Wait until the board's timezone is known, then make ``page`` read its dates in it."""
        if not self.clock.known and not self.clock_probes:
            self.settle_without_clock()  # nothing left that could show a clock
        await self.clock.wait()
        page.dates = self.clock.dates(page.dates.now)
        return page.dates

    # -- pages ----------------------------------------------------------------------------------

    def html_page(self, response: Response, page_class: type[Page]) -> Page | None:
        if not isinstance(response, TextResponse):
            logger.error("Not an HTML page: %s", response.url, extra={"spider": self})
            self.crawler.stats.inc_value("forumscraper/extract/not_html")
            return None
        return page_class(response.url, page_text(response), self.dates_for(response))

    def hierarchy_items(self, breadcrumb: Iterable[Crumb]) -> Iterator[CategoryItem | ForumItem]:
        """Categories and forums named by a page's breadcrumb that this run has not yet
        yielded, parents first, so that rows they own never arrive before them."""
        parent: int | None = None
        category: tuple[int, str] | None = None
        for crumb in breadcrumb:
            if crumb.ref.kind == "c":
                category = (crumb.ref.id, crumb.name)
                if crumb.ref.id not in self.known_categories:
                    self.known_categories.add(crumb.ref.id)
                    yield CategoryItem(id=crumb.ref.id, title=crumb.name, url=crumb.url)
            elif crumb.ref.kind == "f":
                if crumb.ref.id not in self.known_forums:
                    self.known_forums.add(crumb.ref.id)
                    yield ForumItem(
                        id=crumb.ref.id,
                        title=crumb.name or None,
                        url=crumb.url,
                        parent_id=parent,
                        category_id=category[0] if category else None,
                        category=category[1] if category else None,
                    )
                parent = crumb.ref.id

    # -- what changed ---------------------------------------------------------------------------

    @property
    def board_address(self) -> str:
        """The address the board is registered under (``board_url``, else ``base_url``)."""
        address = self.board_url or self.base_url
        assert address
        return address

    async def find_board(self) -> int:
        """The crawl's board in ``boards``, registered if its address is new (see
        :meth:`forumscraper.db.database.Database.board_for`): every read and write of the run is
        keyed by it. Found at start (or by the first read, for ``scrapy parse``)."""
        if self.board_id is None:
            database = database_for(self.crawler)
            self.board_id = await self.db_retry.call(
                database.board_for, self.board_address, action="read"
            )
        return self.board_id

    async def read_db(self, func: Callable[..., T], *args: Any) -> T:
        """``func(engine, board_id, *args)`` in a thread, for the crawl's board, through a short
        database outage (see ``forumscraper.db.retry``); a lasting outage raises."""
        engine = database_for(self.crawler).engine
        board_id = await self.find_board()
        return await self.db_retry.call(func, engine, board_id, *args, action="read")

    async def stored(self, topic_ids: Iterable[int]) -> dict[int, StoredTopic]:
        """What the database holds of these topics (empty with ``-a full=1``)."""
        if self.full:
            return {}
        return await self.read_db(stored_topics, list(topic_ids))


_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")


def page_language(declared: str | None) -> str | None:
    """A page's ``<html lang>`` as a lowercase BCP 47 tag (``pt-br``), or ``None`` for no tag or
    a value that is no tag (a template placeholder left in)."""
    tag = (declared or "").strip().lower().replace("_", "-")
    return tag if _LANGUAGE_TAG.fullmatch(tag) else None


def server_time(response: Response) -> datetime | None:
    """The response's HTTP ``Date`` header, if it has a readable one."""
    header = response.headers.get(b"Date")
    return parse_http_date(header.decode("latin-1")) if header else None


def page_text(response: TextResponse) -> str:
    """The page's text (see :func:`forumscraper.pages.parse.decode_html`)."""
    text, charset = decode_html(response.body, response.encoding)
    if charset is not None:
        log_charset(response.url, response.encoding, charset)
    return text


def log_charset(url: str, declared: str, charset: str) -> None:
    logger.warning("%s declares %s but is %s: read as %s", url, declared, charset, charset)


def fetch_again(request: Request, **meta: Any) -> Request:
    """The same request once more: past the duplicate filter, with our own meta keys only
    (Scrapy's, such as ``download_latency``, belong to the previous download)."""
    own = {k: v for k, v in request.meta.items() if k in OWN_META or k.startswith("forumscraper_")}
    return request.replace(dont_filter=True, meta=own | meta)
