"""Listings of recently active topics: the "Recent topics" widget, the RSS feed and the
``search?search_id=activetopics`` results page.

Each gives :class:`RecentTopic` entries: which topic moved, its full title when the listing has
it (the widget's link text is cut at about 100 characters; the full title is in the link's
``title`` attribute, never guessed from the cut text), when its last post was made and, where
the listing says it, on which page that post sits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from parsel import Selector, SelectorList

from forumscraper.pages.common import (
    DateContext,
    Page,
    attr,
    clean_space,
    member_of,
    parse_count,
    texts,
)
from forumscraper.pages.forum import ForumPage
from forumscraper.pages.urls import parse_page_url
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
    last_poster_name: str | None = None
    last_page_offset: int | None = None
    """Offset of the page the listing links to (the last post's page), when it says."""
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

    def _containers(self) -> list[Selector]:
        marquee = self.sel.xpath("//*[@id='comments_scroll_div']")
        if marquee:
            return list(marquee)
        modern = self.sel.xpath("//*[contains(@class,'mod-recent-row')]/..")
        if modern:
            return list(modern[:1])
        # The classical mode: a module titled by the widget, holding "» <a>TITLE</a>" lines.
        return [
            node
            for node in self.sel.xpath(
                "//div[contains(@class,'module')] | //table[contains(@class,'forumline')]"
            )
            if node.xpath(".//a[contains(@href,'/t')]")
            and "\u00bb" in (node.xpath("string()").get() or "")
        ][:1]

    def _entries(self, container: Selector) -> list[RecentTopic]:
        entries = []
        if container.xpath(".//*[contains(@class,'mod-recent-row')]"):
            # ModernBB / AwesomeBB: each title link is followed by its time and poster; the
            # classical mode puts every line in one ``mod-recent-row``.
            for title_link in container.xpath(".//a[contains(@class,'mod-recent-title')]"):
                info = title_link.xpath(
                    "following-sibling::*[contains(@class,'mod-recent-info')][1]"
                )
                time_text = _visible_text(info.xpath(".//*[contains(@class,'mod-recent-time')]"))
                author = info.xpath(".//*[contains(@class,'mod-recent-author')]")[:1]
                entry = self._entry(title_link, time_text, author[0] if author else None)
                if entry:
                    entries.append(entry)
            return entries
        links = [
            link
            for link in container.xpath(".//a[@href]")
            if (ref := parse_page_url(attr(link, "href"))) is not None and ref.kind == "t"
        ]
        for index, link in enumerate(links):
            # The date and the poster follow the link, up to the next topic link.
            following = link.xpath("following-sibling::node()")
            stop = links[index + 1].root if index + 1 < len(links) else None
            segment: list[Selector] = []
            for node in following:
                if node.root is stop:
                    break
                segment.append(node)
            poster: Selector | None = next(
                (n for n in segment if not isinstance(n.root, str) and n.root.tag == "a"), None
            )
            time_text, name = _time_and_name(texts(segment))
            entry = self._entry(link, time_text, poster, name)
            if entry:
                entries.append(entry)
        return entries

    def _entry(
        self,
        link: Selector,
        time_text: str,
        author: Selector | None,
        name: str | None = None,
    ) -> RecentTopic | None:
        href = attr(link, "href")
        ref = parse_page_url(href)
        if ref is None or ref.kind != "t":
            return None
        full = clean_space(attr(link, "title"))
        shown = clean_space(link.xpath("string()").get())
        title = full or (None if shown.endswith(_CUT_SUFFIXES) or len(shown) >= 100 else shown)
        if author is not None:
            name = _poster_name(author) or name
        return RecentTopic(
            topic_id=ref.id,
            url=self.absolute(href),
            title=title or None,
            last_post_at=self.dates.parse(time_text),
            last_poster_name=name,
            last_page_offset=ref.offset,
        )


def _visible_text(nodes: SelectorList[Selector] | list[Selector]) -> str:
    """Text of nodes without icon ligatures (AwesomeBB ``<i class="material-icons">person</i>``)."""
    return clean_space(
        " ".join(n for node in nodes for n in node.xpath(".//text()[not(ancestor::i)]").getall())
    )


def _poster_name(node: Selector) -> str | None:
    """The poster named in a node: its profile link's text, else the node's visible text."""
    for link in node.xpath(".//a[@href]"):
        if member_of(link)[1] is not None and clean_space(link.xpath("string()").get()):
            return clean_space(link.xpath("string()").get())
    return _visible_text([node]) or None


_BY = r"(?:by|par|por|von|di|de|door)"
_ON = r"(?:on|le|el|am|il|em|à|op)"
_SCROLLING = re.compile(rf"^(?P<time>.+?)\s+{_BY}\s+(?P<name>.+)$", re.IGNORECASE)
_CLASSICAL = re.compile(rf"^{_BY}\s+(?P<name>.+?)\s+{_ON}\s+(?P<time>.+)$", re.IGNORECASE)


def _time_and_name(text: str) -> tuple[str, str | None]:
    """Date and poster of "Today at 9:59 by Rocky" (scrolling widget) or "by Rocky on Today at
    9:59" (classical widget)."""
    text = clean_space(text).strip("\u00bb ").strip()
    match = _CLASSICAL.match(text) or _SCROLLING.match(text)
    if match:
        return match["time"], match["name"]
    return text, None


class ActiveTopicsPage(ForumPage):
    """``/search?search_id=activetopics``: topic rows like a forum's, with their forum."""

    def recent(self) -> list[RecentTopic]:
        entries = []
        for topic in self.topics():
            entries.append(
                RecentTopic(
                    topic_id=topic.id,
                    url=topic.url or "",
                    title=topic.title,
                    last_post_at=topic.last_post_at,
                    last_poster_name=topic.last_poster_name,
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


__all__ = ["ActiveTopicsPage", "RecentTopic", "RecentTopicsPage", "feed_entries", "parse_count"]
