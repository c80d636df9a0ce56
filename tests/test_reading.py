"""One call per topic page (``forumscraper.reading``): the posts come back read and cleaned as
reading then cleaning would leave them, and the cleaning pipeline counts them without cleaning
them again (it still cleans posts that arrive uncleaned)."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.utils.test import get_crawler

from forumscraper.demo.content import DEMO_SEED_TOPIC_ID, build_demo_board
from forumscraper.demo.site import respond
from forumscraper.items import PostItem, TopicPageItem
from forumscraper.pages.common import DateContext
from forumscraper.pages.topic import read_topic_page
from forumscraper.pipelines.clean import CleanPipeline
from forumscraper.reading import read_and_clean_topic_page
from forumscraper.text.clean import clean_post
from forumscraper.workers import Workers
from tests.test_workers import in_asyncio

NOW = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
SITE = "http://forum.test"
CLEAN_FIELDS = ("body_text", "links", "hidden_link_count", "collapsed_repeats", "content_hash")


def seed_page() -> tuple[str, bytes, DateContext]:
    board = build_demo_board(NOW)
    target = f"/t{DEMO_SEED_TOPIC_ID}-any-slug"
    response = respond(board, target, now=NOW, site=SITE)
    assert response.status == 200
    return SITE + target, response.body, DateContext(tz=board.tzinfo, now=NOW)


async def test_a_page_comes_back_from_a_worker_read_and_cleaned() -> None:
    url, body, dates = seed_page()
    workers = Workers(1)
    try:
        reading, cleaning = await in_asyncio(
            workers.run(read_and_clean_topic_page, url, body, "utf-8", dates)
        )
    finally:
        workers.close()
    expected = read_topic_page(url, body, "utf-8", dates)
    assert [post.id for post in reading.posts] == [post.id for post in expected.posts]
    assert reading.posts and cleaning.failures == []
    for post, raw in zip(reading.posts, expected.posts, strict=True):
        cleaned = clean_post(raw.body_html, base_url=raw.url)
        assert post.body_html == raw.body_html
        for name in CLEAN_FIELDS:
            assert getattr(post, name) == getattr(cleaned, name), (post.id, name)


def test_posts_skipped_are_left_uncleaned() -> None:
    url, body, dates = seed_page()
    first = read_topic_page(url, body, "utf-8", dates).posts[0].id
    reading, _ = read_and_clean_topic_page(url, body, "utf-8", dates, frozenset({first}))
    assert reading.posts[0].body_text is None
    assert all(post.body_text for post in reading.posts[1:])


async def test_the_pipeline_counts_cleaned_posts_and_cleans_only_the_others() -> None:
    crawler = get_crawler()
    assert crawler.stats is not None
    pipeline = CleanPipeline(crawler.stats, Workers(0))
    done = PostItem(id=1, topic_id=1, position=0, body_html="<b>raw</b>", url="http://x/t1#1")
    done.body_text, done.content_hash, done.hidden_link_count = "cleaned before", "h", 2
    fresh = PostItem(id=2, topic_id=1, position=1, body_html="<p>a\x00b</p>", url="http://x/t1#2")
    item = TopicPageItem(topic_id=1, url="http://x/t1", posts=[done, fresh])
    assert await in_asyncio(pipeline.process_item(item)) is item
    assert done.body_text == "cleaned before" and done.content_hash == "h"
    assert fresh.body_text == "ab" and fresh.body_html == "<p>ab</p>"
    assert crawler.stats.get_value("forumscraper/clean/posts") == 2
    assert crawler.stats.get_value("forumscraper/clean/hidden_links") == 2
    assert crawler.stats.get_value("forumscraper/clean/removed_chars") == 1
