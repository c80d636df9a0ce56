"""``forumscraper dedup``: find the near-duplicate articles of the whole archive.

Signs every article that has no signature yet (on every board) and recomputes every group from
the stored signatures (``forumscraper.db.near_duplicates.rebuild``): what a crawl's own step
does for its board, plus the splits an incremental update never makes. It holds the whole
database's run lock, like ``forumscraper reprocess``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from forumscraper.db.config import database_url, describe
from forumscraper.db.database import first_line
from forumscraper.db.engine import make_engine
from forumscraper.db.lock import LOCKED_MESSAGE, RunLock
from forumscraper.db.migrate import upgrade_to_head


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="forumscraper dedup",
        description="Group the near-duplicate articles of every board (MinHash LSH); the "
        "view near_duplicate_articles shows them.",
    )
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the SQLite file")
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error(f"--batch-size {args.batch_size}: must be 1 or more")
    from forumscraper.db import near_duplicates

    url = database_url(args.database_url)
    engine = make_engine(url)
    lock = RunLock(engine)
    try:
        upgrade_to_head(engine)
        if not lock.acquire():
            print(f"forumscraper dedup: {LOCKED_MESSAGE}", file=sys.stderr)
            return 1
        counts = near_duplicates.rebuild(engine, batch_size=args.batch_size)
    except Exception as exc:
        print(f"forumscraper dedup: {describe(url)}: {first_line(exc)}", file=sys.stderr)
        return 1
    finally:
        lock.release()
        engine.dispose()
    print(
        f"Near-duplicate articles in {describe(url)}: {counts.signed} articles signed, "
        f"{counts.removed} signatures of changed texts removed, {counts.pairs} pairs, "
        f"{counts.grouped} articles in groups ({counts.seconds:.1f} s)."
    )
    return 0
