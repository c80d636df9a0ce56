"""Board options that real Forumotion boards vary on: portal home page, clock placement,
repeated and global announcements, moved and merged topics."""

from __future__ import annotations

import http.client
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from forumscraper.demo.content import (
    DEMO_LONG_FORUM_ID,
    DEMO_LONG_TOPIC_ID,
    GLOBAL_ANNOUNCEMENT_TITLE,
    Board,
    Topic,
    add_global_announcement,
    build_demo_board,
    slugify,
)
from forumscraper.demo.render.common import VERSIONS
from forumscraper.demo.server import FixtureForumServer
from forumscraper.demo.site import Response, respond

from .conftest import NOW, SITE, page

DESKTOP = [version for version in VERSIONS if version != "mobile"]
CLOCK = "Current date/time is Wed Nov 25, 2026 5:30 pm"
FOOTER_CLOCK = ("invision", "modernbb")
"""Versions printing the clock in the footer of every page."""
FORUM_ROWS = "a[href^='/f2-']"
"""The link to a forum, on the index (the portal lists none)."""


def get(board: Board, target: str, version: str = "prosilver") -> Response:
    return respond(board, target, now=NOW, site=SITE, default_version=version)


def text(response: Response) -> str:
    return " ".join(page(response).xpath("//body//text()").getall())


# -- portal ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def portal_board() -> Board:
    """The demo board with its portal on (a board of its own: ``board`` is shared)."""
    portal = build_demo_board(NOW)
    portal.portal = True
    return portal


@pytest.mark.parametrize("version", VERSIONS)
def test_without_portal_root_and_forum_are_the_index(board: Board, version: str) -> None:
    root, forum = get(board, "/", version), get(board, "/forum", version)
    assert root.status == forum.status == 200
    assert root.body == forum.body
    assert page(root).css(FORUM_ROWS)
    assert not page(root).css("a.mainmenu[href='/']")


@pytest.mark.parametrize("version", DESKTOP)
def test_portal_at_root(portal_board: Board, version: str) -> None:
    response = get(portal_board, "/", version)
    assert response.status == 200
    sel = page(response)
    assert not sel.css(FORUM_ROWS), "the portal lists no forums"
    widget = sel.css("div.marquee")
    titles = widget.css("a[title]::attr(title)").getall()
    assert titles[:3] == [t.title for t in portal_board.recent_topics(3)]
    assert len(titles) == 10
    assert "Today at 1:07 pm" in " ".join(widget.xpath(".//text()").getall())
    assert (CLOCK in text(response)) == (version in FOOTER_CLOCK)
    assert sel.css("link[rel=canonical]") == []
    crumbs = sel.css("head script[type*=ld]::text").get("")
    assert '"position":1' in crumbs and '"position":2' not in crumbs


@pytest.mark.parametrize("version", DESKTOP)
def test_portal_modules(portal_board: Board, version: str) -> None:
    response = get(portal_board, "/", version)
    sel, body = page(response), text(response)
    news = portal_board.newest_topics(1, 3)
    assert [t.title for t in news] == [
        "New smilies and a spoiler tag",
        "Board maintenance on Friday",
    ]
    for topic in news:
        assert sel.css(f"a[name='news_{topic.id}']")
        assert topic.title in body
        assert sel.css(f"a[href='/t{topic.id}-{topic.slug}']")  # "Comments: N"
    assert "The ending is happy." in body  # the news show the first posts
    assert "Comments" in body and "Most active topics" in body and "Most viewed topics" in body
    long_title = "The daily electricity thread: post your hours here"
    href = f"/t{DEMO_LONG_TOPIC_ID}-{slugify(long_title)}"
    assert sel.css(f"a[title='{long_title}'][href='{href}']"), "most active: 33 replies"


@pytest.mark.parametrize("version", DESKTOP)
def test_portal_classical_widget(portal_board: Board, version: str) -> None:
    sel = page(get(portal_board, "/?recent_widget=classical", version))
    assert not sel.css("div.marquee")
    recent = portal_board.recent_topics(1)[0]
    assert sel.css(f"a[href^='/t{recent.id}-']")


@pytest.mark.parametrize("version", DESKTOP)
def test_portal_moves_the_index_to_forum(board: Board, portal_board: Board, version: str) -> None:
    index = get(portal_board, "/forum", version)
    sel = page(index)
    assert sel.css(FORUM_ROWS)
    if version == "prosilver":
        assert sel.xpath("//p[starts-with(., 'Current date/time')]/text()").get() == CLOCK
    plain = get(board, "/forum", version).body.decode()
    if version != "awesomebb":  # AwesomeBB builds its menu in JavaScript: no nav-bar links
        assert sel.css("a.mainmenu[href='/forum']::text").get() == "Home"
        assert sel.css("a.mainmenu[href='/']::text").get() == "Portal"
        # the only difference from a board without portal: the "Portal" link
        portal_link = (
            '<a class="mainmenu" href="/"><img id="i_icon_mini_portal" '
            'src="https://illiweb.com/fa/empty.gif" border="0" height="13" hspace="2" '
            'alt="Portal" title="Portal" />Portal</a> &nbsp;'
        )
        assert index.body.decode().replace(portal_link, "") == plain
    else:
        assert index.body.decode() == plain


def test_mobile_has_no_portal(portal_board: Board) -> None:
    root, forum = get(portal_board, "/", "mobile"), get(portal_board, "/forum", "mobile")
    assert root.body == forum.body
    assert page(root).css("body#mpage-body-modern")


def test_portal_keeps_the_forced_version(portal_board: Board) -> None:
    sel = page(get(portal_board, "/?change_version=subsilver"))
    assert sel.css("table.portal") and not sel.css("body#phpbb")
    links = sel.css("div.marquee a::attr(href)").getall()
    assert links and all("change_version=subsilver" in href for href in links)


@pytest.mark.parametrize("version", DESKTOP)
def test_portal_is_well_nested(portal_board: Board, version: str) -> None:
    from .test_render import _TagBalance

    checker = _TagBalance()
    checker.feed(get(portal_board, "/", version).body.decode())
    assert (checker.open, checker.mismatched) == ([], [])


# -- clock -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "index", "forum", "topic"),
    [
        ("prosilver", True, True, False),
        ("subsilver", False, False, False),
        ("punbb", False, False, False),
        ("invision", True, True, True),
        ("modernbb", True, True, True),
        ("awesomebb", False, False, False),
        ("mobile", False, False, False),
    ],
)
def test_where_the_clock_is(
    board: Board, version: str, index: bool, forum: bool, topic: bool
) -> None:
    assert (CLOCK in text(get(board, "/forum", version))) is index
    assert (CLOCK in text(get(board, f"/f{DEMO_LONG_FORUM_ID}-x", version))) is forum
    assert (CLOCK in text(get(board, f"/t{DEMO_LONG_TOPIC_ID}-x", version))) is topic


@pytest.mark.parametrize("version", VERSIONS)
def test_no_clock_on_forum_pages(version: str) -> None:
    quiet = build_demo_board(NOW)
    quiet.clock_on_forum_pages = False
    for target in (f"/f{DEMO_LONG_FORUM_ID}-x", f"/f{DEMO_LONG_FORUM_ID}p50-x", "/f5-x"):
        response = get(quiet, target, version)
        assert response.status == 200 and CLOCK not in text(response)
        assert page(response).css("a[href^='/t']")
    assert (CLOCK in text(get(quiet, "/forum", version))) is (
        version in ("prosilver", *FOOTER_CLOCK)
    )
    assert (CLOCK in text(get(quiet, f"/t{DEMO_LONG_TOPIC_ID}-x", version))) is (
        version in FOOTER_CLOCK
    )


# -- announcements -----------------------------------------------------------------------------

TOPIC_ID = re.compile(r"/t(\d+)-")
"""A topic's first-page link (title, last post): mini pagination ``/tNpM-`` is left out."""


def row_ids(response: Response) -> set[int]:
    """Ids of the topics a forum page links to (its rows, and sub-forums' last posts)."""
    return {
        int(i) for i in TOPIC_ID.findall(" ".join(page(response).css("a::attr(href)").getall()))
    }


def assert_rows(board: Board, forum_id: int, start: int, version: str) -> list[Topic]:
    """The page shows exactly the rows :meth:`Board.forum_list` says, and no other topic of the
    forum's list."""
    response = get(board, f"/f{forum_id}p{start}-x" if start else f"/f{forum_id}-x", version)
    assert response.status == 200
    expected = board.forum_list(forum_id, start)
    listed = {t.id for t in board.forum_list_paged(forum_id)} | {t.id for t in expected}
    found = row_ids(response) & listed
    assert found == {t.id for t in expected}
    return expected


@pytest.fixture(scope="module")
def global_board() -> Board:
    """The demo board plus one global announcement (forum 1), listed everywhere."""
    board = build_demo_board(NOW)
    add_global_announcement(board, at=NOW - timedelta(days=1))
    return board


def test_default_lists_are_the_forum_topics(board: Board) -> None:
    for forum in board.forums:
        topics = board.forum_topics(forum.id)
        assert board.forum_list_paged(forum.id) == topics
        assert board.forum_list(forum.id, 0) == topics[:50]
        assert board.forum_list(forum.id, 50) == topics[50:100]
    assert board.global_announcements() == [] and board.shadow_topics == []


def test_global_announcement_content(global_board: Board) -> None:
    (topic,) = global_board.global_announcements()
    assert topic.title == GLOBAL_ANNOUNCEMENT_TITLE and topic.announcement
    assert (topic.forum_id, topic.reply_count, topic.views) == (1, 2, 777)
    assert topic.author_name == "Mod-Nadia"
    assert topic.last_post_at == NOW - timedelta(days=1)
    assert topic in global_board.forum_topics(1)
    assert global_board.forum_stats(1)[0] == 3  # counted in its own forum only
    assert global_board.forum_stats(DEMO_LONG_FORUM_ID)[0] == 64
    for forum in global_board.forums:
        paged = global_board.forum_list_paged(forum.id)
        assert topic not in paged
        for start in range(0, len(paged) or 1, 50):
            assert global_board.forum_list(forum.id, start)[0] is topic
    assert len(global_board.forum_list_paged(DEMO_LONG_FORUM_ID)) == 64


@pytest.mark.parametrize("version", VERSIONS)
def test_global_announcement_heads_every_list_page(global_board: Board, version: str) -> None:
    (topic,) = global_board.global_announcements()
    for forum_id, start in ((DEMO_LONG_FORUM_ID, 0), (DEMO_LONG_FORUM_ID, 50), (5, 0), (1, 0)):
        rows = assert_rows(global_board, forum_id, start, version)
        assert rows[0] is topic
        target = f"/f{forum_id}p{start}-x" if start else f"/f{forum_id}-x"
        assert text(get(global_board, target, version)).count("Global announcement:") == 1
    assert get(global_board, f"/f{DEMO_LONG_FORUM_ID}p100-x", version).status == 404


@pytest.mark.parametrize("version", ["prosilver", "subsilver"])
def test_global_announcement_row(global_board: Board, version: str) -> None:
    (topic,) = global_board.global_announcements()
    sel = page(get(global_board, "/f5-x", version))
    link = f"contains(@href, '/t{topic.id}-')"
    if version == "prosilver":
        row = sel.xpath(f"//li[.//a[@class='topictitle' and {link}]]")
        assert row.css("dd.dterm strong::text").get() == "Global announcement:"
        assert row.css("dd.posts::text").get("").strip() == "2"
        assert row.css("dd.views::text").get("").strip() == "777"
        assert "Yesterday at 5:30 pm" in "".join(row.css("dd.lastpost span ::text").getall())
        assert "announce.gif" in row.css("dl::attr(style)").get("")
    else:
        cells = sel.xpath(f"//tr[td/div[@class='topictitle']//a[{link}]]/td")
        assert cells[3].css("span.postdetails::text").get() == "2"
        assert cells[4].css("span.name strong a ::text").get() == "Mod-Nadia"
        assert cells[5].css("span.postdetails::text").get() == "777"
        assert cells[6].css("span.postdetails::text").get() == "Yesterday at 5:30 pm"


def test_global_announcement_in_french() -> None:
    board = build_demo_board(NOW)
    board.language = "fr"
    add_global_announcement(board, at=NOW)
    assert "Annonce globale:" in text(get(board, "/f5-x"))


def test_active_topics_list_a_global_announcement_once(fresh_board: Board) -> None:
    topic = add_global_announcement(fresh_board, at=NOW - timedelta(hours=1))
    response = get(fresh_board, "/search?search_id=activetopics")
    assert row_ids(response) >= {topic.id}
    assert text(response).count("Global announcement:") == 1


def test_make_global_announcement_and_back(fresh_board: Board) -> None:
    topic = fresh_board.make_global_announcement(DEMO_LONG_TOPIC_ID)
    assert fresh_board.forum_list(DEMO_LONG_FORUM_ID, 50)[0] is topic
    fresh_board.make_global_announcement(DEMO_LONG_TOPIC_ID, on=False)
    assert not topic.announcement and fresh_board.global_announcements() == []
    assert fresh_board.forum_list(5, 0) == fresh_board.forum_topics(5)


@pytest.fixture(scope="module")
def repeating_board() -> Board:
    """The demo board with announcements on every page of the list and a global one."""
    board = build_demo_board(NOW)
    board.announcements_on_every_page = True
    add_global_announcement(board, at=NOW - timedelta(days=1))
    return board


def test_announcements_on_every_page_content(repeating_board: Board) -> None:
    board = repeating_board
    (glob,) = board.global_announcements()
    welcome = board.forum_topics(DEMO_LONG_FORUM_ID)[0]
    assert welcome.announcement and not welcome.global_announcement
    paged = board.forum_list_paged(DEMO_LONG_FORUM_ID)
    assert len(paged) == 63 and welcome not in paged and paged[0].sticky
    one, two = board.forum_list(DEMO_LONG_FORUM_ID, 0), board.forum_list(DEMO_LONG_FORUM_ID, 50)
    assert one[:2] == two[:2] == [glob, welcome]
    assert one[2:] == paged[:50] and two[2:] == paged[50:]
    assert len(one) == 52 and len(two) == 15


@pytest.mark.parametrize("version", VERSIONS)
def test_announcements_on_every_page(repeating_board: Board, version: str) -> None:
    board = repeating_board
    for start in (0, 50):
        assert_rows(board, DEMO_LONG_FORUM_ID, start, version)
        body = text(get(board, f"/f{DEMO_LONG_FORUM_ID}p{start}-x", version))
        assert body.count("Announcement:") == 1 and body.count("Global announcement:") == 1
        assert body.count("Sticky:") == (1 if start == 0 else 0)
    assert get(board, f"/f{DEMO_LONG_FORUM_ID}p100-x", version).status == 404


@pytest.mark.parametrize("version", ["prosilver", "subsilver"])
def test_pagination_counts_the_paged_topics(repeating_board: Board, version: str) -> None:
    sel = page(get(repeating_board, f"/f{DEMO_LONG_FORUM_ID}-x", version))
    script = sel.xpath("//script[contains(., 'do_pagination_start')]/text()").get("")
    assert re.search(r"start = \(start > 2\) \? 2 : start;\s+start = \(start - 1\) \* 50;", script)
    assert len(sel.css("a.topictitle")) == 52
    assert len(page(get(repeating_board, "/f2p50-x", version)).css("a.topictitle")) == 15


# -- moved and merged topics -----------------------------------------------------------------

LAYLA, OMAR = 64, 90
"""Two topics of the sub-forum 4: "Hello from Layla" (1 reply) and "Hello from Omar_B"."""


def test_merge_topic_content(fresh_board: Board) -> None:
    old = fresh_board.topic(OMAR)
    into = fresh_board.topic(LAYLA)
    assert old is not None and into is not None
    posts = [p.id for p in into.live_posts + old.live_posts]
    assert fresh_board.merge_topic(OMAR, LAYLA) is into
    assert [p.id for p in into.live_posts] == sorted(posts)
    assert fresh_board.topic(OMAR) is None and old not in fresh_board.live_topics()
    assert fresh_board.moved_topics == {OMAR: LAYLA}
    (row,) = fresh_board.shadow_topics
    assert (row.id, row.forum_id, row.title, row.reply_count, row.moved) == (
        OMAR,
        4,
        "Hello from Omar_B",
        1,
        False,
    )
    assert [t.id for t in fresh_board.forum_list(4, 0)] == [120, OMAR, LAYLA]
    assert [t.id for t in fresh_board.forum_topics(4)] == [120, LAYLA]


def test_split_topic_content(fresh_board: Board) -> None:
    topic = fresh_board.topic(DEMO_LONG_TOPIC_ID)
    assert topic is not None
    before = [p.id for p in topic.live_posts]
    moving = set(before[5:9])
    newest = max(t.id for t in fresh_board.topics)
    new = fresh_board.split_topic(DEMO_LONG_TOPIC_ID, moving, "Side talk", 4)
    assert (new.id, new.forum_id, new.title, new.author_name) == (
        newest + 1,
        4,
        "Side talk",
        fresh_board.post(before[5]).author_name,  # type: ignore[union-attr]
    )
    assert [p.id for p in new.live_posts] == before[5:9]
    assert {p.topic_id for p in new.live_posts} == {new.id}
    assert [p.id for p in topic.live_posts] == before[:5] + before[9:]
    assert new in fresh_board.forum_topics(4)
    with pytest.raises(ValueError):
        fresh_board.split_topic(DEMO_LONG_TOPIC_ID, {before[5]}, "Already moved")
    with pytest.raises(ValueError):
        fresh_board.split_topic(new.id, set(before[5:9]), "Every post")


def test_new_topics_never_take_a_merged_id(fresh_board: Board) -> None:
    newest = max(t.id for t in fresh_board.topics)
    fresh_board.merge_topic(newest, LAYLA, keep_row=False)
    assert fresh_board.add_topic(4, "New", None, "x", NOW).id == newest + 1


@pytest.mark.parametrize("version", VERSIONS)
def test_merged_topic_row_and_redirect(fresh_board: Board, version: str) -> None:
    fresh_board.merge_topic(OMAR, LAYLA)
    assert_rows(fresh_board, 4, 0, version)
    listing = text(get(fresh_board, "/f4-x", version))
    assert "Hello from Omar_B" in listing and "Moved:" not in listing
    for target in (f"/t{OMAR}-hello-from-omar-b", f"/t{OMAR}p15-x", f"/t{OMAR}p-x", f"/t{OMAR}n-x"):
        response = get(fresh_board, target, version)
        assert response.status == 301
        assert response.location == f"{SITE}/t{LAYLA}-hello-from-layla"
    topic = get(fresh_board, f"/t{LAYLA}-x", version)
    assert topic.status == 200 and "Omar here, long time reader" in text(topic)


def test_redirect_keeps_the_forced_version(fresh_board: Board) -> None:
    fresh_board.merge_topic(OMAR, LAYLA)
    response = get(fresh_board, f"/t{OMAR}-x?change_version=punbb")
    assert response.location == f"{SITE}/t{LAYLA}-hello-from-layla?change_version=punbb"


def test_merge_without_row_and_chains(fresh_board: Board) -> None:
    fresh_board.merge_topic(OMAR, LAYLA, keep_row=False)
    assert fresh_board.shadow_topics == [] and fresh_board.forum_list(4, 0)[1].id == LAYLA
    fresh_board.merge_topic(LAYLA, 120, keep_row=False)
    assert fresh_board.moved_topics == {OMAR: 120, LAYLA: 120}
    assert get(fresh_board, f"/t{OMAR}-x").location == f"{SITE}/t120-hello-from-ghost-rider"
    fresh_board.delete_topic(120)
    assert get(fresh_board, f"/t{OMAR}-x").status == 404
    with pytest.raises(ValueError):
        fresh_board.merge_topic(120, 120)


def test_redirect_over_http(fresh_board: Board) -> None:
    fresh_board.merge_topic(OMAR, LAYLA)
    with FixtureForumServer(fresh_board, clock=lambda: NOW) as server:
        url = urlsplit(server.base_url)
        connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
        try:
            connection.request("GET", f"/t{OMAR}-hello-from-omar-b")
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
    assert response.status == 301
    assert response.headers["Location"] == f"http://127.0.0.1:{url.port}/t{LAYLA}-hello-from-layla"


@pytest.mark.parametrize("version", VERSIONS)
def test_moved_topic_shadow(fresh_board: Board, version: str) -> None:
    topic = fresh_board.move_topic(OMAR, 8)
    assert topic.forum_id == 8 and topic in fresh_board.forum_topics(8)
    (shadow,) = fresh_board.shadow_topics
    assert (shadow.id, shadow.forum_id, shadow.moved) == (OMAR, 4, True)
    assert_rows(fresh_board, 4, 0, version)
    assert_rows(fresh_board, 8, 0, version)
    assert text(get(fresh_board, "/f4-x", version)).count("Moved:") == 1
    assert "Moved:" not in text(get(fresh_board, "/f8-x", version))
    response = get(fresh_board, f"/t{OMAR}-x", version)
    assert response.status == 200
    assert "/f8-" in " ".join(page(response).css("a::attr(href)").getall())


def test_moved_shadow_in_french(fresh_board: Board) -> None:
    fresh_board.language = "fr"
    fresh_board.move_topic(OMAR, 8)
    assert "Déplacé:" in text(get(fresh_board, "/f4-x"))
    fresh_board.move_topic(120, 8, shadow=False)
    assert len(fresh_board.shadow_topics) == 1


# -- markup in another order -------------------------------------------------------------------


def test_reordered_prosilver_markup(fresh_board: Board) -> None:
    plain = page(get(fresh_board, "/f5-x"))
    fresh_board.reordered_markup = True
    sel = page(get(fresh_board, "/f5-x"))
    link = f"contains(@href, '/t{DEMO_LONG_TOPIC_ID}-')"
    rows = [s.xpath(f"//li[.//a[@class='topictitle' and {link}]]/dl") for s in (plain, sel)]
    assert rows[0].css("dd::attr(class)").getall() == ["dterm", "posts", "views", "lastpost"]
    assert rows[1].css("dd::attr(class)").getall() == ["dterm", "lastpost", "views", "posts"]
    for cell in ("posts", "views", "lastpost"):  # same cells, same content
        assert rows[0].css(f"dd.{cell}").get() == rows[1].css(f"dd.{cell}").get()
    header = sel.css("div.forumbg li.header dl dd::attr(class)").getall()
    assert header == ["lastpost", "views", "posts"]
    topic = page(get(fresh_board, f"/t{DEMO_LONG_TOPIC_ID}p30-x"))
    last = topic.css("p.author")[-1].xpath("string()").get("")
    assert last.replace("\xa0", " ").strip() == "Today at 4:22 am by Sarah.K"
    first = page(get(fresh_board, "/t121-x")).css("p.author")[0].xpath("string()").get("")
    assert first.replace("\xa0", " ").strip() == "Fri Nov 13, 2026 9:29 am by Rocky"
    fresh_board.reordered_markup = False
    assert page(get(fresh_board, "/f5-x")).get() == plain.get()


@pytest.mark.parametrize("version", VERSIONS)
def test_variant_pages_are_well_nested(version: str) -> None:
    from .test_render import _TagBalance

    board = build_demo_board(NOW)
    board.announcements_on_every_page = board.reordered_markup = True
    add_global_announcement(board, at=NOW)
    board.merge_topic(OMAR, LAYLA)
    board.move_topic(120, 8)
    for target in ("/f2-x", "/f2p50-x", "/f4-x", "/f8-x", f"/t{LAYLA}-x"):
        checker = _TagBalance()
        checker.feed(get(board, target, version).body.decode())
        assert (target, checker.open, checker.mismatched) == (target, [], [])


# -- coloured names ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_members_of_coloured_groups_are_printed_in_their_colour(board: Board, version: str) -> None:
    """The administrator's and the moderator's names wear their groups' colours wherever a
    page prints them (post authors, topic starters, last posters), the others' are plain:
    the crawl tests then read both kinds of name on every page."""
    colours = {member.name: member.colour for member in board.members}
    assert {name for name, colour in colours.items() if colour} == {"Rocky", "Mod-Nadia"}
    names: dict[str, list[str]] = {}
    for target in (f"/t{DEMO_LONG_TOPIC_ID}-x", f"/f{DEMO_LONG_FORUM_ID}-x", "/f1-x"):
        for link in page(get(board, target, version)).css("a[href^='/u']"):
            name = "".join(link.css("::text").getall()).strip()
            if name in colours:
                names.setdefault(name, []).append(link.css("span::attr(style)").get() or "")
    assert {"Rocky", "Mod-Nadia"} <= names.keys(), version
    assert names.keys() - {"Rocky", "Mod-Nadia"}, version  # plain names too
    for name, styles in names.items():
        expected = f"color:{colours[name]}" if colours[name] else ""
        assert set(styles) == {expected}, (version, name)


@pytest.mark.parametrize("version", DESKTOP)
def test_posts_show_their_authors_profile_fields(board: Board, version: str) -> None:
    """Beside the post count, a member's posts show the profile fields real boards show by
    default, a join date among them (a date the post date readers must not take): the crawl
    tests then read every post date with them on the page."""
    topic = board.topic(DEMO_LONG_TOPIC_ID)
    assert topic is not None
    body = text(get(board, f"/t{topic.id}-x", version))
    for post in topic.live_posts[: board.posts_per_page]:
        if post.author is not None:
            assert post.author.joined in body, (version, post.author.name)
    assert body.count("Join date") >= 2, version
