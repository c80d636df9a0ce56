"""The archive at a glance: one self-contained HTML page per database (``forumscraper report``).

Two halves. :func:`gather` reads what the page shows with SQLAlchemy Core queries over the views
(``post_details``, ``topic_activity``, ``duplicate_articles``) and ``crawl_runs``, the same on
PostgreSQL and SQLite; days and hours are put on each board's clock here, in Python
(:func:`forumscraper.text.dates.board_timezone` over ``boards.timezone``), because SQLite has no
time zones. :func:`render` draws the charts with matplotlib's SVG backend (text left as text, so
the browser shapes Arabic titles; no raster, no font file) and fills one Jinja2 template: the
page has its style inline and references nothing outside itself, so it opens without a network.
matplotlib is the optional extra ``report``.
"""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy import Connection, Integer, Text, column, distinct, func, select, table

from forumscraper.db.models import Board, CrawlRun, UTCDateTime, table_of
from forumscraper.text.dates import board_timezone

BOARDS, RUNS = table_of(Board), table_of(CrawlRun)

POST_DETAILS = table(
    "post_details",
    column("board_id", Integer),
    column("topic_id", Integer),
    column("forum_title", Text),
    column("author_name", Text),
    column("posted_at", UTCDateTime),
)
TOPIC_ACTIVITY = table(
    "topic_activity",
    column("board_id", Integer),
    column("topic_title", Text),
    column("forum_title", Text),
    column("post_count", Integer),
    column("author_count", Integer),
    column("last_post_at", UTCDateTime),
    column("url", Text),
)
DUPLICATE_ARTICLES = table(
    "duplicate_articles",
    column("board_id", Integer),
    column("content_hash", Text),
    column("copies", Integer),
    column("board_count", Integer),
    column("topic_id", Integer),
    column("topic_title", Text),
    column("posted_at", UTCDateTime),
    column("first_posted_at", UTCDateTime),
    column("url", Text),
    column("body_text", Text),
)

TOP = 10
"""Rows in each "most active" table."""
FORUM_SERIES = 8
"""Forums drawn apart in the posts-per-day chart; the others are summed as "other forums"."""


# -- the data ----------------------------------------------------------------------------------


@dataclass
class Run:
    started_at: datetime | None
    status: str
    requests: int
    pages: int
    new_posts: int
    errors: int


@dataclass
class BoardReport:
    """What the page shows of one board."""

    id: int
    base_url: str
    title: str | None
    timezone: str
    post_count: int = 0
    """Live posts (from ``since`` on: those whose date is known to be)."""
    undated: int = 0
    """Live posts whose date could not be read: counted in ``post_count`` (when no ``since`` is
    given), left out of the charts."""
    days: dict[str, Counter[date]] = field(default_factory=dict)
    """Forum title -> posts per day (board's clock)."""
    hours: list[int] = field(default_factory=lambda: [0] * 24)
    """Posts per hour of the day (board's clock)."""
    authors: list[dict[str, Any]] = field(default_factory=list)
    topics: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.title or self.base_url

    @property
    def dated(self) -> int:
        """Posts in the charts of days and hours."""
        return sum(self.hours)

    @property
    def statuses(self) -> Counter[str]:
        return Counter(run.status for run in self.runs)

    @property
    def failed_runs(self) -> int:
        return sum(1 for run in self.runs if run.status in ("failed", "abandoned", "interrupted"))

    @property
    def requests(self) -> int:
        return sum(run.requests for run in self.runs)

    @property
    def new_posts(self) -> int:
        return sum(run.new_posts for run in self.runs)

    @property
    def requests_per_new_post(self) -> float | None:
        return self.requests / self.new_posts if self.new_posts else None


def _clock(name: str | None) -> tuple[tzinfo, str]:
    if not name:
        return UTC, "UTC (the board's time zone is not known yet)"
    try:
        return board_timezone(name), name
    except ValueError:
        return UTC, f"UTC ({name!r} is no time zone this Python knows)"


def gather(
    connection: Connection, boards: list[int] | None = None, since: datetime | None = None
) -> list[BoardReport]:
    """Read the report of every board (or of ``boards``), posts and runs from ``since`` on."""
    query = select(BOARDS.c.id, BOARDS.c.base_url, BOARDS.c.title, BOARDS.c.timezone).order_by(
        BOARDS.c.id
    )
    if boards is not None:
        query = query.where(BOARDS.c.id.in_(boards))
    reports = []
    for row in connection.execute(query):
        zone, zone_name = _clock(row.timezone)
        report = BoardReport(row.id, row.base_url, row.title, zone_name)
        _activity(connection, report, zone, since)
        _authors(connection, report, since)
        _topics(connection, report, since)
        _duplicates(connection, report, since)
        _runs(connection, report, since)
        reports.append(report)
    return reports


def _activity(
    connection: Connection, report: BoardReport, zone: tzinfo, since: datetime | None
) -> None:
    """Posts per day and hour, and the number of live posts: those without a date (unreadable)
    are counted, but in no chart; from ``since`` on, they are not counted (their date is not
    known to be later)."""
    p = POST_DETAILS.c
    query = select(p.forum_title, p.posted_at).where(
        p.board_id == report.id, p.posted_at.is_not(None)
    )
    if since is not None:
        query = query.where(p.posted_at >= since)
    days: defaultdict[str, Counter[date]] = defaultdict(Counter)
    for forum_title, posted_at in connection.execution_options(yield_per=5000).execute(query):
        local = posted_at.astimezone(zone)
        days[forum_title or "(no forum)"][local.date()] += 1
        report.hours[local.hour] += 1
    report.days = dict(sorted(days.items(), key=lambda item: -item[1].total()))
    report.undated = connection.execute(
        select(func.count()).where(p.board_id == report.id, p.posted_at.is_(None))
    ).scalar_one()
    report.post_count = report.dated + (report.undated if since is None else 0)


def _authors(connection: Connection, report: BoardReport, since: datetime | None) -> None:
    p = POST_DETAILS.c
    posts = func.count().label("posts")
    query = (
        select(
            p.author_name,
            posts,
            func.count(distinct(p.topic_id)).label("topics"),
            func.max(p.posted_at).label("last_post_at"),
        )
        .where(p.board_id == report.id, p.author_name.is_not(None))
        .group_by(p.author_name)
        .order_by(posts.desc(), p.author_name)
        .limit(TOP)
    )
    if since is not None:
        query = query.where(p.posted_at >= since)
    report.authors = [dict(row) for row in connection.execute(query).mappings()]


def _topics(connection: Connection, report: BoardReport, since: datetime | None) -> None:
    t = TOPIC_ACTIVITY.c
    query = (
        select(t.topic_title, t.forum_title, t.post_count, t.author_count, t.last_post_at, t.url)
        .where(t.board_id == report.id, t.post_count > 0)
        .order_by(t.post_count.desc(), t.last_post_at.desc(), t.topic_title)
        .limit(TOP)
    )
    if since is not None:
        query = query.where(t.last_post_at >= since)
    report.topics = [dict(row) for row in connection.execute(query).mappings()]


def _duplicates(connection: Connection, report: BoardReport, since: datetime | None) -> None:
    d = DUPLICATE_ARTICLES.c
    here = func.count().label("here")
    query = (
        select(
            d.content_hash,
            here,
            func.count(distinct(d.topic_id)).label("topics"),
            func.max(d.copies).label("copies"),
            func.max(d.board_count).label("boards"),
            func.min(d.first_posted_at).label("first_posted_at"),
            func.min(d.topic_title).label("topic_title"),
            func.min(d.url).label("url"),
            func.min(func.substr(d.body_text, 1, 160)).label("extract"),
        )
        .where(d.board_id == report.id)
        .group_by(d.content_hash)
        .order_by(here.desc(), func.min(d.first_posted_at), d.content_hash)
        .limit(TOP)
    )
    if since is not None:
        query = query.where(d.posted_at >= since)
    report.duplicates = [dict(row) for row in connection.execute(query).mappings()]


def _runs(connection: Connection, report: BoardReport, since: datetime | None) -> None:
    r = RUNS.c
    query = (
        select(r.started_at, r.status, r.requests, r.pages, r.new_posts, r.errors)
        .where(r.board_id == report.id)
        .order_by(r.started_at, r.id)
    )
    if since is not None:
        query = query.where(r.started_at >= since)
    report.runs = [
        Run(
            row.started_at,
            row.status,
            row.requests or 0,
            row.pages or 0,
            row.new_posts or 0,
            row.errors or 0,
        )
        for row in connection.execute(query)
    ]


# -- the charts --------------------------------------------------------------------------------


def _pyplot() -> Any:
    """matplotlib's pyplot on the SVG backend; ImportError when the ``report`` extra is missing."""
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    return plt


def _integer_locator() -> Any:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


_PROLOG = re.compile(r"^.*?(?=<svg)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_REFERENCE = re.compile(r'( id="|href="#|url\(#)([^")]+)')


def _svg(figure: Any, name: str) -> str:
    """The figure as an ``<svg>`` element to inline: no XML prolog, no metadata (which names
    URLs), ids unique to this chart."""
    plt = _pyplot()
    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    text = _METADATA.sub("", _PROLOG.sub("", buffer.getvalue(), count=1), count=1)
    # matplotlib names its groups figure_1, axes_1, … in every figure: one page holds several.
    text = _REFERENCE.sub(
        lambda m: m[0] if m[2].startswith(f"{name}-") else f"{m[1]}{name}-{m[2]}", text
    )
    return text.replace("<svg ", f'<svg class="chart" data-chart="{name}" ', 1)


def _marks(bars: Any, chart: str) -> None:
    """Name each bar (``<g id="CHART-mark-N">``) so that a test finds the marks drawn."""
    for number, patch in enumerate(bars):
        patch.set_gid(f"{chart}-mark-{number}")


def days_chart(report: BoardReport, chart: str) -> str:
    plt = _pyplot()
    forums = list(report.days.items())
    shown = forums[:FORUM_SERIES]
    if len(forums) > FORUM_SERIES:
        other: Counter[date] = Counter()
        for _, counts in forums[FORUM_SERIES:]:
            other.update(counts)
        shown.append(("other forums", other))
    first = min(min(counts) for _, counts in shown)
    last = max(max(counts) for _, counts in shown)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    figure, axes = plt.subplots(figsize=(10, 3.6))
    bottom: Counter[date] = Counter()
    number = 0
    for title, counts in shown:
        drawn = [day for day in days if counts.get(day)]  # no empty bar: a smaller file
        heights = [counts[day] for day in drawn]
        bars = axes.bar(
            drawn, heights, bottom=[bottom[day] for day in drawn], width=0.9, label=title
        )
        for patch in bars:
            patch.set_gid(f"{chart}-mark-{number}")
            number += 1
        bottom.update(counts)
    axes.set_ylabel("posts")
    axes.legend(fontsize="small", loc="upper left", frameon=False)
    figure.autofmt_xdate()
    figure.tight_layout()
    return _svg(figure, chart)


def hours_chart(report: BoardReport, chart: str) -> str:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(10, 2.8))
    _marks(axes.bar(range(24), report.hours, width=0.8, color="#4c72b0"), chart)
    axes.set_xticks(range(24))
    axes.set_xlabel(f"hour of the day ({report.timezone})")
    axes.set_ylabel("posts")
    figure.tight_layout()
    return _svg(figure, chart)


def authors_chart(report: BoardReport, chart: str) -> str:
    plt = _pyplot()
    authors = report.authors[::-1]
    figure, axes = plt.subplots(figsize=(10, 0.35 * len(authors) + 0.9))
    names = [author["author_name"] for author in authors]
    _marks(axes.barh(names, [a["posts"] for a in authors], color="#55a868"), chart)
    axes.set_xlabel("posts")
    figure.tight_layout()
    return _svg(figure, chart)


STATUS_COLOURS = {"finished": "#4c72b0", "running": "#8172b2"}
FAILED_COLOUR = "#c44e52"


def runs_chart(report: BoardReport, chart: str) -> str:
    plt = _pyplot()
    figure, (requests, posts) = plt.subplots(2, 1, figsize=(10, 4), sharex=True)
    positions = range(1, len(report.runs) + 1)
    colours = [STATUS_COLOURS.get(run.status, FAILED_COLOUR) for run in report.runs]
    _marks(requests.bar(positions, [run.requests for run in report.runs], color=colours), chart)
    requests.set_ylabel("requests")
    requests.set_title(
        "each run, oldest first (red: failed, interrupted or abandoned)", fontsize="medium"
    )
    new = posts.bar(positions, [run.new_posts for run in report.runs], color="#55a868")
    for number, patch in enumerate(new):
        patch.set_gid(f"{chart}-mark-{len(report.runs) + number}")
    posts.set_ylabel("new posts")
    posts.set_xlabel("run")
    posts.xaxis.set_major_locator(_integer_locator())
    posts.set_xlim(0.4, max(len(report.runs), 5) + 0.6)
    figure.tight_layout()
    return _svg(figure, chart)


# -- the page ----------------------------------------------------------------------------------

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ddd; padding: .3em .6em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
svg.chart { display: block; width: 100%; height: auto; }
.note { color: #666; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="note">{{ database }}; written {{ now }} UTC{% if since %}; posts and runs since
{{ since }}{% endif %}.</p>
{% if not boards %}
<p class="empty">This database holds no board yet: crawl one first
(<code>forumscraper crawl forum</code>), then write the report again.</p>
{% endif %}
{% for board in boards %}
<section class="board" id="board-{{ board.report.id }}">
<h2>{{ board.report.name }}</h2>
<p><a href="{{ board.report.base_url }}">{{ board.report.base_url }}</a> (board {{ board.report.id
}}): <span class="posts">{{ board.report.post_count }}</span> live posts{% if board.report.undated
%}; <span class="undated">{{ board.report.undated }} post{{ "s" if board.report.undated != 1
}} without a date</span> ({% if since %}not counted here{% else %}counted, in no
chart{% endif %}){% endif %}; days and hours on the board's clock, {{ board.report.timezone }}.</p>
{% if not board.report.post_count %}
<p class="empty">No live post{% if since %} since {{ since }}{% endif %} on this board.</p>
{% else %}
{% if board.report.dated %}
<h3>Posts per day, per forum</h3>
{{ board.charts.days }}
<h3>Posting hours</h3>
{{ board.charts.hours }}
{% endif %}
<h3>Most active authors</h3>
{{ board.charts.authors }}
<table class="authors">
<tr><th>Author</th><th>Posts</th><th>Topics</th><th>Last post (UTC)</th></tr>
{% for author in board.report.authors %}
<tr><td>{{ author.author_name }}</td><td class="n">{{ author.posts }}</td>
<td class="n">{{ author.topics }}</td><td>{{ author.last_post_at | when }}</td></tr>
{% endfor %}
</table>
<h3>Most active topics</h3>
<table class="topics">
<tr><th>Topic</th><th>Forum</th><th>Posts</th><th>Authors</th><th>Last post (UTC)</th></tr>
{% for topic in board.report.topics %}
<tr><td><a href="{{ topic.url }}">{{ topic.topic_title }}</a></td><td>{{ topic.forum_title }}</td>
<td class="n">{{ topic.post_count }}</td><td class="n">{{ topic.author_count }}</td>
<td>{{ topic.last_post_at | when }}</td></tr>
{% endfor %}
</table>
{% endif %}
<h3>Duplicate articles</h3>
{% if board.report.duplicates %}
<p class="note">The same text posted in more than one topic (<code>duplicate_articles</code>).</p>
<table class="duplicates">
<tr><th>Text</th><th>Copies here</th><th>Topics</th><th>Copies, all boards</th>
<th>First posted (UTC)</th></tr>
{% for dup in board.report.duplicates %}
<tr><td><a href="{{ dup.url }}">{{ dup.topic_title }}</a><br><span class="note">{{ dup.extract
}}…</span></td><td class="n">{{ dup.here }}</td><td class="n">{{ dup.topics }}</td>
<td class="n">{{ dup.copies }}</td><td>{{ dup.first_posted_at | when }}</td></tr>
{% endfor %}
</table>
{% else %}
<p class="empty">No text of this board is posted in two topics.</p>
{% endif %}
<h3>Crawl health</h3>
{% if board.report.runs %}
<table class="health">
<tr><th>Runs</th><th>Failed, interrupted or abandoned</th><th>Requests</th><th>New posts</th>
<th>Requests per new post</th><th>Errors</th></tr>
<tr><td class="n runs">{{ board.report.runs | length }}</td>
<td class="n failed">{{ board.report.failed_runs }}</td>
<td class="n requests">{{ board.report.requests }}</td>
<td class="n new-posts">{{ board.report.new_posts }}</td>
<td class="n per-post">{{ "%.2f" | format(board.report.requests_per_new_post)
   if board.report.requests_per_new_post is not none else "none" }}</td>
<td class="n">{{ board.report.runs | sum(attribute="errors") }}</td></tr>
</table>
<p class="note">By status: {% for status, count in board.report.statuses.most_common() %}{{ status
}} {{ count }}{% if not loop.last %}, {% endif %}{% endfor %}.</p>
{{ board.charts.runs }}
{% else %}
<p class="empty">No crawl run recorded{% if since %} since {{ since }}{% endif %}.</p>
{% endif %}
</section>
{% endfor %}
</body>
</html>
"""


def _when(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def render(reports: list[BoardReport], *, database: str, since: datetime | None = None) -> str:
    """The page: charts drawn with matplotlib (ImportError without the ``report`` extra)."""
    _pyplot()
    boards = []
    for report in reports:
        prefix = f"b{report.id}"
        charts: dict[str, str] = {}
        if report.dated:
            charts["days"] = days_chart(report, f"{prefix}-days")
            charts["hours"] = hours_chart(report, f"{prefix}-hours")
        if report.post_count and report.authors:
            charts["authors"] = authors_chart(report, f"{prefix}-authors")
        if report.runs:
            charts["runs"] = runs_chart(report, f"{prefix}-runs")
        # Markup: the SVG goes into the page as it is (matplotlib escaped its own text).
        boards.append({"report": report, "charts": {n: Markup(s) for n, s in charts.items()}})
    environment = Environment(autoescape=True)
    environment.filters["when"] = _when
    return environment.from_string(TEMPLATE).render(
        title="Forum archive report",
        database=database,
        now=_when(datetime.now(UTC)),
        since=_when(since) if since else None,
        boards=boards,
    )
