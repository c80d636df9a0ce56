"""Topic pages (``/tN-slug``, ``/tNpOFFSET-slug``): the topic and its posts.

Per-version markup is the ``posts`` field of the page's registry entry
(``forumscraper.pages.versions``, FACTS.md §2.1); everything else is shared. Traps handled
here: the sponsored pseudo-post ``p0`` is skipped; the body is the first inner ``div`` of the
body container, never a container that nests another (that doubles text), and never the vote
block PunBB and Invision print before it; where the message sits loose in a container that also
holds the edit note and the signature (AwesomeBB, mobile) only the message is kept; the poster
is read from one node although Invision prints the name twice; the first post repeated on pages
2+ is recognised and not counted twice (by ``hr#first-post-br``, by phpBB2's table break, or by
its link to the topic's first page); the signature and the edit note are kept apart from the
body; a post a member's page hides (its author ignored: a message in its place) keeps its place,
so the posts after it keep their positions. A Forumotion page in an unknown markup is reported
(``unknown_template``), never read as another version. Queried with lxml
(:func:`forumscraper.pages.query.find` and XPath compiled below).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from lxml import etree

from forumscraper.items import PostItem, TopicItem
from forumscraper.pages.common import (
    BY_WORD,
    Crumb,
    DateContext,
    Page,
    clean_space,
    element_text,
    element_texts,
    find,
    has_class,
    strip_by,
    strip_date_lead,
)
from forumscraper.pages.parse import decode_html
from forumscraper.pages.problems import describe_problem, is_truncated
from forumscraper.pages.rawhtml import (
    serialize_inner,
    serialize_until,
    source_inner_html,
    source_region,
    split_edit_note,
)
from forumscraper.pages.urls import member_id, page_url, parse_page_url
from forumscraper.pages.versions import PostMarkup, UnknownTemplate
from forumscraper.text.dates import OFFSET_SPAN, ORDER_SLACK, parse_jsonld_date
from forumscraper.text.edits import EditNote, parse_edit_note, unread_edit_note

_POST_ID = re.compile(r"^p(?:ost-?)?(\d+)$")
_SIGNATURE_RULE = re.compile(r"^\s*_{5,}\s*(?:<br\s*/?>\s*)?")
"""phpBB2 prints "_________________<br>" before a signature; other versions draw a line in CSS."""
_TRAILING_BY = re.compile(rf"\s*\b{BY_WORD}\s*$", re.IGNORECASE)


_NO_BOUND = datetime(1970, 1, 1, tzinfo=UTC)
"""The lower bound of a date on a page that does not say its topic's year."""

_HREFS = etree.XPath(".//a/@href")
_LINKS = etree.XPath(".//a[@href]")
_FIRST_HREF = etree.XPath("descendant-or-self::a[@href][1]/@href")
_MEMBER_LINKS = etree.XPath(".//a[contains(@href,'/u')]")
_ATTACHMENT_BOX = etree.XPath(f"ancestor::*[{has_class('attachbox')}][1]")
_ATTACHMENT_BOXES = etree.XPath(f".//*[{has_class('attachbox')}]")
_ATTACHMENT_SIZE = re.compile(r"^\(\s*(?P<size>[^)]*?)\s*\)\s*(?P<rest>.*)$", re.DOTALL)
_COUNT = re.compile(r"\d+")
_OWN_TEXT = etree.XPath("./text()")
_AFTER_LAST_ICON = etree.XPath("./img[last()]/following-sibling::node()")
_BEFORE_LAST_ICON = etree.XPath("./img[last()]/preceding-sibling::node()")
_CHILD_ELEMENTS = etree.XPath("./*[not(self::img)]")


@dataclass(frozen=True)
class _RawPost:
    id: int
    node: etree._Element
    """The post container."""
    anchor: etree._Element
    """The element carrying the post id (unique on the page)."""


class TopicPage(Page):
    """A page of a topic."""

    _source_cursor = 0
    """Where the last body located in the source began: the next post's id comes after it."""

    @property
    def markup(self) -> PostMarkup:
        """The post markup of the page's template version (raises ``UnknownTemplate`` for a
        Forumotion page in an unknown markup)."""
        return self.template.posts

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
        heading = find(self.root, self.markup.title)[:1]
        title = element_text(heading[0]) if heading else ""
        if not title:
            data = self.json_ld_of("DiscussionForumPosting") or {}
            title = clean_space(str(data.get("headline") or data.get("name") or ""))
        if not title:
            crumb = next((c for c in reversed(self.breadcrumb) if c.ref.kind == "t"), None)
            title = crumb.name if crumb else ""
        return title or None

    @cached_property
    def forum_id(self) -> int | None:
        forums = [crumb.ref.id for crumb in self.breadcrumb if crumb.ref.kind == "f"]
        return forums[-1] if forums else None

    @cached_property
    def _raw_posts(self) -> list[_RawPost]:
        posts = []
        for anchor in find(self.root, self.markup.ids):
            match = _POST_ID.match(anchor.get("id") or "")
            if not match or int(match[1]) == 0:  # post 0: Forumotion's sponsored pseudo-post
                continue
            container = find(anchor, self.markup.container)[:1]
            if container:
                posts.append(_RawPost(id=int(match[1]), node=container[0], anchor=anchor))
        if len({raw.node.getparent() for raw in posts}) > 1 or len(
            {raw.node for raw in posts}
        ) < len(posts):
            # Post containers that are not all siblings: one may stand inside another.
            return _unnested(posts)
        return posts

    @cached_property
    def _places_before(self) -> list[int]:
        """For each post of ``_raw_posts``, how many postrows before it on the page stand for a
        post the page does not show; last, that count for the whole page.

        Such a row is ``postrow.hidden``: a member the viewer's profile ignores, printed as a
        message in the post's place (FACTS.md §2.1), on members' pages only. It holds the
        post's place in the topic, so the posts after it keep their positions. A hidden row
        whose post is printed as well (inside the row, as AwesomeBB's wrapper can hold it, or
        next to it with ``display:none``) holds no place of its own; nor do the rows of a page
        that shows as many posts as it has places besides them."""
        raws = self._raw_posts
        none = [0] * (len(raws) + 1)
        if not self.markup.hidden or not self.logged_in:
            return none
        # A row inside a post is markup its author pasted (see ``_unnested``), not a row.
        containers = {raw.node for raw in raws}
        rows = {
            row
            for row in find(self.root, self.markup.hidden)
            if containers.isdisjoint(row.iterancestors())
        }
        if not rows:
            return none
        where = {raw.anchor: index for index, raw in enumerate(raws)}
        # Hidden rows and posts in page order: a row stands before (or after) its own post.
        order: list[etree._Element | int] = [
            element if element in rows else where[element]
            for element in self.root.iter()
            if element in rows or element in where
        ]
        owned: set[int] = set()
        bare: set[int] = set()
        for at, item in enumerate(order):
            if isinstance(item, int):
                continue
            beside = (order[near] for near in (at + 1, at - 1) if 0 <= near < len(order))
            own = next(
                (
                    post
                    for post in beside
                    if isinstance(post, int)
                    and post not in owned
                    and _printed_behind(item, raws[post].node)
                ),
                None,
            )
            if own is None:
                bare.add(at)
            else:
                owned.add(own)
        if bare and self._full_without(len(raws)):
            # A page that shows as many posts as a page holds shows the hidden rows' posts
            # too (in a markup that does not say so): the rows hold no place.
            return none
        places, count = [], 0
        for at, item in enumerate(order):
            if isinstance(item, int):
                places.append(count)
            elif at in bare:
                count += 1
        return [*places, count]

    def _full_without(self, shown: int) -> bool:
        """Whether this page shows as many posts as it has places (``shown``, with a repeated
        first post) without its hidden rows: a whole page, or on the topic's last page the
        posts its JSON-LD counts beyond the earlier pages."""
        offsets, per_page = self.page_offsets()
        if per_page is not None and offsets and self.offset < max(offsets):
            places: int | None = per_page
        else:
            replies = _json_ld_replies(self.json_ld_of("DiscussionForumPosting") or {})
            places = None if replies is None else replies + 1 - self.offset
        return places is not None and shown - (1 if self.repeats_first_post else 0) >= places

    @property
    def hidden_posts(self) -> int:
        """Postrows of this page that stand for a post it does not show (see
        ``_places_before``): posts the crawl's account cannot archive."""
        return self._places_before[-1] - self._rows_above_repeat

    @property
    def _rows_above_repeat(self) -> int:
        """Hidden rows printed above a repeated first post: not places of this page's posts."""
        return self._places_before[0] if self.repeats_first_post else 0

    @cached_property
    def repeats_first_post(self) -> bool:
        """Whether the first post on this (non-first) page is the topic's first post again."""
        if self.offset == 0 or len(self._raw_posts) < 2:
            return False
        if find(self.root, self.markup.repeated_first):
            return True
        first, second = self._raw_posts[0], self._raw_posts[1]
        if self.markup.repeat_in_own_table:
            # phpBB2 closes the post table after the repeated first post and opens another.
            return first.node.getparent() is not second.node.getparent()
        # Otherwise (AwesomeBB prints no separator): the repeated post links to the first page.
        return self._post_page(first) == 0 and self._post_page(second) == self.offset

    def _post_page(self, raw: _RawPost) -> int | None:
        """Offset of the topic page a post's own link (``/tNpOFF-slug#ID``) points to."""
        for href in _HREFS(raw.node):
            if href.endswith(f"#{raw.id}"):
                ref = parse_page_url(href)
                if ref is not None and ref.kind == "t":
                    return ref.offset
        return None

    def posts(self) -> list[PostItem]:
        """The posts of the page, in order, without the sponsored one or a repeated first post."""
        return list(self._posts)

    @cached_property
    def _posts(self) -> list[PostItem]:
        # Extracted once per page: topic() reads the first post again.
        raw = self._raw_posts[1:] if self.repeats_first_post else self._raw_posts
        topic_id = self.topic_id
        if topic_id is None:
            return []
        slug = self.ref.slug if self.ref else ""
        topic_url = page_url(self.url, "t", topic_id, 0, slug)
        # A date printed without a year is read from what bounds it: the topic's publication
        # (its JSON-LD, in a zone not known for sure) and the posts before it on this page. A
        # page without JSON-LD (mobile) bounds nothing: such a date is then not guessed.
        published = self.published_at
        after = published - OFFSET_SPAN if published is not None else _NO_BOUND
        # A postrow hidden from the viewer keeps its post's place (``_places_before``).
        skip = len(self._raw_posts) - len(raw)
        places = self._places_before
        start = self.offset - self._rows_above_repeat
        posts = []
        for index, item in enumerate(raw):
            position = start + index + places[index + skip]
            near = published if position == 0 else None
            post = self._post(item, topic_id, position, topic_url, after, near)
            if post.posted_at is not None:
                after = max(after, post.posted_at - ORDER_SLACK)
            posts.append(post)
        return posts

    @cached_property
    def published_at(self) -> datetime | None:
        """The topic's first post's date as its JSON-LD ``datePublished`` says (with the year
        every printed date may lack), read on the board's clock."""
        data = self.json_ld_of("DiscussionForumPosting") or {}
        published = str(data.get("datePublished") or "")
        return parse_jsonld_date(published, self.dates.clock) if published else None

    def _post(
        self,
        raw: _RawPost,
        topic_id: int,
        position: int,
        topic_url: str,
        after: datetime | None = None,
        near: datetime | None = None,
    ) -> PostItem:
        node, markup = raw.node, self.markup
        # What the member wrote first, whole; then the template's fields, with it set aside:
        # its HTML may imitate them (a post's markup pasted in, a date in a span of the class).
        body_html, edit, message = self._body(raw)
        aside = _set_aside(message)
        signature = find(node, markup.signature)[:1]
        signature_html = _signature(signature[0]) if signature else None
        aside += _set_aside(list(signature[0]) if signature else [])
        try:
            author_name, author_id = self._author(node)
            date_raw = strip_date_lead(self._date_text(node, author_name))
            if markup.edit_note:  # printed in a node of its own: read there
                printed = element_texts(find(node, markup.edit_note))
                edit = parse_edit_note(printed) or unread_edit_note(printed)
            subject = self._subject(node)
            attachments = self._attachments(node)
        finally:
            _put_back(aside)
        edited_raw = strip_date_lead(edit.edited_at_raw) if edit and edit.read else ""
        posted_at = self.dates.parse(date_raw, after=after, near=near)
        # An edit never precedes its post.
        edited_after = posted_at - ORDER_SLACK if posted_at is not None else after
        return PostItem(
            id=raw.id,
            topic_id=topic_id,
            position=position,
            author_name=author_name,
            author_id=author_id,
            subject=subject,
            posted_at=posted_at,
            posted_at_raw=date_raw or None,
            edited_at=self.dates.parse(edited_raw, after=edited_after) if edited_raw else None,
            edited_at_raw=(edited_raw if edit.read else edit.edited_at_raw) if edit else None,
            edited_by=edit.editor if edit else None,
            edit_count=edit.edit_count if edit else 0,
            body_html=body_html,
            signature_html=signature_html or None,
            attachments=attachments,
            url=f"{topic_url}#{raw.id}",
        )

    @cached_property
    def _any_attachment_box(self) -> bool:
        return "attachbox" in self.html

    def _attachments(self, node: etree._Element) -> list[dict[str, Any]] | None:
        """The files the attachment box lists under the message (``markup.attachments``), each
        ``{name, url, size, downloads, comment}``; ``None`` (not known) when the template prints
        a box whose files this markup does not find, or a file without a name: a board's own
        template, never stored as "no files". A box the post's own HTML prints (in the message
        or the signature) is not one: the template's stands beside the message's div, or,
        where the message is loose in its container, as a child of that container."""
        if not self._any_attachment_box:
            return []  # nearly every page: no XPath per post
        boxes = [box for box in _ATTACHMENT_BOXES(node) if self._template_box(node, box)]
        if not boxes:
            return []
        attachments: list[dict[str, Any]] = []
        filled: set[etree._Element] = set()
        for file in find(node, self.markup.attachments.files):
            box = _ATTACHMENT_BOX(file)
            if box and box[0] in boxes:
                filled.add(box[0])
                attachments.append(self._attachment(file))
        if len(filled) < len(boxes) or not all(file["name"] for file in attachments):
            return None
        return attachments

    def _template_box(self, node: etree._Element, box: etree._Element) -> bool:
        """Whether an element classed ``attachbox`` is the template's box, not the post's."""
        above = set(box.iterancestors())
        if not above.isdisjoint(find(node, self.markup.signature)):
            return False
        body = find(node, self.markup.body)[:1]
        if not body:
            return True
        if self.markup.body_mode == "region":
            return box.getparent() is body[0]
        return body[0] not in above

    def _attachment(self, file: etree._Element) -> dict[str, Any]:
        markup = self.markup.attachments
        holder = find(file, markup.name)[:1]
        links = _LINKS(holder[0]) if holder else []
        name = element_text(links[0]) if links else element_text(holder[0]) if holder else ""
        printed = element_texts(find(file, markup.size)[:1])
        size = _ATTACHMENT_SIZE.match(printed)
        count = _COUNT.search(size["rest"]) if size else None
        return {
            "name": name,
            "url": self.absolute(links[0].get("href")) if links else None,
            "size": size["size"] if size else printed or None,
            "downloads": int(count[0]) if count else None,
            "comment": " ".join(element_text(n) for n in find(file, markup.comment)) or None,
        }

    def _author(self, node: etree._Element) -> tuple[str | None, int | None]:
        """The post's author and profile id, read with the message and signature set aside
        (see ``_post``)."""
        author_node = find(node, self.markup.author)[:1]
        if not author_node:
            return None, None
        for link in _LINKS(author_node[0]):
            profile, link_text = member_id(link.get("href") or ""), element_text(link)
            if profile is not None and link_text:  # not the avatar's link
                return link_text, profile
        name = element_text(author_node[0]) or None
        hrefs = _FIRST_HREF(author_node[0])
        author_id = member_id(str(hrefs[0])) if hrefs else None
        if name and self.markup.author_after_by:
            name = strip_by(name).strip() or None
        if author_id is None and name:
            # The profile link may sit outside the name node (e.g. around the avatar). The
            # message and signature are set aside: a guest's post that links a member is still
            # a guest's.
            for link in _MEMBER_LINKS(node):
                if member_id(link.get("href")) is not None:
                    author_id = member_id(link.get("href"))
                    break
        return name, author_id

    def _body(self, raw: _RawPost) -> tuple[str, EditNote | None, list[etree._Element]]:
        """The body's inner HTML exactly as served, an edit note cut from its end
        (``body_mode="region"`` without an ``edit_note`` selector only), and the elements of
        the message: the body div, or the region's elements before the boxes closing it."""
        markup = self.markup
        body_nodes = find(raw.node, markup.body)
        if not body_nodes:
            return "", None, []
        body_el = body_nodes[0]
        if markup.body_mode != "region":
            found = source_inner_html(self.html, raw.anchor, body_el, self._source_cursor)
            if found is None:
                return serialize_inner(body_el), None, [body_el]
            html, self._source_cursor = found
            return html, None, [body_el]
        children = list(body_el)
        stops = _closing(children, _own_boxes(find(body_el, markup.region_stops), raw.id))
        first_stop = stops[0] if stops else None
        message = children[: children.index(first_stop)] if first_stop is not None else children
        region = source_region(self.html, raw.anchor, body_el, stops)
        if region is None:
            region = serialize_until(body_el, first_stop)
        if markup.edit_note:  # the note is printed after the message (mobile): not in it
            return region.strip(), None, message
        note_html, note = split_edit_note(region)
        return note_html, note, message

    def _subject(self, node: etree._Element) -> str | None:
        span = find(node, self.markup.subject)[:1]
        if not span:
            return None
        if self.markup.subject_after_label:
            # "Subject: X  DATE": the subject sits between the label and the time icon.
            subject = element_texts(_BEFORE_LAST_ICON(span[0]))
            subject = subject.split(":", 1)[1].strip() if ":" in subject else subject
        else:
            subject = element_text(span[0])
        return subject or None

    def _date_text(self, node: etree._Element, author_name: str | None) -> str:
        holder = find(node, self.markup.date)[:1]
        if not holder:
            return ""
        mode = self.markup.date_mode
        if mode == "after_icon":
            # The date follows the last icon of "Subject: X  <img> DATE".
            return element_texts(_AFTER_LAST_ICON(holder[0]))
        if mode == "own":
            return element_texts(_OWN_TEXT(holder[0]))
        # "by NAME DATE", "#1 SUBJECT DATE": the date is what follows the last element.
        elements = _CHILD_ELEMENTS(holder[0])
        if elements:
            tail = elements[-1].tail or ""
            if clean_space(tail):
                return clean_space(tail)
        text = element_text(holder[0])
        if author_name and author_name in text:
            # "by NAME DATE": the name is the one after the "by" word, wherever else it shows
            # (a guest named "1" or "May" is also inside the date).
            rest = strip_by(text)
            if rest != text and rest.startswith(author_name):
                after = rest[len(author_name) :]
                if clean_space(after):
                    return clean_space(after)
            before, after = text.rsplit(author_name, 1)
            if clean_space(after):
                return clean_space(after)
            # Edited templates print the date first: "Today at 9:59 am by NAME".
            return _TRAILING_BY.sub("", clean_space(before))
        return text

    def topic(self) -> TopicItem | None:
        """What the page says of its topic (metadata only; the spider completes it)."""
        topic_id = self.topic_id
        if topic_id is None:
            return None
        # The topic's first post, unless the viewer sees it hidden (then the JSON-LD's author).
        first = [post for post in self.posts()[:1] if post.position == 0]
        data = self.json_ld_of("DiscussionForumPosting") or {}
        # The first post's date is the first post's own. The JSON-LD's is not stored: it
        # names no zone, and whether it is the board's is not known (only used as a bound).
        first_post_at = first[0].posted_at if first else None
        author = data.get("author")
        return TopicItem(
            id=topic_id,
            forum_id=self.forum_id,
            title=self.title,
            url=page_url(self.url, "t", topic_id, 0, self.ref.slug if self.ref else ""),
            author_name=first[0].author_name
            if first
            else (
                str(author.get("name")) if isinstance(author, dict) and author.get("name") else None
            ),
            author_id=first[0].author_id if first else None,
            first_post_at=first_post_at,
            reply_count=_json_ld_replies(data),
        )

    def page_offsets(self) -> tuple[list[int], int | None]:
        """Offsets of every page of this topic, and the posts per page."""
        offsets, per_page = self._page_offsets
        return list(offsets), per_page

    @cached_property
    def _page_offsets(self) -> tuple[list[int], int | None]:
        # Read once: the hidden rows' check (``_full_without``) needs them before the reading.
        if self.topic_id is None:
            return [], None
        return self.pagination("t", self.topic_id)


def _unnested(posts: list[_RawPost]) -> list[_RawPost]:
    """The posts of a page whose post containers are not all siblings, without those inside
    another post: markup a member pasted in HTML, part of that post's message or signature.
    So is an id-carrying element whose container is a post's already (a pasted post head
    without its container)."""
    containers: set[etree._Element] = set()
    kept: list[_RawPost] = []
    for raw in posts:
        if raw.node in containers or not containers.isdisjoint(raw.node.iterancestors()):
            continue
        containers.add(raw.node)
        kept.append(raw)
    return kept


def _closing(children: list[etree._Element], stops: set[etree._Element]) -> list[etree._Element]:
    """The region's stops that close it: the run of them at its end, with nothing but
    whitespace after each. One with more of the message after it is the member's (a box of the
    same class in the message's HTML)."""
    closing: list[etree._Element] = []
    for child in reversed(children):
        if not isinstance(child.tag, str):  # a comment
            continue
        if child not in stops or (child.tail or "").strip():
            break
        closing.append(child)
    return closing[::-1]


def _own_boxes(boxes: list[etree._Element], post_id: int) -> set[etree._Element]:
    """The boxes the template may have printed for post ``post_id``: its boxes carry no id,
    or this post's (``sig`` and its number). One with any other id is the member's, copied
    from another post of a page."""
    own = f"sig{post_id}"
    return {box for box in boxes if box.get("id") in (None, "", own)}


def _set_aside(elements: Sequence[etree._Element]) -> list[tuple[etree._Element, etree._Element]]:
    """Take ``elements`` out of their tree until :func:`_put_back`: an empty element of the
    same name and tail, without attributes, holds each one's place, so that the template's
    queries around it (a following sibling, a position) read as before and none matches it."""
    aside = []
    for element in elements:
        parent = element.getparent()
        if parent is None or not isinstance(element.tag, str):  # a comment, or gone already
            continue
        holder = element.makeelement(element.tag, {})
        holder.tail = element.tail
        parent.replace(element, holder)
        aside.append((holder, element))
    return aside


def _put_back(aside: list[tuple[etree._Element, etree._Element]]) -> None:
    for holder, element in reversed(aside):
        parent = holder.getparent()
        if parent is not None:
            parent.replace(holder, element)


@dataclass
class TopicPageReading:
    """Everything the spiders use from a topic page, read in one go.

    Plain picklable data: it is made in a worker process (``forumscraper.workers``), so that
    parsing and extraction do not take the crawling process's core.
    """

    url: str
    topic_id: int | None
    offset: int
    is_forumotion: bool
    logged_in: bool
    posts: list[PostItem]
    """Empty when the page holds none (or only ``hidden_posts``), or is cut off (never taken
    for complete)."""
    problem: str = ""
    """Why there are no posts (``forumscraper.pages.problems.page_problem``)."""
    detail: str = ""
    """The text of Forumotion's information box, when that is the problem."""
    topic: TopicItem | None = None
    breadcrumb: list[Crumb] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    """Offsets of every page of the topic."""
    per_page: int | None = None
    hidden_posts: int = 0
    """Postrows that stand for a post the page does not show (a member the account ignores):
    those posts are not on the page, and the posts after them keep their places."""
    charset: str | None = None
    """The page's ``<meta charset>``, when it had to be believed over the declared encoding."""


def read_topic_page(url: str, body: bytes, encoding: str, dates: DateContext) -> TopicPageReading:
    """Read a topic page from its bytes and declared encoding: its posts, or why it has
    none; its topic, breadcrumb and pages."""
    html, charset = decode_html(body, encoding)
    page = TopicPage(url, html, dates)
    # A page cut off in transit may still show some posts: never take it for complete. A page
    # in an unknown markup shows none that can be read (describe_problem says why).
    truncated = is_truncated(html)
    try:
        posts = [] if truncated else page.posts()
        hidden = 0 if truncated else page.hidden_posts
    except UnknownTemplate:
        posts, hidden = [], 0
    reading = TopicPageReading(
        url=url,
        topic_id=page.topic_id,
        offset=page.offset,
        is_forumotion=page.is_forumotion,
        logged_in=page.logged_in,
        posts=posts,
        hidden_posts=hidden,
        charset=charset,
    )
    if not posts and not hidden:
        reading.problem, reading.detail = describe_problem(page)
        return reading
    reading.topic = page.topic()
    reading.breadcrumb = page.breadcrumb
    reading.offsets, reading.per_page = page.page_offsets()
    return reading


def _printed_behind(row: etree._Element, post: etree._Element) -> bool:
    """Whether ``post`` is the post a hidden postrow ``row`` stands for, printed as well: inside
    the row, or hidden by its own style."""
    if any(ancestor is row for ancestor in post.iterancestors()):
        return True
    return "display:none" in "".join((post.get("style") or "").split()).lower()


def _signature(node: etree._Element) -> str | None:
    html = _SIGNATURE_RULE.sub("", serialize_inner(node)).strip()
    return html or None


def _json_ld_replies(data: dict[str, object]) -> int | None:
    stats = data.get("interactionStatistic")
    if isinstance(stats, dict):
        try:
            return int(str(stats.get("userInteractionCount")))
        except ValueError:
            return None
    return None


__all__ = ["TopicPage", "TopicPageReading", "read_topic_page"]
