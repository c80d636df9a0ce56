"""Fetching topics whole, which both spiders do.

A topic is fetched as a unit: its first page fetched in a run schedules the others, each post
is yielded once (a page's posts together, in one ``TopicPageItem``), and when the last page has
been parsed a *complete* topic item follows the posts, in the last page's item (it moves the
stored watermark, see ``forumscraper.items.TopicItem``). A topic one of whose pages failed is
never completed, so the next run fetches it again. Which topics to fetch, and from which page,
is decided here too (:meth:`TopicSpider.plan_topic`): incremental runs fetch only the pages that
can hold posts not yet stored.

Those runs check what they read against the archive, since a post deleted, or merged in, above
the pages they fetch shifts every later post: a listing that counts fewer posts than are stored,
or a later page whose posts sit elsewhere in the archive (:func:`~forumscraper.spiders.visits.
misplaced_posts`), makes the visit read the topic whole, which marks vanished posts deleted and
stores every position again (``forumscraper/incremental/topics_reread``). A topic whose page
failed after others of it were stored is fetched again by the next run
(:func:`~forumscraper.db.state.unfinished_topics`; ``forumscraper/fetch/incomplete_topics``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from forumscraper.db.state import (
    INCOMPLETE_TOPICS_KEY,
    LOST_TOPICS_KEY,
    MOVED_POSTS_KEY,
    StoredTopic,
    newest_post_id,
    posts_elsewhere,
    stored_positions,
    unfinished_topics,
)
from forumscraper.items import TopicItem, TopicPageItem
from forumscraper.pages.topic import TopicPageReading
from forumscraper.pages.urls import page_url, parse_page_url
from forumscraper.reading import read_and_clean_topic_page, record_cleaning
from forumscraper.spiders.base import ForumotionSpider, fetch_again, log_charset
from forumscraper.spiders.clock import out_of_posting_order
from forumscraper.spiders.login import is_logged_in
from forumscraper.spiders.visits import TopicVisit, TopicVisits, misplaced_posts
from forumscraper.text.dates import printing_clock, same_but_year
from forumscraper.workers import Workers, workers_for

logger = logging.getLogger(__name__)

TOPIC_PRIORITY = 1
"""Topic pages go before list pages: the scheduler then holds the topics of the few list pages
being read, not of every list page read so far (list pages come much faster than topic pages,
and a list page left in the queue is one small request where its 50 topics are 50)."""

REDIRECTS = frozenset({301, 302, 303, 307, 308})
REDIRECTS_META = "forumscraper_redirects"
"""Request meta: how many redirects led to this topic page request."""
RETRIED_PROBLEMS = frozenset({"truncated", "not_forumotion", "message"})
"""Causes that may pass (a cut connection, maintenance, a transient error box)."""
UNREAD_ATTACHMENTS_KEY = "forumscraper/extract/unread_attachments"
"""Stat: posts whose attachment box this reader could not read (``posts.attachments`` NULL)."""
HIDDEN_POSTS_KEY = "forumscraper/extract/hidden_posts"
"""Stat: posts a member crawl's pages print as a message in their place (an author the
account's profile ignores): not archived, their topics' vanished posts not marked deleted."""
UNSEEN_TOPICS_KEY = "forumscraper/fetch/unseen_topics"
"""Stat: stored topics no list shows any more that show this crawl the login form (a full run
asked for them): their rows stay as they are."""
REREAD_KEY = "forumscraper/incremental/topics_reread"
"""Stat: visits that read a topic whole again: its later page disagreed with the archive, or
its pages held fewer posts than it counts (it changed while they were read)."""
SHORT_TOPICS_KEY = "forumscraper/extract/topics_short_of_their_count"
"""Stat: topics whose pages, read twice in the run, held fewer posts than the topic counts."""
UNSEEN_LAST_POST_KEY = "forumscraper/extract/last_post_links_unseen"
"""Stat: topics read to their end whose listing's "last post" link names a post above every one
their pages showed (deleted meanwhile, or a link misread: each run then reads them again)."""


class TopicSpider(ForumotionSpider):
    """A Forumotion spider that fetches topics whole (both ``forum`` and ``recent`` are)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visits = TopicVisits()
        """The topics being fetched in this run (``spiders.visits``): each at most once."""
        self.workers = Workers(0)
        """Where topic pages are read (the crawl's worker processes, see ``from_crawler``)."""
        self.attachments_said = False
        """Whether the first post with an unreadable attachment box was logged (once a run)."""
        self.hidden_posts_said = False
        """Whether the first page with posts hidden from the account was logged (once a run)."""
        self.short_said = False
        """Whether the first topic short of its count after a second reading was logged."""
        self.newest_stored_post: int | None = None
        """Incremental runs: the highest post id the archive held when the run started. A
        topic's first page read whole that shows posts up to it may show posts the archive
        holds under another topic (split off from it); newer ones cannot be."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> TopicSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, TopicSpider)
        spider.workers = workers_for(crawler)
        crawler.signals.connect(spider._report_lost_topics, signal=signals.spider_idle)
        return spider

    def _report_lost_topics(self) -> None:
        """At idle, topics still waiting for pages will never get them (a request dropped by a
        redirect loop or the duplicate filter): say so loudly instead of ending "finished"."""
        lost = self.visits.abandon_all()
        if not lost:
            return
        self.crawler.stats.inc_value(LOST_TOPICS_KEY, len(lost))
        logger.error(
            "%d topic(s) never received all their pages (watermarks stay): %s",
            len(lost),
            ", ".join(map(str, lost[:20])),
            extra={"spider": self},
        )

    async def start(self) -> AsyncIterator[Any]:
        if not self.full:
            self.newest_stored_post = await self.read_db(newest_post_id)
        async for request in super().start():
            yield request

    # -- what to fetch ---------------------------------------------------------------------------

    def plan_topic(self, listing: TopicItem, stored: StoredTopic | None) -> int | None:
        """The offset of the first page to fetch of a listed topic, or ``None`` to skip it.

        A topic never stored completely is fetched whole. A stored one is fetched only when the
        listing shows a later last post, another reply count, or a last post numbered above the
        newest stored (another last poster, when the ids cannot tell), and then only from the
        page holding the first post not yet stored (posts-per-page from the topic's pagination),
        or whole when the listing counts fewer posts than are stored (a post vanished: only a
        visit of every page tells which).
        """
        if stored is not None and stored.moved_to_id is not None:
            # A row still listed under the id of a topic merged away (lists lag behind): its
            # posts are read under the id it redirects to.
            self.crawler.stats.inc_value("forumscraper/incremental/moved_topics_skipped")
            return None
        if stored is None or not stored.complete:
            return 0
        if (
            listing.last_post_at is not None
            and stored.last_post_at is not None
            and not listing.last_post_year_unknown
        ):
            self.check_listed_date(listing.id, stored.last_post_at, listing.last_post_at)
        newer = self._listed_later(listing, stored)
        recounted = (
            listing.reply_count is not None
            and stored.reply_count is not None
            and listing.reply_count != stored.reply_count
        )
        # A post deleted and a reply written in the same minute leave the count and the date
        # as they were; the reply's id still shows, and, when the ids cannot tell, its author
        # when another.
        reposted = self._numbered_above(listing, stored)
        if reposted is None:
            reposted = bool(
                listing.last_poster_name
                and stored.last_poster_name
                and listing.last_poster_name != stored.last_poster_name
            )
        if not (newer or recounted or reposted):
            self.crawler.stats.inc_value("forumscraper/incremental/unchanged_topics")
            return None
        if listing.reply_count is not None and listing.reply_count + 1 < stored.stored_posts:
            self.crawler.stats.inc_value(REREAD_KEY)
            logger.info(
                "Topic %s: the listing counts %d posts, %d are stored; reading it whole",
                listing.id,
                listing.reply_count + 1,
                stored.stored_posts,
            )
            self.posts_vanished(f"topic {listing.id}")
            return 0
        # Positions 0 .. stored_posts-1 are stored; the forum now has reply_count + 1 posts.
        first_missing = stored.stored_posts
        if listing.reply_count is not None:
            first_missing = min(first_missing, listing.reply_count)
        per_page = max(1, self.posts_per_page)
        self.crawler.stats.inc_value("forumscraper/incremental/changed_topics")
        return (first_missing // per_page) * per_page

    @staticmethod
    def _numbered_above(listing: TopicItem, stored: StoredTopic) -> bool | None:
        """Whether the listing's "last post" link names a post above every one stored of the
        topic: a post written since (posts are numbered in posting order). ``None`` when the
        ids cannot tell: no link, no post stored, or a topic stored with fewer posts than it
        counted (its pages hide posts from the account, whose ids are never stored)."""
        if listing.last_post_id is None or stored.newest_post_id is None:
            return None
        if stored.reply_count is not None and stored.stored_posts <= stored.reply_count:
            return None
        return listing.last_post_id > stored.newest_post_id

    def _listed_later(self, listing: TopicItem, stored: StoredTopic) -> bool:
        """Whether the listing shows a later last post than the stored watermark (or cannot
        tell). A last post printed without a year is only compared by its wall clock: the
        year the listing gives it is a guess, the stored one its page's (or none, when the page
        left it undated: then only the reply count tells)."""
        listed, known = listing.last_post_at, stored.last_post_at
        if listed is not None and listing.last_post_year_unknown:
            tz = self.board_tz
            if known is None:
                return False
            if tz is not None and same_but_year(
                listed, known, printing_clock(tz, datetime.now(UTC))
            ):
                return False
        return listed is None or known is None or listed > known

    async def unfinished_topic_requests(self, forum_id: int | None = None) -> list[Request]:
        """Requests for the topics a previous run left incomplete (none with ``full``: those
        are read anyway)."""
        if self.full:
            return []
        rows = await self.read_db(unfinished_topics, forum_id)
        requests = []
        for topic_id, url in rows:
            request = self.topic_request(topic_id, request_slug(url or ""))
            if request is not None:
                self.crawler.stats.inc_value("forumscraper/incremental/unfinished_topics")
                requests.append(request)
        return requests

    # -- topics ---------------------------------------------------------------------------------

    def topic_request(
        self, topic_id: int, slug: str, listing: TopicItem | None = None, offset: int = 0
    ) -> Request | None:
        """The request for page ``offset`` of a topic (``None`` if this run has it already)."""
        visit = self.visits.schedule(topic_id, slug, listing, offset)
        if visit is None:
            return None
        return self._visit_request(visit, offset)

    def _visit_request(self, visit: TopicVisit, offset: int = 0) -> Request:
        """Page ``offset`` of a visit's topic (a visit read again whole passes the duplicate
        filter: this run may have fetched its pages already)."""
        return self._page_request(
            page_url(self.base_url or "", "t", visit.topic_id, offset, visit.slug),
            visit.topic_id,
            again=visit.reread,
        )

    def _page_request(
        self, url: str, topic_id: int, redirects: int = 0, *, again: bool = False
    ) -> Request:
        """A topic page request; ``again``: a page this run may have fetched already (a topic
        read again whole), which the duplicate filter must let through."""
        return Request(
            url,
            callback=self.parse_topic,
            errback=self.topic_failed,
            cb_kwargs={"topic_id": topic_id},
            # Redirects are followed here, not by Scrapy: a topic merged into one this run
            # reads already must not be fetched twice (nor lost to the duplicate filter).
            meta={
                "topic_id": topic_id,
                "dont_redirect": True,
                "handle_httpstatus_list": list(REDIRECTS),
                REDIRECTS_META: redirects,
            },
            dont_filter=redirects > 0 or again,
            priority=TOPIC_PRIORITY,
        )

    def follow_redirect(self, visit: TopicVisit, response: Response) -> Iterator[Any]:
        """A topic page answered with a redirect. To another topic (moved or merged): record
        the move and read that topic unless this run reads it already. Anywhere else (https,
        another slug, a login page): the same page there, as Scrapy would follow it."""
        location = response.headers.get(b"Location")
        target = response.urljoin(location.decode("latin-1")) if location else ""
        redirects = int(response.meta.get(REDIRECTS_META, 0)) + 1
        if not target or redirects > self.settings.getint("REDIRECT_MAX_TIMES", 20):
            self.crawler.stats.inc_value("forumscraper/fetch/failed_pages")
            logger.error(
                "Topic page %s redirects to %s",
                response.url,
                target or "nowhere",
                extra={"spider": self},
            )
            self.visits.fail(visit)
            self.complete(visit)
            return
        ref = parse_page_url(target)
        if ref is not None and ref.kind == "t" and ref.id != visit.topic_id:
            moved, goes_on = self._move(visit, ref.id)
            yield moved
            if not goes_on:
                return
        self.visits.again(visit)
        yield self._page_request(target, visit.topic_id, redirects)

    def _move(self, visit: TopicVisit, new_id: int) -> tuple[TopicItem, bool]:
        """Re-key a visit whose address answers with topic ``new_id`` (see
        ``TopicVisits.rekey``); the row to record for the old id, and whether the visit goes
        on."""
        moved, goes_on = self.visits.rekey(visit, new_id)
        logger.info("Topic %s now lives at topic %s (moved or merged)", moved.id, new_id)
        self.crawler.stats.inc_value("forumscraper/fetch/moved_topics")
        return moved, goes_on

    async def read_topic(
        self, response: Response, skip: frozenset[int] = frozenset()
    ) -> TopicPageReading | None:
        """Read a topic page and clean its posts (but those in ``skip``: yielded already) in a
        worker process, in one call; ``None`` for a page that is not HTML or that reading failed
        on, in the worker or with it (logged: the page counts as failed, the crawl goes on)."""
        if not isinstance(response, TextResponse):
            return None
        try:
            reading, cleaning = await self.workers.run(
                read_and_clean_topic_page,
                response.url,
                response.body,
                response.encoding,
                self.dates_for(response),
                skip,
            )
        except Exception:
            logger.exception("Reading topic page %s failed", response.url, extra={"spider": self})
            self.crawler.stats.inc_value("forumscraper/extract/errors")
            return None
        record_cleaning(self.crawler.stats, cleaning, self)
        self._count_unread_attachments(reading)
        if reading.charset is not None:
            log_charset(response.url, response.encoding, reading.charset)
        return reading

    def _count_unread_attachments(self, reading: TopicPageReading) -> None:
        """Posts whose attachment box the reader found but could not read (a board's own
        template): stored with ``attachments`` NULL, counted, and said once a run."""
        unread = [post.id for post in reading.posts if post.attachments is None]
        if not unread:
            return
        self.crawler.stats.inc_value(UNREAD_ATTACHMENTS_KEY, len(unread))
        if not self.attachments_said:
            self.attachments_said = True
            logger.warning(
                "Post %s (%s) lists attached files in a box this reader does not know (the "
                "board's own template?): its attachments are stored as NULL, not as none. "
                "Counted in %s",
                unread[0],
                reading.url,
                UNREAD_ATTACHMENTS_KEY,
                extra={"spider": self},
            )

    async def parse_topic(self, response: Response, topic_id: int) -> AsyncIterator[Any]:
        visit = self.visits.get(topic_id)
        if visit is None:
            return
        if response.status in REDIRECTS:
            self.visits.arrived(visit)
            for item in self.follow_redirect(visit, response):
                yield item
            return
        await self.clock.wait()
        # The topic's first post, repeated on every page by some boards, is yielded once.
        reading = await self.read_topic(response, frozenset(visit.post_ids[:1]))
        # The visit object, not its key: a moved topic is re-keyed meanwhile.
        if self.visits.is_ended(visit):
            return
        self.visits.arrived(visit)
        if self.session_expired(reading):
            self.visits.again(visit)
            for renewal in self.renew_session(response):
                yield renewal
            return
        if reading is None or not (reading.posts or reading.hidden_posts):
            problem, detail = (reading.problem, reading.detail) if reading else ("not_html", "")
            if visit.unlisted and problem == "login_wall":
                self.unseen(visit, response)
                return
            retry = self.page_failed(response, problem, detail, "topic")
            if retry is not None:
                self.visits.again(visit)
                yield retry
            else:
                self.visits.fail(visit)
                self.complete(visit)
            return
        context = self.dates_for(response)
        self.check_dates(
            [(post.posted_at_raw, post.posted_at) for post in reading.posts]
            + [("the edit note", post.edited_at) for post in reading.posts],
            context,
            response.url,
        )
        disorder = out_of_posting_order(
            [(post.posted_at_raw, post.posted_at) for post in reading.posts], response.url
        )
        if disorder is not None:
            self.stop_for_misread_dates(disorder)
        first = reading.posts[0] if reading.posts else None
        if first is not None and reading.topic_id is not None and first.position == 0:
            self.check_first_post(reading.topic_id, first.posted_at, response.url)
        if reading.topic_id is not None and reading.topic_id != visit.topic_id:
            # Moved or merged: the old address answers with the topic's new id.
            moved, goes_on = self._move(visit, reading.topic_id)
            yield moved
            if not goes_on:
                return  # this run reads that topic already
        if visit.start_offset == 0 and reading.offset == 0:
            moved_here = await self.posts_moved_here(visit, [post.id for post in reading.posts])
            if self.visits.is_ended(visit):
                return
            for request in moved_here:
                yield request
        if visit.start_offset > 0 and reading.offset == visit.start_offset:
            evidence = await self.misplaced(visit, [post.id for post in reading.posts])
            if self.visits.is_ended(visit):
                return
            if evidence is not None:
                where = f"page {visit.start_offset} disagrees with the archive ({evidence})"
                for request in self.reread(visit, where):
                    yield request
                return
        page_item = TopicPageItem(topic_id=visit.topic_id, url=response.url)
        if reading.offset == visit.start_offset:
            for parent in self.hierarchy_items(reading.breadcrumb):
                yield parent
            topic = reading.topic
            if topic is not None:
                if visit.listing is not None:
                    topic.view_count = visit.listing.view_count
                    topic.description = visit.listing.description
                    topic.topic_type = visit.listing.topic_type
                    topic.forum_id = topic.forum_id or visit.listing.forum_id
                page_item.topic = topic
                visit.replies_on_page = topic.reply_count
                if visit.unlisted and topic.forum_id is not None:
                    for request in await self.topic_read_in(visit.topic_id, topic.forum_id):
                        yield request
                    if self.visits.is_ended(visit):
                        return
            if reading.per_page:
                self.posts_per_page = reading.per_page
            for offset in reading.offsets:
                if offset > reading.offset:
                    next_page = self.topic_request(visit.topic_id, visit.slug, offset=offset)
                    if next_page is not None:
                        yield next_page
        page_item.posts.extend(self.visits.add_posts(visit, reading.posts))
        if reading.hidden_posts:
            self.posts_hidden(visit, reading)
        short = self.visits.short(visit)
        if short is not None and not visit.reread:
            if page_item.topic or page_item.posts:
                yield page_item
            for request in self.reread(visit, f"it changed while it was read: {short}"):
                yield request
            return
        if short is not None and visit.replies_on_page is not None:
            # Only a count the topic's own page states: a listing's predates the reading.
            self.short_of_count(visit, short)
        page_item.completed = self.complete(visit)
        if page_item.topic or page_item.posts or page_item.completed:
            yield page_item

    async def topic_read_in(self, topic_id: int, forum_id: int) -> list[Request]:
        """A topic no list shows any more (asked for its fate) was read in ``forum_id``, which
        its page names: what to read because of it (``forum`` reads where it arrived)."""
        return []

    def unseen(self, visit: TopicVisit, response: Response) -> None:
        """A stored topic no list shows any more shows this crawl the login form: it lives in a
        forum the crawl may not read (moved to a staff or trash forum, a forum closed to
        guests). Not a failed page: its rows stay as they are, counted and said."""
        self.crawler.stats.inc_value(UNSEEN_TOPICS_KEY)
        logger.info(
            "Topic %s, which no list shows any more, shows this crawl the login form (%s): "
            "its rows stay as they are",
            visit.topic_id,
            response.url,
        )
        self.visits.gone(visit)

    def posts_hidden(self, visit: TopicVisit, reading: TopicPageReading) -> None:
        """A page printed a message in the place of some posts (their author is on the
        account's ignore list): they are not archived, and the topic's posts missing from its
        pages are not taken for deleted. Said once a run, counted always."""
        self.visits.hidden(visit, reading.hidden_posts)
        self.crawler.stats.inc_value(HIDDEN_POSTS_KEY, reading.hidden_posts)
        if self.hidden_posts_said:
            return
        self.hidden_posts_said = True
        logger.warning(
            "%d post(s) of topic %s are hidden from the crawl's account (%s): its profile "
            "ignores their author, so they cannot be archived (counted in %s); empty the "
            "account's ignore list",
            reading.hidden_posts,
            visit.topic_id,
            reading.url,
            HIDDEN_POSTS_KEY,
            extra={"spider": self},
        )

    async def misplaced(self, visit: TopicVisit, post_ids: list[int]) -> str | None:
        """Why the first page an incremental visit read (a later page of the topic, its posts
        ``post_ids``) disagrees with the archive, or ``None`` (see ``misplaced_posts``)."""
        if not post_ids:
            return None
        stored = await self.read_db(stored_positions, visit.topic_id, post_ids, visit.start_offset)
        return misplaced_posts(visit.start_offset, post_ids, stored)

    async def posts_moved_here(self, visit: TopicVisit, post_ids: list[int]) -> list[Request]:
        """A topic's first page, read whole in an incremental run: posts of it that the archive
        holds under another topic were split off from that one (or merged from it), whose
        stored row still counts them, and whose list may show it where paging stops. Posts
        vanished, as if deleted: ``forum`` reads every list to its end in this run (that
        topic's row then counts fewer posts than stored, and it is read again), and the next
        ``forum`` run does when another spider saw it (:data:`MOVED_POSTS_KEY`). Returns the
        list pages to read on."""
        newest = self.newest_stored_post
        if self.full or newest is None:
            return []
        old = [post_id for post_id in post_ids if post_id <= newest]
        if not old:
            return []
        elsewhere = await self.read_db(posts_elsewhere, visit.topic_id, old)
        if not elsewhere:
            return []
        self.crawler.stats.inc_value(MOVED_POSTS_KEY)
        topics = ", ".join(map(str, sorted(set(elsewhere.values()))))
        self.posts_vanished(
            f"topic {visit.topic_id} shows posts {sorted(elsewhere)} stored under topic {topics}"
        )
        return list(self.resumed_lists())

    def reread(self, visit: TopicVisit, evidence: str) -> Iterator[Request]:
        """Read a topic whole after what its pages showed disagreed with the archive or with
        themselves (``evidence``): the complete visit then marks the posts that vanished
        deleted and stores every post at its position."""
        self.crawler.stats.inc_value(REREAD_KEY)
        logger.info("Topic %s: %s; reading it whole", visit.topic_id, evidence)
        again = self.visits.reread(visit)
        if again is None:  # never: the first page a visit reads is the only one it awaited
            self.visits.fail(visit)
            return
        yield self._visit_request(again)
        self.posts_vanished(f"topic {visit.topic_id}")
        yield from self.resumed_lists()

    def short_of_count(self, visit: TopicVisit, evidence: str) -> None:
        """A topic read twice in this run still holds fewer posts than it counts: its count is
        off (a board's counters can be), or a post is there that this reader does not see. What
        the pages hold is stored; counted, and said once a run."""
        self.crawler.stats.inc_value(SHORT_TOPICS_KEY)
        if self.short_said:
            return
        self.short_said = True
        logger.warning(
            "Topic %s, read twice, still holds fewer posts than it counts (%s): stored as its "
            "pages show it (counted in %s)",
            visit.topic_id,
            evidence,
            SHORT_TOPICS_KEY,
            extra={"spider": self},
        )

    def posts_vanished(self, evidence: str) -> None:
        """Posts of a stored topic are not where the archive has them (``evidence`` names the
        topic): deleted, merged or split off. ``forum`` reads its lists to their end (where a
        topic split off is listed); other spiders leave that to the next ``forum`` run, which
        learns it from the posts this run marks deleted."""

    def resumed_lists(self) -> Iterator[Request]:
        """The list pages to read because posts vanished (``forum`` only)."""
        return iter(())

    def page_failed(
        self, response: Response, problem: str, detail: str, kind: str
    ) -> Request | None:
        """A page that should hold posts (or topics) holds none: say why (``problem``, see
        ``forumscraper.pages.problems``), count it, and return a retry for a cause that may
        pass (cut off, maintenance), else ``None``."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"forumscraper/extract/empty_page/{problem}")
        request = response.request
        tries = int(response.meta.get("forumscraper_page_retries", 0))
        if problem in RETRIED_PROBLEMS and request and tries < self.settings.getint("RETRY_TIMES"):
            logger.warning("%s page %s: %s; fetching it again", kind, response.url, problem)
            stats.inc_value("forumscraper/extract/page_retries")
            return fetch_again(request, forumscraper_page_retries=tries + 1)
        # Given up on: what the run's status weighs (FORUMSCRAPER_MAX_EMPTY_PAGE_SHARE).
        stats.inc_value("forumscraper/extract/empty_page")
        logger.warning(
            "No %s could be extracted from %s (%s%s); its watermark stays",
            "post" if kind == "topic" else "topic",
            response.url,
            problem,
            f": {detail}" if detail else "",
        )
        return None

    def topic_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        topic_id = request.meta.get("topic_id")
        visit = self.visits.get(topic_id) if topic_id is not None else None
        error = failure.value
        status = error.response.status if isinstance(error, HttpError) else None
        if isinstance(error, HttpError) and visit is not None and self._guest_error(error.response):
            # A member crawl's session ended and the board answers guests with an error
            # (a member-only topic): not a lost page, fetched again as a member.
            yield from self.renew_session(error.response)
            return
        if status not in (404, 410):
            self.crawler.stats.inc_value("forumscraper/fetch/failed_pages")
            logger.error(
                "Could not fetch %s: %s",
                request.url,
                failure.getErrorMessage(),
                extra={"spider": self},
            )
        if visit is None:
            return
        self.visits.arrived(visit)
        self.visits.fail(visit)
        offset = request_offset(request.url)
        if status in (404, 410):
            if offset == 0:
                # The topic is gone from the forum: mark it deleted (rows are kept).
                self.crawler.stats.inc_value("forumscraper/fetch/gone_topics")
                logger.info("Topic %s answers %s: marked deleted", visit.topic_id, status)
                self.visits.gone(visit)
                yield TopicItem(id=visit.topic_id, gone=True)
                return
            if offset == visit.start_offset and visit.pending == 0:
                # The page we expected new posts on is gone (posts were deleted): read it all.
                again = self.visits.reread(visit)
                if again is not None:
                    yield self._visit_request(again)
                return
        completed = self.complete(visit)
        if completed is not None:  # never: a failed visit is not completed
            yield completed

    def _guest_error(self, response: Response) -> bool:
        """Whether an error page is a Forumotion guest page served to a member crawl."""
        if self.login is None or not isinstance(response, TextResponse):
            return False
        html = response.text
        return "_userdata" in html and not is_logged_in(html)

    def complete(self, visit: TopicVisit) -> TopicItem | None:
        """The complete item of a visit whose last awaited page arrived (see
        ``TopicVisits.finish``); a visit that ends with a failed page is logged."""
        completed = self.visits.finish(visit)
        if completed is not None:
            self._check_last_post_link(visit)
        if completed is None and visit.failed and self.visits.is_ended(visit):
            # The next runs look for it (db.state.unfinished_topics), whatever the listings say.
            self.crawler.stats.inc_value(INCOMPLETE_TOPICS_KEY)
            logger.warning(
                "Topic %s was not fetched completely; its watermark stays", visit.topic_id
            )
        return completed

    def _check_last_post_link(self, visit: TopicVisit) -> None:
        """A topic read to its end: its listing's "last post" link should name a post its pages
        showed. When it names a later one (deleted while the run read the topic, or a link this
        reader misreads), each run would read the topic's last page again: this says why."""
        listed = visit.listing.last_post_id if visit.listing else None
        if listed is None or visit.hidden or not visit.post_ids or listed <= max(visit.post_ids):
            return
        self.crawler.stats.inc_value(UNSEEN_LAST_POST_KEY)
        logger.info(
            "Topic %s: its listing links post %s as its last, which its pages do not show",
            visit.topic_id,
            listed,
        )


def request_slug(url: str) -> str:
    ref = parse_page_url(url)
    return ref.slug if ref else ""


def request_offset(url: str) -> int:
    ref = parse_page_url(url)
    return ref.offset if ref else 0
