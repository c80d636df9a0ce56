"""Listings of recently active topics: the "Recent topics" widget, the RSS feed and the
``search?search_id=activetopics`` results page.

Each gives :class:`RecentTopic` entries: which topic moved, its full title when the listing has
it (the widget's link text is cut at about 100 characters; the full title is in the link's
``title`` attribute, never guessed from the cut text), when its last post was made and, where
the listing says it, on which page that post sits. The widget's markup is the same in every
template version, so it is read without one; the active topics are a forum page's rows. Queried
with lxml (pages with :func:`forumscraper.pages.query.find`, the feed with ``ElementTree``
lookups).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from forumscraper.pages.common import (
    BY_WORD,
    ON_WORD,
    DateContext,
    Page,
    clean_space,
    element_text,
    element_texts,
    find,
    visible_text,
)
from forumscraper.pages.forum import ForumPage
from forumscraper.pages.urls import member_id, parse_page_url, post_anchor
from forumscraper.text.dates import parse_rss_date

_CUT_SUFFIXES = ("...", "\u2026")


@dataclass(frozen=True, kw_only=True)
class RecentTopic:
    """One topic of a recent-activity listing."""

    topic_id: int
    url: str
    title: str | None
    """The full title, or ``None`` when the listing only shows a cut one."""
    last_post_at: datetime | None = None
    last_post_year_unknown: bool = False
    """``last_post_at`` was printed without a year (see :class:`~forumscraper.items.TopicItem`)."""
    last_poster_name: str | None = None
    last_page_offset: int | None = None
    """Offset of the page the listing links to (the last post's page), when it says."""
    last_post_id: int | None = None
    """The post the listing links to (``#N``), when it names one."""
    reply_count: int | None = None
    forum_id: int | None = None
    created_at: datetime | None = None
    """Topic creation time (the RSS feed dates topics by creation, not by last post)."""


class RecentTopicsPage(Page):
    """A page carrying the "Recent topics" widget (portal, index or forum sidebar)."""

    def widget(self) -> list[RecentTopic]:
        """Entries of the widget, in its order (newest first)."""
        entries: dict[int, RecentTopic] = {}
        for container in self._containers():
            for entry in self._entries(container):
                entries.setdefault(entry.topic_id, entry)
        return list(entries.values())

    def _containers(self) -> list[etree._Element]:
        marquee = find(self.root, "//*[@id='comments_scroll_div']")
        if marquee:
            return marquee
        modern = find(self.root, "//*[contains(@class,'mod-recent-row')]/..")
        if modern:
            return modern[:1]
        # The classical mode: a module titled by the widget, holding "» <a>TITLE</a>" lines.
        return [
            node
            for node in find(
                self.root,
                "//div[contains(@class,'module')] | //table[contains(@class,'forumline')]",
            )
            if find(node, ".//a[contains(@href,'/t')]") and "\u00bb" in element_text(node)
        ][:1]

    def _entries(self, container: etree._Element) -> list[RecentTopic]:
        entries = []
        if find(container, ".//*[contains(@class,'mod-recent-row')]"):
            # ModernBB / AwesomeBB: each title link is followed by its time and poster; the
            # classical mode puts every line in one ``mod-recent-row``.
            for title_link in find(container, ".//a[contains(@class,'mod-recent-title')]"):
                info = "following-sibling::*[contains(@class,'mod-recent-info')][1]"
                times = find(title_link, f"{info}//*[contains(@class,'mod-recent-time')]")
                author = find(title_link, f"{info}//*[contains(@class,'mod-recent-author')]")[:1]
                entry = self._entry(title_link, visible_text(times), author[0] if author else None)
                if entry:
                    entries.append(entry)
            return entries
        links = [
            link
            for link in find(container, ".//a[@href]")
            if (ref := parse_page_url(link.get("href", ""))) is not None and ref.kind == "t"
        ]
        for index, link in enumerate(links):
            # The date and the poster follow the link, up to the next topic link.
            following = find(link, "following-sibling::node()")
            stop = links[index + 1] if index + 1 < len(links) else None
            segment: list[Any] = []
            for node in following:
                if node is stop:
                    break
                segment.append(node)
            poster: etree._Element | None = next(
                (n for n in segment if not isinstance(n, str) and n.tag == "a"), None
            )
            time_text, name = _time_and_name(element_texts(segment), self.dates.parse)
            entry = self._entry(link, time_text, poster, name)
            if entry:
                entries.append(entry)
        return entries

    def _entry(
        self,
        link: etree._Element,
        time_text: str,
        author: etree._Element | None,
        name: str | None = None,
    ) -> RecentTopic | None:
        href = link.get("href", "")
        ref = parse_page_url(href)
        if ref is None or ref.kind != "t":
            return None
        full = clean_space(link.get("title"))
        shown = element_text(link)
        title = full or (None if shown.endswith(_CUT_SUFFIXES) or len(shown) >= 100 else shown)
        if author is not None:
            name = _poster_name(author) or name
        return RecentTopic(
            topic_id=ref.id,
            url=self.absolute(href),
            title=title or None,
            last_post_at=self.dates.parse(time_text),
            last_post_year_unknown=self.dates.lacks_year(time_text),
            last_poster_name=name,
            last_page_offset=ref.offset,
            last_post_id=post_anchor(href, ref.id),
        )


def _poster_name(node: etree._Element) -> str | None:
    """The poster named in a node: its profile link's text, else the node's visible text."""
    for link in find(node, ".//a[@href]"):
        if member_id(link.get("href")) is not None and element_text(link):
            return element_text(link)
    return visible_text([node]) or None


_NUMBER = re.compile(r"\d+(?:[,.]\d{3})*")
_SCROLLING = re.compile(rf"^(?P<time>.+?)\s+{BY_WORD}\s+(?P<name>.+)$", re.IGNORECASE)
_CLASSICAL = re.compile(rf"^{BY_WORD}\s+(?P<name>.+?)\s+{ON_WORD}\s+(?P<time>.+)$", re.IGNORECASE)
_ON = re.compile(rf"\s+{ON_WORD}\s+", re.IGNORECASE)


def _time_and_name(text: str, parse: Callable[[str], datetime | None]) -> tuple[str, str | None]:
    """Date and poster of "Today at 9:59 by Rocky" (scrolling widget) or "by Rocky on Today at
    9:59" (classical widget). A guest's name may hold the "on" word ("by Anon on Tour on Today
    at 9:59"): the date is what follows the first "on" after which a date can be read."""
    text = clean_space(text).strip("\u00bb ").strip()
    match = _CLASSICAL.match(text)
    if match:
        start = match.start("name")
        for on in _ON.finditer(text, start):
            if parse(text[on.end() :]) is not None:
                return text[on.end() :], text[start : on.start()]
        return match["time"], match["name"]
    match = _SCROLLING.match(text)
    if match:
        return match["time"], match["name"]
    return text, None


class ActiveTopicsPage(ForumPage):
    """``/search?search_id=activetopics``: topic rows like a forum's, with their forum."""

    def match_count(self) -> int | None:
        """How many topics the search found in all ("Search found 12 matches", Forumotion's
        ``L_SEARCH_MATCHES`` in the page's ``<h1>`` in every desktop version), or ``None``
        when no single heading states one number (the mobile version, a board whose header
        adds a heading with a number of its own): a page listing fewer rows than that is
        cut (more pages follow)."""
        counts = []
        for heading in find(self.root, "//h1"):
            numbers = _NUMBER.findall(visible_text([heading]))
            if len(numbers) == 1:
                counts.append(int(numbers[0].replace(",", "").replace(".", "")))
        return counts[0] if len(counts) == 1 else None

    def recent(self) -> list[RecentTopic]:
        entries = []
        for topic in self.topics():
            entries.append(
                RecentTopic(
                    topic_id=topic.id,
                    url=topic.url or "",
                    title=topic.title,
                    last_post_at=topic.last_post_at,
                    last_post_year_unknown=topic.last_post_year_unknown,
                    last_poster_name=topic.last_poster_name,
                    last_post_id=topic.last_post_id,
                    reply_count=topic.reply_count,
                    forum_id=topic.forum_id,
                )
            )
        return entries


def feed_entries(url: str, xml: bytes | str, dates: DateContext) -> list[RecentTopic]:
    """Topics of an RSS 2.0 (or Atom) feed of the board, newest first. Never raises on a
    malformed feed: what can be read is returned."""
    data = xml.encode("utf-8", errors="replace") if isinstance(xml, str) else xml
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    entries: dict[int, RecentTopic] = {}
    for item in root.iter("item", "{http://www.w3.org/2005/Atom}entry"):
        link = _child_text(item, "link") or _atom_link(item)
        ref = parse_page_url(link or "")
        if ref is None or ref.kind != "t" or ref.id in entries:
            continue
        published = _child_text(item, "pubDate") or _child_text(
            item, "{http://www.w3.org/2005/Atom}updated"
        )
        created = parse_rss_date(published) if published else None
        entries[ref.id] = RecentTopic(
            topic_id=ref.id,
            url=link or "",
            title=clean_space(
                _child_text(item, "title")
                or _child_text(item, "{http://www.w3.org/2005/Atom}title")
            )
            or None,
            created_at=created,
            last_poster_name=clean_space(
                _child_text(item, "{http://purl.org/dc/elements/1.1/}creator")
            )
            or None,
        )
    return list(entries.values())


def _child_text(item: etree._Element, tag: str) -> str | None:
    child = item.find(tag)
    return child.text if child is not None else None


def _atom_link(item: etree._Element) -> str | None:
    link = item.find("{http://www.w3.org/2005/Atom}link")
    return link.get("href") if link is not None else None


__all__ = ["ActiveTopicsPage", "RecentTopic", "RecentTopicsPage", "feed_entries"]
