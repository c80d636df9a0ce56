"""Why a page that should hold posts or topics holds none: never parse such a page as empty.

A forum answers 200 with an error box ("The topic you requested does not exist"), a login wall,
a maintenance notice or a page cut off in transit; a crawler that reads those as an empty topic
loses data silently. :func:`page_problem` names the cause so the spider can retry or fail the
page loudly and keep the topic's watermark where it is; a Forumotion page in a markup no
template version recognises is ``unknown_template``, with what it showed as the detail. Queried
with lxml (:func:`forumscraper.pages.query.find`).
"""

from __future__ import annotations

import re

from forumscraper.pages.common import Page, element_text, find

_END_OF_HTML = re.compile(r"</html\s*>", re.IGNORECASE)


def is_truncated(html: str) -> bool:
    """Whether the page stops before its end (no closing ``</html>``)."""
    return _END_OF_HTML.search(html, max(0, len(html) - 4096)) is None


def page_problem(page: Page) -> str:
    """The cause, as a short stats key: ``truncated``, ``not_forumotion`` (maintenance or proxy
    page), ``login_wall``, ``message`` (Forumotion's information box), ``unknown_template`` (a
    markup no template version recognises) or ``unknown_markup`` (a known version's page
    without what it should hold)."""
    if is_truncated(page.html):
        return "truncated"
    if not page.is_forumotion:
        return "not_forumotion"
    if find(page.root, "//form//input[@type='password']"):
        return "login_wall"
    if find(page.root, "//div[contains(@class,'panel')]//h1 | //th[contains(@class,'thHead')]"):
        return "message"
    if page.unknown_template is not None:
        return page.unknown_template.problem
    return "unknown_markup"


def message_text(page: Page) -> str:
    """The text of Forumotion's information box, for the log."""
    for xpath in ("//div[contains(@class,'panel')]", "//table[contains(@class,'forumline')]"):
        nodes = find(page.root, xpath)
        if nodes:
            return element_text(nodes[0])[:200]
    return ""


def describe_problem(page: Page | None) -> tuple[str, str]:
    """:func:`page_problem` and its evidence: an information box's text, what a page in an
    unknown markup showed (``not_html`` for no page)."""
    if page is None:
        return "not_html", ""
    problem = page_problem(page)
    if problem == "message":
        return problem, message_text(page)
    if problem == "unknown_template" and page.unknown_template is not None:
        return problem, page.unknown_template.evidence
    return problem, ""
