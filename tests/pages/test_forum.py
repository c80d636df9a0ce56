"""A forum's topic list in every version (pages 1 and 2 of the long forum), field by field."""

from __future__ import annotations

import pytest

from forumscraper.demo.content import DEMO_LONG_FORUM_ID, Board, Topic
from forumscraper.pages import ForumPage
from forumscraper.pages.versions import VERSIONS

from .conftest import Load

PAGES = [(f"/f{DEMO_LONG_FORUM_ID}-general-discussion", 0), (f"/f{DEMO_LONG_FORUM_ID}p50-x", 50)]


def topic_type(topic: Topic) -> str:
    return "announcement" if topic.announcement else "sticky" if topic.sticky else "normal"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("target", "start"), PAGES)
def test_topic_rows(load: Load, board: Board, version: str, target: str, start: int) -> None:
    page = load(ForumPage, target, version)
    expected = board.forum_topics(DEMO_LONG_FORUM_ID)[start : start + board.topics_per_page]
    topics = page.topics()
    assert [t.id for t in topics] == [t.id for t in expected]
    for got, want in zip(topics, expected, strict=True):
        last = want.last_post
        assert got.forum_id == DEMO_LONG_FORUM_ID
        assert got.title == want.title, want.id
        assert got.url is not None and got.url.endswith(f"/t{want.id}-{want.slug}")
        assert got.reply_count == want.reply_count, want.id
        assert got.last_post_at == want.last_post_at, want.id
        assert got.last_poster_name == last.author_name, want.id
        assert got.last_post_id == last.id, want.id
        assert got.topic_type == topic_type(want), want.id
        if version == "mobile":  # the mobile list shows neither the starter nor the views
            assert (got.author_name, got.author_id, got.view_count) == (None, None, None)
        else:
            assert got.author_name == want.author_name, want.id
            assert got.author_id == (want.author.id if want.author else None), want.id
            assert got.view_count == want.views, want.id


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("target", "start"), PAGES)
def test_forum_and_pages(load: Load, board: Board, version: str, target: str, start: int) -> None:
    page = load(ForumPage, target, version)
    forum = page.forum()
    assert forum is not None
    assert (forum.id, forum.title, forum.parent_id, forum.category_id, forum.category) == (
        DEMO_LONG_FORUM_ID,
        "General Discussion",
        None,
        1,
        "General",
    )
    assert page.offset == start
    assert page.page_offsets() == ([0, 50], 50)


@pytest.mark.parametrize("version", VERSIONS)
def test_subforum_page_names_its_parent(load: Load, version: str) -> None:
    forum = load(ForumPage, "/f4-introductions", version).forum()
    assert forum is not None
    assert (forum.id, forum.title, forum.parent_id, forum.category_id) == (
        4,
        "Introductions",
        2,
        1,
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_guest_starter_and_single_page_forum(load: Load, board: Board, version: str) -> None:
    page = load(ForumPage, "/f5-x", version)
    assert page.page_offsets() == ([0], None)
    assert [t.id for t in page.topics()] == [t.id for t in board.forum_topics(5)]
    seed = next(t for t in page.topics() if t.id == 121)
    # The seed topic's last post is a guest's: no profile link, the bare name.
    assert seed.last_poster_name == "visitor_22"
