"""Posts with attached files: every version prints an attachment box under the message (a
``dl.attachbox`` beside the message's div, or on AwesomeBB and mobile a ``div.attachbox`` in the
container the message sits loose in), with the files' names (links when guests may download,
else a notice), comments, sizes and download counts. None of it is the post's: each post reads
exactly as the same post without attachments (body, clean text, links, signature, edit note),
and the files are read into ``attachments`` in every version, with or without links."""

from __future__ import annotations

from typing import Any

import pytest

from forumscraper.demo.content import DEMO_FORMATTING_TOPIC_ID, Attachment, Board, build_demo_board
from forumscraper.demo.site import respond
from forumscraper.pages import DateContext
from forumscraper.pages.versions import VERSIONS
from forumscraper.reading import read_and_clean_topic_page

from .conftest import NOW, SITE

TARGET = f"/t{DEMO_FORMATTING_TOPIC_ID}-x"
"""The topic with signatures, edited posts, links, quotes and code."""
FILES = [
    Attachment(7, "floor plan v2.pdf", "12.5 Kb", 3, "the plan we discussed"),
    Attachment(8, "photo.jpg", "80 Kb", 0),
]


def read(board: Board, version: str) -> tuple[str, dict[int, Any]]:
    response = respond(board, TARGET, now=NOW, site=SITE, default_version=version)
    assert response.status == 200
    dates = DateContext(tz=board.tzinfo, now=NOW)
    reading, cleaning = read_and_clean_topic_page(SITE + TARGET, response.body, "utf-8", dates)
    assert not cleaning.failures
    return response.body.decode(), {
        post.id: (
            post.body_html,
            post.body_text,
            post.links,
            post.signature_html,
            post.edited_at,
            post.edited_by,
            post.edit_count,
        )
        for post in reading.posts
    }


@pytest.mark.parametrize("guests_download", [False, True], ids=["names", "links"])
@pytest.mark.parametrize("version", VERSIONS)
def test_an_attachment_box_is_not_part_of_the_post(version: str, guests_download: bool) -> None:
    _, plain = read(build_demo_board(NOW), version)
    board = build_demo_board(NOW)
    board.guests_download_attachments = guests_download
    topic = board.topic(DEMO_FORMATTING_TOPIC_ID)
    assert topic is not None
    for post in topic.posts:
        post.attachments = list(FILES)
    html, attached = read(board, version)
    # The box is printed, once per post, as the version prints it ...
    assert html.count("floor plan v2.pdf") == len(topic.live_posts)
    assert html.count('class="attachbox"') == len(topic.live_posts)
    assert ("/download/file.php?id=7" in html) == guests_download
    assert ("permission to download attachments" in html) != guests_download
    # ... and every post reads as without it.
    assert attached == plain


def expected_files(links: bool) -> list[dict[str, Any]]:
    return [
        {
            "name": file.name,
            "url": SITE + file.path if links else None,
            "size": file.size,
            "downloads": file.downloads,
            "comment": file.comment or None,
        }
        for file in FILES
    ]


@pytest.mark.parametrize("guests_download", [False, True], ids=["names", "links"])
@pytest.mark.parametrize("version", VERSIONS)
def test_the_files_are_read_in_every_version(version: str, guests_download: bool) -> None:
    board = build_demo_board(NOW)
    board.guests_download_attachments = guests_download
    topic = board.topic(DEMO_FORMATTING_TOPIC_ID)
    assert topic is not None
    with_files = {topic.posts[1].id, topic.posts[-1].id}  # a signature and an edit note follow
    for post in topic.posts:
        if post.id in with_files:
            post.attachments = list(FILES)
    response = respond(board, TARGET, now=NOW, site=SITE, default_version=version)
    dates = DateContext(tz=board.tzinfo, now=NOW)
    reading, _ = read_and_clean_topic_page(SITE + TARGET, response.body, "utf-8", dates)
    assert {post.id: post.attachments for post in reading.posts} == {
        post.id: expected_files(guests_download) if post.id in with_files else []
        for post in topic.live_posts
    }


@pytest.mark.parametrize("version", ["prosilver", "subsilver"])
def test_an_attachment_box_written_in_a_message_is_no_file(version: str) -> None:
    """A post's own HTML may print the template's markup (a copied page): only the box the
    template prints under the message lists the post's files."""
    board = build_demo_board(NOW)
    topic = board.topic(DEMO_FORMATTING_TOPIC_ID)
    assert topic is not None
    copied = board.post(topic.posts[1].id)
    assert copied is not None
    copied.body_html = (
        'Look:<dl class="attachbox"><dt>Attachments</dt><dd><dl class="file"><dt>x.pdf</dt>'
        "<dd>(1 Kb) Downloaded 1 times</dd></dl></dd></dl>"
    )
    response = respond(board, TARGET, now=NOW, site=SITE, default_version=version)
    dates = DateContext(tz=board.tzinfo, now=NOW)
    reading, _ = read_and_clean_topic_page(SITE + TARGET, response.body, "utf-8", dates)
    assert all(post.attachments == [] for post in reading.posts)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_box_in_markup_this_reader_does_not_know_is_not_read_as_no_files(version: str) -> None:
    """A board's own template may print the box otherwise: its posts' files are then not known
    (``None``, stored NULL and counted by the spider), never "no files"."""
    board = build_demo_board(NOW)
    topic = board.topic(DEMO_FORMATTING_TOPIC_ID)
    assert topic is not None
    topic.posts[1].attachments = list(FILES)
    response = respond(board, TARGET, now=NOW, site=SITE, default_version=version)
    html = response.body.decode()
    # The files in other elements than the version's ("dl.file" renamed, the list an "ol").
    html = html.replace('class="file', 'class="fichier').replace('<dl class="attachments">', "<ol>")
    dates = DateContext(tz=board.tzinfo, now=NOW)
    reading, _ = read_and_clean_topic_page(SITE + TARGET, html.encode(), "utf-8", dates)
    assert {post.id: post.attachments for post in reading.posts} == {
        post.id: None if post is topic.posts[1] else [] for post in topic.live_posts
    }
