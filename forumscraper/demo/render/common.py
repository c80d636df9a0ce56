"""What every template version computes the same way: URLs, labels, dates, JSON-LD, the
recent-activity listings and the page context.

The values here are those of Forumotion's template variables (``{CURRENT_TIME}``,
``{RICH_SNIPPET_GOOGLE}``, ``{EDITED_MESSAGE}``, ``{PAGE_NUMBER}``...) as documented in the
shared reference (FACTS.md, VARIABLE_RENDER_EXAMPLES.md), in the board language (labels and date
names of ``data/languages.toml``: English, French, Arabic and Turkish). Every public name is
callable from the templates (:mod:`forumscraper.demo.render.engine`); the markup of variables
that every version prints alike (``{PAGINATION}``, ``{S_JUMPBOX_SELECT}``...) is in
``templates/common.html``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import format_datetime
from html import escape
from typing import Protocol
from zoneinfo import ZoneInfo

from forumscraper.demo.content import (
    LANGUAGE_TEXTS,
    Board,
    Category,
    Forum,
    Member,
    Post,
    Topic,
    slugify,
)
from forumscraper.pages.versions import VERSIONS as VERSIONS  # the registry: versions rendered

ILLIWEB = "https://illiweb.com/fa"
RECENT_TITLE_LIMIT = 100
"""The "Recent topics" widget shortens link texts to this many characters."""


def e(text: str) -> str:
    """HTML-escape text for element content and double-quoted attributes."""
    return escape(text, quote=True)


def label(language: str, key: str) -> str:
    """The label ``key`` in ``language`` (English when the language lacks it)."""
    value = LANGUAGE_TEXTS.get(language, LANGUAGE_TEXTS["en"]).get(key) or LANGUAGE_TEXTS["en"][key]
    return str(value)


# -- context --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RenderContext:
    """Everything a page needs besides the object it shows."""

    board: Board
    now: datetime
    """The request instant (aware); "Today"/"Yesterday" and the ``Date`` header use it."""
    site: str
    """Scheme and host without a trailing slash, e.g. ``http://127.0.0.1:8000``."""
    version: str
    """Template version rendered: one of :data:`VERSIONS`."""
    keep_version: bool = False
    """True when the request forced the version: links then keep ``?change_version=``."""
    widget_mode: str = "scrolling"
    """How the "Recent topics" widget lists topics: ``scrolling`` or ``classical``."""
    timezone: tzinfo | None = None
    """The viewer's zone when it is not the board's (a member's profile "Timezone")."""
    ignored: frozenset[str] = frozenset()
    """Names on the viewer's ignore list (a member's profile): their posts print as the
    ``postrow.hidden`` block, a message in place of the post (FACTS.md §2.1)."""

    def hides(self, post: Post) -> bool:
        """Whether ``post`` prints as the ``hidden`` postrow for this viewer."""
        return post.author is not None and post.author.name in self.ignored

    def t(self, key: str) -> str:
        """A label in the board language."""
        return label(self.board.language, key)

    def href(self, path: str, fragment: str | int | None = None) -> str:
        """A link to ``path`` as printed in ``href`` (escaped), keeping ``change_version``."""
        if self.keep_version:
            path += ("&" if "?" in path else "?") + f"change_version={self.version}"
        anchor = "" if fragment is None else f"#{fragment}"
        return e(path + anchor)

    def absolute(self, path: str) -> str:
        return self.site + path

    def date(self, moment: datetime, *, relative: bool = True) -> str:
        return format_date(moment, self.board, self.now, relative=relative, tz=self.timezone)


class Renderer(Protocol):
    """One template version: every page kind, for a guest."""

    def index(self, ctx: RenderContext, category: Category | None = None) -> str: ...

    def forum(self, ctx: RenderContext, forum: Forum, start: int) -> str: ...

    def topic(self, ctx: RenderContext, topic: Topic, start: int) -> str: ...

    def error(self, ctx: RenderContext, message: str) -> str: ...

    def search_active(self, ctx: RenderContext) -> str:
        """``/search?search_id=activetopics``: topics with a post in the last 24 hours."""
        ...

    def portal(self, ctx: RenderContext) -> str:
        """``/`` when the board has a portal (:attr:`Board.portal`): ``portal_body`` and its
        modules (:mod:`forumscraper.demo.render.portal`), without the board clock."""
        ...


# -- URLs ------------------------------------------------------------------------------------

INDEX_PATH = "/forum"


def category_path(category: Category) -> str:
    return f"/c{category.id}-{category.slug}"


def forum_path(forum: Forum, start: int = 0) -> str:
    page = f"p{start}" if start else ""
    return f"/f{forum.id}{page}-{forum.slug}"


def topic_path(topic: Topic, start: int = 0) -> str:
    page = f"p{start}" if start else ""
    return f"/t{topic.id}{page}-{topic.slug}"


def member_path(member: Member) -> str:
    return f"/u{member.id}"


def profile_label(name: str) -> str:
    """A profile field's label beside a post (``profile_field.LABEL``: the post count, the join
    date...), as every version prints it."""
    return f'<span class="label"><span style="color:#000000;">{name}</span>  :</span>'


def profile_fields(
    ctx: RenderContext, member: Member, before: str = "", layout: str = "line"
) -> str:
    """The ``profile_field`` rows a member's posts show after the post count (join date,
    location): ``LABEL CONTENT<br />`` each (``before`` first: Invision's separator), or a
    ``<dt>``/``<dd>`` pair each (``layout="dl"``, AwesomeBB); "" for a member without them."""
    fields = [(ctx.t("joined"), e(member.joined)), (ctx.t("location"), e(member.location))]
    rows = []
    for name, value in fields:
        if not value:
            continue
        label = profile_label(name)
        if layout == "dl":
            indent = " " * 36
            rows.append(f"{indent}<dt>{label}</dt>\n{indent}<dd>{value}</dd>\n")
        else:
            rows.append(f"{label} {value}<br />")
    return before + "".join(rows) if rows else ""


def group_path(group_id: int, name: str) -> str:
    return f"/g{group_id}-{slugify(name, 'group')}"


def moderator_links(ctx: RenderContext, forum: Forum) -> str:
    """``L_MODERATOR`` and ``MODERATORS`` of a forum's row: the label, then the profile links
    of its moderators and the links of its moderating groups, comma-separated ("" for none)."""
    links = [
        poster_link(ctx, ctx.board.member_by_name(name), name) for name in forum.moderators
    ] + [
        f'<a href="{ctx.href(group_path(group_id, name))}">{e(name)}</a>'
        for group_id, name in forum.moderator_groups
    ]
    return ctx.t("moderators") + ", ".join(links) if links else ""


def post_start(board: Board, topic: Topic, post: Post) -> int:
    """Offset of the topic page that holds ``post``."""
    index = next((i for i, p in enumerate(topic.live_posts) if p.id == post.id), 0)
    return index - index % board.posts_per_page


def post_href(ctx: RenderContext, topic: Topic, post: Post) -> str:
    return ctx.href(topic_path(topic, post_start(ctx.board, topic, post)), post.id)


def poster_link(ctx: RenderContext, member: Member | None, guest_name: str) -> str:
    """``POSTER_NAME``: a profile link for a member, the bare name for a guest."""
    if member is None:
        return e(guest_name)
    name = e(member.name)
    if member.colour:
        name = f'<span style="color:{member.colour}"><strong>{name}</strong></span>'
    return f'<a href="{ctx.href(member_path(member))}">{name}</a>'


def ignored_message(ctx: RenderContext, post: Post) -> str:
    """``postrow.hidden.MESSAGE``: what stands in the place of a post whose author the viewer
    ignores."""
    return ctx.t("ignored_post").format(poster_link(ctx, post.author, post.author_name))


# -- dates -----------------------------------------------------------------------------------


def _clock12(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'am' if moment.hour < 12 else 'pm'}"


def _clock24(moment: datetime) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _clock12_padded(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour:02d}:{moment.minute:02d} {'am' if moment.hour < 12 else 'pm'}"


def _clock24_padded(moment: datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


_CLOCKS = {
    "phpbb": _clock12,
    "forumotion": _clock24,
    "forumotion_short": _clock24,
    "ordinal": _clock12,
    "dmy_24h": _clock24_padded,
    "dmy_12h": _clock12,
    "numeric": _clock12_padded,
    "numeric_dots": _clock24,
}
"""The clock each date format prints (``g:i a``, ``G:i``, ``H:i``, ``h:i a``)."""


def absolute_date(local: datetime, date_format: str, language: str = "en") -> str:
    """A board-local datetime in one of the board date formats, without Today/Yesterday.

    Day and month names are the board language's ("Mar 26 Mar 2013 - 10:01" in French).
    """
    names = LANGUAGE_TEXTS.get(language, LANGUAGE_TEXTS["en"])
    days, months = names["days"], names["months"]
    long_months = names.get("long_months", months)
    day, month = days[local.weekday()], months[local.month - 1]
    if date_format == "date_ymd":
        return f"{local.year}-{local.month:02d}-{local.day:02d}"
    if date_format == "date_numeric":
        return f"{local.day}/{local.month}/{local.year}"
    if date_format == "date_ordinal":
        return _day_month_year(local, language, long_months)
    clock = _CLOCKS.get(date_format)
    if clock is None:
        raise ValueError(f"unknown date format {date_format!r}")
    if date_format == "phpbb":
        return f"{day} {month} {local.day:02d}, {local.year} {clock(local)}"
    if date_format == "forumotion":
        return f"{day} {local.day} {month} {local.year} - {clock(local)}"
    if date_format == "forumotion_short":
        return f"{day} {local.day} {month} - {clock(local)}"
    if date_format == "ordinal":
        hours = _clock24 if language == "fr" else clock
        return f"{_day_month_year(local, language, long_months)}, {hours(local)}"
    if date_format in ("dmy_24h", "dmy_12h"):
        return f"{day} {local.day:02d} {month} {local.year}, {clock(local)}"
    numbers = f"{local.day:02d}{{0}}{local.month:02d}{{0}}{local.year % 100:02d}"
    if date_format == "numeric":
        return f"{numbers.format('/')}, {clock(local)}"
    return f"{numbers.format('.')} {clock(local)}"


def _day_month_year(local: datetime, language: str, long_months: list[str]) -> str:
    """``jS F Y`` in the board language: "16th April 2013" in English, "1er avril 2013" in
    French, the day's plain number in the others."""
    long_month = long_months[local.month - 1]
    if language == "fr":
        return f"{'1er' if local.day == 1 else local.day} {long_month} {local.year}"
    if language == "en":
        return f"{_ordinal(local.day)} {long_month} {local.year}"
    return f"{local.day} {long_month} {local.year}"


def format_date(
    moment: datetime,
    board: Board,
    now: datetime,
    *,
    relative: bool = True,
    tz: tzinfo | None = None,
) -> str:
    """``moment`` as the board prints it to a guest: board time zone (or the viewer's ``tz``)
    and date format.

    With ``relative``, dates falling today or yesterday (board time, relative to ``now``) read
    "Today at 9:59 am" / "Yesterday at 15:51", the clock in the format's 12 or 24 hour style
    (24 hour on French boards).
    """
    zone = board_clock(tz or board.tzinfo, now)
    local = moment.astimezone(zone)
    if relative and board.date_format in _CLOCKS:  # date-only layouts print none (content.py)
        today = now.astimezone(zone).date()
        clock = _clock24 if board.language == "fr" else _CLOCKS[board.date_format]
        if local.date() == today:
            return f"{label(board.language, 'today')} {clock(local)}"
        if local.date() == today - timedelta(days=1):
            return f"{label(board.language, 'yesterday')} {clock(local)}"
    return absolute_date(local, board.date_format, board.language)


def board_clock(zone: tzinfo, now: datetime) -> tzinfo:
    """The clock a page served at ``now`` prints every date on: ``zone``'s offset at ``now``,
    for a date of any season. Forumotion's "System time zone" (and a profile's) is an offset,
    and "Adjust time" (summer time) a switch the admin turns: once it is on, a post written in
    winter is printed on summer time too, an hour later than it was on the day."""
    return timezone(zone.utcoffset(now) or timedelta(0))


def is_relative(text: str, ctx: RenderContext) -> bool:
    """Whether a printed date is a "Today at"/"Yesterday at" one."""
    return text.startswith((ctx.t("today"), ctx.t("yesterday")))


def post_date(ctx: RenderContext, moment: datetime) -> str:
    """``{POST_DATE_NEW}``: "Today at 9:59 am", else "on Sun Dec 01, 2024 9:59 am"."""
    date = ctx.date(moment)
    return date if is_relative(date, ctx) else f"{ctx.t('on')} {date}"


def current_time(ctx: RenderContext) -> str:
    """``{CURRENT_TIME}``: always an absolute date."""
    return ctx.t("current_time").format(ctx.date(ctx.now, relative=False))


def rfc822(moment: datetime) -> str:
    """RSS date: ``Thu, 21 Aug 2008 16:35:12 GMT``."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def edited_message(ctx: RenderContext, post: Post) -> str:
    """``{EDITED_MESSAGE}`` text, or "" when the post was never edited."""
    if not post.edit_count or post.edited_at is None:
        return ""
    editor = post.editor.name if post.editor else post.author_name
    key = "edited_one" if post.edit_count == 1 else "edited_many"
    return ctx.t(key).format(editor=e(editor), date=ctx.date(post.edited_at), count=post.edit_count)


# -- JSON-LD ---------------------------------------------------------------------------------


def _json(value: object) -> str:
    """JSON as PHP's ``json_encode`` prints it: ASCII only, slashes escaped."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")


def breadcrumb_items(
    board: Board, category: Category | None, forums: Iterable[Forum], topic: Topic | None = None
) -> list[tuple[str, str]]:
    """(path, name) pairs from the board root down to the page's object."""
    items = [("/", board.title)]
    if category is not None:
        items.append((category_path(category), category.title))
    items.extend((forum_path(forum), forum.title) for forum in forums)
    if topic is not None:
        items.append((topic_path(topic), topic.title))
    return items


def rich_snippets(
    ctx: RenderContext, items: list[tuple[str, str]], topic: Topic | None = None
) -> str:
    """``{RICH_SNIPPET_GOOGLE}``: the BreadcrumbList, plus DiscussionForumPosting on topics."""
    crumbs = {
        "@context": "http://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "item": {"@id": ctx.absolute(path), "name": name},
            }
            for position, (path, name) in enumerate(items, start=1)
        ],
    }
    html = f'<script type="application/ld+json">{_json(crumbs)}</script>'
    if topic is not None:
        first = topic.first_post
        posting = {
            "@context": "http://schema.org",
            "@type": "DiscussionForumPosting",
            "headline": topic.title,
            "name": topic.title,
            "url": ctx.absolute(topic_path(topic)),
            "datePublished": first.posted_at.astimezone(_json_ld_zone(ctx)).strftime(
                "%Y-%m-%d %H:%M:%S"
            ),
            "image": f"{ILLIWEB}/{ctx.version}/logo.png",
            "author": {"@type": "Person", "name": first.author_name},
            "interactionStatistic": {
                "@type": "InteractionCounter",
                "interactionType": "http://schema.org/CommentAction",
                "userInteractionCount": str(topic.reply_count),
            },
        }
        html += f'<script type="application/ld+json">{_json(posting)}</script>'
    return html


def _json_ld_zone(ctx: RenderContext) -> tzinfo:
    """The board's clock, or the zone :attr:`Board.json_ld_timezone` names (a server's, which
    follows its own summer time date by date)."""
    zone = ctx.board.json_ld_timezone
    return board_clock(ctx.board.tzinfo, ctx.now) if zone is None else ZoneInfo(zone)


# -- pagination ------------------------------------------------------------------------------


def page_numbers(current: int, total: int) -> list[int]:
    """Pages listed by the pagination: the first and last three, and around the current one."""
    if total <= 10:
        return list(range(1, total + 1))
    shown = {1, 2, 3, total - 2, total - 1, total, current - 1, current, current + 1}
    return sorted(page for page in shown if 1 <= page <= total)


def page_number(total: int, per_page: int, start: int, language: str = "en") -> str:
    """``{PAGE_NUMBER}``: "Page <strong>1</strong> of <strong>3</strong>"."""
    pages = max(1, -(-total // per_page))
    return label(language, "page_of").format(start // per_page + 1, pages)


def shorten(title: str, limit: int = RECENT_TITLE_LIMIT) -> str:
    """The recent-topics widget's cut: ``limit`` characters then "..."."""
    return title if len(title) <= limit else title[:limit] + "..."


def visible_posts(board: Board, topic: Topic, start: int) -> list[Post]:
    """The posts of one topic page, with the first post repeated on page 2+ when enabled."""
    posts = topic.live_posts
    page = posts[start : start + board.posts_per_page]
    if start and topic.repeat_first_post:
        page = [posts[0], *page]
    return page


# -- listings of recent activity --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RecentEntry:
    """One line of the "Recent topics" widget: a topic and its last post."""

    topic: Topic
    href: str
    """``U_TITLE``: the last post's page and anchor (escaped)."""
    title: str
    """``L_TITLE``: the full title (escaped)."""
    short_title: str
    """``L_TOPIC_TITLE``: the title cut at :data:`RECENT_TITLE_LIMIT` characters (escaped)."""
    poster: str
    """``S_POSTER`` in its ``<a href=U_POSTER>`` for members, bare for guests."""
    time: str
    """``S_POSTTIME``."""


def recent_entries(ctx: RenderContext, limit: int | None = None) -> list[RecentEntry]:
    """The widget's lines, the topic with the newest post first (as many as the board's widget
    lists, :attr:`Board.recent_widget_topics`, unless ``limit``)."""
    entries = []
    count = ctx.board.recent_widget_topics if limit is None else limit
    for topic in ctx.board.recent_topics(count) if count > 0 else []:
        last = topic.last_post
        entries.append(
            RecentEntry(
                topic=topic,
                href=post_href(ctx, topic, last),
                title=e(topic.title),
                short_title=e(shorten(topic.title)),
                poster=poster_link(ctx, last.author, last.author_name),
                time=ctx.date(last.posted_at),
            )
        )
    return entries


def active_topics(board: Board, now: datetime) -> list[Topic]:
    """``search_id=activetopics``: topics with a post in the last 24 hours, newest first."""
    since = now - timedelta(hours=24)
    return [topic for topic in board.recent_topics(len(board.topics)) if topic.last_post_at > since]


def vote_block(post: Post) -> tuple[int, int] | None:
    """Votes (for, against) shown under a post of a forum with votes on, ``None`` for none.

    Deterministic from the post id, so that the same post shows the same bars everywhere."""
    plus, minus = post.id % 4, post.id % 3
    return (plus, minus) if plus or minus else None


def post_subject(topic: Topic, post: Post) -> str:
    """``POST_SUBJECT``: the topic title on the first post, "Re: title" on replies."""
    return topic.title if post.id == topic.first_post.id else f"Re: {topic.title}"


def board_snippets(ctx: RenderContext) -> str:
    """``{RICH_SNIPPET_GOOGLE}`` of pages outside any category (portal, errors, search results):
    a BreadcrumbList holding the board root only."""
    return rich_snippets(ctx, breadcrumb_items(ctx.board, None, []))


def index_snippets(ctx: RenderContext, category: Category | None) -> tuple[str, str, str | None]:
    """(JSON-LD, page title, canonical path) of the index or a category page."""
    board = ctx.board
    if category is None:
        crumbs = breadcrumb_items(board, None, [])
        crumbs.append((INDEX_PATH, label(board.language, "index")))
        return rich_snippets(ctx, crumbs), board.title, None
    crumbs = breadcrumb_items(board, category, [])
    return rich_snippets(ctx, crumbs), category.title, category_path(category)
