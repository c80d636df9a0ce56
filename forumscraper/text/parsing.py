"""Parse HTML with lxml: :func:`parse_html` is the one entry, for whole pages (``pages``) and
post bodies (``text``); :func:`scrub` removes the characters a post body must lose first.

libxml2 stops building the tree beyond a nesting depth of 256 (2048 with ``huge_tree``) and
silently drops everything after that point: one post with 10,000 nested quotes would take the
rest of its text, and on a page every post after it, with it. When the parser reports that
limit, the input is flattened (the tags of elements nested deeper than a cap dropped, their text
kept) and parsed again with a lower cap.
"""

from __future__ import annotations

import re

from lxml import etree

# C0 controls except tab/newline/CR, lone surrogates, the BOM and the two noncharacters that
# libxml2 rejects. Vertical tab and form feed are whitespace in the source, so they become spaces.
_JUNK_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufeff\ufffe\uffff]")
_JUNK_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
"""The C0 controls of ``_JUNK_RE`` as UTF-8 bytes (each is one byte, and no other character's
encoding holds a byte below 0x80)."""
# Document-level tags end the body early in libxml2 and drop what follows them.
_DOCUMENT_TAG_RE = re.compile(r"</?(?:html|body|head)\b[^<>]*>", re.IGNORECASE)
# A tag token for the flattening pre-pass. `[^<>]*` stops at the next bracket, so a run of
# unterminated "<a" costs linear time.
_TAG_TOKEN_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*>")

MAX_NESTING = 1024
"""Elements nested deeper than this are flattened (their tags dropped, their text kept)."""

_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6"})
BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "caption", "center", "details", "dd"}
    | {"dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer"}
    | {"form", "header", "hgroup", "legend", "main", "marquee", "menu", "nav", "ol"}
    | {"option", "section", "select", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul"}
)
"""Block-level elements: dropping one's tags (flattening) or ending one (text) breaks the line."""


def scrub(text: str) -> tuple[str, int]:
    """Remove NULs, other C0 controls (not tab/newline), lone surrogates, BOMs, U+FFFE/U+FFFF.

    CR and CRLF become LF; vertical tab and form feed become spaces. Returns the text and the
    number of characters removed or replaced (line-ending normalisation is not counted).
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not has_junk(text):
        return text, 0
    return _JUNK_RE.subn(_replace_junk, text)


def has_junk(text: str) -> bool:
    """Whether ``text`` holds a character :func:`scrub` removes or replaces (CR aside).

    Scanning with the regex costs about 6 ns per character; encoding to UTF-8 (which refuses
    surrogates) and deleting the C0 bytes with ``bytes.translate`` about 1 ns, so clean text
    (nearly all of it) skips the regex.
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return True
    if len(data.translate(None, _JUNK_BYTES)) != len(data):
        return True
    return b"\xef" in data and (
        b"\xef\xbb\xbf" in data  # U+FEFF
        or b"\xef\xbf\xbe" in data  # U+FFFE
        or b"\xef\xbf\xbf" in data  # U+FFFF
    )


def _replace_junk(match: re.Match[str]) -> str:
    return " " if match.group() in "\x0b\x0c" else ""


def parse_html(data: str, *, fragment: bool = False) -> etree._Element | None:
    """The lxml tree of ``data``, rooted at ``<html>``; ``None`` when libxml2 builds none
    (blank input, a lone comment or doctype) or refuses the input.

    ``fragment=True`` reads a post body, already scrubbed (:func:`scrub`): its ``<html>``,
    ``<body>`` and ``<head>`` tags are dropped, comments and processing instructions too.
    ``fragment=False`` reads a whole page as served (lone surrogates passed to libxml2 as they
    are). Input nested deeper than libxml2 accepts is flattened and parsed again, so no text is
    lost (beyond :data:`MAX_NESTING`, tags are dropped and their text kept).
    """
    if fragment:
        if "<" in data:
            data = _DOCUMENT_TAG_RE.sub("", data)
        if not data.strip():
            return None
    source = data
    cap = MAX_NESTING
    while True:
        # A fresh parser per call: its error log then belongs to this parse only (thread-safe).
        # lxml.etree's HTMLParser is lxml.html's without the Python element-class lookup, which
        # costs a Python call per element and buys nothing here.
        parser = etree.HTMLParser(
            encoding="utf-8", huge_tree=True, remove_comments=fragment, remove_pis=fragment
        )
        try:
            root = etree.fromstring(source.encode("utf-8", errors="surrogatepass"), parser)
        except (etree.XMLSyntaxError, etree.ParserError, ValueError):
            return None
        too_deep = any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log)
        if not too_deep or cap < 16:
            return root
        # libxml2 hit its depth limit and dropped the rest of the document: flatten and retry
        # with a lower cap (implied elements such as <tbody> make its depth exceed ours).
        source = _flatten(data, cap)
        cap //= 2


def _flatten(html: str, cap: int) -> str:
    """Drop the tags of elements nested deeper than ``cap``, keeping all their text."""
    out: list[str] = []
    pos = 0
    stack: list[str] = []
    open_counts: dict[str, int] = {}
    dropped: dict[str, int] = {}
    broke = False  # the last dropped block tag left a <br> and no text followed it yet
    for match in _TAG_TOKEN_RE.finditer(html):
        name = match.group(2).lower()
        if name in _VOID_TAGS:
            continue
        if not match.group(1):
            if match.group(0).endswith("/>"):
                continue
            if len(stack) < cap:
                stack.append(name)
                open_counts[name] = open_counts.get(name, 0) + 1
                continue
            dropped[name] = dropped.get(name, 0) + 1
        elif dropped.get(name):  # the innermost elements were the dropped ones
            dropped[name] -= 1
        elif stack and stack[-1] == name:
            stack.pop()
            open_counts[name] -= 1
            continue
        elif open_counts.get(name):
            while stack:  # an end tag closes the elements left open inside it
                top = stack.pop()
                open_counts[top] -= 1
                if top == name:
                    break
            continue
        else:
            continue
        # Drop this tag; keep one line break where a run of block tags was.
        between = html[pos : match.start()]
        out.append(between)
        if name in BLOCK_TAGS or name in PARAGRAPH_TAGS:
            if between.strip() or not broke:
                out.append("<br>")
            broke = True
        elif between.strip():
            broke = False
        pos = match.end()
    out.append(html[pos:])
    return "".join(out)
