"""What every spider shares: the forum's address (or the bundled demo forum), logging in,
the board's timezone, reading pages, the hierarchy named by breadcrumbs, and database reads.

Spiders decide what to request and follow; extraction is in ``forumscraper.pages``; fetching
topics whole is in ``forumscraper.spiders.topics``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from typing import Any, TypeVar

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.asyncio import run_in_thread
from sqlalchemy.exc import OperationalError

from forumscraper.db.database import database_for, first_line
from forumscraper.db.state import (
    StoredTopic,
    recorded_timezone,
    stored_topics,
)
from forumscraper.items import CategoryItem, ForumItem
from forumscraper.middlewares import SESSION_META
from forumscraper.pages import DateContext, Page
from forumscraper.pages.common import Crumb
from forumscraper.pages.parse import decode_html
from forumscraper.pages.topic import TopicPageReading
from forumscraper.spiders.login import Credentials, LoginFlow
from forumscraper.text.dates import board_timezone, infer_board_offset, parse_http_date

logger = logging.getLogger(__name__)
T = TypeVar("T")


OWN_META = frozenset({"topic_id", "portal_checked"})
"""Request meta keys of ours, carried over when a page is fetched again."""


class ForumotionSpider(scrapy.Spider):
    """Base of the ``forum`` and ``recent`` spiders."""

    def __init__(
        self, *args: Any, base_url: str | None = None, full: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.base_url = base_url
        self.full = str(full or "").lower() in ("1", "true", "yes")
        """``-a full=1``: fetch every topic whole, whatever the database holds."""
        self.posts_per_page = 15
        self.board_tz: tzinfo | None = None
        self.recorded_tz: tzinfo | None = None
        """The timezone an earlier run stored in ``board_info``: the fallback when a page shows
        no clock."""
        self.known_forums: set[int] = set()
        self.known_categories: set[int] = set()
        self._demo_server: Any = None
        self.login: LoginFlow | None = None
        self.waiting_for_login: list[Request] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ForumotionSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, ForumotionSpider)
        spider.base_url = spider.base_url or crawler.settings.get("FORUMSCRAPER_BASE_URL")
        spider.posts_per_page = crawler.settings.getint("FORUMSCRAPER_POSTS_PER_PAGE", 15)
        configured = crawler.settings.get("FORUMSCRAPER_TIMEZONE")
        if configured:
            spider.board_tz = board_timezone(configured)
        crawler.signals.connect(spider._stop_demo, signal=signals.spider_closed)
        return spider

    # -- start ----------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if not self.base_url:
            self._start_demo()
        assert self.base_url
        if not self.base_url.endswith("/"):
            self.base_url += "/"
        if self.board_tz is None:
            self.recorded_tz = await self.read_db(recorded_timezone)
        credentials = Credentials.from_environment()
        if credentials is not None:
            self.login = LoginFlow(credentials, self.base_url, self.crawler.stats)
            base_url = self.base_url
            yield self.login.start(lambda: self.start_requests_for(base_url))
            return
        for request in self.start_requests_for(self.base_url):
            yield request

    def session_expired(self, page: Page | TopicPageReading | None) -> bool:
        """A member crawl received a guest page: the session expired."""
        return (
            self.login is not None
            and page is not None
            and page.is_forumotion
            and not page.logged_in
        )

    def renew_session(self, response: Response) -> Iterator[Request]:
        """Log in again (once per run), then fetch again every page that came back as a guest
        page meanwhile; a second expiry stops the run."""
        assert self.login is not None and response.request is not None
        made_under = int(response.meta.get(SESSION_META, 0))
        again = fetch_again(response.request, **{SESSION_META: self.login.generation})
        if made_under < self.login.generation and not self.waiting_for_login:
            # Asked before the session was renewed: simply ask again under the new one.
            yield again
            return
        self.waiting_for_login.append(again)
        if len(self.waiting_for_login) > 1:
            return

        def resume() -> list[Request]:
            waiting, self.waiting_for_login = self.waiting_for_login, []
            return waiting

        yield self.login.renew(resume)

    def start_requests_for(self, base_url: str) -> Iterator[Request]:
        raise NotImplementedError

    def _start_demo(self) -> None:
        from forumscraper.demo.content import build_demo_board
        from forumscraper.demo.server import FixtureForumServer

        version = self.settings.get("FORUMSCRAPER_DEMO_VERSION", "prosilver")
        self._demo_server = FixtureForumServer(build_demo_board(), version=version)
        self._demo_server.start()
        self.base_url = self._demo_server.base_url
        logger.info(
            "No forum URL given (-a base_url=… or FORUMSCRAPER_BASE_URL): crawling the bundled "
            "demo forum at %s",
            self.base_url,
        )

    def _stop_demo(self) -> None:
        if self._demo_server is not None:
            self._demo_server.stop()
            self._demo_server = None

    def dates_for(self, response: Response) -> DateContext:
        """How to read dates on ``response``: the board timezone and the server's "now"."""
        header = response.headers.get(b"Date")
        now = parse_http_date(header.decode("latin-1")) if header else None
        return DateContext(tz=self.board_tz or UTC, now=now or datetime.now(UTC))

    def learn_timezone(self, page: Page, response: Response) -> None:
        """Infer the board's UTC offset from the page clock against the HTTP ``Date`` header,
        once, unless ``FORUMSCRAPER_TIMEZONE`` is set."""
        if self.board_tz is not None:
            return
        clock = page.board_clock
        header = response.headers.get(b"Date")
        server = parse_http_date(header.decode("latin-1")) if header else None
        offset = infer_board_offset(clock, server) if clock and server else None
        if offset is not None:
            self.board_tz = offset
            logger.info("Board timezone inferred from the page clock: UTC%s", _offset_text(offset))
        elif self.recorded_tz is not None:
            self.board_tz = self.recorded_tz
            logger.info("Board timezone from an earlier run (board_info): %s", self.recorded_tz)
        else:
            self.board_tz = UTC
            logger.warning(
                "The board's timezone is unknown (no 'Current date/time' line): dates are read "
                "as UTC; set FORUMSCRAPER_TIMEZONE to the board's timezone to fix that"
            )
        # The page at hand was parsed before the timezone was known: read its dates again.
        page.dates = DateContext(tz=self.board_tz, now=page.dates.now)

    # -- pages ----------------------------------------------------------------------------------

    def html_page(self, response: Response, page_class: type[Page]) -> Page | None:
        if not isinstance(response, TextResponse):
            logger.error("Not an HTML page: %s", response.url)
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

    async def read_db(self, func: Callable[..., T], *args: Any) -> T:
        """Run a database read in a thread, retrying through a short outage (a restarting
        server) like the store pipeline does; a lasting outage raises."""
        engine = database_for(self.crawler).engine
        attempts = self.settings.getint("FORUMSCRAPER_DB_RETRIES", 3) + 1
        delay = self.settings.getfloat("FORUMSCRAPER_DB_RETRY_DELAY", 2.0)
        for attempt in range(attempts):
            try:
                return await run_in_thread(func, engine, *args)
            except OperationalError as exc:
                if attempt + 1 == attempts:
                    raise
                logger.warning("Database read failed (%s), retrying", first_line(exc))
                await asyncio.sleep(delay * 2**attempt)
        raise AssertionError("unreachable")

    async def stored(self, topic_ids: Iterable[int]) -> dict[int, StoredTopic]:
        """What the database holds of these topics (empty with ``-a full=1``)."""
        if self.full:
            return {}
        return await self.read_db(stored_topics, list(topic_ids))


def _offset_text(offset: tzinfo) -> str:
    delta = offset.utcoffset(None)
    if delta is None:
        return "+00:00"
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


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
