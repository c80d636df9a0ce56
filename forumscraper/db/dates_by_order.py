"""Dates printed without a year, dated by the posts around them: post ids follow posting order.

Forumotion numbers a board's posts in the order they are written, so a post is no older than
any post with a smaller id and no younger than any with a larger one. A date printed without a
year (``D j M - G:i``) recurs on its weekday every 5, 6 or 11 years; the crawl reads it only
when its page leaves one year (:func:`forumscraper.text.dates.parse_forum_date`: the topic's
JSON-LD date, the posts before it on the page) and stores NULL otherwise. :func:`date_by_order`
then bounds each such post by the nearest dated posts on either side of its id, board-wide, and
reads it when exactly one year fits between them; it stays NULL when none or several do.

Self-check: the two neighbours must be in order themselves. Where they are not (ids that do not
follow time here), nothing is read from them and the post is counted in
:attr:`OrderDating.out_of_order`.

Called when a crawl closes (for the posts that crawl left undated) and by ``forumscraper
reprocess`` (for all of them). Only ``posts.posted_at`` is dated so (an edit has no id of its
own), and a topic's ``last_post_at`` follows its newest post once that is dated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import Connection, Engine, or_, select, update

from forumscraper.db.models import Post, Topic, table_of
from forumscraper.db.store import Store, Write
from forumscraper.text.dates import ORDER_SLACK, lacks_year, parse_forum_date

__all__ = ["DATED", "OrderDating", "date_by_order"]

POSTS = table_of(Post)
TOPICS = table_of(Topic)
DATED = Write(POSTS, ("id", "posted_at"))
"""What :func:`date_by_order` writes."""
BATCH = 500


@dataclass
class OrderDating:
    """What :func:`date_by_order` did."""

    dated: int = 0
    """Posts given a date."""
    undated: int = 0
    """Posts left NULL: no year, or more than one, fits between their neighbours."""
    out_of_order: int = 0
    """Posts left NULL because their neighbours' dates are not in id order."""


def date_by_order(
    engine: Engine, board_id: int, tz: tzinfo, *, since: datetime | None = None
) -> OrderDating:
    """Date the board's undated posts whose printed date has no year from their neighbours'
    dates (``since``: only posts stored since then); one transaction per batch."""
    store, result = Store(engine, board_id), OrderDating()
    last_id = 0
    topics: set[int] = set()
    carried: tuple[int, datetime] | None = None
    """The last post dated by this call: the nearest dated post below the next ones."""
    while True:
        with engine.begin() as connection:
            query = select(
                POSTS.c.id, POSTS.c.topic_id, POSTS.c.posted_at_raw, POSTS.c.last_seen_at
            ).where(
                POSTS.c.board_id == board_id,
                POSTS.c.id > last_id,
                POSTS.c.posted_at.is_(None),
                POSTS.c.posted_at_raw.is_not(None),
            )
            if since is not None:
                query = query.where(POSTS.c.last_seen_at >= since)
            rows = connection.execute(query.order_by(POSTS.c.id).limit(BATCH)).all()
            if not rows:
                return result
            updates = []
            for row in rows:
                if not lacks_year(row.posted_at_raw):
                    continue
                lower = _neighbour(connection, board_id, row.id, below=True)
                if carried is not None and (lower is None or carried[0] > lower[0]):
                    lower = carried
                upper = _neighbour(connection, board_id, row.id, below=False)
                if lower is None and upper is None:  # nothing dated on the board: no bound
                    result.undated += 1
                    continue
                if lower is not None and upper is not None and lower[1] > upper[1] + ORDER_SLACK:
                    result.out_of_order += 1
                    continue
                value = parse_forum_date(
                    row.posted_at_raw,
                    now=row.last_seen_at,
                    tz=tz,
                    after=lower[1] - ORDER_SLACK if lower else None,
                    before=upper[1] + ORDER_SLACK if upper else None,
                )
                if value is None:
                    result.undated += 1
                    continue
                result.dated += 1
                carried = (row.id, value)
                updates.append({"id": row.id, "posted_at": value})
                topics.add(row.topic_id)
            store.update(connection, DATED, updates, None)
            _fill_last_post_at(connection, board_id, topics)
            topics.clear()
            last_id = rows[-1].id


def _fill_last_post_at(connection: Connection, board_id: int, topic_ids: set[int]) -> None:
    """The watermark of the topics whose posts were just dated: their newest live post's date
    when it is later than the stored one (their pages could not date it, so the run stored no
    watermark for it: ``forumscraper.spiders.visits``)."""
    if not topic_ids:
        return
    newest = (
        select(POSTS.c.posted_at)
        .where(
            POSTS.c.board_id == TOPICS.c.board_id,
            POSTS.c.topic_id == TOPICS.c.id,
            POSTS.c.deleted_at.is_(None),
        )
        .order_by(POSTS.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    connection.execute(
        update(TOPICS)
        .where(
            TOPICS.c.board_id == board_id,
            TOPICS.c.id.in_(sorted(topic_ids)),
            or_(TOPICS.c.last_post_at.is_(None), TOPICS.c.last_post_at < newest),
        )
        .values(last_post_at=newest)
    )


def _neighbour(
    connection: Connection, board_id: int, post_id: int, *, below: bool
) -> tuple[int, datetime] | None:
    """The nearest dated post below (or above) ``post_id`` on the board: (id, date)."""
    query = select(POSTS.c.id, POSTS.c.posted_at).where(
        POSTS.c.board_id == board_id, POSTS.c.posted_at.is_not(None)
    )
    if below:
        query = query.where(POSTS.c.id < post_id).order_by(POSTS.c.id.desc())
    else:
        query = query.where(POSTS.c.id > post_id).order_by(POSTS.c.id)
    row = connection.execute(query.limit(1)).first()
    return (row.id, row.posted_at) if row else None
