"""Parse a whole page into a selector without losing what follows a pathologically deep post.

libxml2 stops building the tree at a nesting depth of about 2,000 (even with ``huge_tree``) and
silently drops the rest of the document: one post with 10,000 nested quotes would take every
post after it on the page with it. When the parser reports that limit, the page is flattened
(tags nested deeper than a cap dropped, their text kept: ``text._tree``) and parsed again.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree
from lxml import html as lxml_html
from parsel import Selector
from w3lib.encoding import html_to_unicode

from forumscraper.text._tree import MAX_NESTING, _flatten

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)


def decode_html(body: bytes, declared: str) -> tuple[str, str | None]:
    """A page's text from its bytes and the encoding the response declares, as Scrapy's
    ``response.text`` reads it; except that when the bytes are not in the declared encoding (a
    Windows-1256 page sent as UTF-8) the page's own ``<meta charset>`` is believed instead,
    and returned second (``None`` when the declared encoding was right)."""
    try:
        codecs.lookup(declared)
        body.decode(declared)
    except (LookupError, UnicodeDecodeError):
        match = _META_CHARSET.search(body[:4096])
        if match:
            charset = match.group(1).decode("ascii")
            try:
                return body.decode(charset), charset
            except (LookupError, UnicodeDecodeError):
                pass
    return html_to_unicode(f"charset={declared}", body)[1], None


def parse_page(text: str, url: str) -> Selector:
    """A parsel selector over the page ``text``; deep nesting flattened if it had to be."""
    data = text.encode("utf-8", errors="surrogatepass")
    cap = MAX_NESTING
    while True:
        parser = lxml_html.HTMLParser(encoding="utf-8", huge_tree=True)
        try:
            root = etree.fromstring(data, parser, base_url=url)
        except (etree.XMLSyntaxError, etree.ParserError, ValueError):
            return Selector(text=_encodable(text), base_url=url)
        too_deep = any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log)
        if root is None:
            return Selector(text=_encodable(text) or "<html></html>", base_url=url)
        if not too_deep or cap < 16:
            return Selector(root=root, type="html", base_url=url)
        data = _flatten(text, cap).encode("utf-8", errors="surrogatepass")
        cap //= 2


def _encodable(text: str) -> str:
    """``text`` with lone surrogates (which parsel cannot encode) replaced by U+FFFD."""
    return text.encode("utf-8", errors="surrogatepass").decode("utf-8", errors="replace")
