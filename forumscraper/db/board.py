"""The ``board_info`` row: which board the database holds and the time zone it prints dates in.

A crawl records it with :func:`record_board_info`; the ``daily_activity`` view and hand-written
queries (``posted_at AT TIME ZONE (SELECT timezone FROM board_info)``) read it. The zone is stored
in a form PostgreSQL reads right: a fixed offset is *not* stored as ``+03:00``, which PostgreSQL
would take as a POSIX offset, i.e. three hours *west* of UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func
from sqlalchemy.dialects import postgresql, sqlite

from forumscraper.db.models import BoardInfo, table_of
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


def record_board_info(
    bind: Engine | Connection, base_url: str | None, timezone: str | tzinfo
) -> None:
    """Upsert the single ``board_info`` row.

    ``timezone`` is normalised by :func:`database_timezone`; a ``base_url`` of ``None`` keeps the
    stored one. With an engine the write is its own transaction; with a connection the caller
    owns the transaction.
    """
    table = table_of(BoardInfo)
    values = {
        "id": 1,
        "base_url": base_url,
        "timezone": database_timezone(timezone),
        "updated_at": datetime.now(UTC),
    }
    dialect_insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    stmt = dialect_insert(table).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={
            "base_url": func.coalesce(stmt.excluded.base_url, table.c.base_url),
            "timezone": stmt.excluded.timezone,
            "updated_at": stmt.excluded.updated_at,
        },
    )
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            connection.execute(stmt)
    else:
        bind.execute(stmt)
