"""Topic types in topic lists, in every version and in three board languages.

``{TOPIC_TYPE}`` prints one ``<strong>`` per word before a row's title: the type ("Sticky:",
"Post-it:"), then "[ Poll ]" ("[ Sondage ]") for a topic with a poll, which is no type. The
Turkish board prints type words this reader has no table for ("Sabit:", "Duyuru:"): their
rows' type is ``None`` (not known), never "normal", and the page names the words as evidence.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from forumscraper.demo.content import DEMO_LONG_FORUM_ID, Board, Topic, build_demo_board
from forumscraper.demo.site import respond
from forumscraper.pages import DateContext, ForumPage
from forumscraper.pages.versions import VERSIONS

from .conftest import NOW, SITE

POLL_MARK = {"en": "[ Poll ]", "fr": "[ Sondage ]", "tr": "[ Anket ]"}
TARGETS = (f"/f{DEMO_LONG_FORUM_ID}-x", "/f5-x", "/search?search_id=activetopics")


def prints_types(version: str, target: str) -> bool:
    """AwesomeBB's search results print no ``{TOPIC_TYPE}``."""
    return not (version == "awesomebb" and target.startswith("/search"))


def expected_type(topic: Topic, language: str, version: str, target: str) -> str | None:
    typed = "announcement" if topic.announcement else "sticky" if topic.sticky else None
    if not prints_types(version, target):
        return None
    if typed is None:
        return "normal"
    return None if language == "tr" else typed


def read(board: Board, target: str, version: str) -> tuple[ForumPage, str]:
    response = respond(board, target, now=NOW, site=SITE, default_version=version)
    assert response.status == 200
    body = response.body.decode("utf-8")
    return ForumPage(SITE + target, body, DateContext(board.tzinfo, NOW)), body


@pytest.mark.parametrize("language", ["en", "fr", "tr"])
@pytest.mark.parametrize("version", VERSIONS)
def test_types_are_read_or_said_unknown_and_polls_are_no_type(version: str, language: str) -> None:
    """Forum 2's announcement (with a poll) and sticky, forum 5's poll, and the active
    topics, where the sticky is listed too (a reply an hour ago)."""
    board = build_demo_board(NOW)
    board.language = language
    sticky = next(t for t in board.forum_topics(DEMO_LONG_FORUM_ID) if t.sticky)
    board.add_post(sticky.id, board.members[0], "<p>Read it twice.</p>", NOW - timedelta(hours=1))
    polls = {topic.id for topic in board.topics if topic.poll}
    assert len(polls) == 2
    seen: set[int] = set()
    for target in TARGETS:
        page, body = read(board, target, version)
        rows = page.topics()
        assert rows, target
        for row in rows:
            topic = board.topic(row.id)
            assert topic is not None
            want = expected_type(topic, language, version, target)
            assert row.topic_type == want, (target, row.id)
            seen.add(row.id)
        if polls & {row.id for row in rows} and prints_types(version, target):
            assert f"<strong>{POLL_MARK[language]}</strong>" in body, target
        if target.startswith(f"/f{DEMO_LONG_FORUM_ID}-"):
            unknown = {"Duyuru:": 11, "Sabit:": sticky.id} if language == "tr" else {}
            assert page.unknown_type_words() == unknown
        if target.startswith("/search"):
            assert sticky.id in {row.id for row in rows}
    assert polls <= seen
