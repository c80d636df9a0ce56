"""The database layer alone: store the posts of a crawl again, timed, into a fresh PostgreSQL.

    python -m bench.sink --source sqlite:///crawl.sqlite3 --target postgresql+psycopg://… \
        --method upsert|copy [--batch 500] --json result.json

Both methods read the same rows (the posts a ``forum`` crawl stored in ``--source``) before the
clock starts, into a database migrated to head with its topics already stored, so the rows land
in the same table with the same indexes and constraints. ``upsert`` is
:meth:`forumscraper.db.store.Store.write` batch after batch, one transaction each (what the
store pipeline does, without Scrapy); ``copy`` is psycopg 3 ``COPY … FROM STDIN`` (binary) of
the same columns in one transaction, the fastest way PostgreSQL takes rows.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import Engine, select

from forumscraper.db.board import register_board
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.models import Category, Forum, Post, Topic, table_of
from forumscraper.db.store import (
    CATEGORY_FIELDS,
    FORUM_FIELDS,
    POST_FIELDS,
    TOPIC_FIELDS,
    Batch,
    Store,
)

_STAMPS = ("first_seen_at", "last_seen_at", "deleted_at")
BENCH_BOARD = "http://bench.invalid/"


def read_rows(engine: Engine, model: type[Any], fields: Sequence[str]) -> list[dict[str, Any]]:
    table = table_of(model)
    with engine.connect() as connection:
        result = connection.execute(
            select(*(table.c[name] for name in fields)).order_by(table.c.id)
        )
        return [dict(row._mapping) for row in result]


def prepare(source: Engine, target: Engine) -> list[dict[str, Any]]:
    """Migrate ``target``, store the categories, forums and topics of ``source`` in it, and
    return the posts of ``source`` (not stored)."""
    upgrade_to_head(target)
    Store(target, bench_board(target)).write(
        Batch(
            categories=read_rows(source, Category, CATEGORY_FIELDS),
            forums=read_rows(source, Forum, FORUM_FIELDS),
            topics=read_rows(source, Topic, TOPIC_FIELDS),
        )
    )
    return read_rows(source, Post, POST_FIELDS)


def bench_board(target: Engine) -> int:
    """The board the rows are stored as (registered by the first call)."""
    return register_board(target, BENCH_BOARD)[0]


def write_upserts(target: Engine, posts: list[dict[str, Any]], batch: int) -> None:
    store = Store(target, bench_board(target))
    for start in range(0, len(posts), batch):
        store.write(Batch(posts=posts[start : start + batch]))


def write_copy(target: Engine, posts: list[dict[str, Any]]) -> None:
    columns = ["board_id", *POST_FIELDS, *_STAMPS]
    board_id = bench_board(target)
    now = datetime.now(UTC)
    url = target.url
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database
    ) as connection:
        types: dict[str, int] = dict(
            connection.execute(
                "SELECT attname, atttypid FROM pg_attribute "
                "WHERE attrelid = 'posts'::regclass AND attnum > 0"
            ).fetchall()
        )
        names = ", ".join(columns)
        statement = f"COPY posts ({names}) FROM STDIN (FORMAT BINARY)"
        links = POST_FIELDS.index("links")
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types([types[name] for name in columns])
            for row in posts:
                values = [row[name] for name in POST_FIELDS]
                values[links] = Jsonb(row["links"])
                copy.write_row([board_id, *values, now, now, None])
        connection.commit()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time the database layer alone.")
    parser.add_argument("--source", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--method", choices=("upsert", "copy"), required=True)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--json", required=True)
    args = parser.parse_args(argv)
    source, target = make_engine(args.source), make_engine(args.target)
    posts = prepare(source, target)
    source.dispose()
    cpu, started = time.process_time(), time.perf_counter()
    if args.method == "upsert":
        write_upserts(target, posts, args.batch)
    else:
        write_copy(target, posts)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    target.dispose()
    with open(args.json, "w", encoding="utf-8") as out:
        json.dump({"rows": len(posts), "seconds": seconds, "cpu": cpu}, out)


if __name__ == "__main__":
    main()
