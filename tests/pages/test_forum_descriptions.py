"""Forum descriptions in forum lists: the forum's own words, never what its row prints beside.

phpBB3, PunBB and ModernBB print a forum's moderators ("Moderators: NAME, GROUP") and its
sub-forums ("Subforums: …") in the description's own node, behind labels in the board's
language; subsilver and Invision print them in nodes of their own, AwesomeBB and mobile not at
all. A description without a full stop must not be taken for part of a label, and a forum that
shows no description reads ``''`` (none), not ``None`` (not known): a removed description is
then stored as removed.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import html

from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.site import respond
from forumscraper.items import ForumItem
from forumscraper.pages import DateContext, ForumListPage
from forumscraper.pages.forum import ForumPage
from forumscraper.pages.versions import VERSIONS

from .conftest import NOW, SITE, html_text

NAMES = ("Mod-Nadia", "Omar_B", "Layla", "أبو علي", "Moderators")
"""Every moderator and moderating group of the board below."""


def moderated_board(language: str) -> Board:
    """The demo board in ``language``, each top-level forum with moderators: forum 1's
    description without a full stop, forum 5's removed, sub-forum 4 moderated too."""
    board = build_demo_board(NOW)
    board.language = language
    changes = {
        1: {"description": "Read this first, then post"},
        4: {"moderators": ("Layla",)},
        5: {"description": "", "moderators": ("Layla",)},
    }
    board.forums = [replace(forum, **changes.get(forum.id, {})) for forum in board.forums]
    board.changed()
    return board


def read(board: Board, target: str, version: str) -> list[ForumItem]:
    response = respond(board, target, now=NOW, site=SITE, default_version=version)
    assert response.status == 200
    body = response.body.decode("utf-8")
    page_class = ForumPage if target.startswith("/f") else ForumListPage
    page = page_class(SITE + target, body, DateContext(board.tzinfo, NOW))
    if isinstance(page, ForumPage):
        return page.subforums()
    return page.forums()


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("version", VERSIONS)
def test_descriptions_leave_out_moderators_and_subforums(version: str, language: str) -> None:
    board = moderated_board(language)
    index = {forum.id: forum for forum in read(board, "/", version)}
    top = [forum for forum in board.forums if forum.parent_id is None]
    assert sorted(index.keys() & {f.id for f in top}) == sorted(f.id for f in top)
    for forum in top:
        assert index[forum.id].description == html_text(forum.description), forum.id
    assert index[5].description == ""  # none: not None, which would keep the stored one
    for target in ("/c2-x", "/f2-x"):
        for item in read(board, target, version):
            forum = board.forum(item.id)
            assert forum is not None
            if item.description is not None:  # sub-forum links in a parent's row: not known
                assert item.description == html_text(forum.description), (target, item.id)
            assert not any(name in (item.description or "") for name in NAMES), item
    subforums = read(board, "/f2-x", version)
    assert [(f.id, f.description) for f in subforums] == [(4, "New here? Say hello.")]


def test_the_moderators_are_printed_where_each_version_puts_them() -> None:
    """The variation is real in the demo: the labels and links are on the pages, in the node
    each version prints them in, so the test above reads past them."""
    board = moderated_board("fr")
    where = {
        "prosilver": "//dd[contains(@class,'dterm')]/div",
        "punbb": "//td[contains(@class,'tcl')]",
        "modernbb": "//dd[contains(@class,'dterm')]/div",
        "subsilver": "//span[contains(@class,'gensmall')]",
        "invision": "//div[contains(@class,'mods')]",
    }
    for version in VERSIONS:
        body = respond(board, "/", now=NOW, site=SITE, default_version=version).body
        text = " ".join(html.fromstring(body).xpath("string(//body)").split())
        if version in where:
            nodes = html.fromstring(body).xpath(where[version])
            printed = " ".join(" ".join(n.xpath("string()").split()) for n in nodes)
            assert "Modérateur(s): Mod-Nadia, Omar_B, Moderators" in printed, version
            assert "Modérateur(s): أبو علي" in printed, version
        else:
            assert "Modérateur(s)" not in text, version


@pytest.mark.parametrize(
    ("printed", "description"),
    [
        # A customised template: the label on the description's line.
        (" Computers and phones Moderators: ", "Computers and phones"),
        (" Nouvelles. Modérateur(s) : ", "Nouvelles."),
        # A description's own link to another site stays; the first moderator's link ends it.
        (' See <a href="https://example.org/">the rules</a>.\n Moderators: ', "See the rules."),
        (" <strong>Ask</strong> anything Moderators:", "Ask anything"),
        (" Moderators: ", ""),
    ],
)
def test_a_description_ends_where_the_moderators_begin(printed: str, description: str) -> None:
    board = moderated_board("en")
    body = respond(board, "/", now=NOW, site=SITE, default_version="prosilver").body.decode()
    tech = board.forum(8)
    assert tech is not None
    row_start = body.index(f'class="forumtitle">{tech.title}</a>')
    start = body.index("<br />", row_start) + len("<br />")
    end = body.index('<a href="/g2-moderators">', start)
    body = body[:start] + printed + body[end:]
    page = ForumListPage(SITE + "/", body, DateContext(board.tzinfo, NOW))
    forums = {forum.id: forum for forum in page.forums()}
    assert forums[8].description == description
    assert forums[5].description == ""
