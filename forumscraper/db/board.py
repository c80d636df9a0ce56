"""The ``boards`` rows: which boards the database holds, the time zone each prints dates in, and
when each is due to be checked.

A crawl registers its board (:func:`register_board`, under :func:`board_url`) and records what
it learnt of it (:func:`record_board`); the ``daily_activity`` view and hand-written queries
(``posted_at AT TIME ZONE b.timezone`` joined on ``boards AS b``) read the zone. The zone is stored
in a form PostgreSQL reads right: a fixed offset is *not* stored as ``+03:00``, which PostgreSQL
would take as a POSIX offset, i.e. three hours *west* of UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, delete, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from forumscraper.db.models import (
    Base,
    Board,
    Category,
    CrawlRun,
    Forum,
    Post,
    Topic,
    table_of,
)
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


DEFAULT_PORTS = {"http": 80, "https": 443}
"""The port a scheme's address means when it names none (``https://x:443/`` is ``https://x/``)."""


def board_url(url: str) -> str:
    """The board's address as ``boards`` keeps it, one spelling per board: scheme and host
    (lowercase, without the trailing dot of a fully qualified name, with the port when it is
    not the scheme's default) and ``/``; a path, query or fragment is dropped (a Forumotion
    board lives at the root of its host). ``http`` and ``https``, ``www.`` and no ``www.``
    stay apart: different hosts may serve different boards. Raises ValueError for an address
    without a scheme and host, or with a port that is no port."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").rstrip(".")
    if not parts.scheme or not host:
        raise ValueError(f"not a board address: {url!r}")
    if ":" in host:
        host = f"[{host}]"
    scheme = parts.scheme.lower()
    port = parts.port
    shown = f":{port}" if port and port != DEFAULT_PORTS.get(scheme) else ""
    return f"{scheme}://{host}{shown}/"


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
    language: str | None = None,
) -> None:
    """Record what a crawl learnt of the board: its time zone (normalised by
    :func:`database_timezone`), template version, title and language; ``None`` keeps the
    stored value. With an engine the write is its own transaction; with a connection the caller
    owns it."""
    table = table_of(Board)
    values: dict[str, object] = {"updated_at": datetime.now(UTC)}
    if timezone is not None:
        values["timezone"] = database_timezone(timezone)
    if template_version is not None:
        values["template_version"] = template_version
    if title is not None:
        values["title"] = title
    if language is not None:
        values["language"] = language
    stmt = update(table).where(table.c.id == board_id).values(values)
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            connection.execute(stmt)
    else:
        bind.execute(stmt)


# -- the boards a user keeps (``forumscraper boards``, ``-a boards=…``) ----------------------------


class UnknownBoard(LookupError):
    """A board named by address or id that ``boards`` does not hold (the message says which)."""


@dataclass(frozen=True)
class BoardSettings:
    """What ``forumscraper boards add`` records of a board; ``None`` keeps the stored value."""

    timezone: str | None = None
    every_seconds: int | None = None
    username_env: str | None = None
    password_env: str | None = None


def add_board(engine: Engine, base_url: str, settings: BoardSettings) -> tuple[int, bool]:
    """Register the board at ``base_url`` (or put a removed one back on the schedule) with
    ``settings``; its id and whether it is new. Due at once."""
    board_id, created = register_board(engine, base_url)
    values: dict[str, object] = {"removed_at": None, "updated_at": datetime.now(UTC)}
    if settings.timezone is not None:
        values["timezone"] = database_timezone(settings.timezone)
    for name in ("every_seconds", "username_env", "password_env"):
        if getattr(settings, name) is not None:
            values[name] = getattr(settings, name)
    if created or settings.every_seconds is not None:
        values["next_due_at"] = None
    table = table_of(Board)
    with engine.begin() as connection:
        connection.execute(update(table).where(table.c.id == board_id).values(values))
    return board_id, created


def board_named(bind: Engine | Connection, name: str) -> int:
    """The id of the board ``name`` names: its id (``3``) or its address (any spelling
    :func:`board_url` normalises). The one reader of a board named by a user (``-a boards=``,
    ``boards remove``, ``--board`` of search, export and report). Raises :class:`UnknownBoard`,
    whose message lists the boards the database holds."""
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return board_named(connection, name)
    table = table_of(Board)
    if name.strip().isdigit():
        query = select(table.c.id).where(table.c.id == int(name))
    else:
        try:
            query = select(table.c.id).where(table.c.base_url == board_url(name))
        except ValueError:
            raise UnknownBoard(f"{name!r} is neither a board id nor a board address") from None
    found = bind.execute(query).scalar()
    if found is None:
        raise UnknownBoard(f"no board {name!r} in this database ({_known_boards(bind)})")
    return int(found)


def _known_boards(connection: Connection, shown: int = 5) -> str:
    """``boards: 1 https://…, 2 https://…`` (the first ``shown``; the rest counted)."""
    table = table_of(Board)
    rows = connection.execute(
        select(table.c.id, table.c.base_url).order_by(table.c.id).limit(shown + 1)
    ).all()
    if not rows:
        return "it holds none"
    listed = ", ".join(f"{row.id} {row.base_url}" for row in rows[:shown])
    if len(rows) > shown:
        total = connection.execute(select(func.count()).select_from(table)).scalar_one()
        listed += f" and {total - shown} more: forumscraper boards list"
    return f"boards: {listed}"


@dataclass(frozen=True)
class BoardToCheck:
    """A board a multi-board run checks."""

    id: int
    base_url: str
    timezone: str | None
    username_env: str | None
    password_env: str | None


def boards_to_check(engine: Engine, which: str, now: datetime | None = None) -> list[BoardToCheck]:
    """The boards ``-a boards=which`` names: ``due`` (boards on the schedule whose next check
    is due: never checked, or ``next_due_at`` passed; a board without ``every_seconds`` is due
    on every such run), ``all`` (every board on the schedule), or a comma-separated list of ids
    and addresses (removed boards too: named, they are checked). Oldest due first. Raises
    :class:`UnknownBoard` for a name the database does not hold."""
    table = table_of(Board)
    columns = (
        table.c.id,
        table.c.base_url,
        table.c.timezone,
        table.c.username_env,
        table.c.password_env,
    )
    spec = which.strip()
    with engine.connect() as connection:
        if spec in ("due", "all"):
            query = select(*columns).where(table.c.removed_at.is_(None))
            if spec == "due":
                now = now or datetime.now(UTC)
                query = query.where(or_(table.c.next_due_at.is_(None), table.c.next_due_at <= now))
            query = query.order_by(
                table.c.next_due_at.is_not(None), table.c.next_due_at, table.c.id
            )
            rows = connection.execute(query).all()
        else:
            names = [name.strip() for name in spec.split(",") if name.strip()]
            if not names:
                raise UnknownBoard("no board named: give due, all, or board ids or addresses")
            ids = list(dict.fromkeys(board_named(connection, name) for name in names))
            found = {
                row.id: row
                for row in connection.execute(select(*columns).where(table.c.id.in_(ids)))
            }
            rows = [found[board_id] for board_id in ids]
    return [BoardToCheck(*row) for row in rows]


def schedule_next(engine: Engine, board_id: int, checked_at: datetime) -> None:
    """A run checked the board at ``checked_at`` (its start): it is next due ``every_seconds``
    later (a board without a period stays due at every ``-a boards=due`` run)."""
    table = table_of(Board)
    with engine.begin() as connection:
        every = connection.execute(
            select(table.c.every_seconds).where(table.c.id == board_id)
        ).scalar()
        connection.execute(
            update(table)
            .where(table.c.id == board_id)
            .values(next_due_at=checked_at + timedelta(seconds=every) if every else None)
        )


def remove_board(engine: Engine, board_id: int) -> None:
    """Take the board off the schedule; everything archived of it stays."""
    table = table_of(Board)
    with engine.begin() as connection:
        connection.execute(
            update(table)
            .where(table.c.id == board_id)
            .values(removed_at=datetime.now(UTC), next_due_at=None)
        )


def purge_board(engine: Engine, board_id: int) -> dict[str, int]:
    """Delete the board and everything of it, in one transaction: the rows deleted per table.
    The caller holds the board's run lock (no crawl of it is writing meanwhile)."""
    deleted: dict[str, int] = {}
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "boards" and "board_id" in table.c:
                result = connection.execute(delete(table).where(table.c.board_id == board_id))
                deleted[table.name] = result.rowcount
        boards = table_of(Board)
        connection.execute(delete(boards).where(boards.c.id == board_id))
    return deleted


FAILURES_SHOWN = 20
"""How many of a board's latest runs ``boards list`` reads to count its failures in a row."""


@dataclass(frozen=True)
class BoardStatus:
    """A line of ``forumscraper boards list``."""

    id: int
    base_url: str
    title: str | None
    every_seconds: int | None
    next_due_at: datetime | None
    removed_at: datetime | None
    posts: int
    last_run_at: datetime | None
    last_status: str | None
    failures_in_a_row: int


def board_statuses(engine: Engine) -> list[BoardStatus]:
    """Every board with its schedule, its posts and how its latest runs went."""
    boards, runs, posts = table_of(Board), table_of(CrawlRun), table_of(Post)
    counts = (
        select(posts.c.board_id, func.count().label("posts")).group_by(posts.c.board_id).subquery()
    )
    query = (
        select(
            boards.c.id,
            boards.c.base_url,
            boards.c.title,
            boards.c.every_seconds,
            boards.c.next_due_at,
            boards.c.removed_at,
            func.coalesce(counts.c.posts, 0),
        )
        .outerjoin(counts, counts.c.board_id == boards.c.id)
        .order_by(boards.c.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
        history: dict[int, list[tuple[datetime, str]]] = {}
        recent = (
            select(runs.c.board_id, runs.c.started_at, runs.c.status)
            .where(runs.c.board_id.is_not(None), runs.c.status != "running")
            .order_by(runs.c.board_id, runs.c.id.desc())
        )
        for board_id, started_at, status in connection.execute(recent):
            kept = history.setdefault(board_id, [])
            if len(kept) < FAILURES_SHOWN:
                kept.append((started_at, status))
    statuses = []
    for row in rows:
        runs_of = history.get(row[0], [])
        failures = 0
        for _, status in runs_of:
            if status != "failed":
                break
            failures += 1
        last = runs_of[0] if runs_of else (None, None)
        statuses.append(BoardStatus(*row, last[0], last[1], failures))
    return statuses
