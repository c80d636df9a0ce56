"""Shared fixtures of the fixture-forum tests: a pinned "now", the demo board, page fetching."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from parsel import Selector

from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.site import Response, respond

NOW = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
"""17:30 in Baghdad: the instant every test renders at."""
SITE = "http://forum.test"

Fetch = Callable[..., Response]


@pytest.fixture(scope="module")
def board() -> Board:
    """The demo board, shared read-only by a test module."""
    return build_demo_board(NOW)


@pytest.fixture
def fresh_board() -> Board:
    """A demo board of its own, for tests that change it."""
    return build_demo_board(NOW)


@pytest.fixture(scope="module")
def fetch(board: Board) -> Fetch:
    """Render one request target of the shared board without a socket."""

    def get(target: str, version: str = "prosilver") -> Response:
        return respond(board, target, now=NOW, site=SITE, default_version=version)

    return get


def page(response: Response) -> Selector:
    return Selector(text=response.body.decode("utf-8"))
