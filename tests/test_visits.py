"""The topic bookkeeping (``forumscraper.spiders.visits``), transition by transition, without
Scrapy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from forumscraper.items import TopicItem
from forumscraper.spiders.visits import TopicVisit, TopicVisits, misplaced_posts

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@dataclass
class P:
    id: int
    posted_at: datetime | None = T0


def listing(topic_id: int, **values: object) -> TopicItem:
    return TopicItem(
        id=topic_id,
        forum_id=2,
        title=f"Topic {topic_id}",
        author_name="Rocky",
        url=f"http://b/t{topic_id}-x",
        reply_count=values.pop("reply_count", 4),  # type: ignore[arg-type]
        last_post_at=values.pop("last_post_at", T0),  # type: ignore[arg-type]
        last_poster_name="Layla",
        **values,  # type: ignore[arg-type]
    )


def started(visits: TopicVisits, topic_id: int = 5, **kw: object) -> TopicVisit:
    visit = visits.schedule(topic_id, "x", **kw)  # type: ignore[arg-type]
    assert visit is not None
    return visit


def test_a_topic_is_visited_once_however_often_it_is_listed() -> None:
    visits = TopicVisits()
    visit = started(visits, listing=listing(5))
    assert visits.schedule(5, "x", listing(5)) is None  # listed again (another list page)
    visits.arrived(visit)
    visits.add_posts(visit, [P(1), P(2)])
    assert visits.finish(visit) is not None
    # Listed again after it was read (a global announcement in the next forum): not again.
    assert visits.schedule(5, "x", listing(5)) is None
    assert visits.visited(5) and 5 not in visits


def test_the_other_pages_are_awaited_before_the_topic_is_complete() -> None:
    visits = TopicVisits()
    visit = started(visits)
    visits.arrived(visit)
    assert visits.schedule(5, offset=15) is visit
    assert visits.schedule(5, offset=15) is None  # asked for already
    assert visits.finish(visit) is None  # page 15 still awaited
    assert 5 in visits
    visits.arrived(visit)
    assert visits.finish(visit) is not None
    assert 5 not in visits


def test_an_earlier_page_asked_for_makes_the_visit_start_there() -> None:
    """A visit reading a topic from page 30 (its new posts) is asked for page 0 (a check of
    a topic its old forum no longer lists): the visit starts at 0, so page 0's pagination asks
    for page 15, and its completion judges every post."""
    visits = TopicVisits()
    visit = visits.schedule(5, "x", listing(5), offset=30)
    assert visit is not None and visit.start_offset == 30
    assert visits.schedule(5, offset=0) is visit
    assert visit.start_offset == 0
    assert visits.schedule(5, offset=15) is visit
    assert visits.schedule(5, offset=30) is None  # asked for already
    assert visits.schedule(5, offset=0) is None


def test_completion_takes_the_listings_counts_else_the_pages() -> None:
    visits = TopicVisits()
    listed = started(visits, 5, listing=listing(5, reply_count=7))
    visits.arrived(listed)
    visits.add_posts(listed, [P(1, T0), P(2, datetime(2026, 1, 2, tzinfo=UTC))])
    done = visits.finish(listed)
    assert done is not None
    assert (done.reply_count, done.last_post_at, done.last_poster_name) == (7, T0, "Layla")
    assert done.complete and done.post_ids == [1, 2] and done.first_position == 0

    unlisted = started(visits, 6)
    visits.arrived(unlisted)
    visits.add_posts(unlisted, [P(3, T0), P(4, datetime(2026, 1, 2, tzinfo=UTC))])
    done = visits.finish(unlisted)
    assert done is not None
    assert (done.reply_count, done.last_post_at) == (1, datetime(2026, 1, 2, tzinfo=UTC))

    stated = started(visits, 7)
    visits.arrived(stated)
    stated.replies_on_page = 9
    visits.add_posts(stated, [P(5)])
    done = visits.finish(stated)
    assert done is not None and done.reply_count == 9


def test_a_listing_without_counts_is_completed_from_the_pages() -> None:
    # An announcement row that prints no counts must not leave the watermark NULL.
    visits = TopicVisits()
    visit = started(visits, listing=listing(5, reply_count=None, last_post_at=None))
    visits.arrived(visit)
    visits.add_posts(visit, [P(1, T0), P(2, datetime(2026, 1, 3, tzinfo=UTC))])
    done = visits.finish(visit)
    assert done is not None
    assert (done.reply_count, done.last_post_at) == (1, datetime(2026, 1, 3, tzinfo=UTC))


def test_posts_hidden_from_the_account_count_and_prove_no_deletion() -> None:
    # A member page printed two posts as a message in their place (their author is ignored).
    visits = TopicVisits()
    visit = started(visits)  # no listing (a topic met through a redirect)
    visits.arrived(visit)
    visits.add_posts(visit, [P(1), P(4)])
    visits.hidden(visit, 2)
    done = visits.finish(visit)
    assert done is not None and done.complete
    assert done.reply_count == 3
    assert done.post_ids == [], "posts missing from the pages are not known to be deleted"
    # The last post may be a hidden one: without a listing, it is not known.
    assert (done.last_post_at, done.last_poster_name) == (None, None)
    visits = TopicVisits()
    visit = started(visits, listing=listing(5))
    visits.arrived(visit)
    visits.add_posts(visit, [P(1), P(4)])
    visits.hidden(visit, 2)
    done = visits.finish(visit)
    assert done is not None
    assert (done.reply_count, done.last_post_at, done.last_poster_name) == (4, T0, "Layla")


def test_a_listing_date_without_a_year_gives_way_to_the_newest_posts_own() -> None:
    # The listing's year is the latest that fits (a guess): the watermark is the date the
    # newest post's page gave it, whichever page arrived last, or none if it gave none.
    guessed = datetime(2026, 7, 29, 15, 51, tzinfo=UTC)
    own = datetime(2015, 7, 29, 15, 51, tzinfo=UTC)
    visits = TopicVisits()
    for topic_id, newest_date in [(5, own), (6, None)]:
        visit = started(
            visits,
            topic_id,
            listing=listing(topic_id, last_post_at=guessed, last_post_year_unknown=True),
        )
        visits.arrived(visit)
        visits.add_posts(visit, [P(30, T0), P(31, newest_date)])  # the page of the newest
        visits.add_posts(visit, [P(10, datetime(2015, 1, 1, tzinfo=UTC))])  # arrived after
        done = visits.finish(visit)
        assert done is not None and done.last_post_at == (own if newest_date else None)
    printed = started(visits, 7, listing=listing(7, last_post_at=guessed))
    visits.arrived(printed)
    visits.add_posts(printed, [P(31, own)])
    done = visits.finish(printed)
    assert done is not None and done.last_post_at == guessed  # a year printed: the listing's


def test_a_partial_fetch_states_no_reply_count_it_did_not_see() -> None:
    visits = TopicVisits()
    visit = started(visits, offset=30)
    visits.arrived(visit)
    visits.add_posts(visit, [P(40)])
    done = visits.finish(visit)
    assert done is not None
    assert done.reply_count is None and done.first_position == 30


def test_a_post_repeated_on_every_page_is_kept_once() -> None:
    visits = TopicVisits()
    visit = started(visits)
    visits.arrived(visit)
    assert [p.id for p in visits.add_posts(visit, [P(1), P(2)])] == [1, 2]
    visits.schedule(5, offset=15)
    visits.arrived(visit)
    assert [p.id for p in visits.add_posts(visit, [P(1), P(3)])] == [3]
    done = visits.finish(visit)
    assert done is not None and done.post_ids == [1, 2, 3]


def test_a_failed_page_ends_the_visit_without_completion() -> None:
    visits = TopicVisits()
    visit = started(visits)
    visits.arrived(visit)
    visits.schedule(5, offset=15)
    visits.arrived(visit)
    visits.fail(visit)
    assert visits.finish(visit) is None
    assert visits.is_ended(visit)
    assert visits.schedule(5) is None  # not again in this run


def test_a_page_fetched_again_is_awaited_again() -> None:
    visits = TopicVisits()
    visit = started(visits)
    visits.arrived(visit)
    visits.again(visit)  # a retry, or a renewed session
    assert visits.finish(visit) is None
    visits.arrived(visit)
    assert visits.finish(visit) is not None


def test_a_page_that_was_not_awaited_is_refused() -> None:
    visits = TopicVisits()
    visit = started(visits)
    visits.arrived(visit)
    with pytest.raises(ValueError, match="not awaited"):
        visits.arrived(visit)


def test_a_moved_topic_goes_on_under_its_new_id_and_keeps_the_old_row() -> None:
    visits = TopicVisits()
    visit = started(visits, 5, listing=listing(5, reply_count=3))
    visits.arrived(visit)
    moved, goes_on = visits.rekey(visit, 9)
    assert goes_on
    # The old id keeps what the listing showed, plus where it went; no watermark.
    assert (moved.id, moved.moved_to_id, moved.title, moved.forum_id, moved.author_name) == (
        5,
        9,
        "Topic 5",
        2,
        "Rocky",
    )
    assert moved.reply_count is None and moved.last_post_at is None and not moved.complete
    assert visits.get(5) is visit and visits.get(9) is visit  # old requests find it
    assert visits.visited(9)
    assert visits.schedule(9, offset=15) is visit
    visits.arrived(visit)
    visits.add_posts(visit, [P(1), P(2)])
    done = visits.finish(visit)
    # The old topic's listing says nothing of the new topic's counts.
    assert done is not None and done.id == 9 and done.reply_count == 1


def test_a_topic_that_redirects_to_one_being_fetched_ends_without_error() -> None:
    visits = TopicVisits()
    target = started(visits, 9)
    visit = started(visits, 5, listing=listing(5))
    visits.arrived(visit)
    moved, goes_on = visits.rekey(visit, 9)
    assert not goes_on and moved.moved_to_id == 9
    assert visits.is_ended(visit)
    assert visits.finish(visit) is None  # no KeyError, no completion of the target
    assert visits.get(9) is target and visits.get(5) is target
    visits.arrived(target)
    assert visits.finish(target) is not None


def test_a_topic_that_redirects_to_one_read_earlier_ends_without_a_second_completion() -> None:
    visits = TopicVisits()
    target = started(visits, 9)
    visits.arrived(target)
    visits.add_posts(target, [P(1), P(2), P(3)])
    assert visits.finish(target) is not None
    visit = started(visits, 5)
    visits.arrived(visit)
    moved, goes_on = visits.rekey(visit, 9)
    assert not goes_on and moved.id == 5
    assert visits.finish(visit) is None
    assert len(visits) == 0


def test_a_gone_topic_ends_and_a_restarted_one_can_be_scheduled_again() -> None:
    visits = TopicVisits()
    gone = started(visits, 5)
    visits.arrived(gone)
    visits.gone(gone)
    assert visits.is_ended(gone) and visits.schedule(5) is None

    partial = started(visits, 6, offset=30)
    visits.arrived(partial)
    visits.restart(partial)
    again = visits.schedule(6, "x", None, 0)
    assert again is not None and again is not partial and again.start_offset == 0


def test_visits_left_at_the_end_are_reported_lost() -> None:
    visits = TopicVisits()
    started(visits, 5)
    started(visits, 3)
    assert visits.abandon_all() == [3, 5]
    assert len(visits) == 0 and visits.abandon_all() == []


def test_a_reread_visit_starts_again_from_the_first_page() -> None:
    visits = TopicVisits()
    visit = started(visits, listing=listing(5, reply_count=33), offset=30)
    visits.arrived(visit)
    again = visits.reread(visit)
    assert again is not None and again is not visit
    assert again.reread and again.start_offset == 0 and again.scheduled == {0}
    assert visits.schedule(5, offset=30) is again  # its later pages are awaited afresh
    visits.arrived(again)
    visits.arrived(again)
    visits.add_posts(again, [P(1), P(2)])
    completed = visits.finish(again)
    assert completed is not None
    assert completed.first_position == 0 and completed.reply_count == 33


def test_a_topic_asked_for_because_no_list_shows_it_stays_so_when_read_again() -> None:
    visits = TopicVisits()
    visit = started(visits, listing=listing(5, reply_count=4))
    visits.checked(5)
    visits.arrived(visit)
    again = visits.reread(visit)
    assert again is not None and again.unlisted


def test_a_visit_still_awaiting_pages_is_not_reread() -> None:
    visits = TopicVisits()
    visit = started(visits)
    assert visits.reread(visit) is None


@pytest.mark.parametrize(
    ("page_ids", "stored", "evidence"),
    [
        # New posts after the stored ones: nothing to say.
        ([417, 422, 500], [(417, 30), (422, 31)], None),
        ([500, 501], [], None),
        # A post further up vanished: the page's posts are stored one position later.
        ([422, 434], [(417, 30), (422, 31), (434, 32)], "post 417 is stored at position 30"),
        # Posts merged in further up: stored earlier than the page shows them.
        ([384, 395], [(384, 27), (395, 28), (417, 30)], "post 384 is stored at position 27"),
        # A post stored at the page's first position that the page does not show.
        ([500], [(417, 30)], "post 417 is stored at position 30"),
        # Positions unknown (an old row) say nothing.
        ([417], [(417, None)], None),
    ],
)
def test_a_later_page_is_checked_against_the_stored_positions(
    page_ids: list[int], stored: list[tuple[int, int | None]], evidence: str | None
) -> None:
    found = misplaced_posts(30, page_ids, stored)
    if evidence is None:
        assert found is None
    else:
        assert found is not None and found.startswith(evidence)


def test_pages_short_of_the_count_the_topic_states() -> None:
    """Once every page arrived, fewer posts than the topic counts (its page's JSON-LD, else its
    listing) say it changed while it was read; as many or more, or no count, say nothing."""
    visits = TopicVisits()
    visit = started(visits, listing=listing(5, reply_count=3))
    visits.arrived(visit)
    visits.schedule(5, offset=2)
    visits.add_posts(visit, [P(1), P(2)])
    assert visits.short(visit) is None, "a page is still awaited"
    visits.arrived(visit)
    visits.add_posts(visit, [P(3)])
    assert visits.short(visit) == "its pages held 3 post(s), it counts 4"
    visit.replies_on_page = 2  # the page, read after the listing, counts one post less
    assert visits.short(visit) is None
    visit.replies_on_page = 4
    assert visits.short(visit) == "its pages held 3 post(s), it counts 5"
    visits.hidden(visit, 2)  # printed as a message in their place: read, not missing
    assert visits.short(visit) is None

    later = started(visits, 6, listing=listing(6, reply_count=20), offset=15)
    visits.arrived(later)
    visits.add_posts(later, [P(16), P(17), P(18), P(19), P(20)])
    assert visits.short(later) == "its pages held 5 post(s) from position 15, it counts 21"
    visits.add_posts(later, [P(21)])
    assert visits.short(later) is None

    uncounted = started(visits, 7, listing=listing(7, reply_count=None))
    visits.arrived(uncounted)
    assert visits.short(uncounted) is None
    failed = started(visits, 8, listing=listing(8, reply_count=9))
    visits.arrived(failed)
    visits.fail(failed)
    assert visits.short(failed) is None


def test_a_topic_read_again_keeps_the_count_its_page_states() -> None:
    """The listing was read before the topic changed; the page read again is later."""
    visits = TopicVisits()
    visit = started(visits, listing=listing(5, reply_count=4))
    visits.arrived(visit)
    visits.add_posts(visit, [P(1), P(2), P(3)])
    again = visits.reread(visit)
    assert again is not None and again.reread
    visits.arrived(again)
    again.replies_on_page = 2
    visits.add_posts(again, [P(1), P(3), P(4)])
    done = visits.finish(again)
    assert done is not None and done.reply_count == 2 and done.post_ids == [1, 3, 4]
