"""Topic pages in every version: the long topic's three pages, the seed and formatting topics.

Every post is compared with the board field by field; ``body_html`` must be the message exactly
as the board holds it (byte-identical slice of the page source), whatever wraps it.
"""

from __future__ import annotations

import pytest

from forumscraper.demo.content import (
    DEMO_FORMATTING_TOPIC_ID,
    DEMO_LONG_TOPIC_ID,
    DEMO_SEED_TOPIC_ID,
    Board,
)
from forumscraper.pages import TopicPage
from forumscraper.pages.versions import VERSIONS

from .conftest import Load, html_text

TOPIC_PAGES = [
    (DEMO_LONG_TOPIC_ID, 0),
    (DEMO_LONG_TOPIC_ID, 15),
    (DEMO_LONG_TOPIC_ID, 30),
    (DEMO_SEED_TOPIC_ID, 0),
    (DEMO_FORMATTING_TOPIC_ID, 0),
]


def target(topic_id: int, start: int) -> str:
    return f"/t{topic_id}p{start}-any-slug" if start else f"/t{topic_id}-any-slug"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("topic_id", "start"), TOPIC_PAGES)
def test_posts(load: Load, board: Board, version: str, topic_id: int, start: int) -> None:
    topic = board.topic(topic_id)
    assert topic is not None
    page = load(TopicPage, target(topic_id, start), version)
    expected = topic.live_posts[start : start + board.posts_per_page]
    posts = page.posts()
    assert [p.id for p in posts] == [p.id for p in expected]
    assert page.repeats_first_post == (start > 0 and topic.repeat_first_post)
    for index, (got, want) in enumerate(zip(posts, expected, strict=True)):
        assert got.topic_id == topic_id
        assert got.position == start + index, want.id
        assert got.author_name == want.author_name, want.id
        assert got.author_id == (want.author.id if want.author else None), want.id
        assert got.posted_at == want.posted_at, (want.id, got.posted_at_raw)
        assert got.edited_at == want.edited_at, want.id
        assert got.edit_count == want.edit_count, want.id
        assert got.edited_by == (want.editor.name if want.editor else None), want.id
        assert got.body_html == want.body_html, want.id
        assert got.url == f"http://forum.test/t{topic_id}-any-slug#{want.id}"
        if version == "mobile":  # no subject, no signature on mobile pages
            assert (got.subject, got.signature_html) == (None, None)
        else:
            first = want.id == topic.first_post.id
            assert got.subject == (topic.title if first else f"Re: {topic.title}"), want.id
            assert html_text(got.signature_html) == html_text(want.signature_html), want.id


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("topic_id", [DEMO_LONG_TOPIC_ID, DEMO_SEED_TOPIC_ID])
def test_topic(load: Load, board: Board, version: str, topic_id: int) -> None:
    topic = board.topic(topic_id)
    assert topic is not None
    page = load(TopicPage, target(topic_id, 0), version)
    item = page.topic()
    assert item is not None
    first = topic.first_post
    assert (item.id, item.forum_id, item.title) == (topic.id, topic.forum_id, topic.title)
    assert (item.author_name, item.author_id) == (
        first.author_name,
        first.author.id if first.author else None,
    )
    assert item.first_post_at == first.posted_at
    # The reply count comes from the JSON-LD, which mobile pages do not carry.
    assert item.reply_count == (None if version == "mobile" else topic.reply_count)
    assert page.title == topic.title and page.forum_id == topic.forum_id


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("start", [0, 15, 30])
def test_long_topic_pages(load: Load, version: str, start: int) -> None:
    page = load(TopicPage, target(DEMO_LONG_TOPIC_ID, start), version)
    assert page.offset == start
    assert page.page_offsets() == ([0, 15, 30], 15)


@pytest.mark.parametrize("version", VERSIONS)
def test_single_page_topic(load: Load, version: str) -> None:
    page = load(TopicPage, target(DEMO_SEED_TOPIC_ID, 0), version)
    offsets, per_page = page.page_offsets()
    assert offsets in ([], [0]) and per_page is None
    assert not page.repeats_first_post
