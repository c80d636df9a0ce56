"""Incremental, scheduled crawling against the fixture forum, which changes between runs:
the ``recent`` spider, incremental ``forum`` runs, edits and deletions, kill-and-resume,
overlapping runs and exit statuses."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, func, select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import CrawlRun, Forum, Post, PostRevision, Topic
from forumscraper.demo.content import Board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.pages.versions import VERSIONS
from tests.crawling import crawl, stat
from tests.test_crawl_forum import NO_VIEW_COUNTS, check_database_holds_the_board, count

ROOT = Path(__file__).resolve().parents[1]
LISTINGS = ("/robots.txt", "/", "/feed/", "/search?search_id=activetopics")


def minute(delta: int = 0) -> datetime:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return now + timedelta(minutes=delta)


def topic_requests(server: FixtureForumServer) -> list[str]:
    return [path for path in server.requests if re.match(r"/t\d+", path)]


async def full_crawl(server: FixtureForumServer, board: Board, db_url: str) -> None:
    crawler = await crawl(
        "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
    )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    server.clear_requests()


async def refetch_everything(server: FixtureForumServer, board: Board, db_url: str) -> object:
    """``scrapy crawl forum -a full=1``."""
    return await crawl(
        "forum",
        db_url,
        base_url=server.base_url,
        spider_args={"full": "1"},
        FORUMSCRAPER_TIMEZONE=board.timezone,
    )


async def recent(server: FixtureForumServer, board: Board, db_url: str) -> object:
    crawler = await crawl(
        "recent", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
    )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    return crawler


@deferred_f_from_coro_f
async def test_recent_on_an_unchanged_forum_reads_only_the_listings(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    await full_crawl(server, board, db_url)
    crawler = await recent(server, board, db_url)
    assert sorted(server.requests) == sorted(LISTINGS[: len(server.requests)])
    assert set(server.requests) <= set(LISTINGS)
    assert stat(crawler, "forumscraper/db/new_posts", 0) == 0
    assert stat(crawler, "forumscraper/db/updated_posts", 0) == 0
    check_database_holds_the_board(engine, board)


@deferred_f_from_coro_f
async def test_recent_fetches_new_posts_and_topics_only(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    await full_crawl(server, board, db_url)
    rocky = board.member_by_name("Rocky")
    long_topic = max(board.live_topics(), key=lambda t: len(t.live_posts))
    changed = [long_topic.id, *[t.id for t in board.live_topics()[:2] if t.id != long_topic.id]]
    for index, topic_id in enumerate(changed):
        for k in range(2):
            board.add_post(topic_id, rocky, f"<b>New reply {index}.{k}</b>", minute(-5 + k))
    new_topic = board.add_topic(5, "A brand new topic", rocky, "First post of it", minute(-1))
    crawler = await recent(server, board, db_url)

    assert stat(crawler, "forumscraper/db/new_posts") == 2 * len(changed) + 1
    # The widget and the feed do not show view counts: a topic known only from them has none.
    check_database_holds_the_board(engine, board, unknown_views=frozenset({new_topic.id}))
    fetched = topic_requests(server)
    # One page per changed topic (the one holding its first new post), the new topic whole.
    assert len(fetched) <= len(changed) + 1 + 1, fetched
    assert any(path.startswith(f"/t{new_topic.id}-") for path in fetched)


@deferred_f_from_coro_f
async def test_an_edited_post_keeps_its_previous_version(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    await full_crawl(server, board, db_url)
    topic = board.topic(119)
    assert topic is not None
    edited = topic.live_posts[-1]
    old_body = edited.body_html
    editor = board.member_by_name("Rocky")
    assert editor is not None
    board.edit_post(edited.id, "<i>Corrected text of the post</i>", editor, minute(-2))
    board.add_post(topic.id, editor, "A reply after the edit", minute(-1))
    await recent(server, board, db_url)
    with engine.connect() as connection:
        body = connection.execute(select(Post.body_html).where(Post.id == edited.id)).scalar_one()
        revisions = connection.execute(
            select(PostRevision.body_html).where(PostRevision.post_id == edited.id)
        ).all()
    assert body == "<i>Corrected text of the post</i>"
    assert [row[0] for row in revisions] == [old_body]


@deferred_f_from_coro_f
async def test_deleted_posts_and_topics_are_marked_not_removed(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    await full_crawl(server, board, db_url)
    topic = board.topic(119)
    assert topic is not None
    victim = topic.live_posts[1]
    board.delete_post(victim.id)
    gone = board.topic(39)
    assert gone is not None
    board.delete_topic(gone.id)
    crawler = await refetch_everything(server, board, db_url)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/fetch/gone_topics") == 1
    with engine.connect() as connection:
        deleted = connection.execute(
            select(Post.deleted_at).where(Post.id == victim.id)
        ).scalar_one()
        topic_deleted = connection.execute(
            select(Topic.deleted_at).where(Topic.id == gone.id)
        ).scalar_one()
        gone_posts = connection.execute(
            select(func.count())
            .select_from(Post)
            .where(Post.topic_id == gone.id, Post.deleted_at.is_not(None))
        ).scalar_one()
        total = connection.execute(select(func.count()).select_from(Post)).scalar_one()
    assert deleted is not None
    assert topic_deleted is not None
    assert gone_posts == len(gone.live_posts)
    assert total == len(board.live_posts()) + 1 + len(gone.live_posts)


@deferred_f_from_coro_f
async def test_a_deleted_forum_and_its_topics_are_marked_by_a_full_run_only(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    """A forum deleted on the board (with its sub-forum and their topics) leaves the index: an
    incremental run cannot tell, a full run asks for it, reads the 404 and marks it, its
    sub-forum and each of their topics deleted (each on its own 404); nothing else changes."""
    await full_crawl(server, board, db_url)
    parent = next(f for f in board.forums if any(s.parent_id == f.id for s in board.forums))
    doomed = {parent.id} | {f.id for f in board.forums if f.parent_id == parent.id}
    doomed_topics = {t.id for t in board.live_topics() if t.forum_id in doomed}
    doomed_posts = sum(len(t.live_posts) for t in board.live_topics() if t.forum_id in doomed)
    assert doomed_topics and len(doomed) == 2
    board.delete_forum(parent.id)

    def deleted(model: type[Forum] | type[Topic] | type[Post]) -> set[int]:
        with engine.connect() as connection:
            query = select(model.id).where(model.deleted_at.is_not(None))
            return set(connection.execute(query).scalars())

    await full_crawl(server, board, db_url)  # incremental: the forum is not asked for
    assert (deleted(Forum), deleted(Topic), deleted(Post)) == (set(), set(), set())
    crawler = await refetch_everything(server, board, db_url)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/fetch/gone_forums") == 2
    assert stat(crawler, "forumscraper/fetch/gone_topics") == len(doomed_topics)
    assert stat(crawler, "forumscraper/fetch/failed_pages") is None
    assert deleted(Forum) == doomed
    assert deleted(Topic) == doomed_topics
    assert len(deleted(Post)) == doomed_posts
    with engine.connect() as connection:
        live = select(func.count()).select_from(Topic).where(Topic.deleted_at.is_(None))
        assert connection.execute(live).scalar_one() == len(board.live_topics())


@pytest.mark.parametrize("version", VERSIONS)
@deferred_f_from_coro_f
async def test_last_poster_avatars_leave_an_unchanged_board_unread(
    board: Board, db_url: str, engine: Engine, version: str
) -> None:
    """Topic lists that show each last poster's avatar (an ACP option) read as without: a
    second run of an unchanged board fetches no topic and stops paging (on phpBB3 it read
    no last post, so fetched every topic again and paged every list to its end)."""
    board.last_poster_avatars = True
    with FixtureForumServer(board, version=version) as server:
        await full_crawl(server, board, db_url)
        blind = version in NO_VIEW_COUNTS
        unknown = frozenset(t.id for t in board.live_topics()) if blind else frozenset()
        check_database_holds_the_board(engine, board, unknown)
        crawler = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
        assert stat(crawler, "forumscraper/run/status") == "finished"
        assert topic_requests(server) == []
        assert stat(crawler, "forumscraper/incremental/forum_pages_skipped") >= 1


@deferred_f_from_coro_f
async def test_forum_rerun_skips_unchanged_topics_and_full_refetches(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    await full_crawl(server, board, db_url)
    crawler = await crawl(
        "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
    )
    assert topic_requests(server) == []
    assert stat(crawler, "forumscraper/incremental/forum_pages_skipped") >= 1
    server.clear_requests()
    full = await crawl(
        "forum",
        db_url,
        base_url=server.base_url,
        spider_args={"full": "1"},
        FORUMSCRAPER_TIMEZONE=board.timezone,
    )
    assert stat(full, "forumscraper/run/status") == "finished"
    assert len({p.split("#")[0] for p in topic_requests(server)}) >= len(board.live_topics())
    check_database_holds_the_board(engine, board)


# -- runs as cron runs them: `scrapy crawl` in a subprocess ---------------------------------


def scrapy_crawl(
    spider: str, db_url: str, base_url: str | None, *args: str
) -> subprocess.Popen[str]:
    env = dict(os.environ, DATABASE_URL=db_url, FORUMSCRAPER_TIMEZONE="Asia/Baghdad")
    env.pop("FORUMSCRAPER_BASE_URL", None)
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-s", "AUTOTHROTTLE_ENABLED=0"]
    if base_url:
        command += ["-a", f"base_url={base_url}"]
    return subprocess.Popen(
        [*command, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stored_posts(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Post)).scalar_one())


def test_exit_status_is_zero_on_success_and_one_with_the_database_down(
    server: FixtureForumServer, sqlite_url: str
) -> None:
    ok = scrapy_crawl("forum", sqlite_url, server.base_url, "-s", "DOWNLOAD_DELAY=0")
    out, err = ok.communicate(timeout=120)
    assert ok.returncode == 0, err[-2000:]
    assert "finished" in out
    down = scrapy_crawl("forum", "postgresql://nobody@127.0.0.1:1/none", server.base_url)
    out, err = down.communicate(timeout=60)
    assert down.returncode == 1
    assert "cannot use the database" in err
    assert "Traceback" not in err


def test_a_killed_crawl_resumes_to_the_same_rows(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    slow = ("-s", "DOWNLOAD_DELAY=0.05", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    process = scrapy_crawl(
        "forum", db_url, server.base_url, "-s", "FORUMSCRAPER_DB_BATCH_SIZE=20", *slow
    )
    deadline = time.monotonic() + 120
    make_engine(db_url).dispose()
    while time.monotonic() < deadline:
        try:
            if stored_posts(engine) >= 60:
                break
        except Exception:  # schema not created yet
            pass
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert 0 < stored_posts(engine) < len(board.live_posts())

    again = scrapy_crawl("forum", db_url, server.base_url, "-s", "DOWNLOAD_DELAY=0")
    _, err = again.communicate(timeout=180)
    assert again.returncode == 0, err[-3000:]
    check_database_holds_the_board(engine, board)
    with engine.connect() as connection:
        statuses = connection.execute(select(CrawlRun.status).order_by(CrawlRun.id)).scalars().all()
        watermarks = connection.execute(
            select(func.count()).select_from(Topic).where(Topic.last_crawled_at.is_(None))
        ).scalar_one()
    assert statuses == ["abandoned", "finished"]  # the killed run, found by the next one
    assert watermarks == 0


def test_an_overlapping_run_stops_at_once(
    server: FixtureForumServer, board: Board, db_url: str, engine: Engine
) -> None:
    first = scrapy_crawl(
        "forum",
        db_url,
        server.base_url,
        "-s",
        "DOWNLOAD_DELAY=0.05",
        "-s",
        "CONCURRENT_REQUESTS_PER_DOMAIN=1",
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not server.requests:
        time.sleep(0.05)
    time.sleep(0.5)
    second = scrapy_crawl("recent", db_url, server.base_url)
    _, err = second.communicate(timeout=60)
    assert second.returncode == 1
    assert "another forumscraper run is using this database" in err
    _, first_err = first.communicate(timeout=180)
    assert first.returncode == 0, first_err[-3000:]
    check_database_holds_the_board(engine, board)
    assert count(engine, Post) == len(board.live_posts())


@pytest.mark.parametrize("version", ["prosilver", "subsilver"])
@deferred_f_from_coro_f
async def test_recent_without_a_configured_timezone_reads_only_the_listings(
    version: str, board: Board, sqlite_url: str
) -> None:
    # The board's clock (or, where guests see none, the timezone recorded by the previous run)
    # must be known before the listings' "Today at …" dates are compared with stored ones. Where
    # guests see no clock the first run needs the zone set (else it reads UTC and, in the hours
    # when the board's "Today" is ahead of UTC's, stops on dates after the server's clock).
    first = {"FORUMSCRAPER_TIMEZONE": board.timezone} if version == "subsilver" else {}
    with FixtureForumServer(board, version=version) as server:
        await crawl("forum", sqlite_url, base_url=server.base_url, **first)
        server.clear_requests()
        crawler = await crawl("recent", sqlite_url, base_url=server.base_url)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        assert set(server.requests) <= set(LISTINGS)
