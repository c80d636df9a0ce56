"""Topic descriptions end to end, into SQLite and a real PostgreSQL: ``forum`` stores each
topic's description as its forum lists it (``''`` for none), on PunBB without taking a guest
starter's name from it; ``recent`` finds a new topic through listings that print no description
and leaves it NULL (not known), never ``''``; the next ``forum`` run stores a changed, a removed
and the new topic's description."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select

from forumscraper.db.models import Topic
from forumscraper.demo.content import build_demo_board
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import crawl, stat

FORUM = 5


def stored(engine: Engine) -> dict[int, tuple[str | None, str | None, int | None]]:
    """(description, author_name, author_id) of every stored topic."""
    query = select(Topic.id, Topic.description, Topic.author_name, Topic.author_id)
    with engine.connect() as connection:
        return {
            row.id: (row.description, row.author_name, row.author_id)
            for row in connection.execute(query)
        }


@pytest.mark.parametrize("version", ["prosilver", "punbb"])
@deferred_f_from_coro_f
async def test_descriptions_are_stored_and_follow_the_forums_list(
    version: str, db_url: str, engine: Engine
) -> None:
    board = build_demo_board()
    guest = board.add_topic(
        FORUM, "Lost keys", None, "Whose are these?", datetime.now(UTC) - timedelta(hours=2)
    )
    guest.posts[0].guest_name = "Anon walker"
    guest.description = "Found by the river, near the bridge"
    described = [topic for topic in board.live_topics() if topic.description]
    assert len(described) == 3  # two in the demo's data, and the guest's
    board.changed()

    def truth() -> dict[int, tuple[str | None, str | None, int | None]]:
        return {
            topic.id: (
                topic.description,
                topic.author_name,
                topic.author.id if topic.author else None,
            )
            for topic in board.live_topics()
        }

    with FixtureForumServer(board, version=version) as server:
        settings = {"base_url": server.base_url, "FORUMSCRAPER_TIMEZONE": board.timezone}
        crawler = await crawl("forum", db_url, **settings)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        assert stored(engine) == truth()
        assert stored(engine)[guest.id] == (guest.description, "Anon walker", None)

        # A changed line, a removed one, and a new described topic that `recent` finds first.
        before = truth()
        described[0].description = "Candidates and dates, updated weekly"
        described[1].description = ""
        new = board.add_topic(FORUM, "Generator prices", board.members[0], "How much now?")
        new.description = "Per ampere, by district"
        board.changed()
        crawler = await crawl("recent", db_url, **settings)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        rows = stored(engine)
        assert rows[new.id] == (None, new.author_name, board.members[0].id)
        assert {k: v for k, v in rows.items() if k != new.id} == before  # as listed before

        crawler = await crawl("forum", db_url, **settings)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        assert stored(engine) == truth()
