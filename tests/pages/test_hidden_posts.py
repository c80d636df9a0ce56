"""Posts hidden from a member: the ``postrow.hidden`` block of every version's
``viewtopic_body`` (FACTS.md §2.1), a message printed in the place of a post whose author the
viewer's profile ignores. Guests never see it; a member crawl does.

The row holds its post's place: the posts after it keep the positions a guest's page gives
them, and the page says how many posts it does not show. A hidden row printed together with
its post (inside the row, or beside it with ``display:none``) is that post, read as usual.
"""

from __future__ import annotations

import re

import pytest

from forumscraper.demo.content import Board
from forumscraper.demo.members import MemberArea
from forumscraper.demo.site import respond
from forumscraper.pages import DateContext
from forumscraper.pages.topic import TopicPageReading, read_topic_page
from forumscraper.pages.versions import VERSIONS
from tests.pages.conftest import NOW, SITE, Render

TOPIC = 28
"""Three pages, six of them by the ignored member."""
IGNORED = "Layla"


def member_page(board: Board, target: str, version: str, ignored: set[str]) -> str:
    """``target`` as a member whose profile ignores ``ignored`` gets it."""
    response = respond(board, target, now=NOW, site=SITE, default_version=version, ignored=ignored)
    assert response.status == 200
    return MemberArea().finish(response.body, True).decode("utf-8")


def read(html: str, target: str, dates: DateContext) -> TopicPageReading:
    return read_topic_page(SITE + target, html.encode("utf-8"), "utf-8", dates)


def targets(board: Board) -> list[str]:
    topic = board.topic(TOPIC)
    assert topic is not None
    starts = range(0, len(topic.live_posts), board.posts_per_page)
    assert len(starts) == 3
    return [
        f"/t{TOPIC}p{start}-{topic.slug}" if start else f"/t{TOPIC}-{topic.slug}"
        for start in starts
    ]


def ignored_ids(board: Board) -> set[int]:
    topic = board.topic(TOPIC)
    assert topic is not None
    return {p.id for p in topic.live_posts if p.author is not None and p.author.name == IGNORED}


@pytest.mark.parametrize("version", VERSIONS)
def test_a_hidden_post_keeps_its_place(
    board: Board, render: Render, dates: DateContext, version: str
) -> None:
    hidden = ignored_ids(board)
    assert len(hidden) == 6
    for target in targets(board):
        guest = read(render(target, version), target, dates)
        member = read(member_page(board, target, version, {IGNORED}), target, dates)
        assert member.logged_in and not guest.logged_in
        shown = [
            (p.id, p.position, p.author_name, p.posted_at, p.body_html)
            for p in guest.posts
            if p.id not in hidden
        ]
        assert [
            (p.id, p.position, p.author_name, p.posted_at, p.body_html) for p in member.posts
        ] == shown, target
        assert member.hidden_posts == len(guest.posts) - len(shown), target
        assert guest.hidden_posts == 0
        assert IGNORED not in {p.author_name for p in member.posts}
    # The positions of the topic's posts, hidden ones aside, run 0.. without a gap.
    assert min(hidden) > 0


@pytest.mark.parametrize("version", VERSIONS)
def test_a_member_who_ignores_nobody_reads_what_a_guest_reads(
    board: Board, render: Render, dates: DateContext, version: str
) -> None:
    for target in targets(board):
        guest = read(render(target, version), target, dates)
        member = read(member_page(board, target, version, set()), target, dates)
        assert member.hidden_posts == 0
        assert [(p.id, p.position) for p in member.posts] == [
            (p.id, p.position) for p in guest.posts
        ]


def _element_end(html: str, start: int) -> int:
    """Where the ``div`` opened at ``start`` closes (after its ``</div>``)."""
    depth = 0
    for tag in re.compile(r"<(/?)div\b[^>]*>").finditer(html, start):
        depth += -1 if tag[1] else 1
        if depth == 0:
            return tag.end()
    raise AssertionError("unclosed div")


def _with_post_behind(html: str, version: str, post_ids: set[int], marked: bool = True) -> str:
    """The guest's page with each of ``post_ids`` printed behind a hidden row: beside it with
    ``display:none`` (phpBB3; no style at all unless ``marked``), or inside the row's wrapper
    (AwesomeBB's template)."""
    message = '<p style="text-align:center">This post was written by a member you ignore.</p>'
    for post_id in post_ids:
        if version == "prosilver":
            opening = f'<div id="p{post_id}" class="post '
            start = html.index(opening)
            post = html[start : _element_end(html, start)]
            row = f'<div class="post row1"><div class="inner">{message}</div></div>\n'
            shown = post.replace('style=""', 'style="display: none;"', 1) if marked else post
            html = html.replace(post, row + shown)
        else:
            start = html.index(f'<div id="post-{post_id}" class="post-wrap ')
            post = html[start : _element_end(html, start)]
            row = (
                '<div class="post-wrap row1 post-hidden"><div class="block"><div class="block-'
                f'content">{message}<div class="block-footer" style="display: none;">'
            )
            html = html.replace(post, f"{row}{post}</div></div></div></div>")
    return MemberArea().finish(html.encode(), True).decode()


@pytest.mark.parametrize("version", ["prosilver", "awesomebb"])
def test_a_hidden_row_printed_with_its_post_is_that_post(
    board: Board, render: Render, dates: DateContext, version: str
) -> None:
    target = targets(board)[0]
    guest = read(render(target, version), target, dates)
    hidden = {p.id for p in guest.posts} & ignored_ids(board)
    assert hidden
    member = read(_with_post_behind(render(target, version), version, hidden), target, dates)
    assert member.hidden_posts == 0
    assert [(p.id, p.position, p.body_html) for p in member.posts] == [
        (p.id, p.position, p.body_html) for p in guest.posts
    ]


def test_hidden_rows_beside_as_many_posts_as_the_page_has_places_hold_no_place(
    board: Board, render: Render, dates: DateContext
) -> None:
    """A markup that prints the hidden row and its post with nothing to tie them: a page that
    shows as many posts as it has places (a whole page; on the last page, what the topic's
    JSON-LD counts) besides its hidden rows shows their posts. Without the count, the last
    page cannot tell: its rows are counted, and the run says so."""
    for target in targets(board)[::2]:
        guest = read(render(target, "prosilver"), target, dates)
        hidden = {p.id for p in guest.posts} & ignored_ids(board)
        assert hidden
        html = _with_post_behind(render(target, "prosilver"), "prosilver", hidden, marked=False)
        member = read(html, target, dates)
        assert member.hidden_posts == 0, target
        assert [(p.id, p.position) for p in member.posts] == [
            (p.id, p.position) for p in guest.posts
        ]
    uncounted = re.sub(r'"userInteractionCount":"\d+"', '"userInteractionCount":""', html)
    assert uncounted != html
    assert read(uncounted, target, dates).hidden_posts == len(hidden)
