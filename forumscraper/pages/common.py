"""What every Forumotion page shares: template version, JSON-LD, breadcrumb, pagination, dates.

A page object is built from a URL, the HTML text and a :class:`DateContext`; it needs no Scrapy
(``forumscraper parse`` and the unit tests build pages from saved files). Its template version is
the registry entry its markup matches (:attr:`Page.template`, ``forumscraper.pages.versions``).

Queried with lxml (:mod:`forumscraper.pages.query`, whose helpers this module re-exports):
XPath compiled once (:func:`find`) on :attr:`Page.root`, text read with :func:`element_text`.
:attr:`Page.sel` is the same tree as a parsel selector, kept for callers that want one; nothing
in ``pages`` queries through it.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import cached_property
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from forumscraper.pages.parse import parse_page
from forumscraper.pages.query import (
    clean_space,
    element_text,
    element_texts,
    find,
    has_class,
    visible_text,
)
from forumscraper.pages.urls import PageRef, parse_page_url
from forumscraper.pages.versions import (
    NOT_FORUMOTION,
    TEMPLATES,
    VERSIONS,
    TemplateVersion,
    UnknownTemplate,
    detect_template,
    markup_evidence,
)
from forumscraper.text.dates import (
    lacks_year,
    parse_clock_line,
    parse_current_time,
    parse_forum_date,
    printing_clock,
)

BY_WORD = r"(?:by|par|por|von|di|da|de|door|od|av|من طرف)"
"""The word printed before a poster's name, as a regex group: "by NAME", French "par", Spanish
and Portuguese "por", German "von", Italian "da" ("Messaggio Da Admin") and "di", Dutch "door",
Polish "od", Swedish "av", "de", Arabic "من طرف" ("مُساهمة من طرف NAME", DATES.md)."""
ON_WORD = r"(?:on|le|el|em|am|il|à|a|at|op)"
"""The word printed before a date ("by NAME on DATE"), as a regex group: French "le", Spanish
"el", Portuguese "em", German "am", Italian "il", Dutch "op"; "à", "a", "at" before a time."""


_PAGINATION_JS = re.compile(
    r"start\s*=\s*\(start\s*>\s*(?P<pages>\d+)\)\s*\?\s*\d+\s*:\s*start;\s*"
    r"start\s*=\s*\(start\s*-\s*1\)\s*\*\s*(?P<per>\d+)"
)
_HREFS_WITH = etree.XPath("//a[contains(@href, $marker)]/@href")
_JSON_LD_SCRIPTS = etree.XPath("//script[@type='application/ld+json']/text()")
_DATE_LEAD = re.compile(rf"^(?:[»\-\u2013\u2014:,]\s*|{ON_WORD}\s+)+", re.IGNORECASE)
"""Words and marks printed before a date ("by NAME on DATE", "» DATE")."""
_CLOCK_PLACES = " | ".join(template.clock for template in TEMPLATES.values() if template.clock)
"""Where the templates print ``{CURRENT_TIME}`` (FACTS §0.4), whatever the board language: each
version's place, looked for on every page (the clock is read before the version matters)."""
_LEADING_BY = re.compile(rf"^\s*{BY_WORD}\s+", re.IGNORECASE)
_INT = re.compile(r"-?\d[\d\s.,\u00a0\u202f]*")
_PAGE_OF = re.compile(r"(?P<page>\d+)\s*(?:/|of|sur|de|di|von|van|z|из)\s*(?P<pages>\d+)", re.I)
"""The "Page 2 of 3" line of a version that links only the neighbouring pages (FR "Page 2 sur
3"): :attr:`~forumscraper.pages.versions.TemplateVersion.page_count`."""


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
    """The name of the template version a page was rendered with, from its markup (FACTS.md
    §1); ``None`` when no registry entry recognises it."""
    template = detect_template(sel.root)
    return template.name if template else None


@dataclass(frozen=True)
class DateContext:
    """How to read the dates of one page: the board's timezone and the moment it was served."""

    tz: tzinfo = UTC
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def clock(self) -> tzinfo:
        """The offset the page prints every date on: the board timezone's at :attr:`now`
        (:func:`~forumscraper.text.dates.printing_clock`)."""
        return printing_clock(self.tz, self.now)

    def parse(
        self, raw: str | None, *, after: datetime | None = None, near: datetime | None = None
    ) -> datetime | None:
        """A printed date as an aware UTC datetime, ``None`` when it cannot be read; a date
        printed without a year is bounded by ``after`` and ``near`` when the page gives them
        (:func:`~forumscraper.text.dates.parse_forum_date`)."""
        raw = strip_date_lead(raw)
        if not raw:
            return None
        return parse_forum_date(raw, now=self.now, tz=self.tz, after=after, near=near)

    @staticmethod
    def lacks_year(raw: str | None) -> bool:
        """Whether a printed date has no year (so :meth:`parse` guesses it unless bounded)."""
        return lacks_year(strip_date_lead(raw) or "")


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
    def detected(self) -> TemplateVersion | None:
        """The registry entry the page's markup matches (``None``: none does)."""
        return detect_template(self.root)

    @cached_property
    def version(self) -> str | None:
        """The detected template version's name (``None``: not recognised)."""
        return self.detected.name if self.detected else None

    @cached_property
    def unknown_template(self) -> UnknownTemplate | None:
        """The report of a Forumotion page whose markup no registry entry recognises (what it
        shows instead); ``None`` for a recognised page or one that is not Forumotion's."""
        if self.detected is not None or not self.is_forumotion:
            return None
        return UnknownTemplate(self.url, markup_evidence(self.root))

    @property
    def template(self) -> TemplateVersion:
        """The template version to read the page with: the detected one, or
        :data:`~forumscraper.pages.versions.NOT_FORUMOTION` (nothing to read) for a page that
        is not Forumotion's. Raises :class:`UnknownTemplate` for a Forumotion page in a markup
        no registry entry recognises: such a page is reported, never read as another version."""
        if self.detected is not None:
            return self.detected
        if self.unknown_template is not None:
            raise self.unknown_template
        return NOT_FORUMOTION

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
            # A version linking only the previous and next pages prints "Page X of N".
            counts = self.detected.page_count if self.detected else ""
            title = find(self.root, counts)[:1]
            count = _PAGE_OF.search(element_text(title[0]) if title else "")
            if count:
                offsets.update(range(0, int(count["pages"]) * per_page, per_page))
        return sorted(offsets), per_page


__all__ = [
    "BY_WORD",
    "ON_WORD",
    "VERSIONS",
    "Crumb",
    "DateContext",
    "Page",
    "UnknownTemplate",
    "clean_space",
    "detect_version",
    "element_text",
    "element_texts",
    "find",
    "has_class",
    "parse_count",
    "strip_by",
    "strip_date_lead",
    "visible_text",
]
