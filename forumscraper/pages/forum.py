"""Forum pages (``/fN-slug``, ``/fNpOFFSET-slug``) and the board index: forums and topic rows.

The index and a forum page share the forum-row markup (``index_box``): categories, forums and
sub-forums with their hierarchy (the version's ``index``, FACTS.md §2.3). A forum page adds its
topic list (``topics_list_box``), whose row markup differs per version (FACTS.md §2.2, the
version's ``rows``); search results (``search_results_topics``) print the same rows with the
topic's forum, in a markup of their own in some versions (``search_rows``). The markup is the
page's registry entry (``forumscraper.pages.versions``). Queried with lxml
(:func:`forumscraper.pages.query.find`).
"""

from __future__ import annotations

import re
from functools import cached_property
from itertools import chain, takewhile
from urllib.parse import urlsplit

from lxml import etree

from forumscraper.items import CategoryItem, ForumItem, TopicItem
from forumscraper.pages.common import (
    BY_WORD,
    Page,
    clean_space,
    element_text,
    element_texts,
    find,
    parse_count,
    strip_by,
    visible_text,
)
from forumscraper.pages.urls import member_id, page_url, parse_page_url, post_anchor
from forumscraper.pages.versions import IndexMarkup, RowMarkup

_TOPIC_TYPES = {
    "sticky": "sticky",
    "post-it": "sticky",
    "fijo": "sticky",
    "announcement": "announcement",
    "global announcement": "announcement",
    "annonce": "announcement",
    "annonce globale": "announcement",
    "anuncio": "announcement",
    "moved": "moved",
    "deplace": "moved",
    "déplacé": "moved",
    "movido": "moved",
    "spostato": "moved",
    "verschoben": "moved",
}
"""Type prefixes of topic rows (``{TOPIC_TYPE}``), lower case. ``moved`` marks the shadow row
a moved topic leaves in its old forum: the same topic as the row in its new forum."""
_POLL = re.compile(r"^\[.*\]$")
"""The poll mark of a topic row's type ("[ Poll ]", "[ Sondage ]"): not a type."""
_HEADING = re.compile(r"^h([1-6])$")
_AFTER_BY = re.compile(rf"(?:^|\s){BY_WORD}\s+(?P<name>.+?)\s*$", re.IGNORECASE)
_IN_SUFFIX = re.compile(r"\s+(?:in|dans|en|em|im|nel|in de)$", re.IGNORECASE)
_THROUGH_BY = re.compile(rf"^(?:.*?\s)?{BY_WORD}\s+", re.IGNORECASE)
_INLINE_BY = re.compile(rf"\s+{BY_WORD}\s+", re.IGNORECASE)
_LABEL_TAIL = re.compile(r"\s*\S+\s?:\s*$")
"""A list's label ("Subforums:", "Sous-forums :", "Modérateur(s):") printed on one line with
the forum's description before it: its last word, so that a description without a full stop
is not taken for part of it."""


class ForumListPage(Page):
    """A page listing forums: the index, a category page, or a forum with sub-forums."""

    @property
    def index_markup(self) -> IndexMarkup:
        """The forum-row markup of the page's template version (raises ``UnknownTemplate``
        for a Forumotion page in an unknown markup)."""
        return self.template.index

    def categories(self) -> list[CategoryItem]:
        """Categories in index order."""
        found: dict[int, CategoryItem] = {}
        for link in find(self._forum_area(), ".//a[@href][not(contains(@class,'nav'))]"):
            ref = parse_page_url(link.get("href", ""))
            if ref and ref.kind == "c" and ref.id not in found:
                title = element_text(link)
                if title:
                    found[ref.id] = CategoryItem(
                        id=ref.id,
                        title=title,
                        url=page_url(self.url, "c", ref.id, 0, ref.slug),
                        position=len(found),
                    )
        return list(found.values())

    def _forum_area(self) -> etree._Element:
        # The forum tables; falls back to the whole body.
        body = find(self.root, "//body")[:1]
        return body[0] if body else self.root

    def forums(self, parent_id: int | None = None) -> list[ForumItem]:
        """Forum rows in page order, with category and parent from the page's hierarchy.

        A row's level is its ``h<N> class="hierarchy"`` heading; a row nested deeper than the
        one before it is that row's sub-forum. Sub-forum links printed inside a row
        (``SUBFORUMS``) are that row's children. ``parent_id`` is the forum this page belongs to
        (its rows are its sub-forums).
        """
        markup = self.index_markup
        page_category = next((c for c in self.breadcrumb if c.ref.kind == "c"), None)
        category: tuple[int, str] | None = (
            (page_category.ref.id, page_category.name) if page_category else None
        )
        stack: list[tuple[int, int]] = []  # (level, forum id)
        forums: dict[int, ForumItem] = {}
        siblings: dict[tuple[int | None, int | None], int] = {}
        for link in find(self._forum_area(), markup.links):
            ref = parse_page_url(link.get("href", ""))
            if ref is None:
                continue
            if ref.kind == "c":
                category = (ref.id, element_text(link))
                stack = []
                continue
            if ref.kind != "f" or ref.id in forums:
                continue
            level = _level(link)
            while stack and stack[-1][0] >= level:
                stack.pop()
            parent = stack[-1][1] if stack else parent_id
            stack.append((level, ref.id))
            key = (category[0] if category else None, parent)
            position = siblings.get(key, 0)
            siblings[key] = position + 1
            row = find(link, markup.row)[:1] or [link]
            name = find(link, markup.name)[:1]
            title = element_text(name[0]) if name else ""
            forums[ref.id] = ForumItem(
                id=ref.id,
                title=title or None,
                url=page_url(self.url, "f", ref.id, 0, ref.slug),
                description=self._description(row[0], markup),
                parent_id=parent,
                category_id=category[0] if category else None,
                category=category[1] if category else None,
                position=position,
                topic_count=_count(row[0], markup.topics),
                post_count=_count(row[0], markup.posts),
            )
            for sub in find(row[0], ".//a[@href][contains(@class,'gensmall')]"):
                sub_ref = parse_page_url(sub.get("href", ""))
                if sub_ref and sub_ref.kind == "f" and sub_ref.id not in forums:
                    sub_key = (category[0] if category else None, ref.id)
                    sub_position = siblings.get(sub_key, 0)
                    siblings[sub_key] = sub_position + 1
                    forums[sub_ref.id] = ForumItem(
                        id=sub_ref.id,
                        title=element_text(sub),
                        url=page_url(self.url, "f", sub_ref.id, 0, sub_ref.slug),
                        parent_id=ref.id,
                        category_id=category[0] if category else None,
                        category=category[1] if category else None,
                        position=sub_position,
                    )
        return list(forums.values())

    @staticmethod
    def _description(row: etree._Element, markup: IndexMarkup) -> str | None:
        """The forum's description: its node's text without the forum's name, and without what
        the row prints after it in the same node on some versions (phpBB3, PunBB, ModernBB):
        its moderators' and its sub-forums' links, each list behind a label ("Moderators:",
        "Subforums:"). ``''`` for a row that shows none; ``None`` for a row without such a node.

        The first link to a member, a group or a sub-forum starts those lists: a description
        that links a member itself is cut there (its words after the link are lost, never
        anyone's name taken for them)."""
        nodes = find(row, markup.description)
        if not nodes:
            return None
        parts: list[str] = []
        for piece in find(nodes[0], _DESCRIPTION_PIECES):
            if isinstance(piece, str):
                parts.append(piece)
            elif _starts_a_list(piece):
                if parts:
                    parts[-1] = _without_label(parts[-1])
                break
        return clean_space("".join(parts))


_DESCRIPTION_PIECES = (
    ".//text()"
    "[not(ancestor::*[contains(@class,'hierarchy')])]"
    "[not(ancestor::a[contains(@class,'forumtitle') or contains(@class,'forumlink')])]"
    "[not(ancestor::script)]"
    " | .//a[@href]"
)
"""A forum row's description node, in document order: its texts (not the forum's name) and its
links (see :func:`_starts_a_list`)."""
_GROUP = re.compile(r"^(?:https?://[^/]+)?/g\d+-")


def _starts_a_list(link: etree._Element) -> bool:
    """Whether a link in a forum's description node is one of its sub-forums, a moderator's
    profile or a moderating group: the row's lists after the description."""
    href = link.get("href", "")
    return (
        "gensmall" in (link.get("class") or "").split()
        or member_id(href) is not None
        or bool(_GROUP.match(href))
    )


def _without_label(text: str) -> str:
    """The text before a list of links without the list's label: the templates print the
    label at the start of a line of its own; on a board whose template does not, the label is
    the last word before the colon."""
    head, newline, tail = text.rpartition("\n")
    if newline and tail.strip().endswith(":"):
        return head
    return _LABEL_TAIL.sub("", text)


def _count(row: etree._Element, xpath: str) -> int | None:
    nodes = find(row, xpath)
    if not nodes:
        return None
    return parse_count(element_texts(find(nodes[0], "./text()")) or element_text(nodes[0]))


def _level(link: etree._Element) -> int:
    heading = find(link, "ancestor::*[contains(@class,'hierarchy')][1]")
    if heading:
        match = _HEADING.match(heading[0].tag)
        if match:
            return int(match[1])
    return 6


class ForumPage(ForumListPage):
    """A page of a forum's topic list, with its sub-forums."""

    @cached_property
    def forum_id(self) -> int | None:
        if self.ref and self.ref.kind == "f":
            return self.ref.id
        return None

    @property
    def offset(self) -> int:
        return self.ref.offset if self.ref else 0

    def forum(self) -> ForumItem | None:
        """This forum, with its parent and category from the breadcrumb."""
        if self.forum_id is None:
            return None
        crumbs = self.breadcrumb
        index = next(
            (i for i, c in enumerate(crumbs) if c.ref.kind == "f" and c.ref.id == self.forum_id),
            len(crumbs),
        )
        above = crumbs[:index]
        parent = next((c.ref.id for c in reversed(above) if c.ref.kind == "f"), None)
        category = next((c for c in above if c.ref.kind == "c"), None)
        heading = find(self.root, self.index_markup.title)[:1]
        title = element_text(heading[0]) if heading else ""
        if not title and index < len(crumbs):
            title = crumbs[index].name
        return ForumItem(
            id=self.forum_id,
            title=title or None,
            url=page_url(self.url, "f", self.forum_id, 0, self.ref.slug if self.ref else ""),
            parent_id=parent,
            category_id=category.ref.id if category else None,
            category=category.name if category else None,
        )

    def subforums(self) -> list[ForumItem]:
        return [f for f in self.forums(parent_id=self.forum_id) if f.id != self.forum_id]

    @cached_property
    def is_search(self) -> bool:
        """Whether this is a search results page (``/search?search_id=…``)."""
        return urlsplit(self.url).path.rstrip("/").endswith("/search")

    @property
    def row_markup(self) -> RowMarkup:
        """The topic-row markup of the page's template version, search results' on a search
        page (raises ``UnknownTemplate`` for a Forumotion page in an unknown markup)."""
        template = self.template
        return template.search_rows if self.is_search else template.rows

    def topics(self) -> list[TopicItem]:
        """The topic rows of this page, in order (stickies and announcements first)."""
        markup = self.row_markup
        topics: dict[int, TopicItem] = {}
        for row in find(self.root, markup.rows):
            link = find(row, markup.title)[:1]
            if not link:
                continue
            ref = parse_page_url(link[0].get("href") or "")
            if ref is None or ref.kind != "t" or ref.id in topics:
                continue
            author_node = find(row, markup.author)[:1]
            author_name, author_id = (
                _poster(author_node[0], markup.author_after_by, markup.author_text)
                if author_node
                else (None, None)
            )
            cell = find(row, markup.last_post)[:1]
            last_time, last_author = self._last_post(cell[0], markup) if cell else ("", None)
            title = (
                element_texts(find(row, markup.title_text))
                if markup.title_text
                else element_text(link[0])
            )
            topics[ref.id] = TopicItem(
                id=ref.id,
                forum_id=self.forum_id or _row_forum(row),
                title=title or None,
                description=_description(row, markup.description),
                url=page_url(self.url, "t", ref.id, 0, ref.slug),
                author_name=author_name,
                author_id=author_id,
                reply_count=_count(row, markup.replies),
                view_count=_count(row, markup.views),
                last_post_at=self.dates.parse(last_time),
                last_post_year_unknown=self.dates.lacks_year(last_time),
                last_poster_name=last_author,
                last_post_id=_linked_post(
                    find(row, markup.last_link) if markup.last_link else cell, ref.id
                ),
                topic_type=_type_prefix(row, link[0])[0] if markup.types else None,
            )
        return list(topics.values())

    def _last_post(self, cell: etree._Element, markup: RowMarkup) -> tuple[str, str | None]:
        """(printed time, poster name) of a row's last post, from the row's last-post cell."""
        mode = markup.last_post_mode
        if mode == "fields":
            author = find(cell, markup.last_author)[:1]
            name = _poster(author[0], False)[0] if author else None
            return element_texts(find(cell, markup.last_time)), name
        links = [
            link
            for link in find(cell, ".//a[@href]")
            if member_id(link.get("href")) is not None and element_text(link)
        ]
        linked = element_text(links[0]) if links else None
        if mode in ("time_first", "author_first"):
            before = element_texts(find(cell, "./br[1]/preceding-sibling::node()[not(self::dfn)]"))
            after = element_texts(find(cell, "./br[1]/following-sibling::node()[not(self::dfn)]"))
            if mode == "time_first":
                return before, linked or (strip_by(after) or None)
            return after, linked or (strip_by(before) or None)
        text = element_texts(find(cell, "./node()[not(self::dfn)]"))
        if mode == "inline":
            parts = _INLINE_BY.split(text)
            if len(parts) < 2:
                return text, linked
            return " ".join(parts[:-1]), linked or (parts[-1].strip() or None)
        # comma: "[Last post by] AUTHOR, TIME"
        head, _, time = text.partition(", ")
        return time, linked or (_THROUGH_BY.sub("", head).strip() or None)

    def unknown_type_words(self) -> dict[str, int]:
        """The ``{TOPIC_TYPE}`` words of this page's rows that :meth:`topics` could not read
        (their type ``None``), each with the first topic that shows it: the evidence for a
        warning."""
        markup = self.row_markup
        found: dict[str, int] = {}
        for row in find(self.root, markup.rows if markup.types else ""):
            link = find(row, markup.title)[:1]
            ref = parse_page_url(link[0].get("href") or "") if link else None
            if ref is not None and ref.kind == "t":
                word = _type_prefix(row, link[0])[1]
                if word is not None:
                    found.setdefault(word, ref.id)
        return found

    def page_offsets(self) -> tuple[list[int], int | None]:
        """Offsets of every page of this forum's topic list, and the topics per page."""
        if self.forum_id is None:
            return [], None
        return self.pagination("f", self.forum_id)


def _linked_post(nodes: list[etree._Element], topic_id: int) -> int | None:
    """The id of the post a row's "last post" link names (``/t12p30-slug#N``: every version
    prints one, in its last-post cell or as ``RowMarkup.last_link``), or ``None``: no such
    link among ``nodes`` and their descendants."""
    for node in nodes:
        for link in find(node, "descendant-or-self::a[@href]"):
            post_id = post_anchor(link.get("href") or "", topic_id)
            if post_id is not None:
                return post_id
    return None


def _type_prefix(row: etree._Element, title: etree._Element) -> tuple[str | None, str | None]:
    """A topic row's type and, when it is not known, the words it prints for it.

    ``{TOPIC_TYPE}`` is printed before the title in every version (mobile: inside the title's
    link), one ``<strong>`` per word: "Sticky:", "Announcement:", "Moved:" (a shadow row), then
    "[ Poll ]" for a topic with a poll, which is no type. A ``<strong>`` after the title is none
    (a guest author named "Moved" or "Sticky"). A type word this reader has no table for (the
    board's language) makes the type ``None``, not known: taken for "normal", an old sticky
    heading the list would pass for a topic that moved long ago."""
    unknown = None
    before = takewhile(lambda element: element is not title, row.iter())
    for element in chain(before, title.iter()):
        if element.tag == "strong":
            word = clean_space(element_text(element))
            key = word.rstrip(":").strip().lower()
            if key in _TOPIC_TYPES:
                return _TOPIC_TYPES[key], None
            if unknown is None and word.endswith(":") and not _POLL.match(word):
                unknown = word
    return ("normal", None) if unknown is None else (None, unknown)


def _poster(
    node: etree._Element, after_by: bool, texts: str = "./text()"
) -> tuple[str | None, int | None]:
    """Name and profile id of a poster node; ``after_by``: the name follows a "by" word in one
    of the node's text nodes ``texts`` (guests have no profile link)."""
    for link in find(node, ".//a[@href]"):
        profile, name = member_id(link.get("href")), element_text(link)
        if profile is not None and name:
            return name, profile
    if not after_by:
        return visible_text([node]) or None, None
    for text in reversed(find(node, texts)):
        match = _AFTER_BY.search(clean_space(text))
        if match:
            return _IN_SUFFIX.sub("", match["name"]).strip() or None, None
    return None, None


def _description(row: etree._Element, expression: str) -> str | None:
    """A topic row's description: "" when it shows none, ``None`` when such rows never print
    one (the topic's may exist: it is not known here)."""
    if not expression:
        return None
    return element_texts(find(row, expression))


def _row_forum(row: etree._Element) -> int | None:
    """The forum a search result row names ("in FORUM")."""
    for href in find(row, ".//a/@href"):
        ref = parse_page_url(href)
        if ref is not None and ref.kind == "f":
            return ref.id
    return None
