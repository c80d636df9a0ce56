"""Near-duplicate groups in the database: signatures stored once, bands looked up, groups merged.

:func:`update` brings the tables up to date after a crawl (for the crawl's board, called by
the crawl-run recorder when a run closes) or for every board (``forumscraper dedup``):

1. the signature of an article whose text changed (its ``content_hash`` is no longer the
   post's) or that is no longer an article is removed, with its bands and its group row;
2. every live article without a signature gets one, with its LSH bands, in batches (keyset
   paging on (``board_id``, ``id``), one transaction per batch): old posts are never
   recomputed;
3. the posts sharing a band with a batch's articles, on any board, are its candidates; their
   texts (copies of one text, one ``content_hash``, are one text) are compared on their
   signatures, and on their words when the signatures are not sure; each article is paired
   with one copy of every text it is a near-duplicate of, and the groups of each pair's posts
   are merged (a group is named by its smallest (``board_id``, ``post_id``)).

:func:`rebuild` recomputes every group from the stored signatures (after an edit split a
group, or the threshold changed): incremental updates only merge groups, never split them.

Two boards' crawls may close at once, and a pair is looked up only once: by the batch that
signs the later of its two articles (old posts are never signed again). So every transaction
of :func:`update` (the stale signatures' removal, and each batch: reading its unsigned
articles, storing their signatures and bands, looking up candidates, merging groups) is
serialised. On PostgreSQL each takes a transaction-level advisory lock before its first read,
held until it commits; its statements, read committed (PostgreSQL's default), each see what
the batches before it committed. On SQLite the database's write lock does it: a batch's first
write (its signatures) waits for the other writer's commit, and its lookups come after. Either
way the batches run one after the other, and for any two near-duplicate articles sharing a
band, the batch that signs the second sees the first's bands (or signs both): the pair is
found, as when the crawls close one after the other. Groups are only ever merged, so every pair
found stays in one group.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
)

from forumscraper import dedup
from forumscraper.db.models import (
    ArticleBand,
    ArticleSignature,
    NearDuplicate,
    Post,
    Topic,
    table_of,
)

SIGNATURES = table_of(ArticleSignature)
BANDS = table_of(ArticleBand)
GROUPS = table_of(NearDuplicate)
POSTS = table_of(Post)
TOPICS = table_of(Topic)

Key = tuple[int, int]
"""(``board_id``, ``post_id``)."""

_LOCK_ID = 20_006
"""The PostgreSQL advisory lock that serialises the transactions writing signatures, bands and
groups (issue 20, item 6)."""
_CHUNK = 500
"""Values per ``IN (…)`` list (SQLite allows 32,766 bound values, older builds 999)."""


@dataclass
class Counts:
    """What :func:`update` or :func:`rebuild` did."""

    signed: int = 0
    """Articles given a signature (new, or their text changed); long posts whose own text is
    short (a quoted article and a line) get an empty one, not counted."""
    removed: int = 0
    """Signatures removed: the text changed or is no longer an article."""
    pairs: int = 0
    """Near-duplicate pairs found: each new article with one copy of each text it matches."""
    grouped: int = 0
    """Articles in a group, after the run (every board)."""
    seconds: float = 0.0


def update(
    engine: Engine,
    board_id: int | None = None,
    *,
    batch_size: int = 500,
    limit: int | None = None,
) -> Counts:
    """Sign the articles of board ``board_id`` (every board: ``None``) that have no signature,
    and merge the groups of the near-duplicates found (see the module docstring). With
    ``limit``, stop after the batch that reached that many articles (the rest, oldest first
    signed, are left for the next call: a crawl's step stays short and small whatever the
    board's size)."""
    started = time.perf_counter()
    counts = Counts()
    with engine.begin() as connection:
        _lock(connection)
        counts.removed = _remove_stale(connection, board_id)
    last: Key | None = None
    while limit is None or counts.signed < limit:
        with engine.begin() as connection:
            # before anything is read: the batch's lookups see every batch signed before it
            _lock(connection)
            rows = _unsigned(connection, board_id, last, batch_size)
            if not rows:
                break
            last = (rows[-1].board_id, rows[-1].id)
            texts = {
                (row.board_id, row.id): row.body_text
                for row in rows
                if dedup.is_article(row.body_text)
            }
            signatures = {key: dedup.signature(body) for key, body in texts.items()}
            _store(connection, rows, signatures)
            pairs = _pairs(connection, signatures, texts)
            counts.signed += len(signatures)
            counts.pairs += len(pairs)
            if pairs:
                _merge(connection, pairs)
    with engine.connect() as connection:
        counts.grouped = int(
            connection.execute(select(func.count()).select_from(GROUPS)).scalar_one()
        )
    counts.seconds = time.perf_counter() - started
    return counts


def rebuild(engine: Engine, *, batch_size: int = 500) -> Counts:
    """Bring every board's signatures up to date, then recompute every group from them."""
    counts = update(engine, None, batch_size=batch_size)
    started = time.perf_counter()
    edges: set[tuple[Key, Key]] = set()
    last: Key | None = None
    with engine.connect() as connection:
        while True:
            query = select(SIGNATURES.c.board_id, SIGNATURES.c.post_id, SIGNATURES.c.signature)
            if last is not None:
                query = query.where(
                    tuple_(SIGNATURES.c.board_id, SIGNATURES.c.post_id) > tuple_(*last)
                )
            rows = connection.execute(
                query.order_by(SIGNATURES.c.board_id, SIGNATURES.c.post_id).limit(batch_size)
            ).all()
            if not rows:
                break
            last = (rows[-1].board_id, rows[-1].post_id)
            edges.update(
                _pairs(
                    connection,
                    {
                        (r.board_id, r.post_id): dedup.from_bytes(r.signature)
                        for r in rows
                        if r.signature
                    },
                    {},
                )
            )
    groups = _components(edges, {})
    now = datetime.now(UTC)
    with engine.begin() as connection:
        _lock(connection)
        connection.execute(delete(GROUPS))
        _insert_groups(connection, groups, {}, now)
    counts.pairs = len(edges)
    counts.grouped = len(groups)
    counts.seconds += time.perf_counter() - started
    return counts


# -- the steps ---------------------------------------------------------------------------------


def _board_filter(column: Column[int], board_id: int | None) -> list[ColumnElement[bool]]:
    return [] if board_id is None else [column == board_id]


def _remove_stale(connection: Connection, board_id: int | None) -> int:
    """Drop the signatures (bands, group rows) of texts that changed or are no longer
    articles."""
    stale = [
        (row.board_id, row.post_id)
        for row in connection.execute(
            select(SIGNATURES.c.board_id, SIGNATURES.c.post_id)
            .join(
                POSTS,
                and_(POSTS.c.board_id == SIGNATURES.c.board_id, POSTS.c.id == SIGNATURES.c.post_id),
            )
            .where(
                or_(
                    POSTS.c.content_hash != SIGNATURES.c.content_hash,
                    func.length(POSTS.c.body_text) < dedup.MIN_ARTICLE_CHARS,
                ),
                *_board_filter(SIGNATURES.c.board_id, board_id),
            )
        )
    ]
    for chunk in _chunks(stale):
        for table in (GROUPS, BANDS, SIGNATURES):
            connection.execute(
                delete(table).where(tuple_(table.c.board_id, table.c.post_id).in_(chunk))
            )
    return len(stale)


def _unsigned(
    connection: Connection, board_id: int | None, last: Key | None, limit: int
) -> Sequence:
    """The next ``limit`` live articles without a signature, in (``board_id``, ``id``) order."""
    query = (
        select(POSTS.c.board_id, POSTS.c.id, POSTS.c.body_text, POSTS.c.content_hash)
        .join(TOPICS, and_(TOPICS.c.board_id == POSTS.c.board_id, TOPICS.c.id == POSTS.c.topic_id))
        .outerjoin(
            SIGNATURES,
            and_(SIGNATURES.c.board_id == POSTS.c.board_id, SIGNATURES.c.post_id == POSTS.c.id),
        )
        .where(
            SIGNATURES.c.post_id.is_(None),
            POSTS.c.deleted_at.is_(None),
            TOPICS.c.deleted_at.is_(None),
            func.length(POSTS.c.body_text) >= dedup.MIN_ARTICLE_CHARS,
            *_board_filter(POSTS.c.board_id, board_id),
        )
    )
    if last is not None:
        query = query.where(tuple_(POSTS.c.board_id, POSTS.c.id) > tuple_(*last))
    return connection.execute(query.order_by(POSTS.c.board_id, POSTS.c.id).limit(limit)).all()


def _store(connection: Connection, rows: Sequence, signatures: dict[Key, np.ndarray]) -> None:
    now = datetime.now(UTC)
    connection.execute(
        insert(SIGNATURES),
        [
            {
                "board_id": row.board_id,
                "post_id": row.id,
                "content_hash": row.content_hash,
                # empty: checked, and no article (its own text, quotes left out, is short)
                "signature": (
                    dedup.to_bytes(signatures[(row.board_id, row.id)])
                    if (row.board_id, row.id) in signatures
                    else b""
                ),
                "computed_at": now,
            }
            for row in rows
        ],
    )
    if not signatures:
        return
    connection.execute(
        insert(BANDS),
        [
            {"band": band, "bucket": bucket, "board_id": key[0], "post_id": key[1]}
            for key, values in signatures.items()
            for band, bucket in dedup.band_keys(values)
        ],
    )


def _pairs(
    connection: Connection, signatures: dict[Key, np.ndarray], texts: dict[Key, str]
) -> set[tuple[Key, Key]]:
    """The pairs to merge (smaller key first) for the articles of ``signatures``: each with one
    copy of every text it is a near-duplicate of, among the stored articles sharing one of its
    bands. Two texts are near-duplicates when their signatures agree on at least
    ``dedup.SURE_ABOVE`` of their values, or on ``dedup.CANDIDATE_FLOOR`` and the exact
    similarity of their words is at least ``dedup.THRESHOLD`` (``texts``: those known already).

    Copies of one text (one ``content_hash``: the same article on many boards) are one text
    here: compared once, and an article is paired with one copy, the smallest key outside
    ``signatures`` (else the smallest), which every copy is paired with too. The groups are the
    same as with every copy paired with every other (the copies of a text are always in one
    group), and an article's comparisons and pairs no longer grow with the number of its copies
    (its band rows still do: one per copy)."""
    bands = _band_rows(connection, signatures)
    text_of: dict[Key, str] = {}
    copies: dict[str, list[Key]] = {}
    near: dict[Key, set[str]] = {key: set() for key in signatures}
    for bucket_keys, other, content_hash in bands:
        if other not in text_of:
            text_of[other] = content_hash
            copies.setdefault(content_hash, []).append(other)
        for key in bucket_keys:
            if key != other:
                near[key].add(content_hash)
    if not any(near.values()):
        return set()
    anchor = {
        content_hash: min((key for key in keys if key not in signatures), default=min(keys))
        for content_hash, keys in copies.items()
    }
    is_near = _text_verdicts(
        connection,
        {
            _text_pair(text_of[key], near_text)
            for key, texts_ in near.items()
            for near_text in texts_
        },
        copies,
        signatures,
        texts,
    )
    pairs: set[tuple[Key, Key]] = set()
    for key, near_texts in near.items():
        for near_text in near_texts:
            partner = anchor[near_text]
            if partner != key and is_near[_text_pair(text_of[key], near_text)]:
                pairs.add((min(key, partner), max(key, partner)))
    return pairs


def _band_rows(
    connection: Connection, signatures: dict[Key, np.ndarray]
) -> Iterator[tuple[list[Key], Key, str]]:
    """For every stored article sharing a band with the articles of ``signatures`` (these
    included): the articles it shares that band with, its key and its content hash."""
    by_band: dict[int, dict[int, list[Key]]] = {}
    for key, values in signatures.items():
        for band, bucket in dedup.band_keys(values):
            by_band.setdefault(band, {}).setdefault(bucket, []).append(key)
    for band, buckets in by_band.items():
        for chunk in _chunks(list(buckets)):
            for row in connection.execute(
                select(BANDS.c.bucket, BANDS.c.board_id, BANDS.c.post_id, SIGNATURES.c.content_hash)
                .join(
                    SIGNATURES,
                    and_(
                        SIGNATURES.c.board_id == BANDS.c.board_id,
                        SIGNATURES.c.post_id == BANDS.c.post_id,
                    ),
                )
                .where(BANDS.c.band == band, BANDS.c.bucket.in_(chunk))
            ):
                yield buckets[row.bucket], (row.board_id, row.post_id), row.content_hash


def _text_verdicts(
    connection: Connection,
    candidates: set[tuple[str, str]],
    copies: dict[str, list[Key]],
    signatures: dict[Key, np.ndarray],
    texts: dict[Key, str],
) -> dict[tuple[str, str], bool]:
    """Whether each pair of texts (content hashes) is a pair of near-duplicates, each text read
    from one of its copies: the signature, then (between the floor and the sure mark) the
    words."""
    one = {
        content_hash: next((key for key in keys if key in signatures), keys[0])
        for content_hash, keys in copies.items()
    }
    known = {key: signatures[key] for key in one.values() if key in signatures}
    for chunk in _chunks(sorted(set(one.values()) - set(known))):
        for row in connection.execute(
            select(SIGNATURES.c.board_id, SIGNATURES.c.post_id, SIGNATURES.c.signature).where(
                tuple_(SIGNATURES.c.board_id, SIGNATURES.c.post_id).in_(chunk)
            )
        ):
            known[(row.board_id, row.post_id)] = dedup.from_bytes(row.signature)
    verdicts: dict[tuple[str, str], bool] = {}
    unsure: list[tuple[str, str]] = []
    for pair in candidates:
        estimate = dedup.similarity(known[one[pair[0]]], known[one[pair[1]]])
        verdicts[pair] = estimate >= dedup.SURE_ABOVE
        if dedup.CANDIDATE_FLOOR <= estimate < dedup.SURE_ABOVE:
            unsure.append(pair)
    wanted = {one[content_hash] for pair in unsure for content_hash in pair}
    body = {key: text for key, text in texts.items() if key in wanted}
    for chunk in _chunks(sorted(wanted - set(body))):
        for row in connection.execute(
            select(POSTS.c.board_id, POSTS.c.id, POSTS.c.body_text).where(
                tuple_(POSTS.c.board_id, POSTS.c.id).in_(chunk)
            )
        ):
            body[(row.board_id, row.id)] = row.body_text
    words = {key: dedup.shingles(text) for key, text in body.items()}
    for first, second in unsure:
        a, b = one[first], one[second]
        verdicts[(first, second)] = (
            a in words and b in words and dedup.jaccard(words[a], words[b]) >= dedup.THRESHOLD
        )
    return verdicts


def _text_pair(first: str, second: str) -> tuple[str, str]:
    return (first, second) if first <= second else (second, first)


def _lock(connection: Connection) -> None:
    """On PostgreSQL, wait for the other transactions writing signatures, bands or groups to
    end, and keep them waiting until this one ends (SQLite: its write lock does it)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})


def _merge(connection: Connection, pairs: set[tuple[Key, Key]]) -> None:
    """Merge the groups of each pair's posts, and the pairs' posts into them.

    Only the pairs' posts are read: a post already in a group stands for its group (its name),
    two groups that meet are merged by renaming the one with the larger name (one ``UPDATE``,
    whatever its size), and posts in no group yet are inserted. A batch therefore costs the
    same with a group of three posts as with one of thousands."""
    nodes = sorted({key for pair in pairs for key in pair})
    group_of: dict[Key, Key] = {}
    for chunk in _chunks(nodes):
        for row in connection.execute(
            select(
                GROUPS.c.board_id, GROUPS.c.post_id, GROUPS.c.group_board_id, GROUPS.c.group_post_id
            ).where(tuple_(GROUPS.c.board_id, GROUPS.c.post_id).in_(chunk))
        ):
            group_of[(row.board_id, row.post_id)] = (row.group_board_id, row.group_post_id)
    label = {node: group_of.get(node, node) for node in nodes}
    root = _components(((label[a], label[b]) for a, b in pairs), {})
    for name in sorted(set(group_of.values())):
        if root[name] != name:
            connection.execute(
                GROUPS.update()
                .where(GROUPS.c.group_board_id == name[0], GROUPS.c.group_post_id == name[1])
                .values(group_board_id=root[name][0], group_post_id=root[name][1])
            )
    _insert_groups(
        connection,
        {node: root[label[node]] for node in nodes if node not in group_of},
        {},
        datetime.now(UTC),
    )


def _components(edges: Iterable[tuple[Key, Key]], group_of: dict[Key, Key]) -> dict[Key, Key]:
    """Each post of ``edges`` (and of ``group_of``) with the smallest key of its connected
    component (union-find). A group's name may be a post no longer in it (its text changed):
    it stays a valid name, and the smallest key wins in any merge."""
    parent: dict[Key, Key] = {}

    def find(key: Key) -> Key:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for a, b in edges:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    for key in group_of:
        find(key)
    return {key: find(key) for key in list(parent)}


def _insert_groups(
    connection: Connection, members: dict[Key, Key], found: dict[Key, datetime], now: datetime
) -> None:
    """Insert a group row per member that has a signature (a group's name may not)."""
    rows = [
        {
            "board_id": key[0],
            "post_id": key[1],
            "group_board_id": group[0],
            "group_post_id": group[1],
            "found_at": found.get(key, now),
        }
        for key, group in sorted(members.items())
    ]
    signed: set[Key] = set()
    for chunk in _chunks([(row["board_id"], row["post_id"]) for row in rows]):
        signed.update(
            (row.board_id, row.post_id)
            for row in connection.execute(
                select(SIGNATURES.c.board_id, SIGNATURES.c.post_id).where(
                    tuple_(SIGNATURES.c.board_id, SIGNATURES.c.post_id).in_(chunk)
                )
            )
        )
    rows = [row for row in rows if (row["board_id"], row["post_id"]) in signed]
    if rows:
        connection.execute(insert(GROUPS), rows)


def _chunks(values: list) -> Iterator[list]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
