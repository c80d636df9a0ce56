"""What every template version shares: URLs, labels, dates, pagination, jump box, JSON-LD,
the recent-activity listings and the page context.

The markup built here is the rendered form of Forumotion's template variables
(``{PAGINATION}``, ``{S_JUMPBOX_SELECT}``, ``{RICH_SNIPPET_GOOGLE}``, ``{CURRENT_TIME}``,
``{EDITED_MESSAGE}``...) as documented in the shared reference (FACTS.md,
VARIABLE_RENDER_EXAMPLES.md), in the board language (English or French labels and dates;
Arabic and Turkish dates); the version modules place them in their own page structure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from typing import Protocol

from forumscraper.demo.content import Board, Category, Forum, Member, Post, Topic

VERSIONS = ("prosilver", "subsilver", "punbb", "invision", "modernbb", "awesomebb", "mobile")
"""Template versions the demo server renders (``?change_version=`` values; ``mobile`` is what
Forumotion serves to phones, forced here the same way)."""

ILLIWEB = "https://illiweb.com/fa"
RECENT_TITLE_LIMIT = 100
"""The "Recent topics" widget shortens link texts to this many characters."""

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS_FR = ("Lun", "Mar", "Mer", "Jeu", "Ven", "Sam", "Dim")
_MONTHS_FR = (
    "Jan",
    "Fév",
    "Mar",
    "Avr",
    "Mai",
    "Juin",
    "Juil",
    "Aoû",
    "Sep",
    "Oct",
    "Nov",
    "Déc",
)
_MONTHS_LONG_FR = (
    "Janvier",
    "Février",
    "Mars",
    "Avril",
    "Mai",
    "Juin",
    "Juillet",
    "Août",
    "Septembre",
    "Octobre",
    "Novembre",
    "Décembre",
)
_MONTHS_LONG = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Arabic and Turkish names as real boards print them (shared/forumotion/DATES.md), typed here
# from that page and not taken from the date reader's tables (forumscraper/text/date_names.py):
# a crawl of these boards then checks the reader against an independent spelling. Arabic
# Thursday and the months DATES.md does not show are the usual Arabic names of the same series.
_DAYS_AR = ("الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
_MONTHS_AR = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)
# Turkish weekdays: all seven as DATES.md lists them. Months: "Ocak" is printed in full and
# "Eyl." cut with a dot; the others follow that pattern (four-letter names in full).
_DAYS_TR = ("Ptsi", "Salı", "Çarş.", "Perş.", "Cuma", "C.tesi", "Paz")  # noqa: RUF001
_MONTHS_TR = (
    "Ocak",
    "Şub.",
    "Mart",
    "Nis.",
    "May.",
    "Haz.",
    "Tem.",
    "Ağu.",
    "Eyl.",
    "Ekim",
    "Kas.",
    "Ara.",
)
_MONTHS_LONG_TR = (
    "Ocak",
    "Şubat",
    "Mart",
    "Nisan",
    "Mayıs",  # noqa: RUF001 (Turkish dotless i)
    "Haziran",
    "Temmuz",
    "Ağustos",
    "Eylül",
    "Ekim",
    "Kasım",  # noqa: RUF001
    "Aralık",  # noqa: RUF001
)
_DATE_NAMES = {
    "en": (_DAYS, _MONTHS, _MONTHS_LONG),
    "fr": (_DAYS_FR, _MONTHS_FR, _MONTHS_LONG_FR),
    "ar": (_DAYS_AR, _MONTHS_AR, _MONTHS_AR),
    "tr": (_DAYS_TR, _MONTHS_TR, _MONTHS_LONG_TR),
}
"""Per board language: weekday (Monday first), month and full month names."""


def e(text: str) -> str:
    """HTML-escape text for element content and double-quoted attributes."""
    return escape(text, quote=True)


LABELS: dict[str, dict[str, str]] = {
    "en": {
        "by": "by",
        "on": "on",
        "in": "in",
        "today": "Today at",
        "yesterday": "Yesterday at",
        "current_time": "Current date/time is {}",
        "edited_one": "Last edited by {editor} on {date}; edited {count} time in total",
        "edited_many": "Last edited by {editor} on {date}; edited {count} times in total",
        "recent_topics": "Recent topics",
        "sticky": "Sticky:",
        "announcement": "Announcement:",
        "global_announcement": "Global announcement:",
        "moved": "Moved:",
        "announcements": "Announcements &amp; Sticky",
        "topics": "Topics",
        "posts": "Posts",
        "replies": "Replies",
        "views": "Views",
        "author": "Author",
        "forum": "Forum",
        "message": "Message",
        "subject": "Subject",
        "last_post": "Last post",
        "last_posts": "Last Posts",
        "last_post_by": "Last post by",
        "sponsored": "Sponsored content",
        "subforums": "Subforums: ",
        "guest": "Guest",
        "member": "Member",
        "page_of": "Page <strong>{}</strong> of <strong>{}</strong>",
        "go_to_page": "Go to page",
        "previous": "Prev.",
        "next": "Next",
        "no_topics": "There are no topics in this forum.",
        "search_matches": "Search found {} matches",
        "active_topics": "View active topics",
        "no_results": "No topics or posts met your search criteria",
        "index": "Index",
        "home": "Home",
        "who_is_online": "Who is online?",
        "permissions": "Permissions in this forum:",
        "cannot_reply": "You <strong>cannot</strong> reply to topics in this forum",
        "back_to_top": "Back to top",
        "go_down": "Go down",
    },
    "fr": {
        "by": "par",
        "on": "le",
        "in": "dans",
        "today": "Aujourd'hui à",
        "yesterday": "Hier à",
        "current_time": "La date/heure actuelle est {}",
        "edited_one": "Dernière édition par {editor} le {date}, édité {count} fois",
        "edited_many": "Dernière édition par {editor} le {date}, édité {count} fois",
        "recent_topics": "Sujets récents",
        "sticky": "Post-it:",
        "announcement": "Annonce:",
        "global_announcement": "Annonce globale:",
        "moved": "Déplacé:",
        "announcements": "Annonces &amp; Post-it",
        "topics": "Sujets",
        "posts": "Messages",
        "replies": "Réponses",
        "views": "Vues",
        "author": "Auteur",
        "forum": "Forum",
        "message": "Message",
        "subject": "Sujet du message",
        "last_post": "Dernier message",
        "last_posts": "Derniers Messages",
        "last_post_by": "Dernier message par",
        "sponsored": "Contenu sponsorisé",
        "subforums": "Sous-forums : ",
        "guest": "Invité",
        "member": "Membre",
        "page_of": "Page <strong>{}</strong> sur <strong>{}</strong>",
        "go_to_page": "Aller à la page",
        "previous": "Préc.",
        "next": "Suiv.",
        "no_topics": "Il n'y a pas de sujets dans ce forum.",
        "search_matches": "La recherche a retourné {} résultats",
        "active_topics": "Voir les sujets actifs",
        "no_results": "Aucun sujet ou message ne correspond à vos critères de recherche",
        "index": "Index",
        "home": "Accueil",
        "who_is_online": "Qui est en ligne ?",
        "permissions": "Permissions de ce forum:",
        "cannot_reply": "Vous <strong>ne pouvez pas</strong> répondre aux sujets dans ce forum",
        "back_to_top": "Revenir en haut",
        "go_down": "Aller en bas",
    },
    # Arabic and Turkish: the date labels only (every other label falls back to English).
    # DATES.md saw no relative dates on these boards: the words are the languages' own
    # (Arabic "اليوم" today, "أمس" yesterday, "في" on/at; Turkish "Bugün", "Dün", "saat" hour).
    # Their clock lines are unknown (no copy showed one): the lead-ins below are the languages'
    # plain words, so that the reader is shown to find the clock by its place, not its words.
    "ar": {
        "on": "في",
        "today": "اليوم في",
        "yesterday": "أمس في",
        "current_time": "التاريخ والوقت الآن: {}",
    },
    "tr": {
        "today": "Bugün saat",
        "yesterday": "Dün saat",
        "current_time": "Şu anki tarih ve saat: {}",
    },
}
"""Labels printed by the templates (``{L_…}`` and language strings), per board language."""


def label(language: str, key: str) -> str:
    """The label ``key`` in ``language`` (English when the language lacks it)."""
    return LABELS.get(language, LABELS["en"]).get(key) or LABELS["en"][key]


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
        return format_date(moment, self.board, self.now, relative=relative)


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
    return f'<a href="{ctx.href(member_path(member))}">{e(member.name)}</a>'


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
    days, months, long_months = _DATE_NAMES.get(language, _DATE_NAMES["en"])
    day, month = days[local.weekday()], months[local.month - 1]
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
        long_month = long_months[local.month - 1]
        if language == "fr":
            first = "1er" if local.day == 1 else str(local.day)
            return f"{first} {long_month} {local.year}, {_clock24(local)}"
        if language == "en":
            return f"{_ordinal(local.day)} {long_month} {local.year}, {clock(local)}"
        return f"{local.day} {long_month} {local.year}, {clock(local)}"
    if date_format in ("dmy_24h", "dmy_12h"):
        return f"{day} {local.day:02d} {month} {local.year}, {clock(local)}"
    numbers = f"{local.day:02d}{{0}}{local.month:02d}{{0}}{local.year % 100:02d}"
    if date_format == "numeric":
        return f"{numbers.format('/')}, {clock(local)}"
    return f"{numbers.format('.')} {clock(local)}"


def format_date(moment: datetime, board: Board, now: datetime, *, relative: bool = True) -> str:
    """``moment`` as the board prints it to a guest: board time zone and date format.

    With ``relative``, dates falling today or yesterday (board time, relative to ``now``) read
    "Today at 9:59 am" / "Yesterday at 15:51", the clock in the format's 12 or 24 hour style
    (24 hour on French boards).
    """
    local = moment.astimezone(board.tzinfo)
    if relative:
        today = now.astimezone(board.tzinfo).date()
        clock = _clock24 if board.language == "fr" else _CLOCKS[board.date_format]
        if local.date() == today:
            return f"{label(board.language, 'today')} {clock(local)}"
        if local.date() == today - timedelta(days=1):
            return f"{label(board.language, 'yesterday')} {clock(local)}"
    return absolute_date(local, board.date_format, board.language)


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
            "datePublished": first.posted_at.astimezone(ctx.board.tzinfo).strftime(
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


_USERDATA_SCRIPT = """<script type="text/javascript">
//<![CDATA[
var _userdata = new Array();
_userdata["session_logged_in"] = 0;
_userdata["username"] = "Anonymous";
_userdata["user_id"] = -1;
_userdata["user_level"] = 0;
_userdata["user_lang"] = "{lang}";
_userdata["activate_toolbar"] = 1;
_userdata["fix_toolbar"] = 0;
_userdata["notifications"] = 0;
_userdata["avatar"] = "";
var _lang = new Array();
_lang["Share_on"] = "Share on";
var _board = new Array();
_board["reputation_active"] = 0;
//]]>
</script>"""


def userdata_script(ctx: RenderContext) -> str:
    """Forumotion's ``_userdata`` script for a guest, in the board language."""
    return _USERDATA_SCRIPT.replace("{lang}", ctx.board.language)


# -- navigation ------------------------------------------------------------------------------


def nav_cat_desc(ctx: RenderContext, category: Category | None, forums: Iterable[Forum]) -> str:
    """``{NAV_CAT_DESC}``: the breadcrumb after the index link (category, forums)."""
    parts = []
    if category is not None:
        parts.append((category_path(category), category.title))
    parts.extend((forum_path(forum), forum.title) for forum in forums)
    return "".join(
        f'&nbsp;&raquo;&nbsp;<a class="nav" href="{ctx.href(path)}"><span>{e(name)}</span></a>'
        for path, name in parts
    )


def nav_bar(ctx: RenderContext) -> str:
    """``{GENERATED_NAV_BAR}`` for a guest: "Home" is the index (``/forum``); a board with a
    portal also links "Portal" (``/``) right after it, as real boards do."""
    portal = (("/", "portal", "Portal", ""),) if ctx.board.portal else ()
    entries = (
        (INDEX_PATH, "index", "Home", ""),
        *portal,
        ("/faq", "faq", "FAQ", ""),
        ("/search", "search", "Search", ""),
        ("/register", "register", "Register", ""),
        ("/login", "login", "Log in", ' rel="nofollow"'),
    )
    return "".join(
        f'<a class="mainmenu" href="{ctx.href(path)}"{rel}><img id="i_icon_mini_{icon}" '
        f'src="{ILLIWEB}/empty.gif" border="0" height="13" hspace="2" alt="{label}" '
        f'title="{label}" />{label}</a> &nbsp;'
        for path, icon, label, rel in entries
    )


def jumpbox_select(ctx: RenderContext, selected: Forum | None = None) -> str:
    """``{S_JUMPBOX_SELECT}``: every category (``cN``) and forum (``fN``) with depth prefixes."""
    board = ctx.board
    options = [
        '<select name="selected_id" onchange="if(this.options[this.selectedIndex].value != -1)'
        "{ forms['jumpbox'].submit() }\">",
        '<option value="-1">Select a forum</option>',
        '<option value="-1">&nbsp;</option>',
    ]

    def add_forums(category: Category, parent: int | None, depth: int) -> None:
        for forum in board.child_forums(category.id, parent):
            prefix = "|&nbsp;&nbsp;&nbsp;" * depth + "|--"
            mark = (
                ' selected="selected"' if selected is not None and forum.id == selected.id else ""
            )
            options.append(f'<option value="f{forum.id}"{mark}>{prefix}{e(forum.title)}</option>')
            add_forums(category, forum.id, depth + 1)

    for category in board.ordered_categories():
        options.append(f'<option value="c{category.id}">{e(category.title)}</option>')
        add_forums(category, None, 0)
    options.append("</select>")
    return "".join(options)


# -- pagination ------------------------------------------------------------------------------

_PAGINATION_JS = """<script type="text/javascript">
//<![CDATA[
var agt = navigator.userAgent.toLowerCase();
var originalFirstChild;
var display = false;

function createPagination(which, string, x, y)
{{
	if ( display == true ) {{ destroyPagination(); display = false; }}
	else
	{{
		display = true;
		element = document.createElement("div");
		element.style.position = "absolute";
		element.style.zIndex = 1000;
		element.innerHTML = '<table cellspacing="0" cellpadding="0" border="0" style="width:auto;">'
			+ '<tr><td><span class="gen">' + string + "</span></td></tr></table>";
		renderedElement = document.body.insertBefore(element, document.body.firstChild);
		renderedElement.style.top = (y + 15) + "px";
		renderedElement.style.left = (x + 15) + "px";
	}}
}}

function Pagination()
{{
}}

function do_pagination_start()
{{
	var start = document.go_page.start.value;
	start = (start > {pages}) ? {pages} : start;
	start = (start - 1) * {per_page};
	start = (isNaN(start) || start < 0 ) ? 0 : start;

self.location.href = start ? ['','{prefix}p'+start+'-{slug}'].join('/') : ['','{prefix}-{slug}'].join('/');

}}

function destroyPagination()
{{
	if (document.body.firstChild != originalFirstChild)
	{{
		document.body.removeChild(document.body.firstChild);
	}}
}}
//]]>
</script>"""  # noqa: E501

_GO_TO_PAGE_FORM = (
    "<form name=&quot;go_page&quot; ><table class=&quot;forumline&quot; cellpadding=&quot;5"
    "&quot; cellspacing=&quot;1&quot; border=&quot;0&quot; width=&quot;150&quot;><tr><th "
    "class=&quot;thHead&quot;>Go to page</th></tr><tr><td class=&quot;row1&quot; align=&quot;"
    "center&quot;><input type=&quot;text&quot; class=&quot;bginput&quot; name=&quot;start"
    "&quot; size=&quot;5&quot; onKeyPress=&quot;if (event.keyCode==13) { do_pagination_start()"
    ";return false; }&quot; /> <input type=&quot;button&quot; class=&quot;button&quot; value="
    "&quot;Go&quot; onclick=&quot;do_pagination_start();return false;&quot; /></td></tr>"
    "</table></form>"
)


def page_numbers(current: int, total: int) -> list[int]:
    """Pages listed by the pagination: the first and last three, and around the current one."""
    if total <= 10:
        return list(range(1, total + 1))
    shown = {1, 2, 3, total - 2, total - 1, total, current - 1, current, current + 1}
    return sorted(page for page in shown if 1 <= page <= total)


def pagination(
    ctx: RenderContext,
    *,
    prefix: str,
    slug: str,
    total: int,
    per_page: int,
    start: int,
) -> str:
    """``{PAGINATION}`` for a topic (``prefix`` ``t12``) or forum (``f3``) list; "" on 1 page."""
    pages = max(1, -(-total // per_page))
    if pages == 1:
        return ""
    current = start // per_page + 1

    def link(page: int) -> str:
        offset = (page - 1) * per_page
        return ctx.href(f"/{prefix}p{offset}-{slug}" if offset else f"/{prefix}-{slug}")

    arrow = f"sprite-arrow_{ctx.version}"
    parts = [
        _PAGINATION_JS.format(pages=pages, per_page=per_page, prefix=prefix, slug=slug),
        '<a href="javascript:Pagination();" onmousedown="createPagination(this, \''
        f"{_GO_TO_PAGE_FORM}', event.pageX, event.pageY);\">Go to page</a> : ",
    ]
    if current > 1:
        parts.append(
            f'<a href="{link(current - 1)}"><img class="{arrow}_left" src="{ILLIWEB}/empty.gif" '
            'alt="Previous" /></a>&nbsp;&nbsp;'
        )
    previous = 0
    for page in page_numbers(current, pages):
        if previous:
            parts.append(", " if page == previous + 1 else " ... ")
        parts.append(f"<b>{page}</b>" if page == current else f'<a href="{link(page)}">{page}</a>')
        previous = page
    if current < pages:
        parts.append(
            f'&nbsp;&nbsp;<a href="{link(current + 1)}"><img class="{arrow}_right" '
            f'src="{ILLIWEB}/empty.gif" alt="Next" /></a>'
        )
    return "".join(parts)


def page_number(total: int, per_page: int, start: int, language: str = "en") -> str:
    """``{PAGE_NUMBER}``: "Page <strong>1</strong> of <strong>3</strong>"."""
    pages = max(1, -(-total // per_page))
    return label(language, "page_of").format(start // per_page + 1, pages)


def goto_page_new(ctx: RenderContext, topic: Topic) -> str:
    """``{GOTO_PAGE_NEW}``: the mini pagination of a topic row (prosilver), "" on 1 page."""
    links = _topic_page_links(ctx, topic)
    if len(links) < 2:
        return ""
    return (
        '<strong class="pagination"><span>'
        + '<span class="page-sep">, </span>'.join(links)
        + "</span></strong>"
    )


def goto_page(ctx: RenderContext, topic: Topic) -> str:
    """``{GOTO_PAGE}``: the older mini pagination of a topic row (subsilver), "" on 1 page."""
    links = _topic_page_links(ctx, topic)
    if len(links) < 2:
        return ""
    return (
        f'<br /> [ <img class="sprite-icon_post_target" src="{ILLIWEB}/empty.gif" '
        'alt="Go to page" title="Go to page" />Go to page: ' + ", ".join(links) + "]"
    )


def _topic_page_links(ctx: RenderContext, topic: Topic) -> list[str]:
    per_page = ctx.board.posts_per_page
    pages = max(1, -(-len(topic.live_posts) // per_page))
    numbers = page_numbers(1, pages) if pages <= 4 else [1, 2, pages - 1, pages]
    links = []
    previous = 0
    for page in numbers:
        if previous and page != previous + 1:
            links.append("...")
        start = (page - 1) * per_page
        links.append(f'<a href="{ctx.href(topic_path(topic, start))}">{page}</a>')
        previous = page
    return links


def topic_type(topic: Topic, language: str = "en") -> str:
    """``{TOPIC_TYPE}``: the type prefix of a topic row ("Global announcement:",
    "Announcement:", "Sticky:", "Moved:" for a shadow row, else nothing)."""
    if topic.global_announcement:
        return f"<strong>{label(language, 'global_announcement')}</strong> "
    if topic.moved:
        return f"<strong>{label(language, 'moved')}</strong> "
    if topic.announcement:
        return f"<strong>{label(language, 'announcement')}</strong> "
    if topic.sticky:
        return f"<strong>{label(language, 'sticky')}</strong> "
    return ""


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
    post: Post
    href: str
    """``U_TITLE``: the last post's page and anchor (escaped)."""
    title: str
    """``L_TITLE``: the full title (escaped)."""
    short_title: str
    """``L_TOPIC_TITLE``: the title cut at :data:`RECENT_TITLE_LIMIT` characters (escaped)."""
    poster: str
    """``S_POSTER`` in its ``<a href=U_POSTER>`` for members, bare for guests."""
    poster_is_member: bool
    time: str
    """``S_POSTTIME``."""


def recent_entries(ctx: RenderContext, limit: int = 10) -> list[RecentEntry]:
    """The widget's lines, the topic with the newest post first."""
    entries = []
    for topic in ctx.board.recent_topics(limit):
        last = topic.last_post
        entries.append(
            RecentEntry(
                topic=topic,
                post=last,
                href=post_href(ctx, topic, last),
                title=e(topic.title),
                short_title=e(shorten(topic.title)),
                poster=poster_link(ctx, last.author, last.author_name),
                poster_is_member=last.author is not None,
                time=ctx.date(last.posted_at),
            )
        )
    return entries


def recent_scrolling(
    ctx: RenderContext, entries: list[RecentEntry], *, icon: str, indent: str, cut: bool = True
) -> str:
    """The phpBB-style ``scrolling_row`` lines: "» TITLE / ⌚ TIME by POSTER"."""
    rows = []
    for entry in entries:
        shown = entry.short_title if cut else entry.title
        rows.append(
            f'{indent}&raquo;&nbsp;<a href="{entry.href}" title="{entry.title}">{shown}</a>'
            f'<br />\n{indent}<img src="{icon}" alt="" />{entry.time} {ctx.t("by")}&nbsp;\n\n'
            f"{indent}{entry.poster}<br /><br />\n"
        )
    return "".join(rows)


def recent_classical(
    ctx: RenderContext, entries: list[RecentEntry], *, indent: str, icon: str | None = None
) -> str:
    """The phpBB-style ``classical_row`` lines: "» TITLE / by POSTER on TIME"."""
    clock = f'<img src="{icon}" alt="" />' if icon else ""
    return "".join(
        f'{indent}&raquo; <a href="{entry.href}">{entry.title}</a><br />{clock}'
        f"{ctx.t('by')}&nbsp;\n\n{indent}{entry.poster}\n\n"
        f"{indent}{ctx.t('on')} {entry.time}<br /><br />\n\n"
        for entry in entries
    )


def active_topics(board: Board, now: datetime) -> list[Topic]:
    """``search_id=activetopics``: topics with a post in the last 24 hours, newest first."""
    since = now - timedelta(hours=24)
    return [topic for topic in board.recent_topics(len(board.topics)) if topic.last_post_at > since]


def vote_block(post: Post) -> tuple[int, int] | None:
    """Votes (for, against) shown under a post of a forum with votes on, ``None`` for none.

    Deterministic from the post id, so that the same post shows the same bars everywhere."""
    plus, minus = post.id % 4, post.id % 3
    return (plus, minus) if plus or minus else None


def forum_last_post(ctx: RenderContext, forum: Forum, icon: str) -> str:
    """``LATEST_TOPIC_NAME`` + ``USER_LAST_POST`` of a forum row: the topic holding the
    forum's latest post, its poster and date ("No Posts" for an empty forum)."""
    _, _, latest = ctx.board.forum_stats(forum.id)
    if latest is None:
        return "No Posts"
    last = latest.last_post
    href = post_href(ctx, latest, last)
    return (
        f'<a href="{href}" title="{e(latest.title)}">{e(shorten(latest.title, 25))}</a><br />\n'
        f"{ctx.t('by')} {poster_link(ctx, last.author, last.author_name)} "
        f'<a href="{href}"><img src="{icon}" alt="Go to last message" '
        f'title="Go to last message" /></a><br />{ctx.date(last.posted_at)}'
    )


def subforum_links(ctx: RenderContext, forum: Forum) -> str:
    """``L_LINKS`` + ``LINKS`` of a forum row: its sub-forums ("" when it has none)."""
    subforums = ctx.board.subforums(forum.id)
    if not subforums:
        return ""
    return ctx.t("subforums") + ", ".join(
        f'<a href="{ctx.href(forum_path(sub))}" class="gensmall">{e(sub.title)}</a>'
        for sub in subforums
    )


def post_subject(topic: Topic, post: Post) -> str:
    """``POST_SUBJECT``: the topic title on the first post, "Re: title" on replies."""
    return topic.title if post.id == topic.first_post.id else f"Re: {topic.title}"


def category_heading(ctx: RenderContext, category: Category, tag: str | None = "h2") -> str:
    """``catrow.tablehead.L_FORUM``: the category title linking to its page (in a ``tag``
    heading where the template leaves room for one)."""
    link = f'<a href="{ctx.href(category_path(category))}">{e(category.title)}</a>'
    return f"<{tag}>{link}</{tag}>" if tag else link


def login_register(ctx: RenderContext) -> str:
    """``L_NOT_CONNECTED`` + ``L_LOGIN_REGISTER`` for a guest."""
    if ctx.board.language == "fr":
        return (
            'Vous n\'êtes pas connecté. <a href="/login?connexion"> Connectez-vous </a> ou '
            '<a href="/register"> enregistrez-vous </a>'
        )
    return (
        'You are not connected. <a href="/login?connexion"> Log in </a> or '
        '<a href="/register"> register </a>'
    )


def forum_meta(ctx: RenderContext, forum: Forum) -> str:
    """``{META}`` of a forum page."""
    return (
        f'<meta name="description" content="{e(forum.title)}" />'
        f'<link rel="alternate" type="application/rss+xml" href="/feed/?f={forum.id}" '
        f'title="{e(forum.title)}" />'
    )


def index_meta(ctx: RenderContext) -> str:
    """``{META}`` of the index."""
    board = ctx.board
    return (
        f'<meta name="language" content="{board.language}" />'
        f'<meta name="description" content="{e(board.description)}" />'
        '<meta name="robots" content="index, follow, noodp" />'
        f'<link rel="alternate" type="application/rss+xml" href="/feed/" '
        f'title="{e(board.title)}" />'
    )


def topic_meta(topic: Topic) -> str:
    """``{META}`` of a topic page."""
    return f'<meta name="description" content="{e(shorten(topic.title, 150))}" />'


def index_snippets(ctx: RenderContext, category: Category | None) -> tuple[str, str, str | None]:
    """(JSON-LD, page title, canonical path) of the index or a category page."""
    board = ctx.board
    if category is None:
        crumbs = breadcrumb_items(board, None, [])
        crumbs.append((INDEX_PATH, label(board.language, "index")))
        return rich_snippets(ctx, crumbs), board.title, None
    crumbs = breadcrumb_items(board, category, [])
    return rich_snippets(ctx, crumbs), category.title, category_path(category)


def forum_pages(ctx: RenderContext, forum: Forum, start: int) -> str:
    """``{PAGINATION}`` of a forum's topic list."""
    board = ctx.board
    return pagination(
        ctx,
        prefix=f"f{forum.id}",
        slug=forum.slug,
        total=len(board.forum_list_paged(forum.id)),
        per_page=board.topics_per_page,
        start=start,
    )


def topic_pages(ctx: RenderContext, topic: Topic, start: int) -> str:
    """``{PAGINATION}`` of a topic."""
    return pagination(
        ctx,
        prefix=f"t{topic.id}",
        slug=topic.slug,
        total=len(topic.live_posts),
        per_page=ctx.board.posts_per_page,
        start=start,
    )


SPONSORED_AD = (
    '<div class="sponsored-ad" style="text-align:center"><ins class="adsbygoogle" '
    'style="display:inline-block;width:728px;height:90px"></ins><br />Advertisement</div>'
)
"""The body of Forumotion's sponsored pseudo-post (``p0``)."""
