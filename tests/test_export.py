"""``forumscraper export`` against the demo board crawled by the real spider, on SQLite and on
PostgreSQL: every live post and topic comes out once, field by field as the board holds it, in
JSON lines, CSV and Parquet (in row groups); the filters select what they say; a wrong
argument is one line and leaves no file. Also: ``scrapy crawl … -O file.jsonl`` still stores
everything, and every line of its feed carries a ``type``."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from forumscraper.commands import export
from forumscraper.db.board import board_url
from forumscraper.db.engine import make_engine
from forumscraper.db.models import Post, table_of
from forumscraper.demo.content import Board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.text.clean import clean_post
from tests.crawling import Archive, demo_archive


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def archive(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Archive]:
    """The demo board crawled once per backend."""
    yield from demo_archive(request, tmp_path_factory, "export")


def run_export(archive: Archive, *args: str) -> int:
    return export.main([*args, "--database-url", archive.url])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def test_posts_as_json_lines_hold_every_live_post_field_by_field(
    archive: Archive, tmp_path: Path
) -> None:
    out = tmp_path / "posts.jsonl"
    assert run_export(archive, "posts", "--format", "jsonl", "-o", str(out)) == 0
    rows = read_jsonl(out)
    board = archive.board
    live = {post.id: (topic, post) for topic in board.live_topics() for post in topic.live_posts}
    assert [row["post_id"] for row in rows] == sorted(live)
    assert all(list(row) == list(export.POST_COLUMNS) for row in rows)
    for row in rows:
        topic, post = live[row["post_id"]]
        forum = board.forum(topic.forum_id)
        assert forum is not None
        assert row["board_url"] == board_url(archive.base_url)
        assert row["topic_id"] == topic.id
        assert row["topic_title"] == topic.title
        assert row["forum_id"] == forum.id
        assert row["forum_title"] == forum.title
        assert row["author_name"] == post.author_name
        assert row["posted_at"] == iso(post.posted_at)
        assert row["body_text"] == clean_post(post.body_html).body_text
        assert row["url"].endswith(f"/t{topic.id}-{topic.slug}#{post.id}")


def test_topics_as_csv_count_their_live_posts(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "topics.csv"
    assert run_export(archive, "topics", "--format", "csv", "-o", str(out)) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(export.TOPIC_COLUMNS)
    topics = {topic.id: topic for topic in archive.board.live_topics()}
    assert sorted(int(row["topic_id"]) for row in rows) == sorted(topics)
    for row in rows:
        topic = topics[int(row["topic_id"])]
        assert row["title"] == topic.title
        assert row["description"] == topic.description  # CSV: "" for none
        assert int(row["post_count"]) == len(topic.live_posts)
        assert row["last_post_at"] == iso(max(p.posted_at for p in topic.live_posts))


def test_parquet_is_written_in_row_groups_with_the_same_values(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "ROW_GROUP", 100)
    monkeypatch.setattr(export, "YIELD_PER", 30)
    jsonl, parquet = tmp_path / "posts.jsonl", tmp_path / "posts.parquet"
    assert run_export(archive, "posts", "-o", str(jsonl)) == 0
    assert run_export(archive, "posts", "--format", "parquet", "-o", str(parquet)) == 0
    expected = read_jsonl(jsonl)
    table = pq.ParquetFile(parquet)
    assert table.metadata.num_row_groups == -(-len(expected) // 100)
    assert table.schema_arrow.names == list(export.POST_COLUMNS)
    rows = table.read().to_pylist()
    assert len(rows) == len(expected)
    for row, line in zip(rows, expected, strict=True):
        assert {k: iso(v) if isinstance(v, datetime) else v for k, v in row.items()} == line


def test_filters_select_by_date_forum_and_board(archive: Archive, tmp_path: Path) -> None:
    board = archive.board
    topic = max(board.live_topics(), key=lambda t: len(t.live_posts))
    forum = board.forum(topic.forum_id)
    assert forum is not None
    forum_posts = sorted(
        p.id for t in board.live_topics() if t.forum_id == forum.id for p in t.live_posts
    )
    for given in (str(forum.id), forum.title.upper()):
        out = tmp_path / "forum.jsonl"
        assert run_export(archive, "posts", "--forum", given, "--board", "1", "-o", str(out)) == 0
        assert [row["post_id"] for row in read_jsonl(out)] == forum_posts
    posted = sorted(p.posted_at for p in board.live_posts())
    since = posted[len(posted) // 2]
    out = tmp_path / "since.jsonl"
    assert run_export(archive, "posts", "--since", since.isoformat(), "-o", str(out)) == 0
    assert sorted(row["post_id"] for row in read_jsonl(out)) == sorted(
        p.id for p in board.live_posts() if p.posted_at >= since
    )
    out = tmp_path / "board.jsonl"
    assert run_export(archive, "topics", "--board", archive.base_url, "-o", str(out)) == 0
    assert len(read_jsonl(out)) == len(board.live_topics())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["posts", "--forum", "No such forum"], "--forum 'No such forum': no such forum"),
        (["posts", "--board", "7"], "--board: no board '7' in this database (boards: 1 http"),
        (
            ["posts", "--board", "https://other.forumotion.com/"],
            "--board: no board 'https://other.forumotion.com/' in this database",
        ),
    ],
)
def test_a_wrong_argument_is_one_line_and_leaves_the_old_file(
    archive: Archive,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    out = tmp_path / "posts.jsonl"
    out.write_text("an earlier export\n")
    assert run_export(archive, *args, "-o", str(out)) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"forumscraper export: error: {message}")
    assert error.count("\n") == 1
    assert out.read_text() == "an earlier export\n"
    assert list(tmp_path.iterdir()) == [out]


def test_a_bad_date_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    assert export.main(["posts", "--since", "yesterday"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("forumscraper export: error: argument --since: not a date: 'yesterday'")
    assert error.count("\n") == 1


def test_parquet_without_pyarrow_names_the_extra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if not installed: import fails
    out = tmp_path / "posts.parquet"
    assert export.main(["posts", "--format", "parquet", "-o", str(out)]) == 2
    assert capsys.readouterr().err == (
        "forumscraper export: error: --format parquet needs pyarrow: "
        "pip install 'forumscraper[parquet]'\n"
    )
    assert not out.exists()


def test_scrapy_crawl_dash_o_writes_typed_lines_and_still_stores_every_post(
    sqlite_url: str, server: FixtureForumServer, board: Board, tmp_path: Path
) -> None:
    """``scrapy crawl forum -O items.jsonl`` as people type it, then ``forumscraper export``
    of the same database to stdout, through a pipe."""
    from tests.test_crawl_command import scrapy_crawl

    feed = tmp_path / "items.jsonl"
    done = scrapy_crawl(
        "-a",
        f"base_url={server.base_url}",
        "-O",
        str(feed),
        "-s",
        "AUTOTHROTTLE_ENABLED=0",
        "-s",
        "DOWNLOAD_DELAY=0",
        env={"DATABASE_URL": sqlite_url, "FORUMSCRAPER_TIMEZONE": board.timezone},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = read_jsonl(feed)
    assert {line["type"] for line in lines} == {"category", "forum", "topic", "topic_page"}
    pages = [line for line in lines if line["type"] == "topic_page"]
    posts = [post for page in pages for post in page["posts"]]
    assert {post["type"] for post in posts} == {"post"}
    assert {page["completed"]["type"] for page in pages if page["completed"]} == {"topic"}
    assert sorted(post["id"] for post in posts) == sorted(p.id for p in board.live_posts())
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(table_of(Post)))
            assert stored.scalar_one() == len(board.live_posts())
    finally:
        engine.dispose()
    exported = subprocess.run(
        [sys.executable, "-m", "forumscraper.cli", "export", "posts", "--database-url", sqlite_url],
        capture_output=True,
        check=True,
        timeout=120,
    )
    rows = [json.loads(line) for line in exported.stdout.decode().splitlines()]
    assert sorted(row["post_id"] for row in rows) == sorted(p.id for p in board.live_posts())
    assert exported.stderr == b""
