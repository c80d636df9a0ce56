"""Forum descriptions end to end, into SQLite and a real PostgreSQL, on the versions that print a
forum's moderators in its description's node (phpBB3, PunBB): ``forum`` stores each forum's
description without its moderators or sub-forums, a sub-forum's description and counts from its
parent's page (the index shows it as a link only), and a description the board removed as
``''``, where a NULL (not known) would have kept the old one for ever."""

from __future__ import annotations

from dataclasses import replace

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select

from forumscraper.db.models import Forum
from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import crawl, stat
from tests.pages.conftest import html_text


def stored(engine: Engine) -> dict[int, tuple[str | None, int | None, int | None]]:
    """(description, topic count, post count) of every stored forum."""
    query = select(Forum.id, Forum.description, Forum.topic_count, Forum.post_count)
    with engine.connect() as connection:
        return {
            row.id: (row.description, row.topic_count, row.post_count)
            for row in connection.execute(query)
        }


def truth(board: Board) -> dict[int, tuple[str | None, int | None, int | None]]:
    return {
        forum.id: (html_text(forum.description), *board.forum_stats(forum.id)[:2])
        for forum in board.forums
    }


@pytest.mark.parametrize("version", ["prosilver", "punbb"])
@deferred_f_from_coro_f
async def test_forum_descriptions_are_the_forums_words_and_follow_the_board(
    version: str, db_url: str, engine: Engine
) -> None:
    board = build_demo_board()
    assert any(forum.moderators for forum in board.forums)  # printed beside descriptions
    with FixtureForumServer(board, version=version) as server:
        settings = {"base_url": server.base_url, "FORUMSCRAPER_TIMEZONE": board.timezone}
        crawler = await crawl("forum", db_url, **settings)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        assert stored(engine) == truth(board)
        assert stored(engine)[4][0] == "New here? Say hello."  # the sub-forum, from /f2

        changes = {1: {"description": "Read this first"}, 6: {"description": ""}}
        board.forums = [replace(forum, **changes.get(forum.id, {})) for forum in board.forums]
        board.changed()
        crawler = await crawl("forum", db_url, **settings)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        assert stored(engine) == truth(board)
        assert stored(engine)[6][0] == ""
