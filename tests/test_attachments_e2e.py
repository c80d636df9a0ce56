"""Attached files end to end, into SQLite and a real PostgreSQL: ``forum`` stores each post's
files (``posts.attachments``) as its page lists them, ``[]`` for a post without; a later run
seen as a guest who may not download keeps the links an earlier view stored, and takes the new
download counts. A box in markup the reader does not know (a board's own template) stores NULL,
counted and said, never "no files". Migration 0011 goes down and up (rows stored before it hold
NULL)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, inspect, select

from forumscraper.db.migrate import alembic_config
from forumscraper.db.models import Post
from forumscraper.demo.content import DEMO_FORMATTING_TOPIC_ID, Attachment, build_demo_board
from forumscraper.demo.faults import Fault
from forumscraper.demo.server import FixtureForumServer
from forumscraper.demo.site import respond
from forumscraper.spiders.topics import UNREAD_ATTACHMENTS_KEY
from tests.crawling import crawl, stat

FILES = [
    Attachment(7, "floor plan v2.pdf", "12.5 Kb", 3, "the plan we discussed"),
    Attachment(8, "photo.jpg", "80 Kb", 0),
]


def stored_files(engine: Engine) -> dict[int, Any]:
    with engine.connect() as connection:
        return {pid: value for pid, value in connection.execute(select(Post.id, Post.attachments))}


def files(base_url: str, downloads: tuple[int, int] = (3, 0)) -> list[dict[str, Any]]:
    return [
        {
            "name": file.name,
            "url": base_url.rstrip("/") + file.path,
            "size": file.size,
            "downloads": count,
            "comment": file.comment or None,
        }
        for file, count in zip(FILES, downloads, strict=True)
    ]


@deferred_f_from_coro_f
async def test_files_are_stored_and_a_guest_view_keeps_their_links(
    db_url: str, engine: Engine
) -> None:
    board = build_demo_board()
    board.guests_download_attachments = True  # first seen with links (as a member would)
    topic = board.topic(DEMO_FORMATTING_TOPIC_ID)
    assert topic is not None
    first, last = topic.posts[0], topic.posts[-1]
    first.attachments = list(FILES)
    last.attachments = FILES[:1]
    with FixtureForumServer(board, version="prosilver") as server:
        crawler = await crawl("forum", db_url, base_url=server.base_url)
        assert stat(crawler, "forumscraper/run/status") == "finished"
        rows = stored_files(engine)
        assert rows == {
            post.id: files(server.base_url)
            if post is first
            else files(server.base_url)[:1]
            if post is last
            else []
            for post in board.live_posts()
        }

        # Seen again as a guest who may not download, after downloads and a new reply.
        board.guests_download_attachments = False
        first.attachments = [replace(FILES[0], downloads=9), FILES[1]]
        reply = board.add_post(topic.id, author=board.members[0], body_html="Thanks!")
        crawler = await crawl("recent", db_url, base_url=server.base_url)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/db/new_posts") == 1
    after = stored_files(engine)
    assert after[first.id] == files(server.base_url, downloads=(9, 0))  # links kept
    assert after[reply.id] == []
    assert {pid: value for pid, value in after.items() if pid not in (first.id, reply.id)} == {
        pid: value for pid, value in rows.items() if pid != first.id
    }


@deferred_f_from_coro_f
async def test_a_box_the_reader_does_not_know_stores_null_and_is_said(
    db_url: str, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    board = build_demo_board()
    topic = board.topic(DEMO_FORMATTING_TOPIC_ID)
    assert topic is not None
    with_files = topic.posts[1]
    with_files.attachments = list(FILES)
    caplog.set_level(logging.WARNING, logger="forumscraper.spiders.topics")
    with FixtureForumServer(board, version="invision") as server:
        page = respond(
            board,
            f"/t{topic.id}-x",
            now=datetime.now(UTC),
            site=server.base_url.rstrip("/"),
            default_version="invision",
        )
        custom = page.body.replace(b'class="file"', b'class="attached-file"')  # own template
        server.faults.add(f"/t{topic.id}-", Fault(kind="body", status=200, body=custom, times=None))
        crawler = await crawl("forum", db_url, base_url=server.base_url)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, UNREAD_ATTACHMENTS_KEY) == 1
    said = [r.getMessage() for r in caplog.records if UNREAD_ATTACHMENTS_KEY in r.getMessage()]
    assert len(said) == 1 and f"Post {with_files.id} " in said[0]
    assert stored_files(engine) == {
        post.id: None if post is with_files else [] for post in board.live_posts()
    }


def test_migration_0011_goes_down_and_up(engine: Engine) -> None:
    config = alembic_config(engine)
    command.upgrade(config, "head")
    assert "attachments" in {column["name"] for column in inspect(engine).get_columns("posts")}
    command.downgrade(config, "0010")
    assert "attachments" not in {column["name"] for column in inspect(engine).get_columns("posts")}
    command.upgrade(config, "head")
    assert "attachments" in {column["name"] for column in inspect(engine).get_columns("posts")}
