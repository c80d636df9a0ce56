"""Decode a page's bytes and parse it into a selector.

Parsing is :func:`forumscraper.text.parsing.parse_html`, the one entry ``pages`` and ``text``
share (it keeps what follows a pathologically deep post); this module queries nothing.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree
from parsel import Selector
from w3lib.encoding import html_to_unicode

from forumscraper.text.parsing import parse_html

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)


def decode_html(body: bytes, declared: str) -> tuple[str, str | None]:
    """A page's text from its bytes and the encoding the response declares, as Scrapy's
    ``response.text`` reads it; except that when the bytes are not in the declared encoding (a
    Windows-1256 page sent as UTF-8) the page's own ``<meta charset>`` is believed instead,
    and returned second (``None`` when the declared encoding was right)."""
    try:
        codec = codecs.lookup(declared).name
        text = body.decode(codec)
    except (LookupError, UnicodeDecodeError):
        match = _META_CHARSET.search(body[:4096])
        if match:
            charset = match.group(1).decode("ascii")
            try:
                return body.decode(charset), charset
            except (LookupError, UnicodeDecodeError):
                pass
    else:
        if codec == "utf-8" and text[:1] != "\ufeff":
            # What ``html_to_unicode`` returns for UTF-8 without a byte order mark, which
            # would decode the page a second time.
            return text, None
    return html_to_unicode(f"charset={declared}", body)[1], None


def parse_page(text: str, url: str) -> Selector:
    """A parsel selector over the page ``text`` (an empty ``<html>`` when it holds no markup);
    deep nesting flattened if it had to be."""
    root = parse_html(text)
    return Selector(root=etree.Element("html") if root is None else root, type="html", base_url=url)
