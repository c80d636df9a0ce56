"""Cut an element's inner HTML out of the page source, byte for byte.

lxml re-serialises what it parsed (``<br />`` becomes ``<br>``, attributes are re-quoted), but
``posts.body_html`` must be exactly what the server sent, so that cleaning rules can be improved
later and re-run on the real input. The body element is located in the source by position: the
post container's ``id`` attribute is unique on the page, and the body is the k-th ``<div`` after
it, k counted in the parsed tree. The slice is accepted only if it holds as many ``<div`` tags as
the parsed body; otherwise the caller falls back to lxml's serialisation.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

_DIV_TAG = re.compile(r"<(/?)div\b", re.IGNORECASE)


def serialize_inner(element: etree._Element) -> str:
    """Inner HTML of ``element`` as lxml serialises it (the fallback)."""
    parts = [element.text or ""]
    for child in element:
        parts.append(lxml_html.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def _divs_before(container: etree._Element, target: etree._Element) -> int | None:
    """How many ``div`` start tags, counting the container's own, come before ``target``."""
    count = 0
    for element in container.iter():
        if element is target:
            return count
        if element.tag == "div":
            count += 1
    return None


def source_inner_html(source: str, container: etree._Element, body: etree._Element) -> str | None:
    """The inner HTML of ``body`` exactly as it stands in ``source``, or ``None`` if it cannot
    be located with certainty. ``container`` is an ancestor of ``body`` with a unique ``id``."""
    container_id = container.get("id")
    if not container_id or body.tag != "div":
        return None
    id_match = re.search(rf"""\bid\s*=\s*["']?{re.escape(container_id)}["'\s>/]""", source)
    if not id_match:
        return None
    start = source.rfind("<", 0, id_match.start())
    wanted = _divs_before(container, body)
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
    for match in _DIV_TAG.finditer(source, position):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            inner = source[position : match.start()]
            expected = sum(1 for element in body.iter() if element.tag == "div") - 1
            if len(_DIV_TAG.findall(inner)) != 2 * expected:
                return None
            return inner
    return None
