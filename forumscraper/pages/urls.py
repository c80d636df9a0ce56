"""Forumotion URL patterns: what a link points to, and the canonical URL of a page.

``/c1-slug`` category, ``/f12-slug`` forum (page N: ``/f12p50-slug``, 50 = offset of the first
topic), ``/t1234-slug`` topic (``/t1234p15-slug``), ``/u5`` member. ``/t11p-slug`` and
``/t11n-slug`` (no digits after p/n) are the previous/next-topic links: never followed, since they
only lead to topics reached anyway. The slug is ignored by the server. ``#N`` after a topic page
names post N on it (a listing's "last post" link).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_PATH = re.compile(r"^/(?P<kind>[cft])(?P<id>\d+)(?:p(?P<offset>\d+))?-(?P<slug>[^/?#]*)$")
_PREV_NEXT = re.compile(r"^/t\d+[pn]-")
_MEMBER = re.compile(r"^/u(\d+)(?:[-/?#]|$)")
_PROFILE_QUERY = re.compile(r"[?&]u=(\d+)")


@dataclass(frozen=True)
class PageRef:
    """A category, forum or topic page: ``kind`` is ``c``, ``f`` or ``t``."""

    kind: str
    id: int
    offset: int
    slug: str


@lru_cache(maxsize=8192)
def parse_page_url(url: str) -> PageRef | None:
    """The page a URL (absolute or relative) points to, or ``None`` (prev/next links too).

    Cached: a page links the same few addresses many times (``PageRef`` is immutable)."""
    path = _path_and_query(url)[0]
    if _PREV_NEXT.match(path):
        return None
    match = _PATH.match(path)
    if not match:
        return None
    return PageRef(
        kind=match["kind"],
        id=int(match["id"]),
        offset=int(match["offset"] or 0),
        slug=match["slug"],
    )


@lru_cache(maxsize=8192)
def member_id(url: str | None) -> int | None:
    """N of a member profile link ``/uN`` or ``/profile?mode=viewprofile&u=N``."""
    if not url:
        return None
    path, query_string = _path_and_query(url)
    match = _MEMBER.match(path)
    if match:
        return int(match[1])
    if path.rstrip("/").endswith("/profile"):
        query = _PROFILE_QUERY.search("?" + query_string)
        if query:
            return int(query[1])
    return None


def post_anchor(url: str, topic_id: int) -> int | None:
    """N of a link to post N of topic ``topic_id`` (``/t12p30-slug#N``, or ``#pN``: the id of
    the post's container), or ``None``: a link to another page, or to no post of it."""
    ref = parse_page_url(url)
    if ref is None or ref.kind != "t" or ref.id != topic_id or "#" not in url:
        return None
    fragment = url.rpartition("#")[2].removeprefix("p")
    return int(fragment) if fragment.isascii() and fragment.isdigit() else None


def _path_and_query(url: str) -> tuple[str, str]:
    """Path and query of a link read from a page; empty for one ``urlsplit`` refuses (a damaged
    host such as ``http://[x``: "Invalid IPv6 URL"), which then points to no page."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "", ""
    return parts.path, parts.query


def page_url(base_url: str, kind: str, id_: int, offset: int = 0, slug: str = "") -> str:
    """The canonical URL of page ``offset`` of a category, forum or topic."""
    page = f"p{offset}" if offset else ""
    return urljoin(base_url, f"/{kind}{id_}{page}-{slug}")


def with_query(url: str, **params: str) -> str:
    """``url`` with query parameters added or replaced."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))
