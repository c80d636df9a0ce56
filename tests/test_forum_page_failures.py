"""The board index or a forum's topic list answering an HTTP error (403, 404, 410): a failed
page that fails the run, as a failed topic page does, with the rows it could not read left out
and the run not counted as covering the board. Two answers are not failures: the login form
served with 403 to a member crawl whose session ended (fetched again as a member), and, in a
full run, a 404 from a stored forum the index no longer shows (the forum is marked deleted), or
the login form from a stored topic no list shows (its rows stay).

Every scenario checks the run's status in the stats and in ``crawl_runs``, and the rows, on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, func, select

from forumscraper.db.models import CrawlRun, Forum, Post, Topic
from forumscraper.db.state import last_covered_start
from forumscraper.demo.content import Board
from forumscraper.demo.faults import Fault
from forumscraper.demo.members import login_page
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import crawl, stat
from tests.members import MEMBER_FORUM, member_server
from tests.test_crawl_forum import check_database_holds_the_board

TZ = "Asia/Baghdad"
FAILED = "1 error(s) during the run, see the log"
"""``crawl_runs.message`` of a run with one failed page (and nothing else wrong)."""


def last_run(engine: Engine) -> dict[str, Any]:
    """The newest ``crawl_runs`` row: status, message, errors, board."""
    with engine.connect() as connection:
        row = connection.execute(
            select(CrawlRun.status, CrawlRun.message, CrawlRun.errors, CrawlRun.board_id)
            .order_by(CrawlRun.id.desc())
            .limit(1)
        ).one()
    return dict(row._mapping)


def ids(engine: Engine, model: type[Forum] | type[Topic], *, deleted: bool = False) -> set[int]:
    """The ids of the stored (live, or with ``deleted``, deleted) rows of ``model``."""
    column = model.deleted_at
    with engine.connect() as connection:
        query = select(model.id).where(column.is_not(None) if deleted else column.is_(None))
        return set(connection.execute(query).scalars())


def count(engine: Engine, model: type[Forum] | type[Topic] | type[Post]) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def topics_of(board: Board, forum_ids: set[int]) -> set[int]:
    return {topic.id for topic in board.live_topics() if topic.forum_id in forum_ids}


def assert_failed_once(
    crawler: Any,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
    url: str,
    status: int,
    covered: datetime | None = None,
) -> None:
    """One failed page, counted, logged with its status, and recorded as the run's failure;
    the run does not cover the board for ``recent`` runs (the last covered run's start stays
    ``covered``)."""
    assert stat(crawler, "forumscraper/run/status") == "failed"
    assert stat(crawler, "forumscraper/fetch/failed_pages") == 1
    assert stat(crawler, "forumscraper/fetch/gone_forums") is None
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(m.startswith(f"Could not fetch {url}") and f"HTTP {status}" in m for m in errors), (
        errors
    )
    run = last_run(engine)
    assert (run["status"], run["message"], run["errors"]) == ("failed", FAILED, 1)
    assert last_covered_start(engine, run["board_id"]) == covered


async def crawl_forum(server: FixtureForumServer, db_url: str, full: bool = False) -> Any:
    return await crawl(
        "forum",
        db_url,
        base_url=server.base_url,
        spider_args={"full": "1"} if full else None,
        FORUMSCRAPER_TIMEZONE=TZ,
    )


async def recovers(server: FixtureForumServer, board: Board, db_url: str, engine: Engine) -> None:
    """Once the board answers again, the next run reads what the failed one left out."""
    server.faults.clear()
    again = await crawl_forum(server, db_url)
    assert stat(again, "forumscraper/run/status") == "finished"
    run = last_run(engine)
    assert (run["status"], run["message"]) == ("finished", None)
    assert last_covered_start(engine, run["board_id"]) is not None
    check_database_holds_the_board(engine, board)


@pytest.mark.parametrize(
    ("status", "full"), [(403, False), (404, False), (410, False), (404, True)]
)
@deferred_f_from_coro_f
async def test_a_listed_forum_answering_an_http_error_fails_the_run(
    status: int,
    full: bool,
    server: FixtureForumServer,
    board: Board,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Forum 2 holds 64 of the board's 74 topics; its sub-forum 4 is listed on the index too.
    forum = board.forum(2)
    assert forum is not None
    server.faults.add("/f2-", Fault(kind="status", status=status, times=None))
    crawler = await crawl_forum(server, db_url, full=full)
    assert server.faults.applied == [(f"/f2-{forum.slug}", "status")]
    assert_failed_once(crawler, engine, caplog, f"{server.base_url}f2-", status)
    # A forum the index lists is never taken for deleted, even in a full run.
    assert ids(engine, Forum, deleted=True) == set()
    assert 2 in ids(engine, Forum)
    assert ids(engine, Topic) == topics_of(board, {f.id for f in board.forums} - {2})
    await recovers(server, board, db_url, engine)


@pytest.mark.parametrize("status", [403, 404, 410])
@deferred_f_from_coro_f
async def test_the_index_answering_an_http_error_fails_the_run(
    status: int,
    server: FixtureForumServer,
    board: Board,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The prefix "/" takes robots.txt down too: a missing robots.txt allows everything.
    server.faults.add("/", Fault(kind="status", status=status, times=None))
    crawler = await crawl_forum(server, db_url)
    assert ("/", "status") in server.faults.applied
    assert_failed_once(crawler, engine, caplog, server.base_url, status)
    assert [count(engine, model) for model in (Forum, Topic, Post)] == [0, 0, 0]
    await recovers(server, board, db_url, engine)


@pytest.mark.parametrize(("status", "outcome"), [(404, "finished"), (403, "failed")])
@deferred_f_from_coro_f
async def test_only_a_gone_unlisted_forum_is_marked_deleted_by_a_full_run(
    status: int,
    outcome: str,
    server: FixtureForumServer,
    board: Board,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A stored forum the index no longer shows is asked for by a full run: a 404 marks it and
    its topics deleted; a 403 says nothing of its fate: a failed page, its rows untouched."""
    assert stat(await crawl_forum(server, db_url), "forumscraper/run/status") == "finished"
    covered = last_covered_start(engine, last_run(engine)["board_id"])
    assert covered is not None
    doomed = board.forum(8)  # a forum with two topics and no sub-forum
    assert doomed is not None and not board.subforums(doomed.id)
    doomed_topics = topics_of(board, {doomed.id})
    assert doomed_topics
    board.delete_forum(doomed.id)
    if status != 404:
        server.faults.add(f"/f{doomed.id}-", Fault(kind="status", status=status, times=None))
    crawler = await crawl_forum(server, db_url, full=True)
    assert stat(crawler, "forumscraper/run/status") == outcome
    if outcome == "finished":
        assert stat(crawler, "forumscraper/fetch/gone_forums") == 1
        assert stat(crawler, "forumscraper/fetch/failed_pages") is None
        assert last_run(engine)["status"] == "finished"
        assert ids(engine, Forum, deleted=True) == {doomed.id}
        assert ids(engine, Topic, deleted=True) == doomed_topics
    else:
        url = f"{server.base_url}f{doomed.id}-"
        assert_failed_once(crawler, engine, caplog, url, status, covered)
        assert ids(engine, Forum, deleted=True) == set()
        assert ids(engine, Topic, deleted=True) == set()
        assert doomed_topics <= ids(engine, Topic)


@pytest.mark.parametrize("listed", [False, True])
@deferred_f_from_coro_f
async def test_a_stored_topic_moved_where_guests_may_not_read_keeps_its_rows(
    listed: bool,
    server: FixtureForumServer,
    board: Board,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A moderator moves a topic, without a shadow, into a forum guests may not read (a staff
    or trash forum): no list shows it, and asked for by a full run it shows the login form.
    That says nothing of its fate: its rows stay, and the run is not failed. A topic a list
    does show that answers with the login form is still a failed page."""
    assert stat(await crawl_forum(server, db_url), "forumscraper/run/status") == "finished"
    topic = board.topic(28)
    assert topic is not None and topic.forum_id == 5
    if listed:
        server.faults.add("/t28-", Fault(kind="body", status=200, body=login_page(), times=None))
    else:
        board.move_topic(28, MEMBER_FORUM, shadow=False)
        server.members.member_only_forums.add(MEMBER_FORUM)
    with caplog.at_level(logging.INFO):
        crawler = await crawl_forum(server, db_url, full=True)
    with engine.connect() as connection:
        stored = connection.execute(
            select(Topic.forum_id, Topic.reply_count, Topic.deleted_at).where(Topic.id == 28)
        ).one()
        live_posts = connection.execute(
            select(func.count()).where(Post.topic_id == 28, Post.deleted_at.is_(None))
        ).scalar_one()
    assert tuple(stored) == (5, len(topic.live_posts) - 1, None), "the rows stay as they were"
    assert live_posts == len(topic.live_posts)
    if listed:
        assert stat(crawler, "forumscraper/run/status") == "failed"
        assert stat(crawler, "forumscraper/extract/empty_page/login_wall") == 1
        assert stat(crawler, "forumscraper/fetch/unseen_topics") is None
        return
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/fetch/unseen_topics") == 1
    assert stat(crawler, "forumscraper/extract/empty_page") is None
    assert "Topic 28, which no list shows any more, shows this crawl the login form" in caplog.text


@pytest.fixture
def member_board(board: Board) -> Iterator[FixtureForumServer]:
    """The fixture forum with Rocky's account and member-only forum 6."""
    with member_server(board) as server:
        yield server


@pytest.mark.parametrize("login_form", [True, False])
@deferred_f_from_coro_f
async def test_a_403_on_a_forum_page_in_a_member_crawl(
    login_form: bool,
    as_member: None,
    member_board: FixtureForumServer,
    board: Board,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The login form answered with 403 (the session ended as the member-only forum was asked
    for) is a guest page: the member logs in again and the forum is read, as with the login
    form answered 200. Any other 403 page is a failed page."""
    server = member_board
    body = login_page() if login_form else b"<html><body><h1>403 Forbidden</h1></body></html>"
    times = 1 if login_form else None
    server.faults.add(f"/f{MEMBER_FORUM}-", Fault(kind="body", status=403, body=body, times=times))
    crawler = await crawl_forum(server, db_url)
    member_topics = topics_of(board, {MEMBER_FORUM})
    assert member_topics
    if login_form:
        assert stat(crawler, "forumscraper/run/status") == "finished"
        assert stat(crawler, "forumscraper/login/renewed") == 1
        assert stat(crawler, "forumscraper/fetch/failed_pages") is None
        run = last_run(engine)
        assert (run["status"], run["message"], run["errors"]) == ("finished", None, 0)
        assert ids(engine, Topic) == {topic.id for topic in board.live_topics()}
        assert count(engine, Post) == len(board.live_posts())
    else:
        assert stat(crawler, "forumscraper/login/renewed") is None
        assert_failed_once(crawler, engine, caplog, f"{server.base_url}f{MEMBER_FORUM}-", 403)
        assert ids(engine, Topic) == topics_of(board, {f.id for f in board.forums} - {MEMBER_FORUM})
