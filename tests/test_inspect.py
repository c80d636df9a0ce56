"""``forumscraper parse``: what the extraction layer reads from one saved page or one URL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from forumscraper.demo.content import DEMO_LONG_TOPIC_ID, Board, build_demo_board
from forumscraper.demo.render.common import active_topics
from forumscraper.demo.server import FixtureForumServer
from forumscraper.demo.site import respond
from forumscraper.inspect import main

NOW = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
SITE = "http://forum.test"


@pytest.fixture(scope="module")
def board() -> Board:
    return build_demo_board(NOW)


@pytest.fixture(scope="module")
def server(board: Board) -> Iterator[FixtureForumServer]:
    with FixtureForumServer(board, version="punbb", clock=lambda: NOW) as running:
        yield running


def save(board: Board, tmp_path: Path, target: str, name: str, version: str = "prosilver") -> Path:
    response = respond(board, target, now=NOW, site=SITE, default_version=version)
    path = tmp_path / name
    path.write_bytes(response.body)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(list(argv)) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def check_long_topic_page_2(result: dict[str, Any], board: Board, version: str) -> None:
    topic = board.topic(DEMO_LONG_TOPIC_ID)
    assert topic is not None
    assert (result["kind"], result["version"]) == ("topic", version)
    assert result["repeats_first_post"] is True
    assert result["hidden_posts"] == 0
    assert result["pages"] == {"offsets": [0, 15, 30], "per_page": 15}
    expected = topic.live_posts[15:30]
    assert [post["id"] for post in result["posts"]] == [post.id for post in expected]
    for got, want in zip(result["posts"], expected, strict=True):
        assert got["position"] == topic.live_posts.index(want)
        assert got["author_name"] == want.author_name
        assert got["posted_at"] == want.posted_at.isoformat()
        assert got["body_html"] == want.body_html
    assert [crumb["kind"] for crumb in result["breadcrumb"]] == ["c", "f", "t"]


@pytest.mark.parametrize("version", ["prosilver", "awesomebb", "mobile"])
def test_saved_topic_page(
    board: Board, tmp_path: Path, capsys: pytest.CaptureFixture[str], version: str
) -> None:
    path = save(board, tmp_path, f"/t{DEMO_LONG_TOPIC_ID}p15-x", "saved.html", version)
    result = run(
        capsys,
        str(path),
        "--base-url",
        "https://example.forumotion.com/",
        "--timezone",
        "Asia/Baghdad",
        "--now",
        NOW.isoformat(),
    )
    # The URL is the page's canonical link moved onto --base-url.
    assert result["url"].startswith(f"https://example.forumotion.com/t{DEMO_LONG_TOPIC_ID}p15-")
    check_long_topic_page_2(result, board, version)


def test_saved_index_takes_its_url_from_the_file_name(
    board: Board, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = save(board, tmp_path, "/", "index.html", "invision")
    result = run(capsys, str(path), "--base-url", SITE, "--timezone", "Asia/Baghdad")
    assert (result["url"], result["kind"], result["version"]) == (f"{SITE}/", "index", "invision")
    assert [c["title"] for c in result["categories"]] == [
        c.title for c in board.ordered_categories()
    ]
    assert [f["id"] for f in result["forums"]] == [1, 2, 4, 8, 5, 6]
    assert result["board_clock"] == "2026-11-25T17:30:00"
    assert [e["topic_id"] for e in result["recent_topics"]] == [t.id for t in board.recent_topics()]


def test_saved_search_page(
    board: Board, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = save(board, tmp_path, "/search?search_id=activetopics", "search.html", "modernbb")
    result = run(capsys, str(path), "--base-url", SITE, "--now", NOW.isoformat())
    assert (result["kind"], result["version"]) == ("search", "modernbb")
    assert [(e["topic_id"], e["forum_id"]) for e in result["recent"]] == [
        (t.id, t.forum_id) for t in active_topics(board, NOW)
    ]


def test_url(board: Board, server: FixtureForumServer, capsys: pytest.CaptureFixture[str]) -> None:
    result = run(
        capsys,
        f"{server.base_url}t{DEMO_LONG_TOPIC_ID}p15-x",
        "--timezone",
        "Asia/Baghdad",
    )
    check_long_topic_page_2(result, board, "punbb")
    forum = run(capsys, f"{server.base_url}f2p50-x", "--timezone", "Asia/Baghdad")
    assert (forum["kind"], forum["forum"]["title"]) == ("forum", "General Discussion")
    assert len(forum["topics"]) == len(board.forum_topics(2)) - 50
    assert forum["pages"] == {"offsets": [0, 50], "per_page": 50}


def test_feed_url(
    board: Board, server: FixtureForumServer, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(capsys, f"{server.base_url}feed/?f=5")
    assert result["kind"] == "feed"
    assert [e["topic_id"] for e in result["entries"]] == [t.id for t in board.newest_topics(5)]


def test_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "missing.html")]) == 1
    assert "cannot read" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.html"), "--timezone", "Mars/Olympus"]) == 2
    assert "unknown board timezone" in capsys.readouterr().err


def test_a_saved_page_in_its_own_charset_is_read_as_the_crawl_reads_it(
    board: Board, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A page saved in Windows-1256 with its ``<meta charset>``: decoded like the crawl does,
    and each post shows the text the crawl stores (``body_text``, ``content_hash``)."""
    path = save(board, tmp_path, "/t11-x", "t11-welcome.html")
    utf8 = run(capsys, str(path), "--base-url", SITE, "--now", NOW.isoformat())
    html = path.read_text(encoding="utf-8")
    assert html.count("charset=UTF-8") == 1
    path.write_bytes(
        html.replace("charset=UTF-8", "charset=windows-1256").encode(
            "cp1256", errors="xmlcharrefreplace"
        )
    )
    legacy = run(capsys, str(path), "--base-url", SITE, "--now", NOW.isoformat())
    assert utf8["posts"] and all(post["body_text"] for post in utf8["posts"])
    for field in ("id", "author_name", "posted_at", "body_text", "content_hash"):
        assert [p[field] for p in legacy["posts"]] == [p[field] for p in utf8["posts"]]


def test_without_timezone_the_zone_comes_from_the_clock_line_and_is_said(
    board: Board, capsys: pytest.CaptureFixture[str]
) -> None:
    with FixtureForumServer(board, version="prosilver", clock=lambda: NOW) as prosilver:
        inferred = run(capsys, f"{prosilver.base_url}f2-x")
        given = run(capsys, f"{prosilver.base_url}f2-x", "--timezone", "Asia/Baghdad")
    assert (inferred["timezone"], inferred["timezone_from"]) == (
        "UTC+03:00",
        "the page's clock line",
    )
    assert (given["timezone"], given["timezone_from"]) == ("Asia/Baghdad", "--timezone")
    assert inferred["topics"] == given["topics"]
    assert any(topic["last_post_at"] for topic in given["topics"])


def test_a_saved_page_without_timezone_or_serving_time_is_read_in_utc_and_says_so(
    board: Board, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = save(board, tmp_path, "/f2-x", "f2-x.html")
    result = run(capsys, str(path), "--base-url", SITE)
    assert result["timezone"] == "UTC"
    assert result["timezone_from"].startswith("default")
