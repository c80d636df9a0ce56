"""Make unreadable dates visible: counted in ``forumscraper/dates/unreadable``, logged once per
layout.

A post whose printed date (``posted_at_raw``) or edit date (``edited_at_raw``) the reader could
not read is stored with ``posted_at``/``edited_at`` NULL, as it must be (no guess); this
pipeline makes sure that never happens silently. Every such date is counted, and each new layout
(:func:`forumscraper.text.dates.date_shape`: "a a. 9, 9 9:9 a") is logged once, with an example,
so that a board whose dates are not read shows on its first pages rather than after the archive
is complete. Once the reader knows the layout, ``forumscraper reprocess`` fills the dates in
from the stored raw text.

A date printed without a year that more than one year fits (``D j M - G:i`` on a post older
than five years, :func:`forumscraper.text.dates.parse_forum_date`) is such a date too, also
counted in ``forumscraper/dates/without_year``, and logged once with what would date it. So is a
date printed without a time of day (the board's layout is ``Y-m-d``, ``j/n/Y`` or ``jS F Y``):
counted in ``forumscraper/dates/without_time`` and logged once, with what would give the times
(``reprocess`` cannot: the pages do not print them).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from forumscraper.items import PostItem, TopicPageItem
from forumscraper.text.dates import date_shape, lacks_time, lacks_year

logger = logging.getLogger(__name__)

UNREADABLE = "forumscraper/dates/unreadable"
WITHOUT_YEAR = "forumscraper/dates/without_year"
WITHOUT_TIME = "forumscraper/dates/without_time"
MAX_LOGGED_SHAPES = 50
"""Layouts logged per run at most: a page of garbage must not flood the log."""


class UnreadableDatesPipeline:
    """Counts the posts' printed dates that gave no datetime, and logs each new layout once."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.shapes: set[str] = set()
        """Layouts already logged in this run."""
        self.said: set[str] = set()
        """The kinds of dates (their stats) logged in this run: once each is enough."""

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
        unreadable = without_year = without_time = 0
        for post in posts:
            for what, raw, read in (
                ("post date", post.posted_at_raw, post.posted_at),
                ("edit date", post.edited_at_raw, post.edited_at),
            ):
                if raw and read is None:
                    unreadable += 1
                    if lacks_time(raw):
                        without_time += 1
                        self._report_time(what, raw, post)
                    elif lacks_year(raw):
                        without_year += 1
                        self._report_year(what, raw, post)
                    else:
                        self._report(what, raw, post)
        if unreadable:
            self.stats.inc_value(UNREADABLE, unreadable)
        if without_year:
            self.stats.inc_value(WITHOUT_YEAR, without_year)
        if without_time:
            self.stats.inc_value(WITHOUT_TIME, without_time)
        return item

    def _report_time(self, what: str, raw: str, post: PostItem) -> None:
        self._say_once(
            "The %s %r (post %s, %s) is printed without a time of day: the board's date "
            "format shows only dates, so the moment is not on its pages; stored as NULL with "
            "its text (never as a midnight). Counted in %s. To store the times, crawl as a "
            "member whose profile's date format prints the time",
            what,
            raw,
            post,
            WITHOUT_TIME,
        )

    def _report_year(self, what: str, raw: str, post: PostItem) -> None:
        self._say_once(
            "The %s %r (post %s, %s) is printed without a year, and more than one year fits "
            "what its page shows; stored as NULL with its text. Counted in %s; when the run "
            "closes, the posts around such posts date those they can. To date them all, crawl "
            "as a member whose profile's date format prints the year",
            what,
            raw,
            post,
            WITHOUT_YEAR,
        )

    def _say_once(self, message: str, what: str, raw: str, post: PostItem, stat: str) -> None:
        """Log a kind of date once a run (its stat counts them all)."""
        if stat in self.said:
            return
        self.said.add(stat)
        logger.warning(message, what, raw, post.id, post.url, stat)

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
