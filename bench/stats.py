"""A stats collector that also writes the run's stats as JSON (``STATS_CLASS`` of every crawl).

The benchmark runs each crawl in its own process; this is how the numbers come back. The file
is ``BENCH_STATS_PATH`` (nothing is written when it is unset).
"""

from __future__ import annotations

import json
import os
from typing import Any

from scrapy.statscollectors import MemoryStatsCollector


class JsonDumpStatsCollector(MemoryStatsCollector):
    """:class:`MemoryStatsCollector` that dumps its stats to ``BENCH_STATS_PATH`` at the end."""

    def _persist_stats(self, stats: dict[str, Any]) -> None:
        super()._persist_stats(stats)
        path = os.environ.get("BENCH_STATS_PATH")
        if path:
            with open(path, "w", encoding="utf-8") as out:
                json.dump(stats, out, default=str)
