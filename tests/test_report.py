"""``forumscraper report`` against the demo board crawled by the real spider, on SQLite and on
PostgreSQL: the numbers on the page are the database's (checked with SQL and against the demo
board itself, hours on the board's clock), the file references nothing outside itself, the
filters and an empty database give a page, and a real headless Chromium (Debian's ``chromium``,
driven over its DevTools protocol) loads it with no console error, draws every chart's marks,
and shows a screenshot that is not blank."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import websocket
from PIL import Image
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import func, select, text

from forumscraper import report
from forumscraper.commands import report as report_command
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.demo.content import build_demo_board
from forumscraper.demo.render import common
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import Archive, crawl, demo_archive, stat


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def archive(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Archive]:
    """The demo board crawled once per backend."""
    yield from demo_archive(request, tmp_path_factory, "report")


@pytest.fixture(scope="module")
def page(archive: Archive, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the demo archive, written by the command."""
    out = tmp_path_factory.mktemp("page") / "report.html"
    assert report_command.main(["-o", str(out), "--database-url", archive.url]) == 0
    return out


def one(archive: Archive, sql: str) -> Any:
    engine = make_engine(archive.url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql)).one()
    finally:
        engine.dispose()


def cells(tree: Any, table: str) -> list[list[str]]:
    rows = tree.xpath(f'//table[contains(@class, "{table}")]//tr[td]')
    return [[cell.text_content().strip() for cell in row.xpath("td")] for row in rows]


def test_the_numbers_on_the_page_are_the_databases(archive: Archive, page: Path) -> None:
    tree = lxml.html.fromstring(page.read_bytes())
    top = one(
        archive,
        "SELECT author_name, count(*) AS posts, count(DISTINCT topic_id) AS topics "
        "FROM post_details GROUP BY author_name ORDER BY count(*) DESC, author_name LIMIT 1",
    )
    assert cells(tree, "authors")[0][:3] == [top.author_name, str(top.posts), str(top.topics)]
    authors = one(archive, "SELECT count(DISTINCT author_name) AS n FROM post_details").n
    assert len(cells(tree, "authors")) == min(authors, report.TOP)

    busiest = one(
        archive,
        "SELECT topic_title, post_count, author_count FROM topic_activity "
        "ORDER BY post_count DESC, last_post_at DESC LIMIT 1",
    )
    first = cells(tree, "topics")[0]
    assert (first[0], first[2], first[3]) == (
        busiest.topic_title,
        str(busiest.post_count),
        str(busiest.author_count),
    )

    live = one(archive, "SELECT count(*) AS n FROM post_details")
    assert tree.xpath('string(//span[@class="posts"])') == str(live.n)

    dup = one(
        archive,
        "SELECT content_hash, count(*) AS copies, count(DISTINCT topic_id) AS topics "
        "FROM duplicate_articles GROUP BY content_hash ORDER BY count(*) DESC LIMIT 1",
    )
    assert dup.copies >= 2  # the demo board pastes an article into several topics
    assert cells(tree, "duplicates")[0][1:3] == [str(dup.copies), str(dup.topics)]

    runs = one(
        archive,
        "SELECT count(*) AS runs, sum(requests) AS requests, sum(new_posts) AS new_posts "
        "FROM crawl_runs",
    )
    health = cells(tree, "health")[0]
    assert health[:4] == ["1", "0", str(runs.requests), str(runs.new_posts)]
    assert health[4] == f"{runs.requests / runs.new_posts:.2f}"


def test_days_and_hours_are_on_the_boards_clock(archive: Archive) -> None:
    board = archive.board
    posts = [post for topic in board.live_topics() for post in topic.live_posts]
    hours = Counter(post.posted_at.astimezone(board.tzinfo).hour for post in posts)
    days = Counter(post.posted_at.astimezone(board.tzinfo).date() for post in posts)
    engine = make_engine(archive.url)
    try:
        with engine.connect() as connection:
            (found,) = report.gather(connection)
    finally:
        engine.dispose()
    assert found.timezone == board.timezone
    assert found.hours == [hours[hour] for hour in range(24)]
    total: Counter[Any] = Counter()
    for counts in found.days.values():
        total.update(counts)
    assert total == days
    assert found.post_count == len(posts)


OUTSIDE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.I)


def test_the_page_references_nothing_outside_itself(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    tree = lxml.html.fromstring(html)
    assert not tree.xpath("//script | //link | //img | //iframe | //object | //embed")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local == "src" or (local == "href" and element.tag != "a"):
                assert value.startswith("#"), (element.tag, name, value)
    assert not re.findall(r"url\(\s*['\"]?(?!#)", html)
    assert "@import" not in html
    ids = tree.xpath("//@id")
    assert len(ids) == len(set(ids))  # several charts on one page, every id once
    for reference in re.findall(r'href="#([^"]+)"|url\(#([^)]+)\)', html):
        assert tree.xpath(f'//*[@id="{"".join(reference)}"]'), reference
    # The only addresses are links to the board's pages and the SVG namespaces.
    addresses = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    links = set(tree.xpath("//a/@href"))
    namespaces = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert addresses <= links | namespaces
    assert all(OUTSIDE.match(link) for link in links)  # links, not resources


def test_board_and_since_filter_and_a_wrong_board_is_one_line(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "later.html"
    args = ["-o", str(out), "--database-url", archive.url]
    assert report_command.main([*args, "--board", archive.base_url, "--since", "2100-01-01"]) == 0
    tree = lxml.html.fromstring(out.read_bytes())
    assert tree.xpath('string(//span[@class="posts"])') == "0"
    assert "No live post since 2100-01-01" in tree.text_content()
    assert "No crawl run recorded since" in tree.text_content()
    assert not tree.xpath("//svg")
    capsys.readouterr()
    assert report_command.main([*args, "--board", "99"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--board: no board '99' in this database (boards: 1 http" in err
    assert report_command.main([*args, "--since", "yesterday"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--since: not a date: 'yesterday'" in err


def test_an_empty_archive_gives_a_page_saying_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()
    out = tmp_path / "empty.html"
    assert report_command.main(["-o", str(out), "--database-url", url]) == 0
    assert "This database holds no board yet" in out.read_text(encoding="utf-8")


def test_without_matplotlib_the_command_says_which_extra(tmp_path: Path) -> None:
    # matplotlib made unimportable in a child process, as in an install without the extra.
    code = (
        "import sys; sys.modules['matplotlib'] = None; "
        "from forumscraper.cli import main; sys.exit(main(['report', '-o', sys.argv[1]]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "r.html")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "pip install 'forumscraper[report]'" in done.stderr
    assert not (tmp_path / "r.html").exists()


# -- in a real browser ---------------------------------------------------------------------------


class Chromium:
    """Headless Chromium driven over its DevTools protocol (a websocket): every event kept."""

    def __init__(self, profile: Path) -> None:
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if binary is None:
            pytest.fail(
                "Chromium is missing: apt-get install -y chromium (.ci/run installs it)",
                pytrace=False,
            )
        self.process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",  # CI runs as root
                "--disable-gpu",
                "--no-first-run",
                "--hide-scrollbars",
                "--window-size=1200,900",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (active.exists() and active.read_text().count("\n") >= 1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                pytest.fail("Chromium did not start its DevTools server", pytrace=False)
            time.sleep(0.1)
        port = int(active.read_text().split("\n")[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as answer:
            targets = json.load(answer)
        target = next(t for t in targets if t["type"] == "page")
        self.socket = websocket.create_connection(
            target["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.events: list[dict[str, Any]] = []
        self.next_id = 0
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                assert "error" not in message, (method, message["error"])
                return dict(message["result"])
            self.events.append(message)

    def wait_for(self, event: str) -> None:
        while not any(e.get("method") == event for e in self.events):
            self.events.append(json.loads(self.socket.recv()))

    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        self.evaluate("new Promise(r => requestAnimationFrame(() => setTimeout(r, 100)))")

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def errors(self) -> list[str]:
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                found.append(" ".join(str(a.get("value")) for a in params["args"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"]["text"])
        return found

    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def screenshot(self) -> Image.Image:
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": 1200, "height": min(size["height"], 8000), "scale": 1}
        shot = self.call("Page.captureScreenshot", captureBeyondViewport=True, clip=clip)
        return Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")

    def close(self) -> None:
        if getattr(self, "socket", None) is not None:
            self.socket.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    browser = Chromium(tmp_path_factory.mktemp("chromium"))
    try:
        yield browser
    finally:
        browser.close()


MARKS = """Array.from(document.querySelectorAll('svg.chart')).map(svg => {
  const box = svg.getBoundingClientRect();
  const marks = Array.from(svg.querySelectorAll('g[id*="-mark-"] path')).filter(path => {
    const b = path.getBBox(); return b.width > 0 && b.height > 0; });
  return {chart: svg.dataset.chart, width: box.width, height: box.height, marks: marks.length};
})"""


def test_chromium_loads_the_page_draws_every_chart_and_shows_it(
    archive: Archive, page: Path, chromium: Chromium, tmp_path: Path
) -> None:
    # The harness sees an error when there is one, so that "no error" below means something.
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><script>console.error('seen')</script>", encoding="utf-8")
    chromium.open(broken.as_uri())
    assert chromium.errors() == ["seen"]

    chromium.open(page.as_uri())
    assert chromium.errors() == []
    assert {url for url in chromium.requests() if not url.startswith("file:")} == set()

    charts = {chart.pop("chart"): chart for chart in chromium.evaluate(MARKS)}
    html = page.read_text(encoding="utf-8")
    board_id = one(archive, "SELECT id FROM boards").id
    assert set(charts) == {f"b{board_id}-{name}" for name in ("days", "hours", "authors", "runs")}
    for name, chart in charts.items():
        assert chart["width"] > 300 and chart["height"] > 100, (name, chart)
        named = len(set(re.findall(rf'id="{re.escape(name)}-mark-\d+"', html)))
        assert chart["marks"] > 0, (name, chart)
        if not name.endswith("-hours"):  # an hour without posts is a bar of no height
            assert chart["marks"] == named, (name, chart, named)
    authors = one(archive, "SELECT count(DISTINCT author_name) AS n FROM post_details").n
    assert charts[f"b{board_id}-authors"]["marks"] == min(authors, report.TOP)
    assert charts[f"b{board_id}-runs"]["marks"] == 2  # one run: its requests, its new posts

    shot = chromium.screenshot()
    assert shot.height > 2000  # the whole page, not the first screen only
    colours = shot.getcolors(maxcolors=1 << 24)
    assert colours is not None and len(colours) > 50
    white = sum(count for count, colour in colours if colour == (255, 255, 255))
    assert white < 0.9 * shot.width * shot.height


def test_since_is_read_as_a_date(archive: Archive) -> None:
    assert report_command.parse_since("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)
    posted = sorted(p.posted_at for t in archive.board.live_topics() for p in t.live_posts)
    since = posted[len(posted) // 2]  # half the posts are on the report
    engine = make_engine(archive.url)
    try:
        with engine.connect() as connection:
            (found,) = report.gather(connection, since=since)
            later = connection.execute(
                select(func.count())
                .select_from(report.POST_DETAILS)
                .where(report.POST_DETAILS.c.posted_at >= since)
            ).scalar_one()
    finally:
        engine.dispose()
    assert found.post_count == later == sum(1 for at in posted if at >= since) > 0


@deferred_f_from_coro_f
async def test_live_posts_without_a_date_are_counted_and_the_page_says_how_many(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo board crawled with its Sundays printed with a weekday no language has ("Sxn"):
    those posts are stored with no date. The headline and the command's line count every live
    post (the rows of ``post_details``), the charts the dated ones, and the page says how many
    have no date; from ``--since`` on, those are not counted."""
    printed = common.absolute_date

    def sunday_unreadable(local: datetime, date_format: str, language: str = "en") -> str:
        return printed(local, date_format, language).replace("Sun ", "Sxn ")

    monkeypatch.setattr(common, "absolute_date", sunday_unreadable)
    board = build_demo_board()
    with FixtureForumServer(board, version="prosilver") as server:
        crawler = await crawl(
            "forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
    assert stat(crawler, "forumscraper/run/status") == "finished"
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            live, undated = connection.execute(
                text("SELECT count(*), count(*) - count(posted_at) FROM post_details")
            ).one()
            (found,) = report.gather(connection)
    finally:
        engine.dispose()
    assert 0 < undated < live
    assert (found.post_count, found.undated, found.dated) == (live, undated, live - undated)
    assert sum(counts.total() for counts in found.days.values()) == live - undated

    out = tmp_path / "report.html"
    capsys.readouterr()
    assert report_command.main(["-o", str(out), "--database-url", db_url]) == 0
    assert f"report of 1 board, {live} posts: " in capsys.readouterr().err
    tree = lxml.html.fromstring(out.read_bytes())
    assert tree.xpath('string(//span[@class="posts"])') == str(live)
    note = f"{undated} post{'s' if undated != 1 else ''} without a date"
    assert tree.xpath('string(//span[@class="undated"])') == note
    assert "(counted, in no chart)" in " ".join(tree.text_content().split())
    assert {svg.get("data-chart") for svg in tree.xpath("//svg")} >= {"b1-days", "b1-hours"}

    since = ["--since", "2000-01-01"]
    assert report_command.main(["-o", str(out), "--database-url", db_url, *since]) == 0
    assert f"report of 1 board, {live - undated} posts: " in capsys.readouterr().err
    tree = lxml.html.fromstring(out.read_bytes())
    assert tree.xpath('string(//span[@class="posts"])') == str(live - undated)
    assert tree.xpath('string(//span[@class="undated"])') == note
    assert "(not counted here)" in " ".join(tree.text_content().split())
