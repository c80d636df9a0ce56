"""``forumscraper.db.dates_by_order``: a post whose date has no year, dated by its neighbours.

Post ids follow posting order, so the nearest dated posts below and above a post's id bound
its date; it is read when one year fits between them (on SQLite and PostgreSQL), left NULL when
several do, and never read from neighbours whose own dates are out of id order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, select

from forumscraper.db.board import register_board
from forumscraper.db.dates_by_order import OrderDating, date_by_order
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.models import Post
from forumscraper.db.store import Store
from tests.test_db import base_batch, post_row

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
JULY_29 = "Wed 29 Jul - 15:51"  # a Wednesday in 2015, 2020 and 2026


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


POSTS: list[tuple[str, datetime | None]] = [  # ids 1, 2, …: (printed date, stored date)
    ("Mon 20 Jul - 10:00", at(2015, 7, 20, 10)),
    (JULY_29, None),  # between 20 July and 10 August 2015: 2015
    ("Mon 10 Aug - 09:00", at(2015, 8, 10, 9)),
    (JULY_29, None),  # between August 2015 and January 2026: 2020
    ("Thu 1 Jan - 08:00", at(2026, 1, 1, 8)),
    (JULY_29, None),  # its neighbours are out of id order: not read
    ("Wed 1 Jan - 08:00", at(2025, 1, 1, 8)),
    ("Wed 29 Jul 2015 - 15:51", None),  # a year printed (and not read before): not this step's
    (JULY_29, None),  # after the last dated post (2025), before now: 2026
]


@pytest.fixture
def store(engine: Engine) -> Store:
    upgrade_to_head(engine)
    store = Store(engine, register_board(engine, "https://example.forumotion.com/")[0])
    batch = base_batch()
    batch.posts = [
        post_row(post_id, position=post_id - 1) | {"posted_at": value, "posted_at_raw": raw}
        for post_id, (raw, value) in enumerate(POSTS, start=1)
    ]
    store.write(batch, NOW)
    return store


def stored(engine: Engine) -> dict[int, datetime | None]:
    with engine.connect() as connection:
        return dict(connection.execute(select(Post.id, Post.posted_at)).all())


def test_a_post_is_dated_where_one_year_fits_between_its_neighbours(store: Store) -> None:
    done = date_by_order(store.engine, store.board_id, UTC)
    dates = stored(store.engine)
    assert dates[2] == at(2015, 7, 29, 15, 51)
    assert dates[4] == at(2020, 7, 29, 15, 51)
    assert dates[6] is None  # between 2026 and 2025
    assert dates[8] is None
    assert dates[9] == at(2026, 7, 29, 15, 51)
    assert done == OrderDating(dated=3, undated=0, out_of_order=1)
    # Twice is once.
    assert date_by_order(store.engine, store.board_id, UTC) == OrderDating(out_of_order=1)


def test_only_the_posts_stored_since_are_dated(store: Store) -> None:
    assert (
        date_by_order(store.engine, store.board_id, UTC, since=NOW + timedelta(seconds=1))
        == OrderDating()
    )
    assert stored(store.engine)[2] is None


def test_several_years_between_the_neighbours_leave_the_post_undated(store: Store) -> None:
    with store.engine.begin() as connection:  # the 2020 post's upper neighbour gone
        connection.execute(delete(Post).where(Post.id.in_([5, 6, 7])))
    done = date_by_order(store.engine, store.board_id, UTC)
    dates = stored(store.engine)
    assert dates[2] == at(2015, 7, 29, 15, 51)
    assert dates[4] is None and dates[9] is None  # 2020 and 2026 both fit after 2015
    assert done == OrderDating(dated=1, undated=2)
