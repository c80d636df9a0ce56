"""The rendered pages: the structure a scraper written against real Forumotion pages expects."""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from forumscraper.demo.content import (
    DEMO_FORMATTING_TOPIC_ID,
    DEMO_LONG_FORUM_ID,
    DEMO_LONG_TOPIC_ID,
    DEMO_SEED_TOPIC_ID,
    Board,
)
from forumscraper.demo.render.common import format_date

from .conftest import NOW, SITE, Fetch, page

LONG = f"/t{DEMO_LONG_TOPIC_ID}-x"
POST_IDS = {
    "prosilver": "//div[contains(concat(' ', @class, ' '), ' post ')]/@id",
    "subsilver": "//tr[contains(concat(' ', @class, ' '), ' post ')]/@id",
}


def live_ids(board: Board, topic_id: int) -> list[str]:
    topic = board.topic(topic_id)
    assert topic is not None
    return [f"p{post.id}" for post in topic.live_posts]


@pytest.mark.parametrize("version", ["prosilver", "subsilver"])
def test_long_topic_pages(fetch: Fetch, board: Board, version: str) -> None:
    ids = live_ids(board, DEMO_LONG_TOPIC_ID)
    first = page(fetch(LONG, version)).xpath(POST_IDS[version]).getall()
    assert first == [ids[0], "p0", *ids[1:15]]
    second = page(fetch(f"/t{DEMO_LONG_TOPIC_ID}p15-x", version)).xpath(POST_IDS[version]).getall()
    assert second == [ids[0], "p0", *ids[15:30]]
    third = page(fetch(f"/t{DEMO_LONG_TOPIC_ID}p30-x", version)).xpath(POST_IDS[version]).getall()
    assert third == [ids[0], "p0", *ids[30:]]
    assert fetch(f"/t{DEMO_LONG_TOPIC_ID}p45-x", version).status == 404


def test_prosilver_post_markup(fetch: Fetch, board: Board) -> None:
    topic = board.topic(DEMO_FORMATTING_TOPIC_ID)
    assert topic is not None
    response = fetch(f"/t{topic.id}-any-slug")
    html = response.body.decode()
    sel = page(response)
    for post in topic.live_posts:
        assert f"<div>{post.body_html}</div>" in html
        node = sel.css(f"div.post#p{post.id}")
        assert node.css(f"div.inner > div[id='{post.id}']")
        assert node.css("div.postbody > div.content > div")
        assert post.author_name in "".join(node.css("p.author ::text").getall())
        signature = node.css(f"div.postbody > div.signature_div#sig{post.id}")
        assert bool(signature) == bool(post.signature_html)
    first = sel.css(f"div.post#p{topic.first_post.id}")
    after_content = first.xpath(
        ".//div[contains(@class, 'content')]/following-sibling::text()"
    ).getall()
    assert any("edited 3 times in total" in text for text in after_content)
    nested = sel.xpath(
        "//div[contains(concat(' ', @class, ' '), ' content ')]/div[1]"
        "[contains(., 'Nested')]//text()"
    ).getall()
    assert "Text after the nested block." in nested
    guest = next(p for p in topic.live_posts if p.author is None)
    assert not sel.css(f"div.post#p{guest.id} p.author a")
    assert all(f"p{p.id}" not in html for p in topic.posts if p.deleted)
    assert sel.css("body#phpbb")


def test_subsilver_post_markup(fetch: Fetch, board: Board) -> None:
    topic = board.topic(DEMO_FORMATTING_TOPIC_ID)
    assert topic is not None
    sel = page(fetch(f"/t{topic.id}-x", "subsilver"))
    assert sel.css("body[background][bgcolor]") and sel.css("table.forumline")
    for post in topic.live_posts:
        row = sel.css(f"tr.post#p{post.id}")
        assert row.css(f"span.name a[name='{post.id}']")
        assert row.css("span.name strong ::text").get() == post.author_name
        assert row.css("div.postbody > div:first-child")
        assert bool(row.css("div.postbody div.signature_div")) == bool(post.signature_html)
        assert sel.css(f"tr.post--{post.id}:not(.post)")
    first = sel.css(f"tr.post#p{topic.first_post.id}")
    assert "edited 3 times in total" in first.css("span.gensmall::text").get("")
    dates = first.css("span.postdetails")[-1].xpath("text()").getall()
    assert dates[0].startswith("Subject: Formatting test")


def test_first_post_separator(fetch: Fetch) -> None:
    pro = page(fetch(f"/t{DEMO_LONG_TOPIC_ID}p15-x"))
    assert len(pro.css("hr#first-post-br")) == 1
    assert pro.xpath("//hr[@id='first-post-br']/following-sibling::div[1]/@id").get() == "p0"
    assert not page(fetch(f"/t{DEMO_SEED_TOPIC_ID}-x")).css("hr#first-post-br")


@pytest.mark.parametrize("version", ["prosilver", "subsilver"])
def test_topic_navigation_and_snippets(fetch: Fetch, board: Board, version: str) -> None:
    sel = page(fetch(LONG, version))
    hrefs = sel.css("a::attr(href)").getall()
    assert f"/t{DEMO_LONG_TOPIC_ID}p-the-daily-electricity-thread-post-your-hours-here" in hrefs
    assert f"/t{DEMO_LONG_TOPIC_ID}n-the-daily-electricity-thread-post-your-hours-here" in hrefs
    assert f"/t{DEMO_LONG_TOPIC_ID}p30-the-daily-electricity-thread-post-your-hours-here" in hrefs
    script = sel.xpath("//script[contains(., 'do_pagination_start')]/text()").get("")
    assert re.search(r"start = \(start > 3\) \? 3 : start;\s+start = \(start - 1\) \* 15;", script)
    assert sel.css("link[rel=canonical]::attr(href)").get() == (
        f"{SITE}/t{DEMO_LONG_TOPIC_ID}-the-daily-electricity-thread-post-your-hours-here"
    )
    crumbs, posting = (json.loads(s) for s in sel.css("head script[type*=ld]::text").getall())
    assert [i["item"]["@id"].split("/")[-1][:2] for i in crumbs["itemListElement"]] == [
        "",
        "c2",
        "f5",
        "t2",
    ]
    assert posting["@type"] == "DiscussionForumPosting"
    assert posting["interactionStatistic"]["userInteractionCount"] == "33"
    assert posting["author"]["name"] == "Omar_B"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:00", posting["datePublished"])
    assert '_userdata["session_logged_in"] = 0' in sel.css("head script::text").getall()[-1]


@pytest.mark.parametrize(("suffix", "expected"), [("p", "older"), ("n", "newer")])
def test_previous_and_next_topic(fetch: Fetch, board: Board, suffix: str, expected: str) -> None:
    topic = board.topic(DEMO_SEED_TOPIC_ID)
    assert topic is not None
    neighbour = board.neighbour_topic(topic, expected)
    response = fetch(f"/t{topic.id}{suffix}-slug")
    if neighbour is None:
        assert response.status == 404
    else:
        assert f"/t{neighbour.id}-" in page(response).css("h1.page-title a::attr(href)").get("")


@pytest.mark.parametrize("version", ["prosilver", "subsilver"])
def test_forum_pages(fetch: Fetch, version: str) -> None:
    one = page(fetch(f"/f{DEMO_LONG_FORUM_ID}-general-discussion", version))
    two = page(fetch(f"/f{DEMO_LONG_FORUM_ID}p50-general-discussion", version))
    assert len(one.css("a.topictitle")) == 50 and len(two.css("a.topictitle")) == 14
    assert one.xpath("//strong[.='Announcement:']") and one.xpath("//strong[.='Sticky:']")
    assert "/f4-introductions" in one.css("a::attr(href)").getall()  # the sub-forum
    assert f"/f{DEMO_LONG_FORUM_ID}p50-general-discussion" in one.css("a::attr(href)").getall()
    assert one.xpath("//script[contains(., 'do_pagination_start')]")
    assert fetch(f"/f{DEMO_LONG_FORUM_ID}p100-x", version).status == 404
    news = page(fetch("/f5-x", version))
    mini = f"/t{DEMO_LONG_TOPIC_ID}p30-the-daily-electricity-thread-post-your-hours-here"
    assert mini in news.css("a::attr(href)").getall()
    assert len(news.css("a.topictitle")) == 2


def test_subsilver_topic_row(fetch: Fetch) -> None:
    sel = page(fetch("/f5-x", "subsilver"))
    link = f"contains(@href, '/t{DEMO_LONG_TOPIC_ID}-')"
    row = sel.xpath(f"//tr[td/div[@class='topictitle']//a[{link}]]")
    cells = row.xpath("./td")
    assert len(cells) == 7
    assert cells[3].css("span.postdetails::text").get() == "33"
    assert cells[4].css("span.name strong a::text").get() == "Omar_B"
    assert cells[5].css("span.postdetails::text").get() == "9876"
    assert cells[6].css("span.postdetails::text").get() == "Today at 4:22 am"
    assert cells[2].css("span.gensmall a::text").getall() == ["1", "2", "3"]


def test_prosilver_topic_row(fetch: Fetch) -> None:
    sel = page(fetch("/f5-x"))
    row = sel.xpath(
        f"//li[.//a[@class='topictitle' and contains(@href, '/t{DEMO_LONG_TOPIC_ID}-')]]"
    )
    assert row.css("strong.pagination a::text").getall() == ["1", "2", "3"]
    assert row.css("dd.posts::text").get("").strip() == "33"
    assert row.css("dd.views::text").get("").strip() == "9876"
    assert row.css("dd.dterm span.span-tab strong a::text").get() == "Omar_B"
    assert "Today at 4:22 am" in "".join(row.css("dd.lastpost span ::text").getall())


@pytest.mark.parametrize("version", ["prosilver", "subsilver"])
def test_index(fetch: Fetch, board: Board, version: str) -> None:
    for target in ("/", "/forum"):
        sel = page(fetch(target, version))
        links = sel.css("a.forumtitle::text, a.forumlink::text").getall()
        assert links == [
            "Announcements",
            "General Discussion",
            "Tech Corner",
            "Iraq News",
            "المنتدى العربي",
        ]
        assert sel.css("a.gensmall[href^='/f4-']::text").get() == "Introductions"
        options = sel.css("select[name=selected_id] option::attr(value)").getall()
        assert options == ["-1", "-1", "c1", "f1", "f2", "f4", "f8", "c2", "f5", "f6"]
        widget = sel.css("div.marquee")
        titles = widget.css("a[title]::attr(title)").getall()
        texts = widget.css("a[title]::text").getall()
        assert len(titles) == 10 and any(len(title) > 100 for title in titles)
        if version == "prosilver":
            assert all(len(text) <= 103 for text in texts)
        assert "Today at 1:07 pm by" in " ".join(widget.xpath("text()").getall())
    current = page(fetch("/", "prosilver")).xpath("//p[starts-with(., 'Current date/time')]")
    assert current.xpath("string()").get() == "Current date/time is Wed Nov 25, 2026 5:30 pm"


def test_category_page(fetch: Fetch) -> None:
    sel = page(fetch("/c2-anything"))
    assert sel.css("a.forumtitle::text").getall() == ["Iraq News", "المنتدى العربي"]
    assert fetch("/c9-x").status == 404


def test_change_version_switches_markup_and_sticks_to_links(fetch: Fetch) -> None:
    sel = page(fetch(f"{LONG}?change_version=subsilver"))
    assert sel.css("tr.post") and not sel.css("body#phpbb")
    topic_links = sel.css("a[href^='/t']::attr(href)").getall()
    assert topic_links and all("change_version=subsilver" in href for href in topic_links)
    plain = page(fetch(LONG, "subsilver"))
    assert not any("change_version" in h for h in plain.css("a::attr(href)").getall())
    assert page(fetch("/?change_version=prosilver", "subsilver")).css("body#phpbb")


def test_missing_pages_are_404(fetch: Fetch) -> None:
    for target in ("/t999999-x", "/f99-x", "/nowhere", "/t28"):
        response = fetch(target)
        assert response.status == 404
        assert "Information" in response.body.decode()


def test_robots_and_feed(board: Board, fetch: Fetch) -> None:
    from forumscraper.demo.site import respond

    assert fetch("/robots.txt").body == b"User-agent: *\nDisallow:\n"
    blocked = respond(board, "/robots.txt", now=NOW, site=SITE, robots_disallow=["/search"])
    assert blocked.body == b"User-agent: *\nDisallow: /search\n"
    feed = ET.fromstring(fetch("/feed/").body)
    items = feed.findall("channel/item")
    assert len(items) == 25
    assert re.fullmatch(
        r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", items[0].findtext("pubDate", "")
    )
    news = ET.fromstring(fetch("/feed/?f=5").body).findall("channel/item")
    assert {item.findtext("category") for item in news} == {"Iraq News"}
    assert len(ET.fromstring(fetch("/feed/?f=77").body).findall("channel/item")) == 25


@pytest.mark.parametrize(
    ("date_format", "expected"),
    [
        ("phpbb", "Sun Dec 01, 2024 9:59 am"),
        ("forumotion", "Sun 1 Dec 2024 - 9:59"),
        ("forumotion_short", "Sun 1 Dec - 9:59"),
        ("ordinal", "1st December 2024, 9:59 am"),
    ],
)
def test_date_formats(board: Board, date_format: str, expected: str) -> None:
    board_copy = Board(title="x", timezone="Asia/Baghdad", date_format=date_format)
    moment = datetime(2024, 12, 1, 6, 59, tzinfo=UTC)
    assert format_date(moment, board_copy, NOW) == expected
    today = datetime(2026, 11, 25, 9, 5, tzinfo=UTC)
    yesterday = datetime(2026, 11, 24, 20, 59, tzinfo=UTC)  # 23:59 Baghdad
    twelve_hours = date_format in ("phpbb", "ordinal")
    assert format_date(today, board_copy, NOW) == (
        "Today at 12:05 pm" if twelve_hours else "Today at 12:05"
    )
    assert format_date(yesterday, board_copy, NOW) == (
        "Yesterday at 11:59 pm" if twelve_hours else "Yesterday at 23:59"
    )


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


@pytest.mark.parametrize("version", ["prosilver", "subsilver"])
@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/c2-x",
        "/f2-x",
        "/f2p50-x",
        LONG,
        f"/t{DEMO_LONG_TOPIC_ID}p15-x",
        f"/t{DEMO_FORMATTING_TOPIC_ID}-x",
        "/nope",
    ],
)
def test_pages_are_well_nested(fetch: Fetch, version: str, target: str) -> None:
    checker = _TagBalance()
    checker.feed(fetch(target, version).body.decode())
    assert (checker.open, checker.mismatched) == ([], [])


def test_topic_page_renders_fast(fetch: Fetch) -> None:
    timings = []
    for _ in range(20):
        start = time.perf_counter()
        fetch(LONG)
        timings.append(time.perf_counter() - start)
    assert sorted(timings)[10] < 0.005
