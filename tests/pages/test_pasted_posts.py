"""Post markup inside a post. A board that allows HTML in messages lets a member paste the HTML
of a post of some page (a board of the same template, here another topic of this one) into a
message or a signature: container, post id, author, date and all.

Smaller pieces do as much harm: a post's header pasted alone, or a div of the class the
template gives a signature, an attachment box or an edit note. Template fields are therefore
read with what the member wrote (message, signature's content) set aside.

Read naively, a pasted post made the page hold one post more (the pasted one, under its own
id: moved into this topic at this place), every later post had its position one too high, and
the host post took the pasted post's author or date on most versions. The pasted markup is
part of the host's body or signature, byte for byte, and nothing else.
"""

from __future__ import annotations

from typing import Any

import pytest
from lxml import html as lxml_html

from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.site import respond
from forumscraper.items import PostItem
from forumscraper.pages import DateContext
from forumscraper.pages.topic import TopicPageReading, read_topic_page
from forumscraper.pages.versions import TEMPLATES, VERSIONS
from tests.pages.conftest import NOW, SITE
from tests.pages.test_hidden_posts import member_page

HOST_TOPIC = 28
DONOR_TOPIC = 121


def page(board: Board, target: str, version: str) -> TopicPageReading:
    response = respond(board, target, now=NOW, site=SITE, default_version=version)
    assert response.status == 200
    dates = DateContext(tz=board.tzinfo, now=NOW)
    return read_topic_page(SITE + target, response.body, "utf-8", dates)


def pasted(board: Board, version: str, part: str) -> str:
    """The served HTML of the donor topic's first post in ``version``: its whole container
    (``post``) or only the element carrying its id (``head``)."""
    donor = board.topic(DONOR_TOPIC)
    assert donor is not None
    served = respond(board, f"/t{DONOR_TOPIC}-x", now=NOW, site=SITE, default_version=version)
    root = lxml_html.fromstring(served.body.decode("utf-8"))
    post_id = donor.live_posts[0].id
    if part == "post":  # phpBB2 prints a post as two table rows
        elements = root.xpath(f"//*[contains(concat(' ', @class, ' '), ' post--{post_id} ')]")
    else:
        elements = root.xpath(f"//*[@id='p{post_id}' or @id='post-{post_id}']")
    assert elements
    html = "".join(lxml_html.tostring(element, encoding="unicode") for element in elements)
    return f"<table>{html}</table>" if html.startswith("<tr") else html


def fields(post: PostItem) -> tuple[Any, ...]:
    return (
        post.id,
        post.position,
        post.author_name,
        post.author_id,
        post.posted_at,
        post.edited_at,
        post.subject,
        post.attachments,
    )


@pytest.mark.parametrize("where", ["body", "signature"])
@pytest.mark.parametrize("part", ["post", "head"])
@pytest.mark.parametrize("version", VERSIONS)
def test_a_post_pasted_into_a_post_is_part_of_it(version: str, part: str, where: str) -> None:
    board = build_demo_board(NOW)
    target = f"/t{HOST_TOPIC}-x"
    plain = page(board, target, version)
    assert len(plain.posts) == board.posts_per_page
    topic = board.topic(HOST_TOPIC)
    assert topic is not None
    host = topic.live_posts[2]
    markup = pasted(board, version, part)
    if where == "body":
        host.body_html = f"Look what I found:<br />{markup}<br />Crazy, right?"
    else:
        host.signature_html = f"My favourite post ever: {markup}"
    board.changed()
    read = page(board, target, version)
    assert [fields(p) for p in read.posts] == [fields(p) for p in plain.posts]
    assert read.hidden_posts == 0
    (hosted,) = [p for p in read.posts if p.id == host.id]
    if where == "body":
        assert hosted.body_html == host.body_html, "the pasted markup is the body's, as served"
    elif version != "mobile":  # the mobile version prints no signatures
        assert "My favourite post ever" in (hosted.signature_html or "")
        assert f"{board.topic(DONOR_TOPIC).live_posts[0].id}" in (hosted.signature_html or "")  # type: ignore[union-attr]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_hidden_row_pasted_into_a_post_holds_no_place(version: str) -> None:
    """The message a member's page prints in the place of an ignored author's post, pasted
    into a message: on a member's page it is part of the message, not a post's place. On the
    topic's last page, where only the JSON-LD's count tells a full page (the mobile version
    prints none), it shifted every later post."""
    board = build_demo_board(NOW)
    donor = board.topic(DONOR_TOPIC)
    topic = board.topic(HOST_TOPIC)
    assert donor is not None and topic is not None
    ignored = {donor.live_posts[0].author_name}
    served = member_page(board, f"/t{DONOR_TOPIC}-x", version, ignored)
    markup = TEMPLATES[version].posts.hidden
    rows = lxml_html.fromstring(served).xpath(markup)
    assert rows, "the donor page prints the hidden row"
    target = f"/t{HOST_TOPIC}p30-x"  # the last page: not full
    plain = read_topic_page(
        SITE + target,
        member_page(board, target, version, set()).encode(),
        "utf-8",
        DateContext(tz=board.tzinfo, now=NOW),
    )
    host = topic.live_posts[31]
    host.body_html = "Quoting the page:<br />" + lxml_html.tostring(rows[0], encoding="unicode")
    board.changed()
    read = read_topic_page(
        SITE + target,
        member_page(board, target, version, set()).encode(),
        "utf-8",
        DateContext(tz=board.tzinfo, now=NOW),
    )
    assert read.logged_in
    assert [fields(p) for p in read.posts] == [fields(p) for p in plain.posts]
    assert read.hidden_posts == 0


def with_message(version: str, message: str) -> tuple[TopicPageReading, TopicPageReading, str]:
    """Topic 28's first page before and after its third post's message becomes ``message``,
    and that post's served body."""
    board = build_demo_board(NOW)
    target = f"/t{HOST_TOPIC}-x"
    plain = page(board, target, version)
    topic = board.topic(HOST_TOPIC)
    assert topic is not None
    topic.live_posts[2].body_html = message
    board.changed()
    return plain, page(board, target, version), message


@pytest.mark.parametrize("version", VERSIONS)
def test_a_posts_header_pasted_into_a_message_is_part_of_it(version: str) -> None:
    """The author, date and subject elements of a post, pasted alone: no container, no id.
    On AwesomeBB, where a post's own header stands after its message, they were read as the
    host's author and date."""
    board = build_demo_board(NOW)
    served = respond(board, f"/t{DONOR_TOPIC}-x", now=NOW, site=SITE, default_version=version)
    root = lxml_html.fromstring(served.body.decode("utf-8"))
    donor = board.topic(DONOR_TOPIC)
    assert donor is not None
    post_id = donor.live_posts[0].id
    (anchor,) = root.xpath(f"//*[@id='p{post_id}' or @id='post-{post_id}']")
    markup = TEMPLATES[version].posts
    (container,) = anchor.xpath(markup.container) if markup.container != "." else (anchor,)
    header = "".join(
        lxml_html.tostring(found[0], encoding="unicode", with_tail=False)
        for xpath in (markup.author, markup.date, markup.subject)
        if xpath and (found := container.xpath(xpath)) and not isinstance(found[0], str)
    )
    assert header
    plain, read, message = with_message(version, f"Header copied:<br />{header}<br />end")
    assert [fields(p) for p in read.posts] == [fields(p) for p in plain.posts]
    assert read.posts[2].body_html == message


BOXES = ("signature_div", "sig-content", "post-signature", "attachbox", "edited-message")
"""Classes the versions give a post's signature, attachment box and edit note."""


@pytest.mark.parametrize("box", BOXES)
@pytest.mark.parametrize("version", VERSIONS)
def test_a_box_of_a_template_class_in_a_message_is_part_of_it(version: str, box: str) -> None:
    """A message holding a div of the class the template gives a signature or an attachment
    box, with more of the message after it. It was read as the post's signature (phpBB3,
    PunBB, Invision, ModernBB, AwesomeBB), and on the versions that print the message loose
    beside those boxes (AwesomeBB, mobile) it cut the message there. On ModernBB a div of the
    edit note's class made the post an edited one."""
    plain, read, message = with_message(
        version,
        f'First part.<br /><div class="{box}">A box: last edited by X on Mon Jan 01, 2024'
        " 10:00 am; edited 2 times in total</div>Second part.",
    )
    assert [(*fields(p), p.signature_html) for p in read.posts] == [
        (*fields(p), p.signature_html) for p in plain.posts
    ]
    assert read.posts[2].body_html == message


@pytest.mark.parametrize("box", ("post-signature", "signature_div", "attachbox"))
@pytest.mark.parametrize("version", VERSIONS)
def test_a_box_copied_from_another_post_ends_the_message_it_is_part_of(
    version: str, box: str
) -> None:
    """A message that ends with a box copied from another post of a page: a signature box
    keeps that post's id (``sig`` and its number). Where the message is loose beside the
    template's boxes (AwesomeBB, mobile), a box at the message's end closed it: the box was
    cut from the message and read as the post's signature, before the post's own. The
    template's boxes carry no id, or this post's: one naming another post is the member's."""
    board = build_demo_board(NOW)
    target = f"/t{HOST_TOPIC}-x"
    topic, donor = board.topic(HOST_TOPIC), board.topic(DONOR_TOPIC)
    assert topic is not None and donor is not None
    host = topic.live_posts[2]
    host.signature_html = "The host's own signature"
    board.changed()
    plain = page(board, target, version)
    message = (
        f'Copied from the other topic:<br /><div class="{box}" '
        f'id="sig{donor.live_posts[0].id}">Somebody else\'s signature</div>'
    )
    host.body_html = message
    board.changed()
    read = page(board, target, version)
    assert [(*fields(p), p.signature_html) for p in read.posts] == [
        (*fields(p), p.signature_html) for p in plain.posts
    ]
    assert read.posts[2].body_html == message
