"""The one renderer of the demo: what each page shows, laid out by each version's templates.

:class:`TemplateRenderer` decides the content of a page the same way for every template version
(its object, category and forum ancestry, pagination, JSON-LD, title, canonical URL) and hands
it to the macro of that page kind in ``templates/<version>.html``, which holds the version's
markup in the structure of Forumotion's default templates (overall_header, index_box,
viewforum_body, topics_list_box, viewtopic_body, ...): one macro per page kind (``index``,
``forum``, ``topic``, ``search_active``, ``portal``, ``error``) and one per repeated block.
``templates/common.html`` holds the markup every version prints alike (``{PAGINATION}``,
``{S_JUMPBOX_SELECT}``, ``{NAV_CAT_DESC}``...), ``templates/feed.xml`` the RSS feed. The public
names of :mod:`~forumscraper.demo.render.common`, :mod:`~forumscraper.demo.render.portal` and
``common.html`` are callable from every template. Templates escape nothing by themselves: they
call ``e``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from forumscraper.demo.content import Category, Forum, Topic
from forumscraper.demo.render import common, portal
from forumscraper.demo.render.common import (
    RenderContext,
    active_topics,
    board_snippets,
    breadcrumb_items,
    index_snippets,
    rich_snippets,
)

__all__ = ["TemplateRenderer", "environment", "render_feed"]


@cache
def environment() -> jinja2.Environment:
    """The template environment: block tags on their own line leave no trace in the output."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("forumscraper.demo.render", "templates"),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    for module in (common, portal):
        env.globals.update(
            (name, value) for name, value in vars(module).items() if not name.startswith("_")
        )
    shared = env.get_template("common.html").module
    env.globals.update((name, value) for name, value in vars(shared).items() if name[0] != "_")
    return env


class TemplateRenderer:
    """Every page kind of one template version, as a guest sees it (:class:`Renderer`).

    What a page shows is decided here, the same for every version (the page's object, its
    category and forum ancestry, its pagination, its JSON-LD, title and canonical URL); the
    version's template only lays it out.
    """

    def __init__(self, version: str) -> None:
        self.version = version

    @property
    def _macros(self) -> Any:
        return _module(self.version)

    def index(self, ctx: RenderContext, category: Category | None = None) -> str:
        board = ctx.board
        snippets, title, canonical = index_snippets(ctx, category)
        newest = board.members[-1] if board.members else None
        page = self._macros.index(ctx, board, category, newest, title, canonical, snippets)
        return str(page)

    def forum(self, ctx: RenderContext, forum: Forum, start: int) -> str:
        board = ctx.board
        category, path = board.category(forum.category_id), board.forum_path(forum)
        pages = _shared("forum_pages")(ctx, forum, start)
        snippets = rich_snippets(ctx, breadcrumb_items(board, category, path))
        subforums = board.subforums(forum.id)
        args = (ctx, board, forum, start, category, path, subforums, pages, snippets)
        return str(self._macros.forum(*args))

    def topic(self, ctx: RenderContext, topic: Topic, start: int) -> str:
        board = ctx.board
        forum = board.forum(topic.forum_id)
        if forum is None:
            raise LookupError(f"topic {topic.id} has no forum {topic.forum_id}")
        category, path = board.category(forum.category_id), board.forum_path(forum)
        pages = _shared("topic_pages")(ctx, topic, start)
        snippets = rich_snippets(ctx, breadcrumb_items(board, category, path, topic), topic)
        args = (ctx, board, topic, start, forum, category, path, pages, snippets)
        return str(self._macros.topic(*args))

    def error(self, ctx: RenderContext, message: str) -> str:
        return str(self._macros.error(ctx=ctx, message=message, snippets=board_snippets(ctx)))

    def search_active(self, ctx: RenderContext) -> str:
        topics = active_topics(ctx.board, ctx.now)
        return str(self._macros.search_active(ctx=ctx, topics=topics, snippets=board_snippets(ctx)))

    def portal(self, ctx: RenderContext) -> str:
        return str(self._macros.portal(ctx))


def _shared(name: str) -> Any:
    """A macro of ``templates/common.html``."""
    return environment().globals[name]


def render_feed(ctx: RenderContext, forum: Forum | None, topics: list[Topic]) -> str:
    """``templates/feed.xml``: the RSS feed of ``topics`` (the board's, or ``forum``'s)."""
    return environment().get_template("feed.xml").render(ctx=ctx, forum=forum, topics=topics)


@cache
def _module(version: str) -> Any:
    return environment().get_template(f"{version}.html").module
