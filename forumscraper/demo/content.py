"""The fixture forum's content model: what the demo server renders and what tests compare against.

A :class:`Board` holds categories, forums, topics, posts and members as plain dataclasses. The
renderer of :mod:`forumscraper.demo.render` turns it into Forumotion-like pages; the end-to-end
tests crawl those pages and compare the database with the board, so this module is the source of
truth. :func:`build_demo_board` builds the small board that covers every feature the scraper must
handle from ``data/demo_board.toml``; :func:`build_board` generates large boards for
benchmarks.

The board can be changed while it is served (new posts, edits, deletions) to test incremental
crawls; every mutation takes :attr:`Board.lock`, which the server also holds while rendering.
"""

from __future__ import annotations

import random
import re
import threading
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from functools import cached_property
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "DATE_FORMATS",
    "DATE_ONLY_FORMATS",
    "DEMO_FORMATTING_TOPIC_ID",
    "DEMO_LONG_FORUM_ID",
    "DEMO_LONG_TOPIC_ID",
    "DEMO_SEED_TOPIC_ID",
    "DEMO_SUBFORUM_ID",
    "GLOBAL_ANNOUNCEMENT_TITLE",
    "LANGUAGES",
    "RECENT_WIDGET_MODES",
    "SEED_POST_LINKS",
    "Attachment",
    "Board",
    "Category",
    "Forum",
    "Member",
    "Post",
    "Topic",
    "add_global_announcement",
    "build_board",
    "build_demo_board",
    "seed_post_as_member",
    "slugify",
]

DATE_FORMATS = (
    "phpbb",
    "forumotion",
    "forumotion_short",
    "ordinal",
    "dmy_24h",
    "dmy_12h",
    "numeric",
    "numeric_dots",
)
"""Board date formats the renderers know (see :func:`forumscraper.demo.render.common.format_date`),
the layouts Forumotion offers (``shared/forumotion/DATES.md``): ``phpbb`` ``D M d, Y g:i a``
"Sun Dec 01, 2024 9:59 am", ``forumotion`` ``D j M Y - G:i`` "Wed 29 Jul 2015 - 15:51",
``forumotion_short`` ``D j M - G:i`` "Wed 29 Jul - 15:51" (no year), ``ordinal`` ``jS F Y, g:i a``
"16th April 2013, 2:13 pm", ``dmy_24h`` ``D d M Y, H:i`` "Fri 26 Apr 2024, 17:33", ``dmy_12h``
``D d M Y, g:i a`` "Mon 18 Mar 2024, 9:38 pm", ``numeric`` ``d/m/y, h:i a`` "19/10/16, 09:28 pm",
``numeric_dots`` ``d.m.y G:i`` "20.01.12 10:00"."""
DATE_ONLY_FORMATS = ("date_ymd", "date_numeric", "date_ordinal")
"""The layouts Forumotion also offers that print no time of day (``shared/forumotion/DATES.md``):
``date_ymd`` ``Y-m-d`` "2024-05-06", ``date_numeric`` ``j/n/Y`` "6/5/2024", ``date_ordinal``
``jS F Y`` "6th May 2024". A post's moment is not on such a board's pages, so its dates must be
stored as NULL next to their text, never as a midnight. These boards print no "Today"/"Yesterday"
here: what Forumotion prints for a recent post in a layout without a clock is not in our
references, and the absolute date is the harder case for the reader."""
RECENT_WIDGET_MODES = ("scrolling", "classical")
"""Display modes of the "Recent topics" widget (ACP: scrolling marquee or classical list)."""


def _data_file(name: str) -> str:
    return resources.files("forumscraper.demo").joinpath(f"data/{name}").read_text("utf-8")


LANGUAGE_TEXTS: dict[str, dict[str, Any]] = tomllib.loads(_data_file("languages.toml"))
"""Per board language (``data/languages.toml``): the labels the templates print, day names
(Monday first), month names and full month names (``long_months``, else the month names)."""
LANGUAGES = tuple(LANGUAGE_TEXTS)
"""Board languages the renderers print labels and dates in (Arabic and Turkish: dates and the
date labels; other labels stay English)."""


def slugify(text: str, default: str = "topic") -> str:
    """Return the URL slug Forumotion-style: ASCII lowercase words joined by ``-``.

    Accents are stripped; text without any ASCII letter or digit (an Arabic title) gives
    ``default``. The server ignores slugs, like Forumotion does.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words) or default


def _minute(dt: datetime) -> datetime:
    return dt.replace(second=0, microsecond=0)


def _years_back(moment: datetime, years: int, tz: ZoneInfo) -> datetime:
    """``moment`` (UTC) ``years`` earlier on the board's wall clock."""
    local = moment.astimezone(tz)
    day = min(local.day, 28) if (local.month, local.day) == (2, 29) else local.day
    return local.replace(year=local.year - years, day=day).astimezone(UTC)


@dataclass(kw_only=True)
class Member:
    """A registered member."""

    id: int
    """Member id, as in the profile URL ``/u<id>``."""
    name: str
    """Display name."""
    colour: str = ""
    """The colour of the member's group (an administrator's, a moderator's), which every
    printed link to the member wears: ``<a href="/uN"><span style="color:#…"><strong>NAME``
    (Forumotion's user lists); ``""`` for a member of no coloured group."""
    joined: str = ""
    """The "Join date" profile field its posts show, as printed ("14/03/2009"; "" for none)."""
    location: str = ""
    """The "Location" profile field its posts show ("" for none)."""


@dataclass(kw_only=True)
class Category:
    """A category: a group of forums on the index (URL ``/c<id>-slug``)."""

    id: int
    title: str
    position: int
    """Order on the index, ascending."""

    @property
    def slug(self) -> str:
        return slugify(self.title, "category")


@dataclass(kw_only=True)
class Forum:
    """A forum or sub-forum (URL ``/f<id>-slug``)."""

    id: int
    title: str
    description: str
    category_id: int
    parent_id: int | None
    """Id of the parent forum for a sub-forum, else None."""
    position: int
    """Order among its siblings, ascending."""
    votes: bool = False
    """Posts of this forum show the vote (reputation) block (``switch_vote_active``)."""
    moderators: tuple[str, ...] = ()
    """Names of the members who moderate it, then :attr:`moderator_groups`: the desktop
    versions print them in its row of a forum list (``switch_moderators_links``), after a
    label ("Moderators: "), in the description's node on phpBB3, PunBB and ModernBB."""
    moderator_groups: tuple[tuple[int, str], ...] = ()
    """(id, name) of the groups that moderate it, linked as ``/g<id>-slug``."""

    @property
    def slug(self) -> str:
        return slugify(self.title, "forum")


@dataclass(frozen=True)
class Attachment:
    """A file attached to a post, as its topic page lists it under the message (the templates'
    ``switch_attachments`` block): name, size, download count, the uploader's comment."""

    id: int
    name: str
    size: str
    """As printed: "12.5 Kb"."""
    downloads: int
    comment: str = ""

    @property
    def path(self) -> str:
        """The demo's download address (``U_ATTACHMENT``; the reader takes any)."""
        return f"/download/file.php?id={self.id}"


@dataclass(kw_only=True)
class Post:
    """One message of a topic."""

    id: int
    """Post id: ``#<id>`` anchors and ``p<id>`` containers."""
    topic_id: int
    author: Member | None
    """The member who wrote it; None for a guest post."""
    guest_name: str | None
    """Name shown for a guest post (None for members)."""
    posted_at: datetime
    """Aware UTC datetime, whole minutes."""
    body_html: str
    """Exactly the HTML placed inside the body ``<div>``."""
    signature_html: str | None
    edited_at: datetime | None
    edit_count: int
    editor: Member | None
    deleted: bool = False
    """Deleted posts are not rendered."""
    attachments: list[Attachment] = field(default_factory=list)
    """Files listed under the message (in the attachment box every version prints there)."""
    member_body_html: str | None = None
    """What a logged-in member sees instead of ``body_html``, for a post copied from a guest's
    view (the seed post): ``body_html`` holds the guest placeholders, this the real links in
    their place. None (every other post, and any post once edited): members see ``body_html``
    too, and guests lose its links only when the server hides them
    (:class:`~forumscraper.demo.members.MemberArea`)."""

    @property
    def author_name(self) -> str:
        """The name shown for the post: the member's name, else the guest name."""
        if self.author is not None:
            return self.author.name
        return self.guest_name or "Guest"


@dataclass(kw_only=True)
class Topic:
    """A topic (URL ``/t<id>-slug``, pages ``/t<id>p<offset>-slug``)."""

    id: int
    forum_id: int
    title: str
    views: int
    description: str = ""
    """The line its starter may write under the title ("" for none): printed in the forum's
    topic list only (``switch_description``; not on the topic's pages, in search results, in
    widgets or on mobile)."""
    sticky: bool = False
    announcement: bool = False
    global_announcement: bool = False
    """Listed at the top of every forum's topic list, in all forums and on every page, with the
    prefix "Global announcement:" (FR "Annonce globale:"), while it lives in :attr:`forum_id`
    (its page, breadcrumb, index counts and feed). A global announcement is an announcement:
    constructing one sets :attr:`announcement` (use :meth:`Board.make_global_announcement` on
    an existing topic)."""
    moved: bool = False
    """A "Moved:" shadow row (see :attr:`Board.shadow_topics`): listed with the prefix "Moved:"
    (FR "Déplacé:") in the forum the topic left."""
    poll: bool = False
    """The topic holds a poll: its rows' ``{TOPIC_TYPE}`` ends with "[ Poll ]" (FR "[ Sondage ]"),
    after the type's own word for a sticky or an announcement. The poll itself is not drawn."""
    repeat_first_post: bool = False
    """Forumotion's "display the first post on every page": page 2+ start with the first post."""
    posts: list[Post]
    """All posts, deleted ones included, in posting order."""
    deleted: bool = False
    miscounted: int = 0
    """Replies the board's counters count beyond the posts its pages show (a counter that
    drifted): in every reply count it prints (lists, the JSON-LD)."""

    def __post_init__(self) -> None:
        if self.global_announcement:
            self.announcement = True

    @property
    def live_posts(self) -> list[Post]:
        """Posts that are shown, oldest first."""
        return [post for post in self.posts if not post.deleted]

    @property
    def first_post(self) -> Post:
        return self.live_posts[0]

    @property
    def last_post(self) -> Post:
        return self.live_posts[-1]

    @property
    def author(self) -> Member | None:
        """The first post's author (None for a guest)."""
        return self.first_post.author

    @property
    def author_name(self) -> str:
        return self.first_post.author_name

    @property
    def reply_count(self) -> int:
        """Live posts minus the first one (plus :attr:`miscounted`)."""
        return len(self.live_posts) - 1 + self.miscounted

    @property
    def last_post_at(self) -> datetime:
        return self.last_post.posted_at

    @property
    def created_at(self) -> datetime:
        return self.first_post.posted_at

    @property
    def slug(self) -> str:
        return slugify(self.title, "topic")


@dataclass(kw_only=True)
class Board:
    """A whole forum: structure, content, board settings and the mutations tests use."""

    title: str
    timezone: str
    """IANA name of the board time zone, e.g. ``Asia/Baghdad``: the offset its "System time
    zone" and "Adjust time" (summer time, a switch its admin turns as the zone does) give at
    each moment. A page prints every date on the offset of the moment it is served, an old
    post's too (``render.common.board_clock``)."""
    date_format: str = "phpbb"
    """One of :data:`DATE_FORMATS` or :data:`DATE_ONLY_FORMATS`."""
    description: str = ""
    language: str = "en"
    """One of :data:`LANGUAGES`: labels, dates and notes are printed in it."""
    guests_download_attachments: bool = False
    """Whether guests may download attached files: then their names are links; else a guest
    sees each name without a link and "You do not have the permission to download
    attachments" (the templates' ``switch_dl_att``/``switch_no_dl_att``)."""
    recent_widget_mode: str = "scrolling"
    """One of :data:`RECENT_WIDGET_MODES`: how the "Recent topics" widget lists topics."""
    recent_widget_topics: int = 10
    """How many topics the "Recent topics" widget lists (an ACP setting of the widget; 0: it
    lists none, as a page whose widget is disabled or absent shows no entry)."""
    recent_widget_hidden_forums: frozenset[int] = frozenset()
    """Forums whose topics the "Recent topics" widget leaves out, as a widget set to list
    some forums only would (whether Forumotion offers that is not verified): see
    :meth:`recent_topics`. Other listings (the active topics) still list them."""
    portal: bool = False
    """The board has a portal home page (ACP "Portal" on, as many real boards have).

    On: ``/`` serves the portal (``portal(ctx)`` of the version: the "Recent topics" widget in
    the scrolling or classical mode, the news of the first forum, most active and most viewed
    topics; see :mod:`forumscraper.demo.render.portal`) and **no** "Current date/time is …"
    line (``portal_body`` has no ``{CURRENT_TIME}``; the Invision and ModernBB footers keep
    theirs, on every page). The forum index is at ``/forum`` only (clock as today) and the nav
    bar gets a "Portal" link to ``/`` after "Home" (``/forum``). The mobile version has no
    portal template: it serves the index at ``/`` (and ``/forum``) whatever the option.
    Off (default): ``/`` and ``/forum`` both serve the index."""
    clock_on_forum_pages: bool = True
    """Forum topic lists (``/fN-…``) print the board clock ``{CURRENT_TIME}``.

    Where each version prints "Current date/time is …" to guests (FACTS §0.4):

    * prosilver: ``<p>`` at the top of the index, the forum lists and error pages
      (``index_body``, ``viewforum_body``, ``message_body``); not the portal nor topics.
    * subsilver (phpBB2): nowhere (``index_box`` prints it inside ``switch_user_logged_in``).
    * punbb, awesomebb, mobile: nowhere (their templates have no ``{CURRENT_TIME}``).
    * invision: the footer ``div.current-time`` of every page (``overall_footer_begin``).
    * modernbb: the footer ``ul.footerbar-user li`` of every page (``overall_footer_end``) and a
      ``<p>`` on error pages (``message_body``).

    False drops the clock from forum list pages only (prosilver's ``<p>``, the invision and
    modernbb footers), as customised boards do: then only the index (and, for invision and
    modernbb, other pages' footers) carry it."""
    last_poster_avatars: bool = False
    """Topic lists show each row's last poster's avatar (the templates' ``avatar`` block of
    ``topics_list_box``, an ACP display option): an image before the last post's details, in
    the same cell; on phpBB3 the details move into a ``div`` beside it."""
    announcements_on_every_page: bool = False
    """A forum's announcements head every page of its topic list, as on Forumotion.

    Forumotion (phpBB2's ``viewforum``) reads announcements apart from the other topics and
    lists them above each page's rows; a page then holds up to :attr:`topics_per_page`
    stickies and normal topics, and the offset of ``/f<id>p<offset>-`` counts those only: page
    2 of a forum with 1 announcement and 63 other topics shows the announcement then topics 51
    to 63 (phpBB2 sizes its page count on all the forum's topics, which may add a last page
    holding only the announcements; the demo counts the paged topics only).

    Off (default, as the demo board was first written): announcements are ordinary rows of the
    first page, counted by the pagination. Global announcements
    (:attr:`Topic.global_announcement`) head every page of every forum either way, never
    counted. See :meth:`forum_list`."""
    topics_by_creation: bool = False
    """Topic lists order their topics by creation, the newest first, not by last post (pinned
    rows still head them). Forumotion's default lists go by last post, and whether a board can
    order them otherwise is not known (an edited template or script could): the crawler's
    proof that later list pages hold nothing new rests on that order, and checks it."""
    reordered_markup: bool = False
    """prosilver only: markup in another order than the default templates, as boards with
    edited templates serve, to test that readers go by class and not by position. Topic rows
    (forum lists) and their headers give the last post cell first, then views, then replies
    (``dd.lastpost``, ``dd.views``, ``dd.posts`` after ``dd.dterm``); the post header
    ``p.author`` reads the date before the author, "Today at 9:59 am by Rocky" (absolute dates
    without the leading "on"). Classes and content are unchanged."""
    json_ld_timezone: str | None = None
    """The zone of the topics' JSON-LD ``datePublished`` (printed without one, FACTS §3):
    ``None``, the board's own; another IANA name (``"UTC"``) for a board whose server prints it
    on another clock, which real boards may do: nobody has checked."""
    topics_per_page: int = 50
    posts_per_page: int = 15
    categories: list[Category] = field(default_factory=list)
    forums: list[Forum] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    moved_topics: dict[int, int] = field(default_factory=dict)
    """Topic ids that answer with a redirect: old id → id of the topic now holding the posts.

    Any ``/t<old>…`` URL (pages and prev/next included) answers ``301 Moved Permanently`` with
    ``Location`` the new topic's first page (``/t<new>-slug``), as Forumotion does for a topic
    merged into another. Chains are followed; a missing target answers 404. Filled by
    :meth:`merge_topic`; may be edited by hand (then call :meth:`changed`)."""
    shadow_topics: list[Topic] = field(default_factory=list)
    """Rows listed in a forum's topic list (:attr:`Topic.forum_id`) that are not live topics:
    snapshots of a topic that was merged away (its link ``/t<old>-`` then redirects, see
    :attr:`moved_topics`) or "Moved:" shadows (:attr:`Topic.moved`) a moved topic leaves
    behind. They sort and paginate like normal topics of that forum but count nowhere else
    (index, feeds, widgets, :meth:`live_topics`). Filled by :meth:`move_topic` and
    :meth:`merge_topic`."""
    lock: threading.RLock = field(
        default_factory=threading.RLock, init=False, repr=False, compare=False
    )
    """Held by every mutation and by the server while it renders a page."""
    _cache: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.date_format not in DATE_FORMATS + DATE_ONLY_FORMATS:
            raise ValueError(
                f"unknown date_format {self.date_format!r}, "
                f"use one of {DATE_FORMATS + DATE_ONLY_FORMATS}"
            )
        if self.recent_widget_mode not in RECENT_WIDGET_MODES:
            raise ValueError(
                f"unknown recent_widget_mode {self.recent_widget_mode!r}, "
                f"use one of {RECENT_WIDGET_MODES}"
            )
        if self.language not in LANGUAGES:
            raise ValueError(f"unknown language {self.language!r}, use one of {LANGUAGES}")
        if self.json_ld_timezone is not None:
            ZoneInfo(self.json_ld_timezone)  # an unknown name fails here, not on a page
        if self.recent_widget_topics < 0:
            raise ValueError(
                f"recent_widget_topics must be 0 or more, not {self.recent_widget_topics}"
            )

    @cached_property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    # -- lookups ------------------------------------------------------------------------------

    def _memo(self, key: Any, compute: Any) -> Any:
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = compute()
            return value

    def changed(self) -> None:
        """Forget derived data (orders, counts); call after editing the lists by hand."""
        self._cache.clear()

    def _index(self, kind: str) -> dict[int, Any]:
        def compute() -> dict[int, Any]:
            if kind == "post":
                items: list[Any] = [post for topic in self.topics for post in topic.posts]
            else:
                lists: dict[str, list[Any]] = {
                    "category": self.categories,
                    "forum": self.forums,
                    "topic": self.topics,
                    "member": self.members,
                }
                items = lists[kind]
            return {item.id: item for item in items}

        return self._memo(("index", kind), compute)

    def category(self, category_id: int) -> Category | None:
        return self._index("category").get(category_id)

    def forum(self, forum_id: int) -> Forum | None:
        return self._index("forum").get(forum_id)

    def topic(self, topic_id: int) -> Topic | None:
        """The topic with this id, deleted or not (None if it never existed)."""
        return self._index("topic").get(topic_id)

    def post(self, post_id: int) -> Post | None:
        return self._index("post").get(post_id)

    def member(self, member_id: int) -> Member | None:
        return self._index("member").get(member_id)

    def member_by_name(self, name: str) -> Member | None:
        return next((m for m in self.members if m.name == name), None)

    def live_topics(self) -> list[Topic]:
        """Topics that are shown (not deleted and with at least one live post)."""
        return self._memo(
            "live_topics", lambda: [t for t in self.topics if not t.deleted and t.live_posts]
        )

    def live_posts(self) -> list[Post]:
        return [post for topic in self.live_topics() for post in topic.live_posts]

    def member_views(self) -> list[tuple[str, str]]:
        """``(body_html, member_body_html)`` of the live posts members see differently."""
        return self._memo(
            "member_views",
            lambda: [
                (post.body_html, post.member_body_html)
                for post in self.live_posts()
                if post.member_body_html is not None
            ],
        )

    def ordered_categories(self) -> list[Category]:
        return sorted(self.categories, key=lambda c: (c.position, c.id))

    def child_forums(self, category_id: int, parent_id: int | None = None) -> list[Forum]:
        """Forums of a category directly under ``parent_id`` (None: top level), in order."""
        return sorted(
            (f for f in self.forums if f.category_id == category_id and f.parent_id == parent_id),
            key=lambda f: (f.position, f.id),
        )

    def subforums(self, forum_id: int) -> list[Forum]:
        forum = self.forum(forum_id)
        return [] if forum is None else self.child_forums(forum.category_id, forum_id)

    def forum_path(self, forum: Forum) -> list[Forum]:
        """The forum's ancestors then the forum itself, outermost first."""
        path = [forum]
        while path[0].parent_id is not None:
            parent = self.forum(path[0].parent_id)
            if parent is None:
                break
            path.insert(0, parent)
        return path

    def forum_topics(self, forum_id: int) -> list[Topic]:
        """Live topics of one forum in list order: announcements, stickies, then by last post."""

        def compute() -> list[Topic]:
            topics = [t for t in self.live_topics() if t.forum_id == forum_id]
            return sorted(topics, key=self._list_order)

        return self._memo(("forum_topics", forum_id), compute)

    def _list_order(self, topic: Topic) -> tuple[bool, bool, bool, float, int]:
        """Sort key of topic lists: global announcements, announcements, stickies, then the
        latest last post first (the newest topic, with :attr:`topics_by_creation`)."""
        latest = topic.created_at if self.topics_by_creation else topic.last_post_at
        return (
            not topic.global_announcement,
            not topic.announcement,
            not topic.sticky,
            -latest.timestamp(),
            -topic.id,
        )

    def global_announcements(self) -> list[Topic]:
        """Live global announcements of the whole board, the latest last post first."""
        return self._memo(
            "global_announcements",
            lambda: sorted(
                (t for t in self.live_topics() if t.global_announcement), key=self._list_order
            ),
        )

    def _forum_rows(self, forum_id: int) -> tuple[list[Topic], list[Topic]]:
        """(rows heading every page, rows the pagination counts) of a forum's topic list."""

        def compute() -> tuple[list[Topic], list[Topic]]:
            own = [t for t in self.forum_topics(forum_id) if not t.global_announcement]
            shadows = [t for t in self.shadow_topics if t.forum_id == forum_id]
            if self.announcements_on_every_page:
                pinned = [t for t in own if t.announcement]
                own = [t for t in own if not t.announcement]
            else:
                pinned = []
            paged = sorted(own + shadows, key=self._list_order) if shadows else own
            return self.global_announcements() + pinned, paged

        return self._memo(("forum_rows", forum_id), compute)

    def forum_list(self, forum_id: int, start: int = 0) -> list[Topic]:
        """The rows of one page of a forum's topic list (``/f<id>p<start>-``), top to bottom.

        Every page starts with the board's global announcements (also in their own forum) and,
        with :attr:`announcements_on_every_page`, the forum's announcements; then come up to
        :attr:`topics_per_page` rows from offset ``start`` of :meth:`forum_list_paged`
        (stickies first, then by last post; :attr:`shadow_topics` of the forum among them).
        On the default demo board this is ``forum_topics(forum_id)[start:start + 50]``.
        """
        pinned, paged = self._forum_rows(forum_id)
        return pinned + paged[start : start + self.topics_per_page]

    def forum_list_paged(self, forum_id: int) -> list[Topic]:
        """The rows the pagination of a forum's topic list counts and the offset ``p<start>``
        indexes: all but the rows heading every page (see :meth:`forum_list`)."""
        return self._forum_rows(forum_id)[1]

    def recent_topics(self, limit: int = 10) -> list[Topic]:
        """Live topics with the most recent last post first (the "Recent topics" widget).

        A list shorter than the board's topics is the widget's, and leaves out the topics of
        :attr:`recent_widget_hidden_forums`; asked for every topic (``len(board.topics)``, as
        the active topics' search and tests do), it is the board's whole order."""
        ordered = self._memo(
            "recent_topics",
            lambda: sorted(
                self.live_topics(), key=lambda t: (t.last_post_at, t.last_post.id), reverse=True
            ),
        )
        if self.recent_widget_hidden_forums and limit < len(self.topics):
            hidden = self.recent_widget_hidden_forums
            return [topic for topic in ordered if topic.forum_id not in hidden][:limit]
        return ordered[:limit]

    def newest_topics(self, forum_id: int | None = None, limit: int = 25) -> list[Topic]:
        """Live topics, newest first (the RSS feed), optionally of one forum."""
        topics = [t for t in self.live_topics() if forum_id is None or t.forum_id == forum_id]
        return sorted(topics, key=lambda t: (t.created_at, t.id), reverse=True)[:limit]

    def forum_stats(self, forum_id: int) -> tuple[int, int, Topic | None]:
        """(topic count, post count, topic holding the latest post) of one forum."""

        def compute() -> tuple[int, int, Topic | None]:
            topics = self.forum_topics(forum_id)
            posts = sum(len(t.live_posts) for t in topics)
            latest = max(topics, key=lambda t: (t.last_post_at, t.last_post.id), default=None)
            return len(topics), posts, latest

        return self._memo(("forum_stats", forum_id), compute)

    def neighbour_topic(self, topic: Topic, direction: str) -> Topic | None:
        """The topic of the same forum just before (``older``) or after (``newer``) by last post."""
        siblings: list[Topic] = self._memo(
            ("siblings", topic.forum_id),
            lambda: sorted(
                self.forum_topics(topic.forum_id), key=lambda t: (t.last_post_at, t.last_post.id)
            ),
        )
        positions: dict[int, int] = self._memo(
            ("sibling_positions", topic.forum_id),
            lambda: {t.id: i for i, t in enumerate(siblings)},
        )
        if topic.id not in positions:
            return None
        index = positions[topic.id] + (-1 if direction == "older" else 1)
        return siblings[index] if 0 <= index < len(siblings) else None

    def member_post_count(self, member_id: int) -> int:
        counts = self._memo("member_posts", self._count_member_posts)
        return counts.get(member_id, 0)

    def _count_member_posts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for post in self.live_posts():
            if post.author is not None:
                counts[post.author.id] = counts.get(post.author.id, 0) + 1
        return counts

    # -- mutations ----------------------------------------------------------------------------

    def _next_post_id(self) -> int:
        return max((post.id for t in self.topics for post in t.posts), default=100) + 1

    def _new_topic(self, forum_id: int, title: str, posts: list[Post]) -> Topic:
        """A topic of ``forum_id`` holding ``posts``, added to the board under the current
        maximum topic id plus one (shadows and merged-away ids count)."""
        if self.forum(forum_id) is None:
            raise KeyError(f"no forum {forum_id}")
        used = [t.id for t in self.topics] + [t.id for t in self.shadow_topics]
        topic_id = max([*used, *self.moved_topics], default=10) + 1
        for post in posts:
            post.topic_id = topic_id
        topic = Topic(id=topic_id, forum_id=forum_id, title=title, views=0, posts=posts)
        self.topics.append(topic)
        self.changed()
        return topic

    def add_post(
        self,
        topic_id: int,
        author: Member | None,
        body_html: str,
        posted_at: datetime | None = None,
        *,
        guest_name: str | None = None,
        signature_html: str | None = None,
    ) -> Post:
        """Append a reply to a topic; ``posted_at`` defaults to now (whole minutes, UTC)."""
        with self.lock:
            topic = self.topic(topic_id)
            if topic is None:
                raise KeyError(f"no topic {topic_id}")
            at = _minute(posted_at or datetime.now(UTC)).astimezone(UTC)
            if topic.live_posts and at < topic.last_post_at:
                # Forumotion dates a post when it is sent: a reply is never older than the post
                # before it. A test that adds one (a fixed time older than the demo's "today"
                # posts; see _Clock) would test a board that cannot be.
                raise ValueError(
                    f"a reply at {at:%Y-%m-%d %H:%M} UTC is older than topic {topic_id}'s last"
                    f" post ({topic.last_post_at:%Y-%m-%d %H:%M} UTC)"
                )
            post = Post(
                id=self._next_post_id(),
                topic_id=topic_id,
                author=author,
                guest_name=None if author is not None else (guest_name or "Guest"),
                posted_at=at,
                body_html=body_html,
                signature_html=signature_html,
                edited_at=None,
                edit_count=0,
                editor=None,
            )
            topic.posts.append(post)
            self.changed()
            return post

    def add_topic(
        self,
        forum_id: int,
        title: str,
        author: Member | None,
        body_html: str,
        posted_at: datetime | None = None,
    ) -> Topic:
        """Create a topic with its first post; ids are the current maximum plus one."""
        with self.lock:
            topic = self._new_topic(forum_id, title, [])
            self.add_post(topic.id, author, body_html, posted_at)
            return topic

    def edit_post(self, post_id: int, body_html: str, editor: Member, at: datetime) -> Post:
        """Replace a post's body and record the edit (count, editor, time)."""
        with self.lock:
            post = self.post(post_id)
            if post is None:
                raise KeyError(f"no post {post_id}")
            post.body_html = body_html
            post.member_body_html = None
            post.editor = editor
            post.edited_at = _minute(at).astimezone(UTC)
            post.edit_count += 1
            self.changed()
            return post

    def delete_post(self, post_id: int) -> None:
        """Hide a post; a topic left without posts disappears as well."""
        with self.lock:
            post = self.post(post_id)
            if post is None:
                raise KeyError(f"no post {post_id}")
            post.deleted = True
            topic = self.topic(post.topic_id)
            if topic is not None and not topic.live_posts:
                topic.deleted = True
            self.changed()

    def delete_topic(self, topic_id: int) -> None:
        with self.lock:
            topic = self.topic(topic_id)
            if topic is None:
                raise KeyError(f"no topic {topic_id}")
            topic.deleted = True
            self.changed()

    def delete_forum(self, forum_id: int) -> None:
        """Delete a forum as a board admin does: it, its sub-forums and their topics are gone
        (their addresses answer 404)."""
        with self.lock:
            if self.forum(forum_id) is None:
                raise KeyError(f"no forum {forum_id}")
            doomed = {forum_id}
            while grown := {f.id for f in self.forums if f.parent_id in doomed} - doomed:
                doomed |= grown
            self.forums = [forum for forum in self.forums if forum.id not in doomed]
            for topic in self.topics:
                if topic.forum_id in doomed:
                    topic.deleted = True
            self.changed()

    def date_back(self, years: int, *, through_post: int) -> None:
        """Make the board's first posts, up to post ``through_post``, ``years`` years older
        (same month, day and time; 29 February becomes the 28th), edits included: a board
        opened years before its latest posts. Ids still follow posting order, as on
        Forumotion; a topic that straddles the post is one revived after years."""
        with self.lock:
            for topic in self.topics:
                for post in topic.posts:
                    if post.id > through_post:
                        continue
                    post.posted_at = _years_back(post.posted_at, years, self.tzinfo)
                    if post.edited_at is not None:
                        post.edited_at = _years_back(post.edited_at, years, self.tzinfo)
            self.changed()

    def move_clock(self, timezone: str) -> None:
        """The admin sets another zone, or turns summer time on or off: every date is printed
        on the new clock from now on (the posts' moments stay)."""
        with self.lock:
            self.timezone = timezone
            self.__dict__.pop("tzinfo", None)
            self.changed()

    def make_global_announcement(self, topic_id: int, on: bool = True) -> Topic:
        """Turn a topic into a global announcement (:attr:`Topic.global_announcement`), or back
        into a normal topic with ``on=False``."""
        with self.lock:
            topic = self.topic(topic_id)
            if topic is None:
                raise KeyError(f"no topic {topic_id}")
            topic.global_announcement = topic.announcement = on
            self.changed()
            return topic

    def move_topic(self, topic_id: int, forum_id: int, *, shadow: bool = True) -> Topic:
        """Move a topic to another forum as a Forumotion moderator does; return it.

        The topic keeps its id and URL: ``/t<id>-`` now shows it in ``forum_id`` (breadcrumb,
        JSON-LD, index counts). With ``shadow`` ("Leave a shadow topic in the old forum", ticked
        by default in the move form) the old forum still lists a "Moved:" row for it
        (:attr:`Topic.moved`, in :attr:`shadow_topics`): title, author, replies, views and last
        post as at the move, linking to the same ``/t<id>-`` URL (phpBB2 shadows link to the
        moved topic). A crawler then meets the topic in two forums' lists.
        """
        with self.lock:
            topic = self.topic(topic_id)
            if topic is None or topic.deleted or not topic.live_posts:
                raise KeyError(f"no topic {topic_id}")
            if self.forum(forum_id) is None:
                raise KeyError(f"no forum {forum_id}")
            if shadow and forum_id != topic.forum_id:
                self.shadow_topics.append(_snapshot(topic, moved=True))
            topic.forum_id = forum_id
            self.changed()
            return topic

    def split_topic(
        self, topic_id: int, post_ids: set[int], title: str, forum_id: int | None = None
    ) -> Topic:
        """Split posts out of a topic into a new one, as a Forumotion moderator does
        (``/modcp?mode=split``); return the new topic.

        The posts keep their ids and dates: the new topic (the next free id, in ``forum_id``,
        by default the old topic's forum) starts with the earliest of them, and its last post
        is theirs, so a list ordered by last post may show it far down. The old topic keeps
        the other posts, which move up to fill the places left.
        """
        with self.lock:
            old = self.topic(topic_id)
            if old is None or old.deleted:
                raise KeyError(f"no topic {topic_id}")
            moving = [post for post in old.posts if post.id in post_ids and not post.deleted]
            if len(moving) != len(post_ids) or len(moving) == len(old.live_posts):
                raise ValueError(f"topic {topic_id} cannot give up posts {sorted(post_ids)}")
            new = self._new_topic(old.forum_id if forum_id is None else forum_id, title, moving)
            old.posts = [post for post in old.posts if post not in moving]
            self.changed()
            return new

    def merge_topic(self, old_id: int, into_id: int, *, keep_row: bool = True) -> Topic:
        """Merge topic ``old_id`` into topic ``into_id`` as a Forumotion moderator does; return
        the topic that holds the posts now.

        The old topic's posts (ids kept) join the target's in posting order (the target's
        title, id and forum stay); the old topic leaves :attr:`topics`, and any ``/t<old>…`` URL
        answers 301 to ``/t<into>-slug`` (:attr:`moved_topics`). With ``keep_row`` the old
        topic's forum still lists its row as it was before the merge (title, author, replies,
        views, last post; a plain row, no prefix, linking to ``/t<old>-slug``), in
        :attr:`shadow_topics`: what a crawler meets when it read the list before the merge and
        reaches the topic after it. ``keep_row=False`` leaves no trace in the lists, as on a
        fresh Forumotion list.
        """
        with self.lock:
            old, into = self.topic(old_id), self.topic(into_id)
            if old is None or into is None:
                raise KeyError(f"no topic {old_id if old is None else into_id}")
            if old is into:
                raise ValueError(f"cannot merge topic {old_id} into itself")
            if keep_row and not old.deleted and old.live_posts:
                self.shadow_topics.append(_snapshot(old, moved=False))
            for post in old.posts:
                post.topic_id = into.id
            into.posts = sorted(into.posts + old.posts, key=lambda p: (p.posted_at, p.id))
            self.topics.remove(old)
            for source, target in list(self.moved_topics.items()):
                if target == old_id:
                    self.moved_topics[source] = into_id
            self.moved_topics[old_id] = into_id
            self.changed()
            return into

    def resolve_moved(self, topic_id: int) -> int | None:
        """The id ``/t<topic_id>-`` redirects to (:attr:`moved_topics`, chains followed), or
        None when that id is not redirected (or the chain loops)."""
        seen = {topic_id}
        target = self.moved_topics.get(topic_id)
        while target is not None and target in self.moved_topics:
            if target in seen:
                return None
            seen.add(target)
            target = self.moved_topics[target]
        return target


def _snapshot(topic: Topic, *, moved: bool) -> Topic:
    """A list row frozen as ``topic`` is now: same id, title, views and posts (copies)."""
    return Topic(
        id=topic.id,
        forum_id=topic.forum_id,
        title=topic.title,
        views=topic.views,
        moved=moved,
        posts=[replace(post) for post in topic.live_posts],
    )


# -- content generation ----------------------------------------------------------------------

SMILE = '<img src="https://illiweb.com/fa/i/smiles/icon_smile.gif" alt=":)" longdesc="1" />'
WINK = '<img src="https://illiweb.com/fa/i/smiles/icon_wink.gif" alt=";)" longdesc="3" />'
HIDDEN_LINK = "[You must be registered and logged in to see this link.]"


_DEMO: dict[str, Any] = tomllib.loads(_data_file("demo_board.toml"))
"""The demo board's content: ``data/demo_board.toml`` (its header says how it reads)."""
_WORDS: list[str] = _DEMO["words"]["nouns"]
_VERBS: list[str] = _DEMO["words"]["verbs"]
_OPENERS: list[str] = _DEMO["words"]["openers"]


def _sentence(rng: random.Random) -> str:
    words = rng.sample(_WORDS, 6)
    return (
        f"{rng.choice(_OPENERS)} the {words[0]} {rng.choice(_VERBS)} the {words[1]} of the "
        f"{words[2]} because the {words[3]} and the {words[4]} {rng.choice(_VERBS)} the "
        f"{words[5]}."
    )


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


SEED_POST_LINKS = (
    ("https://baghdad-observer.example/2024/12/01/", " December 1, 2024"),
    ("https://baghdad-observer.example/author/newsdesk/", "Baghdad Observer newsdesk"),
    (
        "https://baghdad-observer.example/politics/the-war-of-leaks-confuses-the-political-scene/",
        "https://baghdad-observer.example/politics/the-war-of-leaks-confuses-the-political-scene/",
    ),
    (
        "https://tigris-news.example/en/iraq/war-of-leaks-blackmail-or-expose-of-corruption",
        "https://tigris-news.example/en/iraq/war-of-leaks-blackmail-or-expose-of-corruption",
    ),
)
"""``(href, text)`` of the links behind the seed post's four guest placeholders, in order: the
byline's date and author of the first copy's site, then the source link after each copy of the
article, each copy from a different site (only the links tell the copies apart)."""


def seed_post_as_member(guest_html: str) -> str:
    """The seed post as a logged-in member sees it: ``guest_html`` (``data/seed_post.html``,
    the single copy of the article) with each guest placeholder replaced by its real link from
    :data:`SEED_POST_LINKS`. Hiding the links again gives ``guest_html`` back exactly."""
    parts = guest_html.split(HIDDEN_LINK)
    if len(parts) != len(SEED_POST_LINKS) + 1:
        raise ValueError(f"expected {len(SEED_POST_LINKS)} placeholders, got {len(parts) - 1}")
    links = [
        f'<a href="{href}" class="postlink" target="_blank" rel="nofollow">{text}</a>'
        for href, text in SEED_POST_LINKS
    ]
    return parts[0] + "".join(link + part for link, part in zip(links, parts[1:], strict=True))


_DAY_SETTLED = timedelta(hours=3)
"""How long into the board's day a board built "now" takes "today" to be (see ``settled_now``)."""


def settled_now(wall: datetime, tz: ZoneInfo) -> datetime:
    """The "now" a board built at ``wall`` (the wall clock) is built as of.

    ``wall`` itself, except in the first ``_DAY_SETTLED`` of the board's day (``tz``): a "today
    F" post, F of the way from midnight to now, would then be minutes old, and a reply added to
    its topic "a few minutes ago" (as tests do) would be older than the topic's last post, which
    no board shows (``Board.add_post`` refuses). The board is then built as it stood one minute
    before its midnight: every post is older than it would have been, and its "today" posts are
    hours old. (The demo the commands serve is dated ``server.DEMO_NOW``, never "now".)
    """
    midnight = datetime.combine(wall.astimezone(tz).date(), time(0, 0), tz)
    if wall - midnight < _DAY_SETTLED:
        return (midnight - timedelta(minutes=1)).astimezone(UTC)
    return wall


class _Clock:
    """Turns "n days ago at hh:mm" and "today"/"yesterday" specs into UTC datetimes.

    ``now`` defaults to the wall clock, settled (``settled_now``); a ``now`` given (tests that
    pin dates) is taken as it is.
    """

    def __init__(self, now: datetime | None, tz: ZoneInfo) -> None:
        if now is None:
            now = settled_now(datetime.now(UTC), tz)
        self.now = _minute(now.astimezone(UTC))
        local_now = self.now.astimezone(tz)
        self.midnight = datetime.combine(local_now.date(), time(0, 0), tz).astimezone(UTC)
        self.tz = tz

    def ago(self, days: float, minutes: int = 0) -> datetime:
        """``days`` days and ``minutes`` minutes before now (whole minutes)."""
        return _minute(self.now - timedelta(days=days, minutes=minutes))

    def today(self, fraction: float) -> datetime:
        """A time today in board time: ``fraction`` of the way from midnight to now."""
        span = self.now - self.midnight
        return _minute(self.midnight + span * fraction)

    def yesterday(self, hour: int, minute: int) -> datetime:
        local_midnight = self.midnight.astimezone(self.tz)
        day = local_midnight.date() - timedelta(days=1)
        return datetime.combine(day, time(hour, minute), self.tz).astimezone(UTC)


@dataclass(kw_only=True)
class _PostSpec:
    author: Member | None
    at: datetime
    body: str
    member_body: str | None = None
    guest_name: str | None = None
    signature: str | None = None
    edits: tuple[int, Member, datetime] | None = None
    deleted: bool = False
    order: float = 0.0


@dataclass(kw_only=True)
class _TopicSpec:
    forum_id: int
    title: str
    posts: list[_PostSpec]
    views: int
    description: str = ""
    sticky: bool = False
    announcement: bool = False
    poll: bool = False
    repeat_first_post: bool = False


def _assemble(board: Board, specs: list[_TopicSpec], rng: random.Random) -> None:
    """Give topics and posts realistic ids: increasing with time, with gaps (deleted rows)."""
    topic_order = sorted(range(len(specs)), key=lambda i: (specs[i].posts[0].at, i))
    topic_ids: dict[int, int] = {}
    next_id = 11
    for index in topic_order:
        topic_ids[index] = next_id
        next_id += rng.choice((1, 1, 1, 2, 3))
    all_posts = [
        (spec.at, spec.order, ti, pi)
        for ti, topic in enumerate(specs)
        for pi, spec in enumerate(topic.posts)
    ]
    post_ids: dict[tuple[int, int], int] = {}
    next_id = 101
    for _, _, ti, pi in sorted(all_posts):
        post_ids[ti, pi] = next_id
        next_id += rng.choice((1, 1, 1, 1, 2, 4))
    topics = []
    for ti, spec in enumerate(specs):
        topic_id = topic_ids[ti]
        posts = []
        for pi, post in enumerate(spec.posts):
            edit_count, editor, edited_at = post.edits or (0, None, None)
            posts.append(
                Post(
                    id=post_ids[ti, pi],
                    topic_id=topic_id,
                    author=post.author,
                    guest_name=post.guest_name,
                    posted_at=post.at,
                    body_html=post.body,
                    signature_html=post.signature,
                    edited_at=edited_at,
                    edit_count=edit_count,
                    editor=editor,
                    deleted=post.deleted,
                    member_body_html=post.member_body,
                )
            )
        topics.append(
            Topic(
                id=topic_id,
                forum_id=spec.forum_id,
                title=spec.title,
                views=spec.views,
                description=spec.description,
                sticky=spec.sticky,
                announcement=spec.announcement,
                poll=spec.poll,
                repeat_first_post=spec.repeat_first_post,
                posts=posts,
            )
        )
    board.topics = sorted(topics, key=lambda t: t.id)


# Facts about the demo board that tests rely on (pinned by tests/demo/test_content.py).
DEMO_LONG_FORUM_ID = 2
"""Forum with 64 topics (2 list pages at 50/page): 1 announcement, 1 sticky, sub-forum 4."""
DEMO_SUBFORUM_ID = 4
DEMO_LONG_TOPIC_ID = 28
"""Topic with 34 posts (3 pages at 15/page), "repeat first post" on, in forum 5."""
DEMO_SEED_TOPIC_ID = 121
"""Topic whose first post (by Rocky) is ``data/seed_post.html``."""
DEMO_FORMATTING_TOPIC_ID = 119
"""Quotes, code, spoiler, images, nested divs, edits (3 and 1), a guest and a deleted post."""


GLOBAL_ANNOUNCEMENT_TITLE = "Server move this weekend: read before posting"


def add_global_announcement(
    board: Board,
    *,
    forum_id: int = 1,
    title: str = GLOBAL_ANNOUNCEMENT_TITLE,
    replies: int = 2,
    views: int = 777,
    at: datetime | None = None,
) -> Topic:
    """Add a global announcement to ``board`` (the demo board has none, so that the counts
    its tests pin stay); return it.

    The topic lives in ``forum_id`` (its page, breadcrumb and counts) and is listed at the top
    of every page of every forum's topic list (:meth:`Board.forum_list`) with the prefix
    "Global announcement:", with its real replies, views and last post. Its first post is by
    "Mod-Nadia" (else the first member), then ``replies`` replies an hour apart by the other
    members; the last one is at ``at`` (default now). Ids are the next free ones.
    """
    with board.lock:
        last = _minute(at or datetime.now(UTC)).astimezone(UTC)
        first = last - timedelta(hours=replies)
        author = board.member_by_name("Mod-Nadia") or (board.members[0] if board.members else None)
        topic = board.add_topic(
            forum_id,
            title,
            author,
            "Please read: the board moves to a new server this weekend.<br />"
            "Posts written during the move may be lost. " + SMILE,
            first,
        )
        others: list[Member | None] = [m for m in board.members if m is not author] or [author]
        for n in range(replies):
            board.add_post(
                topic.id,
                others[n % len(others)],
                f"Thanks for the notice ({n + 1}).",
                first + timedelta(hours=n + 1),
            )
        topic.views = views
        return board.make_global_announcement(topic.id)


def build_demo_board(now: datetime | None = None) -> Board:
    """Build the small demo board that exercises every feature; deterministic given ``now``
    (default: the wall clock, see ``settled_now``).

    Its content is ``data/demo_board.toml``. Ids do not depend on ``now``: every date is an
    offset from it, and ids follow the order of the offsets. ``tests/demo/test_content.py`` pins
    the facts other tests rely on (ids, counts).
    """
    rng = random.Random(20241201)
    board = Board(**_DEMO["board"])
    clock = _Clock(now, board.tzinfo)
    board.members = [Member(**member) for member in _DEMO["members"]]
    board.categories = [Category(**category) for category in _DEMO["categories"]]
    board.forums = [
        Forum(
            **{
                "parent_id": None,
                **forum,
                "moderators": tuple(forum.get("moderators", ())),
                "moderator_groups": tuple(tuple(g) for g in forum.get("moderator_groups", ())),
            }
        )
        for forum in _DEMO["forums"]
    ]
    members = {member.name: member for member in board.members}
    specs: list[_TopicSpec] = []
    for entry in _DEMO["topics"]:
        if entry.get("generate") == "discussions":
            specs.extend(_discussions(entry, [members[n] for n in _DEMO["posters"]], clock, rng))
            continue
        spec = _topic_spec(entry, members, clock, rng)
        if entry.get("generate") == "daily_posts":
            _daily_posts(spec, entry["count"], members, clock, rng)
        specs.append(spec)
    _assemble(board, specs, rng)
    return board


def _fill(html: str) -> str:
    """``html`` of the data file with its placeholders replaced."""
    for token, value in (
        ("{SMILE}", SMILE),
        ("{WINK}", WINK),
        ("{HIDDEN_LINK}", HIDDEN_LINK),
        ("{SEED_POST}", _data_file("seed_post.html") if "{SEED_POST}" in html else ""),
    ):
        html = html.replace(token, value)
    return html


def _signature(name: str | None) -> str | None:
    """The signature called ``name`` in the data file, None for none."""
    return _fill(_DEMO["signatures"][name]) if name else None


def _when(spec: str, clock: _Clock, base: datetime | None) -> datetime:
    """A date of the data file: "ago D [M]", "yesterday H M", "today F" or "+M" after ``base``."""
    kind, *args = spec.split()
    if kind.startswith("+") and base is not None:
        return base + timedelta(minutes=int(kind[1:]))
    if kind == "ago":
        return clock.ago(int(args[0]), int(args[1]) if len(args) > 1 else 0)
    if kind == "yesterday":
        return clock.yesterday(int(args[0]), int(args[1]))
    if kind == "today":
        return clock.today(float(args[0]))
    raise ValueError(f"unreadable date {spec!r} in demo_board.toml")


def _topic_spec(
    entry: dict[str, Any], members: dict[str, Member], clock: _Clock, rng: random.Random
) -> _TopicSpec:
    """One ``[[topics]]`` entry of the data file (views given as [low, high] are drawn)."""
    views = entry["views"]
    if isinstance(views, list):
        views = rng.randint(*views)
    posts: list[_PostSpec] = []
    for item in entry["posts"]:
        at = _when(item["at"], clock, posts[0].at if posts else None)
        body = _fill(item["body"])
        post = _PostSpec(
            author=members[item["author"]] if "author" in item else None,
            guest_name=item.get("guest"),
            at=at,
            body=body,
            member_body=seed_post_as_member(body) if item["body"] == "{SEED_POST}" else None,
            signature=_fill(_DEMO["signatures"][item["signature"]])
            if "signature" in item
            else None,
            deleted=item.get("deleted", False),
            order=item.get("order", 0.0),
        )
        if "edits" in item:
            count, editor, after = item["edits"]
            post.edits = (count, members[editor], _when(after, clock, at))
        posts.append(post)
    return _TopicSpec(
        forum_id=entry["forum"],
        title=entry["title"],
        views=views,
        description=entry.get("description", ""),
        sticky=entry.get("sticky", False),
        announcement=entry.get("announcement", False),
        poll=entry.get("poll", False),
        repeat_first_post=entry.get("repeat_first_post", False),
        posts=posts,
    )


def _discussions(
    entry: dict[str, Any], posters: list[Member], clock: _Clock, rng: random.Random
) -> list[_TopicSpec]:
    """``count`` topics of random sentences, one every 10 days from 680 days ago."""
    specs = []
    for k in range(entry["count"]):
        start = clock.ago(680 - k * 10, rng.randrange(0, 1400))
        posts = [
            _PostSpec(
                author=rng.choice(posters),
                at=start,
                body=_paragraph(rng, rng.randint(1, 3)),
            )
        ]
        for r in range(rng.randint(0, 3)):
            posts.append(
                _PostSpec(
                    author=rng.choice(posters),
                    at=start + timedelta(hours=5 * (r + 1), minutes=rng.randrange(60)),
                    body=_paragraph(rng, rng.randint(1, 2)),
                )
            )
        words = rng.sample(_WORDS, 2)
        specs.append(
            _TopicSpec(
                forum_id=entry["forum"],
                title=f"Discussion {k + 1}: the {words[0]} and the {words[1]}",
                views=rng.randint(20, 900),
                posts=posts,
            )
        )
    return specs


def _daily_posts(
    spec: _TopicSpec, count: int, members: dict[str, Member], clock: _Clock, rng: random.Random
) -> None:
    """Add ``count`` "Day N" replies to ``spec``, 18 days apart from 592 days ago (Layla signs
    hers); the last is today, the one before yesterday, the 8th post was edited once."""
    posters = [members[name] for name in _DEMO["posters"]]
    posts = spec.posts
    for n in range(1, count + 1):
        who = posters[n % len(posters)]
        posts.append(
            _PostSpec(
                author=who,
                at=clock.ago(610 - n * 18, rng.randrange(0, 600)),
                body=f"Day {n}: {rng.randint(2, 20)} hours in my area. " + _sentence(rng),
                signature=_signature("layla" if who.name == "Layla" else None),
            )
        )
    posts[-1].at = clock.today(0.25)
    posts[-1].order = 0.25
    posts[-2].at = clock.yesterday(13, 40)
    editor = posts[7].author or posters[0]
    posts[7].edits = (1, editor, posts[7].at + timedelta(hours=2))


_CATEGORY_NAMES = ("General", "News", "Hobbies", "Regions", "Archive", "Help")
_FORUM_NAMES = (
    "Daily life",
    "Politics",
    "Sports",
    "Technology",
    "Cooking",
    "Travel",
    "Books",
    "Music",
    "Cars",
    "Health",
    "Jobs",
    "Education",
)


def build_board(
    *,
    n_forums: int,
    n_topics: int,
    posts_per_topic: int,
    seed: int = 0,
    now: datetime | None = None,
) -> Board:
    """Generate a large board: ``n_topics`` topics of ``posts_per_topic`` posts (~3 KB bodies).

    Topics are spread evenly over ``n_forums`` forums in ``max(1, n_forums // 4)`` categories
    and over the last two years. Deterministic given ``seed`` and ``now``.
    """
    rng = random.Random(seed)
    board = Board(title="Benchmark Forum", timezone="Asia/Baghdad", date_format="phpbb")
    clock = _Clock(now, board.tzinfo)
    board.members = [Member(id=i * 2 + 1, name=f"member_{i}") for i in range(60)]
    n_categories = max(1, n_forums // 4)
    board.categories = [
        Category(id=i + 1, title=_CATEGORY_NAMES[i % len(_CATEGORY_NAMES)], position=i + 1)
        for i in range(n_categories)
    ]
    board.forums = [
        Forum(
            id=i + 1,
            title=f"{_FORUM_NAMES[i % len(_FORUM_NAMES)]} {i + 1}",
            description=f"Everything about {_FORUM_NAMES[i % len(_FORUM_NAMES)].lower()}.",
            category_id=i % n_categories + 1,
            parent_id=None,
            position=i + 1,
        )
        for i in range(n_forums)
    ]
    paragraphs = [_paragraph(rng, rng.randint(2, 5)) for _ in range(400)]
    extras = (
        SMILE,
        WINK,
        HIDDEN_LINK,
        '<a href="https://example.com/" class="postlink" target="_blank" rel="nofollow">link</a>',
        "[size=45]big[/size]",
        "<strong>Important:</strong> read this",
    )
    span_minutes = 2 * 365 * 24 * 60
    specs: list[_TopicSpec] = []
    for k in range(n_topics):
        start = span_minutes * (n_topics - k) // (n_topics + 1)
        posts: list[_PostSpec] = []
        for n in range(posts_per_topic):
            author = rng.choice(board.members)
            body = "<br />".join(rng.sample(paragraphs, rng.randint(2, 4)))
            if n and rng.random() < 0.2:
                quoted = posts[-1].author.name if posts[-1].author else "Guest"
                body = (
                    f'<dl class="codebox"><dt>{quoted} wrote:</dt><dd>'
                    f"{rng.choice(paragraphs)}</dd></dl>{body}"
                )
            body += "<br />" + rng.choice(extras)
            minutes_after = n * max(1, 300 // max(1, posts_per_topic))
            posts.append(
                _PostSpec(
                    author=author,
                    at=clock.ago(0, max(0, start - minutes_after)),
                    body=body,
                )
            )
        words = rng.sample(_WORDS, 3)
        specs.append(
            _TopicSpec(
                forum_id=k % n_forums + 1,
                title=f"Topic {k + 1}: the {words[0]}, the {words[1]} and the {words[2]}",
                views=rng.randint(10, 5000),
                posts=posts,
            )
        )
    _assemble(board, specs, rng)
    return board
