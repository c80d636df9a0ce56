"""``forumscraper browse`` for real: the demo board is crawled into a SQLite file, the command is
started as people start it (a subprocess on a free port), and Datasette's JSON API is read back:
every README question (SQLite form) as a canned query answers what the same SQL answers run
directly, the facets on ``post_details`` count what a ``GROUP BY`` counts, and ``_search`` on
``posts`` finds the posts holding a word and no others. Also: the descriptions read from the README
cover every table and name only columns the database has, and the command's refusals (a
PostgreSQL URL, no file, no Datasette) are one line and exit status 2."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from forumscraper.commands import browse
from forumscraper.db.models import Base
from forumscraper.readme import Example, readme_examples, readme_text, schema_descriptions
from tests.processes import environment
from tests.test_queries import Crawled, crawled_sqlite  # noqa: F401 (the fixture)

SQLITE_EXAMPLES = [e for e in readme_examples(readme_text()) if e.database == "sqlite"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Site:
    """``forumscraper browse`` serving the demo crawl."""

    base: str
    """``http://127.0.0.1:PORT/`` then the database's name: the file's stem."""
    path: Path
    crawled: Crawled

    def get(self, path: str, **params: str | int) -> Any:
        """The JSON answer of ``path`` under the database."""
        query = urllib.parse.urlencode(params)
        url = f"{self.base}{path}" + (f"?{query}" if query else "")
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.load(response)

    def page(self, path: str) -> str:
        with urllib.request.urlopen(f"{self.base}{path}", timeout=30) as response:
            return str(response.read().decode("utf-8"))

    def sql(self, sql: str) -> list[dict[str, Any]]:
        """``sql`` run directly on the file, rows as dicts."""
        connection = sqlite3.connect(self.path)
        try:
            cursor = connection.execute(sql)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor]
        finally:
            connection.close()


@pytest.fixture(scope="module")
def site(
    crawled_sqlite: Crawled,  # noqa: F811 (the imported fixture)
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Site]:
    assert crawled_sqlite.sqlite is not None
    port = free_port()
    temporary = tmp_path_factory.mktemp("tmp")  # where the command writes Datasette's metadata
    process = subprocess.Popen(
        [sys.executable, "-m", "forumscraper.cli", "browse", "--port", str(port)],
        env=environment(DATABASE_URL=crawled_sqlite.url, TMPDIR=str(temporary)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                with urllib.request.urlopen(f"{base}-/versions.json", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "Datasette did not answer within a minute"
                time.sleep(0.2)
        (metadata,) = temporary.glob("forumscraper-browse-*/metadata.json")
        assert json.loads(metadata.read_text(encoding="utf-8"))["databases"]
        yield Site(f"{base}{crawled_sqlite.sqlite.stem}/", crawled_sqlite.sqlite, crawled_sqlite)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    # Stopped as a service manager stops it: Datasette shut down, its metadata file removed.
    assert process.returncode == 0, output
    assert "Application shutdown complete" in output
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize("example", SQLITE_EXAMPLES, ids=[e.name for e in SQLITE_EXAMPLES])
def test_a_canned_query_answers_what_its_sql_answers(site: Site, example: Example) -> None:
    answer = site.get(f"{example.name}.json", _shape="objects")
    assert answer["ok"], answer
    assert answer["rows"] == site.sql(example.sql)


def test_the_canned_queries_are_the_readme_questions(site: Site) -> None:
    with urllib.request.urlopen(f"{site.base.rstrip('/')}.json", timeout=30) as response:
        queries = {q["name"]: q["title"] for q in json.load(response)["queries"]}
    assert queries == {e.name: e.title for e in SQLITE_EXAMPLES}
    assert queries["rocky-recent"] == (
        "Every post Rocky wrote in the last 30 days, newest first, with its topic and link"
    )
    # The demo crawl gives most of them rows (some look at the last days only).
    answered = [e.name for e in SQLITE_EXAMPLES if site.sql(e.sql)]
    assert len(answered) >= 10, answered


def test_facets_count_what_group_by_counts(site: Site) -> None:
    answer = site.get("post_details.json", _size=0, _facet_size="max")
    facets = answer["facet_results"]
    assert set(facets) == {"board_title", "forum_title", "author_name", "posted_at"}
    for column in ("board_title", "forum_title", "author_name"):
        counted = {r["value"]: r["count"] for r in facets[column]["results"]}
        rows = site.sql(f"SELECT {column} AS v, count(*) AS n FROM post_details GROUP BY v")
        assert counted == {r["v"]: r["n"] for r in rows}, column
    days = {r["value"]: r["count"] for r in facets["posted_at"]["results"]}
    rows = site.sql("SELECT date(posted_at) AS d, count(*) AS n FROM post_details GROUP BY d")
    assert days == {r["d"]: r["n"] for r in rows}
    # The demo board's own numbers: every live post counted once, by author.
    authors = Counter(post.author_name for _, _, post in site.crawled.live())
    counted = {r["value"]: r["count"] for r in facets["author_name"]["results"]}
    assert counted == dict(authors)
    assert len(counted) > 1


def test_search_finds_the_posts_holding_a_word_and_no_others(site: Site) -> None:
    crawled = site.crawled
    holders: dict[str, set[int]] = defaultdict(set)
    for topic, _, post in crawled.live():
        for word in crawled.words(topic, post):
            holders[word].add(post.id)
    unique = sorted(
        w for w, ids in holders.items() if len(ids) == 1 and w.isascii() and w.isalpha()
    )
    probes = [*unique[:: max(1, len(unique) // 5)][:5], "leaks", "الكهرباء"]
    for word in probes:
        assert holders[word], word
        answer = site.get("posts.json", _search=word, _col="id", _shape="objects", _size="max")
        assert {row["id"] for row in answer["rows"]} == holders[word], word
    assert len(holders["leaks"]) > 1
    # The columns of the index: a word of a topic's title and of no post's text is found in
    # every post of that topic by _search, and by _search_body_text in none.
    in_texts = {w for _, _, post in crawled.live() for w in words(crawled.text(post))}
    titled: dict[str, set[int]] = defaultdict(set)
    for topic in crawled.board.live_topics():
        for word in words(topic.title):
            titled[word].update(post.id for post in topic.live_posts)
    word = min(w for w in titled if w.isascii() and w.isalpha() and w not in in_texts)
    found = site.get("posts.json", _search=word, _col="id", _shape="objects", _size="max")
    assert {row["id"] for row in found["rows"]} == titled[word] == holders[word]
    found = site.get("posts.json", _search_body_text=word, _col="id", _shape="objects")
    assert found["rows"] == []


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def test_tables_and_views_are_described_from_the_readme(site: Site) -> None:
    described = schema_descriptions(readme_text())
    assert set(Base.metadata.tables) <= set(described)
    connection = sqlite3.connect(site.path)
    try:
        for name, table in described.items():
            columns = {row[1] for row in connection.execute(f"PRAGMA table_info({name})")}
            assert set(table.columns) <= columns, (name, set(table.columns) - columns)
    finally:
        connection.close()
    assert described["post_details"].description == "One row per live post."
    assert described["posts"].columns["author_id"] == "/uN, NULL for guests"
    page = site.page("post_details")
    assert "One row per live post." in page
    assert "the clean text" in page  # a column's description


def test_a_postgresql_url_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://forum@db.example:5432/archive"
    assert browse.main(["--database-url", url]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("forumscraper browse: error: Datasette reads SQLite files, and ")
    assert "forumscraper export" in line


def test_a_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nothing.sqlite3"
    assert browse.main(["--database-url", f"sqlite:///{missing}"]) == 2
    assert capsys.readouterr().err == (
        f"forumscraper browse: error: no database at {missing}: crawl a board first\n"
    )
    assert not missing.exists()


def test_a_sqlite_file_that_is_no_archive_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).close()
    assert browse.main(["--database-url", f"sqlite:///{other}"]) == 2
    assert capsys.readouterr().err == (
        f"forumscraper browse: error: {other} holds no forumscraper archive (no schema)\n"
    )


def test_an_argument_datasette_refuses_is_its_usage_error(
    crawled_sqlite: Crawled,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--database-url", crawled_sqlite.url, "--", "--no-such-option"]
    assert browse.main(args) == 2
    assert "Error: No such option '--no-such-option'." in capsys.readouterr().err


def test_without_datasette_the_extra_is_named(
    crawled_sqlite: Crawled,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "datasette", None)  # as if not installed: import fails
    monkeypatch.setitem(sys.modules, "datasette.cli", None)
    assert browse.main(["--database-url", crawled_sqlite.url]) == 2
    assert capsys.readouterr().err == (
        "forumscraper browse: error: Datasette is not installed: "
        "pip install 'forumscraper[browse]'\n"
    )


def test_metadata_out_writes_what_datasette_is_given(
    crawled_sqlite: Crawled,  # noqa: F811
    tmp_path: Path,
) -> None:
    out = tmp_path / "metadata.json"
    assert browse.main(["--database-url", crawled_sqlite.url, "--metadata-out", str(out)]) == 0
    assert crawled_sqlite.sqlite is not None
    written = json.loads(out.read_text(encoding="utf-8"))
    database = written["databases"][crawled_sqlite.sqlite.stem]
    assert database["tables"]["posts"]["fts_table"] == "posts_fts"
    assert database["tables"]["post_details"]["facets"][-1] == {"date": "posted_at"}
    assert set(database["queries"]) == {e.name for e in SQLITE_EXAMPLES}
