"""A crawl of a board whose posts paste other posts' HTML (see ``tests/pages/test_pasted_posts``):
the database holds exactly the board, the pasted post in its own topic only."""

from __future__ import annotations

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine

from forumscraper.demo.content import Board
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import crawl, stat
from tests.pages.test_pasted_posts import HOST_TOPIC, pasted
from tests.test_crawl_forum import check_database_holds_the_board


@pytest.mark.parametrize("version", ["subsilver", "invision"])
@deferred_f_from_coro_f
async def test_a_board_with_pasted_posts_is_stored_as_it_is(
    version: str, board: Board, db_url: str, engine: Engine
) -> None:
    topic = board.topic(HOST_TOPIC)
    assert topic is not None
    markup = pasted(board, version, "post")
    topic.live_posts[2].body_html = f"Look what I found:<br />{markup}<br />Crazy, right?"
    topic.live_posts[20].signature_html = f"Best post ever: {markup}"
    board.changed()
    with FixtureForumServer(board, version=version) as server:
        crawler = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    check_database_holds_the_board(engine, board)
