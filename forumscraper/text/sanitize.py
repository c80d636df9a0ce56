"""Characters no database can store in a text column: NUL bytes and lone surrogates."""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def strip_unstorable(text: str) -> tuple[str, int]:
    """``text`` without NUL bytes and lone surrogates (PostgreSQL rejects both), and how many
    were removed."""
    return _UNSTORABLE.subn("", text)
