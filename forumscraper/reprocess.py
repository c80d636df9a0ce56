"""``forumscraper reprocess``: recompute every post's derived columns from its stored page text.

After the cleaning rules change (``forumscraper/text``), this brings ``body_text``, ``links``,
``hidden_link_count``, ``collapsed_repeats`` and ``content_hash`` up to date without crawling
again. ``body_html`` is never touched. Posts are read and written in batches (keyset paging on
the id, one transaction per batch, the changed rows written by :meth:`Store.update
<forumscraper.db.store.Store.update>` in it), with a progress bar on a terminal (plain lines
elsewhere), and the command reports how many posts changed. It holds the whole database's run
lock (``forumscraper.db.lock``), so it never runs beside a crawl of any board.

Dates too, after the date reader learned a language or a layout: ``posted_at`` is read again
from ``posted_at_raw`` and ``edited_at`` from ``edited_at_raw`` (the edit note's date), in the
timezone recorded for the post's board in ``boards``, the way the crawl reads them. What the
crawl took from the page being served, the moment of serving, is the row's ``last_seen_at``: the
raw text is rewritten each time the post is stored, so it was printed then (a batch's delay
earlier). A date printed without a year keeps the year the crawl gave it (its page bounded it:
the topic's JSON-LD date, the posts before it), its day and time read again; one the crawl left
NULL is dated, where one year fits, by the posts around it (post ids follow posting order:
``forumscraper.db.dates_by_order``). For "Today"/"Yesterday" dates that moment decides the
day, and near midnight a batch's delay could tip it: those only fill a NULL, never replace a
date the crawl read. A printed date the reader cannot read gives NULL (never an earlier
reader's guess); one with no printed text kept leaves the column as it is. The dates of a
board whose timezone no crawl recorded are left alone.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, TextIO

from sqlalchemy import Engine, func, select
from tqdm import tqdm

from forumscraper.commands.common import rework_archive
from forumscraper.db.config import describe
from forumscraper.db.dates_by_order import date_by_order
from forumscraper.db.models import Board, Post, table_of
from forumscraper.db.state import recorded_timezone
from forumscraper.db.store import Store, Write
from forumscraper.text.clean import clean_post
from forumscraper.text.dates import is_relative_date, lacks_year, parse_forum_date

DERIVED = ("body_text", "links", "hidden_link_count", "collapsed_repeats", "content_hash")
DATES = {"posted_at": "posted_at_raw", "edited_at": "edited_at_raw"}
"""Date columns and the printed text each is read from."""
UNDATED = Write(table_of(Post), ("id", *DERIVED))
DATED = Write(table_of(Post), ("id", *DERIVED, *DATES))
"""What :func:`reprocess` writes: the derived columns, and the dates when it can read them."""

PROG = "forumscraper reprocess"


@dataclass
class DateCounts:
    """What :func:`reprocess` did to the dates."""

    read: int = 0
    """Dates given a value they did not have (NULL before, or another value)."""
    unreadable: int = 0
    """Printed dates the reader cannot read: NULL."""
    timezone: str | None = None
    """The board timezone(s) they were read in; ``None``: none known, dates left alone."""


def reread_date(
    raw: str | None, stored: datetime | None, *, seen_at: datetime, tz: tzinfo
) -> datetime | None:
    """A date column's value from its printed text (see the module docstring for the rule)."""
    if not raw:
        return stored
    if stored is not None and is_relative_date(raw):
        return stored
    if lacks_year(raw):
        # Within a day of the stored value: its year, whatever timezone stored it.
        return parse_forum_date(raw, now=seen_at, tz=tz, near=stored) if stored else None
    return parse_forum_date(raw, now=seen_at, tz=tz)


def reprocess(
    engine: Engine,
    *,
    batch_size: int = 500,
    progress: TextIO | None = None,
    dates: DateCounts | None = None,
) -> tuple[int, int]:
    """Recompute the derived columns of every post of every board; return (posts seen, posts
    changed).

    ``dates``, when given, is filled in with what happened to the dates."""
    posts = table_of(Post)
    dates = dates if dates is not None else DateCounts()
    with engine.connect() as connection:
        total = int(connection.execute(select(func.count()).select_from(posts)).scalar_one())
        boards = list(connection.execute(select(table_of(Board).c.id).order_by("id")).scalars())
    shown = Progress(progress, total) if progress is not None else None
    seen = changed = 0
    zones: list[str] = []
    for board_id in boards:
        tz = recorded_timezone(engine, board_id)
        if tz is not None and str(tz) not in zones:
            zones.append(str(tz))
        board_seen, board_changed = _reprocess_board(
            Store(engine, board_id), tz, batch_size, dates, shown, seen, changed
        )
        if tz is not None:  # what the posts' pages could not date, their neighbours may
            by_order = date_by_order(engine, board_id, tz)
            dates.read += by_order.dated
            dates.unreadable -= by_order.dated
            board_changed += by_order.dated
        seen, changed = seen + board_seen, changed + board_changed
    dates.timezone = ", ".join(zones) if zones else None
    if shown is not None:
        shown.close()
    return seen, changed


def _reprocess_board(
    store: Store,
    tz: tzinfo | None,
    batch_size: int,
    dates: DateCounts,
    shown: Progress | None,
    seen_before: int,
    changed_before: int,
) -> tuple[int, int]:
    """:func:`reprocess` of one board's posts (``store``'s board), dates read in ``tz``."""
    engine, posts = store.engine, table_of(Post)
    derived = DERIVED + (tuple(DATES) if tz is not None else ())
    seen = changed = 0
    last_id: int | None = None
    write = DATED if tz is not None else UNDATED
    columns = [posts.c[name] for name in (*derived, *DATES.values(), "last_seen_at")]
    while True:
        query = select(posts.c.id, posts.c.body_html, posts.c.url, *columns).where(
            posts.c.board_id == store.board_id
        )
        if last_id is not None:
            query = query.where(posts.c.id > last_id)
        with engine.begin() as connection:
            rows = connection.execute(query.order_by(posts.c.id).limit(batch_size)).all()
            if not rows:
                break
            updates = []
            for row in rows:
                cleaned = clean_post(row.body_html, base_url=row.url)
                new: dict[str, Any] = {name: getattr(cleaned, name) for name in DERIVED}
                if tz is not None:
                    for column, raw_column in DATES.items():
                        raw, stored = getattr(row, raw_column), getattr(row, column)
                        value = reread_date(raw, stored, seen_at=row.last_seen_at, tz=tz)
                        new[column] = value
                        dates.unreadable += bool(raw) and value is None
                        dates.read += value is not None and value != stored
                if any(new[name] != getattr(row, name) for name in derived):
                    updates.append({"id": row.id} | new)
            store.update(connection, write, updates, None)
        seen += len(rows)
        changed += len(updates)
        last_id = rows[-1].id
        if shown is not None:
            shown.update(seen_before + seen, changed_before + changed)
    return seen, changed


class Progress:
    """How far :func:`reprocess` is: a tqdm bar on a terminal; elsewhere (a log file, cron's
    mail, a pipe) a plain line every ``interval`` seconds and one at the end, never a carriage
    return."""

    def __init__(self, out: TextIO, total: int, *, interval: float = 10.0) -> None:
        self.out = out
        self.total = total
        self.interval = interval
        self.started = self.last_line = time.monotonic()
        self.seen = self.changed = 0
        self.bar = (
            tqdm(total=total, unit="post", file=out, dynamic_ncols=True) if out.isatty() else None
        )

    def update(self, seen: int, changed: int) -> None:
        if self.bar is not None:
            self.bar.update(seen - self.seen)
            self.bar.set_postfix(changed=changed, refresh=False)
        self.seen, self.changed = seen, changed
        if self.bar is None and time.monotonic() - self.last_line >= self.interval:
            self._line()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.total:
            self._line()

    def _line(self) -> None:
        self.last_line = time.monotonic()
        rate = self.seen / max(self.last_line - self.started, 1e-9)
        self.out.write(
            f"{self.seen}/{self.total} posts, {self.changed} changed, {rate:,.0f} posts/s\n"
        )
        self.out.flush()


def main(argv: Sequence[str] | None = None) -> int:
    dates = DateCounts()
    status, url, counts = rework_archive(
        PROG,
        "Recompute clean text, links and hashes of every post from body_html, and its dates "
        "from posted_at_raw and edited_at_raw.",
        argv,
        lambda engine, size: reprocess(engine, batch_size=size, progress=sys.stderr, dates=dates),
    )
    if url is None or counts is None:
        return status
    seen, changed = counts
    print(f"Reprocessed {seen} posts in {describe(url)}: {changed} changed.")
    if dates.timezone is None:
        if seen:
            print("Dates left as they are: no crawl recorded the board timezone (boards).")
    else:
        print(
            f"Dates read in {dates.timezone}: {dates.read} given a new value, "
            f"{dates.unreadable} printed dates unreadable (NULL)."
        )
    return 0
