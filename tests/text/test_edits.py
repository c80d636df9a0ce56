"""Tests for forumscraper.text.edits: the "Last edited by" note under edited posts."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forumscraper.text.dates import parse_forum_date
from forumscraper.text.edits import EditNote, parse_edit_note


@pytest.mark.parametrize(
    ("text", "editor", "edited_at_raw", "edit_count"),
    [
        (
            "Last edited by Rocky on Wed 29 Jul 2015 - 15:51; edited 2 times in total",
            "Rocky",
            "Wed 29 Jul 2015 - 15:51",
            2,
        ),
        (
            "Last edited by Rocky on Wed 29 Jul 2015 - 15:51; edited 1 time in total",
            "Rocky",
            "Wed 29 Jul 2015 - 15:51",
            1,
        ),
        (
            "Last edited by X on Today at 9:59; edited 1 time in total",
            "X",
            "Today at 9:59",
            1,
        ),
        (
            "Last edited by Rocky on Sun Dec 01, 2024 9:59 am; edited 12 times in total.",
            "Rocky",
            "Sun Dec 01, 2024 9:59 am",
            12,
        ),
        (
            "Last edited by Rock on Roll on Wed 29 Jul 2015 - 15:51; edited 3 times in total",
            "Rock on Roll",
            "Wed 29 Jul 2015 - 15:51",
            3,
        ),
        (
            "Dernière édition par Rocky le Ven 19 Fév 2021 - 19:36, édité 2 fois",
            "Rocky",
            "Ven 19 Fév 2021 - 19:36",
            2,
        ),
        (
            "Dernière édition par Jean le Bon le Hier à 19:50, édité 1 fois",
            "Jean le Bon",
            "Hier à 19:50",
            1,
        ),
        (
            "Última edición por Pepe el Vie 19 Feb 2021 - 19:36; editado 2 veces",
            "Pepe",
            "Vie 19 Feb 2021 - 19:36",
            2,
        ),
        (
            "Última edición por Pepe el Hoy a las 10:00; editado 1 vez",
            "Pepe",
            "Hoy a las 10:00",
            1,
        ),
        (
            "Última edição por João em Sex 19 Fev 2021 - 19:36, editado 2 vezes",
            "João",
            "Sex 19 Fev 2021 - 19:36",
            2,
        ),
        (
            "Ultima modifica di Mario il Ven 19 Feb 2021 - 19:36, modificato 2 volte",
            "Mario",
            "Ven 19 Feb 2021 - 19:36",
            2,
        ),
        (
            "Zuletzt bearbeitet von Jürgen am Fr 19 Feb 2021 - 19:36; insgesamt 2-mal bearbeitet",
            "Jürgen",
            "Fr 19 Feb 2021 - 19:36",
            2,
        ),
        (
            "\u00a0Last\u00a0edited by\u00a0Rocky  on Wed 29 Jul 2015\u00a0-\u00a015:51;\n"
            "  edited 2 times in total ",
            "Rocky",
            "Wed 29 Jul 2015 - 15:51",
            2,
        ),
        (
            "LAST EDITED BY Rocky ON Wed 29 Jul 2015 - 15:51; EDITED 2 TIMES IN TOTAL",
            "Rocky",
            "Wed 29 Jul 2015 - 15:51",
            2,
        ),
        # no count clause: one edit at least
        ("Last edited by Rocky on Wed 29 Jul 2015 - 15:51", "Rocky", "Wed 29 Jul 2015 - 15:51", 1),
        # no editor named
        (
            "Last edited on Wed 29 Jul 2015 - 15:51; edited 4 times in total",
            None,
            "Wed 29 Jul 2015 - 15:51",
            4,
        ),
    ],
)
def test_parse_edit_note(
    text: str, editor: str | None, edited_at_raw: str | None, edit_count: int
) -> None:
    note = parse_edit_note(text)
    assert note is not None
    assert note.editor == editor
    assert note.edited_at_raw == edited_at_raw
    assert note.edit_count == edit_count


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Hello world",
        "I edited this post 2 times in total",
        "Last edited by",
        "Sponsored content",
    ],
)
def test_parse_edit_note_not_a_note(text: str) -> None:
    assert parse_edit_note(text) is None


def test_edit_note_date_feeds_parse_forum_date() -> None:
    note = parse_edit_note("Last edited by X on Today at 9:59; edited 1 time in total")
    assert note == EditNote(editor="X", edited_at_raw="Today at 9:59", edit_count=1)
    tz = ZoneInfo("Asia/Baghdad")
    now = datetime(2024, 12, 2, 0, 30, tzinfo=tz)
    assert note.edited_at_raw is not None
    edited_at = parse_forum_date(note.edited_at_raw, now=now, tz=tz)
    assert edited_at == datetime(2024, 12, 2, 6, 59, tzinfo=UTC)


@settings(deadline=None, max_examples=300)
@given(text=st.text())
def test_parse_edit_note_never_raises(text: str) -> None:
    parse_edit_note(text)


def test_parse_edit_note_rejects_overlong_text() -> None:
    assert parse_edit_note("Last edited by x on " + ", " * 2000 + "Today at 9:59") is None
