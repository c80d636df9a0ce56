"""Make unreadable dates visible: counted in ``forumscraper/dates/unreadable``, logged once per
layout.

A post whose printed date (``posted_at_raw``) or edit date (``edited_at_raw``) the reader could
not read is stored with ``posted_at``/``edited_at`` NULL, as it must be (no guess); this
pipeline makes sure that never happens silently. Every such date is counted, and each new layout
(:func:`forumscraper.text.dates.date_shape`: "a a. 9, 9 9:9 a") is logged once, with an example,
so that a board whose dates are not read shows on its first pages rather than after the archive
is complete. Once the reader knows the layout, ``forumscraper reprocess`` fills the dates in
from the stored raw text.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from forumscraper.items import PostItem, TopicPageItem
from forumscraper.text.dates import date_shape

logger = logging.getLogger(__name__)

UNREADABLE = "forumscraper/dates/unreadable"
MAX_LOGGED_SHAPES = 50
"""Layouts logged per run at most: a page of garbage must not flood the log."""


class UnreadableDatesPipeline:
    """Counts the posts' printed dates that gave no datetime, and logs each new layout once."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.shapes: set[str] = set()
        """Layouts already logged in this run."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UnreadableDatesPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, TopicPageItem):
            posts = item.posts
        elif isinstance(item, PostItem):
            posts = [item]
        else:
            return item
        unreadable = 0
        for post in posts:
            for what, raw, read in (
                ("post date", post.posted_at_raw, post.posted_at),
                ("edit date", post.edited_at_raw, post.edited_at),
            ):
                if raw and read is None:
                    unreadable += 1
                    self._report(what, raw, post)
        if unreadable:
            self.stats.inc_value(UNREADABLE, unreadable)
        return item

    def _report(self, what: str, raw: str, post: PostItem) -> None:
        shape = date_shape(raw)
        if shape in self.shapes:
            return
        if len(self.shapes) == MAX_LOGGED_SHAPES:
            self.shapes.add(shape)  # past the cap: said once, below
            logger.warning(
                "More than %d date layouts could not be read: no more are logged (all are "
                "counted in %s)",
                MAX_LOGGED_SHAPES,
                UNREADABLE,
            )
            return
        if len(self.shapes) > MAX_LOGGED_SHAPES:
            return
        self.shapes.add(shape)
        logger.warning(
            "Could not read the %s %r (post %s, %s); stored as NULL. Dates laid out as %r are "
            "counted in %s and not logged again; `forumscraper reprocess` reads them once the "
            "date reader knows this layout",
            what,
            raw,
            post.id,
            post.url,
            shape,
            UNREADABLE,
        )
