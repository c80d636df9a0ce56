"""Full-text search on both databases: SQLite's FTS5 index kept by its triggers (migration
0009) as PostgreSQL's ``posts.search`` is by its own, Arabic written with vowel marks found the
same way on both, ``forumscraper search`` end to end (filters, extract, URL, bad input), and
migration 0009 up and down from the previous head (0008) holding rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from forumscraper.commands import search as search_command
from forumscraper.db.board import register_board
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import alembic_config, current_revision, head_revision
from forumscraper.db.search import BadSearch, Filters, fts5_query, search
from forumscraper.db.store import Batch, Store

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BOARD = "https://iraq.forumotion.com/"


def post(post_id: int, topic_id: int, position: int, author: str, body: str, **more: Any) -> dict:
    return {
        "id": post_id,
        "topic_id": topic_id,
        "position": position,
        "author_name": author,
        "author_id": None,
        "posted_at": NOW - timedelta(days=post_id % 10),
        "body_html": f"<p>{body}</p>",
        "body_text": body,
        "content_hash": f"h{post_id}",
        "links": [],
        "hidden_link_count": 0,
        "collapsed_repeats": 0,
        "edit_count": 0,
        "url": f"{BOARD}t{topic_id}-x#{post_id}",
    } | more


def batch() -> Batch:
    return Batch(
        categories=[{"id": 1, "title": "News", "url": "/c1-news", "position": 0}],
        forums=[
            {"id": 3, "title": "Iraq News", "category_id": 1, "category": "News", "position": 0},
            {
                "id": 4,
                "title": "المنتدى العربي",
                "category_id": 1,
                "category": "News",
                "position": 1,
            },
        ],
        topics=[
            {"id": 11, "forum_id": 3, "title": "Central Bank reserves", "url": "/t11-x"},
            {"id": 12, "forum_id": 4, "title": "أخبار الكهرباء", "url": "/t12-x"},
        ],
        posts=[
            post(101, 11, 0, "Rocky", "Gold bought by the central bank, reserves at a record."),
            post(102, 11, 1, "Layla", "The dinar falls again; audio leaks blame the bank."),
            # Arabic as boards print it: plain, with vowel marks (harakat), with a tatweel.
            post(201, 12, 0, "أبو علي", "ما هي أوقات الكهرباء في منطقتكم؟"),
            post(202, 12, 1, "Layla", "انقطعت الْكَهْرَبَاءُ منذ الصباح"),
            post(203, 12, 2, "Rocky", "الكهربـــاء عادت في بغداد"),
        ],
    )


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    command.upgrade(alembic_config(engine), "head")
    yield engine
    engine.dispose()


def ids(engine: Engine, words: str, **filters: Any) -> list[int]:
    return [match.post_id for match in search(engine, words, Filters(**filters), limit=50)]


def fts_is_consistent(engine: Engine) -> None:
    """FTS5's own check of its index against the text it was made from (SQLite only)."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO posts_fts (posts_fts, rank) VALUES ('integrity-check', 1)")
            )


def test_the_index_follows_text_and_title_changes(engine: Engine) -> None:
    board_id = register_board(engine, BOARD)[0]
    with engine.begin() as connection:  # a post stored before its topic (deferred key)
        connection.execute(
            text(
                "INSERT INTO posts (board_id, id, topic_id, position, edit_count, body_html,"
                " body_text, content_hash, links, hidden_link_count, collapsed_repeats,"
                " first_seen_at, last_seen_at) VALUES (:b, 100, 11, 0, 0, 'Early', 'Early',"
                " 'h0', '[]', 0, 0, :now, :now)"
            ),
            {"b": board_id, "now": NOW.strftime("%Y-%m-%d %H:%M:%S.%f")},
        )
        connection.execute(
            text(
                "INSERT INTO topics (board_id, id, forum_id, title, first_seen_at)"
                " VALUES (:b, 11, NULL, 'Central', :now)"
            ),
            {"b": board_id, "now": NOW.strftime("%Y-%m-%d %H:%M:%S.%f")},
        )
    assert ids(engine, "central early") == [100]
    fts_is_consistent(engine)
    store = Store(engine, board_id)
    store.write(batch(), NOW)
    assert sorted(ids(engine, "central")) == [100, 101, 102]
    edited = batch()
    edited.posts[1] |= {"body_text": "The dinar rises", "content_hash": "h3"}
    edited.topics[0]["title"] = "Reserves of the treasury"
    store.write(edited, NOW + timedelta(hours=1))
    assert ids(engine, "rises") == [102]
    assert ids(engine, "falls") == []
    assert sorted(ids(engine, "treasury")) == [100, 101, 102]
    assert ids(engine, "central") == [101]  # only in its text now
    fts_is_consistent(engine)
    with engine.begin() as connection:  # rows are never deleted by a crawl, but by hand they may
        connection.execute(text("DELETE FROM posts WHERE id = 101"))
    assert ids(engine, "gold") == []
    fts_is_consistent(engine)


def test_search_words_filters_and_live_posts(engine: Engine) -> None:
    board_id = register_board(engine, BOARD)[0]
    other = register_board(engine, "https://basra.forumotion.com/")[0]
    Store(engine, board_id).write(batch(), NOW)
    Store(engine, other).write(batch(), NOW)
    both = sorted(ids(engine, "bank"))
    assert both == [101, 101, 102, 102]
    assert sorted(ids(engine, "bank", board_id=other)) == [101, 102]
    assert ids(engine, "bank", board_id=board_id, author="Layla") == [102]
    assert ids(engine, '"audio leaks"', board_id=board_id) == [102]
    assert ids(engine, '"leaks audio"', board_id=board_id) == []
    assert sorted(ids(engine, "gold or dinar", board_id=board_id)) == [101, 102]
    assert ids(engine, "bank -dinar", board_id=board_id) == [101]
    arabic = sorted(ids(engine, "الكهرباء", board_id=board_id, forum_title="المنتدى العربي"))
    assert arabic == [201, 202, 203]  # 202 and 203 by their topic's title
    assert ids(engine, "bank", forum_title="المنتدى العربي") == []
    assert sorted(ids(engine, "bank", forum_id=3, board_id=board_id)) == [101, 102]
    since = NOW - timedelta(days=1, minutes=1)  # 101 is a day old, 102 two days
    assert ids(engine, "bank", board_id=board_id, since=since) == [101]
    with engine.begin() as connection:
        connection.execute(text("UPDATE posts SET deleted_at = last_seen_at WHERE id = 101"))
    assert ids(engine, "bank", board_id=board_id) == [102]
    (match,) = search(engine, "audio", Filters(board_id=board_id))
    assert match.url == f"{BOARD}t11-x#102"
    assert match.topic_title == "Central Bank reserves"
    assert match.forum_title == "Iraq News"
    assert "\x02audio\x03" in match.extract.lower()


def test_arabic_is_found_the_same_way_on_both_databases(pg_url: str, sqlite_url: str) -> None:
    """A word written with vowel marks (harakat) or stretched with a tatweel is another word on
    PostgreSQL's ``simple`` configuration, and on FTS5's ``unicode61``: neither finds it by its
    plain spelling. Both find the plain word, in the title and in the text."""
    found = {}
    for url in (pg_url, sqlite_url):
        engine = make_engine(url)
        try:
            command.upgrade(alembic_config(engine), "head")
            Store(engine, register_board(engine, BOARD)[0]).write(batch(), NOW)
            found[engine.dialect.name] = {
                words: sorted(ids(engine, words))
                for words in ("الكهرباء", "بغداد", "أخبار", "الكهربـــاء", "منطقتكم")
            }
        finally:
            engine.dispose()
    assert found["sqlite"] == found["postgresql"]
    assert found["sqlite"]["الكهرباء"] == [201, 202, 203]  # 202, 203 by their topic's title
    assert found["sqlite"]["منطقتكم"] == [201]


@pytest.mark.parametrize(
    ("words", "query"),
    [
        ("audio leaks", '"audio" AND "leaks"'),
        ('"integrity commission"', '"integrity commission"'),
        ("gold or dinar bank", '("gold" OR "dinar") AND "bank"'),
        ("bank -dinar", '("bank") NOT "dinar"'),
        ('bank -"dinar falls"', '("bank") NOT "dinar falls"'),
        ("NEAR(a b) AND c*", '"NEAR(a" AND "b)" AND "AND" AND "c*"'),
        ('say "hi', '"say" AND "hi"'),
        ("or bank", '"or" AND "bank"'),
        ("... bank !", '"bank"'),
    ],
)
def test_search_box_words_become_an_fts5_query(words: str, query: str) -> None:
    assert fts5_query(words) == query


@pytest.mark.parametrize("words", ["", "  ", "...", "-dinar", '-"a b"'])
def test_a_search_without_a_wanted_word_is_refused(words: str) -> None:
    with pytest.raises(BadSearch):
        fts5_query(words)


# -- forumscraper search ------------------------------------------------------------------------


def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, *argv: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", url)
    status = search_command.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_the_command_prints_the_best_matches(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(db_url)
    try:
        command.upgrade(alembic_config(engine), "head")
        board_id = register_board(engine, BOARD)[0]
        Store(engine, board_id).write(batch(), NOW)
    finally:
        engine.dispose()
    status, out, err = run_cli(capsys, monkeypatch, db_url, "audio", "leaks")
    assert (status, err) == (0, "")
    assert out.startswith("1. Central Bank reserves  [Iraq News]\n   Layla, 2026-11")
    assert "**audio** **leaks**" in out.lower()
    assert f"{BOARD}t11-x#102" in out
    assert "2." not in out

    status, out, _ = run_cli(
        capsys, monkeypatch, db_url, "bank", "--author", "Rocky", "--forum", "iraq news",
        "--board", BOARD, "--since", "2026-11-01", "--limit", "5",
    )  # fmt: skip
    assert status == 0
    assert out.count(f"{BOARD}t11-x#") == 1 and "#101" in out
    status, out, _ = run_cli(capsys, monkeypatch, db_url, "bank", "--forum", "4")
    assert (status, out) == (0, "No post matches 'bank'.\n")
    status, out, _ = run_cli(capsys, monkeypatch, db_url, "bank", "--limit", "1")
    assert status == 0 and out.count("\n1. ") + out.startswith("1. ") == 1 and "2. " not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--since", "last week", "bank"], "--since: not a date: 'last week'"),
        (["--limit", "0", "bank"], "--limit: not a number from 1 to 1000: '0'"),
        (
            ["--board", "https://nowhere.forumotion.com/", "bank"],
            "--board: no board 'https://nowhere.forumotion.com/' in this database (boards: 1 https://",
        ),
        (["--board", "7", "bank"], "--board: no board '7' in this database (boards: 1 https://"),
        (
            ["--board", "not a url", "bank"],
            "--board: 'not a url' is neither a board id nor a board address",
        ),
        (["--forum", "Sports", "bank"], "--forum: no forum is called Sports"),
        (["--", "-bank"], "only excluded words"),
        ([], "the following arguments are required: words"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(
    argv: list[str],
    message: str,
    sqlite_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = make_engine(sqlite_url)
    try:
        command.upgrade(alembic_config(engine), "head")
        Store(engine, register_board(engine, BOARD)[0]).write(batch(), NOW)
    finally:
        engine.dispose()
    status, out, err = run_cli(capsys, monkeypatch, sqlite_url, *argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("forumscraper search: error: "), err
    assert message in err


def test_a_missing_sqlite_file_is_not_created(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "none.sqlite3"
    status, out, err = run_cli(capsys, monkeypatch, f"sqlite:///{path}", "bank")
    assert (status, out) == (2, "")
    assert "no database at" in err
    assert not path.exists()


# -- migration 0009 from the previous head, a database holding rows -------------

PREVIOUS = "0008"
"""The head before this revision (boards.removed_at)."""


TRIGGERS = {
    ("posts", "posts_fts_insert"),
    ("posts", "posts_fts_update"),
    ("posts", "posts_fts_delete"),
    ("topics", "topics_fts_insert"),
    ("topics", "topics_fts_update"),
    ("topics", "topics_fts_delete"),
}
"""The triggers that keep SQLite's index (a revision rebuilding ``posts`` or ``topics`` must
create them again)."""


def fts_triggers(engine: Engine) -> set[tuple[str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        ).all()
    return {(table, name) for table, name in rows if "fts" in name}


def test_upgrade_fills_the_index_and_downgrade_removes_it(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        config = alembic_config(engine)
        # Rows as today's store writes them, in a database taken back to the previous revision.
        command.upgrade(config, "head")
        first = register_board(engine, BOARD)[0]
        second = register_board(engine, "https://basra.forumotion.com/")[0]
        Store(engine, first).write(batch(), NOW)
        copied = batch()
        copied.posts[0]["posted_at"] = NOW - timedelta(days=30)  # 101's text, earlier on board 2
        Store(engine, second).write(copied, NOW)
        command.downgrade(config, PREVIOUS)
        with engine.connect() as connection:
            before = connection.execute(text("SELECT * FROM posts ORDER BY board_id, id")).all()

        command.upgrade(config, "head")
        assert current_revision(engine) == head_revision()
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            assert {"posts_fts"} <= set(inspect(engine).get_table_names())
            assert fts_triggers(engine) == TRIGGERS
            fts_is_consistent(engine)
        assert sorted(ids(engine, "central")) == [101, 101, 102, 102]
        assert sorted(ids(engine, "الكهرباء", board_id=first)) == [201, 202, 203]
        with engine.connect() as connection:
            first_board = connection.execute(
                text(
                    "SELECT board_id, board_count FROM duplicate_articles "
                    "WHERE post_id = 101 AND posted_at = first_posted_at"
                )
            ).all()
        assert [tuple(row) for row in first_board] == [(second, 2)]
        command.check(config)

        command.downgrade(config, PREVIOUS)
        assert current_revision(engine) == PREVIOUS
        names = set(inspect(engine).get_table_names()) | set(inspect(engine).get_view_names())
        assert not {name for name in names if name.startswith("posts_fts")}
        with engine.connect() as connection:
            assert (
                connection.execute(text("SELECT * FROM posts ORDER BY board_id, id")).all()
                == before
            )
            columns = connection.execute(text("SELECT * FROM duplicate_articles")).keys()
            assert "board_count" not in columns
        if sqlite:  # the triggers went with the index: writing posts still works
            with engine.begin() as connection:
                connection.execute(text("UPDATE posts SET body_text = body_text || ''"))
                connection.execute(text("UPDATE topics SET title = title || ''"))

        command.upgrade(config, "head")
        if sqlite:
            assert fts_triggers(engine) == TRIGGERS
        fts_is_consistent(engine)
        assert sorted(ids(engine, "reserves")) == [101, 101, 102, 102]
        command.check(config)
    finally:
        engine.dispose()
