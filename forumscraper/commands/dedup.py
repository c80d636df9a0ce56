"""``forumscraper dedup``: find the near-duplicate articles of the whole archive.

Signs every article that has no signature yet (on every board) and recomputes every group from
the stored signatures (``forumscraper.db.near_duplicates.rebuild``): what a crawl's own step
does for its board, plus the splits an incremental update never makes. It holds the whole
database's run lock, like ``forumscraper reprocess``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from forumscraper.commands.common import rework_archive
from forumscraper.db.config import describe

if TYPE_CHECKING:
    from forumscraper.db.near_duplicates import Counts

PROG = "forumscraper dedup"


def main(argv: Sequence[str] | None = None) -> int:
    status, url, counts = rework_archive(
        PROG,
        "Group the near-duplicate articles of every board (MinHash LSH); the view "
        "near_duplicate_articles shows them.",
        argv,
        _rebuild,
    )
    if url is None or counts is None:
        return status
    print(
        f"Near-duplicate articles in {describe(url)}: {counts.signed} articles signed, "
        f"{counts.removed} signatures of changed texts removed, {counts.pairs} pairs, "
        f"{counts.grouped} articles in groups ({counts.seconds:.1f} s)."
    )
    return 0


def _rebuild(engine: Engine, batch_size: int) -> Counts:
    from forumscraper.db import near_duplicates  # numpy and datasketch: loaded for this only

    return near_duplicates.rebuild(engine, batch_size=batch_size)
