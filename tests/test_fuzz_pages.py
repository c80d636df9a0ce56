"""Fuzz the page extractors: real fixture pages, cut, spliced and garbled at random, must never
make an extractor raise (a broken page is a failed page, never a crashed crawl). The one report
allowed is :class:`UnknownTemplate`, from a reader that needs a version's markup on a page that
lost it (the spiders count such a page as failed): it is never read as another version."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forumscraper.demo.content import build_demo_board
from forumscraper.demo.site import respond
from forumscraper.pages import ForumListPage, ForumPage, TopicPage
from forumscraper.pages.problems import page_problem
from forumscraper.pages.recent import ActiveTopicsPage, RecentTopicsPage, feed_entries
from forumscraper.pages.versions import UnknownTemplate

NOW = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
BOARD = build_demo_board(NOW)
PAGES = {
    target: respond(BOARD, target, now=NOW, site="http://x", default_version=version).body.decode()
    for version in ("prosilver", "subsilver")
    for target in (f"/?change_version={version}", f"/f2p50-x?change_version={version}",
                   f"/t28p15-x?change_version={version}", f"/t119-x?change_version={version}")
}  # fmt: skip
FEED = respond(BOARD, "/feed/", now=NOW, site="http://x").body.decode()
JUNK = st.sampled_from(
    ["<", ">", "</div>", "<div>", '<div class="post" id="p0">', "</html>", "\x00", "&#",
     '"', "<!--", "<script>", "]]>", '<a href="/t1p-x">', "\ud800", "é", "\u202e"]
) | st.text(max_size=40)  # fmt: skip


def mutate(html: str, data: st.DataObject) -> str:
    """Cut, splice junk into, or drop a slice of ``html``, a few times."""
    for _ in range(data.draw(st.integers(1, 4))):
        size = len(html)
        start = data.draw(st.integers(0, size))
        end = data.draw(st.integers(start, min(size, start + 2000)))
        action = data.draw(st.sampled_from(["cut", "splice", "drop"]))
        if action == "cut":
            html = html[:start]
        elif action == "splice":
            html = html[:start] + data.draw(JUNK) + html[start:]
        else:
            html = html[:start] + html[end:]
    return html


T = TypeVar("T")


def extract_everything(url: str, html: str) -> None:
    topic = TopicPage(url, html)
    expected = topic.unknown_template
    unknown = expected is not None

    def read(reader: Callable[[], T]) -> T | None:
        """``reader()``; on a page in an unknown markup, its report instead (and only there)."""
        if not unknown:
            return reader()
        try:
            return reader()
        except UnknownTemplate as report:
            assert expected is not None and report.evidence == expected.evidence
            return None

    for post in read(topic.posts) or []:
        assert post.id > 0
    read(topic.topic)
    topic.page_offsets()
    forum = ForumPage(url, html)
    read(forum.forum)
    read(forum.topics)
    read(forum.subforums)
    forum.page_offsets()
    index = ForumListPage(url, html)
    index.categories()
    read(index.forums)
    _ = index.board_clock
    RecentTopicsPage(url, html).widget()
    read(ActiveTopicsPage(url, html).recent)
    problem = page_problem(topic)
    if unknown:
        assert problem in ("truncated", "login_wall", "message", "unknown_template")


# One test drawing the page (not parametrize: pytest-twisted's call hook and hypothesis's
# parametrized wrappers do not mix).
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(sorted(PAGES)), data=st.data())
def test_extractors_never_raise_on_damaged_pages(target: str, data: st.DataObject) -> None:
    url = "http://x" + target.split("?")[0]
    extract_everything(url, mutate(PAGES[target], data))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_feed_reader_never_raises(data: st.DataObject) -> None:
    feed_entries("http://x/feed/", mutate(FEED, data), dates=TopicPage("http://x/", "").dates)


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=3000))
def test_extractors_never_raise_on_arbitrary_text(text: str) -> None:
    extract_everything("http://x/t28p15-x", text)
