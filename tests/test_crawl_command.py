"""``scrapy crawl`` as people run it (a subprocess): the bundled demo forum when no forum is
given, the settings from the environment, and a bad setting stopping it with status 2 and one
line naming the setting, before anything is stored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import CrawlRun, Post

ROOT = Path(__file__).resolve().parents[1]


def scrapy_crawl(
    *args: str, env: dict[str, str], timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl forum ARGS`` in the project folder, with only ``env`` of our variables."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("FORUMSCRAPER_", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "forum", *args],
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
    delays off and three settings from the environment."""
    env = {
        "DATABASE_URL": sqlite_url,
        "FORUMSCRAPER_DEMO_VERSION": "punbb",
        "FORUMSCRAPER_USER_AGENT": "demo-archiver/1",
        "FORUMSCRAPER_MAX_RUNTIME": "900",
    }
    done = scrapy_crawl("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "crawling the bundled demo forum (punbb) at http://127.0.0.1:" in done.stderr
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
        args = ["-s", f"{name}={value}"]
    done = scrapy_crawl(*args, env=env, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"forumscraper: {name}")
    assert message in lines[0]
    assert done.stdout == ""
    assert not database.exists()
