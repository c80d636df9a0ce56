"""Many boards, one process (issue 17): a board-check in ``recent -a boards=all`` against a
single-board ``recent`` process.

One benchmark server (:mod:`bench.server` ``--hosts N``) serves a small board on 127.0.0.2 …
127.0.0.(N+1), each address a board of its own in one PostgreSQL database (``boards add``).
``scrapy crawl forum -a boards=all`` fills them (measured too), then, on the unchanged boards:

- ``fleet single-board``: ``scrapy crawl recent -a base_url=…``, one process per board, for a
  sample of the boards (every process costs the same: Python, Scrapy and the database opened for
  one board), each measured on its own;
- ``fleet one process``: ``scrapy crawl recent -a boards=all``, every board in one process.

The targets: the one process spends ≥ 10 x less CPU per board-check, and the boards one machine
keeps fresh every 15 minutes, from that CPU per check and this machine's cores, is ≥ 1,000.
Every board's run must be ``finished`` with no new post (checked in ``crawl_runs``), else the
measurement is marked failed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from forumscraper.db.board import BoardSettings, add_board
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.models import CrawlRun, table_of

if TYPE_CHECKING:
    from bench.run import Bench, ForumServer, Run

FLEET_TOPICS = 20
"""Topics of each board: a small board (4 forums, 20 topic pages, 300 posts)."""
FLEET_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "0",
    "TELNETCONSOLE_ENABLED": "0",
    "LOG_LEVEL": "INFO",
}
"""Politeness delays off (robots.txt still read: a real check reads it)."""
FRESH_SECONDS = 15 * 60
SINGLE = "fleet single-board recent"
MANY = "fleet one process recent"
FILL = "fleet forum -a boards=all"


def run_fleet(bench: Bench, boards: int, singles: int) -> None:
    """The measurement (see the module); its runs are added to ``bench.runs``."""
    from bench.run import ForumServer, log

    url = bench.postgres.fresh_database("fleet")
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
        with ForumServer(FLEET_TOPICS, bench.workdir, hosts=boards) as server:
            port = server.info["port"]
            addresses = [f"http://{host}:{port}/" for host in server.info["hosts"]]
            for address in addresses:
                add_board(engine, address, BoardSettings())
            log(f"fleet: {len(addresses)} boards on 127.0.0.2 … in one database")
            fill = _crawl(bench, server, FILL, 1, "forum", ["-a", "boards=all"], url)
            fill.extra["boards"] = len(addresses)
            _check(engine, fill, len(addresses), since=0)
            for number, address in enumerate(addresses[:singles], start=1):
                args = ["-a", f"base_url={address}"]
                run = _crawl(bench, server, SINGLE, number, "recent", args, url)
                run.extra["boards"] = 1
            first = _last_run_id(engine)
            many = _crawl(bench, server, MANY, 1, "recent", ["-a", "boards=all"], url)
            many.extra["boards"] = len(addresses)
            _check(engine, many, len(addresses), since=first)
    finally:
        engine.dispose()
        bench.postgres.drop_database(url)


def _crawl(
    bench: Bench,
    server: ForumServer,
    variant: str,
    round_: int,
    spider: str,
    args: list[str],
    url: str,
) -> Run:
    from bench.procs import run_measured
    from bench.run import ROOT, child_env, scrapy_command

    command = [*scrapy_command(), "crawl", spider, *args]
    for name, value in FLEET_SETTINGS.items():
        command += ["-s", f"{name}={value}"]
    tag = f"{variant.replace(' ', '_').replace('=', '_')}-{round_}"
    command += ["--logfile", str(bench.workdir / f"{tag}.log")]
    measured = run_measured(
        command,
        env=child_env(DATABASE_URL=url),
        cwd=ROOT,
        log=bench.workdir / f"{tag}.out",
        timeout=1800,
        server_pid=server.pid,
    )
    run = bench._run(variant, round_, measured)
    return bench._keep(run)


def _last_run_id(engine: Any) -> int:
    runs = table_of(CrawlRun)
    with engine.connect() as connection:
        return int(connection.execute(select(func.max(runs.c.id))).scalar() or 0)


def _check(engine: Any, run: Run, boards: int, since: int) -> None:
    """The runs the process recorded: one per board, every one ``finished``."""
    runs = table_of(CrawlRun)
    with engine.connect() as connection:
        rows = connection.execute(
            select(runs.c.status, runs.c.requests, runs.c.new_posts).where(runs.c.id > since)
        ).all()
    finished = sum(1 for row in rows if row.status == "finished")
    run.extra["finished"] = finished
    run.extra["requests"] = sum(row.requests for row in rows)
    run.extra["new_posts"] = sum(row.new_posts for row in rows)
    if finished != boards or len(rows) != boards:
        run.extra["errors"] = boards - finished
        run.returncode = run.returncode or 1


def per_check(group: list[Run], attribute: str) -> float | None:
    """CPU or wall seconds per board-check over a group of runs."""
    checks = sum(int(run.extra.get("boards", 1)) for run in group)
    total = sum(float(getattr(run, attribute)) for run in group)
    return total / checks if checks else None


def describe(name: str, group: list[Run]) -> str:
    """The table's note for a fleet row."""
    cpu, wall = per_check(group, "cpu"), per_check(group, "wall")
    if cpu is None or wall is None:
        return ""
    checks = sum(int(run.extra.get("boards", 1)) for run in group)
    requests = sum(int(run.extra.get("requests", 0)) for run in group)
    shown = f"{checks} board-checks: {cpu * 1000:.0f} ms CPU, {wall:.2f} s wall each"
    if requests:
        shown += f"; {requests / checks:.1f} requests each"
    return shown


def fleet_targets(
    by_variant: dict[str, list[Run]],
    add: Callable[[str, float | None, Callable[[float], bool], str], None],
) -> None:
    """The targets of the many-boards measurement, added through ``add`` (see ``bench.run``)."""
    single, many = by_variant.get(SINGLE), by_variant.get(MANY)
    if not single or not many:
        return
    single_cpu, many_cpu = per_check(single, "cpu"), per_check(many, "cpu")
    ratio = single_cpu / many_cpu if single_cpu and many_cpu else None
    add(
        "one process, many boards: CPU per board-check ≥ 10 x less than a process per board",
        ratio,
        lambda v: v >= 10,
        f"{ratio:.1f} x ({(single_cpu or 0) * 1000:.0f} → {(many_cpu or 0) * 1000:.0f} ms)"
        if ratio
        else "",
    )
    cores = os.cpu_count() or 1
    fresh = cores * FRESH_SECONDS / many_cpu if many_cpu else None
    add(
        f"boards kept fresh every 15 min by this machine's {cores} cores (aim ≥ 1,000)",
        fresh,
        lambda v: v >= 1000,
        f"{fresh:,.0f} boards (CPU-bound estimate)" if fresh else "",
    )


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.fleet [--boards 200] [--singles 40]``: this measurement alone."""
    import argparse

    from bench.run import Bench, Config, markdown, summarize, workdir

    parser = argparse.ArgumentParser(prog="python -m bench.fleet", description=__doc__)
    parser.add_argument("--boards", type=int, default=Config.fleet_boards)
    parser.add_argument("--singles", type=int, default=Config.fleet_singles)
    parser.add_argument("--keep", action="store_true", help="keep logs")
    args = parser.parse_args(argv)
    config = Config(fleet_boards=args.boards, fleet_singles=args.singles, keep=args.keep)
    with workdir(config.keep) as folder:
        bench = Bench(config, folder)
        bench.postgres.start()
        try:
            run_fleet(bench, config.fleet_boards, config.fleet_singles)
        finally:
            bench.postgres.stop()
        table, found = summarize(bench.runs, config)
        mine = [target for target in found if target["shown"] != "not measured"]
        print(markdown(table, mine))


if __name__ == "__main__":
    main()
