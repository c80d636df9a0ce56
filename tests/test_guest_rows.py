"""End to end: guests who name themselves like a topic type or link a member keep their topics
and their own (no) member id in the rows, on both databases (see tests/pages/test_guest_posts.py
for every version's reader)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import Post, Topic
from forumscraper.demo.content import build_demo_board
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import crawl, stat
from tests.test_crawl_forum import check_database_holds_the_board


@pytest.mark.parametrize("version", ["prosilver", "subsilver"])
@deferred_f_from_coro_f
async def test_guest_topics_named_moved_or_sticky_are_stored_as_what_they_are(
    version: str, db_url: str
) -> None:
    board = build_demo_board()
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    member = board.members[1]
    guests = {}
    for name in ("Moved", "Sticky"):
        topic = board.add_topic(8, f"Asked by {name}", None, "A question", now - timedelta(hours=1))
        topic.posts[0].guest_name = name
        guests[topic.id] = name
    mention = board.add_post(
        next(iter(guests)), None, f'Ask <a href="/u{member.id}">{member.name}</a>', now
    )
    board.changed()
    with FixtureForumServer(board, version=version) as server:
        crawler = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    engine = make_engine(db_url)
    try:
        check_database_holds_the_board(engine, board)
        with engine.connect() as connection:
            types = dict(
                connection.execute(
                    select(Topic.id, Topic.topic_type).where(Topic.id.in_(guests))
                ).all()
            )
            author = connection.execute(
                select(Post.author_name, Post.author_id).where(Post.id == mention.id)
            ).one()
    finally:
        engine.dispose()
    assert types == dict.fromkeys(guests, "normal")
    assert tuple(author) == ("Guest", None)
