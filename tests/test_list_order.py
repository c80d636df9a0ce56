"""The premise of the paging proof, checked: topic lists are ordered by last post.

An incremental ``forum`` run stops paging a forum's list at a page whose topics are all stored as
listed and reach back before the last covered run: later pages can only hold older last posts.
That holds for lists ordered by last post, as Forumotion's are by default. A list in another
order (the demo's ``topics_by_creation``) shows it on its own rows, and is then read to its end:
otherwise a new reply to a topic on a later page would never be fetched.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select

from forumscraper.db.models import Post
from forumscraper.demo.content import Board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.items import TopicItem
from forumscraper.spiders.forum import UNORDERED_LISTS_KEY, out_of_order
from tests.crawling import crawl, reply_time, stat

FORUM = 2
"""The demo forum whose list has two pages."""
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ONE, TEN = timedelta(minutes=1), timedelta(minutes=10)
"""How long before the test the replies it adds are dated."""


def row(topic_id: int, hours_ago: float, **values: object) -> TopicItem:
    return TopicItem(
        id=topic_id,
        topic_type=values.pop("topic_type", "normal"),  # type: ignore[arg-type]
        last_post_at=T0 - timedelta(hours=hours_ago),
        **values,  # type: ignore[arg-type]
    )


def test_rows_by_last_post_are_in_order() -> None:
    assert out_of_order([row(1, 0), row(2, 5), row(3, 5), row(4, 300)]) is None
    assert out_of_order([]) is None


def test_a_later_last_post_below_an_earlier_one_is_out_of_order() -> None:
    rows = [row(1, 0), row(2, 100), row(3, 30), row(4, 200)]
    assert out_of_order(rows) == (rows[1], rows[2])


def test_pinned_rows_undated_rows_and_a_clocks_slack_prove_nothing() -> None:
    rows = [
        row(1, 500, topic_type="sticky"),  # pinned rows head the list whatever their date
        row(2, 10),
        row(3, 0, last_post_year_unknown=True),  # its year is a guess
        row(4, 20),
        row(5, 1),  # a DST hour read twice, a date without its time: within a day
        row(6, 600, topic_type=None),
        row(7, 30),
    ]
    assert out_of_order(rows) is None


@deferred_f_from_coro_f
async def test_a_list_ordered_otherwise_is_read_to_its_end(
    board: Board, db_url: str, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    board.topics_by_creation = True
    paged = board.forum_list_paged(FORUM)
    assert len(paged) > board.topics_per_page
    oldest = paged[-1]  # on the list's last page, whatever its last post
    rocky = board.member_by_name("Rocky")
    # A topic halfway down the first page got the board's latest reply: the page shows a
    # later last post below earlier ones.
    middle = paged[board.topics_per_page // 2]
    board.add_post(middle.id, rocky, "<b>Still going.</b>", reply_time(board, middle.id, TEN))
    assert board.forum_list_paged(FORUM)[board.topics_per_page // 2] is middle
    with FixtureForumServer(board) as server:
        first = await crawl("forum", db_url, base_url=server.base_url)
        assert stat(first, "forumscraper/run/status") == "finished"
        reply = board.add_post(
            oldest.id, rocky, "<b>A late reply.</b>", reply_time(board, oldest.id, ONE)
        )
        assert board.forum_list_paged(FORUM)[-1] is oldest, "the reply moves it nowhere"
        with caplog.at_level(logging.WARNING):
            again = await crawl("forum", db_url, base_url=server.base_url)
    assert stat(again, "forumscraper/run/status") == "finished"
    with engine.connect() as connection:
        stored = connection.execute(select(Post.topic_id).where(Post.id == reply.id)).all()
    assert [tuple(r) for r in stored] == [(oldest.id,)], "the reply on the last page is stored"
    assert stat(again, UNORDERED_LISTS_KEY) == 1
    assert f"Forum {FORUM} does not list its topics by last post" in caplog.text


@deferred_f_from_coro_f
async def test_a_list_whose_later_page_holds_a_topic_stored_as_newer_is_read_to_its_end(
    board: Board, db_url: str, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """The first page alone looks ordered by last post. The archive knows better: a topic the
    list shows only further down was stored with a later last post than the page's rows."""
    board.topics_by_creation = True
    paged = board.forum_list_paged(FORUM)
    first_page, rest = paged[: board.topics_per_page], paged[board.topics_per_page :]
    assert len(rest) >= 2
    rocky = board.member_by_name("Rocky")
    board.add_post(rest[0].id, rocky, "<b>Still going.</b>", reply_time(board, rest[0].id, TEN))
    listed = [t.last_post_at for t in first_page if not (t.sticky or t.announcement)]
    assert listed == sorted(listed, reverse=True), "the first page itself shows no disorder"
    with FixtureForumServer(board) as server:
        first = await crawl("forum", db_url, base_url=server.base_url)
        assert stat(first, "forumscraper/run/status") == "finished"
        late = reply_time(board, rest[-1].id, ONE)
        reply = board.add_post(rest[-1].id, rocky, "<b>A late reply.</b>", late)
        with caplog.at_level(logging.WARNING):
            again = await crawl("forum", db_url, base_url=server.base_url)
    assert stat(again, "forumscraper/run/status") == "finished"
    with engine.connect() as connection:
        stored = connection.execute(select(Post.topic_id).where(Post.id == reply.id)).all()
    assert [tuple(r) for r in stored] == [(rest[-1].id,)], "the reply on the last page is stored"
    assert stat(again, UNORDERED_LISTS_KEY) == 1
    assert f"topic {rest[0].id}, not on the pages read so far, is stored" in caplog.text
