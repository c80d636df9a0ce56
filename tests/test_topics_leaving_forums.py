"""Topics that leave a forum between two incremental runs: moved to another forum (without
the "Moved:" shadow row), or deleted.

A moved topic keeps its last post, so its new forum lists it where that date falls, often on a
page the paging proof skips, and its old forum simply stops listing it. The archive kept it in
its old forum, and a deleted topic live, with no warning, until a full run. The forum's row
(on the index, or on its parent's page) counts its topics: fewer than the archive stored means
topics left it. That forum's list is then read to its end and the stored topics it no longer
lists are asked for: a moved one's page names its new forum, a deleted one answers 404.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select

from forumscraper.db.models import Board as BoardRow
from forumscraper.db.models import Post, Topic
from forumscraper.db.runs import finish_run, start_run
from forumscraper.db.state import TOPICS_GONE_KEY, topics_changed_since_forum_run
from forumscraper.demo.content import Board
from forumscraper.demo.faults import Fault
from forumscraper.demo.server import FixtureForumServer
from forumscraper.items import TopicItem
from forumscraper.pages import ForumPage
from forumscraper.spiders.forum import ForumSpider
from tests.crawling import crawl, reply_time, stat
from tests.test_crawl_forum import check_database_holds_the_board
from tests.test_incremental import full_crawl, recent
from tests.test_incremental_heals import LONG_TOPIC, incremental
from tests.test_split_topics import BIG_FORUM

ONE = timedelta(minutes=1)
SUB_FORUM = 4
"""A sub-forum of the big forum: its row is on its parent's page, not on the index."""


def stored_topics(engine: Engine) -> tuple[dict[int, int | None], set[int]]:
    """Live topics as {id: forum}, and the ids of topics marked deleted."""
    with engine.connect() as connection:
        rows = connection.execute(select(Topic.id, Topic.forum_id, Topic.deleted_at)).all()
    live = {row.id: row.forum_id for row in rows if row.deleted_at is None}
    return live, {row.id for row in rows if row.deleted_at is not None}


def oldest_topic(board: Board, forum_id: int) -> int:
    return min(board.forum_topics(forum_id), key=lambda topic: topic.last_post_at).id


def start_topic(board: Board, forum_id: int) -> int:
    """A member starts a topic in the forum (while one leaves it, in the tests that call it):
    its id."""
    author = board.forum_topics(forum_id)[0].first_post.author
    assert author is not None
    return board.add_topic(
        forum_id, "Started meanwhile", author, "A new topic in the same forum"
    ).id


async def check_next_run_pages_as_usual(
    server: FixtureForumServer, board: Board, db_url: str
) -> None:
    """The counts now agree: the next run pages as usual and asks for no topic."""
    server.clear_requests()
    again = await incremental(server, board, db_url)
    assert stat(again, TOPICS_GONE_KEY) is None
    assert not any(path.startswith("/t") for path in server.requests)


async def check_deletion_found(
    server: FixtureForumServer,
    board: Board,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
    forum_id: int,
    gone: int,
    compared: str,
    read_whole: list[int] | None = None,
) -> None:
    """The next run finds that the forum lost a topic though its count stayed as the last run
    read it (the INFO line ends with ``compared``), reads its list to its end (the lists read
    whole are ``read_whole``, or just its own) and marks the topic ``gone`` deleted; the live
    topics are the board's."""
    with caplog.at_level(logging.INFO):
        crawler = await incremental(server, board, db_url)
    count = len(board.forum_topics(forum_id))
    assert (
        f"Forum {forum_id} lost topics: deleted, moved or merged (it counts {count} topic(s), "
        f"{count} when last read, {compared})"
    ) in caplog.text
    assert stat(crawler, TOPICS_GONE_KEY) == (read_whole or [forum_id])
    assert stat(crawler, "forumscraper/fetch/gone_topics") == 1
    live, deleted = stored_topics(engine)
    assert deleted == {gone}
    assert live == {topic.id: topic.forum_id for topic in board.live_topics()}


@pytest.mark.parametrize("source", [1, SUB_FORUM], ids=["forum", "sub-forum"])
@deferred_f_from_coro_f
async def test_a_topic_moved_far_down_another_forums_list_is_stored_in_its_new_forum(
    short_pages: Board,
    server: FixtureForumServer,
    db_url: str,
    engine: Engine,
    source: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    board = short_pages
    await full_crawl(server, board, db_url)
    moved = board.move_topic(oldest_topic(board, source), BIG_FORUM, shadow=False)
    place = [topic.id for topic in board.forum_list_paged(BIG_FORUM)].index(moved.id)
    assert place >= board.topics_per_page, "not on the first page, where paging may stop"
    with caplog.at_level(logging.INFO):
        crawler = await incremental(server, board, db_url)
    check_database_holds_the_board(engine, board)
    assert stored_topics(engine)[0][moved.id] == BIG_FORUM
    # The forum it left counts one topic less; the one it joined one more than its pages
    # read show: both lists are read to their end.
    assert stat(crawler, TOPICS_GONE_KEY) == sorted({source, BIG_FORUM})
    left = len(board.forum_topics(source))
    assert f"Forum {source} lost topics: deleted, moved or merged (it counts {left} topic(s), " in (
        caplog.text
    )
    assert f"Forum {BIG_FORUM} gained topics that the pages read so far do not show" in caplog.text
    await check_next_run_pages_as_usual(server, board, db_url)


@deferred_f_from_coro_f
async def test_a_deleted_topic_is_marked_deleted_by_the_next_incremental_run(
    short_pages: Board, server: FixtureForumServer, db_url: str, engine: Engine
) -> None:
    board = short_pages
    await full_crawl(server, board, db_url)
    gone = oldest_topic(board, BIG_FORUM)
    board.delete_topic(gone)
    crawler = await incremental(server, board, db_url)
    live, deleted = stored_topics(engine)
    assert deleted == {gone}
    assert live == {topic.id: topic.forum_id for topic in board.live_topics()}
    assert stat(crawler, TOPICS_GONE_KEY) == [BIG_FORUM]
    assert stat(crawler, "forumscraper/fetch/gone_topics") == 1


@deferred_f_from_coro_f
async def test_a_run_that_fails_before_checking_leaves_the_check_to_the_next(
    short_pages: Board,
    server: FixtureForumServer,
    db_url: str,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The failed run stored the forum's new count: the next run cannot see the drop any more,
    and learns it from the failed run's stats."""
    board = short_pages
    await full_crawl(server, board, db_url)
    moved = board.move_topic(oldest_topic(board, 1), BIG_FORUM, shadow=False)
    server.faults.add(f"/t{moved.id}-", Fault(kind="status", status=500, times=None))
    failed = await crawl(
        "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
    )
    assert stat(failed, "forumscraper/run/status") == "failed"
    assert stat(failed, TOPICS_GONE_KEY) == [1, BIG_FORUM]
    # The list of the forum it joined, read to its end, shows its row there; its page failed.
    assert stored_topics(engine)[0][moved.id] == BIG_FORUM
    server.faults.clear()
    with caplog.at_level(logging.INFO):
        crawler = await incremental(server, board, db_url)
    assert "Forum 1 lost topics: deleted, moved or merged (a run that did not finish found " in (
        caplog.text
    )
    assert stat(crawler, TOPICS_GONE_KEY) == [1, BIG_FORUM]
    check_database_holds_the_board(engine, board)
    again = await incremental(server, board, db_url)
    assert stat(again, TOPICS_GONE_KEY) is None, "a finished run leaves nothing to carry"


@deferred_f_from_coro_f
async def test_a_topic_moved_while_another_is_started_is_found_by_the_forum_it_joins(
    short_pages: Board, server: FixtureForumServer, db_url: str, engine: Engine
) -> None:
    """A topic that leaves a forum while another is started in it leaves that forum's count as
    it was, one less than its pages show arriving; the forum it joins counts one topic more
    than its pages read show. Both lists are read to their end."""
    board = short_pages
    await full_crawl(server, board, db_url)
    moved = board.move_topic(oldest_topic(board, 1), BIG_FORUM, shadow=False)
    start_topic(board, 1)
    crawler = await incremental(server, board, db_url)
    assert stat(crawler, TOPICS_GONE_KEY) == [1, BIG_FORUM]
    assert stored_topics(engine)[0][moved.id] == BIG_FORUM
    check_database_holds_the_board(engine, board)


@pytest.mark.parametrize("source", [BIG_FORUM, SUB_FORUM], ids=["paged-forum", "sub-forum"])
@pytest.mark.parametrize("stored_by", ["this-run", "recent"])
@deferred_f_from_coro_f
async def test_a_topic_deleted_while_another_is_started_is_found_by_the_next_run(
    short_pages: Board,
    server: FixtureForumServer,
    db_url: str,
    engine: Engine,
    source: int,
    stored_by: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A topic deleted while another is started in its forum leaves the count as it was, and
    no forum gains one: the count is one less than the last run's plus the topic the list shows
    arriving. (It once waited for a full run.) The big forum's list is four pages, where paging
    stops; the sub-forum's, one, whose row is on its parent's page.

    Or a ``recent`` run between the two ``forum`` runs stores the new topic, so the next
    ``forum`` run's pages show none arriving: the topics other runs brought into the archive's
    forum since the last ``forum`` run ended are counted with that run's count. (That too once
    waited for a full run.)"""
    board = short_pages
    await full_crawl(server, board, db_url)
    gone = oldest_topic(board, source)
    board.delete_topic(gone)
    new = start_topic(board, source)
    compared = "and the pages read so far show 1 new to it"
    if stored_by == "recent":
        await recent(server, board, db_url)
        assert stored_topics(engine)[0][new] == source
        compared = "and +1 in the archive since, by other runs"
    await check_deletion_found(server, board, db_url, engine, caplog, source, gone, compared)
    await check_next_run_pages_as_usual(server, board, db_url)


@deferred_f_from_coro_f
async def test_a_topic_merged_away_while_another_is_started_is_stored_merged(
    short_pages: Board, server: FixtureForumServer, db_url: str, engine: Engine
) -> None:
    """A topic merged into one of another forum, with no trace left in its list, while another
    is started in its forum: its old address answers with the topic it joined, whose row it
    names (``moved_to_id``); its posts are stored there, none marked deleted."""
    board = short_pages
    await full_crawl(server, board, db_url)
    old = oldest_topic(board, BIG_FORUM)
    merged = board.topic(old)
    assert merged is not None
    posts = [post.id for post in merged.live_posts]
    into = board.forum_topics(1)[0].id
    board.merge_topic(old, into, keep_row=False)
    start_topic(board, BIG_FORUM)
    crawler = await incremental(server, board, db_url)
    assert BIG_FORUM in stat(crawler, TOPICS_GONE_KEY)
    assert stat(crawler, "forumscraper/db/deleted_posts", 0) == 0
    with engine.connect() as connection:
        row = connection.execute(select(Topic.moved_to_id).where(Topic.id == old)).one()
        homes = set(connection.execute(select(Post.topic_id).where(Post.id.in_(posts))).scalars())
    assert row.moved_to_id == into
    assert homes == {into}
    assert stored_topics(engine)[0] == {topic.id: topic.forum_id for topic in board.live_topics()}


@deferred_f_from_coro_f
async def test_a_moved_topic_read_from_a_later_page_and_checked_by_its_old_forum_is_read_whole(
    board: Board, server: FixtureForumServer, db_url: str, engine: Engine
) -> None:
    """A topic moved without a shadow gets a reply: its new forum's list makes the run read it
    from the page of the reply, and its old forum's count, one lower, makes the run ask for its
    first page too. That page joins the visit, which then reads every page between: none of
    its posts is marked deleted. (The old forum's list answers later, and the reply's page last,
    as a slow server may.)"""
    await full_crawl(server, board, db_url)
    topic = board.topic(LONG_TOPIC)
    assert topic is not None and len(topic.live_posts) > 2 * 15
    source = topic.forum_id
    board.move_topic(LONG_TOPIC, 1, shadow=False)
    rocky = board.member_by_name("Rocky")
    board.add_post(LONG_TOPIC, rocky, "<p>After the move.</p>", reply_time(board, LONG_TOPIC, ONE))
    server.faults.add(f"/f{source}-", Fault(kind="stall", seconds=1.0))
    server.faults.add(f"/t{LONG_TOPIC}p30-", Fault(kind="stall", seconds=2.0))
    crawler = await incremental(server, board, db_url)
    assert stat(crawler, TOPICS_GONE_KEY) == [source]
    assert stat(crawler, "forumscraper/db/deleted_posts", 0) == 0
    check_database_holds_the_board(engine, board)


@deferred_f_from_coro_f
async def test_a_new_global_announcement_heading_every_list_is_no_topic_lost(
    short_pages: Board, server: FixtureForumServer, db_url: str, engine: Engine
) -> None:
    """A topic started and made a global announcement at once: every forum's list shows a row
    the archive never stored, though only its own forum's count includes it. Counted as an
    arrival everywhere, it would make every other forum seem to have lost a topic and have its
    list read to its end; it is no arrival for certain, so no list is, and its row is stored."""
    board = short_pages
    await full_crawl(server, board, db_url)
    start_topic(board, 1)
    new = max(topic.id for topic in board.live_topics())
    board.make_global_announcement(new)
    crawler = await incremental(server, board, db_url)
    assert stat(crawler, TOPICS_GONE_KEY) is None
    assert stored_topics(engine)[0] == {topic.id: topic.forum_id for topic in board.live_topics()}
    check_database_holds_the_board(engine, board)


@deferred_f_from_coro_f
async def test_topics_a_recent_run_stored_cost_the_next_forum_run_no_list_read_whole(
    short_pages: Board, server: FixtureForumServer, db_url: str, engine: Engine
) -> None:
    """New topics a ``recent`` run stored are in the forums' counts the next ``forum`` run
    reads, and in none of its pages as arrivals: counted as brought into the archive's forums
    since the last ``forum`` run, they explain the higher counts, so no list is read to its end
    for them."""
    board = short_pages
    await full_crawl(server, board, db_url)
    start_topic(board, BIG_FORUM)
    start_topic(board, SUB_FORUM)
    await recent(server, board, db_url)
    await check_next_run_pages_as_usual(server, board, db_url)
    check_database_holds_the_board(engine, board)


@deferred_f_from_coro_f
async def test_a_topic_a_recent_run_stored_then_deleted_is_marked_deleted_by_the_next_run(
    short_pages: Board, server: FixtureForumServer, db_url: str, engine: Engine
) -> None:
    """A topic started, stored by a ``recent`` run, then deleted before the next ``forum`` run:
    its forum counts what the last ``forum`` run stored, one less than that plus the topic
    stored since. The list is read to its end and the topic asked for: it answers 404."""
    board = short_pages
    await full_crawl(server, board, db_url)
    new = start_topic(board, BIG_FORUM)
    await recent(server, board, db_url)
    board.delete_topic(new)
    crawler = await incremental(server, board, db_url)
    assert stat(crawler, TOPICS_GONE_KEY) == [BIG_FORUM]
    live, deleted = stored_topics(engine)
    assert deleted == {new}
    assert live == {topic.id: topic.forum_id for topic in board.live_topics()}
    await check_next_run_pages_as_usual(server, board, db_url)


@pytest.mark.parametrize("delete", [False, True], ids=["moved", "moved-and-one-deleted"])
@deferred_f_from_coro_f
async def test_a_topic_a_recent_run_found_moved_is_counted_by_the_next_forum_run(
    short_pages: Board,
    server: FixtureForumServer,
    db_url: str,
    engine: Engine,
    delete: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A topic moved (no shadow row) gets a reply: a ``recent`` run reads it from the widget and
    stores it in its new forum. The next ``forum`` run finds its old forum a topic short and its
    new one a topic up, both explained by what the ``recent`` run changed in the archive: no
    list is read to its end for them (both once were). Unless a topic was also deleted in the
    forum it joined, which balances that forum's count: that list is then read to its end and
    the deleted topic found (it once waited for a full run)."""
    board = short_pages
    await full_crawl(server, board, db_url)
    moved = board.move_topic(oldest_topic(board, 1), BIG_FORUM, shadow=False)
    rocky = board.member_by_name("Rocky")
    board.add_post(moved.id, rocky, "<p>After the move.</p>", reply_time(board, moved.id, ONE))
    gone = oldest_topic(board, BIG_FORUM)
    if delete:
        board.delete_topic(gone)
    await recent(server, board, db_url)
    assert stored_topics(engine)[0][moved.id] == BIG_FORUM
    if delete:
        compared = "and +1 in the archive since, by other runs"
        await check_deletion_found(server, board, db_url, engine, caplog, BIG_FORUM, gone, compared)
    else:
        check_database_holds_the_board(engine, board)
    await check_next_run_pages_as_usual(server, board, db_url)


@pytest.mark.parametrize("status", ["failed", "abandoned", "finished-without-counts"])
@deferred_f_from_coro_f
async def test_nothing_is_counted_after_a_forum_run_that_did_not_finish_or_record_counts(
    short_pages: Board, server: FixtureForumServer, db_url: str, engine: Engine, status: str
) -> None:
    """A ``forum`` run that failed or was killed may have read a row counting a topic it never
    stored, which a ``recent`` run stored after it: counting that topic again would explain a
    topic gained unseen. Nothing is counted until a ``forum`` run finishes; the run in progress
    (``running``) is not the last one. Nor after a finished run that recorded no counts at its
    end (an archive of a version before them): the next finished one records them."""
    board = short_pages
    await full_crawl(server, board, db_url)
    start_topic(board, BIG_FORUM)
    await recent(server, board, db_url)
    with engine.connect() as connection:
        board_id = connection.execute(select(BoardRow.id)).scalar_one()
    assert topics_changed_since_forum_run(engine, board_id) == {BIG_FORUM: 1}
    run_id, _ = start_run(engine, "forum", server.base_url, board_id)
    assert topics_changed_since_forum_run(engine, board_id) == {BIG_FORUM: 1}
    if status == "abandoned":
        start_run(engine, "recent", server.base_url, board_id)  # finds it still running
    else:
        finished = status.split("-")[0]
        finish_run(engine, run_id, status=finished, message=status, counts={}, stats={})
    assert topics_changed_since_forum_run(engine, board_id) == {}


@pytest.mark.parametrize(
    ("source", "into", "late"),
    [
        (1, BIG_FORUM, 1),
        (1, BIG_FORUM, BIG_FORUM),
        (SUB_FORUM, BIG_FORUM, SUB_FORUM),
        (1, SUB_FORUM, None),
        (BIG_FORUM, 1, BIG_FORUM),
        (SUB_FORUM, BIG_FORUM, "proof"),
    ],
    ids=[
        "left-answers-late",
        "joined-answers-late",
        "from-sub-forum",
        "into-sub-forum",
        "an-announcement",
        "found-while-the-proof-is-read",
    ],
)
@deferred_f_from_coro_f
async def test_a_topic_moved_in_without_a_reply_beside_a_deletion_is_found_by_the_forum_it_left(
    short_pages: Board,
    server: FixtureForumServer,
    db_url: str,
    engine: Engine,
    source: int,
    into: int,
    late: int | str | None,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A topic moved (no shadow row, no reply) into a forum where another is deleted: that
    forum counts as many topics as the last run read, and its pages read show none arriving
    (the moved one keeps its old last post, so it is listed where paging stops). The forum it
    left counts one less: its list is read to its end and the topic asked for, whose page
    names the forum it joined. That arrival, found by its page, leaves the forum it joined a
    topic short: its list is read to its end, and the deleted topic found. (It once waited
    for a full run.) Whichever answers first: the forum left (``late``: its list answers
    late), and the other's list is read on from where paging stopped; or the topic's page,
    counted when the forum joined decides whether to page on. A one-page list shows the moved
    topic arriving, as the sub-forum's does; an announcement heads the list it joins, no
    certain arrival there (a global one heads every list), until its page names that forum.
    Or the topic's page is read while the forum joined awaits the proof that paging may stop
    (``late`` is ``"proof"``: the database answers it a second late)."""
    board = short_pages
    await full_crawl(server, board, db_url)
    gone = oldest_topic(board, into)
    if source == BIG_FORUM:  # its announcement (it has no global one)
        moving = next(topic.id for topic in board.forum_topics(source) if topic.announcement)
    else:
        moving = oldest_topic(board, source)
    moved = board.move_topic(moving, into, shadow=False)
    board.delete_topic(gone)
    listed = [topic.id for topic in board.forum_list_paged(into)]
    if len(listed) > board.topics_per_page:
        assert listed.index(moved.id) >= board.topics_per_page, "listed where paging stops"
    if late == "proof":
        proven = ForumSpider.rest_proven

        async def slow(spider: ForumSpider, topics: list[TopicItem], page: ForumPage) -> bool:
            await asyncio.sleep(1.0)
            return await proven(spider, topics, page)

        monkeypatch.setattr(ForumSpider, "rest_proven", slow)
    elif late is not None:
        server.faults.add(f"/f{late}-", Fault(kind="stall", seconds=1.0))
    compared = "and the pages read so far show 1 new to it"
    read_whole = sorted({source, into})
    await check_deletion_found(
        server, board, db_url, engine, caplog, into, gone, compared, read_whole
    )
    await check_next_run_pages_as_usual(server, board, db_url)
