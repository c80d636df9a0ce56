"""The template-version registry: every version one entry, found by its markup; a page that no
entry recognises reported, never read as another version."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

import forumscraper.pages
from forumscraper.demo.content import Board
from forumscraper.demo.site import respond
from forumscraper.inspect import inspect_page
from forumscraper.pages import ForumListPage, ForumPage, TopicPage
from forumscraper.pages.common import VERSIONS as COMMON_VERSIONS
from forumscraper.pages.problems import describe_problem, page_problem
from forumscraper.pages.recent import ActiveTopicsPage, RecentTopicsPage
from forumscraper.pages.topic import read_topic_page
from forumscraper.pages.versions import (
    NOT_FORUMOTION,
    TEMPLATES,
    VERSIONS,
    UnknownTemplate,
    detect_template,
)

from .conftest import NOW, SITE, Load, Render

TARGETS = [
    "/",
    "/forum",
    "/c1-x",
    "/f2-x",
    "/f2p50-x",
    "/t28-x",
    "/t28p15-x",
    "/search?search_id=activetopics",
    "/t999999-x",  # the information box ("does not exist"), sent with a 404
]
MAINTENANCE = "<html><body><h1>Forum under maintenance</h1></body></html>"


def unknown_version(html: str) -> str:
    """A prosilver page whose version marker is changed: Forumotion's, in a markup no registry
    entry knows."""
    assert html.count('<body id="phpbb"') == 1
    return html.replace('<body id="phpbb"', '<body id="phpbb4"')


def test_the_registry_is_keyed_by_the_names_the_settings_take() -> None:
    assert tuple(TEMPLATES) == VERSIONS == COMMON_VERSIONS == forumscraper.pages.VERSIONS
    assert VERSIONS[0] == "prosilver"
    for name, template in TEMPLATES.items():
        assert template.name == name
        assert template.body_ids or template.marker


def test_every_demo_page_is_detected_as_the_version_it_was_rendered_in(board: Board) -> None:
    detected = set()
    for version in VERSIONS:
        for target in TARGETS:
            response = respond(board, target, now=NOW, site=SITE, default_version=version)
            page = ForumListPage(SITE + target, response.body.decode("utf-8"))
            template = detect_template(page.root)
            assert template is not None, (version, target)
            assert template.name == version, (version, target)
            detected.add(template.name)
    # A new version needs only its entry: the registry and what pages are recognised as agree.
    assert detected == set(VERSIONS)


def test_no_page_module_branches_on_a_version_name() -> None:
    """Version differences are registry fields: no other module of ``pages`` names a version."""
    package = Path(forumscraper.pages.__file__).parent
    for module in sorted(package.glob("*.py")):
        if module.name == "versions.py":
            continue
        tree = ast.parse(module.read_text(encoding="utf-8"))
        named = {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in VERSIONS
        }
        assert not named, (module.name, named)


@pytest.mark.parametrize("target", ["/t28-x", "/t28p15-x"])
def test_a_topic_page_of_an_unknown_version_is_reported_not_read_as_prosilver(
    load: Load, render: Render, target: str
) -> None:
    assert load(TopicPage, target, "prosilver").posts()  # the page itself is readable
    html = unknown_version(render(target, "prosilver"))
    page = TopicPage(SITE + target, html)
    assert page.version is None
    report = page.unknown_template
    assert report is not None
    assert "'phpbb4'" in report.evidence
    with pytest.raises(UnknownTemplate, match="phpbb4"):
        page.posts()
    with pytest.raises(UnknownTemplate):
        page.topic()
    assert page_problem(page) == "unknown_template"
    assert describe_problem(page) == ("unknown_template", report.evidence)
    reading = read_topic_page(SITE + target, html.encode(), "utf-8", page.dates)
    assert reading.posts == []
    assert (reading.problem, reading.detail) == ("unknown_template", report.evidence)
    assert pickle.loads(pickle.dumps(report)).evidence == report.evidence
    shown = inspect_page(SITE + target, html, page.dates)
    assert (shown["version"], shown["unknown_template"]) == (None, report.evidence)
    assert "posts" not in shown


def test_forum_and_index_pages_of_an_unknown_version_are_reported(render: Render) -> None:
    forum = ForumPage(SITE + "/f2-x", unknown_version(render("/f2-x", "prosilver")))
    with pytest.raises(UnknownTemplate, match="phpbb4"):
        forum.topics()
    with pytest.raises(UnknownTemplate):
        forum.forum()
    index = ForumListPage(SITE + "/", unknown_version(render("/", "prosilver")))
    with pytest.raises(UnknownTemplate):
        index.forums()
    assert index.categories()  # what every version prints alike is still read
    search = "/search?search_id=activetopics"
    active = ActiveTopicsPage(SITE + search, unknown_version(render(search, "prosilver")))
    with pytest.raises(UnknownTemplate):
        active.recent()


def test_a_page_without_forumotion_markup_holds_nothing_and_says_why() -> None:
    for page_class in (TopicPage, ForumPage, ForumListPage, RecentTopicsPage):
        page = page_class(SITE + "/t28-x", MAINTENANCE)
        assert page.version is None
        assert page.unknown_template is None
        assert page.template is NOT_FORUMOTION
    assert TopicPage(SITE + "/t28-x", MAINTENANCE).posts() == []
    assert ForumPage(SITE + "/f2-x", MAINTENANCE).topics() == []
    assert ForumListPage(SITE + "/", MAINTENANCE).forums() == []
    reading = read_topic_page(
        SITE + "/t28-x", MAINTENANCE.encode(), "utf-8", TopicPage("", "").dates
    )
    assert reading.problem == "not_forumotion"
