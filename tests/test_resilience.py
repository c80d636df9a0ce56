"""Database faults, bad input, signals, secrets and politeness: each against the fixture forum
and a real PostgreSQL, each ending with the rows compared to the board."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.models import CrawlRun, Post, Topic
from forumscraper.demo.content import Board, build_board, build_demo_board
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import crawl, stat
from tests.pgserver import PostgresServer, find_bindir
from tests.test_crawl_forum import check_database_holds_the_board

ROOT = Path(__file__).resolve().parents[1]
TZ = "Asia/Baghdad"


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A server of this test's own, which the test may stop and start."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries not found")
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def post_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Post)).scalar_one())


def complete_topics_are_whole(engine: Engine) -> None:
    """Every topic whose watermark was written has all its posts stored: nothing that was not
    stored is marked stored."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(Topic.id, Topic.reply_count, func.count(Post.id))
            .join(Post, Post.topic_id == Topic.id, isouter=True)
            .where(Topic.last_crawled_at.is_not(None))
            .group_by(Topic.id, Topic.reply_count)
        ).all()
    assert rows, "no topic completed at all"
    for topic_id, replies, posts in rows:
        assert posts == replies + 1, f"topic {topic_id}: {posts} posts for {replies} replies"


def error_lines(log: str) -> str:
    """The ERROR lines of a crawl's log, for assertion messages."""
    return "\n".join(line for line in log.splitlines() if "ERROR" in line)[-3000:]


def when(condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():  # type: ignore[operator]
                return
        except Exception:  # the schema may not exist yet
            pass
        time.sleep(0.05)
    raise TimeoutError("condition not reached")


# -- database faults ------------------------------------------------------------------------


@deferred_f_from_coro_f
async def test_a_database_restart_mid_crawl_costs_a_retry_not_data(
    own_postgres: PostgresServer, board: Board, server: FixtureForumServer
) -> None:
    url = own_postgres.url
    engine = make_engine(url)

    def outage() -> None:
        when(lambda: post_count(engine) >= 40)
        engine.dispose()
        own_postgres.halt()
        time.sleep(2)
        own_postgres.resume()

    thread = threading.Thread(target=outage, daemon=True)
    thread.start()
    crawler = await crawl(
        "forum",
        url,
        base_url=server.base_url,
        FORUMSCRAPER_TIMEZONE=TZ,
        FORUMSCRAPER_DB_BATCH_SIZE=20,
        FORUMSCRAPER_DB_RETRY_DELAY=1.0,
        DOWNLOAD_DELAY=0.02,
        CONCURRENT_REQUESTS_PER_DOMAIN=2,
    )
    thread.join(timeout=60)
    try:
        assert stat(crawler, "forumscraper/db/batch_retries", 0) >= 1
        assert stat(crawler, "forumscraper/run/status") == "finished"
        check_database_holds_the_board(engine, board)
    finally:
        engine.dispose()


@deferred_f_from_coro_f
async def test_a_lasting_outage_fails_the_run_and_marks_nothing_unstored(
    own_postgres: PostgresServer, board: Board, server: FixtureForumServer
) -> None:
    url = own_postgres.url
    engine = make_engine(url)

    def outage() -> None:
        when(lambda: post_count(engine) >= 40)
        engine.dispose()
        own_postgres.halt()

    thread = threading.Thread(target=outage, daemon=True)
    thread.start()
    crawler = await crawl(
        "forum",
        url,
        base_url=server.base_url,
        FORUMSCRAPER_TIMEZONE=TZ,
        FORUMSCRAPER_DB_BATCH_SIZE=20,
        FORUMSCRAPER_DB_RETRIES=2,
        FORUMSCRAPER_DB_RETRY_DELAY=0.2,
        DOWNLOAD_DELAY=0.02,
        CONCURRENT_REQUESTS_PER_DOMAIN=2,
    )
    thread.join(timeout=60)
    assert stat(crawler, "forumscraper/run/status") == "failed"
    assert "unreachable" in str(stat(crawler, "forumscraper/db/unavailable"))
    own_postgres.resume()
    try:
        complete_topics_are_whole(engine)
        assert post_count(engine) < len(board.live_posts())
        again = await crawl("forum", url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
        assert stat(again, "forumscraper/run/status") == "finished"
        check_database_holds_the_board(engine, board)
    finally:
        engine.dispose()


@deferred_f_from_coro_f
async def test_one_bad_row_does_not_lose_the_rest_of_its_batch(
    pg_url: str, board: Board, server: FixtureForumServer, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(pg_url)
    upgrade_to_head(engine)
    with engine.begin() as connection:
        # Stands for any row the database refuses (a full disk, a constraint).
        connection.execute(
            text(
                "ALTER TABLE posts ADD CONSTRAINT ck_no_poison "
                "CHECK (body_text NOT LIKE '%POISON%')"
            )
        )
    rocky = board.member_by_name("Rocky")
    after = board.topic(119).last_post_at + timedelta(minutes=1)  # type: ignore[union-attr]
    poison = board.add_post(119, rocky, "This reply holds POISON", after)
    crawler = await crawl("forum", pg_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    try:
        assert stat(crawler, "forumscraper/db/failed_rows") == 1
        assert stat(crawler, "forumscraper/run/status") == "failed"
        assert f"id={poison.id}" in caplog.text
        assert post_count(engine) == len(board.live_posts()) - 1
        with engine.connect() as connection:
            watermark = connection.execute(
                select(Topic.last_crawled_at).where(Topic.id == 119)
            ).scalar_one()
        assert watermark is None
    finally:
        engine.dispose()


@deferred_f_from_coro_f
async def test_a_bad_row_keeps_its_topics_watermark_whichever_batch_completes_it(
    pg_url: str, board: Board, server: FixtureForumServer
) -> None:
    """A topic of three pages whose first page's post is refused: with small batches its
    completion comes in a later batch than the refusal, and must not be written either. The
    next run reads the topic again and stores the post."""
    engine = make_engine(pg_url)
    upgrade_to_head(engine)
    long = max(board.live_topics(), key=lambda topic: len(topic.live_posts))
    assert len(long.live_posts) > 2 * 15, "a topic of three pages"
    refused = long.live_posts[1]
    with engine.begin() as connection:
        connection.execute(
            text(f"ALTER TABLE posts ADD CONSTRAINT ck_refused CHECK (id <> {refused.id})")
        )
    crawler = await crawl(
        "forum", pg_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ,
        FORUMSCRAPER_DB_BATCH_SIZE=5,
    )  # fmt: skip
    try:
        assert stat(crawler, "forumscraper/db/failed_rows") == 1
        with engine.connect() as connection:
            watermark = connection.execute(
                select(Topic.last_crawled_at).where(Topic.id == long.id)
            ).scalar_one()
        assert watermark is None
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE posts DROP CONSTRAINT ck_refused"))
        again = await crawl("forum", pg_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
        assert stat(again, "forumscraper/run/status") == "finished"
        check_database_holds_the_board(engine, board)
    finally:
        engine.dispose()


# -- bad input ---------------------------------------------------------------------------------


@deferred_f_from_coro_f
async def test_hostile_and_absurd_posts_are_stored_verbatim_and_safely(
    db_url: str, board: Board, server: FixtureForumServer
) -> None:
    rocky = board.member_by_name("Rocky")
    at = board.topic(119).last_post_at + timedelta(minutes=1)  # type: ignore[union-attr]
    injection = "'; DROP TABLE posts; --"
    posts = {
        "nul": board.add_post(119, rocky, "before\x00after NUL", at),
        "huge": board.add_post(119, rocky, "<p>" + "word " * 1_000_000 + "</p>", at),
        "quotes": board.add_post(
            119, rocky, "<blockquote>" * 10_000 + "deep" + "</blockquote>" * 10_000, at
        ),
        "bbcode": board.add_post(119, rocky, "[quote]" * 10_000 + "deep bbcode", at),
        "sql": board.add_post(119, rocky, injection, at),
        "script": board.add_post(119, rocky, "<script>alert('x')</script>visible", at),
        "future": board.add_post(
            119, rocky, "from the far future", datetime(2999, 1, 1, tzinfo=UTC)
        ),
    }
    board.topic(119).views = 10**13  # type: ignore[union-attr]
    board.changed()
    crawler = await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/clean/removed_chars") >= 1
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = {
                row.id: row
                for row in connection.execute(
                    select(Post.id, Post.body_html, Post.body_text, Post.posted_at).where(
                        Post.id.in_([p.id for p in posts.values()])
                    )
                )
            }
            views = connection.execute(select(Topic.view_count).where(Topic.id == 119)).scalar_one()
        assert "\x00" not in rows[posts["nul"].id].body_html
        assert "beforeafter NUL" in rows[posts["nul"].id].body_text
        assert len(rows[posts["huge"].id].body_html) > 5_000_000
        assert rows[posts["quotes"].id].body_text.endswith("deep")
        assert "deep bbcode" in rows[posts["bbcode"].id].body_text
        assert rows[posts["sql"].id].body_html == injection
        assert rows[posts["sql"].id].body_text == injection
        assert "<script>" in rows[posts["script"].id].body_html
        assert rows[posts["script"].id].body_text == "visible"
        assert rows[posts["future"].id].posted_at == datetime(2999, 1, 1, tzinfo=UTC)
        assert views is None  # past a 32-bit count: unknown, not an overflow
        assert post_count(engine) == len(board.live_posts())
    finally:
        engine.dispose()


# -- signals -----------------------------------------------------------------------------------


def scrapy_crawl(
    db_url: str, base_url: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    environment = dict(os.environ, DATABASE_URL=db_url, FORUMSCRAPER_TIMEZONE=TZ) | (env or {})
    environment.pop("FORUMSCRAPER_BASE_URL", None)
    return subprocess.Popen(
        [
            sys.executable, "-m", "scrapy", "crawl", "forum", "-a", f"base_url={base_url}",
            "-s", "AUTOTHROTTLE_ENABLED=0", *args,
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


SLOW = ("-s", "DOWNLOAD_DELAY=0.05", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")


def test_sigterm_finishes_the_batch_and_records_an_interrupted_run(
    pg_url: str, board: Board, server: FixtureForumServer
) -> None:
    engine = make_engine(pg_url)
    try:
        process = scrapy_crawl(
            pg_url, server.base_url, "-s", "FORUMSCRAPER_DB_BATCH_SIZE=20", *SLOW
        )
        when(lambda: post_count(engine) >= 30)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 1, error_lines(err)
        with engine.connect() as connection:
            status = connection.execute(select(CrawlRun.status)).scalar_one()
        assert status == "interrupted"
        complete_topics_are_whole(engine)
        again = scrapy_crawl(pg_url, server.base_url, "-s", "DOWNLOAD_DELAY=0")
        _, err = again.communicate(timeout=180)
        assert again.returncode == 0, error_lines(err)
        check_database_holds_the_board(engine, board)
    finally:
        engine.dispose()


def test_sigkill_at_random_points_ends_with_the_rows_of_a_clean_crawl(
    pg_url: str, board: Board, server: FixtureForumServer
) -> None:
    engine = make_engine(pg_url)
    chance = random.Random(20261125)
    try:
        for _ in range(3):
            done = post_count(engine) if _ else 0
            target = done + chance.randint(5, 60)
            process = scrapy_crawl(
                pg_url, server.base_url, "-s", "FORUMSCRAPER_DB_BATCH_SIZE=7", *SLOW
            )
            with contextlib.suppress(TimeoutError):
                when(lambda target=target: post_count(engine) >= target)  # type: ignore[misc]
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
        final = scrapy_crawl(pg_url, server.base_url, "-s", "DOWNLOAD_DELAY=0")
        _, err = final.communicate(timeout=180)
        assert final.returncode == 0, error_lines(err)
        check_database_holds_the_board(engine, board)
    finally:
        engine.dispose()


# -- secrets -----------------------------------------------------------------------------------


def test_no_password_in_logs_stats_or_errors(pg_url: str, server: FixtureForumServer) -> None:
    password = f"S3cret-{uuid.uuid4().hex[:10]}"
    forum_password = f"F0rum-{uuid.uuid4().hex[:10]}"
    # The test server trusts local connections, so any password is accepted (and must be hidden).
    url = make_url(pg_url).set(password=password).render_as_string(hide_password=False)
    env = {"FORUMSCRAPER_PASSWORD": forum_password}
    process = scrapy_crawl(
        url, server.base_url, "-s", "LOG_LEVEL=DEBUG", "-s", "DOWNLOAD_DELAY=0", env=env
    )
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, error_lines(err)
    assert "Overridden settings" in err
    for secret in (password, forum_password):
        assert secret not in out and secret not in err
    engine = create_engine(pg_url)
    try:
        with engine.connect() as connection:
            stats = connection.execute(select(CrawlRun.stats)).scalar_one()
        dumped = json.dumps(stats)
        assert password not in dumped and forum_password not in dumped
    finally:
        engine.dispose()
    down_url = f"postgresql://someone:{password}@127.0.0.1:1/none"
    down = scrapy_crawl(down_url, server.base_url)
    out, err = down.communicate(timeout=60)
    assert down.returncode == 1
    assert password not in out + err
    assert "***" in err


# -- politeness ------------------------------------------------------------------------------


@deferred_f_from_coro_f
async def test_robots_txt_disallow_is_honoured(sqlite_url: str) -> None:
    board = build_demo_board()
    with FixtureForumServer(board, robots_disallow=["/t16-", "/f8-"]) as server:
        crawler = await crawl(
            "forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ
        )
        requested = list(server.requests)
    assert stat(crawler, "robotstxt/forbidden") >= 2
    assert not [path for path in requested if path.startswith(("/t16-", "/f8-"))]


def test_default_settings_never_exceed_two_requests_at_once(sqlite_url: str) -> None:
    small = build_board(n_forums=2, n_topics=6, posts_per_topic=20, seed=3)
    with FixtureForumServer(small) as server:
        server.latency = 0.15
        process = scrapy_crawl(sqlite_url, server.base_url, "-s", "AUTOTHROTTLE_ENABLED=1")
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, error_lines(err)
        assert len(server.requests) > 10
        assert 1 <= server.max_in_flight <= 2
