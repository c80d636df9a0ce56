"""Running the project's commands as people do, in subprocesses: the environment they get, and
what they left in the database."""

from __future__ import annotations

import os
import random
import socket
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import Post

SHARED_MACHINE = pytest.mark.xdist_group("shared-machine")
"""For test files whose commands use what the machine has only one of, so that the test
workers (pytest-xdist, ``--dist loadgroup``) run them one at a time: the demo board's default
port (:data:`forumscraper.demo.server.DEMO_PORT`, which a crawl given no forum takes) and the
checkout's ``build/`` folder (a wheel, an egg)."""


def quiet_port() -> int:
    """A free port on 127.0.0.1 that the system does not hand out to other sockets (below its
    ephemeral range when there is room): one a test can expect to find free again a few seconds
    later, unlike 8000, which CI once found taken between two runs of the demo."""
    low = 32768
    ranges = Path("/proc/sys/net/ipv4/ip_local_port_range")
    if ranges.exists():
        low = int(ranges.read_text().split()[0])
    candidates = list(range(10000, low)) if low > 10100 else list(range(1024, 65536))
    random.shuffle(candidates)  # two workers asking at once get different ports
    for port in candidates[:200]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port found on 127.0.0.1")


def environment(**ours: str) -> dict[str, str]:
    """This process's environment without any ``FORUMSCRAPER_*``, ``DATABASE_URL*`` or
    ``SCRAPY_*`` variable, plus ``ours``: a command sees only what the test gives it."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("FORUMSCRAPER_", "DATABASE_URL", "SCRAPY_"))
    }
    return kept | ours


def stored_posts(url: str) -> int:
    """How many posts the database at ``url`` holds."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(Post)).scalar_one())
    finally:
        engine.dispose()
