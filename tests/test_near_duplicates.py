"""Near-duplicate articles end to end, on SQLite and PostgreSQL: the seed article pasted in
other topics with small differences (another source line, a trimmed sentence, BBCode leftovers)
and once exactly is one group after a crawl, a different article on the same subject is not in
it; the next crawl signs only its new articles; the same article on a second board joins the
group; ``forumscraper dedup`` rebuilds the same groups; migration 0010 goes down and up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, delete, inspect, select, text

from forumscraper import dedup
from forumscraper.commands import dedup as dedup_command
from forumscraper.db.board import find_board
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import alembic_config, upgrade_to_head
from forumscraper.db.models import ArticleBand, ArticleSignature, NearDuplicate, table_of
from forumscraper.demo.content import DEMO_SEED_TOPIC_ID, Board, build_demo_board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.text.clean import content_hash as dedup_hash
from tests.crawling import crawl, stat

NEAR = table_of(NearDuplicate)

TRIMMED = (
    "The commission explained that the investigation came under the direction of Prime "
    "Minister Mohammed Shia al-Sudani and in cooperation and coordination with the judge of the "
    "Central Criminal Court for Combating Corruption."
)
SAME_SUBJECT = (
    "<p>Leaks of recorded calls keep shaking Baghdad. A new recording, published on Tuesday "
    "by an anonymous account, is said to capture a deputy minister discussing contracts for the "
    "electricity grid with a businessman from Basra. The ministry called the recording a "
    "montage and promised to sue whoever spread it, while two members of parliament asked the "
    "Integrity Commission to open a file. Analysts interviewed by local television said that "
    "the season of leaks always opens a few months before elections, when parties trade "
    "accusations, and that few of the recordings ever reach a courtroom. Citizens on social "
    "media were less patient: many asked why the power cuts of the summer were never "
    "investigated with the same zeal as the calls of rival politicians.</p>"
)


def seed_html(board: Board) -> str:
    topic = board.topic(DEMO_SEED_TOPIC_ID)
    assert topic is not None
    return topic.first_post.body_html


def add_copies(board: Board) -> dict[str, int]:
    """The seed article pasted again across the board, as people do; post ids by kind."""
    rocky = board.member_by_name("Rocky")
    assert rocky is not None
    original = seed_html(board)
    assert TRIMMED in original
    at = datetime.now(UTC) - timedelta(hours=2)
    others = [t for t in board.live_topics() if t.id != DEMO_SEED_TOPIC_ID]
    ids = {"seed": board.topic(DEMO_SEED_TOPIC_ID).first_post.id}  # type: ignore[union-attr]
    ids["source"] = board.add_post(
        others[0].id, rocky, original + "<br />Source: Tigris News, 2 December 2024", at
    ).id
    ids["trimmed"] = board.add_post(
        others[1].id, rocky, "[b]" + original.replace(TRIMMED, "") + "[/size] [/b]", at
    ).id
    ids["exact"] = board.add_post(others[2].id, None, original, at, guest_name="Reader").id
    ids["same_subject"] = board.add_post(others[3].id, rocky, SAME_SUBJECT, at).id
    # a reply quoting the whole article: long, but its own words are a line
    quoting = f"<blockquote><div><cite>Rocky wrote:</cite>{original}</div></blockquote>Agreed."
    ids["quoting"] = board.add_post(others[4].id, None, quoting, at, guest_name="Reader").id
    return ids


async def crawl_board(server: FixtureForumServer, board: Board, url: str) -> Crawler:
    crawler = await crawl(
        "forum", url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
    )
    assert stat(crawler, "forumscraper/run/status") == "finished", stat(
        crawler, "forumscraper/run/summary"
    )
    return crawler


def view_rows(engine: Engine) -> list[dict]:
    with engine.connect() as connection:
        return [
            dict(row)
            for row in connection.execute(
                text("SELECT * FROM near_duplicate_articles ORDER BY board_id, post_id")
            ).mappings()
        ]


def signatures(engine: Engine, *, empty: bool = False) -> dict[tuple[int, int], datetime]:
    """When each article was signed (``empty``: the long posts found to be no article)."""
    table = table_of(ArticleSignature)
    with engine.connect() as connection:
        return {
            (row.board_id, row.post_id): row.computed_at
            for row in connection.execute(select(table))
            if (row.signature == b"") is empty
        }


@deferred_f_from_coro_f
async def test_copies_of_an_article_are_one_group_across_topics_runs_and_boards(
    db_url: str,
) -> None:
    board = build_demo_board()
    ids = add_copies(board)
    engine = make_engine(db_url)
    try:
        with FixtureForumServer(board, version="prosilver") as server:
            crawler = await crawl_board(server, board, db_url)
            board_id = find_board(engine, server.base_url)
        long_posts = [p for p in board.live_posts() if len(p.body_html) > dedup.MIN_ARTICLE_CHARS]
        signed = signatures(engine)
        # every article of the board is signed, the chatter is not
        articles = {k: v for k, v in ids.items() if k != "quoting"}
        assert set(signed) == {(board_id, post_id) for post_id in articles.values()}
        assert set(signatures(engine, empty=True)) == {(board_id, ids["quoting"])}
        assert len(long_posts) == len(signed) + 1  # the reply quoting the article
        assert stat(crawler, "forumscraper/near_duplicates/signed") == len(signed)
        rows = view_rows(engine)
        group = sorted(ids[k] for k in ("seed", "source", "trimmed", "exact"))
        assert [row["post_id"] for row in rows] == group
        assert {(row["group_board_id"], row["group_post_id"]) for row in rows} == {
            (board_id, min(group))
        }
        assert {row["copies"] for row in rows} == {4}
        assert {row["topic_count"] for row in rows} == {4}
        assert {row["variants"] for row in rows} == {3}  # the exact copy shares a hash
        assert {row["board_count"] for row in rows} == {1}

        # the next run signs only its new article and adds it to the group
        rocky = board.member_by_name("Rocky")
        assert rocky is not None
        later = board.add_post(
            board.live_topics()[5].id,
            rocky,
            seed_html(board).replace("Audio leaks", "Recorded leaks") + "<br />Via: newsdesk",
        )
        with FixtureForumServer(board, version="prosilver", port=server.port) as server:
            crawler = await crawl_board(server, board, db_url)
        assert stat(crawler, "forumscraper/near_duplicates/signed") == 1
        after = signatures(engine)
        assert {key: after[key] for key in signed} == signed  # old ones not recomputed
        assert [row["post_id"] for row in view_rows(engine)] == sorted([*group, later.id])

        # the same article on another board joins the group
        other = build_demo_board()
        other.add_post(other.live_topics()[2].id, rocky, seed_html(other) + "<p>Shared.</p>")
        with FixtureForumServer(other, version="prosilver") as second:
            await crawl_board(second, other, db_url)
            other_id = find_board(engine, second.base_url)
        rows = view_rows(engine)
        assert {row["board_count"] for row in rows} == {2}
        assert {row["board_id"] for row in rows} == {board_id, other_id}
        assert len({(row["group_board_id"], row["group_post_id"]) for row in rows}) == 1
        assert not {ids["same_subject"], ids["quoting"]} & {row["post_id"] for row in rows}

        # forumscraper dedup rebuilds the same groups from the stored signatures
        groups = table_of(NearDuplicate)
        with engine.connect() as connection:
            before = sorted(connection.execute(select(groups.c[1:4])).all())
        with engine.begin() as connection:
            connection.execute(delete(groups))
        assert view_rows(engine) == []
        assert dedup_command.main(["--database-url", db_url]) == 0
        with engine.connect() as connection:
            assert sorted(connection.execute(select(groups.c[1:4])).all()) == before
    finally:
        engine.dispose()


def test_an_edited_article_is_signed_again(db_url: str) -> None:
    """A changed text loses its signature and gets a new one: the group follows the text."""
    from forumscraper.db import near_duplicates
    from forumscraper.db.board import register_board
    from forumscraper.db.store import Batch, Store

    engine = make_engine(db_url)
    try:
        upgrade_to_head(engine)
        store = Store(engine, register_board(engine, "https://example.forumotion.com/")[0])
        article = " ".join(f"Sentence {n} of the long article about the leaks." for n in range(40))

        def post(post_id: int, topic_id: int, body: str) -> dict:
            return {
                "id": post_id,
                "topic_id": topic_id,
                "position": 0,
                "author_name": "Rocky",
                "body_html": body,
                "body_text": body,
                "content_hash": f"hash-{hash(body)}",
                "links": [],
                "hidden_link_count": 0,
                "collapsed_repeats": 0,
                "edit_count": 0,
            }

        store.write(
            Batch(
                topics=[{"id": 1, "title": "A"}, {"id": 2, "title": "B"}],
                posts=[post(10, 1, article), post(20, 2, article + " Source: X.")],
            )
        )
        counts = near_duplicates.update(engine, store.board_id)
        assert (counts.signed, counts.pairs, counts.grouped) == (2, 1, 2)
        store.write(Batch(posts=[post(20, 2, "Now a short reply.")]))
        counts = near_duplicates.update(engine, store.board_id)
        assert (counts.removed, counts.signed, counts.grouped) == (1, 0, 1)
        assert set(signatures(engine)) == {(store.board_id, 10)}
    finally:
        engine.dispose()


def test_migration_0010_goes_down_and_up(engine: Engine) -> None:
    config = alembic_config(engine)
    command.upgrade(config, "head")
    names = {"article_signatures", "article_bands", "near_duplicate_groups"}
    assert names <= set(inspect(engine).get_table_names())
    assert "near_duplicate_articles" in inspect(engine).get_view_names()
    command.downgrade(config, "0009")
    assert not names & set(inspect(engine).get_table_names())
    assert "near_duplicate_articles" not in inspect(engine).get_view_names()
    command.upgrade(config, "head")
    assert view_rows(engine) == []


@pytest.mark.parametrize(
    ("text_", "article"), [("short reply", False), ("x" * dedup.MIN_ARTICLE_CHARS, True)]
)
def test_only_long_posts_are_articles(text_: str, article: bool) -> None:
    assert dedup.is_article(text_) is article


def board_with_articles(engine: Engine, name: str, bodies: dict[int, str]) -> int:
    """A board registered at ``https://NAME.forumotion.com/`` holding one topic whose posts are
    ``bodies`` (post id: clean text), stored as a crawl stores them; its id."""
    from forumscraper.db.board import register_board
    from forumscraper.db.store import Batch, Store

    board_id, _ = register_board(engine, f"https://{name}.forumotion.com/")
    now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    posts = [
        {
            "id": post_id,
            "topic_id": 1,
            "position": post_id - 1,
            "author_name": "Rocky",
            "posted_at": now,
            "body_html": f"<p>{body}</p>",
            "body_text": body,
            "content_hash": dedup_hash(body),
            "links": [],
            "hidden_link_count": 0,
            "collapsed_repeats": 0,
            "edit_count": 0,
        }
        for post_id, body in bodies.items()
    ]
    Store(engine, board_id).write(
        Batch(
            categories=[{"id": 1, "title": "News", "url": "/c1-news", "position": 0}],
            forums=[{"id": 1, "title": "Iraq", "category_id": 1, "position": 0}],
            topics=[{"id": 1, "forum_id": 1, "title": "Report", "view_count": 1}],
            posts=posts,
        ),
        now,
    )
    return board_id


ARTICLE = " ".join(
    f"Paragraph {n}: the ministry published its report on the electricity grid in Basra, "
    f"and the committee asked for the contracts of year {2000 + n} to be examined again."
    for n in range(8)
)


def test_one_article_on_many_boards_is_one_group_compared_once_per_text(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same article on twelve boards, and a trimmed copy of it on each: after each board's
    step, every copy so far is in one group; the step of the last board compares texts, not
    copies (two texts: at most three comparisons, where 23 copies asked for dozens, and 23
    shingle sets when a pair is checked on its words)."""
    from forumscraper.db import near_duplicates

    upgrade_to_head(engine)
    trimmed = ARTICLE.rsplit(" Paragraph 7", 1)[0]
    compared: list[int] = []
    similarity = dedup.similarity

    def counted(a: object, b: object) -> float:
        compared[-1] += 1
        return similarity(a, b)  # type: ignore[arg-type]

    monkeypatch.setattr(dedup, "similarity", counted)
    keys: list[tuple[int, int]] = []
    for n in range(12):
        board_id = board_with_articles(engine, f"copies{n}", {1: ARTICLE, 2: trimmed})
        keys += [(board_id, 1), (board_id, 2)]
        compared.append(0)
        counts = near_duplicates.update(engine, board_id)
        assert counts.signed == 2
        with engine.connect() as connection:
            groups = connection.execute(
                select(NEAR.c.board_id, NEAR.c.post_id, NEAR.c.group_board_id, NEAR.c.group_post_id)
            ).all()
        assert sorted((row.board_id, row.post_id) for row in groups) == keys
        assert {(row.group_board_id, row.group_post_id) for row in groups} == {keys[0]}
    assert compared[0] <= 3 and compared[-1] <= 3


def test_incremental_groups_equal_the_rebuilt_ones_and_the_articles_families(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six boards signed one after the other, then every group rebuilt: both give exactly the
    families the texts were made from. A family is an article copied word for word to every
    board, with one sentence dropped on some (a sure match), with three of eight dropped on
    others (checked on the words), or an article on two boards only; each board also carries an
    article of its own (no group). Texts of many words, so different articles share none."""
    import random

    from forumscraper.db import near_duplicates

    rng = random.Random(20)
    vocabulary = [f"word{n:05d}" for n in range(20_000)]

    def article() -> list[str]:
        return [" ".join(rng.choices(vocabulary, k=14)) + "." for _ in range(8)]

    copied, trimmed, pair = article(), article(), article()
    checked_on_words: list[float] = []
    jaccard = dedup.jaccard

    def counted(a: object, b: object) -> float:
        checked_on_words.append(jaccard(a, b))  # type: ignore[arg-type]
        return checked_on_words[-1]

    monkeypatch.setattr(dedup, "jaccard", counted)
    upgrade_to_head(engine)
    family: dict[tuple[int, int], str] = {}
    for n in range(6):
        kinds = {1: ("copied", copied if n % 2 else copied[1:])}
        kinds[2] = ("trimmed", trimmed if n == 0 else trimmed[:5] if n % 2 == 0 else trimmed[:7])
        kinds[3] = (f"own{n}", article())
        if n in (2, 4):
            kinds[4] = ("pair", pair)
        board_id = board_with_articles(
            engine, f"family{n}", {post_id: " ".join(text) for post_id, (_, text) in kinds.items()}
        )
        family.update({(board_id, post_id): kind for post_id, (kind, _) in kinds.items()})
        near_duplicates.update(engine, board_id)
    expected: dict[str, set[tuple[int, int]]] = {}
    for key, kind in family.items():
        expected.setdefault(kind, set()).add(key)
    wanted = sorted(sorted(keys) for keys in expected.values() if len(keys) > 1)
    assert len(wanted) == 3

    def groups() -> list[list[tuple[int, int]]]:
        found: dict[tuple[int, int], set[tuple[int, int]]] = {}
        with engine.connect() as connection:
            for row in connection.execute(select(NEAR)):
                found.setdefault((row.group_board_id, row.group_post_id), set()).add(
                    (row.board_id, row.post_id)
                )
        for name, keys in found.items():
            assert name == min(keys)  # a group is named by its first member
        return sorted(sorted(keys) for keys in found.values())

    assert groups() == wanted
    assert checked_on_words and min(checked_on_words) < dedup.SURE_ABOVE  # the words decided
    near_duplicates.rebuild(engine)
    assert groups() == wanted


def test_two_boards_closing_at_once_group_as_when_they_close_one_after_the_other(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two boards' steps run in two threads, each transaction of one started together with the
    other's (a barrier before the lock); on PostgreSQL the batch that gets the lock first stores
    and looks up only once the other is seen waiting for it, so the two truly overlap. The
    groups are those of the two steps one after the other: no pair is lost (issue 20)."""
    import random
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from forumscraper.db import near_duplicates

    rng = random.Random(21)
    vocabulary = [f"word{n:05d}" for n in range(20_000)]

    def article() -> list[str]:
        return [" ".join(rng.choices(vocabulary, k=14)) + "." for _ in range(8)]

    first, second = article(), article()
    upgrade_to_head(engine)
    boards = [
        board_with_articles(
            engine,
            name,
            {1: " ".join(first[skip:]), 2: " ".join(second[: 8 - skip]), 3: " ".join(article())},
        )
        for name, skip in (("closing0", 0), ("closing1", 1))
    ]
    postgresql = engine.dialect.name == "postgresql"
    barrier = threading.Barrier(2, timeout=30)
    local = threading.local()
    acquired: dict[int, list[str]] = {}
    overlapped: list[int] = []
    lock, store = near_duplicates._lock, near_duplicates._store

    def lock_together(connection: Any) -> None:
        local.round = getattr(local, "round", -1) + 1
        barrier.wait()  # each transaction of a step starts with the other step's
        lock(connection)
        acquired.setdefault(local.round, []).append(threading.current_thread().name)

    def other_waits_for_the_lock() -> None:
        deadline = time.monotonic() + 30
        with engine.connect() as watcher:
            while not watcher.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :id "
                    "AND NOT granted AND database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database())"
                ),
                {"id": near_duplicates._LOCK_ID},
            ).scalar_one():
                assert time.monotonic() < deadline, "the other step never waited for the lock"
                time.sleep(0.01)

    def store_while_the_other_waits(connection: Any, rows: Any, signatures: Any) -> None:
        if postgresql and len(acquired[local.round]) == 1:  # the first of this round
            other_waits_for_the_lock()
            overlapped.append(local.round)
        store(connection, rows, signatures)

    def groups() -> list[list[tuple[int, int]]]:
        found: dict[tuple[int, int], set[tuple[int, int]]] = {}
        with engine.connect() as connection:
            for row in connection.execute(select(NEAR)):
                found.setdefault((row.group_board_id, row.group_post_id), set()).add(
                    (row.board_id, row.post_id)
                )
        for name, keys in found.items():
            assert name == min(keys)
        return sorted(sorted(keys) for keys in found.values())

    monkeypatch.setattr(near_duplicates, "_lock", lock_together)
    monkeypatch.setattr(near_duplicates, "_store", store_while_the_other_waits)
    with ThreadPoolExecutor(2) as pool:
        steps = [pool.submit(near_duplicates.update, engine, b, batch_size=1) for b in boards]
        counts = [step.result(timeout=120) for step in steps]
    assert [c.signed for c in counts] == [3, 3]
    if postgresql:  # the removal, three batches, the empty read: the three batches overlapped
        assert overlapped == [1, 2, 3]
    at_once = groups()
    monkeypatch.undo()

    with engine.begin() as connection:
        for table in (NEAR, table_of(ArticleBand), table_of(ArticleSignature)):
            connection.execute(delete(table))
    for board_id in boards:
        near_duplicates.update(engine, board_id, batch_size=1)
    one_after_the_other = groups()
    a, b = boards
    assert one_after_the_other == [[(a, 1), (b, 1)], [(a, 2), (b, 2)]]
    assert at_once == one_after_the_other
