"""Derive posts' clean text, links and hash from their raw HTML (the rules live in ``text/``).

The topic spiders send their posts here cleaned already: a topic page is read and its posts
cleaned in one call in a worker process (``forumscraper.reading``). This pipeline counts them,
and cleans the posts that arrive uncleaned (items of other spiders, or posts a page left out), a
page's posts in one call, in a worker process too (``forumscraper.workers``), so that cleaning
does not compete with the crawl for the crawling process's core. Items still leave this pipeline
in the order they entered it: the store relies on that order (a topic's watermark must never
reach the database before the topic's posts).
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from forumscraper.items import PostItem, TopicPageItem
from forumscraper.reading import (
    apply_cleaning,
    count_cleaned,
    is_cleaned,
    record_cleaning,
    sanitize_posts,
)
from forumscraper.text.clean import CleanFailure, CleanPost, clean_bodies
from forumscraper.workers import Workers, workers_for


class CleanPipeline:
    """Fills ``body_text``, ``links``, ``hidden_link_count``, ``collapsed_repeats`` and
    ``content_hash`` of every post not cleaned yet; ``body_html`` is kept as fetched (less what no
    database can store: NUL bytes and lone surrogates, counted in
    ``forumscraper/clean/removed_chars``)."""

    def __init__(
        self, stats: StatsCollector, workers: Workers, crawler: Crawler | None = None
    ) -> None:
        self.stats = stats
        self.workers = workers
        self.crawler = crawler
        """Its spider is named in the log lines (each board counts its own errors)."""
        self._last: asyncio.Future[None] | None = None
        """Done when the item that entered last has left: the next one waits for it."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats, workers_for(crawler), crawler)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, TopicPageItem):
            posts = item.posts
        elif isinstance(item, PostItem):
            posts = [item]
        else:
            posts = []
        uncleaned = [post for post in posts if not is_cleaned(post)]
        cleaning = self._start(uncleaned) if uncleaned else None
        before, self._last = self._last, asyncio.get_running_loop().create_future()
        mine = self._last
        try:
            results = await cleaning if cleaning is not None else []
            if before is not None and not before.done():
                await before  # leave in the order of arrival
            if uncleaned:
                spider = self.crawler.spider if self.crawler is not None else None
                record_cleaning(self.stats, apply_cleaning(uncleaned, results), spider)
            count_cleaned(self.stats, posts)
        finally:
            mine.set_result(None)
        return item

    def _start(self, posts: list[PostItem]) -> asyncio.Task[list[CleanPost | CleanFailure]]:
        """Sanitize the raw fields here and send the bodies to be cleaned."""
        removed = sanitize_posts(posts)
        if removed:
            self.stats.inc_value("forumscraper/clean/removed_chars", removed)
        bodies = [(post.body_html, post.url) for post in posts]
        return asyncio.ensure_future(self.workers.run(clean_bodies, bodies))
