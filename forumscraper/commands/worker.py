"""``forumscraper worker``: crawl the boards of a PostgreSQL database on their schedule, from as
many machines as there are workers pointed at it.

    forumscraper worker [--concurrency N] [--database-url URL] [-s NAME=VALUE …]

The jobs and their schedule live in the database (``forumscraper.queue``): every worker looks
for due boards, takes jobs, and runs each crawl in a child process. SIGTERM or Ctrl-C stops the
worker cleanly: its crawls finish their batch, record their run ``interrupted`` and are enqueued
again. SQLite is refused: one machine crawls a SQLite file with ``scrapy crawl`` from cron.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

from forumscraper import config
from forumscraper.db.config import database_url, describe
from forumscraper.db.database import first_line
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.queue import prepare_queue
from forumscraper.queue import QueueSettings, Worker
from forumscraper.secrets import install_log_masking

PROG = "forumscraper worker"
USAGE_ERROR = 2
SQLITE_REFUSED = (
    f"{PROG}: the queue needs PostgreSQL (DATABASE_URL=postgresql://…); with SQLite schedule "
    "'scrapy crawl recent -a boards=due' from cron (README: Many boards from one crontab line)"
)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    main.add_argument("--database-url", help="default: DATABASE_URL")
    main.add_argument(
        "--concurrency", type=int, default=2, metavar="N", help="crawls at a time (default: 2)"
    )
    main.add_argument(
        "-s",
        dest="crawl_settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting of every crawl (as scrapy crawl -s)",
    )
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.concurrency < 1:
        print(f"{PROG}: --concurrency {args.concurrency}: at least 1", file=sys.stderr)
        return USAGE_ERROR
    if any("=" not in value for value in args.crawl_settings):
        print(f"{PROG}: -s takes NAME=VALUE", file=sys.stderr)
        return USAGE_ERROR
    try:
        settings = config.environment_settings()
        config.check_settings(settings)
        queue_settings = QueueSettings.read(settings)
    except config.BadSetting as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return USAGE_ERROR
    url = database_url(args.database_url)
    if url.get_backend_name() != "postgresql":
        print(SQLITE_REFUSED, file=sys.stderr)
        return USAGE_ERROR
    install_log_masking()
    logging.basicConfig(
        level=config.log_level(settings),
        format="%(asctime)s [%(name)s] %(levelname)s: %(message)s",
    )
    engine = make_engine(url)
    try:
        try:
            if config.db_migrate(settings):
                upgrade_to_head(engine)
            prepare_queue(engine)
        except Exception as exc:
            print(f"{PROG}: {describe(url)}: {first_line(exc)}", file=sys.stderr)
            return 1
        environment = dict(os.environ)
        if args.database_url:  # the crawls use the same database
            environment["DATABASE_URL"] = url.render_as_string(hide_password=False)
        worker = Worker(
            url=url,
            engine=engine,
            settings=queue_settings,
            concurrency=args.concurrency,
            crawl_options=[option for value in args.crawl_settings for option in ("-s", value)],
            child_environment=environment,
        )
        return asyncio.run(worker.run())
    finally:
        engine.dispose()
