"""The ``forumscraper`` command as people type it (a subprocess): its help, its version, a usage
error, output cut short by ``| head``, and ``forumscraper crawl`` from a folder outside the
checkout; and (in-process, through ``forumscraper.cli.main``) what every command that reads an
archive says of a database that is no archive."""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from forumscraper import cli
from forumscraper.cli import COMMANDS
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.models import CrawlRun, Post
from forumscraper.demo.content import build_demo_board
from forumscraper.demo.server import FixtureForumServer
from tests.processes import SHARED_MACHINE, environment

pytestmark = SHARED_MACHINE

FORUMSCRAPER = [sys.executable, "-m", "forumscraper.cli"]


def forumscraper(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FORUMSCRAPER, *args],
        cwd=cwd,
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_help_lists_each_command_in_one_plain_line(tmp_path: Path) -> None:
    done = forumscraper("--help", cwd=tmp_path)
    assert done.returncode == 0
    for name, (_, line) in COMMANDS.items():
        assert f"  {name}" in done.stdout and line in done.stdout
    assert "``" not in done.stdout  # no reST markup


def test_version_and_usage_errors(tmp_path: Path) -> None:
    done = forumscraper("--version", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith("forumscraper ")
    done = forumscraper("crawl-all", cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown command 'crawl-all'" in done.stderr
    done = forumscraper(cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("usage: forumscraper")
    done = forumscraper("crawl", "forums", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0].startswith("usage: forumscraper crawl")
    assert "no spider 'forums'; give exactly one spider name: forum or recent" in done.stderr


def test_a_bad_database_url_is_one_line_for_every_command(tmp_path: Path) -> None:
    done = forumscraper("reprocess", cwd=tmp_path, DATABASE_URL="/srv/forum.sqlite3")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "forumscraper: DATABASE_URL: a file path, not a URL: write sqlite:////srv/forum.sqlite3"
    ]


def test_output_cut_short_by_the_reader_ends_quietly(tmp_path: Path) -> None:
    server = FixtureForumServer(build_demo_board())
    server.start()
    try:
        with urllib.request.urlopen(f"{server.base_url}t11-welcome-to-the-new-forum") as response:
            page = response.read()
    finally:
        server.stop()
    (tmp_path / "topic.html").write_bytes(page)
    reader = subprocess.Popen(
        [*FORUMSCRAPER, "parse", "topic.html", "--base-url", "https://demo.forumotion.com/"],
        cwd=tmp_path,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.close()  # as `| head` does once it has its lines
    errors = reader.stderr.read().decode()
    reader.stderr.close()
    assert reader.wait(timeout=60) == 1
    assert errors == ""


def test_crawl_works_from_a_folder_outside_the_checkout(tmp_path: Path) -> None:
    """No ``scrapy.cfg`` here: the command finds its settings itself, crawls the demo forum and
    exits 0, as ``scrapy crawl forum`` does in the checkout."""
    database = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    done = forumscraper(
        "crawl",
        "forum",
        "-s",
        "AUTOTHROTTLE_ENABLED=0",
        "-s",
        "DOWNLOAD_DELAY=0",
        cwd=tmp_path,
        DATABASE_URL=database,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "forumscraper: Run 1 of 'forum' finished" in done.stdout
    engine = make_engine(database)
    try:
        with engine.connect() as connection:
            assert connection.execute(select(CrawlRun.status)).scalars().all() == ["finished"]
            assert connection.execute(select(func.count()).select_from(Post)).scalar_one() > 100
    finally:
        engine.dispose()


def test_each_command_s_usage_names_it(tmp_path: Path) -> None:
    for name in COMMANDS:
        done = forumscraper(name, "--help", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"usage: forumscraper {name} "), done.stdout[:200]


ARCHIVE_READERS = [
    ("search", "bank"),
    ("export", "posts"),
    ("report", "-o", "{tmp}/report.html"),
    ("browse", "--metadata-out", "{tmp}/metadata.json"),
    ("dedup",),
    ("reprocess",),
]
"""Every command that reads or reworks an archive, with the arguments it needs."""


def _archive_command(
    words: tuple[str, ...], url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[str]]:
    argv = [word.format(tmp=tmp_path) for word in words]
    status = cli.main([*argv, "--database-url", url])
    captured = capsys.readouterr()
    assert captured.out == ""
    return status, captured.err.splitlines()


@pytest.mark.parametrize("words", ARCHIVE_READERS, ids=lambda words: words[0])
def test_a_missing_sqlite_archive_is_one_line_and_not_created(
    words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.sqlite3"
    status, lines = _archive_command(words, f"sqlite:///{missing}", tmp_path, capsys)
    assert status == 2
    assert lines == [
        f"forumscraper {words[0]}: error: no database at {missing}: crawl a board first"
    ]
    assert sorted(path.name for path in tmp_path.iterdir()) == []  # no file, no lock file


@pytest.mark.parametrize("words", ARCHIVE_READERS, ids=lambda words: words[0])
def test_a_database_that_is_no_archive_is_one_line_and_left_alone(
    words: tuple[str, ...], db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE bookmarks (url TEXT)"))
        status, lines = _archive_command(words, db_url, tmp_path, capsys)
        assert status == 2
        assert len(lines) == 1 and lines[0].startswith(f"forumscraper {words[0]}: error: ")
        if words[0] == "browse" and db_url.startswith("postgresql"):
            assert "Datasette reads SQLite files" in lines[0]  # any PostgreSQL database
        else:
            assert lines[0].endswith(" holds no forumscraper archive (no schema)")
        assert inspect(engine).get_table_names() == ["bookmarks"]  # no table added
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", ["dedup", "reprocess"])
@pytest.mark.parametrize("given", ["0", "-3", "many"])
def test_a_batch_size_that_cannot_work_is_one_line(
    command: str, given: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    status, lines = _archive_command((command, "--batch-size", given), url, tmp_path, capsys)
    assert status == 2
    assert len(lines) == 1 and lines[0].startswith(f"forumscraper {command}: error: ")
    assert "--batch-size" in lines[0]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("words", [("list",), ("remove", "1")], ids=lambda words: words[0])
def test_boards_reads_a_missing_sqlite_archive_as_one_line_and_makes_none(
    words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.sqlite3"
    status = cli.main(["boards", "--database-url", f"sqlite:///{missing}", *words])
    captured = capsys.readouterr()
    assert (status, captured.out) == (2, "")
    assert captured.err == f"forumscraper boards: no database at {missing}: crawl a board first\n"
    assert list(tmp_path.iterdir()) == []


def test_serve_demo_refuses_a_port_it_cannot_have_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["serve-demo", "--port", "99999"]) == 2
    assert capsys.readouterr().err == (
        "forumscraper serve-demo: error: argument --port: not a port number: '99999'\n"
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve-demo", "--port", str(port)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"forumscraper serve-demo: cannot serve on 127.0.0.1:{port}: Address already in use\n"
    )


@pytest.mark.parametrize("command", ["export", "report"])
def test_an_output_file_that_cannot_be_written_is_named_as_given(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    target = tmp_path / "no such folder" / "out.file"
    words = ["posts"] if command == "export" else []
    assert cli.main([command, *words, "-o", str(target), "--database-url", url]) == 1
    assert capsys.readouterr().err == (
        f"forumscraper {command}: cannot write {target}: No such file or directory\n"
    )
