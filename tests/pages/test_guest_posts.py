"""Guests type any name and write anything: a post's author is still read from its own place on
the page. A guest linking a member's profile in the message is not that member; a guest whose
name also shows inside the date ("1", "May") does not move the date; a guest named like a topic
type ("Moved", "Sticky") does not give the topic that type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.site import respond
from forumscraper.pages import DateContext, ForumPage
from forumscraper.pages.topic import TopicPage
from forumscraper.pages.versions import VERSIONS
from tests.pages.conftest import NOW, SITE


def page(board: Board, page_class: type, target: str, version: str) -> object:
    response = respond(board, target, now=NOW, site=SITE, default_version=version)
    assert response.status == 200, (target, version, response.status)
    return page_class(
        SITE + target, response.body.decode("utf-8"), DateContext(tz=board.tzinfo, now=NOW)
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_a_guest_linking_a_member_is_still_a_guest(version: str) -> None:
    board = build_demo_board(NOW)
    member = board.members[2]
    topic = board.add_topic(
        board.forums[0].id, "Thanks all", None, "Starting this", NOW - timedelta(days=3)
    )
    mention = board.add_post(
        topic.id,
        None,
        f'Thanks <a href="/u{member.id}">@{member.name}</a> for the tip',
        NOW - timedelta(days=2),
        guest_name="Visitor",
    )
    elsewhere = board.add_post(
        topic.id,
        None,
        'My profile: <a href="https://other-forum.example/u12">here</a>',
        NOW - timedelta(days=1),
        guest_name="Visitor2",
    )
    reading = page(board, TopicPage, f"/t{topic.id}-thanks-all", version)
    posts = {post.id: post for post in reading.posts()}  # type: ignore[attr-defined]
    assert (posts[mention.id].author_name, posts[mention.id].author_id) == ("Visitor", None)
    assert (posts[elsewhere.id].author_name, posts[elsewhere.id].author_id) == ("Visitor2", None)
    # A member's own post keeps their id.
    first = posts[topic.posts[0].id]
    assert first.author_id is None
    assert reading.topic().author_id is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("date_format", "name", "when"),
    [
        ("ordinal", "1", datetime(2026, 10, 16, 14, 9, tzinfo=UTC)),
        ("phpbb", "May", datetime(2026, 5, 15, 12, 0, tzinfo=UTC)),
        ("ordinal", "April", datetime(2026, 4, 3, 12, 0, tzinfo=UTC)),
        ("phpbb", "Nov 24", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
    ],
)
def test_a_guest_name_inside_the_date_leaves_the_date_whole(
    version: str, date_format: str, name: str, when: datetime
) -> None:
    board = build_demo_board(NOW)
    board.date_format = date_format
    board.changed()
    topic = board.add_topic(
        board.forums[0].id, "Dates", board.members[0], "start", when - timedelta(days=1)
    )
    post = board.add_post(topic.id, None, "hi", when, guest_name=name)
    reading = page(board, TopicPage, f"/t{topic.id}-dates", version)
    (read,) = [p for p in reading.posts() if p.id == post.id]  # type: ignore[attr-defined]
    assert (read.author_name, read.posted_at) == (name, when)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_guest_named_like_a_topic_type_leaves_the_type_alone(version: str) -> None:
    board = build_demo_board(NOW)
    forum = board.forums[0].id
    named = {}
    for name in ("Moved", "Sticky", "Annonce", "Global announcement"):
        topic = board.add_topic(forum, f"Started by {name}", None, "text", NOW - timedelta(hours=1))
        topic.posts[0].guest_name = name
        named[topic.id] = name
    board.changed()
    listing = page(board, ForumPage, f"/f{forum}-x", version)
    rows = {row.id: row for row in listing.topics()}  # type: ignore[attr-defined]
    for topic_id, name in named.items():
        shown = None if version == "mobile" else name  # mobile rows print no author
        assert (rows[topic_id].topic_type, rows[topic_id].author_name) == ("normal", shown)
