"""Topic descriptions: the line a starter may write under a topic's title, which each desktop
version prints in its forum's topic list (``switch_description``) and nowhere else.

Where the line stands differs by version, loose text between two line breaks (phpBB3) or after
"by AUTHOR" (PunBB), a span or a paragraph elsewhere, so each is read where its version puts
it, and the row's other fields must read as without it: on PunBB a guest starter's name is text
too, and a line with "by" in it must not become the starter.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.site import respond
from forumscraper.items import TopicItem
from forumscraper.pages import DateContext, ForumPage
from forumscraper.pages.versions import VERSIONS

from .conftest import NOW, SITE

FORUM = 5
MEMBER_LINE = "A guide by the team & <friends>"
GUEST_LINE = "Found by the river, near the bridge"


def described_board() -> Board:
    """The demo board with a described topic of a member and one of a guest, in forum 5,
    beside topics without a description."""
    board = build_demo_board(NOW)
    first = board.forum_topics(FORUM)[0]
    first.description = MEMBER_LINE
    guest = board.add_topic(FORUM, "Lost keys", None, "Whose are these?", NOW - timedelta(hours=1))
    guest.posts[0].guest_name = "Anon walker"
    guest.description = GUEST_LINE
    board.changed()
    return board


def read(board: Board, target: str, version: str) -> list[TopicItem]:
    response = respond(board, target, now=NOW, site=SITE, default_version=version)
    assert response.status == 200
    page = ForumPage(SITE + target, response.body.decode("utf-8"), DateContext(board.tzinfo, NOW))
    return page.topics()


def without(items: list[TopicItem]) -> list[TopicItem]:
    for item in items:
        item.description = None
    return items


@pytest.mark.parametrize("version", VERSIONS)
def test_descriptions_are_read_and_the_rows_read_as_without_them(version: str) -> None:
    board = described_board()
    described = read(board, f"/f{FORUM}-x", version)
    expected = {topic.id: topic.description for topic in board.forum_topics(FORUM)}
    assert set(expected.values()) == {MEMBER_LINE, GUEST_LINE, ""}
    got = {item.id: item.description for item in described}
    if version == "mobile":  # the mobile list prints no description
        assert set(got.values()) == {None}
    else:
        assert got == expected
    for topic in board.forum_topics(FORUM):
        topic.description = ""
    assert without(described) == without(read(board, f"/f{FORUM}-x", version))
    guest = next(item for item in described if item.title == "Lost keys")
    if version != "mobile":  # which shows no starter
        assert (guest.author_name, guest.author_id) == ("Anon walker", None)


@pytest.mark.parametrize("version", VERSIONS)
def test_search_results_know_no_description(version: str) -> None:
    """Active topics print none: a described topic listed there is not said to have none."""
    items = read(described_board(), "/search?search_id=activetopics", version)
    assert items
    assert {item.description for item in items} == {None}
