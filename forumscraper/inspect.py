"""``forumscraper parse``: show what the extraction layer reads from one page, as JSON.

    forumscraper parse saved/t12-slug.html --base-url https://example.forumotion.com/
    forumscraper parse https://example.forumotion.com/t12-slug --timezone Europe/Paris

A URL is fetched with urllib; a file is given the URL of its ``<link rel="canonical">`` (on
``--base-url`` when given), else ``--base-url`` plus the file name. Both are decoded as the crawl
decodes a page (``forumscraper.pages.parse.decode_html``: the declared charset, else the page's
own ``<meta charset>``). The output names the page kind (``index``, ``forum``, ``topic``,
``search`` or ``feed``), the template version detected, and every item the page objects
extract, with all their fields; each post also shows what the crawl stores after cleaning it
(``body_text``, ``content_hash``, ``links``). For a Forumotion page in a markup no template
version recognises, ``unknown_template`` says what it shows instead, and nothing is extracted.

Dates are read in the board's timezone relative to ``--now`` (default: the HTTP ``Date`` header
of a fetched page, the modification time of a file), since "Today at" and "Yesterday at" depend
on it. The zone is ``--timezone`` when given; else, for a fetched page (or with ``--now``), the
one its clock line shows, as the crawl infers it; else UTC. ``timezone`` and ``timezone_from``
in the output say which. Nothing is stored. The page objects query the page; this module only
reads a saved file's canonical link, with parsel.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from itemadapter import ItemAdapter
from parsel import Selector

from forumscraper.pages import DateContext, ForumListPage, ForumPage, Page, TopicPage
from forumscraper.pages.parse import decode_html
from forumscraper.pages.recent import ActiveTopicsPage, RecentTopicsPage, feed_entries
from forumscraper.pages.urls import parse_page_url
from forumscraper.pages.versions import UnknownTemplate
from forumscraper.spiders.clock import describe_tz
from forumscraper.text.clean import clean_post
from forumscraper.text.dates import board_timezone, infer_board_offset, parse_http_date

__all__ = ["inspect_page", "main"]

USER_AGENT = "forumscraper-parse/0.1 (+https://github.com/)"
_TIMEOUT = 30
_INDEX_PATHS = ("", "/", "/forum", "/index.forum", "/portal")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``forumscraper parse``; print the JSON on stdout and return the exit status."""
    parser = argparse.ArgumentParser(
        prog="forumscraper parse", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("source", metavar="FILE_OR_URL", help="a saved page or a page URL")
    parser.add_argument("--base-url", help="the forum's address, for a saved page")
    parser.add_argument(
        "--timezone",
        help="the board's timezone (IANA name or +03:00); default: from the page's clock line "
        "for a fetched page, else UTC",
    )
    parser.add_argument(
        "--now", help="the instant the page was served (ISO 8601), for Today/Yesterday dates"
    )
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        tz = board_timezone(args.timezone) if args.timezone else None
        now = _parse_now(args.now) if args.now else None
    except ValueError as error:
        print(f"forumscraper parse: {error}", file=sys.stderr)
        return 2
    try:
        if _is_url(args.source):
            url, text, served = _fetch(args.source)
            served_known = True
        else:
            url, text, served = _read(Path(args.source), args.base_url)
            served_known = now is not None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(f"forumscraper parse: cannot read {args.source}: {error}", file=sys.stderr)
        return 1
    now = now or served
    source = "--timezone"
    if tz is None:
        tz, source = _zone_of(Page(url, text), now if served_known else None)
    result = inspect_page(url, text, DateContext(tz=tz, now=now))
    result = {"timezone": describe_tz(tz), "timezone_from": source} | result
    json.dump(result, sys.stdout, indent=2, ensure_ascii=False, default=_json_default)
    sys.stdout.write("\n")
    return 0


def _zone_of(page: Page, served: datetime | None) -> tuple[tzinfo, str]:
    """The zone to read ``page`` in without ``--timezone``: the offset its clock line shows
    against the moment it was served (as a crawl infers it), else UTC; and where it came from."""
    clock = page.board_clock
    if clock is not None and served is not None:
        offset = infer_board_offset(clock, served)
        if offset is not None:
            return offset, "the page's clock line"
    return UTC, "default (no --timezone, no clock line with a known serving time)"


def inspect_page(url: str, text: str, dates: DateContext) -> dict[str, Any]:
    """Everything the extraction layer reads from one page, as JSON-ready data."""
    kind = page_kind(url, text)
    if kind == "feed":
        return {
            "url": url,
            "kind": kind,
            "version": None,
            "entries": [_data(entry) for entry in feed_entries(url, text, dates)],
        }
    page = Page(url, text, dates)
    result: dict[str, Any] = {"url": url, "kind": kind}
    if page.unknown_template is not None:
        # Reported, never read as another version.
        return result | _common(page) | {"unknown_template": page.unknown_template.evidence}
    if kind == "topic":
        page = topic = TopicPage(url, text, dates)
        offsets, per_page = topic.page_offsets()
        result.update(
            _common(page),
            topic=_data(topic.topic()),
            posts=[_cleaned(_data(post), url) for post in topic.posts()],
            repeats_first_post=topic.repeats_first_post,
            hidden_posts=topic.hidden_posts,
            pages={"offsets": offsets, "per_page": per_page},
        )
    elif kind == "forum":
        page = forum = ForumPage(url, text, dates)
        offsets, per_page = forum.page_offsets()
        result.update(
            _common(page),
            forum=_data(forum.forum()),
            subforums=[_data(sub) for sub in forum.subforums()],
            topics=[_data(item) for item in forum.topics()],
            pages={"offsets": offsets, "per_page": per_page},
        )
    elif kind == "search":
        page = search = ActiveTopicsPage(url, text, dates)
        result.update(
            _common(page),
            topics=[_data(item) for item in search.topics()],
            recent=[_data(entry) for entry in search.recent()],
        )
    else:
        page = index = ForumListPage(url, text, dates)
        widget = RecentTopicsPage(url, text, dates)
        result.update(
            _common(page),
            categories=[_data(category) for category in index.categories()],
            forums=[_data(item) for item in index.forums()],
            recent_topics=[_data(entry) for entry in widget.widget()],
        )
    return result


def page_kind(url: str, text: str) -> str:
    """``feed``, ``topic``, ``forum``, ``search`` or ``index``: from the content (feeds) and the
    URL, else from what the page holds."""
    head = text.lstrip()[:500].lower()
    if head.startswith("<?xml") or "<rss" in head or "<feed" in head:
        return "feed"
    ref = parse_page_url(url)
    if ref is not None:
        return {"t": "topic", "f": "forum", "c": "index"}[ref.kind]
    path = urlsplit(url).path.rstrip("/")
    if path.endswith("/search"):
        return "search"
    if path in _INDEX_PATHS or path.endswith(".forum"):
        return "index"
    try:
        if TopicPage(url, text)._raw_posts:
            return "topic"
    except UnknownTemplate:
        pass
    return "index"


def _common(page: Page) -> dict[str, Any]:
    return {
        "version": page.version,
        "forumotion": page.is_forumotion,
        "board_clock": page.board_clock,
        "breadcrumb": [
            {"kind": crumb.ref.kind, "id": crumb.ref.id, "name": crumb.name, "url": crumb.url}
            for crumb in page.breadcrumb
        ],
    }


def _cleaned(post: dict[str, Any], url: str) -> dict[str, Any]:
    """A post's fields with what the crawl's cleaning adds (``forumscraper.text.clean``)."""
    cleaned = clean_post(post.get("body_html") or "", base_url=url)
    return post | {
        "body_text": cleaned.body_text,
        "content_hash": cleaned.content_hash,
        "links": cleaned.links,
    }


def _data(item: object) -> Any:
    if item is None:
        return None
    if ItemAdapter.is_item(item):
        return ItemAdapter(item).asdict()
    if is_dataclass(item) and not isinstance(item, type):
        return asdict(item)
    return item


def _json_default(value: object) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def _parse_now(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _fetch(url: str) -> tuple[str, str, datetime]:
    """(final URL, text, server time) of a page fetched over HTTP(S), decoded as the crawl
    decodes it."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
        body = response.read()
        charset = response.headers.get_content_charset() or "utf-8"
        served = parse_http_date(response.headers.get("Date") or "")
        final = response.geturl()
    return final, decode_html(body, charset)[0], served or datetime.now(UTC)


def _read(path: Path, base_url: str | None) -> tuple[str, str, datetime]:
    """(URL, text, time saved) of a saved page: its bytes decoded as the crawl decodes a page
    served as UTF-8 (the page's own ``<meta charset>`` when the bytes are not UTF-8)."""
    text = decode_html(path.read_bytes(), "utf-8")[0]
    saved = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return _file_url(path, text, base_url), text, saved


def _file_url(path: Path, text: str, base_url: str | None) -> str:
    """The page's URL: its canonical link (moved onto ``base_url`` when given), else the file
    name on ``base_url``, else the file's own URI."""
    canonical = None
    if "<link" in text:
        canonical = Selector(text=text).xpath("//link[@rel='canonical']/@href").get()
    if canonical:
        if not base_url:
            return canonical
        parts = urlsplit(canonical)
        return urljoin(base_url, urlunsplit(("", "", parts.path, parts.query, "")))
    if base_url:
        name = path.name
        for suffix in (".html", ".htm", ".xml"):
            name = name.removesuffix(suffix)
        return urljoin(base_url, "/" + ("" if name in ("index", "forum") else name))
    return path.resolve().as_uri()


if __name__ == "__main__":
    sys.exit(main())
