"""Derive a post's clean text, links and hash from its raw HTML (the rules live in ``text/``)."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from forumscraper.items import PostItem
from forumscraper.text.clean import clean_post
from forumscraper.text.sanitize import strip_unstorable


class CleanPipeline:
    """Fills ``body_text``, ``links``, ``hidden_link_count``, ``collapsed_repeats`` and
    ``content_hash`` of every post; ``body_html`` is kept as fetched (less what no database can
    store: NUL bytes and lone surrogates, counted in ``forumscraper/clean/removed_chars``)."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PostItem):
            return item
        adapter = ItemAdapter(item)
        removed = 0
        for name in ("body_html", "signature_html", "author_name", "subject", "posted_at_raw"):
            value = adapter.get(name)
            if isinstance(value, str):
                safe, count = strip_unstorable(value)
                if count:
                    adapter[name] = safe
                    removed += count
        cleaned = clean_post(adapter["body_html"], base_url=adapter.get("url"))
        adapter["body_text"] = cleaned.body_text
        adapter["links"] = cleaned.links
        adapter["hidden_link_count"] = cleaned.hidden_link_count
        adapter["collapsed_repeats"] = cleaned.collapsed_repeats
        adapter["content_hash"] = cleaned.content_hash
        self.stats.inc_value("forumscraper/clean/posts")
        if cleaned.hidden_link_count:
            self.stats.inc_value("forumscraper/clean/hidden_links", cleaned.hidden_link_count)
        if cleaned.collapsed_repeats:
            self.stats.inc_value("forumscraper/clean/collapsed_repeats", cleaned.collapsed_repeats)
        if removed + cleaned.removed_chars:
            self.stats.inc_value(
                "forumscraper/clean/removed_chars", removed + cleaned.removed_chars
            )
        return item
