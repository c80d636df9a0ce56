"""Cut an element's inner HTML out of the page source, byte for byte.

lxml re-serialises what it parsed (``<br />`` becomes ``<br>``, attributes are re-quoted), but
``posts.body_html`` must be exactly what the server sent, so that cleaning rules can be improved
later and re-run on the real input. The body element is located in the source by position: an
*anchor* element with an ``id`` unique on the page (the post container, or an element of the post
before the body) is found by that id, and the body is the k-th ``<div`` after the anchor's start
tag, k counted in the parsed tree in document order. The slice is accepted only if it holds as
many ``<div`` tags as the parsed body; otherwise the caller falls back to lxml's serialisation.

Some versions print the message loose inside a container that also holds the attachments, the
signature or the edit note (AwesomeBB ``div.post-content``, mobile ``div.post-content``):
:func:`source_region` cuts such a container's source before the first of those elements, and
:func:`split_edit_note` separates an edit note printed as loose text at the end. Works on lxml
elements (``iter``, ``itersiblings``), with no XPath.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence

from lxml import etree
from lxml import html as lxml_html

from forumscraper.text.edits import NOTE_START, EditNote, parse_edit_note

_DIV_TAG = re.compile(r"<(/?)div\b", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_ELEMENT_TAG = re.compile(r"<(?P<close>/?)(?P<name>[a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")
_VOID = frozenset({"br", "img", "hr", "input", "wbr", "area", "col", "embed", "source", "meta"})


def serialize_inner(element: etree._Element) -> str:
    """Inner HTML of ``element`` as lxml serialises it (the fallback)."""
    parts = [element.text or ""]
    for child in element:
        parts.append(lxml_html.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def serialize_until(element: etree._Element, stop: etree._Element | None) -> str:
    """Inner HTML of ``element`` up to its child ``stop`` (excluded), as lxml serialises it."""
    parts = [element.text or ""]
    for child in element:
        if child is stop:
            break
        parts.append(lxml_html.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def _subtrees_from(start: etree._Element) -> Iterator[etree._Element]:
    """``start``, then the roots of the subtrees after it: walking each one's ``iter()`` in
    turn visits ``start``, its descendants, then every element after it in document order."""
    yield start
    node: etree._Element | None = start
    while node is not None:
        yield from node.itersiblings()
        node = node.getparent()


def _divs_before(anchor: etree._Element, target: etree._Element) -> int | None:
    """How many ``div`` start tags, counting the anchor's own, come before ``target`` (an
    element inside or after ``anchor``)."""
    count = 0
    for root in _subtrees_from(anchor):
        # lxml's tag filter walks in C and only hands over divs and elements like the target.
        for element in root.iter("div", target.tag):
            if element is target:
                return count
            if element.tag == "div":
                count += 1
    return None


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def find_id_attribute(source: str, element_id: str, start: int = 0) -> int | None:
    """Where the first ``id=ELEMENT_ID`` attribute at or after ``start`` begins in ``source``
    (quoted or not, spaces around ``=`` allowed), or ``None``.

    The same as searching ``\\bid\\s*=\\s*["']?ELEMENT_ID["'\\s>/]`` with a regex, which costs
    about a millisecond on a 60 KB page because a pattern starting with ``\\b`` is tried at every
    position: this looks for the id's text with ``str.find`` and checks what surrounds each
    occurrence instead. (An id holding spaces, ``=`` or quotes is left to the regex.)
    """
    if not element_id or any(char.isspace() or char in "=\"'" for char in element_id):
        pattern = rf"""\bid\s*=\s*["']?{re.escape(element_id)}["'\s>/]"""
        match = re.compile(pattern).search(source, start)
        return match.start() if match else None
    size = len(source)
    position = source.find(element_id, start + 2)
    while position >= 0:
        end = position + len(element_id)
        if end < size and (source[end] in "\"'>/" or source[end].isspace()):
            index = position
            if index and source[index - 1] in "\"'":
                index -= 1
            while index and source[index - 1].isspace():
                index -= 1
            if index and source[index - 1] == "=":
                index -= 1
                while index and source[index - 1].isspace():
                    index -= 1
                if source[index - 2 : index] == "id" and (
                    index == 2 or (index > 2 and not _is_word(source[index - 3]))
                ):
                    return index - 2
        position = source.find(element_id, position + 1)
    return None


def locate_inner(
    source: str, anchor: etree._Element, element: etree._Element, start: int = 0
) -> tuple[int, int] | None:
    """Start and end offsets in ``source`` of the inner HTML of the ``div`` ``element``, or
    ``None`` if it cannot be located with certainty. ``anchor`` has a unique ``id`` and is
    ``element`` itself, one of its ancestors, or an element before it in the document; its
    ``id`` attribute stands at or after offset ``start`` (a page's posts are located in order,
    each search starting where the previous body began)."""
    anchor_id = anchor.get("id")
    if not anchor_id or element.tag != "div":
        return None
    id_start = find_id_attribute(source, anchor_id, start)
    if id_start is None:
        return None
    start = source.rfind("<", 0, id_start)
    wanted = _divs_before(anchor, element)
    if start < 0 or wanted is None:
        return None
    seen = 0
    position = start
    open_end = -1
    for match in _DIV_TAG.finditer(source, start):
        if match.group(1):
            continue
        if seen == wanted:
            open_end = source.find(">", match.end())
            position = open_end + 1
            break
        seen += 1
    if open_end < 0:
        return None
    depth = 1
    # ``tags``: the div tags inside, counted as _DIV_TAG.findall(inner) would.
    for tags, match in enumerate(_DIV_TAG.finditer(source, position)):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            expected = sum(1 for _ in element.iter("div")) - 1
            if tags != 2 * expected:
                return None
            return position, match.start()
    return None


def source_inner_html(
    source: str, anchor: etree._Element, body: etree._Element, start: int = 0
) -> tuple[str, int] | None:
    """The inner HTML of ``body`` exactly as it stands in ``source`` and the offset it starts
    at, or ``None`` if it cannot be located with certainty (see :func:`locate_inner` for
    ``anchor`` and ``start``)."""
    span = locate_inner(source, anchor, body, start)
    return (source[span[0] : span[1]], span[0]) if span else None


def source_region(
    source: str,
    anchor: etree._Element,
    container: etree._Element,
    stops: Sequence[etree._Element],
    start: int = 0,
) -> str | None:
    """The source of ``container``'s inner HTML up to the first of ``stops`` (``div`` children
    of ``container``: attachments, signature), or ``None`` if it cannot be located."""
    span = locate_inner(source, anchor, container, start)
    if span is None:
        return None
    start, end = span
    children = [stop for stop in stops if stop.getparent() is container and stop.tag == "div"]
    if not children:
        return source[start:end]
    first = min(children, key=lambda stop: list(container).index(stop))
    wanted = _divs_before(container, first)
    if wanted is None:
        return None
    seen = 1  # the container's own start tag is not in the slice
    for match in _DIV_TAG.finditer(source, start, end):
        if match.group(1):
            continue
        if seen == wanted:
            return source[start : match.start()]
        seen += 1
    return None


def _closes_outer(fragment: str) -> bool:
    """Whether ``fragment`` closes an element opened before it: text inside the message (a
    quote, a code box, a bold line), not the note printed after the message."""
    depth = 0
    for tag in _ELEMENT_TAG.finditer(fragment):
        if tag["name"].lower() in _VOID or tag[0].endswith("/>"):
            continue
        depth += -1 if tag["close"] else 1
        if depth < 0:
            return True
    return False


def split_edit_note(region: str) -> tuple[str, EditNote | None]:
    """Separate an edit note printed as loose text at the end of ``region`` (HTML).

    Returns the HTML before the note, whitespace-stripped, and the parsed note (``None`` and the
    whole region when it ends with none). The last note-like text that parses wins, so that a
    quoted "Last edited by" inside the message does not cut it short.
    """
    for match in reversed(list(NOTE_START.finditer(region))):
        rest = region[match.start() :]
        if "<div" in rest.lower() or _closes_outer(rest):
            continue
        note = parse_edit_note(html.unescape(_TAG.sub(" ", rest)))
        if note is not None:
            return region[: match.start()].strip(), note
    return region.strip(), None
