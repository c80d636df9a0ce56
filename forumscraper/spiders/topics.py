"""Fetching topics whole, which both spiders do.

A topic is fetched as a unit: its first page fetched in a run schedules the others, each post
is yielded once (a page's posts together, in one ``TopicPageItem``), and when the last page has
been parsed a *complete* topic item follows the posts, in the last page's item (it moves the
stored watermark, see ``forumscraper.items.TopicItem``). A topic one of whose pages failed is
never completed, so the next run fetches it again. Which topics to fetch, and from which page,
is decided here too (:meth:`TopicSpider.plan_topic`): incremental runs fetch only the pages that
can hold posts not yet stored.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from forumscraper.db.state import StoredTopic, unfinished_topics
from forumscraper.items import TopicItem, TopicPageItem
from forumscraper.pages.topic import TopicPageReading, read_topic_page
from forumscraper.pages.urls import page_url, parse_page_url
from forumscraper.spiders.base import ForumotionSpider, fetch_again, log_charset
from forumscraper.workers import Workers, workers_for

logger = logging.getLogger(__name__)

TOPIC_PRIORITY = 1
"""Topic pages go before list pages: the scheduler then holds the topics of the few list pages
being read, not of every list page read so far (list pages come much faster than topic pages,
and a list page left in the queue is one small request where its 50 topics are 50)."""

RETRIED_PROBLEMS = frozenset({"truncated", "not_forumotion", "message"})
"""Causes that may pass (a cut connection, maintenance, a transient error box)."""


@dataclass
class TopicVisit:
    """A topic being fetched in this run."""

    topic_id: int
    slug: str
    listing: TopicItem | None
    start_offset: int = 0
    pending: int = 0
    failed: bool = False
    scheduled: set[int] = field(default_factory=set)
    post_ids: list[int] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)
    last_posted_at: datetime | None = None
    replies_on_page: int | None = None
    all_offsets_known: bool = False


class TopicSpider(ForumotionSpider):
    """A Forumotion spider that fetches topics whole (both ``forum`` and ``recent`` are)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.topics: dict[int, TopicVisit] = {}
        self.visited: set[int] = set()
        """Topics whose visit started in this run: never visited twice."""
        self.workers = Workers(0)
        """Where topic pages are read (the crawl's worker processes, see ``from_crawler``)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> TopicSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, TopicSpider)
        spider.workers = workers_for(crawler)
        crawler.signals.connect(spider._report_lost_topics, signal=signals.spider_idle)
        return spider

    def _report_lost_topics(self) -> None:
        """At idle, topics still waiting for pages will never get them (a request dropped by a
        redirect loop or the duplicate filter): say so loudly instead of ending "finished"."""
        if not self.topics:
            return
        lost = sorted(self.topics)
        self.topics.clear()
        self.crawler.stats.inc_value("forumscraper/fetch/lost_topics", len(lost))
        logger.error(
            "%d topic(s) never received all their pages (watermarks stay): %s",
            len(lost),
            ", ".join(map(str, lost[:20])),
        )

    # -- what to fetch ---------------------------------------------------------------------------

    def plan_topic(self, listing: TopicItem, stored: StoredTopic | None) -> int | None:
        """The offset of the first page to fetch of a listed topic, or ``None`` to skip it.

        A topic never stored completely is fetched whole. A stored one is fetched only when the
        listing shows a later last post or another reply count, and then only from the page
        holding the first post not yet stored (posts-per-page from the topic's pagination).
        """
        if stored is None or not stored.complete:
            return 0
        newer = (
            listing.last_post_at is None
            or stored.last_post_at is None
            or listing.last_post_at > stored.last_post_at
        )
        recounted = (
            listing.reply_count is not None
            and stored.reply_count is not None
            and listing.reply_count != stored.reply_count
        )
        if not (newer or recounted):
            self.crawler.stats.inc_value("forumscraper/incremental/unchanged_topics")
            return None
        # Positions 0 .. stored_posts-1 are stored; the forum now has reply_count + 1 posts.
        first_missing = stored.stored_posts
        if listing.reply_count is not None:
            first_missing = min(first_missing, listing.reply_count)
        per_page = max(1, self.posts_per_page)
        self.crawler.stats.inc_value("forumscraper/incremental/changed_topics")
        return (first_missing // per_page) * per_page

    async def unfinished_topic_requests(self, forum_id: int | None = None) -> list[Request]:
        """Requests for the topics a previous run left incomplete (none with ``full``: those
        are read anyway)."""
        if self.full:
            return []
        rows = await self.read_db(unfinished_topics, forum_id)
        requests = []
        for topic_id, url in rows:
            request = self.topic_request(topic_id, request_slug(url or ""))
            if request is not None:
                self.crawler.stats.inc_value("forumscraper/incremental/unfinished_topics")
                requests.append(request)
        return requests

    # -- topics ---------------------------------------------------------------------------------

    def topic_request(
        self, topic_id: int, slug: str, listing: TopicItem | None = None, offset: int = 0
    ) -> Request | None:
        """The request for page ``offset`` of a topic (``None`` if this run has it already)."""
        visit = self.topics.get(topic_id)
        if visit is None:
            if topic_id in self.visited:
                return None  # read already in this run
            self.visited.add(topic_id)
            visit = TopicVisit(topic_id=topic_id, slug=slug, listing=listing, start_offset=offset)
            self.topics[topic_id] = visit
        if offset in visit.scheduled:
            return None
        visit.scheduled.add(offset)
        visit.pending += 1
        return Request(
            page_url(self.base_url or "", "t", topic_id, offset, visit.slug),
            callback=self.parse_topic,
            errback=self.topic_failed,
            cb_kwargs={"topic_id": topic_id},
            meta={"topic_id": topic_id},
            priority=TOPIC_PRIORITY,
        )

    async def read_topic(self, response: Response) -> TopicPageReading | None:
        """Read a topic page in a worker process; ``None`` for a page that is not HTML or that
        extraction failed on (logged: the page counts as failed, the crawl goes on)."""
        if not isinstance(response, TextResponse):
            return None
        try:
            reading = await self.workers.run(
                read_topic_page,
                response.url,
                response.body,
                response.encoding,
                self.dates_for(response),
            )
        except Exception:
            logger.exception("Reading topic page %s failed", response.url)
            self.crawler.stats.inc_value("forumscraper/extract/errors")
            return None
        if reading.charset is not None:
            log_charset(response.url, response.encoding, reading.charset)
        return reading

    async def parse_topic(self, response: Response, topic_id: int) -> AsyncIterator[Any]:
        visit = self.topics.get(topic_id)
        if visit is None:
            return
        reading = await self.read_topic(response)
        # The visit object, not its key: a moved topic is re-keyed meanwhile.
        visit.pending -= 1
        if self.session_expired(reading):
            visit.pending += 1
            for renewal in self.renew_session(response):
                yield renewal
            return
        if reading is None or not reading.posts:
            problem, detail = (reading.problem, reading.detail) if reading else ("not_html", "")
            retry = self.page_failed(response, problem, detail, "topic")
            if retry is not None:
                visit.pending += 1
                yield retry
            else:
                visit.failed = True
                for item in self._maybe_complete(visit):
                    yield item
            return
        if reading.topic_id is not None and reading.topic_id != visit.topic_id:
            # Moved or merged: the old address redirects to the topic's new id.
            for item in self._rekey(visit, reading.topic_id):
                yield item
        page_item = TopicPageItem(topic_id=visit.topic_id, url=response.url)
        if reading.offset == visit.start_offset:
            for parent in self.hierarchy_items(reading.breadcrumb):
                yield parent
            topic = reading.topic
            if topic is not None:
                if visit.listing is not None:
                    topic.view_count = visit.listing.view_count
                    topic.topic_type = visit.listing.topic_type
                    topic.forum_id = topic.forum_id or visit.listing.forum_id
                page_item.topic = topic
                visit.replies_on_page = topic.reply_count
            if reading.per_page:
                self.posts_per_page = reading.per_page
            for offset in reading.offsets:
                if offset > reading.offset:
                    next_page = self.topic_request(topic_id, visit.slug, offset=offset)
                    if next_page is not None:
                        yield next_page
        for post in reading.posts:
            if post.id in visit.seen:
                continue
            visit.seen.add(post.id)
            visit.post_ids.append(post.id)
            if post.posted_at and (
                visit.last_posted_at is None or post.posted_at > visit.last_posted_at
            ):
                visit.last_posted_at = post.posted_at
            page_item.posts.append(post)
        for completed in self._maybe_complete(visit):
            page_item.completed = completed
        if page_item.topic or page_item.posts or page_item.completed:
            yield page_item

    def page_failed(
        self, response: Response, problem: str, detail: str, kind: str
    ) -> Request | None:
        """A page that should hold posts (or topics) holds none: say why (``problem``, see
        ``forumscraper.pages.problems``), count it, and return a retry for a cause that may
        pass (cut off, maintenance), else ``None``."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"forumscraper/extract/empty_page/{problem}")
        request = response.request
        tries = int(response.meta.get("forumscraper_page_retries", 0))
        if problem in RETRIED_PROBLEMS and request and tries < self.settings.getint("RETRY_TIMES"):
            logger.warning("%s page %s: %s; fetching it again", kind, response.url, problem)
            stats.inc_value("forumscraper/extract/page_retries")
            return fetch_again(request, forumscraper_page_retries=tries + 1)
        # Given up on: what the run's status weighs (FORUMSCRAPER_MAX_EMPTY_PAGE_SHARE).
        stats.inc_value("forumscraper/extract/empty_page")
        logger.warning(
            "No %s could be extracted from %s (%s%s); its watermark stays",
            "post" if kind == "topic" else "topic",
            response.url,
            problem,
            f": {detail}" if detail else "",
        )
        return None

    def _rekey(self, visit: TopicVisit, new_id: int) -> Iterator[TopicItem]:
        old_id = visit.topic_id
        logger.info("Topic %s now lives at topic %s (moved or merged)", old_id, new_id)
        self.crawler.stats.inc_value("forumscraper/fetch/moved_topics")
        self.topics.pop(old_id, None)
        existing = self.topics.get(new_id)
        if existing is not None:
            # The target topic is being fetched already: this visit adds nothing.
            visit.pending = 0
            yield TopicItem(id=old_id, moved_to_id=new_id)
            return
        visit.topic_id = new_id
        visit.scheduled = {visit.start_offset}
        self.topics[new_id] = visit
        self.visited.add(new_id)
        yield TopicItem(id=old_id, moved_to_id=new_id)

    def topic_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        topic_id = request.meta.get("topic_id")
        visit = self.topics.get(topic_id) if topic_id is not None else None
        error = failure.value
        status = error.response.status if isinstance(error, HttpError) else None
        if status not in (404, 410):
            self.crawler.stats.inc_value("forumscraper/fetch/failed_pages")
            logger.error("Could not fetch %s: %s", request.url, failure.getErrorMessage())
        if visit is None:
            return
        visit.pending -= 1
        visit.failed = True
        offset = request_offset(request.url)
        if status in (404, 410):
            if offset == 0:
                # The topic is gone from the forum: mark it deleted (rows are kept).
                self.crawler.stats.inc_value("forumscraper/fetch/gone_topics")
                logger.info("Topic %s answers %s: marked deleted", topic_id, status)
                self.topics.pop(visit.topic_id, None)
                yield TopicItem(id=visit.topic_id, gone=True)
                return
            if offset == visit.start_offset and visit.pending == 0:
                # The page we expected new posts on is gone (posts were deleted): read it all.
                self.topics.pop(visit.topic_id, None)
                self.visited.discard(visit.topic_id)
                retry = self.topic_request(visit.topic_id, visit.slug, visit.listing, offset=0)
                if retry is not None:
                    yield retry
                return
        yield from self._maybe_complete(visit)

    def _maybe_complete(self, visit: TopicVisit) -> Iterator[TopicItem]:
        if visit.pending > 0:
            return
        del self.topics[visit.topic_id]
        if visit.failed:
            logger.warning(
                "Topic %s was not fetched completely; its watermark stays", visit.topic_id
            )
            return
        listing = visit.listing
        reply_count = listing.reply_count if listing and listing.reply_count is not None else None
        if reply_count is None:
            reply_count = visit.replies_on_page
        if reply_count is None and visit.start_offset == 0:
            reply_count = len(visit.post_ids) - 1
        last_post_at = (
            listing.last_post_at if listing and listing.last_post_at else visit.last_posted_at
        )
        yield TopicItem(
            id=visit.topic_id,
            reply_count=reply_count,
            last_post_at=last_post_at,
            last_poster_name=listing.last_poster_name if listing else None,
            complete=True,
            post_ids=visit.post_ids,
            first_position=visit.start_offset,
        )


def request_slug(url: str) -> str:
    ref = parse_page_url(url)
    return ref.slug if ref else ""


def request_offset(url: str) -> int:
    ref = parse_page_url(url)
    return ref.offset if ref else 0
