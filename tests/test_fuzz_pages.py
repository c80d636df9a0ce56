"""Fuzz the page extractors: real fixture pages, cut, spliced and garbled at random, must never
make an extractor raise (a broken page is a failed page, never a crashed crawl)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forumscraper.demo.content import build_demo_board
from forumscraper.demo.site import respond
from forumscraper.pages import ForumListPage, ForumPage, TopicPage
from forumscraper.pages.problems import page_problem
from forumscraper.pages.recent import ActiveTopicsPage, RecentTopicsPage, feed_entries

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


def extract_everything(url: str, html: str) -> None:
    topic = TopicPage(url, html)
    for post in topic.posts():
        assert post.id > 0
    topic.topic()
    topic.page_offsets()
    forum = ForumPage(url, html)
    forum.forum()
    forum.topics()
    forum.subforums()
    forum.page_offsets()
    index = ForumListPage(url, html)
    index.categories()
    index.forums()
    _ = index.board_clock
    RecentTopicsPage(url, html).widget()
    ActiveTopicsPage(url, html).recent()
    page_problem(topic)


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
