"""URL routing of the fixture forum: request target in, status + headers + body out.

Kept apart from the HTTP server so it can be called directly (and timed) without sockets. URL
patterns follow Forumotion (FACTS §1): ``/`` and ``/forum`` (index; ``/`` is the portal when
:attr:`Board.portal <forumscraper.demo.content.Board.portal>` is on), ``/cN-slug``, ``/fN-slug``
and ``/fNpOFFSET-slug``, ``/tN-slug`` and ``/tNpOFFSET-slug``, ``/tNp-slug`` / ``/tNn-slug``
(previous / next topic), ``/search?search_id=activetopics``, ``/feed/`` (``?f=N``),
``/robots.txt``. Slugs are ignored. The id of a merged topic (:attr:`Board.moved_topics
<forumscraper.demo.content.Board.moved_topics>`) answers 301 to the topic holding its posts.
The ``change_version`` query parameter picks the template version for one request; the
test-only ``recent_widget`` parameter (``scrolling`` or ``classical``) overrides the board's
"Recent topics" widget mode for one request.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from forumscraper.demo.content import RECENT_WIDGET_MODES, Board
from forumscraper.demo.render.common import (
    VERSIONS,
    RenderContext,
    Renderer,
    topic_path,
)
from forumscraper.demo.render.engine import TemplateRenderer, render_feed

__all__ = ["RENDERERS", "Response", "respond"]

RENDERERS: dict[str, Renderer] = {version: TemplateRenderer(version) for version in VERSIONS}
"""One renderer per template version name, each with its templates (``render/templates/``)."""

HTML = "text/html; charset=utf-8"
_TOPIC = re.compile(r"/t(\d+)(?:p(\d*)|(n))?-")
_FORUM = re.compile(r"/f(\d+)(?:p(\d+))?-")
_CATEGORY = re.compile(r"/c(\d+)-")


@dataclass(frozen=True, kw_only=True)
class Response:
    """What the server sends back."""

    status: int
    content_type: str
    body: bytes
    location: str | None = None
    """The ``Location`` header of a redirect (absolute URL), else None."""


def respond(
    board: Board,
    target: str,
    *,
    now: datetime,
    site: str,
    default_version: str = "prosilver",
    robots_disallow: Sequence[str] = (),
    timezone: str | None = None,
    ignored: Collection[str] = (),
) -> Response:
    """Answer one GET of ``target`` (path and query) as a guest at instant ``now``; dates on
    ``timezone``'s clock when given (a member whose profile sets another zone), else the
    board's; the posts of members named in ``ignored`` (the viewer's ignore list) hidden."""
    url = urlsplit(target)
    query = parse_qs(url.query)
    forced = query.get("change_version", [""])[0]
    version = forced if forced in VERSIONS else default_version
    widget = query.get("recent_widget", [""])[0]
    ctx = RenderContext(
        board=board,
        now=now,
        site=site,
        version=version,
        keep_version=forced in VERSIONS,
        widget_mode=widget if widget in RECENT_WIDGET_MODES else board.recent_widget_mode,
        timezone=ZoneInfo(timezone) if timezone else None,
        ignored=frozenset(ignored),
    )
    renderer = RENDERERS[version]
    path = url.path
    with board.lock:
        if path == "/" and board.portal:
            return _html(200, renderer.portal(ctx))
        if path in ("/", "/forum"):
            return _html(200, renderer.index(ctx))
        if path == "/robots.txt":
            return _robots(robots_disallow)
        if path == "/search" and query.get("search_id", [""])[0] == "activetopics":
            return _html(200, renderer.search_active(ctx))
        if path in ("/feed", "/feed/", "/rss"):
            forum_ids = query.get("f", [""])[0]
            return _feed(ctx, int(forum_ids) if forum_ids.isdigit() else None)
        if match := _TOPIC.match(path):
            return _topic(ctx, renderer, match)
        if match := _FORUM.match(path):
            forum = board.forum(int(match[1]))
            start = int(match[2] or 0)
            if forum is not None and (start == 0 or start < len(board.forum_list_paged(forum.id))):
                return _html(200, renderer.forum(ctx, forum, start))
            return _html(404, renderer.error(ctx, "The forum you selected does not exist."))
        if match := _CATEGORY.match(path):
            category = board.category(int(match[1]))
            if category is not None:
                return _html(200, renderer.index(ctx, category))
        return _html(404, renderer.error(ctx, "The page you requested does not exist."))


def _html(status: int, page: str) -> Response:
    return Response(status=status, content_type=HTML, body=page.encode("utf-8"))


def _topic(ctx: RenderContext, renderer: Renderer, match: re.Match[str]) -> Response:
    board = ctx.board
    moved_to = board.resolve_moved(int(match[1]))
    if moved_to is not None:
        return _moved(ctx, renderer, moved_to)
    topic = board.topic(int(match[1]))
    if topic is None or topic.deleted or not topic.live_posts:
        return _html(404, renderer.error(ctx, "The topic or post you requested does not exist."))
    if match[3] or match[2] == "":
        direction = "newer" if match[3] else "older"
        neighbour = board.neighbour_topic(topic, direction)
        if neighbour is None:
            message = f"There are no {'newer' if match[3] else 'older'} topics in this forum."
            return _html(404, renderer.error(ctx, message))
        return _html(200, renderer.topic(ctx, neighbour, 0))
    start = int(match[2] or 0)
    if start and start >= len(topic.live_posts):
        return _html(404, renderer.error(ctx, "The topic or post you requested does not exist."))
    return _html(200, renderer.topic(ctx, topic, start))


def _moved(ctx: RenderContext, renderer: Renderer, topic_id: int) -> Response:
    """301 to the first page of the topic that now holds a merged topic's posts (any page or
    prev/next URL of the old id redirects there), keeping a forced ``change_version``."""
    topic = ctx.board.topic(topic_id)
    if topic is None or topic.deleted or not topic.live_posts:
        return _html(404, renderer.error(ctx, "The topic or post you requested does not exist."))
    path = topic_path(topic)
    if ctx.keep_version:
        path += f"?change_version={ctx.version}"
    location = ctx.absolute(path)
    body = f'<html><body>Moved Permanently: <a href="{escape(location)}">here</a></body></html>'
    return Response(status=301, content_type=HTML, body=body.encode("utf-8"), location=location)


def _robots(disallow: Sequence[str]) -> Response:
    lines = ["User-agent: *"]
    lines.extend(f"Disallow: {path}" for path in disallow)
    if not disallow:
        lines.append("Disallow:")
    return Response(
        status=200,
        content_type="text/plain; charset=utf-8",
        body=("\n".join(lines) + "\n").encode("utf-8"),
    )


def _feed(ctx: RenderContext, forum_id: int | None) -> Response:
    """RSS 2.0 of the newest topics (one forum with ``?f=N``; unknown ids give the whole board)."""
    board = ctx.board
    forum = board.forum(forum_id) if forum_id is not None else None
    xml = render_feed(ctx, forum, board.newest_topics(forum.id if forum else None))
    return Response(
        status=200, content_type="application/rss+xml; charset=utf-8", body=xml.encode("utf-8")
    )
