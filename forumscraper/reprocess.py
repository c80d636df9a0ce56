"""``forumscraper reprocess``: recompute every post's derived columns from its stored HTML.

After the cleaning rules change (``forumscraper/text``), this brings ``body_text``, ``links``,
``hidden_link_count``, ``collapsed_repeats`` and ``content_hash`` up to date without crawling
again. ``body_html`` is never touched. Posts are read and written in batches (keyset paging on
the id, one transaction per batch), with a progress line, and the command reports how many
posts changed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any, TextIO

from sqlalchemy import Engine, bindparam, func, select, update

from forumscraper.db.config import database_url, describe
from forumscraper.db.database import first_line
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.models import Post, table_of
from forumscraper.text.clean import clean_post

DERIVED = ("body_text", "links", "hidden_link_count", "collapsed_repeats", "content_hash")


def reprocess(
    engine: Engine, *, batch_size: int = 500, progress: TextIO | None = None
) -> tuple[int, int]:
    """Recompute the derived columns of every post; return (posts seen, posts changed)."""
    posts = table_of(Post)
    with engine.connect() as connection:
        total = int(connection.execute(select(func.count()).select_from(posts)).scalar_one())
    seen = changed = 0
    last_id: int | None = None
    started = time.monotonic()
    statement = (
        update(posts)
        .where(posts.c.id == bindparam("b_id"))
        .values({name: bindparam(f"b_{name}") for name in DERIVED})
    )
    while True:
        query = select(posts.c.id, posts.c.body_html, posts.c.url, *(posts.c[n] for n in DERIVED))
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
                if any(new[name] != getattr(row, name) for name in DERIVED):
                    updates.append({"b_id": row.id} | {f"b_{k}": v for k, v in new.items()})
            if updates:
                connection.execute(statement, updates)
        seen += len(rows)
        changed += len(updates)
        last_id = rows[-1].id
        if progress is not None:
            _progress(progress, seen, total, changed, time.monotonic() - started)
    if progress is not None and total:
        progress.write("\n")
    return seen, changed


def _progress(out: TextIO, seen: int, total: int, changed: int, elapsed: float) -> None:
    width = 30
    done = int(width * seen / total) if total else width
    rate = seen / elapsed if elapsed > 0 else 0.0
    out.write(
        f"\r[{'#' * done}{'.' * (width - done)}] {seen}/{total} posts, "
        f"{changed} changed, {rate:,.0f} posts/s"
    )
    out.flush()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="forumscraper reprocess",
        description="Recompute clean text, links and hashes of every post from body_html.",
    )
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the SQLite file")
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args(argv)
    url = database_url(args.database_url)
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
        seen, changed = reprocess(engine, batch_size=args.batch_size, progress=sys.stderr)
    except Exception as exc:
        print(f"forumscraper reprocess: {describe(url)}: {first_line(exc)}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"Reprocessed {seen} posts in {describe(url)}: {changed} changed.")
    return 0
