"""A topic page read and its posts cleaned in one call: the unit of work of a worker process.

The topic spiders send a page's bytes to a worker (``forumscraper.workers``) and get its posts
back read (``forumscraper.pages.topic``) and cleaned (``forumscraper.text.clean``): the page's
HTML crosses to the worker once, where reading in one call and cleaning in another sent it there,
back, and there again. The cleaning pipeline leaves posts cleaned here alone and cleans the others
(items of other spiders, posts a page skipped) with the same functions.

No Scrapy here: the fork server imports this module for every worker.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from forumscraper.items import PostItem
from forumscraper.pages.common import DateContext
from forumscraper.pages.topic import TopicPageReading, read_topic_page
from forumscraper.text.clean import CleanFailure, CleanPost, clean_bodies, content_hash
from forumscraper.text.sanitize import strip_unstorable

logger = logging.getLogger(__name__)

RAW_FIELDS = (
    "body_html",
    "signature_html",
    "author_name",
    "subject",
    "posted_at_raw",
    "edited_at_raw",
)
"""Post fields stored as fetched, less what no database can store (NULs, lone surrogates)."""


class Stats(Protocol):
    """What :func:`record_cleaning` needs of Scrapy's stats collector."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...


@dataclass
class Cleaning:
    """What cleaning some posts removed and where it failed (the posts hold the rest)."""

    removed_chars: int = 0
    """Characters no database can store, removed from the raw fields and the bodies."""
    failures: list[tuple[int, str]] = field(default_factory=list)
    """``(post id, error)`` of every post whose cleaning raised (stored with empty text)."""


def is_cleaned(post: PostItem) -> bool:
    """Whether a post was cleaned already (its clean text is set, empty after a failure)."""
    return post.body_text is not None


def sanitize_posts(posts: Sequence[PostItem]) -> int:
    """Remove what no database can store from the posts' raw fields; how many characters."""
    removed = 0
    for post in posts:
        for name in RAW_FIELDS:
            value = getattr(post, name)
            if isinstance(value, str):
                safe, count = strip_unstorable(value)
                if count:
                    setattr(post, name, safe)
                    removed += count
    return removed


def apply_cleaning(
    posts: Sequence[PostItem], results: Sequence[CleanPost | CleanFailure]
) -> Cleaning:
    """Fill the posts' derived fields from :func:`~forumscraper.text.clean.clean_bodies`'s
    results (a post whose cleaning failed gets empty text)."""
    cleaning = Cleaning()
    for post, cleaned in zip(posts, results, strict=True):
        if isinstance(cleaned, CleanFailure):
            cleaning.failures.append((post.id, cleaned.error))
            post.body_text, post.content_hash = "", content_hash("")
            post.links, post.hidden_link_count, post.collapsed_repeats = [], 0, 0
            continue
        post.body_text = cleaned.body_text
        post.links = cleaned.links
        post.hidden_link_count = cleaned.hidden_link_count
        post.collapsed_repeats = cleaned.collapsed_repeats
        post.content_hash = cleaned.content_hash
        cleaning.removed_chars += cleaned.removed_chars
    return cleaning


def clean_posts(posts: Sequence[PostItem]) -> Cleaning:
    """Sanitize and clean posts in place."""
    removed = sanitize_posts(posts)
    cleaning = apply_cleaning(posts, clean_bodies([(post.body_html, post.url) for post in posts]))
    cleaning.removed_chars += removed
    return cleaning


def read_and_clean_topic_page(
    url: str,
    body: bytes,
    encoding: str,
    dates: DateContext,
    skip: frozenset[int] = frozenset(),
) -> tuple[TopicPageReading, Cleaning]:
    """:func:`~forumscraper.pages.topic.read_topic_page`, then its posts cleaned, except those
    whose id is in ``skip`` (posts yielded already from another page of the topic, such as a
    first post repeated on every page: left uncleaned)."""
    reading = read_topic_page(url, body, encoding, dates)
    return reading, clean_posts([post for post in reading.posts if post.id not in skip])


def record_cleaning(stats: Stats, cleaning: Cleaning, spider: object = None) -> None:
    """Count what cleaning removed and log the posts it failed on (as ``spider``'s: in a
    process crawling several boards, each board counts its own errors)."""
    if cleaning.removed_chars:
        stats.inc_value("forumscraper/clean/removed_chars", cleaning.removed_chars)
    if cleaning.failures:
        stats.inc_value("forumscraper/clean/failed_posts", len(cleaning.failures))
    for post_id, error in cleaning.failures:
        logger.error(
            "Could not clean post %s (%s); stored with empty clean text, which "
            "`forumscraper reprocess` or the next crawl of its topic fills in",
            post_id,
            error,
            extra={"spider": spider},
        )


def count_cleaned(stats: Stats, posts: Sequence[Any]) -> None:
    """Count posts leaving the cleaning pipeline, and what cleaning them found (once per page:
    a stats call per post adds up)."""
    if not posts:
        return
    hidden = sum(post.hidden_link_count or 0 for post in posts)
    collapsed = sum(post.collapsed_repeats or 0 for post in posts)
    stats.inc_value("forumscraper/clean/posts", len(posts))
    if hidden:
        stats.inc_value("forumscraper/clean/hidden_links", hidden)
    if collapsed:
        stats.inc_value("forumscraper/clean/collapsed_repeats", collapsed)
