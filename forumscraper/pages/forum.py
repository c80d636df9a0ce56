"""Forum pages (``/fN-slug``, ``/fNpOFFSET-slug``) and the board index: forums and topic rows.

The index and a forum page share the forum-row markup (``index_box``): categories, forums and
sub-forums with their hierarchy. A forum page adds its topic list (``topics_list_box``), whose
row markup differs per version (FACTS.md §2.2, the ``_ROWS`` table below).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from parsel import Selector

from forumscraper.items import CategoryItem, ForumItem, TopicItem
from forumscraper.pages.common import Page, clean_space, member_of, parse_count, text_of, texts
from forumscraper.pages.urls import page_url, parse_page_url

_TOPIC_TYPES = {
    "sticky": "sticky",
    "post-it": "sticky",
    "fijo": "sticky",
    "announcement": "announcement",
    "global announcement": "announcement",
    "annonce": "announcement",
    "annonce globale": "announcement",
    "anuncio": "announcement",
}
_HEADING = re.compile(r"^h([1-6])$")


@dataclass(frozen=True)
class _RowMarkup:
    rows: str
    title: str
    author: str
    replies: str
    views: str
    last_post: str
    last_post_time_first: bool
    """Whether the last-post cell prints the time before the author (phpBB2) or after."""


_ROWS: dict[str, _RowMarkup] = {
    "prosilver": _RowMarkup(
        rows="//ul[contains(@class,'topics')]/li[contains(@class,'row')]",
        title=".//a[contains(@class,'topictitle')]",
        author=".//span[contains(@class,'span-tab')]//strong",
        replies=".//dd[contains(@class,'posts')]",
        views=".//dd[contains(@class,'views')]",
        last_post=".//dd[contains(@class,'lastpost')]/span[last()]",
        last_post_time_first=False,
    ),
    "subsilver": _RowMarkup(
        rows="//div[contains(@class,'topictitle')]/ancestor::tr[1]",
        title=".//a[contains(@class,'topictitle')]",
        author="./td[contains(@class,'row3')][not(contains(@class,'row3Right'))]//span[contains(@class,'name')]//strong",
        replies="(./td[contains(@class,'row2')]//span[contains(@class,'postdetails')])[1]",
        views="(./td[contains(@class,'row2')]//span[contains(@class,'postdetails')])[2]",
        last_post="./td[contains(@class,'row3Right')]//span[contains(@class,'postdetails')]",
        last_post_time_first=True,
    ),
}


class ForumListPage(Page):
    """A page listing forums: the index, a category page, or a forum with sub-forums."""

    def categories(self) -> list[CategoryItem]:
        """Categories in index order."""
        found: dict[int, CategoryItem] = {}
        for link in self._forum_area().xpath(".//a[@href]"):
            ref = parse_page_url(link.attrib["href"])
            if ref and ref.kind == "c" and ref.id not in found:
                title = text_of(link)
                if title:
                    found[ref.id] = CategoryItem(
                        id=ref.id,
                        title=title,
                        url=page_url(self.url, "c", ref.id, 0, ref.slug),
                        position=len(found),
                    )
        return list(found.values())

    def _forum_area(self) -> Selector:
        # The forum tables; falls back to the whole body.
        return self.sel.xpath("//body")[0] if self.sel.xpath("//body") else self.sel

    def forums(self, parent_id: int | None = None) -> list[ForumItem]:
        """Forum rows in page order, with category and parent from the page's hierarchy.

        A row's level is its ``h<N> class="hierarchy"`` heading; a row nested deeper than the
        one before it is that row's sub-forum. Sub-forum links printed inside a row
        (``SUBFORUMS``) are that row's children. ``parent_id`` is the forum this page belongs to
        (its rows are its sub-forums).
        """
        page_category = next((c for c in self.breadcrumb if c.ref.kind == "c"), None)
        category: tuple[int, str] | None = (
            (page_category.ref.id, page_category.name) if page_category else None
        )
        stack: list[tuple[int, int]] = []  # (level, forum id)
        forums: dict[int, ForumItem] = {}
        siblings: dict[tuple[int | None, int | None], int] = {}
        xpath = (
            ".//a[@href][contains(@class,'forumtitle') or contains(@class,'forumlink')"
            " or contains(@class,'cattitle') or ancestor::*[contains(@class,'table-title')]]"
        )
        for link in self._forum_area().xpath(xpath):
            ref = parse_page_url(link.attrib["href"])
            if ref is None:
                continue
            if ref.kind == "c":
                category = (ref.id, text_of(link))
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
            row = link.xpath("ancestor::li[1] | ancestor::tr[1]")[-1:] or [link]
            counts = [
                parse_count(text)
                for text in row[0]
                .xpath(
                    ".//dd[contains(@class,'topics') or contains(@class,'posts')]/text()"
                    " | ./td/span[contains(@class,'gensmall')]/text()"
                )
                .getall()
            ]
            counts = [c for c in counts if c is not None]
            forums[ref.id] = ForumItem(
                id=ref.id,
                title=text_of(link),
                url=page_url(self.url, "f", ref.id, 0, ref.slug),
                description=self._description(row[0], link) or None,
                parent_id=parent,
                category_id=category[0] if category else None,
                category=category[1] if category else None,
                position=position,
                topic_count=counts[0] if len(counts) >= 2 else None,
                post_count=counts[1] if len(counts) >= 2 else None,
            )
            for sub in row[0].xpath(".//a[@href][contains(@class,'gensmall')]"):
                sub_ref = parse_page_url(sub.attrib["href"])
                if sub_ref and sub_ref.kind == "f" and sub_ref.id not in forums:
                    sub_key = (category[0] if category else None, ref.id)
                    sub_position = siblings.get(sub_key, 0)
                    siblings[sub_key] = sub_position + 1
                    forums[sub_ref.id] = ForumItem(
                        id=sub_ref.id,
                        title=text_of(sub),
                        url=page_url(self.url, "f", sub_ref.id, 0, sub_ref.slug),
                        parent_id=ref.id,
                        category_id=category[0] if category else None,
                        category=category[1] if category else None,
                        position=sub_position,
                    )
        return list(forums.values())

    @staticmethod
    def _description(row: Selector, link: Selector) -> str:
        for xpath in (
            ".//span[contains(@class,'genmed')]",
            ".//dd[contains(@class,'dterm')]//div[1]",
        ):
            nodes = row.xpath(xpath)
            if nodes:
                text = text_of(nodes[0])
                title = text_of(link)
                return clean_space(text.replace(title, "", 1)) if text.startswith(title) else text
        return ""


def _level(link: Selector) -> int:
    heading = link.xpath("ancestor::*[contains(@class,'hierarchy')][1]")
    if heading:
        match = _HEADING.match(heading[0].root.tag)
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
        title = text_of(self.sel.xpath("//h1[contains(@class,'page-title')]")[:1])
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
    def row_markup(self) -> _RowMarkup:
        return _ROWS.get(self.version or "", _ROWS["prosilver"])

    def topics(self) -> list[TopicItem]:
        """The topic rows of this page, in order (stickies and announcements first)."""
        markup = self.row_markup
        topics: dict[int, TopicItem] = {}
        for row in self.sel.xpath(markup.rows):
            link = row.xpath(markup.title)[:1]
            if not link:
                continue
            ref = parse_page_url(link[0].attrib.get("href", ""))
            if ref is None or ref.kind != "t" or ref.id in topics:
                continue
            author_node = row.xpath(markup.author)[:1]
            author_name, author_id = member_of(author_node[0]) if author_node else (None, None)
            last_time, last_author = self._last_post(row, markup)
            topics[ref.id] = TopicItem(
                id=ref.id,
                forum_id=self.forum_id,
                title=text_of(link[0]) or None,
                url=page_url(self.url, "t", ref.id, 0, ref.slug),
                author_name=author_name,
                author_id=author_id,
                reply_count=parse_count(row.xpath(markup.replies).xpath("string()").get()),
                view_count=parse_count(row.xpath(markup.views).xpath("string()").get()),
                last_post_at=self.dates.parse(last_time),
                last_poster_name=last_author,
                topic_type=self._topic_type(row),
            )
        return list(topics.values())

    def _last_post(self, row: Selector, markup: _RowMarkup) -> tuple[str, str | None]:
        cell = row.xpath(markup.last_post)[:1]
        if not cell:
            return "", None
        before = texts(cell.xpath("./br[1]/preceding-sibling::node()"))
        after = texts(cell.xpath("./br[1]/following-sibling::node()"))
        author_links = cell.xpath(".//a[contains(@href,'/u')]")
        author = text_of(author_links[0]) if author_links else None
        if markup.last_post_time_first:
            return before, author or (after or None)
        return after, author or (_strip_by(before) or None)

    @staticmethod
    def _topic_type(row: Selector) -> str:
        for text in row.xpath(".//strong/text()").getall():
            key = clean_space(text).rstrip(":").strip().lower()
            if key in _TOPIC_TYPES:
                return _TOPIC_TYPES[key]
        return "normal"

    def page_offsets(self) -> tuple[list[int], int | None]:
        """Offsets of every page of this forum's topic list, and the topics per page."""
        if self.forum_id is None:
            return [], None
        return self.pagination("f", self.forum_id)


def _strip_by(text: str) -> str:
    return re.sub(r"^(by|par|por|von|di|de)\s+", "", text, flags=re.IGNORECASE)
