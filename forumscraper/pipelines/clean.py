"""Derive posts' clean text, links and hash from their raw HTML (the rules live in ``text/``).

A topic page's posts are cleaned in one call, in a worker process (``forumscraper.workers``), so
that cleaning does not compete with the crawl for the crawling process's core. Items still
leave this pipeline in the order they entered it: the store relies on that order (a topic's
watermark must never reach the database before the topic's posts).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from forumscraper.items import PostItem, TopicPageItem
from forumscraper.text.clean import CleanFailure, CleanPost, clean_bodies, content_hash
from forumscraper.text.sanitize import strip_unstorable
from forumscraper.workers import Workers, workers_for

logger = logging.getLogger(__name__)

_RAW_FIELDS = (
    "body_html",
    "signature_html",
    "author_name",
    "subject",
    "posted_at_raw",
    "edited_at_raw",
)


class CleanPipeline:
    """Fills ``body_text``, ``links``, ``hidden_link_count``, ``collapsed_repeats`` and
    ``content_hash`` of every post; ``body_html`` is kept as fetched (less what no database can
    store: NUL bytes and lone surrogates, counted in ``forumscraper/clean/removed_chars``)."""

    def __init__(self, stats: StatsCollector, workers: Workers) -> None:
        self.stats = stats
        self.workers = workers
        self._last: asyncio.Future[None] | None = None
        """Done when the item that entered last has left: the next one waits for it."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats, workers_for(crawler))

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, TopicPageItem):
            posts = item.posts
        elif isinstance(item, PostItem):
            posts = [item]
        else:
            posts = []
        cleaning = self._start(posts) if posts else None
        before, self._last = self._last, asyncio.get_running_loop().create_future()
        mine = self._last
        try:
            results = await cleaning if cleaning is not None else []
            if before is not None and not before.done():
                await before  # leave in the order of arrival
            self._apply(posts, results)
        finally:
            mine.set_result(None)
        return item

    def _start(self, posts: list[PostItem]) -> asyncio.Task[list[CleanPost | CleanFailure]]:
        """Sanitize the raw fields here and send the bodies to be cleaned."""
        removed = 0
        for post in posts:
            for name in _RAW_FIELDS:
                value = getattr(post, name)
                if isinstance(value, str):
                    safe, count = strip_unstorable(value)
                    if count:
                        setattr(post, name, safe)
                        removed += count
        if removed:
            self.stats.inc_value("forumscraper/clean/removed_chars", removed)
        bodies = [(post.body_html, post.url) for post in posts]
        return asyncio.ensure_future(self.workers.run(clean_bodies, bodies))

    def _apply(self, posts: list[PostItem], results: list[CleanPost | CleanFailure]) -> None:
        """Fill the posts in; stats counted once per page (a stats call per post adds up)."""
        if not posts:
            return
        hidden = collapsed = removed = failed = 0
        for post, cleaned in zip(posts, results, strict=True):
            if isinstance(cleaned, CleanFailure):
                failed += 1
                logger.error(
                    "Could not clean post %s (%s); stored with empty clean text, which "
                    "`forumscraper reprocess` or the next crawl of its topic fills in",
                    post.id,
                    cleaned.error,
                )
                post.body_text, post.content_hash = "", content_hash("")
                continue
            post.body_text = cleaned.body_text
            post.links = cleaned.links
            post.hidden_link_count = cleaned.hidden_link_count
            post.collapsed_repeats = cleaned.collapsed_repeats
            post.content_hash = cleaned.content_hash
            hidden += cleaned.hidden_link_count
            collapsed += cleaned.collapsed_repeats
            removed += cleaned.removed_chars
        stats = self.stats
        stats.inc_value("forumscraper/clean/posts", len(posts))
        for key, count in (
            ("hidden_links", hidden),
            ("collapsed_repeats", collapsed),
            ("removed_chars", removed),
            ("failed_posts", failed),
        ):
            if count:
                stats.inc_value(f"forumscraper/clean/{key}", count)
