"""A French board (``Board.language == "fr"``, Forumotion's "Mar 26 Mar 2013 - 10:01" date
format): labels, relative dates, edit notes and the current-time line are French, and every
version still reads the same dates, edit counts and topic types."""

from __future__ import annotations

from datetime import datetime

import pytest

from forumscraper.demo.content import (
    DEMO_FORMATTING_TOPIC_ID,
    DEMO_LONG_TOPIC_ID,
    Board,
    build_demo_board,
)
from forumscraper.demo.site import respond
from forumscraper.pages import DateContext, ForumListPage, ForumPage, TopicPage
from forumscraper.pages.recent import RecentTopicsPage
from forumscraper.pages.versions import VERSIONS

from .conftest import DESKTOP, NOW, SITE


@pytest.fixture(scope="module")
def french() -> Board:
    board = build_demo_board(NOW)
    board.language, board.date_format = "fr", "forumotion"
    return board


def html(board: Board, target: str, version: str) -> str:
    response = respond(board, target, now=NOW, site=SITE, default_version=version)
    assert response.status == 200
    return response.body.decode()


def dates(board: Board) -> DateContext:
    return DateContext(tz=board.tzinfo, now=NOW)


@pytest.mark.parametrize("version", VERSIONS)
def test_french_labels_and_dates_are_printed(french: Board, version: str) -> None:
    last_page = html(french, f"/t{DEMO_LONG_TOPIC_ID}p30-x", version)
    assert "Aujourd'hui à 4:22" in last_page
    assert "Hier à 13:40" in last_page
    formatting = html(french, f"/t{DEMO_FORMATTING_TOPIC_ID}-x", version)
    assert "Dernière édition par Sarah.K le Mer 28 Oct 2026 - 12:43, édité 3 fois" in formatting
    assert "Post-it:" in html(french, "/f2-x", version)
    assert 'lang="fr"' in formatting and '_userdata["user_lang"] = "fr"' in formatting


@pytest.mark.parametrize("version", ["prosilver", "invision", "modernbb"])
def test_french_current_time(french: Board, version: str) -> None:
    page = ForumListPage(SITE + "/", html(french, "/", version), dates(french))
    assert "La date/heure actuelle est Mer 25 Nov 2026 - 17:30" in page.html
    assert page.board_clock == datetime(2026, 11, 25, 17, 30)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "target", [f"/t{DEMO_LONG_TOPIC_ID}p30-x", f"/t{DEMO_FORMATTING_TOPIC_ID}-x"]
)
def test_french_posts(french: Board, version: str, target: str) -> None:
    page = TopicPage(SITE + target, html(french, target, version), dates(french))
    posts = {post.id: post for post in page.posts()}
    assert posts
    for post_id, got in posts.items():
        want = french.post(post_id)
        assert want is not None
        assert got.posted_at == want.posted_at, (post_id, got.posted_at_raw)
        assert (got.edited_at, got.edit_count) == (want.edited_at, want.edit_count), post_id
        assert got.body_html == want.body_html, post_id


@pytest.mark.parametrize("version", VERSIONS)
def test_french_topic_rows(french: Board, version: str) -> None:
    page = ForumPage(SITE + "/f2-x", html(french, "/f2-x", version), dates(french))
    topics = page.topics()
    assert [t.topic_type for t in topics[:3]] == ["announcement", "sticky", "normal"]
    for got in topics:
        want = french.topic(got.id)
        assert want is not None
        assert got.last_post_at == want.last_post_at, got.id
        assert got.last_poster_name == want.last_post.author_name, got.id
        assert got.last_post_id == want.last_post.id, got.id


@pytest.mark.parametrize("version", DESKTOP)
@pytest.mark.parametrize("mode", ["scrolling", "classical"])
def test_french_widget(french: Board, version: str, mode: str) -> None:
    target = f"/?recent_widget={mode}"
    entries = RecentTopicsPage(SITE + target, html(french, target, version), dates(french)).widget()
    assert [e.topic_id for e in entries] == [t.id for t in french.recent_topics()]
    for got in entries:
        want = french.topic(got.topic_id)
        assert want is not None
        assert got.last_post_at == want.last_post_at
        assert got.last_poster_name == want.last_post.author_name
        assert got.last_post_id == want.last_post.id
