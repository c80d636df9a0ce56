"""Parse post HTML with lxml and walk it without recursion into text blocks and link events.

This is the shared core of :mod:`forumscraper.text.html` (rendering text) and
:mod:`forumscraper.text.links` (collecting URLs). It knows the Forumotion post markup:
quotes are ``<dl class="codebox"><dt>X wrote:</dt><dd>…</dd></dl>`` or
``<blockquote><cite>X a écrit:</cite>…</blockquote>``, code is a ``dl.codebox`` whose ``dt``
says "Code:" (or ``<pre>`` / a block-level ``<code>``), spoilers and hidden blocks are plain text.

Two lxml limits are handled here: libxml2 stops building the tree beyond a nesting depth of
256 (2048 with ``huge_tree``) and silently drops everything after that point, so too-deep input
is flattened and parsed again; and the tree is walked with :func:`lxml.etree.iterwalk`, never by
recursion in Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
_CODE_LABEL_RE = re.compile(r"\s*(?:code|c[oó]digo|codice|kod)\s*:", re.IGNORECASE)

MAX_NESTING = 1024
"""Elements nested deeper than this are flattened (their tags dropped, their text kept)."""

_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
_SKIP_TAGS = frozenset({"script", "style", "template", "iframe", "object", "noembed"})
_VERBATIM_TAGS = frozenset({"pre", "textarea", "xmp", "listing", "plaintext"})
_PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "caption", "center", "details", "dd"}
    | {"dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer"}
    | {"form", "header", "hgroup", "legend", "main", "marquee", "menu", "nav", "ol"}
    | {"option", "section", "select", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul"}
)
_CELL_TAGS = frozenset({"td", "th"})

# What to do when an element ends (one entry per open element, parallel to the walk).
_END_NOTHING = 0
_END_LINE = 1
_END_PARAGRAPH = 2
_END_VERBATIM = 3
_END_BLOCKQUOTE = 4
_END_ATTRIBUTION = 5
_END_QUOTE_BODY = 6
_END_LINK = 7
_END_VERBATIM_LINE = 8
_QUOTE_DL = 9
_CODE_DL = 10


@dataclass(slots=True)
class Block:
    """A run of text at one quote depth.

    ``kind`` is "text" (whitespace to be normalised), "attribution" (the "X wrote:" line of a
    quote) or "code" (verbatim).
    """

    depth: int
    kind: str
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass(slots=True)
class Walked:
    """Result of walking a post tree."""

    blocks: list[Block]
    link_events: list[tuple[str, str, str]]
    """("a", href, text), ("img", src, "smiley" or ""), ("embed", src, "") or
    ("text", raw text that may hold leaked BBCode links, "") in document order."""
    removed_chars: int


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


def parse_fragment(html: str) -> tuple[etree._Element | None, int]:
    """Parse a post body fragment into an lxml tree rooted at ``<html>``.

    Returns the root (None for empty input) and the number of junk characters scrubbed from the
    input. Input nested deeper than libxml2 accepts is flattened first, so no text is lost.
    """
    html, removed = scrub(html)
    if "<" in html:
        html = _DOCUMENT_TAG_RE.sub("", html)
    if not html.strip():
        return None, removed
    data = html.encode("utf-8")
    cap = MAX_NESTING
    root = _parse_bytes(data)
    while root is None or root[1]:
        # libxml2 hit its depth limit and dropped the rest of the document: flatten and retry
        # with a lower cap (implied elements such as <tbody> make its depth exceed ours).
        if cap < 16:
            break
        data = _flatten(html, cap).encode("utf-8")
        cap //= 2
        root = _parse_bytes(data)
    return (root[0] if root else None), removed


def _parse_bytes(data: bytes) -> tuple[etree._Element | None, bool] | None:
    """Parse UTF-8 bytes; returns (root, hit_depth_limit)."""
    # A fresh parser per call: its error log then belongs to this parse only (thread-safe).
    # lxml.etree's HTMLParser is lxml.html's without the Python element-class lookup, which
    # costs a Python call per element and buys nothing here.
    parser = etree.HTMLParser(
        encoding="utf-8", huge_tree=True, remove_comments=True, remove_pis=True
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, etree.ParserError, ValueError):
        return None
    too_deep = any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log)
    return root, too_deep


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
        if name in _BLOCK_TAGS or name in _PARAGRAPH_TAGS:
            if between.strip() or not broke:
                out.append("<br>")
            broke = True
        elif between.strip():
            broke = False
        pos = match.end()
    out.append(html[pos:])
    return "".join(out)


def _classes(element: etree._Element) -> set[str]:
    value = element.get("class")
    return set(value.split()) if value else set()


def _code_label(dt: etree._Element) -> str:
    """The first characters of a ``dt`` label, without walking a deep subtree."""
    text = dt.text or ""
    for child in dt:
        text += (child.text or "") + (child.tail or "")
        break
    return text[:80]


def _is_code_box(dl: etree._Element) -> bool:
    for child in dl:
        if child.tag == "dt":
            if _CODE_LABEL_RE.match(_code_label(child)):
                return True
        elif child.tag == "dd" and "code" in _classes(child):
            return True
    return False


def _is_inline(element: etree._Element) -> bool:
    """True when an element sits inside a line of text (text right before or after it)."""
    if element.tail and element.tail.strip():
        return True
    previous = element.getprevious()
    if previous is not None:
        return bool(previous.tail and previous.tail.strip())
    parent = element.getparent()
    return parent is not None and bool(parent.text and parent.text.strip())


def _link_text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


class _Walker:
    """Turns one tree into blocks; state for a single walk."""

    def __init__(self, collect_links: bool) -> None:
        self.collect_links = collect_links
        self.blocks: list[Block] = []
        self.current = Block(0, "text")
        self.depth = 0
        self.verbatim = 0
        self.in_link = 0
        self.pending = 0  # line breaks owed before the next visible text (max 2)
        self.events: list[tuple[str, str, str]] = []

    # -- output -------------------------------------------------------------------------------
    def new_block(self, kind: str = "text") -> None:
        if self.current.parts:
            self.blocks.append(self.current)
        self.current = Block(self.depth, kind)
        self.pending = 0

    def put(self, text: str) -> None:
        if self.verbatim:
            self.current.parts.append(text)
            return
        # Source line breaks are spaces (a real line break is <br>); CR was scrubbed already.
        if "\n" in text:
            text = text.replace("\n", " ")
        if self.pending:
            if not text.strip():
                return
            if self.current.parts:
                self.current.parts.append("\n" * self.pending)
            self.pending = 0
        self.current.parts.append(text)
        if self.collect_links and "[" in text:
            self.events.append(("text", text, ""))

    def line(self) -> None:
        if self.pending < 1:
            self.pending = 1

    def paragraph(self) -> None:
        self.pending = 2

    # -- walk ---------------------------------------------------------------------------------
    def walk(self, root: etree._Element) -> None:
        actions: list[int] = []
        walker = etree.iterwalk(root, events=("start", "end"))
        for event, element in walker:
            if event == "start":
                action = self.start(element, actions[-1] if actions else _END_NOTHING)
                if action < 0:
                    walker.skip_subtree()
                    actions.append(_END_NOTHING)
                    continue
                actions.append(action)
                if element.text:
                    self.put(element.text)
            else:
                self.end(actions.pop())
                if element.tail and actions:
                    self.put(element.tail)
        self.new_block()

    def start(self, element: etree._Element, parent_action: int) -> int:
        """Handle an element start; returns its end action, or -1 to skip its subtree."""
        tag = element.tag
        if not isinstance(tag, str):  # comment or processing instruction left by the parser
            return -1
        if tag == "br":
            if self.verbatim:
                self.current.parts.append("\n")
            else:
                self.pending = min(self.pending + 1, 2)
            return _END_NOTHING
        if tag == "img":
            src = element.get("src")
            if self.collect_links and src:
                smiley = "smiley" if element.get("longdesc") is not None else ""
                self.events.append(("img", src, smiley))
            return _END_NOTHING
        if tag in _SKIP_TAGS or tag == "embed":
            src = element.get("src") or element.get("data")
            if self.collect_links and src and tag in ("iframe", "embed", "object"):
                self.events.append(("embed", src, ""))
            return -1
        if tag == "a":
            href = element.get("href")
            if self.collect_links and href is not None:
                text = "" if self.in_link else _link_text(element)
                self.events.append(("a", href, text))
            self.in_link += 1
            return _END_LINK
        if self.verbatim:
            return _END_VERBATIM_LINE if tag in _BLOCK_TAGS or tag in _PARAGRAPH_TAGS else 0
        if parent_action == _QUOTE_DL:
            if tag == "dt":
                self.new_block("attribution")
                return _END_ATTRIBUTION
            if tag == "dd":
                self.depth += 1
                self.new_block()
                return _END_QUOTE_BODY
        elif parent_action == _CODE_DL:
            if tag == "dt":
                return -1  # the "Code:" label is template chrome
            if tag == "dd":
                return self.start_verbatim()
        elif parent_action == _END_BLOCKQUOTE and tag == "cite":
            self.depth -= 1
            self.new_block("attribution")
            self.depth += 1
            return _END_ATTRIBUTION
        if tag == "dl":
            classes = _classes(element)
            if "codebox" in classes and not classes & {"spoiler", "hidecode"}:
                self.new_block()
                return _CODE_DL if _is_code_box(element) else _QUOTE_DL
        if tag == "blockquote":
            self.depth += 1
            self.new_block()
            return _END_BLOCKQUOTE
        if tag in _VERBATIM_TAGS or (tag == "code" and not _is_inline(element)):
            return self.start_verbatim()
        if tag == "li":
            self.line()
            self.put("- ")
            return _END_LINE
        if tag in _CELL_TAGS:
            self.put(" ")
            return _END_NOTHING
        if tag == "hr":
            self.line()
            return _END_NOTHING
        if tag in _PARAGRAPH_TAGS:
            self.paragraph()
            return _END_PARAGRAPH
        if tag in _BLOCK_TAGS:
            self.line()
            return _END_LINE
        return _END_NOTHING

    def start_verbatim(self) -> int:
        if not self.verbatim:
            self.new_block("code")
        self.verbatim += 1
        return _END_VERBATIM

    def end(self, action: int) -> None:
        if action == _END_NOTHING:
            return
        if action == _END_LINE:
            self.line()
        elif action == _END_PARAGRAPH:
            self.paragraph()
        elif action == _END_LINK:
            self.in_link -= 1
        elif action == _END_VERBATIM_LINE:
            self.current.parts.append("\n")
        elif action == _END_VERBATIM:
            self.verbatim -= 1
            if not self.verbatim:
                self.new_block()
        elif action == _END_ATTRIBUTION:
            self.new_block()
        elif action in (_END_QUOTE_BODY, _END_BLOCKQUOTE):
            self.depth -= 1
            self.new_block()
        elif action in (_QUOTE_DL, _CODE_DL):
            self.new_block()


def walk(
    root: etree._Element | None, *, collect_links: bool = True, char_refs: bool = True
) -> Walked:
    """Walk a parsed post into blocks (and link events when ``collect_links``).

    ``char_refs=False`` tells that the source held no numeric character reference ("&#"), so
    the text cannot hold control characters and is not scrubbed again.
    """
    walker = _Walker(collect_links)
    if root is not None:
        walker.walk(root)
    removed = 0
    for block in walker.blocks:
        text = block.text
        if char_refs:
            text, count = scrub(text)  # references such as &#1; bring control characters back
            removed += count
        block.parts = [text]
    return Walked(walker.blocks, walker.events, removed)
