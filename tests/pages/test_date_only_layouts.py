"""Boards whose date format prints no time of day (``DATE_ONLY_FORMATS``: ``Y-m-d``, ``j/n/Y``,
``jS F Y``, layouts Forumotion offers): every version's topic pages give no post a moment its
page does not print. The post and edit dates are NULL next to their text, never a midnight, and
the text is the date as the board prints it."""

from __future__ import annotations

import pytest

from forumscraper.demo.content import (
    DATE_ONLY_FORMATS,
    DEMO_FORMATTING_TOPIC_ID,
    DEMO_LONG_TOPIC_ID,
    Board,
    build_demo_board,
)
from forumscraper.demo.render.common import absolute_date
from forumscraper.demo.site import respond
from forumscraper.pages import DateContext, TopicPage
from forumscraper.pages.versions import VERSIONS
from forumscraper.text.dates import lacks_time

from .conftest import NOW, SITE

TARGETS = (
    f"/t{DEMO_LONG_TOPIC_ID}p30-x",  # posts of today and yesterday
    f"/t{DEMO_LONG_TOPIC_ID}-x",
    f"/t{DEMO_FORMATTING_TOPIC_ID}-x",  # edited posts
)


def board_in(date_format: str, language: str) -> Board:
    board = build_demo_board(NOW)
    board.date_format, board.language = date_format, language
    return board


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("date_format", DATE_ONLY_FORMATS)
def test_a_date_without_a_time_is_kept_as_text_and_read_as_none(
    date_format: str, version: str
) -> None:
    language = "fr" if version == "subsilver" else "en"  # "1er mai 2024" as well
    board = board_in(date_format, language)
    dates = DateContext(tz=board.tzinfo, now=NOW)
    seen = edited = 0
    for target in TARGETS:
        response = respond(board, target, now=NOW, site=SITE, default_version=version)
        assert response.status == 200
        page = TopicPage(SITE + target, response.body.decode(), dates)
        for got in page.posts():
            want = board.post(got.id)
            assert want is not None
            printed = absolute_date(want.posted_at.astimezone(board.tzinfo), date_format, language)
            assert (got.posted_at, got.posted_at_raw) == (None, printed), got.id
            assert lacks_time(printed)
            if want.edited_at is not None:  # the note's editor and count are read still
                note = absolute_date(want.edited_at.astimezone(board.tzinfo), date_format, language)
                assert (got.edited_at, got.edited_at_raw) == (None, note), got.id
                assert want.editor is not None
                assert (got.edited_by, got.edit_count) == (want.editor.name, want.edit_count)
                edited += 1
            seen += 1
    assert seen >= 20
    assert edited
