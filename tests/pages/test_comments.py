"""HTML comments and processing instructions show nothing: a list, index or recent-topics page
read with them sprinkled through its markup gives exactly what the clean page gives.

Selections such as ``./node()`` or ``br/following-sibling::node()`` (last-post cells, recent
widget lines) return comment nodes along with text; XPath cannot take the string value of one,
so the visible-text helpers must skip them (found by the page fuzzer)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from forumscraper.demo.content import DEMO_LONG_FORUM_ID
from forumscraper.pages import DateContext, ForumListPage, ForumPage
from forumscraper.pages.recent import ActiveTopicsPage, RecentTopicsPage
from forumscraper.pages.versions import VERSIONS

from .conftest import SITE, Render

_SPOTS = re.compile(r"(<br\s*/?>)|(?=</(?:a|span|td|dd|div|strong|li|p|h\d)>)")
"""After every line break and before closing tags of the elements rows and cells are made of."""


def sprinkle(html: str) -> str:
    head, body = html.split("<body", 1)
    return head + "<body" + _SPOTS.sub(lambda m: (m[1] or "") + "<!-- x --><?php y ?>", body)


def read(target: str, html: str, dates: DateContext) -> dict[str, Any]:
    url = SITE + target
    index, forum = ForumListPage(url, html, dates), ForumPage(url, html, dates)
    return {
        "categories": index.categories(),
        "forums": index.forums(),
        "topics": forum.topics(),
        "subforums": forum.subforums(),
        "offsets": forum.page_offsets(),
        "widget": RecentTopicsPage(url, html, dates).widget(),
        "active": ActiveTopicsPage(url, html, dates).recent(),
    }


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/?recent_widget=classical",
        f"/f{DEMO_LONG_FORUM_ID}-x",
        "/search?search_id=activetopics",
    ],
)
def test_comments_show_nothing(
    render: Render, dates: DateContext, version: str, target: str
) -> None:
    html = render(target, version)
    sprinkled = sprinkle(html)
    assert sprinkled.count("<!-- x -->") > 20
    clean = read(target, html, dates)
    assert any(clean.values())
    assert read(target, sprinkled, dates) == clean
