"""What the database already holds about a board's topics: what incremental crawls compare
against. Every read is limited to one board (``board_id``, a ``boards`` row).

A topic is *unfinished* when its stored rows do not match its watermark: never stored
completely (``last_crawled_at`` is NULL), or some of its posts were stored after its last
completion (``posts.last_seen_at`` later than ``topics.last_crawled_at``: a later visit stored
pages of it, then one of its pages failed). The next run fetches those whatever the listings
say (:func:`unfinished_topics`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy import Engine, exists, func, or_, select, update
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.sql.elements import ColumnElement

from forumscraper.db.models import Board, CrawlRun, Forum, Post, Topic, table_of
from forumscraper.db.store import stat_key
from forumscraper.text.dates import board_timezone

RECENT_GAP_KEY = "forumscraper/recent/gap"
"""Stat of a ``recent`` run whose listings did not reach back to the board's last covered run:
the seconds left uncovered (see :func:`last_covered_start`)."""
NO_COVERED_RUN_KEY = "forumscraper/recent/no_covered_run"
"""Stat (1) of a ``recent`` run of a board that had no covered run: its listings had nothing to
reach back to, so they prove nothing about the older topics (see :func:`last_covered_start`)."""


INCOMPLETE_TOPICS_KEY = "forumscraper/fetch/incomplete_topics"
"""Stat of a run that left topics incomplete (a page failed after others of the topic were
stored): the runs after it look for those topics (:func:`unfinished_topics`)."""
LOST_TOPICS_KEY = "forumscraper/fetch/lost_topics"
"""Stat of a run with topics whose pages never all arrived (see ``spiders.topics``)."""


DELETED_POSTS_KEY = stat_key("deleted_posts")
"""Stat: posts a run marked deleted (they vanished from their topic's pages)."""
MOVED_POSTS_KEY = "forumscraper/incremental/posts_in_other_topics"
"""Stat: topics a run read whose posts the archive holds under another topic (split off into
a new topic): their old topic lost them, as if they were deleted (see
:func:`run_with_vanished_posts`)."""
FULL_RUN_KEY = "forumscraper/run/full"
"""Stat (1) of a run with ``-a full=1``."""
LISTS_TO_THE_END_KEY = "forumscraper/incremental/no_covered_run"
"""Stat (1) of a ``forum`` run of a board that had no covered run: every forum's list was
paged to its end."""
VANISHED_POSTS_KEY = "forumscraper/incremental/lists_read_for_vanished_posts"
"""Stat (1) of a ``forum`` run that read every forum's list to its end because posts had
vanished from a stored topic (see :func:`run_with_vanished_posts`)."""
TOPICS_GONE_KEY = "forumscraper/incremental/lists_read_for_topics_gone"
"""Stat of a ``forum`` run: the ids of the forums whose row counted fewer topics than stored,
whose lists it reads to their end to ask for the stored topics they no longer show (see
:func:`forums_left_to_check`)."""
LIVE_TOPICS_KEY = "forumscraper/archive/live_topics"
"""Stat of a finished ``forum`` run: the live topics the archive held in each forum at its end
(forum id as text: count), from which the next run tells what other runs changed since (see
:func:`topics_changed_since_forum_run`)."""
LISTS_READ_WHOLE_KEYS = (FULL_RUN_KEY, LISTS_TO_THE_END_KEY, VANISHED_POSTS_KEY)
"""Stats of a ``forum`` run that read every forum's topic list to its end."""

COVERING_SPIDERS = ("forum", "recent")
"""The spiders whose finished runs leave the board's rows up to date (a spider added later
counts only once it is known to)."""


@dataclass(frozen=True)
class StoredTopic:
    """A topic's watermark and how many of its posts are stored."""

    last_post_at: datetime | None
    reply_count: int | None
    stored_posts: int
    """Posts stored and not marked deleted."""
    complete: bool
    """Whether all its pages were stored at least once (``last_crawled_at`` is set)."""
    moved_to_id: int | None = None
    """Set when the topic's address redirects to another topic (moved or merged)."""
    forum_id: int | None = None
    """The forum it is stored in."""
    last_poster_name: str | None = None
    """Who wrote its last post, as its listing printed it when it was last completed."""
    newest_post_id: int | None = None
    """The highest id of its posts stored and not marked deleted."""


def stored_topics(
    engine: Engine, board_id: int, topic_ids: Iterable[int]
) -> dict[int, StoredTopic]:
    """The stored state of the given topics; topics never stored, and deleted ones, are
    absent (moved ones are there, with ``moved_to_id``)."""
    ids = sorted(set(topic_ids))
    if not ids:
        return {}
    topics, posts = table_of(Topic), table_of(Post)
    counts = (
        select(posts.c.topic_id, func.count().label("n"), func.max(posts.c.id).label("newest"))
        .where(
            posts.c.board_id == board_id, posts.c.topic_id.in_(ids), posts.c.deleted_at.is_(None)
        )
        .group_by(posts.c.topic_id)
        .subquery()
    )
    query = (
        select(
            topics.c.id,
            topics.c.last_post_at,
            topics.c.reply_count,
            topics.c.last_crawled_at,
            func.coalesce(counts.c.n, 0),
            topics.c.moved_to_id,
            topics.c.forum_id,
            topics.c.last_poster_name,
            counts.c.newest,
        )
        .select_from(topics.outerjoin(counts, counts.c.topic_id == topics.c.id))
        .where(
            topics.c.board_id == board_id,
            topics.c.id.in_(ids),
            or_(topics.c.deleted_at.is_(None), topics.c.moved_to_id.is_not(None)),
        )
    )
    with engine.connect() as connection:
        return {
            row[0]: StoredTopic(
                last_post_at=row[1],
                reply_count=row[2],
                stored_posts=int(row[4]),
                complete=row[3] is not None,
                moved_to_id=row[5],
                forum_id=row[6],
                last_poster_name=row[7],
                newest_post_id=row[8],
            )
            for row in connection.execute(query)
        }


def newest_post_id(engine: Engine, board_id: int) -> int | None:
    """The highest post id the archive holds of the board (``None``: none). Forumotion numbers
    posts in posting order: a post at or below it that is not stored under the topic showing
    it was stored under another one, or never. Also ``None`` when the schema is not there yet:
    the first run creates it."""
    posts = table_of(Post)
    query = select(func.max(posts.c.id)).where(posts.c.board_id == board_id)
    try:
        with engine.connect() as connection:
            newest: int | None = connection.execute(query).scalar()
    except (ProgrammingError, OperationalError):
        return None
    return newest


def posts_elsewhere(
    engine: Engine, board_id: int, topic_id: int, post_ids: Iterable[int]
) -> dict[int, int]:
    """Of ``post_ids``, the live posts stored under another topic than ``topic_id``, with that
    topic's id."""
    posts = table_of(Post)
    query = select(posts.c.id, posts.c.topic_id).where(
        posts.c.board_id == board_id,
        posts.c.id.in_(sorted(set(post_ids))),
        posts.c.topic_id != topic_id,
        posts.c.deleted_at.is_(None),
    )
    with engine.connect() as connection:
        return {row[0]: row[1] for row in connection.execute(query)}


def live_forums(engine: Engine, board_id: int) -> dict[int, str | None]:
    """The forums stored and not marked deleted, with their URL."""
    forums = table_of(Forum)
    query = select(forums.c.id, forums.c.url).where(
        forums.c.board_id == board_id, forums.c.deleted_at.is_(None)
    )
    with engine.connect() as connection:
        return {row.id: row.url for row in connection.execute(query)}


def forum_topic_counts(engine: Engine, board_id: int) -> dict[int, int]:
    """The topic count stored for each live forum that has one: what its row (on the index,
    or on its parent's page) showed the last run that read it."""
    forums = table_of(Forum)
    query = select(forums.c.id, forums.c.topic_count).where(
        forums.c.board_id == board_id,
        forums.c.deleted_at.is_(None),
        forums.c.topic_count.is_not(None),
    )
    try:
        with engine.connect() as connection:
            return {row.id: row.topic_count for row in connection.execute(query)}
    except (ProgrammingError, OperationalError):  # no schema yet (the crawl creates it)
        return {}


def live_topic_counts(engine: Engine, board_id: int) -> dict[int, int]:
    """How many live topics the archive holds in each forum (shadow rows of moved topics left
    out). A finished ``forum`` run records them at its end (:data:`LIVE_TOPICS_KEY`)."""
    topics = table_of(Topic)
    query = (
        select(topics.c.forum_id, func.count())
        .where(
            topics.c.board_id == board_id,
            topics.c.forum_id.is_not(None),
            topics.c.deleted_at.is_(None),
            or_(topics.c.topic_type.is_(None), topics.c.topic_type != "moved"),
        )
        .group_by(topics.c.forum_id)
    )
    with engine.connect() as connection:
        return {int(forum): int(count) for forum, count in connection.execute(query)}


def topics_changed_since_forum_run(engine: Engine, board_id: int) -> dict[int, int]:
    """How many live topics each forum has gained in the archive (negative: lost) since the
    board's last ``forum`` run ended: what other runs stored, a ``recent`` run's new topics and
    the topics it found moved (after a reply) into another forum. That run stored each forum's
    row count (:func:`forum_topic_counts`); the row counts these changes now, and the next
    ``forum`` run's pages do not show them arriving. Empty unless that run finished and
    recorded the archive's counts at its end (:func:`live_topic_counts`): a run that failed or
    was killed may have read a row that counts a topic it did not store."""
    runs = table_of(CrawlRun)
    query = (
        select(runs.c.status, runs.c.stats[LIVE_TOPICS_KEY].label("then"))
        .where(runs.c.board_id == board_id, runs.c.spider == "forum", runs.c.status != "running")
        .order_by(runs.c.started_at.desc())
        .limit(1)
    )
    try:
        with engine.connect() as connection:
            last = connection.execute(query).one_or_none()
        if last is None or last.status != "finished" or not isinstance(last.then, dict):
            return {}
        now = live_topic_counts(engine, board_id)
    except (ProgrammingError, OperationalError):  # no schema yet (the crawl creates it)
        return {}
    then = {int(forum): int(count) for forum, count in last.then.items()}
    changes = {forum: now.get(forum, 0) - then.get(forum, 0) for forum in now.keys() | then}
    return {forum: change for forum, change in changes.items() if change}


def live_topic_ids(engine: Engine, board_id: int, forum_id: int) -> set[int]:
    """Ids of the topics stored in a forum and not marked deleted."""
    topics = table_of(Topic)
    query = select(topics.c.id).where(
        topics.c.board_id == board_id,
        topics.c.forum_id == forum_id,
        topics.c.deleted_at.is_(None),
    )
    with engine.connect() as connection:
        return set(connection.execute(query).scalars())


def unfinished_topics(
    engine: Engine, board_id: int, forum_id: int | None = None
) -> list[tuple[int, str | None]]:
    """Topics stored but not stored completely (a page failed, the run was killed), with
    their URL: the next run fetches them whatever the listings say. ``forum_id``: only those.

    That is every topic never completed, and, when a run since the board's last covered run
    left topics incomplete (:data:`INCOMPLETE_TOPICS_KEY`, :data:`LOST_TOPICS_KEY`), every
    topic with a live post stored after its last completion. Only then are posts compared:
    their ``last_seen_at`` is not indexed, and an unchanged board must stay cheap to check."""
    topics, posts = table_of(Topic), table_of(Post)
    never = topics.c.last_crawled_at.is_(None)
    condition: ColumnElement[bool] = never
    if _runs_left_topics_incomplete(engine, board_id):
        stored_since = (
            exists()
            .where(
                posts.c.board_id == topics.c.board_id,
                posts.c.topic_id == topics.c.id,
                posts.c.deleted_at.is_(None),
                posts.c.last_seen_at > topics.c.last_crawled_at,
            )
            .correlate(topics)
        )
        condition = or_(never, stored_since)
    query = select(topics.c.id, topics.c.url).where(
        topics.c.board_id == board_id,
        condition,
        topics.c.deleted_at.is_(None),
    )
    if forum_id is not None:
        query = query.where(topics.c.forum_id == forum_id)
    with engine.connect() as connection:
        return [(row[0], row[1]) for row in connection.execute(query.order_by(topics.c.id))]


def _runs_left_topics_incomplete(engine: Engine, board_id: int) -> bool:
    """Whether a run of the board that started with or after its last covered run (any run,
    with none) left topics incomplete: the last covered run itself may have (a page that
    answers 404 does not fail a run)."""
    runs = table_of(CrawlRun)
    left = or_(
        runs.c.stats[INCOMPLETE_TOPICS_KEY].as_float() > 0,
        runs.c.stats[LOST_TOPICS_KEY].as_float() > 0,
    )
    query = select(runs.c.id).where(runs.c.board_id == board_id, left)
    since = last_covered_start(engine, board_id)
    if since is not None:
        query = query.where(runs.c.started_at >= since)
    try:
        with engine.connect() as connection:
            return connection.execute(query.limit(1)).first() is not None
    except (ProgrammingError, OperationalError):  # no schema yet (the crawl creates it)
        return False


def reopen_topics(engine: Engine, board_id: int, since: datetime) -> int:
    """Topics with posts stored since ``since`` lose their completion (``last_crawled_at``), so
    the next run reads them whole again: a run stopped on dates read on a wrong clock stored
    them with those dates. Returns how many."""
    topics, posts = table_of(Topic), table_of(Post)
    stored = (
        select(posts.c.topic_id)
        .where(posts.c.board_id == board_id, posts.c.last_seen_at >= since)
        .distinct()
    )
    with engine.begin() as connection:
        result = connection.execute(
            update(topics)
            .where(topics.c.board_id == board_id, topics.c.id.in_(stored))
            .values(last_crawled_at=None)
        )
    return int(result.rowcount or 0)


def stored_positions(
    engine: Engine, board_id: int, topic_id: int, post_ids: Iterable[int], position: int
) -> list[tuple[int, int | None]]:
    """The live posts of a topic that are one of ``post_ids`` or stored at ``position``, as
    (id, position): what a later page of the topic is checked against
    (``spiders.visits.misplaced_posts``)."""
    posts = table_of(Post)
    query = select(posts.c.id, posts.c.position).where(
        posts.c.board_id == board_id,
        posts.c.topic_id == topic_id,
        posts.c.deleted_at.is_(None),
        or_(posts.c.id.in_(sorted(set(post_ids))), posts.c.position == position),
    )
    with engine.connect() as connection:
        return [(row[0], row[1]) for row in connection.execute(query)]


def recorded_timezone(engine: Engine, board_id: int) -> tzinfo | None:
    """The board timezone an earlier run recorded in ``boards`` (``None``: none readable).

    Also ``None`` when the schema is not there yet: the first run creates it."""
    table = table_of(Board)
    try:
        with engine.connect() as connection:
            name = connection.execute(
                select(table.c.timezone).where(table.c.id == board_id)
            ).scalar()
    except (ProgrammingError, OperationalError):  # no schema yet (the crawl creates it)
        return None
    if not name:
        return None
    try:
        return board_timezone(str(name))
    except ValueError:
        return None


def board_login_names(engine: Engine, board_id: int) -> tuple[str, str] | None:
    """The names of the variables holding the board's member login (``forumscraper boards add
    --username-env/--password-env``), or ``None`` when its row names none."""
    table = table_of(Board)
    with engine.connect() as connection:
        row = connection.execute(
            select(table.c.username_env, table.c.password_env).where(table.c.id == board_id)
        ).first()
    if row is None or not row.username_env or not row.password_env:
        return None
    return str(row.username_env), str(row.password_env)


def last_covered_start(engine: Engine, board_id: int) -> datetime | None:
    """When the board's last *covered* run started: every change made before then is stored.

    That is the newest ``finished`` run of the board, of either spider, that left no gap: a
    ``forum`` run (with no covered run before it, it pages every forum's list to its end; with
    one, until a page holds no changed topic and reaches back before that run, so whatever
    changed before it started is stored) or a ``recent`` run whose listings reached back to the
    covered run before it (neither a :data:`RECENT_GAP_KEY` nor a :data:`NO_COVERED_RUN_KEY`
    stat: a ``recent`` run with nothing to reach back to proves nothing). A run that failed,
    was interrupted or abandoned proves nothing (a page may have failed, a topic may have kept
    its old watermark), nor does a ``recent`` run with a gap. ``None``: no such run (the
    board's first run, or a database made before ``crawl_runs``)."""
    return max(last_covered_starts(engine, board_id).values(), default=None)


def last_covered_starts(engine: Engine, board_id: int) -> dict[str, datetime]:
    """:func:`last_covered_start` of each covering spider that has a covered run of the board,
    by the spider's name, in one query."""
    runs = table_of(CrawlRun)
    query = (
        select(runs.c.spider, func.max(runs.c.started_at))
        .where(
            runs.c.board_id == board_id,
            runs.c.spider.in_(COVERING_SPIDERS),
            runs.c.status == "finished",
            runs.c.stats[RECENT_GAP_KEY].as_float().is_(None),
            runs.c.stats[NO_COVERED_RUN_KEY].as_float().is_(None),
        )
        .group_by(runs.c.spider)
    )
    try:
        with engine.connect() as connection:
            return {str(spider): started for spider, started in connection.execute(query)}
    except (ProgrammingError, OperationalError):  # no schema yet (the crawl creates it)
        return {}


def forums_left_to_check(engine: Engine, board_id: int, since: datetime | None) -> set[int]:
    """The forums that ``forum`` runs of the board started at or after ``since`` (``None``:
    ever) found counting fewer topics than stored (:data:`TOPICS_GONE_KEY`) and did not finish
    with: such a run stored the forums' new counts but may not have asked for their lost
    topics, so the next ``forum`` run does."""
    runs = table_of(CrawlRun)
    query = select(runs.c.stats[TOPICS_GONE_KEY]).where(
        runs.c.board_id == board_id,
        runs.c.spider == "forum",
        runs.c.status != "finished",
        runs.c.stats[TOPICS_GONE_KEY].is_not(None),
    )
    if since is not None:
        query = query.where(runs.c.started_at >= since)
    try:
        with engine.connect() as connection:
            found = connection.execute(query).scalars().all()
    except (ProgrammingError, OperationalError):  # no schema yet (the crawl creates it)
        return set()
    return {int(forum_id) for ids in found if isinstance(ids, list) for forum_id in ids}


def run_with_vanished_posts(engine: Engine, board_id: int, since: datetime | None) -> int | None:
    """The id of the newest run of the board started at or after ``since`` (``None``: ever) that
    marked posts deleted or found posts under another topic than stored, leaving out ``forum``
    runs that read every topic list to its end; ``None`` if there is none.

    A post that vanished from its topic was deleted, or split into a new topic (posts keep their
    ids and dates, so the new topic is listed as far down as its last post is old): only a list
    read to its end finds that topic, and its posts then take their new place. ``forum`` runs
    that read every list (:data:`LISTS_READ_WHOLE_KEYS`) found it if it was there."""
    runs = table_of(CrawlRun)
    read_whole = [runs.c.stats[key].as_float().is_not(None) for key in LISTS_READ_WHOLE_KEYS]
    conditions = [
        runs.c.board_id == board_id,
        or_(
            runs.c.stats[DELETED_POSTS_KEY].as_float() > 0,
            runs.c.stats[MOVED_POSTS_KEY].as_float() > 0,
        ),
        ~((runs.c.spider == "forum") & or_(*read_whole)),
    ]
    if since is not None:
        conditions.append(runs.c.started_at >= since)
    query = select(runs.c.id).where(*conditions).order_by(runs.c.id.desc()).limit(1)
    with engine.connect() as connection:
        found: int | None = connection.execute(query).scalar()
    return found


def _live_topics_later(board_id: int, since: datetime) -> list[ColumnElement[bool]]:
    """Where the board's live topics (neither deleted nor merged away) have their stored last
    post later than ``since``."""
    topics = table_of(Topic)
    return [
        topics.c.board_id == board_id,
        topics.c.last_post_at > since,
        topics.c.deleted_at.is_(None),
        topics.c.moved_to_id.is_(None),
    ]


def _utc(moment: datetime) -> datetime:
    """A datetime read back from the database (SQLite gives it naive) in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def topics_later_than(
    engine: Engine, board_id: int, since: datetime, limit: int
) -> list[tuple[int, datetime]]:
    """Up to ``limit`` live topics (neither deleted nor merged away) whose stored last post is
    later than ``since``, newest first, as (id, last post in UTC): what a listing ordered by
    last post whose oldest entry is ``since`` must show, unless their last post was deleted
    (``spiders.recent`` checks the "Recent topics" widget with them)."""
    topics = table_of(Topic)
    query = (
        select(topics.c.id, topics.c.last_post_at)
        .where(*_live_topics_later(board_id, since))
        .order_by(topics.c.last_post_at.desc(), topics.c.id)
        .limit(limit)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [(row[0], _utc(row[1])) for row in rows]


def later_unlisted_topic(
    engine: Engine, board_id: int, forum_id: int, since: datetime, listed: Sequence[int]
) -> tuple[int, datetime] | None:
    """A live normal topic of the forum, none of ``listed``, whose stored last post is later
    than ``since``, as (id, last post in UTC); ``None`` if there is none. A list ordered by
    last post whose pages read so far (``listed``) reach back to ``since`` would have shown it,
    unless it left the forum since it was stored (``spiders.forum`` checks the order with it)."""
    topics = table_of(Topic)
    query = (
        select(topics.c.id, topics.c.last_post_at)
        .where(
            *_live_topics_later(board_id, since),
            topics.c.forum_id == forum_id,
            topics.c.topic_type == "normal",
            topics.c.id.not_in(sorted(set(listed))),
        )
        .order_by(topics.c.last_post_at.desc(), topics.c.id)
        .limit(1)
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else (row[0], _utc(row[1]))
