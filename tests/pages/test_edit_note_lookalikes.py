"""A message that quotes or writes an edit note ("Last edited by … edited 2 times in total") is
not edited by it: in every version the body stays whole and the edit fields are the post's own
note, or none. The versions whose message sits loose in its container (AwesomeBB, mobile) cut
the note from the page, not from the message."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forumscraper.demo.content import build_demo_board
from forumscraper.demo.site import respond
from forumscraper.pages import DateContext
from forumscraper.pages.topic import TopicPage
from forumscraper.pages.versions import VERSIONS
from tests.pages.conftest import NOW, SITE

NOTE = "Last edited by Rocky on Sun Nov 22, 2026 5:30 pm; edited 2 times in total"


@pytest.mark.parametrize("version", VERSIONS)
def test_a_message_ending_in_an_edit_note_keeps_its_text_and_its_own_edit(version: str) -> None:
    board = build_demo_board(NOW)
    rocky, layla = board.members[0], board.members[1]
    topic = board.add_topic(board.forums[0].id, "Notes", rocky, "start", NOW - timedelta(days=3))
    bodies = {
        "quoted": f'<dl class="codebox"><dt>Rocky wrote:</dt><dd>Changed.<br />{NOTE}</dd></dl>',
        "bold": f"Why does it say<br /><strong>{NOTE}</strong>",
    }
    unedited = {
        key: board.add_post(topic.id, layla, body, NOW - timedelta(days=2))
        for key, body in bodies.items()
    }
    edited = board.add_post(topic.id, layla, "x", NOW - timedelta(days=2))
    board.edit_post(edited.id, bodies["bold"], layla, NOW - timedelta(hours=20))
    response = respond(board, f"/t{topic.id}-notes", now=NOW, site=SITE, default_version=version)
    page = TopicPage(
        SITE + f"/t{topic.id}-notes",
        response.body.decode("utf-8"),
        DateContext(tz=board.tzinfo, now=NOW),
    )
    posts = {post.id: post for post in page.posts()}
    for key, post in unedited.items():
        read = posts[post.id]
        assert (read.body_html, read.edit_count, read.edited_by) == (bodies[key], 0, None), key
    read = posts[edited.id]
    assert (read.body_html, read.edit_count, read.edited_by, read.edited_at) == (
        bodies["bold"],
        1,
        "Layla",
        edited.edited_at,
    )
