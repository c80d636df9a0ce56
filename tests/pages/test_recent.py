"""Recent-activity listings in every version: the "Recent topics" widget in both modes, the
``search?search_id=activetopics`` results and the RSS feed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.render.common import active_topics, post_start
from forumscraper.demo.site import respond
from forumscraper.pages import DateContext
from forumscraper.pages.recent import ActiveTopicsPage, RecentTopicsPage, feed_entries
from forumscraper.pages.versions import VERSIONS

from .conftest import DESKTOP, NOW, SITE, Load, Render


@pytest.mark.parametrize("version", DESKTOP)
@pytest.mark.parametrize("mode", ["scrolling", "classical"])
def test_widget(load: Load, board: Board, version: str, mode: str) -> None:
    entries = load(RecentTopicsPage, f"/?recent_widget={mode}", version).widget()
    expected = board.recent_topics()
    assert [e.topic_id for e in entries] == [t.id for t in expected]
    for got, want in zip(entries, expected, strict=True):
        last = want.last_post
        # The full title is in the link's title attribute (scrolling) or its text (classical);
        # a classical link text of 100+ characters may be a cut one, so it is not trusted.
        if mode == "scrolling" or len(want.title) < 100:
            assert got.title == want.title, want.id
        else:
            assert got.title is None, want.id
        assert got.last_post_at == want.last_post_at, want.id
        assert got.last_poster_name == last.author_name, want.id
        assert got.last_page_offset == post_start(board, want, last), want.id
        assert got.last_post_id == last.id, want.id
        assert got.url.startswith(f"{SITE}/t{want.id}")


@pytest.mark.parametrize("version", DESKTOP)
@pytest.mark.parametrize("mode", ["scrolling", "classical"])
@pytest.mark.parametrize("guest", ["Anon on Tour", "Jean le Bon", "Bob at Home"])
def test_a_guest_name_with_the_on_word_is_read_whole(version: str, mode: str, guest: str) -> None:
    """Classical lines read "by NAME on DATE": a guest's name holding "on", "le" or "at" is not
    cut there, and the date after it is read."""
    board = build_demo_board(NOW)
    board.recent_widget_mode = mode
    topic = board.recent_topics()[0]
    reply = board.add_post(topic.id, None, "hello", NOW - timedelta(minutes=5), guest_name=guest)
    response = respond(board, "/", now=NOW, site=SITE, default_version=version)
    widget = RecentTopicsPage(
        SITE + "/", response.body.decode(), DateContext(tz=board.tzinfo, now=NOW)
    ).widget()
    (entry,) = [e for e in widget if e.topic_id == topic.id]
    assert (entry.last_poster_name, entry.last_post_at) == (guest, reply.posted_at)


@pytest.mark.parametrize("version", DESKTOP)
def test_widget_mode_follows_the_board(version: str) -> None:
    """``Board.recent_widget_mode`` picks the mode; ``?recent_widget=`` overrides it."""
    board = build_demo_board(NOW)

    def page(target: str) -> str:
        return respond(board, target, now=NOW, site=SITE, default_version=version).body.decode()

    assert 'class="marquee"' in page("/")
    board.recent_widget_mode = "classical"
    assert 'class="marquee"' not in page("/")
    assert 'class="marquee"' in page("/?recent_widget=scrolling")


def test_mobile_pages_have_no_widget(load: Load) -> None:
    assert load(RecentTopicsPage, "/", "mobile").widget() == []


@pytest.mark.parametrize("version", VERSIONS)
def test_active_topics(load: Load, board: Board, version: str) -> None:
    page = load(ActiveTopicsPage, "/search?search_id=activetopics", version)
    expected = active_topics(board, NOW)
    assert expected, "the demo board has topics active in the last 24 hours"
    entries = page.recent()
    topics = page.topics()
    assert [e.topic_id for e in entries] == [t.id for t in expected]
    for got, item, want in zip(entries, topics, expected, strict=True):
        assert got.title == want.title, want.id
        assert got.last_post_at == want.last_post_at, want.id
        assert got.last_poster_name == want.last_post.author_name, want.id
        assert got.last_post_id == want.last_post.id, want.id
        assert got.reply_count == want.reply_count, want.id
        # "in FORUM": the mobile results reuse the topic-list rows, which name no forum.
        assert got.forum_id == (None if version == "mobile" else want.forum_id), want.id
        if version != "mobile":
            assert item.author_name == want.author_name, want.id
            assert item.view_count == want.views, want.id
    # "Search found 4 matches": all on this page (the mobile results print no count).
    assert page.match_count() == (None if version == "mobile" else len(expected))


@pytest.mark.parametrize(
    ("heading", "count"),
    [
        ("Search found 62 matches", 62),
        ("La recherche a retourné 1,204 résultats", 1204),
        ("Search found 62 matches</h1><h1>Forum 2000", None),  # two headings with numbers
        ("Search found 6 matches in 2 forums", None),  # which number is the count?
        ("Active topics", None),
    ],
)
def test_active_topics_match_count(render: Render, heading: str, count: int | None) -> None:
    html = render("/search?search_id=activetopics", "prosilver")
    shown = re.search(r"Search found \d+ matches", html)
    assert shown is not None
    page = ActiveTopicsPage(SITE + "/search", html.replace(shown[0], heading))
    assert page.match_count() == count


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("forum_id", [None, 5])
def test_feed(
    board: Board, render: Render, dates: DateContext, version: str, forum_id: int | None
) -> None:
    target = "/feed/" if forum_id is None else f"/feed/?f={forum_id}"
    entries = feed_entries(SITE + target, render(target, version), dates)
    expected = board.newest_topics(forum_id)
    assert [e.topic_id for e in entries] == [t.id for t in expected]
    for got, want in zip(entries, expected, strict=True):
        assert got.title == want.title
        assert got.created_at == want.created_at
        assert got.last_poster_name == want.author_name
