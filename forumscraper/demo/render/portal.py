"""The portal home page: what its modules list, the same for every template version.

A Forumotion board with the portal enabled (:attr:`~forumscraper.demo.content.Board.portal`)
serves it at ``/`` and moves the forum index to ``/forum`` (FACTS §1, ``U_INDEX``). The page is
``portal_body``: five module slots, ``giefmod0`` (full width, top), ``giefmod1`` to ``giefmod3``
(left, middle and right columns) and ``giefmod4`` (full width, bottom), each filled with
``mod_*`` modules. The demo portal fills them as a default Forumotion portal does:

* left column: the "Recent topics" widget (``mod_recent_topics``, scrolling or classical like the
  index's widget);
* middle column: the news (``mod_news``): the first post of the newest topics of the news forum
  (:func:`news_forum`), with "Comments: N" linking to the topic;
* right column: "Most active topics" (most replies) and "Most viewed topics"
  (``mod_most_active_topics``, ``mod_most_viewed_topics``): links to the topics' first page with
  the full title in ``title`` and a shortened link text.

``portal_body`` has no ``{CURRENT_TIME}``: a portal shows no "Current date/time is …" line (the
Invision and ModernBB footers still print the clock, on every page, as they do on real boards).
This module computes the modules' content; each version's template lays them out in its markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from forumscraper.demo.content import Forum, Topic
from forumscraper.demo.render.common import (
    RenderContext,
    e,
    poster_link,
    shorten,
    topic_path,
)

__all__ = [
    "NEWS_LIMIT",
    "TOP_NAME_LIMIT",
    "TOP_TOPICS_LIMIT",
    "NewsItem",
    "TopTopic",
    "most_active_topics",
    "most_viewed_topics",
    "news_forum",
    "news_items",
]

NEWS_LIMIT = 3
"""Topics the news module shows."""
TOP_TOPICS_LIMIT = 5
"""Topics the "Most active" and "Most viewed" modules list."""
TOP_NAME_LIMIT = 40
"""The "Most active"/"Most viewed" link texts are cut at this many characters (full title in
the ``title`` attribute)."""


@dataclass(frozen=True, kw_only=True)
class NewsItem:
    """One ``mod_news`` ``post_row``: a news topic's first post."""

    topic: Topic
    title: str
    """``post_row.TITLE``: the topic title (escaped)."""
    time: str
    """``post_row.TIME``: when the first post was written."""
    poster: str
    """``post_row.POSTER``: a profile link for a member, the bare name for a guest."""
    text: str
    """``post_row.TEXT``: the first post's body HTML."""
    replies: int
    """``post_row.REPLIES``: the topic's reply count."""
    comments_href: str
    """``post_row.U_VIEW_COMMENTS``: the topic's first page (escaped)."""


@dataclass(frozen=True, kw_only=True)
class TopTopic:
    """One ``TOPIC`` row of the "Most active"/"Most viewed" modules."""

    href: str
    """``TOPIC.LINK``: the topic's first page (escaped)."""
    title: str
    """``TOPIC.TITLE``: the full title (escaped)."""
    name: str
    """``TOPIC.NAME``: the title cut at :data:`TOP_NAME_LIMIT` characters (escaped)."""
    row_class: str
    """``TOPIC.ROW_CLASS``: ``row1``, ``row2``, ``row1``…"""


def news_forum(ctx: RenderContext) -> Forum | None:
    """The forum the news module takes its topics from: the first forum of the index."""
    board = ctx.board
    for category in board.ordered_categories():
        forums = board.child_forums(category.id)
        if forums:
            return forums[0]
    return None


def news_items(ctx: RenderContext, limit: int = NEWS_LIMIT) -> list[NewsItem]:
    """The news module's rows: the newest topics of :func:`news_forum`, newest first."""
    forum = news_forum(ctx)
    if forum is None:
        return []
    items = []
    for topic in ctx.board.newest_topics(forum.id, limit):
        first = topic.first_post
        items.append(
            NewsItem(
                topic=topic,
                title=e(topic.title),
                time=ctx.date(first.posted_at),
                poster=poster_link(ctx, first.author, first.author_name),
                text=first.body_html,
                replies=topic.reply_count,
                comments_href=ctx.href(topic_path(topic)),
            )
        )
    return items


def _top(ctx: RenderContext, topics: list[Topic]) -> list[TopTopic]:
    return [
        TopTopic(
            href=ctx.href(topic_path(topic)),
            title=e(topic.title),
            name=e(shorten(topic.title, TOP_NAME_LIMIT)),
            row_class="row1" if number % 2 == 0 else "row2",
        )
        for number, topic in enumerate(topics)
    ]


def most_active_topics(ctx: RenderContext, limit: int = TOP_TOPICS_LIMIT) -> list[TopTopic]:
    """Topics with the most replies (ties: the newer id first)."""
    topics = sorted(ctx.board.live_topics(), key=lambda t: (t.reply_count, t.id), reverse=True)
    return _top(ctx, topics[:limit])


def most_viewed_topics(ctx: RenderContext, limit: int = TOP_TOPICS_LIMIT) -> list[TopTopic]:
    """Topics with the most views (ties: the newer id first)."""
    topics = sorted(ctx.board.live_topics(), key=lambda t: (t.views, t.id), reverse=True)
    return _top(ctx, topics[:limit])
