"""``scrapy crawl`` as people run it (a subprocess): the bundled demo forum when no forum is
given, the settings from the environment, and a bad setting stopping it with status 2 and one
line naming the setting, before anything is stored."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from forumscraper.db.engine import make_engine
from forumscraper.db.models import Board, CrawlRun, Post
from tests.processes import SHARED_MACHINE, quiet_port
from tests.processes import environment as clean_environment

pytestmark = SHARED_MACHINE

ROOT = Path(__file__).resolve().parents[1]


def scrapy_crawl(
    *args: str, env: dict[str, str], timeout: float = 180, spider: str = "forum"
) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl SPIDER ARGS`` in the project folder, with only ``env`` of our variables."""
    environment = clean_environment()
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", spider, *args],
        cwd=ROOT,
        env=environment | env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_with_no_forum_given_the_bundled_demo_forum_is_served_and_crawled(
    sqlite_url: str,
) -> None:
    """The README's first command (`scrapy crawl forum`, nothing else), with the politeness
    delays off and four settings from the environment, the demo's port being one that another
    program holds: the demo is served at another port, with a warning saying what that costs."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            "DATABASE_URL": sqlite_url,
            "FORUMSCRAPER_DEMO_VERSION": "punbb",
            "FORUMSCRAPER_DEMO_PORT": str(port),
            "FORUMSCRAPER_USER_AGENT": "demo-archiver/1",
            "FORUMSCRAPER_MAX_RUNTIME": "900",
        }
        done = scrapy_crawl("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "crawling the bundled demo forum (punbb) at http://127.0.0.1:" in done.stderr
    assert f"WARNING: Port {port} is taken, so the demo forum is served at http" in done.stderr
    assert "set FORUMSCRAPER_DEMO_PORT to a port nothing else uses" in done.stderr
    assert "WARNING: Disabled" not in done.stderr  # no warning for a setting left at its default
    assert "'USER_AGENT': 'demo-archiver/1'" in done.stderr
    assert "'CLOSESPIDER_TIMEOUT': '900'" in done.stderr
    assert "forumscraper: Run 1 of 'forum' finished" in done.stdout
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            run = connection.execute(select(CrawlRun)).one()
            posts = connection.execute(select(func.count()).select_from(Post)).scalar_one()
    finally:
        engine.dispose()
    assert run.status == "finished"
    assert run.base_url.startswith("http://127.0.0.1:")
    assert run.base_url != f"http://127.0.0.1:{port}/"
    assert posts > 100


@pytest.mark.parametrize(
    ("name", "value", "given_by", "message"),
    [
        ("FORUMSCRAPER_DB_RETRIES", "abc", "environment", "'abc': not a whole number"),
        ("FORUMSCRAPER_DB_RETRIES", "abc", "-s", "'abc': not a whole number"),
        ("FORUMSCRAPER_WORKERS", "-1", "environment", "'-1': must be 0 or more"),
        ("FORUMSCRAPER_WORKERS", "-1", "-s", "'-1': must be 0 or more"),
        ("FORUMSCRAPER_TIMEZONE", "Mars/Olympus", "environment", "'Mars/Olympus': not a timezone"),
        ("FORUMSCRAPER_LOG_LEVEL", "LOUD", "-s", "'LOUD': use one of"),
        ("DATABASE_URL", "not a url", "environment", ": not a database URL"),
        ("DATABASE_URL", "/srv/forum.sqlite3", "environment", "write sqlite:////srv/forum.sqlite3"),
        ("DATABASE_URL", "sqlite:/srv/f.db", "environment", "sqlite:/// then the file's path"),
        ("DATABASE_URL", "postgresql://u:pw@db:five/x", "environment", "port is not a number"),
        ("DATABASE_URL", "mysql://u:pw@db/x", "environment", "mysql:// is no database"),
        ("base_url", "example.forumotion.com", "-a", "https://example.forumotion.com/"),
    ],
)
def test_a_bad_setting_stops_the_crawl_with_status_2_and_one_line_naming_it(
    tmp_path: Path, name: str, value: str, given_by: str, message: str
) -> None:
    database = tmp_path / "untouched.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    args: list[str] = []
    if given_by == "environment":
        env[name] = value
    else:
        args = [given_by, f"{name}={value}"]
    done = scrapy_crawl(*args, env=env, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"forumscraper: {name}")
    assert message in lines[0]
    assert done.stdout == ""
    assert "pw" not in done.stderr
    assert not database.exists()


def test_a_run_whose_process_was_killed_is_marked_abandoned_by_the_next(
    tmp_path: Path, sqlite_url: str
) -> None:
    """``kill -9`` during a crawl leaves its ``crawl_runs`` row ``running``; the next run, holding
    the run lock, marks it ``abandoned`` with why, and runs normally."""
    env = {"DATABASE_URL": sqlite_url}
    environment = clean_environment()
    slow = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "forum", "-s", "DOWNLOAD_DELAY=0.5"],
        cwd=ROOT,
        env=environment | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    engine = make_engine(sqlite_url)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with engine.connect() as connection:
                    if connection.execute(select(CrawlRun.status)).scalars().all() == ["running"]:
                        break
            except OperationalError:  # the schema is not there yet
                pass
            time.sleep(0.1)
        else:
            pytest.fail("the first run never started")
        os.killpg(slow.pid, signal.SIGKILL)  # the crawl and its workers, as kill -9 would
        slow.wait(timeout=30)

        done = scrapy_crawl("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", env=env)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "Run(s) 1 never completed" in done.stderr
        with engine.connect() as connection:
            runs = connection.execute(select(CrawlRun).order_by(CrawlRun.id)).all()
    finally:
        engine.dispose()
    assert [run.status for run in runs] == ["abandoned", "finished"]
    assert runs[0].finished_at is not None
    assert runs[0].message.startswith("abandoned: its process ended without completing the run")
    assert "run 2" in runs[0].message


class _Blog(BaseHTTPRequestHandler):
    """A web site that is not a Forumotion board: a blog's home page."""

    def do_GET(self) -> None:
        body = b"<!DOCTYPE html><html><head><title>My blog</title></head><body><h1>Posts</h1>"
        body += b"<article><h2>Hello</h2><p>First post.</p></article></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def blog() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Blog)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("spider", ["forum", "recent"])
def test_a_site_that_is_no_forumotion_board_fails_and_changes_nothing(
    sqlite_url: str, blog: str, spider: str
) -> None:
    """A mistyped address (a blog, a parked domain) fails in one line with status 1; the board
    already archived keeps its posts and its recorded address."""
    env = {"DATABASE_URL": sqlite_url}
    quick = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0"]
    assert scrapy_crawl(*quick, env=env).returncode == 0
    engine = make_engine(sqlite_url)

    def archive() -> tuple[int, str]:
        with engine.connect() as connection:
            posts = connection.execute(select(func.count()).select_from(Post)).scalar_one()
            address = connection.execute(select(Board.base_url)).scalar_one()
        return posts, address

    try:
        before = archive()
        done = scrapy_crawl(*quick, "-a", f"base_url={blog}", env=env, spider=spider)
        assert done.returncode == 1
        why = f"not a Forumotion board: {blog} answered 200 with a page without Forumotion's"
        assert f"Run 2 of '{spider}' failed: " in done.stderr
        assert why in done.stdout.splitlines()[-1]
        assert archive() == before
        with engine.connect() as connection:
            run = connection.execute(select(CrawlRun).where(CrawlRun.id == 2)).one()
    finally:
        engine.dispose()
    assert run.status == "failed"
    assert run.message.startswith(why)


def test_scrapy_parse_neither_takes_the_run_lock_nor_records_a_run(sqlite_url: str) -> None:
    """``scrapy parse`` debugs one callback: no ``crawl_runs`` row, no run lock."""
    from forumscraper.demo.content import build_demo_board
    from forumscraper.demo.server import FixtureForumServer

    server = FixtureForumServer(build_demo_board())
    server.start()
    try:
        done = subprocess.run(
            [
                *(sys.executable, "-m", "scrapy", "parse", server.base_url),
                *("--spider", "forum", "-c", "parse_index", "-a", f"base_url={server.base_url}"),
            ],
            cwd=ROOT,
            env=os.environ | {"DATABASE_URL": sqlite_url},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Scraped Items" in done.stdout
    assert "another forumscraper run" not in done.stderr
    assert "Run " not in done.stderr
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(CrawlRun)).scalar_one() == 0
    finally:
        engine.dispose()


def test_an_unreachable_forum_says_why_in_a_few_lines_without_a_traceback(
    sqlite_url: str,
) -> None:
    """Refused connections are expected on a network: one line per URL, the reason in the
    summary, which goes to stdout as a finished run's does."""
    done = scrapy_crawl(
        *("-a", "base_url=http://127.0.0.1:9/", "-s", "RETRY_TIMES=1"),
        env={"DATABASE_URL": sqlite_url},
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "] ERROR: " in line]
    assert len(errors) <= 5, errors
    assert all("http://127.0.0.1:9/" in line or "Run 1" in line for line in errors), errors
    assert done.stdout.splitlines() == [
        "forumscraper: Run 1 of 'forum' failed: 0 pages, 0 new posts, 0 updated; data in "
        f"{sqlite_url.removeprefix('sqlite:///')}. Why: no page could be fetched "
        "(DownloadConnectionRefusedError x4)"
    ]


def test_a_folder_sqlite_cannot_write_in_is_named_with_what_to_do(tmp_path: Path) -> None:
    """SQLite's WAL files live beside the database: its folder must be writable. The crawl runs
    without the capability that lets root write anywhere, as a user's own account would."""
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) runs the crawl without root's override of permissions"
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    environment = clean_environment()
    done = subprocess.run(
        [
            *(setpriv, "--bounding-set", "-dac_override,-dac_read_search"),
            *(sys.executable, "-m", "scrapy", "crawl", "forum"),
        ],
        cwd=ROOT,
        env=environment | {"DATABASE_URL": f"sqlite:///{folder}/archive.sqlite3"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"forumscraper: cannot use the database {folder}/archive.sqlite3: the folder {folder} "
        "must be writable: SQLite writes archive.sqlite3-wal and archive.sqlite3-shm beside the "
        f"database; to read this database from a read-only place, copy it first: sqlite3 "
        f'{folder}/archive.sqlite3 ".backup /tmp/archive.sqlite3"'
    ]
    assert list(folder.iterdir()) == []


def test_ctrl_c_twice_ends_the_crawl_in_seconds_and_records_it_interrupted(
    sqlite_url: str,
) -> None:
    """Scrapy's second SIGINT forces an unclean shutdown: the process (and its workers) must
    end within seconds, the run be recorded ``interrupted``, and the next crawl run."""
    environment = clean_environment()
    crawl = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "forum", "-s", "DOWNLOAD_DELAY=0.3"],
        cwd=ROOT,
        env=environment | {"DATABASE_URL": sqlite_url, "FORUMSCRAPER_WORKERS": "2"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    engine = make_engine(sqlite_url)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # until the run is going
            try:
                with engine.connect() as connection:
                    if connection.execute(select(CrawlRun.status)).scalars().all() == ["running"]:
                        break
            except OperationalError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("the crawl never started")
        time.sleep(3)  # topic pages in the workers
        crawl.send_signal(signal.SIGINT)
        time.sleep(0.5)
        crawl.send_signal(signal.SIGINT)
        try:
            out, err = crawl.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(crawl.pid, signal.SIGKILL)
            crawl.communicate()
            pytest.fail("a second Ctrl-C left the crawl hanging")
        assert "forcing unclean shutdown" in err
        assert crawl.returncode == 1
        assert out.splitlines()[-1].startswith("forumscraper: Run 1 interrupted. Why: stopped by")
        deadline = time.monotonic() + 10  # the fork server and tracker follow their parent
        while time.monotonic() < deadline:
            try:
                os.killpg(crawl.pid, 0)
            except ProcessLookupError:
                break  # nothing of the crawl left: no worker outlived it
            time.sleep(0.2)
        else:
            left = subprocess.run(
                ["ps", "-o", "pid,args", "-g", str(crawl.pid)], capture_output=True
            )
            pytest.fail(f"processes of the crawl outlived it: {left.stdout.decode()}")
        with engine.connect() as connection:
            run = connection.execute(select(CrawlRun)).one()
        assert (run.status, run.finished_at is not None) == ("interrupted", True)
        again = scrapy_crawl(
            "-s",
            "AUTOTHROTTLE_ENABLED=0",
            "-s",
            "DOWNLOAD_DELAY=0",
            env={"DATABASE_URL": sqlite_url},
        )
        assert again.returncode == 0, again.stderr[-3000:]
    finally:
        engine.dispose()


def test_the_demo_keeps_its_address_and_dates_so_an_unchanged_board_costs_the_listings(
    sqlite_url: str,
) -> None:
    """The README's first command run again, then ``recent``: the stored URLs still answer
    (the demo's fixed address), no date moved, and ``recent`` on the unchanged demo costs the
    listing requests only."""
    port = quiet_port()
    env = {"DATABASE_URL": sqlite_url, "FORUMSCRAPER_DEMO_PORT": str(port)}
    quick = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0")
    engine = make_engine(sqlite_url)

    def dates() -> dict[int, object]:
        with engine.connect() as connection:
            return dict(connection.execute(select(Post.id, Post.posted_at)).all())

    try:
        assert scrapy_crawl(*quick, env=env).returncode == 0
        first = dates()
        assert scrapy_crawl(*quick, env=env).returncode == 0
        assert dates() == first
        recent = scrapy_crawl(*quick, env=env, spider="recent")
        assert recent.returncode == 0, recent.stderr[-3000:]
        with engine.connect() as connection:
            runs = connection.execute(select(CrawlRun).order_by(CrawlRun.id)).all()
    finally:
        engine.dispose()
    assert {run.base_url for run in runs} == {f"http://127.0.0.1:{port}/"}
    assert [(run.new_posts, run.updated_posts) for run in runs[1:]] == [(0, 0), (0, 0)]
    assert runs[2].requests <= 4, runs[2].stats  # robots.txt, the widget, the feed, the search


def test_checking_an_unchanged_board_loads_only_what_a_crawl_needs(sqlite_url: str) -> None:
    """``scrapy crawl recent`` every few minutes on a board with nothing new: no Alembic (the
    database is current), no job queue, no numpy (nothing new to compare), no aiohttp (Scrapy's
    remote control, off), each a tenth of a second or more of every check's CPU."""
    from forumscraper.demo.content import build_demo_board
    from forumscraper.demo.server import FixtureForumServer

    heavy = ("alembic", "procrastinate", "numpy", "datasketch", "aiohttp", "pyarrow")
    code = (
        "import sys\n"
        "from scrapy.cmdline import execute\n"
        "sys.argv = ['scrapy', 'crawl', 'recent', *sys.argv[1:]]\n"
        "try:\n"
        "    execute()\n"
        "except SystemExit as exc:\n"
        f"    loaded = sorted({{name.split('.')[0] for name in sys.modules}} & set({heavy!r}))\n"
        "    print('loaded:', ','.join(loaded))\n"
        "    raise\n"
    )
    with FixtureForumServer(build_demo_board()) as server:
        args = ["-a", f"base_url={server.base_url}", "-s", "AUTOTHROTTLE_ENABLED=0"]
        first = scrapy_crawl(*args, "-s", "DOWNLOAD_DELAY=0", env={"DATABASE_URL": sqlite_url})
        assert first.returncode == 0, first.stderr[-3000:]
        check = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=ROOT,
            env=clean_environment() | {"DATABASE_URL": sqlite_url},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    assert check.returncode == 0, check.stderr[-3000:]
    assert "Run 2 of 'recent' finished: 2 pages, 0 new posts" in check.stdout
    assert "loaded: \n" in check.stdout
