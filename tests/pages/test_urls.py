"""Links read from pages: which page or member they point to, and damaged ones pointing nowhere
instead of raising (``urlsplit`` refuses a host such as ``http://[x``)."""

from __future__ import annotations

import pytest

from forumscraper.demo.content import DEMO_LONG_FORUM_ID, Board
from forumscraper.pages import DateContext, ForumPage
from forumscraper.pages.urls import PageRef, member_id, parse_page_url, post_anchor

from .conftest import SITE, Render


@pytest.mark.parametrize(
    ("url", "ref"),
    [
        ("/t12-a-topic", PageRef("t", 12, 0, "a-topic")),
        ("http://forum.test/t12p30-a-topic#p40", PageRef("t", 12, 30, "a-topic")),
        ("/f3p50-news?change_version=subsilver", PageRef("f", 3, 50, "news")),
        ("/c2-general", PageRef("c", 2, 0, "general")),
        ("/t12n-a-topic", None),  # the "next topic" link
        ("/t12p-a-topic", None),  # the "previous topic" link
        ("/profile?mode=viewprofile&u=3", None),
        ("http://[broken/t12-a-topic", None),
        ("http://forum.test]/t12-a-topic", None),
        ("", None),
    ],
)
def test_the_page_a_link_points_to(url: str, ref: PageRef | None) -> None:
    assert parse_page_url(url) == ref


@pytest.mark.parametrize(
    ("url", "member"),
    [
        ("/u7", 7),
        ("http://forum.test/u7-rocky", 7),
        ("/profile?mode=viewprofile&u=9", 9),
        ("/t12-a-topic", None),
        ("http://[broken/u7", None),
        (None, None),
    ],
)
def test_the_member_a_link_points_to(url: str | None, member: int | None) -> None:
    assert member_id(url) == member


@pytest.mark.parametrize(
    ("url", "post"),
    [
        ("/t12p30-a-topic#455", 455),
        ("http://forum.test/t12-a-topic#p455", 455),
        ("/t12p30-a-topic", None),
        ("/t12p30-a-topic#bottom", None),
        ("/t12p30-a-topic#", None),
        ("/t13p30-another-topic#455", None),  # a row linking another topic's post
        ("/f12-a-forum#455", None),
        ("/t12n-a-topic#455", None),
        ("http://[broken/t12-a-topic#455", None),
    ],
)
def test_the_post_a_last_post_link_names(url: str, post: int | None) -> None:
    assert post_anchor(url, 12) == post


@pytest.mark.parametrize("version", ["prosilver", "mobile"])
def test_a_last_post_link_without_a_post_leaves_the_row_whole(
    render: Render, dates: DateContext, board: Board, version: str
) -> None:
    """A board whose template links the last post's page without naming the post: the row is
    read as before, with no id (incremental runs then compare counts, dates and posters)."""
    target = f"/f{DEMO_LONG_FORUM_ID}-x"
    topic = board.forum_topics(DEMO_LONG_FORUM_ID)[0]
    html = render(target, version)
    anchor = f'#{topic.last_post.id}"'
    assert html.count(anchor) == 1
    topics = ForumPage(SITE + target, html.replace(anchor, '"'), dates).topics()
    assert topics[0].id == topic.id
    assert topics[0].last_post_id is None
    assert (topics[0].last_post_at, topics[0].last_poster_name) == (
        topic.last_post_at,
        topic.last_post.author_name,
    )
    assert [t.last_post_id for t in topics[1:]] == [
        t.last_post.id for t in board.forum_topics(DEMO_LONG_FORUM_ID)[1:50]
    ]


def test_a_damaged_topic_link_loses_its_row_only(
    render: Render, dates: DateContext, board: Board
) -> None:
    target = f"/f{DEMO_LONG_FORUM_ID}-x"
    html = render(target, "prosilver")
    expected = [topic.id for topic in board.forum_topics(DEMO_LONG_FORUM_ID)[:50]]
    first = f'href="/t{expected[0]}-'
    assert html.count(first) >= 1
    damaged = html.replace(first, 'href="http://[broken/t0-', 1)
    topics = ForumPage(SITE + target, damaged, dates).topics()
    assert [topic.id for topic in topics] == expected[1:]
