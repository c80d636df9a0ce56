"""The ``boards`` rows: which boards the database holds and the time zone each prints dates in.

A crawl registers its board (:func:`register_board`, under :func:`board_url`) and records what
it learnt of it (:func:`record_board`); the ``daily_activity`` view and hand-written queries
(``posted_at AT TIME ZONE b.timezone`` joined on ``boards AS b``) read the zone. The zone is stored
in a form PostgreSQL reads right: a fixed offset is *not* stored as ``+03:00``, which PostgreSQL
would take as a POSIX offset, i.e. three hours *west* of UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, delete, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from forumscraper.db.models import Board, Category, CrawlRun, Forum, Post, Topic, table_of
from forumscraper.text.dates import board_timezone


def database_timezone(zone: str | tzinfo) -> str:
    """The time zone name to store for ``zone``: a configured name (see
    :func:`forumscraper.text.dates.board_timezone`) or a tzinfo (an inferred fixed offset).

    IANA names are kept (``Asia/Baghdad``); UTC is ``UTC``; a fixed offset becomes ``Etc/GMT-3``
    for +03:00 (whole hours; IANA's sign is inverted) or a POSIX spec such as ``<+0530>-05:30``.
    Raises ValueError for a name or tzinfo that cannot be stored.
    """
    tz = board_timezone(zone) if isinstance(zone, str) else zone
    if isinstance(tz, ZoneInfo) and tz.key:
        return tz.key
    now = datetime.now(UTC)
    offset = tz.utcoffset(now)
    if offset is None or offset != tz.utcoffset(now + timedelta(days=182)):
        raise ValueError(f"cannot store time zone {zone!r}: give an IANA name or a fixed offset")
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    east = minutes > 0
    if not rest and hours <= (14 if east else 12):
        return f"Etc/GMT{'-' if east else '+'}{hours}"
    return (
        f"<{'+' if east else '-'}{hours:02d}{rest:02d}>{'-' if east else '+'}{hours:02d}:{rest:02d}"
    )


def board_url(url: str) -> str:
    """The board's address as ``boards`` keeps it, one spelling per board: scheme and host
    (lowercase, with the port when there is one) and ``/``; a path, query or fragment is
    dropped (a Forumotion board lives at the root of its host). Raises ValueError for an
    address without a scheme and host."""
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.hostname:
        raise ValueError(f"not a board address: {url!r}")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme.lower()}://{host}{port}/"


def find_board(bind: Engine | Connection, base_url: str) -> int | None:
    """The id of the board registered at ``base_url`` (normalised), or ``None``."""
    table = table_of(Board)
    query = select(table.c.id).where(table.c.base_url == board_url(base_url))
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return connection.execute(query).scalar()
    return bind.execute(query).scalar()


def register_board(engine: Engine, base_url: str) -> tuple[int, bool]:
    """The id of the board at ``base_url`` (normalised by :func:`board_url`), registered if it
    is new, and whether it was. Two runs registering the same board at once get the same row."""
    table = table_of(Board)
    url = board_url(base_url)
    now = datetime.now(UTC)
    dialect_insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    stmt = (
        dialect_insert(table)
        .values(base_url=url, added_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["base_url"])
        .returning(table.c.id)
    )
    with engine.begin() as connection:
        created = connection.execute(stmt).scalar()
        if created is not None:
            return int(created), True
        return int(
            connection.execute(select(table.c.id).where(table.c.base_url == url)).scalar_one()
        ), False


def forget_board(engine: Engine, board_id: int) -> bool:
    """Remove the row of a board that holds nothing (a run registered an address that turned
    out to be no board); its runs keep their ``base_url``. Whether it was removed."""
    boards, runs = table_of(Board), table_of(CrawlRun)
    holds = [
        exists().where(table_of(model).c.board_id == board_id)
        for model in (Category, Forum, Topic, Post)
    ]
    with engine.begin() as connection:
        if connection.execute(select(or_(*holds))).scalar():
            return False
        connection.execute(update(runs).where(runs.c.board_id == board_id).values(board_id=None))
        connection.execute(delete(boards).where(boards.c.id == board_id))
    return True


def record_board(
    bind: Engine | Connection,
    board_id: int,
    *,
    timezone: str | tzinfo | None = None,
    template_version: str | None = None,
    title: str | None = None,
) -> None:
    """Record what a crawl learnt of the board: its time zone (normalised by
    :func:`database_timezone`), template version and title; ``None`` keeps the stored value.
    With an engine the write is its own transaction; with a connection the caller owns it."""
    table = table_of(Board)
    values: dict[str, object] = {"updated_at": datetime.now(UTC)}
    if timezone is not None:
        values["timezone"] = database_timezone(timezone)
    if template_version is not None:
        values["template_version"] = template_version
    if title is not None:
        values["title"] = title
    stmt = update(table).where(table.c.id == board_id).values(values)
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            connection.execute(stmt)
    else:
        bind.execute(stmt)
