"""The ``recent`` spider: fetch only what changed since the last run.

    scrapy crawl recent -a base_url=https://example.forumotion.com/

It reads the board's recent-activity listings — the "Recent topics" widget of the portal/index,
the RSS feed ``/feed/`` and ``/search?search_id=activetopics`` (where guests may use it) — and,
once all of them are read, compares each listed topic with the database: a topic the database
does not hold is fetched whole; a stored one only if the listing shows a newer last post or
another reply count, and then only from the page holding the first post not yet stored. An
unchanged board costs the listing requests and nothing more.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from forumscraper.items import TopicItem
from forumscraper.pages import ForumListPage, Page
from forumscraper.pages.problems import describe_problem
from forumscraper.pages.recent import (
    ActiveTopicsPage,
    RecentTopic,
    RecentTopicsPage,
    feed_entries,
)
from forumscraper.pages.urls import parse_page_url
from forumscraper.spiders.base import CLOCK_PROBE
from forumscraper.spiders.topics import TopicSpider


class RecentSpider(TopicSpider):
    """Crawl the topics that moved since the last run."""

    name = "recent"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listed: dict[int, RecentTopic] = {}
        self.pending_listings = 0
        self.widget_page: RecentTopicsPage | None = None
        """The portal/index page, read once the board's timezone is known."""

    def start_requests_for(self, base_url: str) -> Iterator[Request]:
        # The portal/index first: its clock gives the board's timezone, which the other
        # listings' "Today at 9:59" dates need; then the feed and the active topics.
        self.pending_listings = 3
        yield Request(
            base_url,
            callback=self.parse_widget,
            errback=self.widget_failed,
            dont_filter=True,
        )

    def other_listings(self) -> Iterator[Request]:
        base_url = (self.base_url or "").rstrip("/")
        for url, callback in (
            (base_url + "/feed/", self.parse_feed),
            (base_url + "/search?search_id=activetopics", self.parse_active),
        ):
            yield Request(url, callback=callback, errback=self.listing_failed, dont_filter=True)

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
        """Once the board's timezone is known: the widget's entries, then the other
        listings."""
        page = self.widget_page
        if page is not None:
            self.widget_page = None
            self._collect(await self.listing(page, RecentTopicsPage.widget), "widget")
        for request in self.other_listings():
            yield request
        async for item in self._listing_done():
            yield item

    async def widget_failed(self, failure: Failure) -> AsyncIterator[Any]:
        for request in self.other_listings():
            yield request
        async for item in self.listing_failed(failure):
            yield item

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
            self._collect(await self.listing(page, ActiveTopicsPage.recent), "activetopics")
        async for item in self._listing_done():
            yield item

    async def parse_feed(self, response: Response) -> AsyncIterator[Any]:
        body = response.text if isinstance(response, TextResponse) else response.body
        self._collect(feed_entries(response.url, body, self.dates_for(response)), "feed")
        async for item in self._listing_done():
            yield item

    async def listing_failed(self, failure: Failure) -> AsyncIterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        self.logger.info("Listing not available (%s): %s", request.url, failure.getErrorMessage())
        self.crawler.stats.inc_value("forumscraper/recent/listings_unavailable")
        async for item in self._listing_done():
            yield item

    def _collect(self, entries: list[RecentTopic], source: str) -> None:
        self.crawler.stats.inc_value(f"forumscraper/recent/{source}_entries", len(entries))
        for entry in entries:
            known = self.listed.get(entry.topic_id)
            self.listed[entry.topic_id] = _merge(known, entry) if known else entry

    async def _listing_done(self) -> AsyncIterator[Any]:
        """Once every listing is read, decide which topic pages to fetch."""
        self.pending_listings -= 1
        if self.pending_listings > 0:
            return
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
                last_poster_name=entry.last_poster_name,
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


def _merge(first: RecentTopic, other: RecentTopic) -> RecentTopic:
    """Two listings' views of one topic: the most informative value of each field."""
    return replace(
        first,
        title=first.title or other.title,
        last_post_at=max(
            (d for d in (first.last_post_at, other.last_post_at) if d is not None), default=None
        ),
        last_poster_name=first.last_poster_name or other.last_poster_name,
        last_page_offset=max(
            (o for o in (first.last_page_offset, other.last_page_offset) if o is not None),
            default=None,
        ),
        reply_count=max(
            (c for c in (first.reply_count, other.reply_count) if c is not None), default=None
        ),
        forum_id=first.forum_id or other.forum_id,
        created_at=first.created_at or other.created_at,
    )
