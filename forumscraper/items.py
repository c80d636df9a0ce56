"""Items the spiders yield: what was seen on a page, before cleaning and storage.

Every item is a keyword-only dataclass; pipelines read them through ``ItemAdapter``. Fields left
``None`` mean "not known from this page" and never overwrite a value already stored. A datetime
field holds an aware datetime or ``None``: :func:`bad_times` says which fields do not, and the
store pipeline drops such an item when it arrives (a naive time would be a guess). Posts travel
a page at a time (:class:`TopicPageItem`): Scrapy's per-item machinery costs about as much as
extracting a post, so one item per post would make it the crawl's largest cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, get_args, get_type_hints


@dataclass(kw_only=True)
class CategoryItem:
    """A category of the board index (``/cN-slug``)."""

    id: int
    """N of ``/cN``."""
    type: str = "category"
    """Always ``"category"``: tells the lines of a feed export (``scrapy crawl … -O file.jsonl``)
    apart. Never stored: the store writes named columns only."""
    title: str
    url: str
    position: int | None = None
    """Order of the category on the index, from 0."""


@dataclass(kw_only=True)
class ForumItem:
    """A forum or sub-forum (``/fN-slug``)."""

    id: int
    """N of ``/fN``."""
    type: str = "forum"
    """Always ``"forum"``: tells the lines of a feed export (``scrapy crawl … -O file.jsonl``)
    apart. Never stored: the store writes named columns only."""
    title: str | None = None
    url: str | None = None
    description: str | None = None
    parent_id: int | None = None
    """Parent forum for a sub-forum, else ``None``."""
    category_id: int | None = None
    category: str | None = None
    """Title of the category the forum sits in."""
    position: int | None = None
    """Order among its siblings, from 0."""
    topic_count: int | None = None
    post_count: int | None = None
    gone: bool = False
    """The forum answered 404 (a full crawl asks for stored forums the index no longer shows):
    it gets ``deleted_at``; its topics are asked for one by one."""


@dataclass(kw_only=True)
class TopicItem:
    """A topic, as seen on a topic list or on its own pages.

    A topic item is yielded twice: when the topic is first seen (``complete=False``: metadata
    only), and once every page of it has been parsed (``complete=True``). Only the complete item
    moves the topic's watermark (``reply_count``, ``last_post_at``), and it is yielded after all
    the topic's posts, so the watermark is committed with or after them, never before.
    """

    id: int
    """N of ``/tN``."""
    type: str = "topic"
    """Always ``"topic"``: tells the lines of a feed export (``scrapy crawl … -O file.jsonl``)
    apart. Never stored: the store writes named columns only."""
    forum_id: int | None = None
    title: str | None = None
    """The full title (never the cut text of a recent-topics link)."""
    description: str | None = None
    """The line under the title in the forum's topic list ("" for none; ``None``: not known,
    as on the topic's pages and in search results, widgets and mobile lists)."""
    url: str | None = None
    author_name: str | None = None
    author_id: int | None = None
    reply_count: int | None = None
    view_count: int | None = None
    last_post_at: datetime | None = None
    last_post_year_unknown: bool = False
    """A listing printed ``last_post_at`` without a year: its year is only the latest that fits
    (``forumscraper.text.dates``). The watermark is then compared by wall clock and taken from
    the topic's own pages (``forumscraper.spiders.topics``). Never stored."""
    last_poster_name: str | None = None
    last_post_id: int | None = None
    """The post a listing's "last post" link names (``#N``); ``None`` when it names none.
    Compared with the newest post stored of the topic (posts are numbered in posting order), so
    that a reply hidden by a deletion in the same minute still shows. Never stored."""
    first_post_at: datetime | None = None
    topic_type: str | None = None
    """``normal``, ``sticky``, ``announcement`` or ``moved`` (a shadow row, never stored);
    ``None`` when the row's type is not known (a word the reader has no table for, a listing
    that prints none)."""
    complete: bool = False
    """All pages of the topic were parsed in this run (see the class docstring)."""
    post_ids: list[int] = field(default_factory=list)
    """With ``complete``: ids of the posts seen on the pages fetched, for deletion checks."""
    first_position: int | None = None
    """With ``complete``: the position of the first post on the first page fetched."""
    moved_to_id: int | None = None
    """The topic now lives at this id (its old address redirects there: moved or merged)."""
    gone: bool = False
    """The topic answered 404: it and its posts get ``deleted_at`` (rows are never deleted)."""


@dataclass(kw_only=True)
class PostItem:
    """One post of a topic page (never the sponsored ``p0`` pseudo-post)."""

    type: str = "post"
    """Always ``"post"``: tells the lines of a feed export (``scrapy crawl … -O file.jsonl``)
    apart. Never stored: the store writes named columns only."""
    id: int
    topic_id: int
    position: int
    """0 for the first post of the topic, counted over all pages."""
    author_name: str | None = None
    author_id: int | None = None
    """N of the author's ``/uN`` profile link; ``None`` for guests."""
    subject: str | None = None
    posted_at: datetime | None = None
    posted_at_raw: str | None = None
    """The date as printed on the page."""
    edited_at: datetime | None = None
    edited_at_raw: str | None = None
    """The edit note's date as printed."""
    edited_by: str | None = None
    edit_count: int = 0
    body_html: str = ""
    """The body exactly as fetched (inner HTML of the body div)."""
    signature_html: str | None = None
    attachments: list[dict[str, Any]] | None = None
    """The files listed under the message, in page order: ``name``, ``url`` (``None`` where the
    viewer may not download), ``size`` as printed ("12.5 Kb"), ``downloads`` (``None`` when not
    printed) and ``comment``; ``[]`` for none."""
    url: str | None = None
    """``/tN-slug#postid``."""
    # Derived by the cleaning pipeline:
    body_text: str | None = None
    content_hash: str | None = None
    links: list[dict[str, str]] | None = None
    hidden_link_count: int | None = None
    collapsed_repeats: int | None = None


@dataclass(kw_only=True)
class TopicPageItem:
    """What one topic page adds: the topic as the page shows it (first page fetched), the
    posts not yet yielded in this run (in page order), and the topic's completion when this
    was its last page to arrive.

    The unit the pipelines clean and store: the cleaning pipeline cleans a page's posts in one
    call (in another process), the store pipeline adds the rows to its batch in the order
    topic, posts, completion (so the watermark is never stored before the posts).
    """

    topic_id: int
    url: str
    """The page the posts were read from."""
    type: str = "topic_page"
    """Always ``"topic_page"``: tells the lines of a feed export (``scrapy crawl … -O file.jsonl``)
    apart. Never stored: the store writes named columns only."""
    topic: TopicItem | None = None
    posts: list[PostItem] = field(default_factory=list)
    completed: TopicItem | None = None
    """The *complete* topic item (see :class:`TopicItem`), after all the topic's posts."""


def _time_fields(cls: type) -> tuple[str, ...]:
    hints = get_type_hints(cls)
    return tuple(
        f.name for f in fields(cls) if datetime in (hints[f.name], *get_args(hints[f.name]))
    )


TIME_FIELDS: dict[type, tuple[str, ...]] = {
    cls: _time_fields(cls) for cls in (CategoryItem, ForumItem, TopicItem, PostItem)
}
"""The datetime fields of each item class."""


def bad_times(item: Any) -> list[str]:
    """The datetime fields of ``item`` (and of the topics and posts a :class:`TopicPageItem`
    carries) whose value is neither ``None`` nor an aware datetime, each with its value:
    ``["posted_at of PostItem id=5: naive datetime.datetime(2024, 1, 1, 0, 0)"]``."""
    if isinstance(item, TopicPageItem):
        return [
            problem
            for inner in (item.topic, *item.posts, item.completed)
            if inner is not None
            for problem in bad_times(inner)
        ]
    problems = []
    for name in TIME_FIELDS.get(type(item), ()):
        value = getattr(item, name)
        if value is None or (isinstance(value, datetime) and value.utcoffset() is not None):
            continue
        what = "naive" if isinstance(value, datetime) else "not a datetime:"
        problems.append(f"{name} of {type(item).__name__} id={item.id}: {what} {value!r}")
    return problems
