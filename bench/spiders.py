"""The two baseline spiders: plain Scrapy, none of forumscraper's code.

``fetch`` downloads the pages a whole-board crawl fetches (the list comes from the benchmark
server) and extracts nothing. ``extract`` is what a user would write in an afternoon: follow the
forum and topic links with CSS selectors and yield each post as a dict (body as HTML), with no
pipeline.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response


class FetchSpider(scrapy.Spider):
    """Download every URL of a file, one per line; extract nothing."""

    name = "bench_fetch"

    def __init__(self, targets: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.targets = targets

    async def start(self) -> AsyncIterator[Any]:
        for url in Path(self.targets).read_text(encoding="utf-8").split():
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: Response, **kwargs: Any) -> None:
        return None


class ExtractSpider(scrapy.Spider):
    """Forums, topic lists and topics by CSS selectors; posts yielded as dicts."""

    name = "bench_extract"

    def __init__(self, base_url: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [base_url]

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        for href in response.css("a.forumtitle::attr(href)").getall():
            yield response.follow(href, callback=self.parse_forum)

    def parse_forum(self, response: Response) -> Iterator[Any]:
        for href in response.css("a.topictitle::attr(href)").getall():
            yield response.follow(href, callback=self.parse_topic)
        for href in response.css(".pagination a[href^='/']::attr(href)").getall():
            yield response.follow(href, callback=self.parse_forum)

    def parse_topic(self, response: Response) -> Iterator[Any]:
        for post in response.css("div.post[id^=p]"):
            post_id = post.attrib["id"][1:]
            if post_id == "0":  # the sponsored pseudo-post
                continue
            yield {
                "id": int(post_id),
                "url": response.url,
                "author": post.css(".postprofile dt strong a::text").get(),
                "subject": post.css("h2.topic-title a::text").get(),
                "date": (post.css("p.author::text").getall() or [""])[-1].strip(),
                "body_html": post.css("div.content > div").get(),
            }
        for href in response.css(".pagination a[href^='/']::attr(href)").getall():
            yield response.follow(href, callback=self.parse_topic)
