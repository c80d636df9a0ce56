"""The words a board prints around names and edits are the board language's: an Arabic board
prints "من طرف" before a poster ("by"), and an edit note in Arabic. A guest's name is read
without that word on every version, and an edit note in a wording the reader does not know is
kept as evidence (never read as "not edited")."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forumscraper.demo.content import LANGUAGE_TEXTS, Board, build_demo_board
from forumscraper.demo.site import respond
from forumscraper.pages import DateContext
from forumscraper.pages.common import strip_by
from forumscraper.pages.topic import TopicPage
from forumscraper.pages.versions import VERSIONS
from tests.pages.conftest import NOW, SITE

NOTE_VERSIONS = [version for version in VERSIONS if version != "awesomebb"]
"""Versions that print the edit note in a node of its own (AwesomeBB prints it inside the
message, where only a note in a known wording can be told apart)."""


def read_topic(board: Board, topic_id: int, version: str) -> dict[int, object]:
    target = f"/t{topic_id}-x"
    response = respond(board, target, now=NOW, site=SITE, default_version=version)
    assert response.status == 200, (target, version, response.status)
    reading = TopicPage(
        SITE + target, response.body.decode("utf-8"), DateContext(tz=board.tzinfo, now=NOW)
    )
    return {post.id: post for post in reading.posts()}


def arabic_board() -> Board:
    board = build_demo_board(NOW)
    board.language, board.date_format = "ar", "phpbb"
    board.changed()
    return board


@pytest.mark.parametrize("version", VERSIONS)
def test_an_arabic_guest_name_is_read_without_the_by_word(version: str) -> None:
    board = arabic_board()
    topic = board.add_topic(
        board.forums[0].id, "سؤال", board.members[0], "نص", NOW - timedelta(days=2)
    )
    guest = board.add_post(topic.id, None, "شكرا", NOW - timedelta(days=1), guest_name="زائر")
    posts = read_topic(board, topic.id, version)
    assert (posts[guest.id].author_name, posts[guest.id].author_id) == ("زائر", None)  # type: ignore[attr-defined]


@pytest.mark.parametrize("version", VERSIONS)
def test_an_arabic_edit_note_is_read(version: str) -> None:
    board = arabic_board()
    topic = board.add_topic(
        board.forums[0].id, "سؤال", board.members[0], "نص", NOW - timedelta(days=3)
    )
    editor = board.members[1]
    edited_at = NOW - timedelta(days=1, hours=2)
    board.edit_post(topic.posts[0].id, "نص معدل", editor, edited_at)
    board.edit_post(topic.posts[0].id, "نص معدل مرة أخرى", editor, edited_at)
    post = read_topic(board, topic.id, version)[topic.posts[0].id]
    assert (post.edited_by, post.edited_at, post.edit_count) == (editor.name, edited_at, 2)  # type: ignore[attr-defined]
    assert "تعديل" not in post.body_html  # type: ignore[attr-defined]


@pytest.mark.parametrize("version", NOTE_VERSIONS)
def test_an_edit_note_in_an_unknown_wording_is_kept_as_evidence(
    version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Turkish, worded as phpBB's Turkish pack words it: the reader knows no Turkish note.
    note = "En son {editor} tarafından {date} tarihinde düzenlendi, toplamda {count} kez düzenlendi"  # noqa: RUF001
    monkeypatch.setitem(LANGUAGE_TEXTS, "tr", {**LANGUAGE_TEXTS["tr"], "edited_one": note})
    board = build_demo_board(NOW)
    board.language = "tr"
    topic = board.add_topic(
        board.forums[0].id, "Soru", board.members[0], "metin", NOW - timedelta(days=3)
    )
    board.edit_post(topic.posts[0].id, "yeni metin", board.members[1], NOW - timedelta(days=1))
    post = read_topic(board, topic.id, version)[topic.posts[0].id]
    # Edited once at least; who and when are unknown; the note itself is the evidence.
    assert (post.edit_count, post.edited_at, post.edited_by) == (1, None, None)  # type: ignore[attr-defined]
    assert post.edited_at_raw.startswith(f"En son {board.members[1].name} tarafından")  # type: ignore[attr-defined]  # noqa: RUF001
    assert "düzenlendi" not in post.body_html  # type: ignore[attr-defined]
    # A post nobody edited still shows no edit.
    other = board.add_post(topic.id, board.members[2], "cevap", NOW - timedelta(hours=5))
    fresh = read_topic(board, topic.id, version)[other.id]
    assert (fresh.edit_count, fresh.edited_at_raw) == (0, None)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("printed", "name"),
    [
        ("by Visitor", "Visitor"),
        ("Da Anonymous visitor", "Anonymous visitor"),  # Italian: "Messaggio Da Admin"
        ("من طرف زائر", "زائر"),  # Arabic: "مُساهمة من طرف NAME"
        ("by Da Silva", "Da Silva"),  # only the leading word goes
    ],
)
def test_the_by_word_of_each_language_is_cut_from_a_name(printed: str, name: str) -> None:
    assert strip_by(printed) == name
