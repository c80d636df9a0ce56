"""How the page objects query a page: lxml XPath, compiled once, and the text of what it finds.

Every module of ``pages`` queries its tree through :func:`find` (nodes or strings an XPath
selects) and reads text through :func:`element_text`, :func:`element_texts` or
:func:`visible_text`; none queries through parsel.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from lxml import etree

_SPACES = re.compile(r"\s+")
_STRING = etree.XPath("string()")
_VISIBLE = etree.XPath(".//text()[not(ancestor::i)]")


def has_class(name: str) -> str:
    """XPath predicate: the node has CSS class ``name`` (a whole class, not a substring)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def clean_space(text: str | None) -> str:
    """Whitespace (NBSP included) folded to single spaces, stripped."""
    return _SPACES.sub(" ", (text or "").replace("\u00a0", " ")).strip()


@cache
def compiled(expression: str) -> etree.XPath:
    """``expression`` compiled once. The per-row and per-post expressions run dozens of times a
    page, and compiling them (what ``Selector.xpath`` does on every call) cost more than
    evaluating them."""
    return etree.XPath(expression)


def find(node: etree._Element, expression: str) -> list[Any]:
    """Nodes (or strings) ``expression`` selects under the lxml element ``node``; none for an
    empty expression or one that selects no node-set."""
    if not expression:
        return []
    if expression == ".":  # a markup's default (the post container is the id's element)
        return [node]
    found = compiled(expression)(node)
    return found if isinstance(found, list) else []


def element_text(node: etree._Element | None) -> str:
    """Visible text of an lxml element (XPath ``string()``), whitespace folded; none for a
    comment or processing instruction (XPath leaves their text out of an element's too)."""
    return clean_space(_string(node)) if node is not None else ""


def element_texts(nodes: Iterable[Any]) -> str:
    """Visible text of lxml results that may hold text nodes (strings), comments and processing
    instructions (``node()`` selects them; they show nothing), whitespace folded."""
    return clean_space(" ".join(node if isinstance(node, str) else _string(node) for node in nodes))


def visible_text(nodes: Iterable[etree._Element]) -> str:
    """Text of elements without their icon ligatures (AwesomeBB and ModernBB print icons as
    ``<i class="material-icons">person</i>``), whitespace folded."""
    return clean_space(" ".join(text for node in nodes for text in _VISIBLE(node)))


def _string(node: etree._Element) -> str:
    # A comment's, processing instruction's or entity's tag is a function, not a name; XPath
    # cannot be evaluated on them ("Input object is not an XML element").
    return str(_STRING(node)) if isinstance(node.tag, str) else ""
