"""What every Forumotion page shares: template version, JSON-LD, breadcrumb, pagination, dates.

A page object is built from a URL, the HTML text and a :class:`DateContext`; it needs no Scrapy
(``forumscraper parse`` and the unit tests build pages from saved files).

Pages are queried with lxml: XPath compiled once (:func:`find`) on :attr:`Page.root`, text read
with :func:`element_text`. :attr:`Page.sel` is the same tree as a parsel selector, kept for
callers that want one; nothing in ``pages`` queries through it.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import cache, cached_property
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from forumscraper.pages.parse import parse_page
from forumscraper.pages.urls import PageRef, parse_page_url
from forumscraper.text.dates import parse_clock_line, parse_current_time, parse_forum_date

VERSIONS = ("prosilver", "subsilver", "punbb", "invision", "modernbb", "awesomebb", "mobile")
"""Forumotion's template versions, by the name ``?change_version=`` takes."""
BY_WORD = r"(?:by|par|por|von|di|de|door|od|av)"
"""The word printed before a poster's name, as a regex group: "by NAME", French "par", Spanish
and Portuguese "por", German "von", Italian "di", Dutch "door", Polish "od", Swedish "av", "de"."""


def has_class(name: str) -> str:
    """XPath predicate: the node has CSS class ``name`` (a whole class, not a substring)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_PAGINATION_JS = re.compile(
    r"start\s*=\s*\(start\s*>\s*(?P<pages>\d+)\)\s*\?\s*\d+\s*:\s*start;\s*"
    r"start\s*=\s*\(start\s*-\s*1\)\s*\*\s*(?P<per>\d+)"
)
_SPACES = re.compile(r"\s+")
_STRING = etree.XPath("string()")
_HREFS_WITH = etree.XPath("//a[contains(@href, $marker)]/@href")
_JSON_LD_SCRIPTS = etree.XPath("//script[@type='application/ld+json']/text()")
_DATE_LEAD = re.compile(
    r"^(?:[»\-\u2013\u2014:,]\s*|(?:on|le|el|em|am|il|à|a|at|op)\s+)+", re.IGNORECASE
)
"""Words and marks printed before a date ("by NAME on DATE", "» DATE")."""
_CLOCK_PLACES = (
    f"//div[{has_class('current-time')}]"  # Invision
    " | //ul[contains(@class, 'footerbar-user')]/li[i[contains(@class, 'ion-clock')]]"  # ModernBB
    " | //div[@id='main-content']/p[not(@class)][1]"  # phpBB3: index and forum pages
)
"""Where the templates print ``{CURRENT_TIME}`` (FACTS §0.4), whatever the board language."""
_LEADING_BY = re.compile(rf"^\s*{BY_WORD}\s+", re.IGNORECASE)
_INT = re.compile(r"-?\d[\d\s.,\u00a0\u202f]*")
_PAGE_OF = re.compile(r"(?P<page>\d+)\s*(?:/|of|sur|de|di|von|van|z|из)\s*(?P<pages>\d+)", re.I)
"""The mobile pagination's "Page 2 of 3" (FR "Page 2 sur 3")."""


def clean_space(text: str | None) -> str:
    """Whitespace (NBSP included) folded to single spaces, stripped."""
    return _SPACES.sub(" ", (text or "").replace("\u00a0", " ")).strip()


def strip_date_lead(text: str | None) -> str:
    """A printed date without what precedes it on the page ("on", "le", "»")."""
    return _DATE_LEAD.sub("", clean_space(text))


def strip_by(text: str) -> str:
    """``text`` without the "by" word it starts with ("by NAME" -> "NAME")."""
    return _LEADING_BY.sub("", text)


def parse_count(text: str | None) -> int | None:
    """The first integer in ``text`` ("1,234 Replies" -> 1234), or ``None``."""
    match = _INT.search(text or "")
    if not match:
        return None
    digits = re.sub(r"[^\d-]", "", match[0])
    try:
        return int(digits)
    except ValueError:
        return None


def detect_version(sel: Selector) -> str | None:
    """The template version a page was rendered with, from its markup (FACTS.md §1)."""
    root = sel.root
    body_ids = find(root, "//body/@id")
    body_id = body_ids[0] if body_ids else None
    if body_id == "phpbb":
        return "prosilver"
    if body_id == "modernbb":
        return "modernbb"
    if body_id == "mpage-body-modern" or body_id == "mpage-body":
        return "mobile"
    if find(root, "//*[@id='ipbwrapper']"):
        return "invision"
    if find(root, "//*[@id='pun-intro' or @id='pun-head']"):
        return "punbb"
    if body_id == "top" and find(root, "//*[@id='main-menu']"):
        return "awesomebb"
    if find(root, "//body[@bgcolor or @background]") and find(
        root, "//table[contains(@class,'forumline')]"
    ):
        return "subsilver"
    return None


@dataclass(frozen=True)
class DateContext:
    """How to read the dates of one page: the board's timezone and the moment it was served."""

    tz: tzinfo = UTC
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def parse(self, raw: str | None) -> datetime | None:
        """A printed date as an aware UTC datetime, ``None`` when it cannot be read."""
        raw = strip_date_lead(raw)
        if not raw:
            return None
        return parse_forum_date(raw, now=self.now, tz=self.tz)


@dataclass(frozen=True)
class Crumb:
    """One level of the breadcrumb: a category, forum or topic."""

    ref: PageRef
    name: str
    url: str


class Page:
    """Base of the page objects: the parsed document and what every page kind shares."""

    def __init__(self, url: str, html: str, dates: DateContext | None = None) -> None:
        self.url = url
        self.html = html
        self.dates = dates or DateContext()
        self.sel = parse_page(html, url)
        self.ref = parse_page_url(url)

    @cached_property
    def root(self) -> etree._Element:
        """The lxml document element ``sel`` wraps (an empty ``<html>`` for a page without
        markup): what the page objects query."""
        root: etree._Element = self.sel.root
        return root

    @cached_property
    def version(self) -> str | None:
        """Detected template version (``None``: not recognised)."""
        return detect_version(self.sel)

    @cached_property
    def is_forumotion(self) -> bool:
        """Whether the page carries Forumotion's ``_userdata`` script."""
        return "_userdata" in self.html

    @cached_property
    def logged_in(self) -> bool:
        return bool(re.search(r'_userdata\["session_logged_in"\]\s*=\s*1', self.html))

    @cached_property
    def board_clock(self) -> datetime | None:
        """The board's wall clock from the "Current date/time is …" line (naive), if shown:
        found by its words in the languages they are known in, else by its place in the
        template (any language)."""
        for text in find(self.root, "//body//text()[contains(., ':')]"):
            if 10 < len(text) < 200 and any(ch.isdigit() for ch in text):
                clock = parse_current_time(clean_space(text), strict=True)
                if clock is not None:
                    return clock
        for line in find(self.root, _CLOCK_PLACES)[:3]:
            text = element_text(line)
            if 10 < len(text) < 200:
                clock = parse_clock_line(text)
                if clock is not None:
                    return clock
        return None

    def absolute(self, href: str) -> str:
        """``href`` resolved against the page URL."""
        return urljoin(self.url, href)

    @cached_property
    def json_ld(self) -> list[dict[str, Any]]:
        """Every JSON-LD object of the page (malformed ones are skipped)."""
        objects: list[dict[str, Any]] = []
        for raw in _JSON_LD_SCRIPTS(self.root):
            try:
                data = json.loads(raw)
            except ValueError:
                continue
            for obj in data if isinstance(data, list) else [data]:
                if isinstance(obj, dict):
                    objects.append(obj)
        return objects

    def json_ld_of(self, type_: str) -> dict[str, Any] | None:
        return next((obj for obj in self.json_ld if obj.get("@type") == type_), None)

    @cached_property
    def breadcrumb(self) -> list[Crumb]:
        """Categories, forums and topic above this page, from the JSON-LD ``BreadcrumbList``,
        else from the navigation links."""
        crumbs: list[Crumb] = []
        data = self.json_ld_of("BreadcrumbList")
        if data:
            for element in data.get("itemListElement") or []:
                item = element.get("item") if isinstance(element, dict) else None
                if not isinstance(item, dict):
                    continue
                url = str(item.get("@id") or "")
                ref = parse_page_url(url)
                if ref:
                    crumbs.append(
                        Crumb(ref=ref, name=clean_space(str(item.get("name", ""))), url=url)
                    )
        if not crumbs:
            for link in find(self.root, f"//a[{has_class('nav')}]"):
                url = link.get("href", "")
                ref = parse_page_url(url)
                if ref:
                    crumbs.append(Crumb(ref=ref, name=element_text(link), url=self.absolute(url)))
        return crumbs

    def pagination(self, kind: str, id_: int) -> tuple[list[int], int | None]:
        """Offsets of the pages of this forum/topic linked from the page, and the page size.

        From the links (``/t12p15-``) and from Forumotion's ``do_pagination_start`` script,
        which states the number of pages and the page size.
        """
        offsets: set[int] = set()
        # Every link to one of its pages holds "/t12": the others are skipped unparsed.
        for href in _HREFS_WITH(self.root, marker=f"/{kind}{id_}"):
            ref = parse_page_url(str(href))
            if ref and ref.kind == kind and ref.id == id_:
                offsets.add(ref.offset)
        per_page: int | None = None
        match = _PAGINATION_JS.search(self.html)
        if match:
            pages, per_page = int(match["pages"]), int(match["per"])
            offsets.update(range(0, pages * per_page, per_page))
        if self.ref and self.ref.kind == kind and self.ref.id == id_ and offsets:
            offsets.add(self.ref.offset)
        if per_page is None and len(offsets) > 1:
            ordered = sorted(offsets)
            per_page = min(b - a for a, b in itertools.pairwise(ordered))
            # The mobile version links only the previous and next pages, under "Page X of N".
            title = find(self.root, "//*[contains(@class,'mobile_title_content')]")[:1]
            count = _PAGE_OF.search(element_text(title[0]) if title else "")
            if count:
                offsets.update(range(0, int(count["pages"]) * per_page, per_page))
        return sorted(offsets), per_page


@cache
def compiled(expression: str) -> etree.XPath:
    """``expression`` compiled once. The per-row and per-post expressions run dozens of times a
    page, and compiling them (what ``Selector.xpath`` does on every call) cost more than
    evaluating them."""
    return etree.XPath(expression)


def find(node: etree._Element, expression: str) -> list[Any]:
    """Nodes (or strings) ``expression`` selects under the lxml element ``node``; none for an
    empty expression or one that selects no node-set."""
    if not expression:
        return []
    found = compiled(expression)(node)
    return found if isinstance(found, list) else []


def element_text(node: etree._Element | None) -> str:
    """Visible text of an lxml element (XPath ``string()``), whitespace folded; none for a
    comment or processing instruction (XPath leaves their text out of an element's too)."""
    return clean_space(_visible(node)) if node is not None else ""


def element_texts(nodes: Iterable[Any]) -> str:
    """Visible text of lxml results that may hold text nodes (strings), comments and processing
    instructions (``node()`` selects them; they show nothing), whitespace folded."""
    return clean_space(
        " ".join(node if isinstance(node, str) else _visible(node) for node in nodes)
    )


def _visible(node: etree._Element) -> str:
    # A comment's, processing instruction's or entity's tag is a function, not a name; XPath
    # cannot be evaluated on them ("Input object is not an XML element").
    return str(_STRING(node)) if isinstance(node.tag, str) else ""
