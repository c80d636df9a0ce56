"""Shared fixtures of the page-extraction tests: the demo board rendered in every version.

Pages are rendered with :func:`forumscraper.demo.site.respond` (no socket) at a pinned instant,
then read by the page objects with the board's timezone and that instant.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol, TypeVar

import pytest
from parsel import Selector

from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.site import respond
from forumscraper.pages import DateContext, Page
from forumscraper.pages.versions import VERSIONS

NOW = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
"""17:30 in Baghdad: the instant every page is rendered and read at."""
SITE = "http://forum.test"
DESKTOP = tuple(version for version in VERSIONS if version != "mobile")

P = TypeVar("P", bound=Page)
Render = Callable[[str, str], str]


class Load(Protocol):
    """Builds a page object of ``page_class`` for ``target`` rendered in ``version``."""

    def __call__(self, page_class: type[P], target: str, version: str) -> P: ...


def html_text(html: str | None) -> str:
    """Visible text of an HTML fragment, whitespace folded."""
    if not html:
        return ""
    return " ".join((Selector(text=f"<div>{html}</div>").xpath("string()").get() or "").split())


@pytest.fixture(scope="session")
def board() -> Board:
    """The demo board, read-only."""
    return build_demo_board(NOW)


@pytest.fixture(scope="session")
def dates(board: Board) -> DateContext:
    return DateContext(tz=board.tzinfo, now=NOW)


@pytest.fixture(scope="session")
def render(board: Board) -> Render:
    """The HTML of one request target in one version (cached: pages are read many times)."""
    cache: dict[tuple[str, str], str] = {}

    def get(target: str, version: str) -> str:
        key = (target, version)
        if key not in cache:
            response = respond(board, target, now=NOW, site=SITE, default_version=version)
            assert response.status == 200, (target, version, response.status)
            cache[key] = response.body.decode("utf-8")
        return cache[key]

    return get


@pytest.fixture(scope="session")
def load(render: Render, dates: DateContext) -> Load:
    """A page object of ``page_class`` for one target rendered in one version."""

    def make(page_class: type[P], target: str, version: str) -> P:
        return page_class(SITE + target, render(target, version), dates)

    return make
