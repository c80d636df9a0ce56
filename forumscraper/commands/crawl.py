"""``scrapy crawl``: settings checked first, the demo forum when no forum is given, and an exit
status that says how the run went.

- Every ``FORUMSCRAPER_*`` setting, and the ``base_url`` spider argument, is read before anything
  else (``forumscraper.config``): a bad value prints one line naming the setting and exits with
  status 2, Scrapy's usage-error status.
- The database is checked before the crawl starts, before Scrapy logs anything: when it cannot
  be reached or written (a SQLite folder without write permission) the command prints one line
  and exits 1.
- With no forum address (neither ``-a base_url=…`` nor ``FORUMSCRAPER_BASE_URL``) the bundled
  demo forum is served on 127.0.0.1 for the length of the crawl, and crawled.
- ``forumscraper crawl forum|recent …`` (:func:`main`) is the same command from any folder: it
  needs no ``scrapy.cfg``, takes the same arguments and exits with the same status.
- Plain ``scrapy crawl`` exits 0 even when every request failed or the database was down, so
  cron and Kubernetes never see a failure: this command exits 1 unless the run's status
  (``forumscraper.runs``) is ``finished``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.project import get_project_settings
from twisted.internet.defer import Deferred

from forumscraper import config
from forumscraper.db.board import (
    BoardToCheck,
    UnknownBoard,
    board_url,
    boards_to_check,
    find_board,
)
from forumscraper.db.database import Database, DatabaseUnavailable, first_line
from forumscraper.db.runs import finish_run
from forumscraper.runs import RUN_ID_KEY, STATUS_KEY, SUMMARY_KEY, run_counts
from forumscraper.secrets import install_log_masking

if TYPE_CHECKING:
    from forumscraper.demo.server import FixtureForumServer

logger = logging.getLogger(__name__)

USAGE_ERROR = 2
"""Exit status of a command line or setting that cannot work (as Scrapy's own usage errors)."""


def bad_setting(exc: config.BadSetting) -> int:
    """Report a bad setting in one line; the exit status to use."""
    print(f"forumscraper: {exc}", file=sys.stderr)
    return USAGE_ERROR


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider; exit status 1 when the run did not finish, 2 on a bad setting"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        # Here, before Scrapy builds the crawler process and sets logging up from LOG_LEVEL.
        assert self.settings is not None
        spiders = get_spider_loader(self.settings).list()
        if len(args) != 1 or args[0] not in spiders:
            given = f"no spider {args[0]!r}; " if len(args) == 1 else ""
            raise UsageError(f"{given}give exactly one spider name: {' or '.join(sorted(spiders))}")
        for one in ("base_url", "board_url"):
            if "boards" in opts.spargs and opts.spargs.get(one):
                raise UsageError(f"give -a boards=… or -a {one}=…, not both")
        try:
            config.apply_environment(self.settings)
            config.check_settings(self.settings)
            if opts.spargs.get("base_url"):
                opts.spargs["base_url"] = config.forum_address("base_url", opts.spargs["base_url"])
            database = Database.from_settings(self.settings)
        except config.BadSetting as exc:
            raise SystemExit(bad_setting(exc)) from None
        install_log_masking()  # before the database check, whose errors might hold a password
        spec = opts.spargs.pop("boards", None)
        try:
            database.prepare()  # reachable, writable, its schema at head
            if spec is not None:
                self.boards = boards_to_check(database.engine, spec)
            elif config.new_boards_refused(self.settings):
                refuse_new_board(database, opts.spargs, self.settings)
        except DatabaseUnavailable as exc:
            print(f"forumscraper: {exc}", file=sys.stderr)
            raise SystemExit(1) from None
        except UnknownBoard as exc:
            given = "-a boards: " if spec is not None else ""
            print(f"forumscraper: {given}{exc.args[0]}", file=sys.stderr)
            raise SystemExit(USAGE_ERROR) from None
        finally:
            database.dispose()

    boards: list[BoardToCheck] | None = None
    """``-a boards=…``: the boards this run checks, one crawler each (else one board)."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        if self.boards is not None:
            self.exitcode = ManyBoards(self, args[0], opts.spargs, self.boards).run()
            return
        settings = self.crawler_process.settings
        demo = None
        if not opts.spargs.get("base_url") and not config.base_url(settings):
            demo = start_demo(config.demo_version(settings), config.demo_port(settings))
            opts.spargs["base_url"] = demo.base_url
            # One board in ``boards`` whatever free port the demo is served on.
            opts.spargs.setdefault("board_url", DEMO_BOARD_URL)
        try:
            crawler = self._create_crawler(args[0])
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            if demo is not None:
                demo.stop()
        stats = crawler._stats  # None when the crawl never started (Scrapy's documented way)
        status = stats.get_value(STATUS_KEY) if stats else None
        if stats and status is None and stats.get_value(RUN_ID_KEY) is not None:
            status = record_unclean_shutdown(settings, stats)
        summary = stats.get_value(SUMMARY_KEY) if stats else None
        if summary:  # on stdout whatever the outcome: the command's result, after the log
            print(f"forumscraper: {summary}", flush=True)
        if self.crawler_process.bootstrap_failed or status != "finished":
            self.exitcode = 1


def refuse_new_board(database: Database, spargs: dict[str, Any], settings: Any) -> None:
    """With ``FORUMSCRAPER_REFUSE_NEW_BOARDS``: the crawl's address must be in ``boards``."""
    address = spargs.get("board_url") or spargs.get("base_url") or config.base_url(settings)
    if address and find_board(database.engine, address) is None:
        raise UnknownBoard(
            f"not a registered board: {board_url(address)} (FORUMSCRAPER_REFUSE_NEW_BOARDS is "
            f"set; register it with: forumscraper boards add {board_url(address)})"
        )


class ManyBoards:
    """One process checking many boards: one crawler per board (its own spider, stats, run
    lock and ``crawl_runs`` row; Scrapy's downloader slots keep each board's politeness), at
    most ``FORUMSCRAPER_BOARDS_AT_ONCE`` at a time, in the order :func:`boards_to_check` gives.
    A board that is down or fails is recorded as failed in its own row and the others go on;
    the exit status is 1 when any board's run did not finish."""

    def __init__(
        self,
        command: Command,
        spider: str,
        spargs: dict[str, Any],
        boards: list[BoardToCheck],
    ) -> None:
        assert command.crawler_process is not None
        self.command = command
        self.process = command.crawler_process
        self.spider = spider
        self.spargs = spargs
        self.waiting = list(boards)
        self.started: list[BoardToCheck] = []
        self.stats: dict[int, Any] = {}
        """Each started board's Scrapy stats (its crawler is dropped once it finished)."""
        self.running: dict[int, Any] = {}
        """The crawlers not finished yet (after a second Ctrl-C, those cut short)."""
        self.stopping = False

    def run(self) -> int:
        if not self.waiting:
            print("forumscraper: no board is due", flush=True)
            return 0
        for _ in range(config.boards_at_once(self.process.settings)):
            self.start_next()
        self.process.start()
        return self.report()

    def start_next(self) -> None:
        if self.stopping or not self.waiting:
            return
        board = self.waiting.pop(0)
        crawler = self.command._create_crawler(self.spider)
        self.started.append(board)
        self.running[board.id] = crawler
        one = {"base_url": board.base_url, "many_boards": "1"}
        done = self.process.crawl(crawler, **(self.spargs | one))
        if isinstance(done, Deferred):  # Scrapy's CrawlerProcess (FORCE_CRAWLER_PROCESS)
            done.addBoth(self._then_next, board, crawler)
        else:
            asyncio.ensure_future(done).add_done_callback(lambda _: self.finished(board, crawler))

    def _then_next(self, result: Any, board: BoardToCheck, crawler: Any) -> Any:
        self.finished(board, crawler)
        return result

    def finished(self, board: BoardToCheck, crawler: Any) -> None:
        stats = crawler._stats
        self.stats[board.id] = stats
        self.running.pop(board.id, None)
        if stats is not None and stats.get_value("finish_reason") == "shutdown":
            self.stopping = True  # Ctrl-C or SIGTERM: no new board starts
        self.start_next()

    def report(self) -> int:
        settings = self.process.settings
        outcomes: dict[str, list[int]] = {}
        for board in self.started:
            cut_short = self.running.get(board.id)
            stats = self.stats.get(board.id) or (cut_short._stats if cut_short else None)
            status = stats.get_value(STATUS_KEY) if stats else None
            if stats and status is None and stats.get_value(RUN_ID_KEY) is not None:
                status = record_unclean_shutdown(settings, stats)
            summary = stats.get_value(SUMMARY_KEY) if stats else None
            line = summary or f"the crawl of {board.base_url} did not start"
            print(f"forumscraper: board {board.id} ({board.base_url}): {line}", flush=True)
            outcomes.setdefault(status or "failed", []).append(board.id)
        counts = ", ".join(f"{len(ids)} {status}" for status, ids in sorted(outcomes.items()))
        left = f"; {len(self.waiting)} not started (stopped)" if self.waiting else ""
        print(f"forumscraper: {len(self.started)} board(s) checked: {counts}{left}", flush=True)
        failed = set(outcomes) - {"finished"} or self.waiting or self.process.bootstrap_failed
        return 1 if failed else 0


def record_unclean_shutdown(settings: Any, stats: Any) -> str:
    """The crawl stopped without closing its spider (a second Ctrl-C: Scrapy's "forcing unclean
    shutdown"): record its run as ``interrupted`` if the database answers at once, rather than
    leave it ``running`` for the next run to mark ``abandoned``."""
    run_id = int(stats.get_value(RUN_ID_KEY))
    message = "stopped by a second Ctrl-C (unclean shutdown): the last batch may be missing"
    database = Database.from_settings(settings)
    try:
        finish_run(
            database.engine,
            run_id,
            status="interrupted",
            message=message,
            counts=run_counts(stats.get_stats()),
            stats=stats.get_stats(),
        )
    except Exception as exc:  # the next run marks it abandoned
        print(f"forumscraper: could not record run {run_id}: {first_line(exc)}", file=sys.stderr)
    finally:
        database.dispose()
    stats.set_value(SUMMARY_KEY, f"Run {run_id} interrupted. Why: {message}")
    return "interrupted"


DEMO_BOARD_URL = "http://demo.forumscraper.invalid/"
"""The address the bundled demo forum is registered under in ``boards`` (whatever port it got)."""


def start_demo(version: str, port: int) -> FixtureForumServer:
    """Serve the bundled demo forum on 127.0.0.1 (``forumscraper.demo.server.demo_server``: the
    same address and the same dates on every run) and return its server; a warning when
    ``port`` was taken, since links stored at that port will not answer at this one."""
    from forumscraper.demo.server import demo_server

    server = demo_server(version, port=port)
    logger.info(
        "No forum URL given (-a base_url=… or FORUMSCRAPER_BASE_URL): crawling the bundled "
        "demo forum (%s) at %s",
        version,
        server.base_url,
    )
    if port and server.port != port:
        logger.warning(
            "Port %d is taken, so the demo forum is served at %s: links stored by runs at "
            "another port do not answer; set FORUMSCRAPER_DEMO_PORT to a port nothing else uses",
            port,
            server.base_url,
        )
    return server


def main(argv: Sequence[str] | None = None) -> int:
    """``forumscraper crawl SPIDER [options]``: this command with the project's settings, run
    from any folder (no ``scrapy.cfg`` needed); the exit status of ``scrapy crawl``."""
    os.environ["SCRAPY_SETTINGS_MODULE"] = "forumscraper.settings"
    settings = get_project_settings()
    command = Command()
    parser = argparse.ArgumentParser(
        prog="forumscraper crawl",
        usage=f"forumscraper crawl {command.syntax()}",
        description=f"{command.short_desc()}. Spiders: forum (the whole board), recent (what "
        "changed since the last run). Same options as 'scrapy crawl', from any folder.",
    )
    settings.setdict(command.default_settings, priority="command")
    command.settings = settings
    command.add_options(parser)
    opts, args = parser.parse_known_args(list(sys.argv[1:] if argv is None else argv))
    try:
        command.process_options(args, opts)
        command.crawler_process = AsyncCrawlerProcess(settings)
        command.run(args, opts)
    except UsageError as exc:
        parser.error(str(exc))  # the usage and the reason, exit status 2
    return command.exitcode
