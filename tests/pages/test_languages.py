"""Boards in Arabic and Turkish (``Board.language``), in every date layout Forumotion offers
(``shared/forumotion/DATES.md``): every version's topic pages give each post the board's own
``posted_at`` and ``edited_at``, relative dates ("اليوم في 12:05", "Bugün saat 12:05")
included (a date without a year on a mobile page, which does not say its topic's year: none).
The demo prints the names as DATES.md shows them, not from the reader's tables."""

from __future__ import annotations

from datetime import datetime

import pytest

from forumscraper.demo.content import (
    DATE_FORMATS,
    DEMO_FORMATTING_TOPIC_ID,
    DEMO_LONG_TOPIC_ID,
    Board,
    build_demo_board,
)
from forumscraper.demo.site import respond
from forumscraper.pages import DateContext, TopicPage
from forumscraper.pages.versions import VERSIONS
from forumscraper.text.dates import lacks_year

from .conftest import NOW, SITE

LANGUAGES = ("ar", "tr")
TARGETS = (
    f"/t{DEMO_LONG_TOPIC_ID}p30-x",
    f"/t{DEMO_LONG_TOPIC_ID}-x",
    f"/t{DEMO_FORMATTING_TOPIC_ID}-x",
)
"""The long topic's last page (Today/Yesterday dates) and first page, and the topic with edits."""

_BOARDS: dict[tuple[str, str], Board] = {}


def board_in(language: str, date_format: str) -> Board:
    key = (language, date_format)
    if key not in _BOARDS:
        board = build_demo_board(NOW)
        board.language, board.date_format = language, date_format
        _BOARDS[key] = board
    return _BOARDS[key]


def html(board: Board, target: str, version: str) -> str:
    response = respond(board, target, now=NOW, site=SITE, default_version=version)
    assert response.status == 200
    return response.body.decode()


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("date_format", DATE_FORMATS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_post_dates_in_every_language_and_layout(
    language: str, date_format: str, version: str
) -> None:
    board = board_in(language, date_format)
    dates = DateContext(tz=board.tzinfo, now=NOW)
    seen = 0
    for target in TARGETS:
        page = TopicPage(SITE + target, html(board, target, version), dates)
        for got in page.posts():
            want = board.post(got.id)
            assert want is not None
            assert got.posted_at == expected(page, got.posted_at_raw, want.posted_at)
            assert got.edited_at == expected(page, got.edited_at_raw, want.edited_at)
            seen += 1
    assert seen >= 20


def expected(page: TopicPage, raw: str | None, value: datetime | None) -> datetime | None:
    """The board's date, or none for a date without a year on a page that does not say its
    topic's year (mobile pages carry no JSON-LD): never guessed."""
    return None if raw and lacks_year(raw) and page.published_at is None else value


@pytest.mark.parametrize(
    ("language", "relative", "weekdays"),
    [
        ("ar", ["اليوم في", "أمس في"], ["الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة"]),
        ("tr", ["Bugün saat", "Dün saat"], ["Ptsi", "Çarş.", "Perş.", "Cuma", "C.tesi"]),
    ],
)
def test_the_pages_print_the_language(
    language: str, relative: list[str], weekdays: list[str]
) -> None:
    """The test above reads what it should: Arabic and Turkish names and relative dates."""
    board = board_in(language, "phpbb")
    last_page = html(board, TARGETS[0], "prosilver")
    assert all(words in last_page for words in relative)
    first_page = html(board, TARGETS[1], "prosilver")
    assert sum(day in first_page for day in weekdays) >= 3


def test_arabic_on_before_the_date_is_kept_in_the_raw_text() -> None:
    """Arabic boards print "في" ("on") before a date; the raw text keeps it, the reader skips
    it."""
    board = board_in("ar", "phpbb")
    page = TopicPage(
        SITE + TARGETS[1],
        html(board, TARGETS[1], "prosilver"),
        DateContext(tz=board.tzinfo, now=NOW),
    )
    raws = [post.posted_at_raw or "" for post in page.posts()]
    assert any(raw.startswith("في ") for raw in raws)
    assert all(post.posted_at is not None for post in page.posts())
