"""Links read from pages: which page or member they point to, and damaged ones pointing nowhere
instead of raising (``urlsplit`` refuses a host such as ``http://[x``)."""

from __future__ import annotations

import pytest

from forumscraper.demo.content import DEMO_LONG_FORUM_ID, Board
from forumscraper.pages import DateContext, ForumPage
from forumscraper.pages.urls import PageRef, member_id, parse_page_url

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
