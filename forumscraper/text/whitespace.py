"""Whitespace and Unicode normalisation shared by the text cleaners.

Text is normalised line by line: every run of whitespace inside a line (spaces, tabs,
non-breaking and other Unicode spaces) becomes one space, lines are stripped, runs of blank
lines become one blank line and the text has no leading or trailing blank line. Only "\\n"
separates lines (``str.splitlines`` would also split on form feeds and U+2028).
"""

from __future__ import annotations

import re
import unicodedata

_BLANK_RUN_RE = re.compile(r"\n{3,}")


def normalize_whitespace(text: str) -> str:
    """Collapse whitespace inside lines, blank-line runs, and trim blank lines at both ends."""
    text = "\n".join([" ".join(line.split()) for line in text.split("\n")])
    if "\n\n\n" in text:
        text = _BLANK_RUN_RE.sub("\n\n", text)
    return text.strip("\n")


def normalize_text(text: str) -> str:
    """Unicode NFC plus :func:`normalize_whitespace`."""
    return normalize_whitespace(unicodedata.normalize("NFC", text))


def tidy_code(text: str) -> str:
    """Tidy a verbatim code block: NFC, non-breaking spaces to spaces, trailing spaces and
    leading/trailing blank lines removed. Indentation and inner spacing are kept."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    start, end = 0, len(lines)
    while start < end and not lines[start]:
        start += 1
    while end > start and not lines[end - 1]:
        end -= 1
    return "\n".join(lines[start:end])
