"""The benchmark forum: a large generated board, pre-rendered page by page into bytes.

:func:`make_board` calls the project's generator (:func:`forumscraper.demo.content.build_board`,
~60 KB topic pages of 15 posts with BBCode leaks and guest placeholders) and turns a share of
the posts into an article pasted twice, the way the seed post of the demo forum is (one copy
ends in ``[/size]``, the other opens an unclosed ``[size=45]``), so cleaning meets doubled
articles as often as real boards show them. :class:`RenderedSite` renders every page a crawl
can ask for once, through the demo site's own router (:func:`forumscraper.demo.site.respond`),
and keeps complete HTTP responses (headers and body) in memory, keyed by the page they show:
slugs are ignored, as Forumotion does.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from forumscraper.demo.content import Board, build_board
from forumscraper.demo.render.common import forum_path, topic_path
from forumscraper.demo.site import respond

TOPICS_PER_FORUM = 150
"""Forums are sized so that each topic list has three pages of 50 topics."""
DOUBLED_SHARE = 0.05
"""Share of posts replaced by an article pasted twice."""
_PAGE_KEY = re.compile(r"^/([tfc])(\d+)(?:p(\d+))?-")
LISTING_TARGETS = ("/", "/feed/", "/search?search_id=activetopics")
"""What the ``recent`` spider may read to find changed topics (its listing requests, cheapest
first: an unchanged board costs the first)."""


def forums_for(n_topics: int) -> int:
    return max(4, n_topics // TOPICS_PER_FORUM)


def make_board(n_topics: int, *, posts_per_topic: int = 15, seed: int = 8) -> Board:
    """The benchmark board: ``n_topics`` topics of ``posts_per_topic`` posts."""
    board = build_board(
        n_forums=forums_for(n_topics),
        n_topics=n_topics,
        posts_per_topic=posts_per_topic,
        seed=seed,
        now=datetime.now(UTC),
    )
    rng = random.Random(seed + 1)
    paragraphs = [
        part
        for topic in board.topics[:200]
        for post in topic.posts
        for part in post.body_html.split("<br />")
        if len(part) > 200 and "<" not in part and "[" not in part
    ]
    if paragraphs:
        for topic in board.topics:
            for post in topic.posts:
                if rng.random() < DOUBLED_SHARE:
                    post.body_html = _doubled_article(rng, paragraphs)
    board.changed()
    return board


def _doubled_article(rng: random.Random, paragraphs: list[str]) -> str:
    """An article pasted twice into one post, with the leaked size tags of a real paste."""
    article = "<br />".join(rng.sample(paragraphs, rng.randint(3, 5)))
    title = paragraphs[rng.randrange(len(paragraphs))][:90]
    return (
        f"[size=52]{title}[/size]<br />[size=45]{article}[/size]<br /><br />"
        f"[size=45]{article}<br />[You must be registered and logged in to see this link.]"
    )


def page_key(target: str) -> str:
    """The page a request target shows: ``t12:15`` for ``/t12p15-any-slug``, else the target."""
    match = _PAGE_KEY.match(target)
    if match:
        return f"{match[1]}{match[2]}:{int(match[3] or 0)}"
    return target


@dataclass
class RenderedSite:
    """Every page of a board as a ready-to-send HTTP/1.1 response."""

    board: Board
    site: str
    """``http://127.0.0.1:PORT``: absolute links in the pages point there."""
    responses: dict[str, bytes] = field(default_factory=dict)
    crawl_targets: list[str] = field(default_factory=list)
    """What a whole-board crawl fetches: the index, every topic-list page, every topic page."""
    topic_pages: int = 0
    topic_page_bytes: int = 0
    rendered_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    render_seconds: float = 0.0

    def render(self) -> None:
        """(Re-)render every page at the current instant."""
        started = time.perf_counter()
        now = datetime.now(UTC).replace(microsecond=0)
        responses: dict[str, bytes] = {}
        targets: list[str] = ["/"]
        topic_pages = topic_bytes = 0
        for target in ("/", "/forum", "/robots.txt", *LISTING_TARGETS[1:]):
            responses[page_key(target)] = self._response(target, now)
        for category in self.board.categories:
            target = f"/c{category.id}-{category.slug}"
            responses[page_key(target)] = self._response(target, now)
        for forum in self.board.forums:
            count = len(self.board.forum_topics(forum.id))
            for start in range(0, max(count, 1), self.board.topics_per_page):
                target = forum_path(forum, start)
                responses[page_key(target)] = self._response(target, now)
                targets.append(target)
        for topic in self.board.live_topics():
            for start in range(0, len(topic.live_posts), self.board.posts_per_page):
                target = topic_path(topic, start)
                response = self._response(target, now)
                responses[page_key(target)] = response
                targets.append(target)
                topic_pages += 1
                topic_bytes += len(response)
        self.responses = responses
        self.crawl_targets = targets
        self.topic_pages = topic_pages
        self.topic_page_bytes = topic_bytes
        self.rendered_at = now
        self.render_seconds = time.perf_counter() - started

    def _response(self, target: str, now: datetime) -> bytes:
        page = respond(self.board, target, now=now, site=self.site)
        return http_response(page.status, page.content_type, page.body, now)

    def lookup(self, target: str) -> bytes:
        """The response for a request target (rendered on the fly if it was not pre-rendered)."""
        response = self.responses.get(page_key(target))
        if response is None:
            now = datetime.now(UTC).replace(microsecond=0)
            response = self._response(target, now)
        return response

    @property
    def posts(self) -> int:
        return sum(len(topic.live_posts) for topic in self.board.live_topics())

    def add_posts(self, n_topics: int, n_posts: int, seed: int) -> dict[str, object]:
        """Add ``n_posts`` replies spread over ``n_topics`` topics not changed before, then
        re-render; says which topics and how many topic pages the new posts span."""
        rng = random.Random(seed)
        candidates = [
            topic
            for topic in self.board.live_topics()
            if len(topic.posts) == len(topic.live_posts)
            and len(topic.posts) % self.board.posts_per_page == 0
        ]
        chosen = rng.sample(candidates, min(n_topics, len(candidates)))
        bodies = [post.body_html for topic in self.board.topics[:50] for post in topic.posts]
        per_page = self.board.posts_per_page
        spanned = 0
        for index, topic in enumerate(chosen):
            count = n_posts // len(chosen) + (1 if index < n_posts % len(chosen) else 0)
            before = len(topic.live_posts)
            for _ in range(count):
                self.board.add_post(topic.id, rng.choice(self.board.members), rng.choice(bodies))
            after = len(topic.live_posts)
            spanned += (after - 1) // per_page - before // per_page + 1
        self.render()
        return {
            "topics": [topic.id for topic in chosen],
            "posts": n_posts,
            "pages_spanned": spanned,
            "render_seconds": round(self.render_seconds, 2),
        }


def http_response(status: int, content_type: str, body: bytes, now: datetime) -> bytes:
    """A complete HTTP/1.1 keep-alive response."""
    reason = {200: "OK", 404: "Not Found"}.get(status, "Status")
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Server: forumscraper-bench\r\n"
        f"Date: {format_datetime(now, usegmt=True)}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: keep-alive\r\n\r\n"
    )
    return head.encode("latin-1") + body


def iter_post_bodies(board: Board) -> Iterator[str]:
    for topic in board.live_topics():
        for post in topic.live_posts:
            yield post.body_html
