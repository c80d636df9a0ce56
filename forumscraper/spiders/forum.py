"""The ``forum`` spider: the whole board, index → forums → topic lists → topics.

    scrapy crawl forum -a base_url=https://example.forumotion.com/ [-a full=1]

Forums and sub-forums are found on the index and on each forum page; each forum's topic list is
read page by page (``/f12p50-slug``). A topic new to the database is fetched whole; a stored one
only when its listed last post is newer than the stored one, and then only from the page with
the first post not yet stored. Topic lists are ordered by last post, so paging a forum stops at
the first page without a changed topic whose topics reach back before the board's last covered
run (:func:`~forumscraper.db.state.last_covered_start`): every post made before that run is
stored, so the pages after it hold nothing new. With no covered run (the board's first run,
or every run so far failed: a list page may have been lost), nothing proves the older topics
stored, and every list is paged to its end (unchanged topics are still not fetched). The order
the proof rests on is checked before paging stops, on the page (:func:`out_of_order`) and
against the archive (a stored topic not yet listed with a later last post): a list seen in
another order is paged to its end. So is every list once posts vanish from a stored topic, in
this run or in one since the last covered ``forum`` run (:meth:`ForumSpider.posts_vanished`):
they may have been split off into a new topic listed far down. A forum whose row counts fewer
topics than the last run read there, plus the topics other runs brought into it since (a
``recent`` run's new ones, and those it found moved in or out), plus the topics its pages show
arriving, lost topics
(deleted, moved to another forum, merged), even where a new topic kept the count as it was:
its list is read to its end, and the stored topics it no longer shows are asked for, which
tells each one's fate (:meth:`ForumSpider.lost_unseen`). One whose page names another forum
arrived there unseen, and that forum's count is compared again
(:meth:`ForumSpider.topic_read_in`).
``-a full=1`` fetches everything again. Links are followed by the URL scheme only: never the
previous/next-topic links (``/t11p-slug``), and never one page twice.

The index or a forum page that cannot be fetched (an HTTP error, 403 and 404 included, or no
answer) is a failed page, which fails the run, as a failed topic page does: the forum's topics
were not read. Two answers are not failures: the login form served with an error status to a
member crawl whose session ended (the page is fetched again as a member), and, in a full crawl,
a 404 or 410 from a stored forum the index no longer shows (the forum is marked deleted).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from forumscraper.db.state import (
    FULL_RUN_KEY,
    LISTS_TO_THE_END_KEY,
    TOPICS_GONE_KEY,
    VANISHED_POSTS_KEY,
    StoredTopic,
    forum_topic_counts,
    forums_left_to_check,
    last_covered_starts,
    later_unlisted_topic,
    live_forums,
    live_topic_ids,
    run_with_vanished_posts,
    topics_changed_since_forum_run,
)
from forumscraper.items import ForumItem, TopicItem
from forumscraper.pages import ForumListPage, ForumPage
from forumscraper.pages.problems import describe_problem, is_truncated, page_problem
from forumscraper.pages.urls import page_url, parse_page_url
from forumscraper.spiders.base import CLOCK_PROBE
from forumscraper.spiders.recent import proven_since
from forumscraper.spiders.topics import TopicSpider
from forumscraper.text.dates import MAX_OFFSET, ORDER_SLACK

CHECKED_FORUM = "forumscraper_checked_forum"
"""Request meta: the id of a stored forum the index does not show, asked for in a full crawl
(a ``forumscraper_*`` key: kept when the page is fetched again)."""

UNPROVEN_PAGES_KEY = "forumscraper/incremental/forum_pages_unproven"
"""Stat: list pages read after a page with no changed topic, because nothing proved the topics
after it stored (no covered run, or the page's topics moved after the last covered run)."""
UNKNOWN_TYPES_KEY = "forumscraper/extract/unknown_topic_types"
"""Stat: topic rows whose type word (``{TOPIC_TYPE}``) the reader does not know."""
UNORDERED_LISTS_KEY = "forumscraper/incremental/lists_not_by_last_post"
"""Stat: forums whose topic list shows a topic with a later last post below one with an earlier,
or has not shown a stored topic whose last post is later than its page's (its order proves
nothing about later pages, which are then all read)."""

GUESSED_CLOCK_MARGIN = MAX_OFFSET
"""How far dates read in a guessed timezone (UTC, see ``BoardClock.guessed``) may be from the
truth: a board's zone is at most :data:`~forumscraper.text.dates.MAX_OFFSET` from UTC."""


class ForumSpider(TopicSpider):
    """Crawl every category, forum, topic and post of a Forumotion board."""

    name = "forum"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listed_topics: dict[int, set[int]] = {}
        self.unknown_type_words: set[str] = set()
        self.unordered_forums: set[int] = set()
        """Forums whose list is seen not ordered by last post: paged to its end."""
        self.unlisted_forum_topics: dict[int, set[int]] = {}
        """Full crawls: the live topics of each stored forum the index does not show."""
        self.feed_requested = False
        """The RSS feed was asked for (once, by the first index page read)."""
        self.covered_since: datetime | None = None
        """When the board's last covered run started: a topic list stops at a page with no
        changed topic only once its topics reach back before then (``None``: none does)."""
        self.stopped_lists: dict[int, tuple[str, int]] = {}
        """Forums whose list paging stopped early in this run: (page URL, next offset)."""
        self.stored_topic_counts: dict[int, int] = {}
        """The topic count each forum's row showed the last run that read it (incremental
        runs: read at the start)."""
        self.changed_since_topic_counts: dict[int, int] = {}
        """Incremental runs: how many live topics each forum gained in the archive (negative:
        lost) by other runs (``recent``) since the last ``forum`` run ended, which the count it
        stored does not include (read at the start)."""
        self.row_topic_counts: dict[int, int] = {}
        """Incremental runs: the topic count each forum's row shows in this run."""
        self.arrived_topics: dict[int, set[int]] = {}
        """Incremental runs: the topics each forum's list showed so far in this run that the
        archive does not hold in that forum (new ones, or moved in)."""
        self.certain_arrived_topics: dict[int, set[int]] = {}
        """Of those, the ones the forum's count includes for certain: neither announcements
        (a global one heads every forum's list) nor rows of a type this reader does not know."""
        self.lists_read_whole: set[int] = set()
        """Forums whose list this run read to its end (a sub-forum's may end before its
        parent's page shows its row)."""
        self.unlisted_homes: dict[int, int] = {}
        """Incremental runs: the stored topics asked for because their forum's list no longer
        shows them, and that forum."""

    async def start(self) -> AsyncIterator[Any]:
        if self.full:
            self.crawler.stats.set_value(FULL_RUN_KEY, 1)
        else:
            covered = await self.read_db(last_covered_starts)
            self.stored_topic_counts = await self.read_db(forum_topic_counts)
            self.changed_since_topic_counts = await self.read_db(topics_changed_since_forum_run)
            self.covered_since = max(covered.values(), default=None)
            if self.covered_since is None:
                self.crawler.stats.set_value(LISTS_TO_THE_END_KEY, 1)
                self.logger.info(
                    "No covered run of this board (it was never read whole, or every run "
                    "failed): every forum's topic list is read to its end; unchanged topics "
                    "are not fetched"
                )
            else:
                run_id = await self.read_db(run_with_vanished_posts, covered.get("forum"))
                if run_id is not None:
                    self.posts_vanished(f"run {run_id} marked posts deleted")
            left = await self.read_db(forums_left_to_check, covered.get("forum"))
            for forum_id in sorted(left):
                self.topics_gone(forum_id, "a run that did not finish found topics gone from it")
        async for request in super().start():
            yield request

    def start_requests_for(self, base_url: str) -> Iterator[Request]:
        yield Request(base_url, callback=self.parse_index, errback=self.forum_failed)

    def feed_request(self, response: Response) -> Iterator[Request]:
        """Once the board is recognised: its RSS feed, whose creation times check the first
        posts' dates (``check_first_post``) and, where no page shows the board's clock, tell it
        (the feed is then a clock probe: no date is read before it answers)."""
        if self.feed_requested:
            return
        self.feed_requested = True
        probe = not self.clock.known
        if probe:
            self.begin_clock_probe()
        yield Request(
            response.urljoin("/feed/"),
            callback=self.parse_feed,
            errback=self.feed_failed,
            meta={CLOCK_PROBE: probe},
        )

    def parse_feed(self, response: Response) -> Iterator[Request]:
        entries = self.learn_feed(response)
        self.crawler.stats.set_value("forumscraper/dates/feed_topics", len(entries))
        if response.meta.get(CLOCK_PROBE):
            probe = self.feed_clock_probe(response)
            if probe is not None:
                yield probe
            yield from self.end_clock_probe()

    def feed_failed(self, failure: Failure) -> Iterator[Request]:
        """No feed (an admin may turn it off): the first posts go unchecked by it."""
        self.logger.info("No RSS feed to check dates with: %s", failure.getErrorMessage())
        self.crawler.stats.set_value("forumscraper/dates/feed_topics", 0)
        if failure.request.meta.get(CLOCK_PROBE):  # type: ignore[attr-defined]
            yield from self.end_clock_probe()

    async def parse_index(self, response: Response) -> AsyncIterator[Any]:
        page = self.html_page(response, ForumListPage)
        self.recognise_board(page, response)
        if not isinstance(page, ForumListPage):
            return
        if self.session_expired(page):
            for renewal in self.renew_session(response):
                yield renewal
            return
        if is_truncated(page.html) or page.unknown_template is not None:
            # Cut off, or in a markup no template version recognises: a failed page, not an
            # empty board.
            retry = self.page_failed(response, *describe_problem(page), "index")
            if retry is not None:
                yield retry
            return
        self.observe_clock(page, response)
        forums = page.forums()
        if not forums and not response.meta.get("portal_checked"):
            # A portal in front of the board: the forum index is /forum.
            yield Request(
                response.urljoin("/forum"),
                callback=self.parse_index,
                errback=self.forum_failed,
                meta={"portal_checked": True},
            )
            return
        for category in page.categories():
            self.known_categories.add(category.id)
            yield category
        requests = []
        for forum in forums:
            self.known_forums.add(forum.id)
            requests += await self.shrunk(forum)
            yield forum
            requests.append(self.forum_request(forum.id, forum.url or ""))
        if self.full:
            requests += await self.unlisted_forums({forum.id for forum in forums})
        for request in self.feed_request(response):
            yield request
        for request in self.when_clock_known(requests):
            yield request

    async def unlisted_forums(self, listed: set[int]) -> list[Request]:
        """In a full crawl: stored forums the index does not show are asked for once (a
        sub-forum that only its parent's page lists is fetched once all the same). One that
        answers 404 is marked deleted, and its stored topics are asked for one by one."""
        stored = await self.read_db(live_forums)
        missing = sorted(set(stored) - listed)
        if missing:
            self.logger.info(
                "The index does not show %d stored forum(s): asking for them", len(missing)
            )
        requests = []
        for forum_id in missing:
            # Read now: the errback that needs them cannot wait for the database.
            self.unlisted_forum_topics[forum_id] = await self.read_db(live_topic_ids, forum_id)
            request = self.forum_request(forum_id, stored[forum_id] or "")
            requests.append(request.replace(meta={CHECKED_FORUM: forum_id}))
        return requests

    def forum_failed(self, failure: Failure) -> Iterator[Any]:
        """The index or a forum page could not be fetched. The login form with an error status,
        in a member crawl, is a guest page: fetched again as a member (as a guest page answered
        200 is). In a full crawl, a stored forum the index does not show that answers 404 (or
        410) is marked deleted and its topics are asked for. Anything else is a failed page,
        which fails the run. A clock probe ends unless its page is fetched again."""
        request = failure.request  # type: ignore[attr-defined]
        error = failure.value
        response = error.response if isinstance(error, HttpError) else None
        if response is not None and self._guest_error(response):
            yield from self.renew_session(response)  # a probe stays one when fetched again
            return
        forum_id = request.meta.get(CHECKED_FORUM)
        status = response.status if response is not None else None
        if forum_id is not None and status in (404, 410):
            self.crawler.stats.inc_value("forumscraper/fetch/gone_forums")
            self.logger.info("Forum %s answers %s: marked deleted", forum_id, status)
            yield ForumItem(id=forum_id, gone=True)
            yield from self.topic_checks(self.unlisted_forum_topics.get(forum_id, set()))
        else:
            self.fetch_failed(failure)
        if request.meta.get(CLOCK_PROBE):
            yield from self.end_clock_probe()

    def when_clock_known(self, requests: list[Request]) -> Iterator[Request]:
        """Forum pages list dates: once the board's timezone is known, request them all; until
        then, only the first one, whose own clock line may tell (phpBB3, Invision, ModernBB
        print it on forum pages), holding the others until it has been read."""
        if self.clock.known or not requests:
            yield from requests
            return
        first, *rest = requests
        self.held_for_clock.extend(rest)
        self.begin_clock_probe()
        yield first.replace(meta=first.meta | {CLOCK_PROBE: True})

    def fetch_failed(self, failure: Failure) -> None:
        """A page that could not be fetched: counted and logged (an error: the run fails), with
        the HTTP status it answered, if any."""
        request = failure.request  # type: ignore[attr-defined]
        error = failure.value
        why = failure.getErrorMessage()
        if isinstance(error, HttpError):
            why = f"HTTP {error.response.status} ({why})"
        self.crawler.stats.inc_value("forumscraper/fetch/failed_pages")
        self.logger.error("Could not fetch %s: %s", request.url, why)

    def forum_request(self, forum_id: int, url: str, offset: int = 0) -> Request:
        ref = parse_page_url(url)
        return Request(
            page_url(self.base_url or url, "f", forum_id, offset, ref.slug if ref else ""),
            callback=self.parse_forum,
            errback=self.forum_failed,
        )

    async def parse_forum(self, response: Response) -> AsyncIterator[Any]:
        page = self.html_page(response, ForumPage)
        probe = bool(response.meta.get(CLOCK_PROBE))
        if self.session_expired(page):
            # Before anything else: a guest's page (a login form) holds no forum.
            for renewal in self.renew_session(response):
                yield renewal  # the probe, if it is one, is fetched again as a member
            return
        if not isinstance(page, ForumPage) or page.forum_id is None:
            if probe:
                for held in self.end_clock_probe():
                    yield held
            return
        if is_truncated(page.html) or page.unknown_template is not None:
            retry = self.page_failed(response, *describe_problem(page), "forum")
            if retry is not None:
                yield retry
            elif probe:
                for held in self.end_clock_probe():
                    yield held
            return
        self.observe_clock(page, response)
        if probe:
            for held in self.end_clock_probe():
                yield held
        forum = page.forum()
        if forum is not None and page.offset == 0:
            for item in self.hierarchy_items(page.breadcrumb):
                yield item
            self.known_forums.add(forum.id)
            yield forum
            for sub in page.subforums():
                # Yielded even when the index named it: the index shows a sub-forum as a link
                # in its parent's row; only its parent's page prints its row (description,
                # counts).
                self.known_forums.add(sub.id)
                for resumed in await self.shrunk(sub):
                    yield resumed
                yield sub
                yield self.forum_request(sub.id, sub.url or "")
        topics = await self.listing(page, ForumPage.topics)
        if not topics and page.offset == 0 and not page.subforums() and self.empty(response, page):
            return
        unknown = sum(topic.topic_type is None for topic in topics)
        if unknown:
            self.crawler.stats.inc_value(UNKNOWN_TYPES_KEY, unknown)
            self.unknown_types(page)
        stored = await self.stored(topic.id for topic in topics)
        self.listed_topics.setdefault(page.forum_id, set()).update(t.id for t in topics)
        self.arrivals(page.forum_id, topics, stored)
        changed = False
        for topic in topics:
            if topic.topic_type == "moved":
                continue  # a shadow: the topic is listed (and read) in its new forum
            if topic.topic_type in ("announcement", None):
                # Listed in several forums (a global announcement heads every forum's list),
                # or of a type not known (a shadow of a moved topic?): the topic's own page
                # says which forum it belongs to.
                yield replace(topic, forum_id=None)
            else:
                yield topic
            start = self.plan_topic(topic, stored.get(topic.id))
            if start is None:
                continue
            changed = True
            ref = parse_page_url(topic.url or "")
            request = self.topic_request(topic.id, ref.slug if ref else "", topic, start)
            if request is not None:
                yield request
        offsets, _per_page = page.page_offsets()
        later = [offset for offset in offsets if offset > page.offset]
        shrunk = page.forum_id in self.shrunk_forums
        if later and (
            changed
            or self.full
            or shrunk
            or self.gained_unseen(page.forum_id)
            or self.lost_unseen(page.forum_id)
        ):
            yield self.forum_request(page.forum_id, response.url, min(later))
        elif later and not await self.rest_proven(topics, page):
            self.crawler.stats.inc_value(UNPROVEN_PAGES_KEY)
            yield self.forum_request(page.forum_id, response.url, min(later))
        elif self.full:
            for request in await self.unlisted_topics(page.forum_id):
                yield request
        elif later and page.forum_id in self.shrunk_forums:
            # Found while the proof was read: a topic asked for elsewhere named this forum on
            # its page (topic_read_in), and it then lost one.
            yield self.forum_request(page.forum_id, response.url, min(later))
        else:
            if later:
                self.crawler.stats.inc_value("forumscraper/incremental/forum_pages_skipped")
                self.stopped_lists[page.forum_id] = (response.url, min(later))
            elif shrunk or self.lost_unseen(page.forum_id):
                # The whole list read: the stored topics it no longer shows.
                for request in await self.unlisted_topics(page.forum_id):
                    yield request
            else:
                self.lists_read_whole.add(page.forum_id)
            # Paging stops here: topics an earlier run could not finish are fetched anyway.
            for request in await self.unfinished_topic_requests(page.forum_id):
                yield request
        for request in self.resumed_lists():
            yield request

    async def shrunk(self, forum: ForumItem) -> list[Request]:
        """In an incremental run: whether a forum's row (on the index, or on its parent's
        page) counts fewer topics than the last run stored, which means topics left it:
        deleted, moved to another forum (a moved topic keeps its last post, so its new forum
        may list it on a page the paging proof skips) or merged. Its list is then read to its
        end, and the stored topics it no longer shows are asked for (as a full run does): a
        404 marks one deleted, a page read stores it under the forum its breadcrumb names.
        Counted, and said once per forum. Returns what to ask for now: a sub-forum's list may
        have been read already (to its end: the stored topics it no longer shows; stopped: its
        next page)."""
        if not self.full and forum.topic_count is not None:
            self.row_topic_counts[forum.id] = forum.topic_count
        return await self.read_if_lost(forum.id)

    async def read_if_lost(self, forum_id: int) -> list[Request]:
        """When the forum lost topics unseen (:meth:`lost_unseen`): what to read now. A list
        still being read is read to its end (it is now counted shrunk); one read whole already
        has the stored topics it no longer shows asked for; one whose paging stopped, its next
        page."""
        if not self.lost_unseen(forum_id):
            return []
        if forum_id in self.lists_read_whole:
            return await self.unlisted_topics(forum_id)
        stopped = self.stopped_lists.pop(forum_id, None)
        return [] if stopped is None else [self.forum_request(forum_id, *stopped)]

    def count_off(self, forum_id: int, arrived: int) -> int | None:
        """In an incremental run: how many topics the forum's row counts more (or, negative,
        fewer) than the last ``forum`` run stored in it, plus those other runs brought into the
        archive's forum since (a ``recent`` run's new topics, and the ones it found moved in,
        less those it found moved out), plus ``arrived`` (those its pages read so far showed
        arriving). None where nothing is compared: a full run, a count not known, or a
        forum already found shrunk."""
        row = self.row_topic_counts.get(forum_id)
        stored = self.stored_topic_counts.get(forum_id)
        if self.full or row is None or stored is None or forum_id in self.shrunk_forums:
            return None
        return row - stored - self.changed_since_topic_counts.get(forum_id, 0) - arrived

    def lost_unseen(self, forum_id: int) -> bool:
        """In an incremental run: whether the forum's row counts fewer topics than expected
        (:meth:`count_off`; of the arrivals, announcements are left out, since a global one
        heads every forum's list but counts in one). Topics then left it: deleted, moved out or
        merged away, even while others were started in it, which leaves the count as it was.
        Said and counted by :meth:`topics_gone`."""
        arrived = len(self.certain_arrived_topics.get(forum_id, ()))
        off = self.count_off(forum_id, arrived)
        if off is None or off >= 0:
            return False
        self.topics_gone(forum_id, self.count_evidence(forum_id, arrived, always=False))
        return True

    def count_evidence(self, forum_id: int, arrived: int, *, always: bool) -> str:
        """What a forum's count was compared with: the last ``forum`` run's, the topics other
        runs brought in or took out since (when any) and those its pages read so far show
        arriving (when any, or ``always``)."""
        parts = [
            f"it counts {self.row_topic_counts[forum_id]} topic(s)",
            f"{self.stored_topic_counts[forum_id]} when last read",
        ]
        since = self.changed_since_topic_counts.get(forum_id, 0)
        if since:
            parts.append(f"{since:+d} in the archive since, by other runs")
        if arrived or always:
            parts.append(f"the pages read so far show {arrived} new to it")
        *first, last = parts
        return f"{', '.join(first)}, and {last}" if len(first) > 1 else ", ".join(parts)

    def topics_gone(
        self,
        forum_id: int,
        evidence: str,
        what: str = "lost topics: deleted, moved or merged",
    ) -> None:
        """Topics left the forum, or came into it unseen (``what``; ``evidence`` says how it
        shows): its list is read to its end and the stored topics it no longer shows are asked
        for; counted in the run's :data:`TOPICS_GONE_KEY` (which a run that does not finish
        leaves to the next) and said."""
        stats = self.crawler.stats
        stats.set_value(
            TOPICS_GONE_KEY, sorted({*(stats.get_value(TOPICS_GONE_KEY) or ()), forum_id})
        )
        self.logger.info(
            "Forum %s %s (%s); its list is read to its end and the stored topics it no longer "
            "shows are checked",
            forum_id,
            what,
            evidence,
        )

    def arrivals(
        self, forum_id: int, topics: Sequence[TopicItem], stored: dict[int, StoredTopic]
    ) -> None:
        """Note the topics of a list page that the archive does not hold in that forum: new,
        or moved in. Shadow rows are not, and neither is an announcement stored in another
        forum (a global announcement heads every forum's list); one not stored at all is
        counted, so that a count can only be explained too well, never too little. Not in a
        full run, which reads every list to its end anyway."""
        if self.full:
            return
        arrived = self.arrived_topics.setdefault(forum_id, set())
        certain = self.certain_arrived_topics.setdefault(forum_id, set())
        for topic in topics:
            known = stored.get(topic.id)
            if topic.topic_type == "moved" or (known is not None and known.forum_id == forum_id):
                continue
            if known is not None and topic.topic_type == "announcement":
                continue
            arrived.add(topic.id)
            if topic.topic_type not in ("announcement", None):
                certain.add(topic.id)

    def gained_unseen(self, forum_id: int) -> bool:
        """In an incremental run, where paging would stop: whether the forum's row counts more
        topics than expected (:meth:`count_off`). A topic then came into the forum that these
        pages do not show: posts split off into a new topic keep their dates, and a topic moved
        without a new post keeps its last post, so its list shows either as far down as they
        are old. Its list is then read to its end, as for a forum that lost topics
        (:meth:`topics_gone`, whose stat it shares, so that a run that does not finish leaves it
        to the next)."""
        arrived = len(self.arrived_topics.get(forum_id, ()))
        off = self.count_off(forum_id, arrived)
        if off is None or off <= 0:
            return False
        self.topics_gone(
            forum_id,
            self.count_evidence(forum_id, arrived, always=True),
            "gained topics that the pages read so far do not show: posts split off into a new "
            "topic, or a topic moved in without a new post",
        )
        return True

    def unknown_types(self, page: ForumPage) -> None:
        """Rows whose type word this reader does not know: stored with ``topic_type`` NULL,
        left out of the proof that paging may stop; said once per word and run."""
        for word, topic_id in page.unknown_type_words().items():
            if word in self.unknown_type_words:
                continue
            self.unknown_type_words.add(word)
            self.logger.warning(
                "Topic type %r (topic %d, %s) is not one this crawler knows: such topics are "
                "stored with topic_type NULL and their forum read from their own page, and "
                "their dates prove nothing about later list pages; please report the word and "
                "the board's language",
                word,
                topic_id,
                page.url,
            )

    def rest_stored(self, topics: Sequence[TopicItem], page: ForumPage) -> bool:
        """Whether the pages of a topic list after ``page`` (whose ``topics`` all are stored
        as listed) hold only topics stored as they are. Lists are ordered by last post (but
        for the stickies and announcements heading them): every topic after the page has its
        last post before the page's oldest one, and when that is before the board's last
        covered run started (by the margin of the listings' minute dates and the clocks),
        every post of theirs is stored. Without a covered run, or with no dated topic, nothing
        proves it: a run that failed on a list page leaves topics after it unstored, unchanged
        ones before them."""
        if self.covered_since is None or not self.by_last_post(topics, page):
            return False
        dates = _normal_dates(topics)
        if not dates:
            return False
        proven = proven_since(min(dates), page.dates.now, datetime.now(UTC))
        if self.clock.guessed:
            proven += GUESSED_CLOCK_MARGIN
        return proven < self.covered_since

    async def rest_proven(self, topics: Sequence[TopicItem], page: ForumPage) -> bool:
        """``rest_stored``, and the archive agrees: no stored topic of the forum that the list
        has not shown so far has a later last post than this page's earliest (by more than a
        day). One that has is listed further down, out of last-post order, or left the forum
        since it was stored (it is then read as listed, or checked by a full run): either way
        nothing is proven, and the forum's list is read to its end."""
        forum_id = page.forum_id
        if forum_id is None or self.vanished or not self.rest_stored(topics, page):
            return False
        earliest = min(_normal_dates(topics))
        listed = sorted(self.listed_topics.get(forum_id, set()))
        later = await self.read_db(later_unlisted_topic, forum_id, earliest + ORDER_SLACK, listed)
        if later is None:
            return True
        self.unordered(
            page,
            f"topic {later[0]}, not on the pages read so far, is stored with its last post at "
            f"{later[1]}, later than this page's earliest, {earliest}",
        )
        return False

    def by_last_post(self, topics: Sequence[TopicItem], page: ForumPage) -> bool:
        """Whether the forum's list, as far as this run saw, is ordered by last post, as the
        proof in ``rest_stored`` assumes: a list seen out of that order (said once, with the
        two rows) is paged to its end."""
        forum_id = page.forum_id
        if forum_id is None or forum_id in self.unordered_forums:
            return False
        inversion = out_of_order(topics)
        if inversion is None:
            return True
        above, below = inversion
        self.unordered(
            page,
            f"topic {above.id}, last post {above.last_post_at}, is listed above topic "
            f"{below.id}, last post {below.last_post_at}",
        )
        return False

    def unordered(self, page: ForumPage, evidence: str) -> None:
        """The forum's list is not ordered by last post (``evidence`` says why): read to its
        end in this run, counted, and said."""
        if page.forum_id is None or page.forum_id in self.unordered_forums:
            return
        self.unordered_forums.add(page.forum_id)
        self.crawler.stats.inc_value(UNORDERED_LISTS_KEY)
        self.logger.warning(
            "Forum %s does not list its topics by last post, or not as stored (%s): %s; its "
            "list is read to its end",
            page.forum_id,
            page.url,
            evidence,
        )

    @property
    def shrunk_forums(self) -> frozenset[int]:
        """The forums that lost topics (:meth:`topics_gone`): the run's
        :data:`TOPICS_GONE_KEY` stat."""
        return frozenset(self.crawler.stats.get_value(TOPICS_GONE_KEY) or ())

    @property
    def vanished(self) -> bool:
        """Posts vanished from a stored topic (in this run, or in a run since the last covered
        ``forum`` run): every forum's list is read to its end, where a topic split off with
        them is listed (the run's :data:`VANISHED_POSTS_KEY` stat)."""
        return self.crawler.stats.get_value(VANISHED_POSTS_KEY) is not None

    def posts_vanished(self, evidence: str) -> None:
        """Posts vanished from a stored topic (``evidence`` says where): deleted, or split into
        a new topic, which keeps their ids and dates and so may be listed on a page the proof
        would skip. Every forum's list is read to its end in this run (once said and counted),
        lists already stopped included (:meth:`resumed_lists`); their posts then take their
        place in it."""
        if self.full or self.vanished:
            return
        self.crawler.stats.set_value(VANISHED_POSTS_KEY, 1)
        self.logger.info(
            "Stored posts are not where the archive has them (%s): deleted, merged, or split "
            "into a new topic that may be listed far down; every forum's topic list is read to "
            "its end",
            evidence,
        )

    def resumed_lists(self) -> Iterator[Request]:
        """Once posts vanished: the next pages of the lists whose paging stopped early."""
        if not self.vanished:
            return
        while self.stopped_lists:
            forum_id, (url, offset) = self.stopped_lists.popitem()
            yield self.forum_request(forum_id, url, offset)

    def empty(self, response: Response, page: ForumPage) -> bool:
        """A forum page with no topic and no sub-forum: counted, and whether reading it ends
        here. It does for a stored forum the index does not show (a login form shown to a
        guest, a message): there, but not to this crawl, so its rows stay as they are."""
        if response.meta.get(CHECKED_FORUM) is None:
            self.crawler.stats.inc_value("forumscraper/extract/empty_forum")
            return False
        self.logger.info(
            "Forum %s shows this crawl nothing (%s): its rows stay as they are",
            page.forum_id,
            page_problem(page),
        )
        return True

    async def unlisted_topics(self, forum_id: int) -> list[Request]:
        """After a forum's last list page, in a full crawl: stored topics of the forum that the
        list no longer shows are asked for once; one that answers 404 is marked deleted, one
        that moved is stored under its new forum."""
        stored = await self.read_db(live_topic_ids, forum_id)
        missing = sorted(stored - self.listed_topics.get(forum_id, set()))
        if not self.full:
            self.unlisted_homes.update(dict.fromkeys(missing, forum_id))
        if missing:
            self.logger.info(
                "Forum %s no longer lists %d stored topic(s): checking them", forum_id, len(missing)
            )
        return list(self.topic_checks(set(missing)))

    async def topic_read_in(self, topic_id: int, forum_id: int) -> list[Request]:
        """A stored topic its forum's list no longer shows, asked for in an incremental run,
        names ``forum_id`` on its page: when that is another forum, it moved there, with no
        new post (else its new forum's list shows it where paging stops, and likely on a page
        already read, but an announcement heading it is no certain arrival there). It arrived
        there for certain: that forum's count may have looked as expected only because a topic
        left it meanwhile (deleted, merged, moved on). The count is compared again, as for a
        forum row (:meth:`read_if_lost`); arrivals its pages show later could only make it
        shorter. Returns what to read."""
        home = self.unlisted_homes.get(topic_id)
        if home is None or home == forum_id:
            return []
        self.arrived_topics.setdefault(forum_id, set()).add(topic_id)
        self.certain_arrived_topics.setdefault(forum_id, set()).add(topic_id)
        return await self.read_if_lost(forum_id)

    def topic_checks(self, topic_ids: set[int]) -> Iterator[Request]:
        """A request for each stored topic whose fate is asked (a 404 marks it deleted, a
        redirect stores it under its new address, the login form shown to this crawl leaves its
        rows as they are)."""
        for topic_id in sorted(topic_ids):
            request = self.topic_request(topic_id, "")
            if request is not None:
                self.visits.checked(topic_id)
                yield request


def _normal_dates(topics: Sequence[TopicItem]) -> list[datetime]:
    """The last posts of a list's normal rows, years guessed included: a guess is the latest
    year that fits, never earlier than the truth, so an earliest date made of guesses proves
    no more than the true one would."""
    return [t.last_post_at for t in topics if t.topic_type == "normal" and t.last_post_at]


def _proves(topic: TopicItem) -> bool:
    """Whether a row's last post is evidence of the list's order: a normal row (pinned ones
    head the list whatever their date) dated with its year (a guessed one may be off by
    years)."""
    return (
        topic.topic_type == "normal"
        and topic.last_post_at is not None
        and not topic.last_post_year_unknown
    )


def out_of_order(topics: Sequence[TopicItem]) -> tuple[TopicItem, TopicItem] | None:
    """Two normal rows of a topic list, the first listed above the second although its last
    post is earlier by more than a clock's slack (a repeated DST hour, a date printed without
    its time): the list is not ordered by last post. ``None`` when none is. Rows whose date
    lacks its year (a guess) prove nothing."""
    earliest: tuple[datetime, TopicItem] | None = None
    for topic in topics:
        when = topic.last_post_at
        if when is None or not _proves(topic):
            continue
        if earliest is not None and when > earliest[0] + ORDER_SLACK:
            return earliest[1], topic
        if earliest is None or when < earliest[0]:
            earliest = (when, topic)
    return None
