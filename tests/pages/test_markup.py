"""The fixture pages carry each version's real structure and traps (FACTS.md §1-2), and the
extraction steps around them: sponsored post, repeated first post, vote block, the name printed
twice, the message sharing its container with the edit note and signature, page frames."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from parsel import Selector

from forumscraper.demo.content import (
    DEMO_FORMATTING_TOPIC_ID,
    DEMO_LONG_TOPIC_ID,
    DEMO_SEED_TOPIC_ID,
    Board,
)
from forumscraper.pages import ForumListPage, TopicPage
from forumscraper.pages.versions import VERSIONS

from .conftest import Load, Render

LONG_PAGE_2 = f"/t{DEMO_LONG_TOPIC_ID}p15-x"
TARGETS = [
    "/",
    "/?recent_widget=classical",
    "/c2-x",
    "/f2-x",
    "/f2p50-x",
    "/f4-x",
    f"/t{DEMO_LONG_TOPIC_ID}-x",
    LONG_PAGE_2,
    f"/t{DEMO_SEED_TOPIC_ID}-x",
    f"/t{DEMO_FORMATTING_TOPIC_ID}-x",
    "/search?search_id=activetopics",
]


class _TagBalance(HTMLParser):
    """Records end tags that do not close the innermost open element."""

    VOID = frozenset({"br", "img", "input", "meta", "link", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.mismatched: list[tuple[str, tuple[int, int]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.mismatched.append((tag, self.getpos()))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("target", TARGETS)
def test_pages_are_well_nested(render: Render, version: str, target: str) -> None:
    checker = _TagBalance()
    checker.feed(render(target, version))
    assert (checker.open, checker.mismatched) == ([], [])


@pytest.mark.parametrize("version", VERSIONS)
def test_head_carries_userdata_and_json_ld(render: Render, version: str) -> None:
    sel = Selector(text=render(LONG_PAGE_2, version))
    assert '_userdata["session_logged_in"] = 0' in " ".join(sel.css("head script::text").getall())
    snippets = [json.loads(s) for s in sel.css("head script[type*=ld]::text").getall()]
    # The mobile header has no {RICH_SNIPPET_GOOGLE}.
    expected = [] if version == "mobile" else ["BreadcrumbList", "DiscussionForumPosting"]
    assert [s["@type"] for s in snippets] == expected


@pytest.mark.parametrize("version", VERSIONS)
def test_sponsored_post_is_rendered_and_skipped(load: Load, version: str) -> None:
    page = load(TopicPage, f"/t{DEMO_SEED_TOPIC_ID}-x", version)
    assert page.sel.xpath("//*[contains(@class,'post--0')]")
    assert "Advertisement" in page.html
    assert all(post.id != 0 and "sponsored" not in post.body_html for post in page.posts())


@pytest.mark.parametrize("version", VERSIONS)
def test_repeated_first_post_marker(load: Load, board: Board, version: str) -> None:
    page = load(TopicPage, LONG_PAGE_2, version)
    topic = board.topic(DEMO_LONG_TOPIC_ID)
    assert topic is not None
    assert page.sel.xpath("//*[starts-with(@id,'p') or starts-with(@id,'post-')]/@id").re(
        r"^p(?:ost-)?(\d+)$"
    )[0] == str(topic.first_post.id)
    has_hr = bool(page.sel.css("hr#first-post-br"))
    # AwesomeBB prints no separator; phpBB2 breaks the posts table instead.
    assert has_hr == (version not in ("awesomebb", "subsilver"))
    assert page.repeats_first_post


@pytest.mark.parametrize("version", ["punbb", "invision", "modernbb", "awesomebb"])
def test_vote_block_on_forums_with_votes(load: Load, version: str) -> None:
    voting = load(TopicPage, f"/t{DEMO_LONG_TOPIC_ID}-x", version)  # forum 5: votes on
    assert voting.sel.css("div.vote")
    assert not load(TopicPage, f"/t{DEMO_FORMATTING_TOPIC_ID}-x", version).sel.css("div.vote")


def test_punbb_vote_block_precedes_the_body(load: Load, board: Board) -> None:
    page = load(TopicPage, f"/t{DEMO_LONG_TOPIC_ID}-x", "punbb")
    entry = page.sel.css("div.entry-content")[0]
    children = entry.xpath("./*")
    assert children[0].attrib["class"] == "vote gensmall" and children[1].root.tag == "div"
    topic = board.topic(DEMO_LONG_TOPIC_ID)
    assert topic is not None
    assert page.posts()[0].body_html == topic.first_post.body_html


def test_invision_prints_the_poster_twice(load: Load) -> None:
    page = load(TopicPage, f"/t{DEMO_SEED_TOPIC_ID}-x", "invision")
    post = page.sel.css("div.post#p" + str(page.posts()[0].id))
    assert post.css("dl.postprofile-details dt a ::text").get() == "Rocky"
    assert post.css("p.author a ::text").get() == "Rocky"
    assert page.posts()[0].author_name == "Rocky"


def test_awesomebb_message_shares_its_container(load: Load, board: Board) -> None:
    page = load(TopicPage, f"/t{DEMO_FORMATTING_TOPIC_ID}-x", "awesomebb")
    topic = board.topic(DEMO_FORMATTING_TOPIC_ID)
    assert topic is not None
    first = topic.first_post
    content = page.sel.css("div.post-wrap#post-" + str(first.id) + " div.post-content")
    assert content.css("div.post-signature")
    assert "Last edited by Sarah.K" in "".join(content.xpath("./text()").getall())
    post = page.posts()[0]
    assert post.body_html == first.body_html
    assert post.edit_count == 3 and post.signature_html


@pytest.mark.parametrize("version", VERSIONS)
def test_current_time_line(load: Load, version: str) -> None:
    """Guests see ``{CURRENT_TIME}`` on the phpBB3 index and in the Invision and ModernBB
    footers; the other versions print none."""
    clock = load(ForumListPage, "/", version).board_clock
    has_clock = version in ("prosilver", "invision", "modernbb")
    assert (clock is not None) == has_clock
    if clock is not None:
        assert (clock.hour, clock.minute) == (17, 30)
