"""The board index in every version: categories and forum rows, field by field."""

from __future__ import annotations

import pytest

from forumscraper.demo.content import Board
from forumscraper.pages import ForumListPage, detect_version
from forumscraper.pages.forum import ForumPage
from forumscraper.pages.versions import VERSIONS

from .conftest import Load, html_text


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "target", ["/", "/forum", "/f2-x", "/t28-x", "/search?search_id=activetopics"]
)
def test_version_is_detected_from_the_markup(load: Load, version: str, target: str) -> None:
    page = load(ForumListPage, target, version)
    assert page.version == version
    assert detect_version(page.sel) == version
    assert page.is_forumotion and not page.logged_in


@pytest.mark.parametrize("version", VERSIONS)
def test_categories(load: Load, board: Board, version: str) -> None:
    categories = load(ForumListPage, "/", version).categories()
    assert [(c.id, c.title, c.position) for c in categories] == [
        (c.id, c.title, position) for position, c in enumerate(board.ordered_categories())
    ]


@pytest.mark.parametrize("version", VERSIONS)
def test_index_forums(load: Load, board: Board, version: str) -> None:
    forums = load(ForumListPage, "/", version).forums()
    expected = [
        forum
        for category in board.ordered_categories()
        for top in board.child_forums(category.id)
        for forum in [top, *board.subforums(top.id)]
        # The mobile index lists top-level forums only (sub-forums are on their parent's page).
        if version != "mobile" or forum.parent_id is None
    ]
    assert [f.id for f in forums] == [f.id for f in expected]
    for got, want in zip(forums, expected, strict=True):
        category = board.category(want.category_id)
        assert category is not None
        topics, posts, _ = board.forum_stats(want.id)
        assert got.title == want.title, want.id
        assert got.parent_id == want.parent_id, want.id
        assert (got.category_id, got.category) == (category.id, category.title), want.id
        assert got.position == want.position - 1, want.id
        assert got.url is not None and got.url.endswith(f"/f{want.id}-{want.slug}")
        if want.parent_id is None:  # sub-forums appear as links in their parent's row only
            assert got.description == html_text(want.description), want.id
            assert got.post_count == posts, want.id
            assert got.topic_count == (None if version == "mobile" else topics), want.id


@pytest.mark.parametrize("version", VERSIONS)
def test_forum_page_lists_its_subforums(load: Load, board: Board, version: str) -> None:
    page = load(ForumPage, "/f2-x", version)
    subforums = page.subforums()
    assert [(f.id, f.title, f.parent_id, f.category_id) for f in subforums] == [
        (f.id, f.title, 2, f.category_id) for f in board.subforums(2)
    ]
    assert load(ForumPage, "/f5-x", version).subforums() == []


@pytest.mark.parametrize("version", VERSIONS)
def test_category_page(load: Load, version: str) -> None:
    forums = load(ForumListPage, "/c2-x", version).forums()
    assert [(f.id, f.category_id) for f in forums] == [(5, 2), (6, 2)]
