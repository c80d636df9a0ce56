"""Post HTML to readable plain text.

Paragraphs and line breaks are kept (runs of ``<br>`` give at most one blank line), list items
become "- " lines, quotes become an attribution line ("X wrote:", or the board's own
"X a écrit:") followed by "> " prefixed lines ("> > " when nested), code blocks are kept
verbatim, spoilers and hidden blocks are plain text, images and smilies (and their alt/title
text), scripts and styles are dropped. Whitespace and non-breaking spaces are normalised and
the result is Unicode NFC; right-to-left text is left as it is.

:func:`html_to_text` does only this conversion; :func:`forumscraper.text.clean.clean_post` adds
placeholder and BBCode removal through the ``transform`` hook of :func:`render`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from forumscraper.text._tree import Block, walk
from forumscraper.text.parsing import parse_html, scrub
from forumscraper.text.whitespace import normalize_text, tidy_code

MAX_QUOTE_PREFIX = 64
"""Quotes nested deeper than this get the prefix of this depth (keeps output linear)."""


def html_to_text(html: str) -> str:
    """Convert a post body HTML fragment to plain text (see the module docstring)."""
    root = parse_html(scrub(html)[0], fragment=True)
    return render(walk(root, collect_links=False, char_refs="&#" in html).blocks)


def render(
    blocks: Sequence[Block],
    transform: Callable[[str], str] = normalize_text,
    code_transform: Callable[[str], str] = tidy_code,
) -> str:
    """Lay blocks out as text.

    ``transform`` cleans the text of prose and attribution blocks, ``code_transform`` that of
    code blocks; blocks that come out empty are dropped. Blocks are separated by a blank line
    (prefixed with the shallower quote depth), except an attribution line and its quote.
    """
    lines: list[str] = []
    previous_depth = -1
    previous_kind = ""
    for block in blocks:
        raw = block.text
        text = code_transform(raw) if block.kind == "code" else transform(raw)
        if not text:
            continue
        depth = min(block.depth, MAX_QUOTE_PREFIX)
        if previous_depth >= 0 and not (previous_kind == "attribution" and depth > previous_depth):
            lines.append(_prefix(min(depth, previous_depth)).rstrip())
        prefix = _prefix(depth)
        if prefix:
            empty = prefix.rstrip()
            lines.extend(prefix + line if line else empty for line in text.split("\n"))
        else:
            lines.append(text)
        previous_depth = depth
        previous_kind = block.kind
    return "\n".join(lines)


def _prefix(depth: int) -> str:
    return "> " * depth
