"""The demo board's content: the facts other tests rely on, determinism, and the mutations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest

from forumscraper.demo.content import (
    DEMO_FORMATTING_TOPIC_ID,
    DEMO_LONG_FORUM_ID,
    DEMO_LONG_TOPIC_ID,
    DEMO_SEED_TOPIC_ID,
    DEMO_SUBFORUM_ID,
    Board,
    build_board,
    build_demo_board,
    settled_now,
    slugify,
)

from .conftest import NOW


def test_demo_board_structure(board: Board) -> None:
    assert [c.id for c in board.categories] == [1, 2]
    assert sorted(f.id for f in board.forums) == [1, 2, 4, 5, 6, 8]
    assert len(board.live_topics()) == 74
    assert len(board.live_posts()) == 220
    assert board.timezone == "Asia/Baghdad"
    subforum = board.forum(DEMO_SUBFORUM_ID)
    assert subforum is not None and subforum.parent_id == DEMO_LONG_FORUM_ID


def test_long_forum_has_two_list_pages(board: Board) -> None:
    topics = board.forum_topics(DEMO_LONG_FORUM_ID)
    assert len(topics) == 64
    assert topics[0].announcement and topics[1].sticky
    assert not any(t.sticky or t.announcement for t in topics[2:])


def test_long_topic(board: Board) -> None:
    topic = board.topic(DEMO_LONG_TOPIC_ID)
    assert topic is not None
    assert len(topic.live_posts) == 34
    assert topic.repeat_first_post
    assert topic.reply_count == 33


def test_seed_topic_holds_the_seed_post(board: Board) -> None:
    topic = board.topic(DEMO_SEED_TOPIC_ID)
    assert topic is not None
    seed = resources.files("forumscraper.demo").joinpath("data/seed_post.html").read_text("utf-8")
    assert topic.first_post.body_html == seed
    assert topic.first_post.author_name == "Rocky"


def test_formatting_topic_features(board: Board) -> None:
    topic = board.topic(DEMO_FORMATTING_TOPIC_ID)
    assert topic is not None
    bodies = " ".join(p.body_html for p in topic.live_posts)
    for marker in (
        '<dl class="codebox"><dt>Code:</dt>',
        "<blockquote><cite>",
        '<dl class="spoiler">',
        'class="postlink"',
        'alt="Formatting test: quotes, code and images Shot_n10"',
        'longdesc="1"',
        "[size=45]",
        "[You must be registered and logged in to see this link.]",
        "Nested <div>divs</div>",
    ):
        assert marker in bodies
    assert sorted(p.edit_count for p in topic.live_posts if p.edit_count) == [1, 3]
    assert any(p.author is None and p.guest_name for p in topic.live_posts)
    assert any(p.deleted for p in topic.posts)


def test_board_wide_features(board: Board) -> None:
    posts = board.live_posts()
    assert any("السلام" in p.body_html for p in posts)
    assert any(p.signature_html for p in posts)
    assert any(len(t.title) > 100 for t in board.live_topics())
    assert any('<dl class="codebox"><dt>Rocky wrote:</dt>' in p.body_html for p in posts)
    local_today = NOW.astimezone(board.tzinfo).date()
    days = {p.posted_at.astimezone(board.tzinfo).date() for p in posts}
    assert local_today in days and local_today - timedelta(days=1) in days
    assert min(days) < local_today - timedelta(days=500)
    for post in posts:
        assert post.posted_at.tzinfo is UTC and post.posted_at <= NOW
        assert post.posted_at.second == 0 and post.posted_at.microsecond == 0


@pytest.mark.parametrize(
    "now",
    [
        datetime(2025, 1, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 14, 20, 59, tzinfo=UTC),  # 23:59 in Baghdad
        datetime(2026, 3, 14, 21, 0, tzinfo=UTC),  # midnight in Baghdad
    ],
)
def test_ids_do_not_depend_on_now(board: Board, now: datetime) -> None:
    other = build_demo_board(now)

    def shape(b: Board) -> list[tuple[int, str, list[int]]]:
        return [(t.id, t.title, [p.id for p in t.posts]) for t in b.topics]

    assert shape(other) == shape(board)


@pytest.mark.parametrize(
    ("wall", "built_as_of"),
    [
        # Baghdad is at +03:00: its midnight is 21:00 UTC.
        (datetime(2026, 12, 7, 21, 1, 30, tzinfo=UTC), datetime(2026, 12, 7, 20, 59, tzinfo=UTC)),
        (datetime(2026, 12, 7, 23, 59, tzinfo=UTC), datetime(2026, 12, 7, 20, 59, tzinfo=UTC)),
        (datetime(2026, 12, 8, 0, 0, tzinfo=UTC), datetime(2026, 12, 8, 0, 0, tzinfo=UTC)),
        (datetime(2026, 12, 7, 20, 59, tzinfo=UTC), datetime(2026, 12, 7, 20, 59, tzinfo=UTC)),
    ],
)
def test_a_board_built_just_after_its_midnight_takes_a_reply_minutes_ago_anywhere(
    board: Board, wall: datetime, built_as_of: datetime
) -> None:
    """Minutes after the board's midnight, its "today" posts would be minutes old, and a reply
    "two minutes ago" to their topic older than their last post (the CI met this at 21:01 UTC).
    Built as of the end of the previous day, every topic takes one."""
    assert settled_now(wall, board.tzinfo) == built_as_of
    board = build_demo_board(settled_now(wall, board.tzinfo))
    rocky = board.member_by_name("Rocky")
    assert max(t.last_post_at for t in board.live_topics()) <= wall - timedelta(minutes=30)
    for topic in board.live_topics():
        reply = board.add_post(topic.id, rocky, "A reply", wall - timedelta(minutes=2))
        assert topic.last_post is reply


def test_post_ids_grow_with_time(board: Board) -> None:
    posts = sorted((p for t in board.topics for p in t.posts), key=lambda p: p.id)
    assert [p.posted_at for p in posts] == sorted(p.posted_at for p in posts)
    assert posts[0].id == 101 and min(t.id for t in board.topics) == 11


def test_add_post_and_topic(fresh_board: Board) -> None:
    rocky = fresh_board.member_by_name("Rocky")
    top = max(p.id for t in fresh_board.topics for p in t.posts)
    post = fresh_board.add_post(DEMO_LONG_TOPIC_ID, rocky, "new reply", NOW)
    assert post.id == top + 1
    long_topic = fresh_board.topic(DEMO_LONG_TOPIC_ID)
    assert long_topic is not None and long_topic.last_post is post
    topic = fresh_board.add_topic(5, "Brand new", None, "guest topic")
    assert topic.id == max(t.id for t in fresh_board.topics)
    assert topic.first_post.author_name == "Guest"
    assert fresh_board.forum_topics(5)[0] is topic


def test_edit_and_delete(fresh_board: Board) -> None:
    editor = fresh_board.member_by_name("Mod-Nadia")
    assert editor is not None
    topic = fresh_board.topic(DEMO_SEED_TOPIC_ID)
    assert topic is not None
    reply = topic.live_posts[1]
    fresh_board.edit_post(reply.id, "edited body", editor, NOW)
    assert (reply.body_html, reply.edit_count, reply.editor) == ("edited body", 1, editor)
    fresh_board.delete_post(reply.id)
    assert reply not in topic.live_posts and topic.reply_count == 1
    fresh_board.delete_topic(topic.id)
    assert topic not in fresh_board.live_topics()
    with pytest.raises(KeyError):
        fresh_board.delete_post(999_999)


def test_build_board_is_large_and_deterministic() -> None:
    big = build_board(n_forums=4, n_topics=40, posts_per_topic=15, seed=3, now=NOW)
    assert len(big.forums) == 4 and len(big.live_topics()) == 40
    assert all(len(t.live_posts) == 15 for t in big.topics)
    again = build_board(n_forums=4, n_topics=40, posts_per_topic=15, seed=3, now=NOW)
    assert [p.body_html for p in big.live_posts()] == [p.body_html for p in again.live_posts()]
    average = sum(len(p.body_html) for p in big.live_posts()) / len(big.live_posts())
    assert 800 < average < 3000


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Forum rules — please read!", "forum-rules-please-read"),
        ("Écoles & Café", "ecoles-cafe"),
        ("أخبار الكهرباء", "topic"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug
