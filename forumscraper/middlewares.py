"""Middlewares: slow down when the forum says so (429 / 503, ``Retry-After``), and stamp each
request with the member session it is sent under.

Scrapy's AutoThrottle adapts to latency but does not react to "Too Many Requests" or "Service
Unavailable". On those answers this middleware raises the delay of the forum's download slot to
the ``Retry-After`` value (seconds or an HTTP date, capped by ``FORUMSCRAPER_RETRY_AFTER_MAX``),
or doubles it when the header is absent, before Scrapy's RetryMiddleware re-queues the request.
Each good answer afterwards halves the delay back towards ``DOWNLOAD_DELAY``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from forumscraper import config
from forumscraper.pages.urls import with_query
from forumscraper.text.dates import parse_http_date

logger = logging.getLogger(__name__)

SLOW_DOWN_STATUSES = (429, 503)
SESSION_META = "forumscraper_session"
"""Request meta key: the member-session generation the request was sent under (stamped when it
reaches the downloader)."""


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = parse_http_date(value)
    if when is None:
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """Raises the download slot's delay on 429/503 answers."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_delay = config.retry_after_max(crawler.settings)
        self.base_delay = crawler.settings.getfloat("DOWNLOAD_DELAY", 0.0)
        self.slowed: set[str] = set()
        """Slots whose delay this middleware raised, to bring back down once answers are good."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        engine = self.crawler.engine
        slot_key = str(request.meta.get("download_slot") or "")
        slot = engine.downloader.slots.get(slot_key) if engine and slot_key else None
        if slot is None:
            return response
        if response.status not in SLOW_DOWN_STATUSES:
            if slot_key in self.slowed:
                # Good answers again: halve the pause back towards the configured delay (when
                # AutoThrottle is on it also adapts the delay from the latencies it sees).
                slot.delay = max(self.base_delay, slot.delay / 2)
                if slot.delay <= self.base_delay:
                    self.slowed.discard(slot_key)
            return response
        header = response.headers.get(b"Retry-After")
        wait = retry_after_seconds(header.decode("latin-1") if header else None)
        new_delay = min(self.max_delay, wait if wait is not None else max(1.0, slot.delay * 2))
        if new_delay > slot.delay:
            logger.warning(
                "%s answered %s: waiting %.1f s between requests to it (was %.1f s)",
                slot_key,
                response.status,
                new_delay,
                slot.delay,
            )
            slot.delay = new_delay
            self.slowed.add(slot_key)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"forumscraper/throttle/slowed_down_{response.status}")
        return response


class SessionStampMiddleware:
    """Spider middleware for member crawls (``LoginFlow``): every request is stamped, when it
    reaches the downloader with its cookies attached, with the member-session generation it is
    sent under (``LoginFlow.generation``); every response is shown to the login flow before
    its callback reads it (``LoginFlow.page_received``), so that a guest page starts the new
    login at once, not once its callback has read it (a topic page is read in a worker process
    meanwhile, and every page fetched until the login is a guest page). A guest page asked for
    before the current session began is fetched again rather than taken for a new expiry, and
    a member page asked for after an expiry shows that logging in again was worth it.

    The stamp is taken at download time, not when a callback yields the request: a request
    waits in the scheduler for any length of time, across any number of logins."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SessionStampMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware._stamp, signal=signals.request_reached_downloader)
        return middleware

    def _login(self) -> Any:
        return getattr(self.crawler.spider, "login", None)

    def _stamp(self, request: Request) -> None:
        login = self._login()
        if login is not None:
            request.meta[SESSION_META] = login.generation

    def process_spider_input(self, response: Response) -> None:
        login = self._login()
        if login is None:
            return
        assert self.crawler.engine is not None
        login.page_received(response, self.crawler.engine)


class TemplateVersionMiddleware:
    """Spider middleware: with ``FORUMSCRAPER_TEMPLATE_VERSION`` set (the name of an entry of
    the template registry, ``forumscraper.pages.versions.TEMPLATES``), every request the
    spiders make asks for that template version (``?change_version=<version>``, which
    Forumotion honours per request), so one registry entry reads a forum whatever its own
    template."""

    def __init__(self, version: str | None) -> None:
        self.version = version
        """``None``: versions are detected, nothing is forced (the middleware passes through)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TemplateVersionMiddleware:
        version = config.template_version(crawler.settings)
        if version is None:
            # Nothing to force: stay out of the way of every request and item. No message:
            # Scrapy would print it as a warning on every run, for the default.
            raise NotConfigured
        return cls(version)

    def _force(self, output: Any) -> Any:
        if self.version and isinstance(output, Request) and "change_version=" not in output.url:
            return output.replace(url=with_query(output.url, change_version=self.version))
        return output

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for output in result:
            yield self._force(output)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for output in start:
            yield self._force(output)
