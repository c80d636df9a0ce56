"""Bookkeeping of the topics a crawl fetches: which pages are awaited, which posts were seen,
where a topic went, and when it is complete. No Scrapy here: the spiders ask this object what
to request and what to yield, and the transitions are unit-tested on their own
(``tests/test_visits.py``).

A topic is *visited* at most once per run, however often the listings show it (an announcement
repeated on every page of its forum's list, a global announcement listed in every forum). A
visit starts at one page offset, learns the topic's other pages from its first page, and is
*complete* once no page is awaited: then, and only if no page failed, :meth:`TopicVisits.finish`
gives the complete :class:`~forumscraper.items.TopicItem` that moves the stored watermark.

A topic whose address answers with another topic (moved or merged) is *re-keyed* to the new id,
unless the new id is visited in this run already: then the visit ends there (the other visit
reads those posts) and only the move is recorded. Requests carry the id they were made for;
:meth:`TopicVisits.get` follows re-keyed ids, so a page asked for under the old id finds its
visit.

A visit that starts at a later page (an incremental run: the page of the first post not yet
stored) checks that page against the archive (:func:`misplaced_posts`): posts deleted or merged
in further up shift every later post, and only a visit of the whole topic can tell which posts
vanished. Such a visit is started again from the first page (:meth:`TopicVisits.reread`).

Every visit also checks its pages against the count the topic states (:meth:`TopicVisits.short`):
a post deleted or split off while the pages were read moves the posts after it back, and one
of them then lands on a page read already. Such a visit is read again, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol, TypeVar

from forumscraper.items import TopicItem

__all__ = ["TopicVisit", "TopicVisits", "misplaced_posts"]


class _Post(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def posted_at(self) -> datetime | None: ...


P = TypeVar("P", bound=_Post)


@dataclass
class TopicVisit:
    """A topic being fetched in this run."""

    topic_id: int
    slug: str
    listing: TopicItem | None
    """The topic as a listing showed it (its counts decide the watermark), if one did."""
    start_offset: int = 0
    """The first page fetched: 0 for the whole topic, else the page of the first new post."""
    pending: int = 0
    """Pages requested and not yet read (a page fetched again counts once)."""
    failed: bool = False
    scheduled: set[int] = field(default_factory=set)
    post_ids: list[int] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)
    last_posted_at: datetime | None = None
    newest: tuple[int, datetime | None] | None = None
    """The newest post seen (the largest id: ids follow posting order) and its date, if read."""
    newest_author: str | None = None
    """The name of the newest post's author (the topic's last poster, when no listing says)."""
    replies_on_page: int | None = None
    """The reply count the topic's own first page states (JSON-LD), if it does."""
    hidden: int = 0
    """Posts the pages read print as a message in their place (hidden from the account): the
    posts missing from them are not known to be deleted."""
    reread: bool = False
    """Started again from the first page after a later page disagreed with the archive (its
    pages may have been fetched in this run already)."""
    unlisted: bool = False
    """Asked for because no list shows it any more (a full run checks its fate)."""


class TopicVisits:
    """Every topic visit of one run."""

    def __init__(self) -> None:
        self._active: dict[int, TopicVisit] = {}
        self._visited: set[int] = set()
        self._aliases: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._active)

    def __contains__(self, topic_id: object) -> bool:
        return topic_id in self._active

    def get(self, topic_id: int) -> TopicVisit | None:
        """The active visit of ``topic_id`` (following re-keyed ids), if any."""
        seen: set[int] = set()
        while topic_id in self._aliases and topic_id not in seen:
            seen.add(topic_id)
            topic_id = self._aliases[topic_id]
        return self._active.get(topic_id)

    def visited(self, topic_id: int) -> bool:
        """Whether a visit of ``topic_id`` started in this run (active or ended)."""
        return topic_id in self._visited

    def schedule(
        self, topic_id: int, slug: str = "", listing: TopicItem | None = None, offset: int = 0
    ) -> TopicVisit | None:
        """Await page ``offset`` of a topic; the visit when that page must be requested now,
        ``None`` when this run asked for it already (or read the topic already)."""
        visit = self.get(topic_id)
        if visit is None:
            if topic_id in self._visited:
                return None
            self._visited.add(topic_id)
            visit = TopicVisit(topic_id=topic_id, slug=slug, listing=listing, start_offset=offset)
            self._active[topic_id] = visit
        if offset in visit.scheduled:
            return None
        if offset < visit.start_offset:
            # An earlier page asked for (a stored topic that no list shows any more, checked;
            # one a run left unfinished) while the visit reads from a later one: it now starts
            # there, so that page's pagination asks for the pages between, and its completion
            # judges every post from there. Not extended, those pages were never read, and
            # their posts were marked deleted.
            visit.start_offset = offset
        visit.scheduled.add(offset)
        visit.pending += 1
        return visit

    def checked(self, topic_id: int) -> None:
        """The topic's visit asks for its fate: no list shows it any more."""
        visit = self.get(topic_id)
        if visit is not None:
            visit.unlisted = True

    def arrived(self, visit: TopicVisit) -> None:
        """One awaited page of the visit was answered (read or not)."""
        if visit.pending <= 0:
            raise ValueError(f"topic {visit.topic_id}: a page arrived that was not awaited")
        visit.pending -= 1

    def again(self, visit: TopicVisit) -> None:
        """A page that arrived is asked for once more (a retry, a renewed session)."""
        visit.pending += 1

    def fail(self, visit: TopicVisit) -> None:
        """A page of the visit is lost for good: the topic will not be completed."""
        visit.failed = True

    def add_posts(self, visit: TopicVisit, posts: Iterable[P]) -> list[P]:
        """The posts of a page not seen before in this visit (a first post repeated on every
        page is kept once), in page order; remembers them for the completion."""
        fresh = []
        for post in posts:
            if post.id in visit.seen:
                continue
            visit.seen.add(post.id)
            visit.post_ids.append(post.id)
            if post.posted_at and (
                visit.last_posted_at is None or post.posted_at > visit.last_posted_at
            ):
                visit.last_posted_at = post.posted_at
            if visit.newest is None or post.id > visit.newest[0]:
                visit.newest = (post.id, post.posted_at)
                visit.newest_author = getattr(post, "author_name", None)
            fresh.append(post)
        return fresh

    def hidden(self, visit: TopicVisit, count: int) -> None:
        """A page of the visit printed ``count`` posts as a message in their place."""
        visit.hidden += count

    def rekey(self, visit: TopicVisit, new_id: int) -> tuple[TopicItem, bool]:
        """The visit's address answered with topic ``new_id`` (moved or merged).

        Returns the row to record for the old id (what the listing showed, plus
        ``moved_to_id``) and whether the visit goes on under ``new_id``: ``False`` when
        ``new_id`` is visited in this run already, which then reads those posts (the visit
        ends here, neither completed nor failed)."""
        old_id = visit.topic_id
        moved = replace(visit.listing, complete=False) if visit.listing else TopicItem(id=old_id)
        moved = replace(moved, id=old_id, moved_to_id=new_id, reply_count=None, last_post_at=None)
        moved.last_poster_name = None
        moved.post_ids = []
        self._active.pop(old_id, None)
        self._aliases[old_id] = new_id
        if new_id in self._visited:
            visit.pending = 0
            return moved, False
        visit.topic_id = new_id
        # The listing described the old topic: its counts say nothing of the new one.
        visit.listing = None
        visit.scheduled = {visit.start_offset}
        self._visited.add(new_id)
        self._active[new_id] = visit
        return moved, True

    def gone(self, visit: TopicVisit) -> None:
        """The visit ends, the topic not completed: it answered 404 (the caller records the
        deletion), or it shows this crawl nothing (its rows stay as they are)."""
        self._active.pop(visit.topic_id, None)

    def restart(self, visit: TopicVisit) -> None:
        """Forget the visit so that the topic can be scheduled again from page 0 (the page
        expected to hold new posts is gone: posts were deleted)."""
        self._active.pop(visit.topic_id, None)
        self._visited.discard(visit.topic_id)

    def reread(self, visit: TopicVisit) -> TopicVisit | None:
        """Start the topic again from its first page (:meth:`restart`), every page of it
        awaited afresh; the new visit (``reread``), or ``None`` if pages are still awaited."""
        if visit.pending > 0:
            return None
        self.restart(visit)
        again = self.schedule(visit.topic_id, visit.slug, visit.listing, 0)
        if again is not None:
            again.reread = True
            again.unlisted = visit.unlisted
        return again

    def short(self, visit: TopicVisit) -> str | None:
        """Once every page of the visit arrived: why its pages hold fewer posts than the topic
        counts, or ``None`` (as many, or no count known). The count is the one the first page
        read states (JSON-LD), else the listing's. Posts deleted, split or moved while the
        pages were read shift every later post one page back, onto a page read already: the
        topic changed under the visit, and a post it never saw may be live."""
        if visit.pending > 0 or visit.failed:
            return None
        stated = visit.replies_on_page
        if stated is None and visit.listing is not None:
            stated = visit.listing.reply_count
        if stated is None:
            return None
        read = len(visit.post_ids) + visit.hidden
        if read >= stated + 1 - visit.start_offset:
            return None
        where = f" from position {visit.start_offset}" if visit.start_offset else ""
        return f"its pages held {read} post(s){where}, it counts {stated + 1}"

    def finish(self, visit: TopicVisit) -> TopicItem | None:
        """End the visit if no page is awaited any more; the complete item when every page
        was read, ``None`` otherwise (still awaiting pages, or a page failed)."""
        if visit.pending > 0 or self._active.get(visit.topic_id) is not visit:
            return None
        del self._active[visit.topic_id]
        if visit.failed:
            return None
        listing = visit.listing
        reply_count = listing.reply_count if listing else None
        if reply_count is None or (visit.reread and visit.replies_on_page is not None):
            # Read again, the topic changed in this run: its page's count is the later one.
            reply_count = visit.replies_on_page
        if reply_count is None and visit.start_offset == 0:
            reply_count = len(visit.post_ids) + visit.hidden - 1
        # A post hidden from the account may be the last one: then the pages do not show it.
        newest = None if visit.hidden else visit.newest
        last_post_at = listing.last_post_at if listing else None
        if listing is not None and listing.last_post_year_unknown:
            # The listing's year is a guess: the last post's own page says it, or nothing does.
            last_post_at = newest[1] if newest else None
        elif last_post_at is None and not visit.hidden:
            last_post_at = visit.last_posted_at
        last_poster = listing.last_poster_name if listing else None
        return TopicItem(
            id=visit.topic_id,
            reply_count=reply_count,
            last_post_at=last_post_at,
            last_poster_name=last_poster or (None if visit.hidden else visit.newest_author),
            complete=True,
            # A post hidden from the account is missing from the pages, not deleted.
            post_ids=[] if visit.hidden else visit.post_ids,
            first_position=visit.start_offset,
        )

    def is_ended(self, visit: TopicVisit) -> bool:
        """Whether the visit is no longer active (finished, gone, merged away)."""
        return self._active.get(visit.topic_id) is not visit

    def abandon_all(self) -> list[int]:
        """End every visit still awaiting pages (they will never arrive); their ids."""
        lost = sorted(self._active)
        self._active.clear()
        return lost


def misplaced_posts(
    offset: int, page_ids: Sequence[int], stored: Iterable[tuple[int, int | None]]
) -> str | None:
    """What a later page of a topic (page ``offset``, its posts ``page_ids`` in order) shows
    that the archive disagrees with, or ``None``: a post stored at another position than the
    page gives it, or another post stored at the page's first position (a post before the page
    vanished or was added). ``stored``: the topic's live posts as (id, position), at least those
    of the page and those stored at ``offset``."""
    where = {post_id: offset + index for index, post_id in enumerate(page_ids)}
    first = page_ids[0] if page_ids else None
    for post_id, position in sorted(stored, key=lambda row: row[0]):
        if position is None:
            continue
        if post_id in where and where[post_id] != position:
            shown = where[post_id]
            return f"post {post_id} is stored at position {position}, the page shows it at {shown}"
        if position == offset and post_id != first:
            return f"post {post_id} is stored at position {offset}, the page shows {first} there"
    return None
