"""The run status that decides ``crawl_runs.status`` and the exit status of ``scrapy crawl``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from forumscraper.db.config import database_url, describe
from forumscraper.runs import LOCKED_MESSAGE, run_status
from tests.pgserver import PostgresServer

OK = {"response_received_count": 100}


@pytest.mark.parametrize(
    ("stats", "reason", "share", "status"),
    [
        (OK, "finished", 0.0, "finished"),
        ({}, "finished", 0.0, "failed"),
        (OK | {"log_count/ERROR": 2}, "finished", 0.0, "failed"),
        (OK | {"forumscraper/db/failed_rows": 1}, "finished", 0.0, "failed"),
        (OK | {"forumscraper/db/unavailable": "down"}, "database_unavailable", 0.0, "failed"),
        (OK, "shutdown", 0.0, "interrupted"),
        (OK, "closespider_timeout", 0.0, "interrupted"),
        (OK, "locked", 0.0, "failed"),
        (OK | {"forumscraper/login/failed": "wrong password"}, "login_failed", 0.0, "failed"),
        (OK | {"forumscraper/extract/empty_page": 3}, "finished", 0.0, "failed"),
        (OK | {"forumscraper/extract/empty_page": 3}, "finished", 0.05, "finished"),
        (OK | {"forumscraper/extract/empty_page": 6}, "finished", 0.05, "failed"),
    ],
)
def test_run_status(stats: dict[str, object], reason: str, share: float, status: str) -> None:
    assert run_status(stats, reason, share)[0] == status


def test_failures_say_why_in_one_line() -> None:
    assert run_status(OK, "locked")[1] == LOCKED_MESSAGE
    message = run_status(OK | {"forumscraper/extract/empty_page": 3}, "finished")[1]
    assert message is not None and "FORUMSCRAPER_MAX_EMPTY_PAGE_SHARE" in message
    assert "\n" not in message


def test_the_summary_names_the_database_in_a_form_its_tool_opens(
    pg_url: str, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """The "data in …" of a run's summary: a URL ``psql`` accepts (no driver, no password), a
    file path for SQLite."""
    shown = describe(database_url(pg_url.replace("postgres@", "postgres:secret@")))
    assert shown.startswith("postgresql://postgres@127.0.0.1:") and "secret" not in shown
    done = subprocess.run(
        [str(postgres_server.bindir / "psql"), shown, "-Atc", "SELECT current_database()"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == database_url(pg_url).database
    assert describe(database_url(f"sqlite:///{tmp_path}/a.sqlite3")) == f"{tmp_path}/a.sqlite3"
