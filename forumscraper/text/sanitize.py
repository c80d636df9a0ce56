"""Characters no database can store in a text column: NUL bytes and lone surrogates."""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def strip_unstorable(text: str) -> tuple[str, int]:
    """``text`` without NUL bytes and lone surrogates (PostgreSQL rejects both), and how many
    were removed."""
    if "\x00" not in text and _no_surrogates(text):
        return text, 0  # the common case, without a regex pass over the text
    return _UNSTORABLE.subn("", text)


def _no_surrogates(text: str) -> bool:
    if text.isascii():  # O(1): CPython knows it
        return True
    try:
        text.encode("utf-8")  # strict UTF-8 refuses every surrogate code point
    except UnicodeEncodeError:
        return False
    return True
