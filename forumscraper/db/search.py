"""Full-text search of the archive, the same question on PostgreSQL and on SQLite.

PostgreSQL matches ``posts.search`` (a ``tsvector``, migration 0002) against
``websearch_to_tsquery('simple', words)`` and ranks with ``ts_rank``; SQLite matches the FTS5
index ``posts_fts`` (migration 0009) and ranks with ``bm25``, the title weighing more than the
text on both. What people type is read the same way on both: words (all of them must be in the
post or its topic's title), ``"an exact phrase"``, ``or`` between two words, ``-word`` to
exclude; :func:`fts5_query` writes that in FTS5's syntax. Only live posts are searched (neither
the post nor its topic deleted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, bindparam, text

from forumscraper.db.models import UTCDateTime

MARK_START, MARK_END = "\x02", "\x03"
"""What surrounds a matching word in :attr:`Match.extract` (the caller shows it as it likes)."""

TITLE_WEIGHT = 2.0
"""bm25 weight of the topic title against the text's 1.0 (PostgreSQL: weight A against B)."""


class BadSearch(ValueError):
    """Search words that cannot make a query; the message says why."""


@dataclass(frozen=True)
class Match:
    """One post found."""

    board_id: int
    board_title: str | None
    post_id: int
    topic_title: str | None
    forum_title: str | None
    author_name: str | None
    posted_at: datetime | None
    extract: str
    """Part of the text around the matching words, each between :data:`MARK_START` and
    :data:`MARK_END`."""
    url: str | None


@dataclass(frozen=True)
class Filters:
    """What narrows a search besides its words (``None``: no restriction)."""

    author: str | None = None
    since: datetime | None = None
    forum_id: int | None = None
    forum_title: str | None = None
    board_id: int | None = None


_TOKENS = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _phrase(words: str) -> str | None:
    """``words`` as one FTS5 string (a phrase of its tokens); ``None`` when it holds no word."""
    if not re.search(r"\w", words):
        return None
    return '"' + words.replace('"', '""') + '"'


def fts5_query(words: str) -> str:
    """What PostgreSQL's ``websearch_to_tsquery`` reads in ``words``, as an FTS5 query.

    Every term is an FTS5 string, so punctuation and FTS5's own keywords are only text. Terms
    are all required; ``or`` between two terms makes either enough; ``-term`` excludes. FTS5 has
    no query that only excludes: at least one term must be wanted (:class:`BadSearch`)."""
    groups: list[list[str]] = []  # AND of ORs
    excluded: list[str] = []
    pending_or = False
    for match in _TOKENS.finditer(words):
        minus, quoted, bare = match.groups()
        if bare is not None:
            if bare.lower() == "or" and groups:
                pending_or = True
                continue
            minus = "-" if bare.startswith("-") and len(bare) > 1 else ""
            quoted = bare[1:] if minus else bare
        term = _phrase(quoted)
        if term is None:
            continue
        if minus:
            excluded.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    if not groups:
        raise BadSearch(
            "no word to look for" if not excluded else "only excluded words: say what to find too"
        )
    query = " AND ".join(
        group[0] if len(group) == 1 else "(" + " OR ".join(group) + ")" for group in groups
    )
    for term in excluded:
        query = f"({query}) NOT {term}"
    return query


def _where(filters: Filters) -> str:
    conditions = ["p.deleted_at IS NULL", "t.deleted_at IS NULL"]
    if filters.author is not None:
        conditions.append("p.author_name = :author")
    if filters.since is not None:
        conditions.append("p.posted_at >= :since")
    if filters.forum_id is not None:
        conditions.append("t.forum_id = :forum_id")
    if filters.forum_title is not None:
        conditions.append("lower(f.title) = lower(:forum_title)")
    if filters.board_id is not None:
        conditions.append("p.board_id = :board_id")
    return " AND ".join(conditions)


_COLUMNS = """
    p.board_id, b.title AS board_title, p.id AS post_id, t.title AS topic_title,
    f.title AS forum_title, p.author_name, p.posted_at,
    coalesce(p.url, t.url || '#' || p.id) AS url"""
_JOINS = """
    JOIN topics AS t ON t.board_id = p.board_id AND t.id = p.topic_id
    JOIN boards AS b ON b.id = p.board_id
    LEFT JOIN forums AS f ON f.board_id = t.board_id AND f.id = t.forum_id"""

POSTGRESQL = f"""
SELECT {_COLUMNS},
    ts_headline('simple', p.body_text, q,
        'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxFragments=2, MaxWords=18,
         MinWords=6, FragmentDelimiter=" … "') AS extract
FROM posts AS p
CROSS JOIN websearch_to_tsquery('simple', :words) AS q
{_JOINS}
WHERE p.search @@ q AND {{where}}
ORDER BY ts_rank(p.search, q) DESC, p.posted_at DESC, p.board_id, p.id
LIMIT :limit
"""

SQLITE = f"""
SELECT {_COLUMNS},
    snippet(posts_fts, 1, '{MARK_START}', '{MARK_END}', '…', 16) AS extract
FROM posts_fts
JOIN posts AS p ON p.rowid = posts_fts.rowid
{_JOINS}
WHERE posts_fts MATCH :words AND {{where}}
ORDER BY bm25(posts_fts, {TITLE_WEIGHT}, 1.0), p.posted_at DESC, p.board_id, p.id
LIMIT :limit
"""


def search(engine: Engine, words: str, filters: Filters, limit: int = 10) -> list[Match]:
    """The ``limit`` posts that best match ``words`` (best first), within ``filters``."""
    postgres = engine.dialect.name == "postgresql"
    query = fts5_query(words)  # also checks the words on PostgreSQL: the same input is refused
    statement = text((POSTGRESQL if postgres else SQLITE).format(where=_where(filters)))
    if filters.since is not None:
        statement = statement.bindparams(bindparam("since", type_=UTCDateTime()))
    values = {
        "words": words if postgres else query,
        "limit": limit,
        "author": filters.author,
        "since": filters.since,
        "forum_id": filters.forum_id,
        "forum_title": filters.forum_title,
        "board_id": filters.board_id,
    }
    with engine.connect() as connection:
        rows = connection.execute(statement.columns(posted_at=UTCDateTime()), values).all()
    return [
        Match(
            board_id=row.board_id,
            board_title=row.board_title,
            post_id=row.post_id,
            topic_title=row.topic_title,
            forum_title=row.forum_title,
            author_name=row.author_name,
            posted_at=row.posted_at,
            extract=row.extract or "",
            url=row.url,
        )
        for row in rows
    ]
