"""The ``forum`` spider: the whole board, index → forums → topic lists → topics.

    scrapy crawl forum -a base_url=https://example.forumotion.com/

Forums and sub-forums are found on the index and on each forum page; each forum's topic list is
read page by page (``/f12p50-slug``), and every topic is fetched whole (all its pages). Links
are followed by the URL scheme only: never the previous/next-topic links (``/t11p-slug``), and
never one page twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Request, Response

from forumscraper.pages import ForumListPage, ForumPage
from forumscraper.pages.urls import page_url, parse_page_url
from forumscraper.spiders.base import ForumotionSpider


class ForumSpider(ForumotionSpider):
    """Crawl every category, forum, topic and post of a Forumotion board."""

    name = "forum"

    def start_requests_for(self, base_url: str) -> Iterator[Request]:
        yield Request(base_url, callback=self.parse_index)

    def parse_index(self, response: Response) -> Iterator[Any]:
        page = self.html_page(response, ForumListPage)
        if not isinstance(page, ForumListPage):
            return
        self.learn_timezone(page, response)
        forums = page.forums()
        if not forums and not response.meta.get("portal_checked"):
            # A portal in front of the board: the forum index is /forum.
            yield Request(
                response.urljoin("/forum"), callback=self.parse_index, meta={"portal_checked": True}
            )
            return
        for category in page.categories():
            self.known_categories.add(category.id)
            yield category
        for forum in forums:
            self.known_forums.add(forum.id)
            yield forum
            yield self.forum_request(forum.id, forum.url or "")

    def forum_request(self, forum_id: int, url: str, offset: int = 0) -> Request:
        ref = parse_page_url(url)
        return Request(
            page_url(self.base_url or url, "f", forum_id, offset, ref.slug if ref else ""),
            callback=self.parse_forum,
        )

    def parse_forum(self, response: Response) -> Iterator[Any]:
        page = self.html_page(response, ForumPage)
        if not isinstance(page, ForumPage) or page.forum_id is None:
            return
        if self.board_tz is None:
            self.learn_timezone(page, response)
        forum = page.forum()
        if forum is not None and page.offset == 0:
            yield from self.hierarchy_items(page)
            self.known_forums.add(forum.id)
            yield forum
            for sub in page.subforums():
                if sub.id not in self.known_forums:
                    self.known_forums.add(sub.id)
                    yield sub
                yield self.forum_request(sub.id, sub.url or "")
        topics = page.topics()
        if not topics and page.offset == 0 and not page.subforums():
            self.crawler.stats.inc_value("forumscraper/extract/empty_forum")
        for topic in topics:
            yield topic
            ref = parse_page_url(topic.url or "")
            request = self.topic_request(topic.id, ref.slug if ref else "", listing=topic)
            if request is not None:
                yield request
        offsets, _per_page = page.page_offsets()
        later = [offset for offset in offsets if offset > page.offset]
        if later:
            yield self.forum_request(page.forum_id, response.url, min(later))
