"""The seed post as a member sees it, end to end: the demo serves members the real source link
after each copy of the pasted article (guests keep the placeholders of ``data/seed_post.html``),
and a member crawl stores the article once with every link, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, func, select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import Post, PostRevision
from forumscraper.demo.content import (
    DEMO_SEED_TOPIC_ID,
    SEED_POST_LINKS,
    Board,
    build_demo_board,
)
from forumscraper.demo.content import Post as BoardPost
from forumscraper.demo.members import HIDDEN_LINK, MemberArea, hide_links
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import crawl, stat
from tests.members import PASSWORD, TZ, member_server

SEED_TITLE = (
    "\u201cThe War of Leaks\u201d Confuses the Political Scene... "
    "Blackmail or Expose of Corruption?"
)
SEED_END = (
    "proved the authenticity of some audio recordings that were leaked of prominent figures.\u201d"
)
FIRST_SOURCE, SECOND_SOURCE = (href for href, _ in SEED_POST_LINKS[2:])


def seed_post(board: Board) -> BoardPost:
    topic = board.topic(DEMO_SEED_TOPIC_ID)
    assert topic is not None
    return topic.live_posts[0]


def seed_row(engine: Engine, board: Board) -> dict[str, Any]:
    with engine.connect() as connection:
        row = connection.execute(select(Post).where(Post.id == seed_post(board).id)).one()
    return dict(row._mapping)


@pytest.fixture
def server(board: Board) -> Iterator[FixtureForumServer]:
    """The demo with Rocky's account; guests lose every link (the board the seed came from)."""
    with member_server(board, member_only_forum=False) as server:
        yield server


def test_the_member_view_hides_back_to_the_guest_copy() -> None:
    post = seed_post(build_demo_board())
    source = resources.files("forumscraper.demo").joinpath("data/seed_post.html").read_text("utf-8")
    assert post.body_html == source
    assert post.member_body_html is not None
    assert post.member_body_html.count('class="postlink"') == source.count(HIDDEN_LINK) == 4
    assert HIDDEN_LINK not in post.member_body_html
    assert hide_links(post.member_body_html) == source
    assert FIRST_SOURCE != SECOND_SOURCE


@pytest.mark.parametrize("hide_links_from_guests", [True, False])
def test_only_members_get_the_real_links(board: Board, hide_links_from_guests: bool) -> None:
    post = seed_post(board)
    assert post.member_body_html is not None
    page = f"<div>{post.body_html}</div>".encode()
    members = MemberArea(hide_links_from_guests=hide_links_from_guests)
    assert members.finish(page, False, board) == page
    assert members.finish(page, True, board) == f"<div>{post.member_body_html}</div>".encode()
    editor = board.member_by_name("Mod-Nadia")
    assert editor is not None
    board.edit_post(post.id, post.body_html + "<br />Edited.", editor, post.posted_at)
    edited = f"<div>{post.body_html}</div>".encode()
    assert members.finish(edited, True, board) == edited, "an edit drops the member copy"


@deferred_f_from_coro_f
async def test_a_member_crawl_stores_the_article_once_with_every_link(
    as_member: None, board: Board, server: FixtureForumServer, db_url: str, engine: Engine
) -> None:
    crawler = await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/login/success") == 1
    row = seed_row(engine, board)

    assert row["body_html"] == seed_post(board).member_body_html
    text = str(row["body_text"])
    assert text.count(SEED_TITLE) == 1
    assert text.count("Audio leaks have dominated the scene in Iraq") == 1
    assert text.count(SEED_END) == 1
    assert "[size" not in text and "You must be registered" not in text
    # Each copy's own source link stays, after the single copy kept.
    assert text.splitlines()[-2:] == [FIRST_SOURCE, SECOND_SOURCE]
    assert text.splitlines()[-3].endswith(SEED_END)
    assert text.splitlines()[0] == "Posted on December 1, 2024 by Baghdad Observer newsdesk"
    assert row["links"] == [
        {"url": href, "text": label.strip(), "kind": "link"} for href, label in SEED_POST_LINKS
    ]
    assert row["hidden_link_count"] == 0
    assert row["collapsed_repeats"] == 1


@deferred_f_from_coro_f
async def test_a_member_recrawl_after_a_guest_crawl_reveals_the_links(
    monkeypatch: pytest.MonkeyPatch, board: Board, server: FixtureForumServer, sqlite_url: str
) -> None:
    await crawl("forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    engine = make_engine(sqlite_url)
    try:
        guest = seed_row(engine, board)
        assert guest["body_html"] == seed_post(board).body_html
        assert (guest["hidden_link_count"], guest["links"], guest["collapsed_repeats"]) == (
            4,
            [],
            1,
        )
        monkeypatch.setenv("FORUMSCRAPER_USERNAME", "Rocky")
        monkeypatch.setenv("FORUMSCRAPER_PASSWORD", PASSWORD)
        crawler = await crawl(
            "forum", sqlite_url, base_url=server.base_url, spider_args={"full": "1"},
            FORUMSCRAPER_TIMEZONE=TZ,
        )  # fmt: skip
        assert stat(crawler, "forumscraper/db/links_revealed", 0) >= 1
        member = seed_row(engine, board)
        with engine.connect() as connection:
            revisions = connection.execute(
                select(func.count())
                .select_from(PostRevision)
                .where(PostRevision.post_id == seed_post(board).id)
            ).scalar_one()
    finally:
        engine.dispose()
    assert revisions == 0, "revealed links are not an edit"
    assert (member["hidden_link_count"], member["collapsed_repeats"]) == (0, 1)
    assert [link["url"] for link in member["links"]] == [href for href, _ in SEED_POST_LINKS]
    # Byline and the two source lines aside, the member's text is the guest's.
    guest_lines = str(guest["body_text"]).splitlines()
    assert str(member["body_text"]).splitlines()[1:-2] == guest_lines[1:]


@deferred_f_from_coro_f
async def test_a_guest_recrawl_after_a_member_crawl_keeps_the_links(
    monkeypatch: pytest.MonkeyPatch, board: Board, server: FixtureForumServer, db_url: str
) -> None:
    """The weekly ``full=1`` job without credentials reads the posts with their links hidden:
    the member's text stays, and nothing is recorded as an edit."""
    monkeypatch.setenv("FORUMSCRAPER_USERNAME", "Rocky")
    monkeypatch.setenv("FORUMSCRAPER_PASSWORD", PASSWORD)
    await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    monkeypatch.delenv("FORUMSCRAPER_USERNAME")
    monkeypatch.delenv("FORUMSCRAPER_PASSWORD")
    engine = make_engine(db_url)
    try:
        member = seed_row(engine, board)
        assert member["hidden_link_count"] == 0
        crawler = await crawl(
            "forum", db_url, base_url=server.base_url, spider_args={"full": "1"},
            FORUMSCRAPER_TIMEZONE=TZ,
        )  # fmt: skip
        assert stat(crawler, "forumscraper/db/links_kept", 0) >= 1
        assert stat(crawler, "forumscraper/db/updated_posts", 0) == 0
        again = seed_row(engine, board)
        with engine.connect() as connection:
            revisions = connection.execute(
                select(func.count()).select_from(PostRevision)
            ).scalar_one()
    finally:
        engine.dispose()
    assert revisions == 0, "hidden links are not an edit"
    for column in ("body_html", "body_text", "links", "hidden_link_count", "content_hash"):
        assert again[column] == member[column], column
    assert again["last_seen_at"] > member["last_seen_at"]
