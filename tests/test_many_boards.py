"""Many boards kept by one database (issue 17): ``forumscraper boards`` and one process checking
many boards (``scrapy crawl … -a boards=…``), run as people run them."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update

from forumscraper.cli import main as forumscraper
from forumscraper.db.board import (
    UnknownBoard,
    board_named,
    boards_to_check,
    register_board,
    schedule_next,
)
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.models import Board, CrawlRun, Post, Topic, table_of
from forumscraper.demo.content import build_demo_board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.spiders.base import page_language
from tests.members import PASSWORD, member_server
from tests.processes import environment
from tests.test_boards import board_b

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade_to_head(engine)
    yield engine
    engine.dispose()


def boards_command(
    db_url: str, *args: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    status = forumscraper(["boards", "--database-url", db_url, *args])
    out, err = capsys.readouterr()
    return status, out, err


def board_row(engine: Engine, base_url: str) -> dict[str, object]:
    table = table_of(Board)
    with engine.connect() as connection:
        row = connection.execute(select(table).where(table.c.base_url == base_url)).mappings()
        return dict(row.one())


def count(engine: Engine, model: type, board_id: int) -> int:
    table = table_of(model)
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(table).where(table.c.board_id == board_id)
            ).scalar_one()
        )


class TestBoardsCommand:
    def test_add_registers_the_normalised_address_with_its_schedule_and_login_names(
        self, db_url: str, engine: Engine, capsys: pytest.CaptureFixture[str]
    ) -> None:
        status, out, _ = boards_command(
            db_url,
            "add",
            "https://Example.Forumotion.com/forum",
            "--every",
            "1h30m",
            "--timezone",
            "+03:00",
            "--username-env",
            "EXAMPLE_USER",
            "--password-env",
            "EXAMPLE_PASSWORD",
            capsys=capsys,
        )
        assert status == 0, out
        assert "Added board" in out and "https://example.forumotion.com/" in out
        row = board_row(engine, "https://example.forumotion.com/")
        assert row["every_seconds"] == 5400
        assert row["timezone"] == "Etc/GMT-3"  # +03:00 as PostgreSQL reads it right
        assert (row["username_env"], row["password_env"]) == ("EXAMPLE_USER", "EXAMPLE_PASSWORD")
        assert row["next_due_at"] is None and row["removed_at"] is None
        # Added again: the same row, its settings changed, not a second board.
        status, out, _ = boards_command(
            db_url, "add", "https://example.forumotion.com", "--every", "15m", capsys=capsys
        )
        assert status == 0 and "Updated board" in out
        assert board_row(engine, "https://example.forumotion.com/")["every_seconds"] == 900
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(Board)).scalar() == 1

    @pytest.mark.parametrize(
        ("args", "says"),
        [
            (["example.forumotion.com"], "write it as https://example.forumotion.com/"),
            (["https://x.forumotion.com/", "--every", "30s"], "at least 1m"),
            (["https://x.forumotion.com/", "--every", "soon"], "write a period such as 15m"),
            (["https://x.forumotion.com/", "--timezone", "Mars/Olympus"], "not a timezone"),
            (["https://x.forumotion.com/", "--username-env", "U"], "needs both"),
            (
                ["https://x.forumotion.com/", "--username-env", "hunter2!", "--password-env", "P"],
                "NAME of an environment variable",
            ),
        ],
    )
    def test_bad_input_is_one_line_exit_2_and_nothing_stored(
        self,
        sqlite_url: str,
        args: list[str],
        says: str,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        status, _, err = boards_command(sqlite_url, "add", *args, capsys=capsys)
        assert status == 2
        assert says in err and len(err.strip().splitlines()) == 1
        engine = make_engine(sqlite_url)
        try:
            upgrade_to_head(engine)
            with engine.connect() as connection:
                assert connection.execute(select(func.count()).select_from(Board)).scalar() == 0
        finally:
            engine.dispose()

    def test_list_remove_and_purge(
        self, db_url: str, engine: Engine, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Two boards with rows: ``list`` shows each with its posts and runs, ``remove`` keeps
        the rows and takes the board off the schedule, ``--purge`` deletes one board's rows
        only, after confirmation."""
        a, _ = register_board(engine, "https://a.forumotion.com/")
        b, _ = register_board(engine, "https://b.forumotion.com/")
        now = datetime.now(UTC)
        topics, posts, runs = table_of(Topic), table_of(Post), table_of(CrawlRun)
        with engine.begin() as connection:
            for board_id in (a, b):
                connection.execute(
                    topics.insert().values(
                        board_id=board_id, id=12, title="Hello", first_seen_at=now
                    )
                )
                connection.execute(
                    posts.insert().values(
                        board_id=board_id,
                        id=100,
                        topic_id=12,
                        position=0,
                        edit_count=0,
                        body_html="<p>x</p>",
                        body_text="x",
                        content_hash="h",
                        links=[],
                        hidden_link_count=0,
                        collapsed_repeats=0,
                        first_seen_at=now,
                        last_seen_at=now,
                    )
                )
            for status in ("finished", "failed", "failed"):
                connection.execute(
                    runs.insert().values(
                        spider="recent",
                        board_id=b,
                        base_url="https://b.forumotion.com/",
                        started_at=now,
                        finished_at=now,
                        status=status,
                        requests=1,
                        pages=1,
                        new_posts=0,
                        updated_posts=0,
                        errors=0,
                        stats={},
                    )
                )
        status, out, _ = boards_command(db_url, "list", capsys=capsys)
        assert status == 0
        lines = {line.split()[0]: line for line in out.splitlines()[1:]}
        assert "https://a.forumotion.com/" in lines[str(a)] and "never run" in lines[str(a)]
        assert "failed 2x in a row" in lines[str(b)]
        assert " 1 " in lines[str(b)]  # its one post

        status, out, _ = boards_command(db_url, "remove", "https://a.forumotion.com", capsys=capsys)
        assert status == 0 and "stays" in out
        assert board_row(engine, "https://a.forumotion.com/")["removed_at"] is not None
        assert count(engine, Post, a) == 1
        assert [board.id for board in boards_to_check(engine, "all")] == [b]

        status, out, err = boards_command(db_url, "remove", str(b), "--purge", capsys=capsys)
        assert status == 1 and "--yes" in err  # no terminal to ask on: nothing deleted
        assert count(engine, Post, b) == 1
        status, out, _ = boards_command(db_url, "remove", str(b), "--purge", "--yes", capsys=capsys)
        assert status == 0 and "1 posts" in out and "3 crawl_runs" in out
        assert count(engine, Post, b) == count(engine, Topic, b) == count(engine, CrawlRun, b) == 0
        assert count(engine, Post, a) == 1  # the other board keeps its rows
        status, _, err = boards_command(db_url, "remove", str(b), capsys=capsys)
        assert status == 2 and "no board" in err


def test_a_board_is_named_by_id_or_address_and_a_wrong_name_lists_the_boards(
    engine: Engine,
) -> None:
    """The one reader of ``-a boards=``, ``boards remove`` and every ``--board``: an id or any
    spelling of an address; a wrong name says which boards there are (five, then how many
    more), a malformed one says what it is not."""
    with pytest.raises(UnknownBoard, match=r"no board '1' in this database \(it holds none\)"):
        board_named(engine, "1")
    ids = [register_board(engine, f"https://b{n}.forumotion.com/")[0] for n in range(7)]
    assert board_named(engine, f" {ids[3]} ") == ids[3]
    assert board_named(engine, "HTTPS://B4.forumotion.com") == ids[4]
    with pytest.raises(UnknownBoard) as wrong:
        board_named(engine, "https://c.forumotion.com/")
    assert str(wrong.value) == (
        "no board 'https://c.forumotion.com/' in this database (boards: "
        + ", ".join(f"{ids[n]} https://b{n}.forumotion.com/" for n in range(5))
        + " and 2 more: forumscraper boards list)"
    )
    with pytest.raises(UnknownBoard, match="'not a url' is neither a board id nor a board address"):
        board_named(engine, "not a url")


def test_due_boards_follow_their_schedule(engine: Engine) -> None:
    """``due``: boards never checked and those whose period has passed, oldest due first; a
    board without a period at every run; removed boards never, unless named."""
    hourly, _ = register_board(engine, "https://hourly.forumotion.com/")
    always, _ = register_board(engine, "https://always.forumotion.com/")
    gone, _ = register_board(engine, "https://gone.forumotion.com/")
    boards = table_of(Board)
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(update(boards).where(boards.c.id == hourly).values(every_seconds=3600))
        connection.execute(update(boards).where(boards.c.id == gone).values(removed_at=now))
    assert [b.id for b in boards_to_check(engine, "due", now)] == [hourly, always]
    schedule_next(engine, hourly, now - timedelta(minutes=10))
    schedule_next(engine, always, now - timedelta(minutes=10))
    assert [b.id for b in boards_to_check(engine, "due", now)] == [always]
    assert [b.id for b in boards_to_check(engine, "due", now + timedelta(hours=1))] == [
        always,
        hourly,
    ]
    assert [b.id for b in boards_to_check(engine, "all", now)] == [always, hourly]
    named = boards_to_check(engine, f"{gone}, https://HOURLY.forumotion.com", now)
    assert [b.id for b in named] == [gone, hourly]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def scrapy_crawl(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            *args,
            "-s",
            "AUTOTHROTTLE_ENABLED=0",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "RETRY_TIMES=0",
        ],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_one_process_crawls_and_checks_five_boards_and_a_failing_one_fails_alone(
    db_url: str, engine: Engine
) -> None:
    """Five boards in one ``scrapy crawl forum -a boards=all``, then in one ``recent``: one is
    down, one names a member login whose variables are not set; the other three are crawled
    whole (then found unchanged), each with its own content and its own ``crawl_runs`` rows, and
    the exit status is 1 both times."""
    a, b = build_demo_board(), board_b()
    with ExitStack() as stack:
        servers = [
            stack.enter_context(FixtureForumServer(board, version="prosilver"))
            for board in (a, b, build_demo_board())
        ]
        down = f"http://127.0.0.1:{free_port()}/"
        env = environment(DATABASE_URL=db_url, FORUMSCRAPER_TIMEZONE=a.timezone)
        ids = {}
        for server in servers:
            ids[server.base_url] = register_board(engine, server.base_url)[0]
        ids[down] = register_board(engine, down)[0]
        login = servers[2].base_url.replace("127.0.0.1", "localhost")
        login_names = ["--username-env", "NOBODY_SET_THIS", "--password-env", "NOR_THIS"]
        assert forumscraper(["boards", "--database-url", db_url, "add", login, *login_names]) == 0
        ids[login] = register_board(engine, login)[0]
        done = scrapy_crawl("forum", "-a", "boards=all", env=env)
        # Then the check of every few minutes, on the same five: nothing new on three boards.
        again = scrapy_crawl("recent", "-a", "boards=all", env=env)
    assert done.returncode == 1, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert "5 board(s) checked: 2 failed, 3 finished" in done.stdout, (done.stdout, errors)
    runs = table_of(CrawlRun)
    with engine.connect() as connection:
        statuses = {
            board_id: (status, message)
            for board_id, status, message in connection.execute(
                select(runs.c.board_id, runs.c.status, runs.c.message)
            )
        }
    assert {statuses[ids[server.base_url]][0] for server in servers} == {"finished"}
    assert statuses[ids[down]][0] == "failed" and "no page could be fetched" in str(
        statuses[ids[down]][1]
    )
    assert statuses[ids[login]][0] == "failed" and "login" in str(statuses[ids[login]][1])
    assert "NOBODY_SET_THIS" in done.stderr
    posts = table_of(Post)
    expected = len([p for t in a.live_topics() for p in t.live_posts])
    with engine.connect() as connection:
        for server in servers:
            board_id = ids[server.base_url]
            texts = connection.execute(
                select(posts.c.body_text).where(posts.c.board_id == board_id)
            ).scalars()
            texts = list(texts)
            only_b = any("A reply only board B has." in text for text in texts)
            assert only_b == (server is servers[1])
            assert len(texts) == expected + (1 if server is servers[1] else 0)
        assert count(engine, Post, ids[login]) == 0 and count(engine, Post, ids[down]) == 0
    assert again.returncode == 1, again.stderr[-3000:]
    assert "5 board(s) checked: 2 failed, 3 finished" in again.stdout, again.stdout
    with engine.connect() as connection:
        latest = {
            board_id: (status, new_posts)
            for board_id, status, new_posts in connection.execute(
                select(runs.c.board_id, runs.c.status, runs.c.new_posts)
                .where(runs.c.spider == "recent")
                .order_by(runs.c.id)
            )
        }
    assert {latest[ids[server.base_url]] for server in servers} == {("finished", 0)}
    assert latest[ids[down]][0] == latest[ids[login]][0] == "failed"


def test_boards_and_base_url_together_is_a_usage_error(sqlite_url: str) -> None:
    done = scrapy_crawl(
        "recent",
        "-a",
        "boards=all",
        "-a",
        "base_url=https://x.forumotion.com/",
        env=environment(DATABASE_URL=sqlite_url),
    )
    assert done.returncode == 2 and "not both" in done.stderr
    done = scrapy_crawl("recent", "-a", "boards=7", env=environment(DATABASE_URL=sqlite_url))
    assert done.returncode == 2 and "no board '7'" in done.stderr
    done = scrapy_crawl("recent", "-a", "boards=due", env=environment(DATABASE_URL=sqlite_url))
    assert done.returncode == 0 and "no board is due" in done.stdout


def test_refusing_new_boards_stops_a_crawl_of_an_unregistered_address(
    sqlite_url: str, server: FixtureForumServer
) -> None:
    """``FORUMSCRAPER_REFUSE_NEW_BOARDS=1``: a typo in a scheduled job fails before anything is
    written; once the board is added, the same command crawls it."""
    env = environment(DATABASE_URL=sqlite_url, FORUMSCRAPER_REFUSE_NEW_BOARDS="1")
    done = scrapy_crawl("recent", "-a", f"base_url={server.base_url}", env=env)
    assert done.returncode == 2
    assert "not a registered board" in done.stderr and "forumscraper boards add" in done.stderr
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(Board)).scalar() == 0
            assert connection.execute(select(func.count()).select_from(CrawlRun)).scalar() == 0
        assert forumscraper(["boards", "--database-url", sqlite_url, "add", server.base_url]) == 0
        done = scrapy_crawl("recent", "-a", f"base_url={server.base_url}", env=env)
        assert done.returncode == 0, done.stderr[-2000:]
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(Post)).scalar()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("declared", "kept"),
    [
        ("en", "en"),
        ("AR", "ar"),
        ("pt_BR", "pt-br"),
        ("{L_LANG_HTML}", None),
        ("", None),
        (None, None),
    ],
)
def test_the_board_language_is_the_tag_its_pages_declare(
    declared: str | None, kept: str | None
) -> None:
    assert page_language(declared) == kept


def test_one_boards_zone_and_login_are_not_anothers(db_url: str, engine: Engine) -> None:
    """``FORUMSCRAPER_TIMEZONE`` and the member login set for the ``FORUMSCRAPER_BASE_URL``
    board (as a Docker ``.env`` of a first board has them) stay that board's among
    ``-a boards=all``: a board in another zone that shows guests no clock is read in the zone
    ``boards add --timezone`` gave it, and never receives the other board's password."""
    tokyo, bogota = build_demo_board(), build_demo_board()
    tokyo.move_clock("Asia/Tokyo")
    bogota.move_clock("America/Bogota")
    with ExitStack() as stack:
        first = stack.enter_context(member_server(tokyo, member_only_forum=False))
        other = stack.enter_context(FixtureForumServer(bogota, version="subsilver"))
        ids = {server.base_url: register_board(engine, server.base_url)[0] for server in (first,)}
        add = ["boards", "--database-url", db_url, "add", other.base_url]
        assert forumscraper([*add, "--timezone", "America/Bogota"]) == 0
        ids[other.base_url] = register_board(engine, other.base_url)[0]
        env = environment(
            DATABASE_URL=db_url,
            FORUMSCRAPER_BASE_URL=first.base_url,
            FORUMSCRAPER_TIMEZONE="Asia/Tokyo",
            FORUMSCRAPER_USERNAME="Rocky",
            FORUMSCRAPER_PASSWORD=PASSWORD,
        )
        done = scrapy_crawl("forum", "-a", "boards=all", env=env)
        assert "/login" not in {path.split("?")[0] for path in other.requests}
        assert any(path.startswith("/login") for path in first.requests)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "2 board(s) checked: 2 finished" in done.stdout
    assert f"FORUMSCRAPER_USERNAME is not used for {other.base_url}" in done.stderr
    assert f"FORUMSCRAPER_TIMEZONE is not used for {other.base_url}" in done.stderr
    posts = table_of(Post)
    for board, server in ((tokyo, first), (bogota, other)):
        with engine.connect() as connection:
            stored = dict(
                connection.execute(
                    select(posts.c.id, posts.c.posted_at).where(
                        posts.c.board_id == ids[server.base_url]
                    )
                ).all()
            )
        truth = {post.id: post.posted_at for t in board.live_topics() for post in t.live_posts}
        assert stored == truth, server.base_url


CLEANING_FAILS_ON_B = r"""
import sys
import forumscraper.text.clean as clean
original = clean.clean_post
def clean_post(body_html, **kwargs):
    if "ONLY-ON-BOARD-B" in body_html:
        raise RuntimeError("cleaning failed on board B")
    return original(body_html, **kwargs)
clean.clean_post = clean_post
from scrapy.cmdline import execute
sys.argv = ["scrapy", *sys.argv[1:]]
execute()
"""


def test_an_error_of_one_board_fails_that_boards_run_only(db_url: str, engine: Engine) -> None:
    """A post whose cleaning fails on board B is stored with empty text (its topic complete),
    and the error fails B's run, not board A's, which runs beside it in the same process."""
    a, b = build_demo_board(), build_demo_board()
    topic = b.live_topics()[0]
    rocky = b.member_by_name("Rocky")
    bad = b.add_post(topic.id, rocky, "<p>ONLY-ON-BOARD-B</p>", topic.live_posts[-1].posted_at)
    with ExitStack() as stack:
        servers = [stack.enter_context(FixtureForumServer(board)) for board in (a, b)]
        servers[0].latency = 0.05  # board A is still crawling when B's error is logged
        ids = [register_board(engine, server.base_url)[0] for server in servers]
        env = environment(
            DATABASE_URL=db_url, FORUMSCRAPER_TIMEZONE=a.timezone, FORUMSCRAPER_WORKERS="0"
        )
        done = subprocess.run(
            [sys.executable, "-c", CLEANING_FAILS_ON_B, "crawl", "forum", "-a", "boards=all"],
            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert "2 board(s) checked: 1 failed, 1 finished" in done.stdout, done.stderr[-3000:]
    runs = table_of(CrawlRun)
    with engine.connect() as connection:
        status = dict(connection.execute(select(runs.c.board_id, runs.c.status)).all())
        row = connection.execute(
            select(Post.body_text, Post.hidden_link_count).where(
                Post.board_id == ids[1], Post.id == bad.id
            )
        ).one()
    assert (status[ids[0]], status[ids[1]]) == ("finished", "failed")
    assert tuple(row) == ("", 0)
    assert count(engine, Post, ids[1]) == len(b.live_posts())


def test_boards_and_board_url_together_is_a_usage_error(sqlite_url: str) -> None:
    done = scrapy_crawl(
        "forum", "-a", "boards=all", "-a", "board_url=https://mine.forumotion.com/",
        env=environment(DATABASE_URL=sqlite_url),
    )  # fmt: skip
    assert done.returncode == 2
    assert "give -a boards=… or -a board_url=…, not both" in done.stderr
