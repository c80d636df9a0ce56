"""The benchmark of issue 8: forumscraper against plain Scrapy and plain psycopg, one table.

    python -m bench [--rounds 3] [--topics 3000] [--quick] [--json bench.json]

One invocation starts everything it measures against, because only ratios taken in the same
run mean anything on a shared machine:

1. a benchmark forum (:mod:`bench.fixture`: ``--topics`` topic pages of about 60 KB, 15 posts
   each) pre-rendered and served from memory on 127.0.0.1 by its own process
   (:mod:`bench.server`), whose CPU share is reported; and a PostgreSQL server
   (``tests/pgserver.py``) with a fresh database for every run that writes;
2. ``--rounds`` rounds of, back to back, each in its own process (CPU seconds and peak RSS are
   that process's): ``fetch`` (bare Scrapy downloading the same pages), ``extract`` (a minimal
   CSS-selector spider yielding posts, no pipeline), ``ours → SQLite`` and
   ``ours → PostgreSQL`` (the real ``scrapy crawl forum``, every pipeline, politeness off),
   then the database layer alone: ``sink upsert`` (``Store.write`` in batches) against
   ``sink COPY`` (psycopg 3 binary COPY of the same rows into an empty table);
3. ``recent`` on the unchanged forum, then after 100 posts added to 20 topics (per round);
4. peak RSS of ``ours → PostgreSQL`` on forums of 20,000 and 100,000 posts, one crawl of each
   per round (the growth ratio is taken from the medians, the 300 MB bound from the largest);
5. ``clean_post`` alone on one core (:mod:`bench.bench_clean`);
6. after each memory crawl, ``forumscraper export posts`` of its archive as JSON lines and as
   Parquet (peak RSS: it streams, so the 100,000-post export should stay within 20 % of the
   20,000-post one);
7. near-duplicate articles on a labelled set (:mod:`bench.near_duplicates`): precision and
   recall at the chosen threshold, and the cost of the crawl's step per new post.

It prints one table (median of the rounds, min-max in brackets) and the targets of the issue,
pass or miss, and writes both as JSON with every raw measurement. Rates are over Scrapy's
``elapsed_time_seconds`` (spider opened → closed, the final database flush included); CPU
seconds and peak RSS are the whole process's. Not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.crawl import CRAWL_SETTINGS
from bench.fixture import LISTING_TARGETS
from bench.fleet import describe as fleet_describe
from bench.fleet import fleet_targets, run_fleet
from bench.pg import BenchPostgres
from bench.procs import Measured, run_measured
from forumscraper.spiders.recent import COVERAGE_MARGIN

ROOT = Path(__file__).resolve().parent.parent
"""The project folder (``scrapy.cfg``): ``scrapy crawl`` runs there."""
POSTS_PER_TOPIC = 15
CRAWL_TIMEOUT = 1800.0


@dataclass(frozen=True)
class Config:
    topics: int = 3000
    rounds: int = 3
    memory_posts: tuple[int, int] = (20_000, 100_000)
    recent_topics: int = 20
    recent_posts: int = 100
    clean_topics: int = 300
    batch_size: int = 500
    fleet_boards: int = 200
    """Boards of the many-boards measurement (:mod:`bench.fleet`)."""
    fleet_singles: int = 40
    """Of them, how many are also checked by a process of their own."""
    json_path: Path | None = None
    keep: bool = False


@dataclass
class Run:
    """One measured process."""

    variant: str
    round: int
    returncode: int
    wall: float
    cpu: float
    peak_rss_mb: float
    server_share: float | None = None
    pages: int = 0
    posts: int = 0
    seconds: float = 0.0
    """The measured interval: Scrapy's elapsed time, or the timed section of the sink."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pages_per_s(self) -> float | None:
        return self.pages / self.seconds if self.pages and self.seconds else None

    @property
    def posts_per_s(self) -> float | None:
        return self.posts / self.seconds if self.posts and self.seconds else None

    @property
    def cpu_ms_per_post(self) -> float | None:
        """CPU milliseconds of the whole process tree per post (what decides how many boards a
        machine serves, where the wall-clock rate hides the work of the other cores)."""
        return self.cpu * 1000 / self.posts if self.posts and self.cpu else None


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- processes ----------------------------------------------------------------------------------


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child: ours, without the caller's forumscraper/database settings."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("FORUMSCRAPER_", "DATABASE_URL", "BENCH_", "SCRAPY_"))
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def scrapy_command() -> list[str]:
    script = Path(sys.executable).with_name("scrapy")
    return [str(script)] if script.exists() else [sys.executable, "-m", "scrapy"]


class ForumServer:
    """The benchmark server process (:mod:`bench.server`)."""

    def __init__(self, topics: int, workdir: Path, hosts: int = 0) -> None:
        self.topics = topics
        self.hosts = hosts
        self.log_path = workdir / f"server-{topics}.log"
        self.process: subprocess.Popen[str] | None = None
        self.info: dict[str, Any] = {}

    def __enter__(self) -> ForumServer:
        started = time.perf_counter()
        with open(self.log_path, "w") as errors:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bench.server", "--topics", str(self.topics),
                 "--hosts", str(self.hosts)],
                stdout=subprocess.PIPE, stderr=errors, text=True, cwd=ROOT, env=child_env(),
            )  # fmt: skip
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the benchmark server did not start, see {self.log_path}")
        self.info = json.loads(line)
        log(
            f"forum of {self.topics} topics served on port {self.info['port']} "
            f"({self.info['topic_pages']} topic pages of {self.info['topic_page_kb']} KB, "
            f"{self.info['posts']} posts; ready in {time.perf_counter() - started:.0f} s)"
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.info['port']}/"

    def control(self, target: str) -> Any:
        with urllib.request.urlopen(self.base_url + "__bench/" + target, timeout=600) as answer:
            body = answer.read()
        return body.decode() if target == "targets" else json.loads(body)


class Bench:
    """Runs the measurements of one invocation."""

    def __init__(self, config: Config, workdir: Path) -> None:
        self.config = config
        self.workdir = workdir
        self.runs: list[Run] = []
        self.postgres = BenchPostgres()
        self.server_info: dict[str, Any] = {}
        self.last_burst: float | None = None
        """When the last posts were added for the recent runs (``time.monotonic``)."""

    # -- one process each -----------------------------------------------------------------------

    def _crawl(
        self,
        variant: str,
        round_: int,
        command: list[str],
        server: ForumServer,
        env: dict[str, str] | None = None,
    ) -> tuple[Run, dict[str, Any]]:
        tag = f"{variant.replace(' ', '_').replace('→', 'to')}-{round_}"
        stats_path = self.workdir / f"{tag}.stats.json"
        measured = run_measured(
            command,
            env=child_env(BENCH_STATS_PATH=str(stats_path), **(env or {})),
            cwd=ROOT,
            log=self.workdir / f"{tag}.out",
            timeout=CRAWL_TIMEOUT,
            server_pid=server.pid,
        )
        stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
        run = self._run(variant, round_, measured)
        run.pages = int(stats.get("response_received_count", 0))
        run.seconds = float(stats.get("elapsed_time_seconds", 0.0))
        run.extra["requests"] = int(stats.get("downloader/request_count", 0))
        run.extra["errors"] = int(stats.get("log_count/ERROR", 0))
        if measured.returncode or run.extra["errors"]:
            log(f"{variant} (round {round_}) exit {measured.returncode}, see {tag}.out/.log")
        return run, stats

    def _run(self, variant: str, round_: int, measured: Measured) -> Run:
        return Run(
            variant=variant,
            round=round_,
            returncode=measured.returncode,
            wall=measured.wall,
            cpu=measured.cpu,
            peak_rss_mb=measured.peak_rss_mb,
            server_share=measured.server_share,
        )

    def fetch(self, round_: int, server: ForumServer, targets: Path) -> Run:
        command = [sys.executable, "-m", "bench.crawl", "fetch", "--targets", str(targets)]
        command += ["--logfile", str(self.workdir / f"fetch-{round_}.log")]
        run, _ = self._crawl("fetch", round_, command, server)
        return self._keep(run)

    def extract(self, round_: int, server: ForumServer) -> Run:
        command = [sys.executable, "-m", "bench.crawl", "extract", "--base-url", server.base_url]
        command += ["--logfile", str(self.workdir / f"extract-{round_}.log")]
        run, stats = self._crawl("extract", round_, command, server)
        run.posts = int(stats.get("item_scraped_count", 0))
        return self._keep(run)

    def ours(
        self, variant: str, round_: int, server: ForumServer, url: str, spider: str = "forum"
    ) -> Run:
        command = [*scrapy_command(), "crawl", spider, "-a", f"base_url={server.base_url}"]
        for name, value in CRAWL_SETTINGS.items():
            command += ["-s", f"{name}={value}"]
        tag = f"{variant.replace(' ', '_').replace('→', 'to')}-{round_}"
        command += ["--logfile", str(self.workdir / f"{tag}.log")]
        # The near-duplicate step runs at the end of the memory crawls only (their note gives
        # its cost per article); the throughput and recent crawls compare with baselines that
        # have no such step.
        env = {"DATABASE_URL": url}
        if not variant.startswith("memory"):
            env["FORUMSCRAPER_NEAR_DUPLICATES"] = "0"
        run, stats = self._crawl(variant, round_, command, server, env=env)
        run.posts = int(stats.get("forumscraper/clean/posts", 0))
        run.extra["new_posts"] = int(stats.get("forumscraper/db/new_posts", 0))
        run.extra["status"] = stats.get("forumscraper/run/status")
        # the run's closing step (after Scrapy's elapsed time; in the CPU and memory columns)
        run.extra["near_duplicates_signed"] = int(
            stats.get("forumscraper/near_duplicates/signed", 0)
        )
        run.extra["near_duplicates_seconds"] = float(
            stats.get("forumscraper/near_duplicates/seconds", 0.0)
        )
        return self._keep(run)

    def sink(self, method: str, round_: int, source: str) -> Run:
        target = self.postgres.fresh_database(f"sink_{method}")
        result_path = self.workdir / f"sink-{method}-{round_}.json"
        command = [sys.executable, "-m", "bench.sink", "--source", source, "--target", target]
        command += ["--method", method, "--batch", str(self.config.batch_size)]
        command += ["--json", str(result_path)]
        measured = run_measured(
            command, env=child_env(), cwd=ROOT, log=self.workdir / f"sink-{method}-{round_}.out"
        )
        run = self._run(f"sink {'upsert' if method == 'upsert' else 'COPY'}", round_, measured)
        if result_path.exists():
            result = json.loads(result_path.read_text())
            run.posts, run.seconds = result["rows"], result["seconds"]
            run.extra["timed_cpu"] = result["cpu"]
        run.extra["batch"] = self.config.batch_size
        self.postgres.drop_database(target)
        return self._keep(run)

    def clean(self) -> Run:
        result_path = self.workdir / "clean.json"
        command = [sys.executable, "-m", "bench.bench_clean", "--json", str(result_path)]
        command += ["--fixture-topics", str(self.config.clean_topics)]
        measured = run_measured(command, env=child_env(), cwd=ROOT, log=self.workdir / "clean.out")
        run = self._run("clean", 1, measured)
        if result_path.exists():
            run.extra = json.loads(result_path.read_text())
            run.posts = run.extra["fixture_posts"]
            run.seconds = run.extra["us_per_post"] * run.posts / 1e6
        return self._keep(run)

    def _keep(self, run: Run) -> Run:
        self.runs.append(run)
        rate = run.posts_per_s or run.pages_per_s or 0.0
        log(
            f"{run.variant:<18} round {run.round}: {run.pages} pages, {run.posts} posts in "
            f"{run.seconds:.1f} s ({rate:,.0f}/s), CPU {run.cpu:.1f} s, "
            f"RSS {run.peak_rss_mb:.0f} MB"
        )
        return run

    # -- the phases -----------------------------------------------------------------------------

    def run(self) -> None:
        config = self.config
        self.postgres.start()
        try:
            with ForumServer(config.topics, self.workdir) as server:
                self.server_info = dict(server.info)
                targets = self.workdir / "targets.txt"
                targets.write_text(server.control("targets"))
                last_pg = ""
                for round_ in range(1, config.rounds + 1):
                    self.fetch(round_, server, targets)
                    self.extract(round_, server)
                    sqlite_path = self.workdir / f"ours-{round_}.sqlite3"
                    sqlite_url = f"sqlite:///{sqlite_path}"
                    self.ours("ours → SQLite", round_, server, sqlite_url)
                    if last_pg:
                        self.postgres.drop_database(last_pg)
                    last_pg = self.postgres.fresh_database("ours")
                    self.ours("ours → PostgreSQL", round_, server, last_pg)
                    self.sink("upsert", round_, sqlite_url)
                    self.sink("copy", round_, sqlite_url)
                    if not config.keep:
                        for path in self.workdir.glob(f"ours-{round_}.sqlite3*"):
                            path.unlink()
                for round_ in range(1, config.rounds + 1):
                    self.recent(round_, server, last_pg)
            self.memory()
            self.clean()
            run_fleet(self, config.fleet_boards, config.fleet_singles)
            self.near_duplicates()
        finally:
            self.postgres.stop()

    def memory(self) -> None:
        """The memory crawls, small and large forum in turn, one pair per round (the ratio is
        taken from the medians: one crawl's peak moves by several MB from run to run)."""
        sizes = self.config.memory_posts
        with (
            ForumServer(-(-sizes[0] // POSTS_PER_TOPIC), self.workdir) as small,
            ForumServer(-(-sizes[1] // POSTS_PER_TOPIC), self.workdir) as large,
        ):
            for round_ in range(1, self.config.rounds + 1):
                for posts, server in zip(sizes, (small, large), strict=True):
                    url = self.postgres.fresh_database("memory")
                    run = self.ours(f"memory {posts:,} posts", round_, server, url)
                    run.extra["forum_posts"] = server.info["posts"]
                    for fmt in ("jsonl", "parquet"):
                        self.export(fmt, posts, round_, url)
                    self.postgres.drop_database(url)

    def export(self, fmt: str, posts: int, round_: int, url: str) -> Run:
        """``forumscraper export posts`` of the archive just crawled, to a file: its peak memory
        (it streams, so it should not grow with the archive)."""
        target = self.workdir / f"export.{fmt}"
        command = [sys.executable, "-m", "forumscraper.cli", "export", "posts", "--format", fmt]
        command += ["-o", str(target), "--database-url", url]
        started = time.perf_counter()
        measured = run_measured(
            command, env=child_env(), cwd=ROOT, log=self.workdir / f"export-{fmt}-{round_}.out"
        )
        run = self._run(f"export {fmt} {posts:,} posts", round_, measured)
        run.seconds = time.perf_counter() - started
        run.extra["bytes"] = target.stat().st_size if target.exists() else 0
        target.unlink(missing_ok=True)
        return self._keep(run)

    def near_duplicates(self) -> Run:
        result_path = self.workdir / "near_duplicates.json"
        command = [sys.executable, "-m", "bench.near_duplicates", "--json", str(result_path)]
        measured = run_measured(
            command, env=child_env(), cwd=ROOT, log=self.workdir / "near_duplicates.out"
        )
        run = self._run("near-duplicates", 1, measured)
        if result_path.exists():
            run.extra = json.loads(result_path.read_text())
            run.posts = run.extra["cost"]["new_posts"]
        return self._keep(run)

    def recent(self, round_: int, server: ForumServer, url: str) -> None:
        server.control("requests")  # reset the server's request log
        run = self.ours("recent unchanged", round_, server, url, spider="recent")
        run.extra["served"] = server.control("requests")
        # The widget's page covers an unchanged board, unless the previous round's posts are
        # younger than the spider's coverage margin: the widget then lists only topics that
        # moved since, which proves nothing of the others, and the active topics are read too.
        recent_burst = (
            self.last_burst is not None
            and time.monotonic() - self.last_burst < COVERAGE_MARGIN.total_seconds()
        )
        run.extra["bound"] = 2 if recent_burst else 1
        config = self.config
        added = server.control(
            f"add-posts?topics={config.recent_topics}&posts={config.recent_posts}&seed={round_}"
        )
        self.last_burst = time.monotonic()
        server.control("requests")
        run = self.ours(f"recent +{config.recent_posts} posts", round_, server, url, "recent")
        run.extra["served"] = server.control("requests")
        run.extra["added"] = added
        run.extra["bound"] = len(LISTING_TARGETS) + added["pages_spanned"]


# -- the report -------------------------------------------------------------------------------


def median_range(values: Sequence[float | None], digits: int = 0) -> str:
    clean = [value for value in values if value is not None]
    if not clean:
        return "-"
    middle = statistics.median(clean)
    if len(clean) == 1:
        return f"{middle:,.{digits}f}"
    return f"{middle:,.{digits}f} [{min(clean):,.{digits}f}-{max(clean):,.{digits}f}]"


def _median(values: Sequence[float | None]) -> float | None:
    clean = [value for value in values if value is not None]
    return statistics.median(clean) if clean else None


ORDER = (
    "fetch",
    "extract",
    "ours → SQLite",
    "ours → PostgreSQL",
    "sink upsert",
    "sink COPY",
)


def summarize(runs: list[Run], config: Config) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The table rows and the targets, from the raw runs."""
    by_variant: dict[str, list[Run]] = {}
    for run in runs:
        by_variant.setdefault(run.variant, []).append(run)
    variants = [name for name in ORDER if name in by_variant]
    variants += [name for name in by_variant if name not in ORDER]
    table: list[dict[str, Any]] = []
    for name in variants:
        group = by_variant[name]
        row: dict[str, Any] = {
            "run": name,
            "rounds": len(group),
            "pages/s": median_range([run.pages_per_s for run in group]),
            "posts/s": median_range([run.posts_per_s for run in group]),
            "CPU s": median_range([run.cpu for run in group], 1),
            "CPU ms/post": median_range([run.cpu_ms_per_post for run in group], 2),
            "peak RSS MB": median_range([run.peak_rss_mb for run in group]),
            "server CPU": median_range(
                [None if run.server_share is None else run.server_share * 100 for run in group]
            ),
            "note": _note(name, group),
        }
        if name.startswith("sink"):
            row["posts/s"] = median_range([run.posts_per_s for run in group]) + " rows"
            row["pages/s"] = "-"
        if name.startswith("recent"):
            row["pages/s"] = row["posts/s"] = "-"
        table.append(row)
    return table, targets(by_variant, config)


def _note(name: str, group: list[Run]) -> str:
    failed = [
        f"round {run.round}: exit {run.returncode}, {run.extra.get('errors', 0)} error(s)"
        for run in group
        if run.returncode or run.extra.get("errors")
    ]
    note = _describe(name, group)
    return f"{note}; FAILED {'; '.join(failed)}" if failed else note


def _describe(name: str, group: list[Run]) -> str:
    first = group[0]
    if name in ("fetch", "extract") or name.startswith("ours"):
        return (
            f"{first.pages:,} pages, {first.posts:,} posts"
            if first.posts
            else f"{first.pages:,} pages"
        )
    if name.startswith("sink"):
        if "upsert" in name:
            return f"{first.posts:,} rows, batches of {first.extra.get('batch')}"
        return f"{first.posts:,} rows, one transaction"
    if name.startswith("recent"):
        requests = ", ".join(str(len(run.extra.get("served", []))) for run in group)
        stored = ", ".join(str(run.extra.get("new_posts", 0)) for run in group)
        return f"requests {requests} (bound {first.extra.get('bound')}); new posts stored {stored}"
    if name.startswith("memory"):
        signed = first.extra.get("near_duplicates_signed", 0)
        seconds = first.extra.get("near_duplicates_seconds", 0.0)
        step = (
            f"; near-duplicate step {seconds:.0f} s for {signed:,} articles "
            f"({seconds / signed * 1000:.2f} ms each)"
            if signed
            else ""
        )
        return f"{first.pages:,} pages, {first.posts:,} posts{step}"
    if name.startswith("export"):
        return f"{first.extra.get('bytes', 0) / 1e6:,.0f} MB written in {first.seconds:.1f} s"
    if name == "near-duplicates" and first.extra:
        chosen = first.extra["chosen"]
        return (
            f"{first.extra['documents']} labelled posts: precision {chosen['precision']:.3f}, "
            f"recall {chosen['recall']:.3f}; {first.extra['cost']['new_ms_per_post']:.2f} ms "
            f"per new post"
        )
    if name.startswith("fleet"):
        return fleet_describe(name, group)
    if name == "clean":
        sizes = first.extra.get("mb_per_s", {})
        parts = ", ".join(f"{label} {rate:.1f}" for label, rate in sizes.items())
        return (
            f"MB/s on one core: fixture bodies {first.extra.get('fixture_mb_per_s', 0):.1f}; "
            f"{parts}"
        )
    return ""


def targets(by_variant: dict[str, list[Run]], config: Config) -> list[dict[str, Any]]:
    """Each target of the issue with the measured value and pass/miss."""
    found: list[dict[str, Any]] = []

    def rate(name: str, attribute: str) -> float | None:
        return _median([getattr(run, attribute) for run in by_variant.get(name, [])])

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    def add(name: str, value: float | None, passed: Callable[[float], bool], shown: str) -> None:
        found.append(
            {
                "target": name,
                "value": value,
                "shown": shown if value is not None else "not measured",
                "pass": bool(value is not None and passed(value)),
            }
        )

    extract = rate("extract", "posts_per_s")
    for db in ("PostgreSQL", "SQLite"):
        value = ratio(rate(f"ours → {db}", "posts_per_s"), extract)
        add(
            f"ours → {db} posts/s ≥ 0.8 x extract (goal 0.9)",
            value,
            lambda v: v >= 0.8,
            f"{value:.2f}" if value else "",
        )
    extract_cpu = rate("extract", "cpu_ms_per_post")
    for db in ("PostgreSQL", "SQLite"):
        ours_cpu = rate(f"ours → {db}", "cpu_ms_per_post")
        value = ratio(ours_cpu, extract_cpu)
        add(
            f"ours → {db} CPU per post ≤ 1.2 x extract (process tree; the database server's not)",
            value,
            lambda v: v <= 1.2,
            f"x {value:.2f} ({ours_cpu:.2f} / {extract_cpu:.2f} ms)"
            if value is not None and ours_cpu is not None and extract_cpu is not None
            else "",
        )
    value = ratio(rate("sink upsert", "posts_per_s"), rate("sink COPY", "posts_per_s"))
    add(
        "sink upserts ≥ 0.7 x COPY rows/s (goal 0.8)",
        value,
        lambda v: v >= 0.7,
        f"{value or 0:.2f}",
    )
    small, large = (f"memory {posts:,} posts" for posts in config.memory_posts)
    rss_large = rate(large, "peak_rss_mb")
    rss_small = rate(small, "peak_rss_mb")
    worst = max((run.peak_rss_mb for run in by_variant.get(large, [])), default=None)
    add(
        f"peak RSS of the {config.memory_posts[1]:,}-post crawl ≤ 300 MB (largest of the rounds)",
        worst,
        lambda v: v <= 300,
        f"{worst or 0:.0f} MB",
    )
    value = ratio(rss_large, rss_small)
    add(
        f"… within 20 % of the {config.memory_posts[0]:,}-post crawl's",
        value,
        lambda v: v <= 1.2,
        f"x {value or 0:.2f} ({rss_small or 0:.0f} → {rss_large or 0:.0f} MB)",
    )
    for fmt in ("jsonl", "parquet"):
        small_export, large_export = (
            f"export {fmt} {posts:,} posts" for posts in config.memory_posts
        )
        rss_small, rss_large = rate(small_export, "peak_rss_mb"), rate(large_export, "peak_rss_mb")
        value = ratio(rss_large, rss_small)
        add(
            f"export {fmt} of {config.memory_posts[1]:,} posts: peak RSS within 20 % of "
            f"{config.memory_posts[0]:,} posts' (streamed"
            + ("; Parquet holds a row group of 10,000 rows)" if fmt == "parquet" else ")"),
            value,
            lambda v: v <= 1.2,
            f"x {value or 0:.2f} ({rss_small or 0:.0f} → {rss_large or 0:.0f} MB)",
        )
    dedup_run = by_variant.get("near-duplicates", [None])[0]
    if dedup_run is not None and dedup_run.extra:
        chosen = dedup_run.extra["chosen"]
        for measure in ("precision", "recall"):
            add(
                f"near-duplicate {measure} ≥ 0.95 at threshold {chosen['threshold']} "
                f"({dedup_run.extra['documents']} labelled posts)",
                chosen[measure],
                lambda v: v >= 0.95,
                f"{chosen[measure]:.3f}",
            )
        cost = dedup_run.extra["cost"]
        add(
            "near-duplicate step per new post (SQLite; report only)",
            cost["new_ms_per_post"],
            lambda v: True,
            f"{cost['new_ms_per_post']:.2f} ms ({cost['all_new_ms_per_post']:.2f} ms/post "
            f"for {cost['all_new_posts']} at once)",
        )
    for name in by_variant:
        if not name.startswith("recent"):
            continue
        worst = max(
            (
                len(run.extra.get("served", [])) - run.extra.get("bound", 0)
                for run in by_variant[name]
            ),
            default=None,
        )
        bound = by_variant[name][0].extra.get("bound")
        served = [len(run.extra.get("served", [])) for run in by_variant[name]]
        label = (
            "recent, unchanged forum: requests = the widget's page (and the active topics "
            "within the coverage margin of the last posts)"
            if "unchanged" in name
            else "recent after 100 posts in 20 topics: requests ≤ listings + pages spanned"
        )
        passed = (lambda v: v == 0) if "unchanged" in name else (lambda v: v <= 0)
        add(label, worst, passed, f"{'/'.join(map(str, served))} requests (bound {bound})")
    clean = by_variant.get("clean", [None])[0]
    if clean is not None and clean.extra:
        value = clean.extra["fixture_mb_per_s"]
        sizes = clean.extra["mb_per_s"]
        add(
            "clean_post ≥ 5 MB/s of post HTML on one core",
            value,
            lambda v: v >= 5,
            f"{value:.1f} MB/s",
        )
        linearity = clean.extra["linearity"]
        add(
            "… linear in size (MB/s at 1 MB ≥ 0.7 x at 10 KB)",
            linearity,
            lambda v: v >= 0.7,
            f"{sizes['10KB']:.1f} / {sizes['100KB']:.1f} / {sizes['1MB']:.1f} MB/s",
        )
    fleet_targets(by_variant, add)
    return found


COLUMNS = (
    "run",
    "pages/s",
    "posts/s",
    "CPU s",
    "CPU ms/post",
    "peak RSS MB",
    "server CPU",
    "note",
)


def markdown(table: list[dict[str, Any]], found: list[dict[str, Any]]) -> str:
    lines = [
        "| " + " | ".join(COLUMNS).replace("server CPU", "server CPU %") + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for row in table:
        lines.append("| " + " | ".join(str(row[column]) for column in COLUMNS) + " |")
    lines += ["", "| target | measured | |", "|---|---|---|"]
    for target in found:
        lines.append(
            f"| {target['target']} | {target['shown']} | {'pass' if target['pass'] else 'MISS'} |"
        )
    return "\n".join(lines)


def environment(bench: Bench) -> dict[str, Any]:
    import psycopg
    import scrapy
    import sqlalchemy

    return {
        "python": platform.python_version(),
        "scrapy": scrapy.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "psycopg": psycopg.__version__,
        "postgresql": str(bench.postgres.server.bindir),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
    }


@contextmanager
def workdir(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="forumscraper-bench-"))
    try:
        yield path
    finally:
        if keep:
            log(f"logs and databases kept in {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def parse_args(argv: Sequence[str] | None) -> Config:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Benchmark forumscraper against its baselines."
    )
    parser.add_argument("--rounds", type=int, help="rounds of each crawl (default 3; quick 1)")
    parser.add_argument("--topics", type=int, help="topic pages of the forum (default 3000)")
    parser.add_argument(
        "--quick", action="store_true", help="a small configuration for smoke runs (~2 minutes)"
    )
    parser.add_argument("--boards", type=int, help="boards of the many-boards run (200)")
    parser.add_argument("--json", type=Path, help="write the table and every measurement here")
    parser.add_argument("--keep", action="store_true", help="keep logs and databases")
    args = parser.parse_args(argv)
    base = (
        Config(
            topics=300,
            rounds=1,
            memory_posts=(4_000, 20_000),
            clean_topics=100,
            fleet_boards=20,
            fleet_singles=5,
        )
        if args.quick
        else Config()
    )
    return Config(
        topics=args.topics or base.topics,
        rounds=args.rounds or base.rounds,
        memory_posts=base.memory_posts,
        clean_topics=base.clean_topics,
        fleet_boards=args.boards or base.fleet_boards,
        fleet_singles=base.fleet_singles,
        json_path=args.json,
        keep=args.keep,
    )


def main(argv: Sequence[str] | None = None) -> None:
    config = parse_args(argv)
    started = time.perf_counter()
    with workdir(config.keep) as folder:
        log(f"working in {folder}")
        bench = Bench(config, folder)
        try:
            bench.run()
        except KeyboardInterrupt:
            log("interrupted: reporting what was measured")
        table, found = summarize(bench.runs, config)
        minutes = (time.perf_counter() - started) / 60
        print()
        print(
            f"forumscraper benchmark: {config.topics:,} topic pages "
            f"({bench.server_info.get('topic_page_kb', '?')} KB, "
            f"{bench.server_info.get('posts', 0):,} posts), {config.rounds} round(s), "
            f"{os.cpu_count()} CPUs, {minutes:.1f} min; median [min-max]"
        )
        print()
        print(markdown(table, found))
        if config.json_path:
            document = {
                "config": {
                    k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()
                },
                "environment": environment(bench),
                "server": bench.server_info,
                "table": table,
                "targets": found,
                "runs": [
                    asdict(run)
                    | {
                        "pages_per_s": run.pages_per_s,
                        "posts_per_s": run.posts_per_s,
                        "cpu_ms_per_post": run.cpu_ms_per_post,
                    }
                    for run in bench.runs
                ],
                "minutes": minutes,
            }
            config.json_path.write_text(json.dumps(document, indent=2, default=str))
            log(f"JSON written to {config.json_path}")
