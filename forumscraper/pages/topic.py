"""Topic pages (``/tN-slug``, ``/tNpOFFSET-slug``): the topic and its posts.

Per-version markup lives in the ``_PostMarkup`` table below (FACTS.md §2.1); everything else is
shared. Traps handled here: the sponsored pseudo-post ``p0`` is skipped; the body is the first
inner ``div`` of the body container, never a container that nests another (that doubles text);
the first post repeated on pages 2+ is recognised and not counted twice; the signature and the
edit note are kept apart from the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from parsel import Selector

from forumscraper.items import PostItem, TopicItem
from forumscraper.pages.common import Page, clean_space, member_of, strip_date_lead, text_of, texts
from forumscraper.pages.rawhtml import serialize_inner, source_inner_html
from forumscraper.pages.urls import member_id, page_url, parse_page_url
from forumscraper.text.edits import parse_edit_note

_POST_ID = re.compile(r"^p(?:ost-?)?(\d+)$")
_SIGNATURE_RULE = re.compile(r"^\s*_{5,}\s*(?:<br\s*/?>\s*)?")
"""phpBB2 prints "_________________<br>" before a signature; other versions draw a line in CSS."""


@dataclass(frozen=True)
class _PostMarkup:
    """XPath expressions locating the parts of a post, relative to its container."""

    containers: str
    """Post containers of the page (their ``id`` carries the post id)."""
    author: str
    """The node holding the poster's name (and profile link for members)."""
    date: str
    """The node whose text ends with the post date."""
    subject: str
    body: str
    """The body div itself: first inner div of the body container."""
    signature: str
    edit_note: str
    title: str
    """The topic title, relative to the page."""
    repeated_first: str
    """Exists on a page whose first post is the topic's first post shown again."""


_MARKUP: dict[str, _PostMarkup] = {
    "prosilver": _PostMarkup(
        containers="//div[contains(concat(' ', normalize-space(@class), ' '), ' post ')][@id]",
        author=".//div[contains(@class,'postprofile')]//dt//strong",
        date=".//p[contains(@class,'author')]",
        subject=".//h2[contains(@class,'topic-title')]",
        body=".//div[contains(concat(' ', normalize-space(@class), ' '), ' content ')]/div[1]",
        signature=".//div[contains(@class,'signature_div')]",
        edit_note=(
            ".//div[contains(concat(' ', normalize-space(@class), ' '), ' content ')]"
            "/following-sibling::node()[not(self::div[contains(@class,'signature_div')])]"
        ),
        title="//h1[contains(@class,'page-title')]",
        repeated_first="//hr[@id='first-post-br']",
    ),
    "subsilver": _PostMarkup(
        containers="//tr[contains(concat(' ', normalize-space(@class), ' '), ' post ')][@id]",
        author=".//span[contains(@class,'name')]/strong",
        date="(.//td/span[contains(@class,'postdetails')])[last()]",
        subject="(.//td/span[contains(@class,'postdetails')])[last()]",
        body=".//div[contains(@class,'postbody')]/div[1]",
        signature=".//div[contains(@class,'postbody')]/div[contains(@class,'signature_div')]",
        edit_note=".//div[contains(@class,'postbody')]/following-sibling::span[contains(@class,'gensmall')]",
        title="//h1[contains(@class,'cattitle')]",
        repeated_first="",
    ),
}


@dataclass(frozen=True)
class _RawPost:
    id: int
    node: Selector


class TopicPage(Page):
    """A page of a topic."""

    @cached_property
    def markup(self) -> _PostMarkup:
        return _MARKUP.get(self.version or "", _MARKUP["prosilver"])

    @cached_property
    def topic_id(self) -> int | None:
        if self.ref and self.ref.kind == "t":
            return self.ref.id
        for crumb in reversed(self.breadcrumb):
            if crumb.ref.kind == "t":
                return crumb.ref.id
        data = self.json_ld_of("DiscussionForumPosting")
        if data and data.get("url"):
            ref = parse_page_url(str(data["url"]))
            return ref.id if ref else None
        return None

    @property
    def offset(self) -> int:
        return self.ref.offset if self.ref else 0

    @cached_property
    def title(self) -> str | None:
        """The full topic title."""
        title = text_of(self.sel.xpath(self.markup.title)[:1])
        if not title:
            data = self.json_ld_of("DiscussionForumPosting") or {}
            title = clean_space(str(data.get("headline") or data.get("name") or ""))
        return title or None

    @cached_property
    def forum_id(self) -> int | None:
        forums = [crumb.ref.id for crumb in self.breadcrumb if crumb.ref.kind == "f"]
        return forums[-1] if forums else None

    @cached_property
    def _raw_posts(self) -> list[_RawPost]:
        posts = []
        for node in self.sel.xpath(self.markup.containers):
            match = _POST_ID.match(node.attrib.get("id", ""))
            if match and int(match[1]) != 0:  # post 0: Forumotion's sponsored pseudo-post
                posts.append(_RawPost(id=int(match[1]), node=node))
        return posts

    @cached_property
    def repeats_first_post(self) -> bool:
        """Whether the first post on this (non-first) page is the topic's first post again."""
        if self.offset == 0 or len(self._raw_posts) < 2:
            return False
        if self.markup.repeated_first and self.sel.xpath(self.markup.repeated_first):
            return True
        if self.version == "subsilver":
            # phpBB2 closes the post table after the repeated first post and opens another.
            first, second = self._raw_posts[0].node, self._raw_posts[1].node
            return first.root.getparent() is not second.root.getparent()
        return False

    def posts(self) -> list[PostItem]:
        """The posts of the page, in order, without the sponsored one or a repeated first post."""
        raw = self._raw_posts[1:] if self.repeats_first_post else self._raw_posts
        topic_id = self.topic_id
        if topic_id is None:
            return []
        slug = self.ref.slug if self.ref else ""
        return [
            self._post(item, topic_id, self.offset + index, slug) for index, item in enumerate(raw)
        ]

    def _post(self, raw: _RawPost, topic_id: int, position: int, slug: str) -> PostItem:
        node, markup = raw.node, self.markup
        author_node = node.xpath(markup.author)[:1]
        author_name, author_id = member_of(author_node[0]) if author_node else (None, None)
        if author_id is None:
            # The profile link may sit outside the name node (e.g. around the avatar).
            for href in node.xpath(
                ".//a[starts-with(@href,'/u') or contains(@href,'/u')]/@href"
            ).getall():
                if author_name and member_id(href) is not None:
                    author_id = member_id(href)
                    break
        date_raw = strip_date_lead(self._date_text(node, author_name))
        edit = parse_edit_note(texts(node.xpath(markup.edit_note)))
        body_nodes = node.xpath(markup.body)
        body_html = ""
        if body_nodes:
            body_el = body_nodes[0].root
            body_html = source_inner_html(self.html, node.root, body_el) or serialize_inner(body_el)
        signature = node.xpath(markup.signature)[:1]
        signature_html = _signature(signature[0]) if signature else None
        return PostItem(
            id=raw.id,
            topic_id=topic_id,
            position=position,
            author_name=author_name,
            author_id=author_id,
            subject=self._subject(node),
            posted_at=self.dates.parse(date_raw),
            posted_at_raw=date_raw or None,
            edited_at=self.dates.parse(edit.edited_at_raw) if edit else None,
            edited_by=edit.editor if edit else None,
            edit_count=edit.edit_count if edit else 0,
            body_html=body_html,
            signature_html=signature_html or None,
            url=page_url(self.url, "t", topic_id, 0, slug) + f"#{raw.id}",
        )

    def _subject(self, node: Selector) -> str | None:
        subject = text_of(node.xpath(self.markup.subject)[:1])
        if self.version == "subsilver":
            # "Subject: X  DATE": the subject sits between the label and the time icon.
            span = node.xpath(self.markup.subject)[:1]
            if span:
                subject = texts(span.xpath("./img[last()]/preceding-sibling::node()"))
                subject = subject.split(":", 1)[1].strip() if ":" in subject else subject
        return subject or None

    def _date_text(self, node: Selector, author_name: str | None) -> str:
        holder = node.xpath(self.markup.date)[:1]
        if not holder:
            return ""
        if self.version == "subsilver":
            # The date follows the last icon of "Subject: X  <img> DATE".
            return texts(holder.xpath("./img[last()]/following-sibling::node()"))
        # prosilver "by NAME DATE": the date is what follows the name.
        elements = holder.xpath("./*[not(self::img)]")
        if elements:
            tail = elements[-1].root.tail or ""
            if clean_space(tail):
                return clean_space(tail)
        text = text_of(holder)
        if author_name and author_name in text:
            return clean_space(text.rsplit(author_name, 1)[1])
        return text

    def topic(self) -> TopicItem | None:
        """What the page says of its topic (metadata only; the spider completes it)."""
        topic_id = self.topic_id
        if topic_id is None:
            return None
        first = self.posts()[:1] if self.offset == 0 else []
        data = self.json_ld_of("DiscussionForumPosting") or {}
        return TopicItem(
            id=topic_id,
            forum_id=self.forum_id,
            title=self.title,
            url=page_url(self.url, "t", topic_id, 0, self.ref.slug if self.ref else ""),
            author_name=first[0].author_name if first else None,
            author_id=first[0].author_id if first else None,
            first_post_at=first[0].posted_at if first else None,
            reply_count=_json_ld_replies(data),
        )

    def page_offsets(self) -> tuple[list[int], int | None]:
        """Offsets of every page of this topic, and the posts per page."""
        if self.topic_id is None:
            return [], None
        return self.pagination("t", self.topic_id)


def _signature(node: Selector) -> str | None:
    html = _SIGNATURE_RULE.sub("", serialize_inner(node.root)).strip()
    return html or None


def _json_ld_replies(data: dict[str, object]) -> int | None:
    stats = data.get("interactionStatistic")
    if isinstance(stats, dict):
        try:
            return int(str(stats.get("userInteractionCount")))
        except ValueError:
            return None
    return None


__all__ = ["TopicPage", "text_of"]
