"""Walk a parsed post (:func:`forumscraper.text.parsing.parse_html`) into text blocks and link
events, without recursion: queried with lxml.

This is the shared core of :mod:`forumscraper.text.html` (rendering text) and
:mod:`forumscraper.text.links` (collecting URLs). It knows the Forumotion post markup:
quotes are ``<dl class="codebox"><dt>X wrote:</dt><dd>…</dd></dl>`` or
``<blockquote><cite>X a écrit:</cite>…</blockquote>``, code is a ``dl.codebox`` whose ``dt``
says "Code:" (or ``<pre>`` / a block-level ``<code>``), spoilers and hidden blocks are plain text.

The tree is walked with :func:`lxml.etree.iterwalk`, never by recursion in Python, so a post
nested as deep as libxml2 allows costs no Python stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from forumscraper.text.parsing import BLOCK_TAGS, PARAGRAPH_TAGS, scrub

_CODE_LABEL_RE = re.compile(r"\s*(?:code|c[oó]digo|codice|kod)\s*:", re.IGNORECASE)

_SKIP_TAGS = frozenset({"script", "style", "template", "iframe", "object", "noembed"})
_VERBATIM_TAGS = frozenset({"pre", "textarea", "xmp", "listing", "plaintext"})
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
            return _END_VERBATIM_LINE if tag in BLOCK_TAGS or tag in PARAGRAPH_TAGS else 0
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
        if tag in PARAGRAPH_TAGS:
            self.paragraph()
            return _END_PARAGRAPH
        if tag in BLOCK_TAGS:
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
