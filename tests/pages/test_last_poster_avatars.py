"""Topic lists that show the last poster's avatar (an ACP display option of every version).

The avatar is an image in the last post's cell, before its details; on phpBB3 the details move
into a ``div`` beside it. Every field of every row must read as on the same list without it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest

from forumscraper.demo.content import DEMO_LONG_FORUM_ID, Board, build_demo_board
from forumscraper.demo.site import respond
from forumscraper.pages import DateContext, ForumPage
from forumscraper.pages.versions import VERSIONS

from .conftest import NOW, SITE

TARGETS = (f"/f{DEMO_LONG_FORUM_ID}-x", f"/f{DEMO_LONG_FORUM_ID}p50-x", "/f5-x")


def rows(board: Board, target: str, version: str) -> tuple[list[dict[str, Any]], str]:
    response = respond(board, target, now=NOW, site=SITE, default_version=version)
    assert response.status == 200
    body = response.body.decode("utf-8")
    page = ForumPage(SITE + target, body, DateContext(board.tzinfo, NOW))
    return [asdict(topic) for topic in page.topics()], body


@pytest.mark.parametrize("version", VERSIONS)
def test_rows_read_as_without_the_avatars(version: str) -> None:
    plain = build_demo_board(NOW)
    shown = build_demo_board(NOW)
    shown.last_poster_avatars = True
    for target in TARGETS:
        expected, _ = rows(plain, target, version)
        got, body = rows(shown, target, version)
        assert body.count('alt="avatar"') == len(expected) > 0, target
        assert all(row["last_post_at"] is not None for row in expected), target
        assert got == expected, target
