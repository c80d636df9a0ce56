"""Guest placeholders and the links of a post.

When the board hides external links from guests (ACP "Disable external links to guests in
messages"), Forumotion replaces each link or image with "[You must be registered and logged in
to see this link.]" (French: "[Vous devez être inscrit et connecté pour voir ce lien]"). The
real URL is not in the page, so :func:`remove_placeholders` only removes and counts them.
:func:`extract_links` lists every real link and image URL of a post: ``a[href]``, ``img[src]``
(smilies excluded), embedded players, ``mailto:`` addresses and leaked ``[url]``/``[img]``
BBCode, deduplicated and in document order.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from urllib.parse import urljoin

from lxml import etree

from forumscraper.text._tree import walk
from forumscraper.text.bbcode import strip_bbcode
from forumscraper.text.parsing import parse_html, scrub

_SP = r"[^\S\n]+"  # any run of spaces, but never a line break


def _words(*words: str) -> str:
    return _SP.join(words)


# The pattern starts with a character class so the regex engine can skip ahead quickly; an
# opening bracket and spaces before the match are taken by hand (see `_extend_left`).
_PLACEHOLDER_RE = re.compile(
    r"[YyVv](?i:"
    + _words("ou", "must", "be", "registered", "and", "logged", "in", "to", "see", "this")
    + _SP
    + r"(?:link|image)"
    + r"|"
    + _words("ous", "devez", "[eê]tre", "inscrite?", "et", "connect[ée]e?", "pour", "voir")
    + _SP
    + r"(?:ce"
    + _SP
    + r"lien|cette"
    + _SP
    + r"image))"
    + r"(?:[^\S\n]*\.)?(?:[^\S\n]*\])?"
)
# Cheap substring test before the regex: lower, upper and capitalised forms of a key word.
_PREFILTER_WORDS = ("egistered", "EGISTERED", "nscrit", "NSCRIT")

LINK = "link"
IMAGE = "image"
EMAIL = "email"

_SMILEY_SRC_RE = re.compile(r"/smil(?:e|ie)s/", re.IGNORECASE)
_URL_SPACE_RE = re.compile(r"[\t\n\r]")
_SKIPPED_SCHEMES = ("javascript:", "data:", "vbscript:", "about:")
_YOUTUBE_ID_RE = re.compile(r"[A-Za-z0-9_-]{11}")
_BBCODE_LINK_RE = re.compile(
    # [url=X]T[/url] or [email=X]T[/email]; T optional (the tag may be unclosed or hold
    # other tags split over text nodes). T stops at a newline or another url/email tag.
    r"\[(?P<tag>url|email)[ \t]*=[ \t]*"
    r"(?P<arg>\"[^\"\]\n]{1,2048}+\"|'[^'\]\n]{1,2048}+'|[^\]\n]{1,2048}+)\]"
    r"(?:(?P<text>(?:[^\[\n]|\[(?!/?(?:url|email)\b))*+)\[/(?P=tag)\])?"
    # [url]X[/url], [email]X[/email], [img]X[/img], [youtube]X[/youtube], [flash]X[/flash]
    r"|\[(?P<ptag>url|email|img|youtube|flash|dailymotion)(?::[0-9a-z]{1,10})?"
    r"(?:[ \t]*=[^\]\n]{0,300}+|[ \t(][^\]\n]{0,300}+)?\]"
    r"(?P<body>[^\[\]\n]{1,2048}+)\[/(?P=ptag)(?::[0-9a-z]{1,10})?\]",
    re.IGNORECASE,
)


def remove_placeholders(text: str) -> tuple[str, int]:
    """Remove guest placeholders from ``text``; returns the text and how many were removed.

    Matches the English and French link and image placeholders in any case, with extra
    spaces, with or without the trailing period and the brackets, but with one of the three:
    the same words in a sentence of a post are the post's. (A substring test on
    "registered"/"inscrit" in lower, upper or capitalised form skips the regex for text that
    cannot hold one.) Nothing is put in their
    place: "Posted on[…] by […]" becomes "Posted on by " (whitespace is normalised later).
    """
    if not any(word in text for word in _PREFILTER_WORDS):
        return text, 0
    out: list[str] = []
    pos = 0
    count = 0
    for match in _PLACEHOLDER_RE.finditer(text):
        start = _extend_left(text, match.start(), pos)
        if start == match.start() and not match[0].endswith((".", "]")):
            continue  # the words in a sentence ("…to see this link? I am logged in!")
        out.append(text[pos:start])
        pos = match.end()
        count += 1
    if not count:
        return text, 0
    out.append(text[pos:])
    return "".join(out), count


def _extend_left(text: str, start: int, floor: int) -> int:
    """Include an opening bracket (and spaces after it) that precedes a placeholder."""
    index = start
    while index > floor and text[index - 1] != "\n" and text[index - 1].isspace():
        index -= 1
    if index > floor and text[index - 1] == "[":
        return index - 1
    return start


def is_placeholder(text: str) -> bool:
    """True when ``text`` is nothing but guest placeholders (e.g. the text of a hidden link)."""
    remaining, count = remove_placeholders(text)
    return count > 0 and not remaining.strip()


def extract_links(
    source: str | etree._Element, base_url: str | None = None
) -> list[dict[str, str]]:
    """Every link and image URL of a post, deduplicated, in document order.

    ``source`` is the post body HTML or an already parsed lxml element. Each link is
    ``{"url": ..., "text": ..., "kind": "link" | "image" | "email"}``; ``text`` is the link
    text ("" for images and embedded players). Relative URLs are resolved against ``base_url``
    when given. Smilies (``img[longdesc]`` or a ``/smiles/`` source), guest placeholders,
    ``javascript:``/``data:`` URLs and in-page ``#anchors`` are left out.
    """
    root = parse_html(scrub(source)[0], fragment=True) if isinstance(source, str) else source
    return build_links(walk(root).link_events, base_url)


def build_links(
    events: Iterable[tuple[str, str, str]], base_url: str | None = None
) -> list[dict[str, str]]:
    """Turn the link events of :func:`forumscraper.text._tree.walk` into link dicts."""
    links = _Links(base_url)
    for kind, value, extra in events:
        if kind == "a":
            if not is_placeholder(extra):
                links.add_href(value, extra)
        elif kind == "img":
            if extra != "smiley" and not _SMILEY_SRC_RE.search(value):
                links.add(value, "", IMAGE)
        elif kind == "embed":
            links.add(value, "", LINK)
        else:
            links.add_bbcode(value)
    return links.items


class _Links:
    """Accumulates link dicts, deduplicated by (url, kind)."""

    def __init__(self, base_url: str | None) -> None:
        self.base_url = base_url
        self.items: list[dict[str, str]] = []
        self._seen: dict[tuple[str, str], dict[str, str]] = {}

    def add_href(self, href: str, text: str) -> None:
        href = _URL_SPACE_RE.sub("", href).strip()
        if href[:7].lower() == "mailto:":
            address = href[7:].strip()
            if address:
                self.add("mailto:" + address, text, EMAIL)
            return
        self.add(href, text, LINK)

    def add_bbcode(self, text: str) -> None:
        for match in _BBCODE_LINK_RE.finditer(text):
            tag = (match.group("tag") or match.group("ptag")).lower()
            if match.group("tag"):
                target = match.group("arg").strip().strip("\"'").strip()
                label = _plain(match.group("text") or "")
            else:
                target = match.group("body").strip()
                label = "" if tag != "url" and tag != "email" else _plain(target)
            if tag == "email":
                if target:
                    self.add("mailto:" + target.removeprefix("mailto:"), label, EMAIL)
            elif tag == "img":
                self.add(target, "", IMAGE)
            elif tag == "youtube" and _YOUTUBE_ID_RE.fullmatch(target):
                self.add(f"https://www.youtube.com/watch?v={target}", "", LINK)
            else:
                self.add(target, label, LINK)

    def add(self, url: str, text: str, kind: str) -> None:
        url = _URL_SPACE_RE.sub("", url).strip()
        if not url or url.startswith("#") or url.lower().startswith(_SKIPPED_SCHEMES):
            return
        if kind != EMAIL and self.base_url:
            # urljoin rejects e.g. "http://[bad" (invalid IPv6 host): keep such URLs as written
            with contextlib.suppress(ValueError):
                url = urljoin(self.base_url, url)
        text = _plain(text)
        seen = self._seen.get((url, kind))
        if seen is not None:
            if not seen["text"] and text:
                seen["text"] = text
            return
        item = {"url": url, "text": text, "kind": kind}
        self._seen[(url, kind)] = item
        self.items.append(item)


def _plain(text: str) -> str:
    """Link text without placeholders, BBCode or extra whitespace."""
    if not text:
        return ""
    text = remove_placeholders(text)[0]
    if "[" in text:
        text = strip_bbcode(text)
    return " ".join(text.split())
