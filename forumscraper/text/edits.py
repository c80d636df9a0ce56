"""Parse Forumotion's "Last edited by X on <date>; edited N times in total" post notes.

The note is printed under an edited post in the board language. :func:`parse_edit_note` splits
it into editor, raw date and edit count; the raw date is left for
:func:`forumscraper.text.dates.parse_forum_date`, which needs the page's time context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["NOTE_START", "EditNote", "parse_edit_note", "unread_edit_note"]


@dataclass(frozen=True, kw_only=True)
class EditNote:
    """The parts of an edit note."""

    editor: str | None
    """Display name of the last editor, None when the note does not name one."""
    edited_at_raw: str | None
    """The date as printed (board format, timezone and language), for ``parse_forum_date``."""
    edit_count: int
    """Times the post was edited; 1 when the note does not say."""
    read: bool = True
    """False for a note printed in wording this module does not know: ``edited_at_raw`` then
    holds the note's whole text, kept as the evidence (:func:`unread_edit_note`)."""


# Per language: note start, word before the editor, word before the date, edit-count clause.
_LANGUAGES: tuple[tuple[str, str, str, str], ...] = (
    (
        r"last\s+edited",
        r"by",
        r"on",
        r"edited\s+(?P<count>[0-9]{1,9})\s+times?(?:\s+in\s+total)?",
    ),
    (
        r"derni[eè]re\s+[ée]dition",
        r"par",
        r"le",
        r"[ée]dit[ée]\s+(?P<count>[0-9]{1,9})\s+fois(?:\s+(?:au\s+total|en\s+tout))?",
    ),
    (
        r"[úu]ltima\s+edici[óo]n",
        r"por",
        r"el",
        r"editado\s+(?P<count>[0-9]{1,9})\s+ve(?:z|ces)(?:\s+en\s+total)?",
    ),
    (
        r"[úu]ltima\s+edi[çc][ãa]o",
        r"por",
        r"em",
        r"editad[oa]\s+(?P<count>[0-9]{1,9})\s+ve(?:z|zes)(?:\s+(?:no|em)\s+total)?",
    ),
    (
        r"ultima\s+modifica",
        r"(?:di|da)",
        r"il",
        r"modificat[oa]\s+(?P<count>[0-9]{1,9})\s+volt[ae](?:\s+in\s+totale)?",
    ),
    (
        r"zuletzt\s+bearbeitet",
        r"von",
        r"am",
        r"(?:insgesamt\s+)?(?P<count>[0-9]{1,9})\s*-?\s*mal\s+bearbeitet(?:\s+insgesamt)?",
    ),
    (
        # Not in DATES.md: the wording Arabic boards are believed to print. A note worded
        # otherwise is reported, never dropped (:func:`unread_edit_note`).
        r"آخر\s+تعديل(?:\s+لهذه\s+المشاركة)?",
        r"من\s+طرف",
        r"في",
        r"عدل\s+(?P<count>[0-9]{1,9})\s+مرة(?:\s+في\s+المجمل)?",
    ),
)


def _compile(start: str, by: str, on: str, count: str) -> re.Pattern[str]:
    # The editor is greedy (a name may contain " on "; a date never does), the date may not
    # contain ";" so that it stops at the count clause, it holds a digit (every printed date
    # does) and is more than a time of day: in Arabic the "on" word is also in the count clause
    # ("في المجمل") and in "Yesterday at" ("أمس في 12:30").
    return re.compile(
        rf"{start}(?:\s+{by}\s+(?P<editor>.+))?\s+{on}\s+"
        rf"(?P<date>(?![\d:\s]*(?:[ap]\.?m\.?)?\s*(?:[;,،]|$))[^;]*?\d[^;]*?)"
        rf"(?:(?:\s*[;,،]\s*|\s+){count})?\s*\.?$",
        re.IGNORECASE,
    )


_MAX_NOTE_LENGTH = 500  # longer text is not an edit note; also bounds regex backtracking

_NOTE_RES = tuple(_compile(*language) for language in _LANGUAGES)

NOTE_START = re.compile("|".join(start for start, *_ in _LANGUAGES), re.IGNORECASE)
"""How an edit note starts, in every language :func:`parse_edit_note` reads."""


def parse_edit_note(text: str) -> EditNote | None:
    """Split an edit note into editor, raw date and edit count; None if ``text`` is not one."""
    clean = re.sub(r"\s+", " ", text).strip()
    if len(clean) > _MAX_NOTE_LENGTH:
        return None
    for pattern in _NOTE_RES:
        match = pattern.search(clean)
        if match is None:
            continue
        editor = (match["editor"] or "").strip() or None
        edited_at = match["date"].strip(" ,") or None
        count = int(match["count"]) if match["count"] else 1
        return EditNote(editor=editor, edited_at_raw=edited_at, edit_count=count)
    return None


def unread_edit_note(text: str) -> EditNote | None:
    """A note :func:`parse_edit_note` could not read, printed where the template prints edit
    notes: the post was edited (once at least), its editor and date are unknown, and the note's
    text is kept in ``edited_at_raw`` so that the run reports it. ``None`` for what cannot be a
    note: nothing, a text without a digit (every note prints a date) or a long one."""
    clean = re.sub(r"\s+", " ", text).strip()
    if not clean or len(clean) > _MAX_NOTE_LENGTH or not re.search(r"\d", clean):
        return None
    return EditNote(editor=None, edited_at_raw=clean, edit_count=1, read=False)
