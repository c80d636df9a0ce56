"""Clean text end to end: the fixture forum crawled, then ``body_text`` of posts carrying each
feature checked, the seed post above all; and ``forumscraper reprocess``."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select, update

from forumscraper.db.engine import make_engine
from forumscraper.db.lock import LOCKED_MESSAGE, RunLock
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.models import Post
from forumscraper.demo.content import DEMO_SEED_TOPIC_ID, build_demo_board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.reprocess import main as reprocess_main
from forumscraper.reprocess import reprocess
from tests.crawling import crawl, stat

SEED_TITLE = (
    "\u201cThe War of Leaks\u201d Confuses the Political Scene... "
    "Blackmail or Expose of Corruption?"
)
SEED_END = (
    "proved the authenticity of some audio recordings that were leaked of prominent figures.\u201d"
)


def post_row(engine: Engine, post_id: int) -> dict[str, object]:
    with engine.connect() as connection:
        return dict(connection.execute(select(Post).where(Post.id == post_id)).one()._mapping)


@deferred_f_from_coro_f
async def test_seed_post_is_stored_once_clean_with_its_raw_html(
    db_url: str, engine: Engine
) -> None:
    board = build_demo_board()
    with FixtureForumServer(board, version="prosilver") as server:
        crawler = await crawl("forum", db_url, base_url=server.base_url)
    assert stat(crawler, "forumscraper/clean/posts") == len(board.live_posts())
    assert stat(crawler, "forumscraper/clean/collapsed_repeats") >= 1
    topic = board.topic(DEMO_SEED_TOPIC_ID)
    assert topic is not None
    seed = post_row(engine, topic.live_posts[0].id)
    source = resources.files("forumscraper.demo").joinpath("data/seed_post.html").read_text("utf-8")

    assert seed["body_html"] == source
    text = str(seed["body_text"])
    assert text.count(SEED_TITLE) == 1
    assert text.count("Audio leaks have dominated the scene in Iraq") == 1
    assert "[size" not in text and "[/size]" not in text
    assert "You must be registered" not in text
    assert seed["hidden_link_count"] == source.count("You must be registered and logged in")
    assert seed["collapsed_repeats"] == 1
    assert text.rstrip().endswith(SEED_END)


@deferred_f_from_coro_f
async def test_formatting_features_come_out_as_readers_expect(sqlite_url: str) -> None:
    board = build_demo_board()
    with FixtureForumServer(board, version="subsilver") as server:
        # phpBB2 shows guests no clock: the board's zone is given, as its README says
        await crawl(
            "forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Post.body_html, Post.body_text, Post.links)).all()
    finally:
        engine.dispose()
    by_feature = {
        "quote": [
            r for r in rows if '<dl class="codebox"><dt>' in r.body_html and "wrote:" in r.body_html
        ],
        "link": [r for r in rows if 'class="postlink"' in r.body_html],
        "smiley": [r for r in rows if "longdesc=" in r.body_html],
        "bbcode": [r for r in rows if "[size=" in r.body_html or "[b]" in r.body_html],
    }
    assert all(by_feature.values()), {k: len(v) for k, v in by_feature.items()}
    for row in by_feature["quote"]:
        assert "wrote:" in row.body_text and "\n> " in row.body_text
    for row in by_feature["link"]:
        assert any(link["kind"] == "link" for link in row.links)
    for row in by_feature["bbcode"]:
        assert "[size=" not in row.body_text and "[b]" not in row.body_text


@deferred_f_from_coro_f
async def test_reprocess_recomputes_derived_columns_and_never_touches_html(
    db_url: str, engine: Engine
) -> None:
    board = build_demo_board()
    with FixtureForumServer(board, version="prosilver") as server:
        await crawl("forum", db_url, base_url=server.base_url)
    with engine.begin() as connection:
        before = dict(connection.execute(select(Post.id, Post.body_html)).all())
        connection.execute(
            update(Post)
            .where(Post.id.in_(list(before)[:7]))
            .values(body_text="stale", content_hash="x")
        )
    seen, changed = reprocess(engine, batch_size=50)
    assert (seen, changed) == (len(before), 7)
    with engine.connect() as connection:
        after = dict(connection.execute(select(Post.id, Post.body_html)).all())
        stale = connection.execute(select(Post.id).where(Post.body_text == "stale")).all()
    assert after == before
    assert stale == []
    assert reprocess(engine)[1] == 0


def test_reprocess_command_reports_the_count(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert reprocess_main(["--database-url", sqlite_url]) == 2  # no file: none is made
    assert "no database at" in capsys.readouterr().err
    engine = make_engine(sqlite_url)
    upgrade_to_head(engine)
    engine.dispose()
    assert reprocess_main(["--database-url", sqlite_url]) == 0
    assert "Reprocessed 0 posts" in capsys.readouterr().out
    assert reprocess_main(["--database-url", "postgresql://nobody@127.0.0.1:1/x"]) == 1


@deferred_f_from_coro_f
async def test_reprocess_takes_the_run_lock_and_prints_plain_progress_lines_off_a_terminal(
    sqlite_url: str,
) -> None:
    """``forumscraper reprocess`` as people run it (a subprocess, its output to a pipe): never
    beside a crawl (the run lock), and progress as whole lines, no carriage returns."""
    board = build_demo_board()
    with FixtureForumServer(board, version="prosilver") as server:
        await crawl("forum", sqlite_url, base_url=server.base_url)
    command = [sys.executable, "-m", "forumscraper.cli", "reprocess"]
    command += ["--database-url", sqlite_url, "--batch-size", "50"]
    engine = make_engine(sqlite_url)
    lock = RunLock(engine)
    assert lock.acquire()
    try:
        held = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    finally:
        lock.release()
        engine.dispose()
    assert held.returncode == 1
    assert held.stderr == f"forumscraper reprocess: {LOCKED_MESSAGE}\n"
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr
    posts = len(board.live_posts())
    assert done.stderr.splitlines()[-1].startswith(f"{posts}/{posts} posts, 0 changed, ")
    assert done.stdout.startswith(f"Reprocessed {posts} posts")
