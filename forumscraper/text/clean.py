"""Clean one scraped post body: the single entry point used by the pipeline and ``reprocess``.

Order matters and is fixed: HTML to text (:mod:`.html`), guest placeholders removed
(:mod:`.links`), leaked BBCode stripped (:mod:`.bbcode`), whitespace normalised, repeated
blocks collapsed (:mod:`.repeats`: back to back, or a long one after a short gap), then the
content hash. Doing placeholders and BBCode before the repeat search is what makes the two
copies of a pasted article identical (one copy ends in "[/size]", the other opens an unclosed
"[size=45]"). A member sees a real source link after each copy instead of a placeholder: the
second copy is still removed and both links' text stays, after the first copy. ``links`` is
built from the body HTML, never from the collapsed text, so it keeps every copy's links.

:func:`clean_post` is idempotent on prose: feeding its ``body_text`` back as HTML-escaped text
(newlines as ``<br />``) gives the same text. Code blocks are the exception: they are kept
verbatim, so their spacing and any BBCode in them is only normalised on a second run.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from forumscraper.text._tree import walk
from forumscraper.text.bbcode import MAX_PASSES, closed_tags, strip_bbcode_once
from forumscraper.text.html import render
from forumscraper.text.links import build_links, remove_placeholders
from forumscraper.text.parsing import parse_html, scrub
from forumscraper.text.repeats import collapse_repeats
from forumscraper.text.whitespace import normalize_text, normalize_whitespace, tidy_code


@dataclass(frozen=True, kw_only=True)
class CleanPost:
    """The cleaned form of one post body."""

    body_text: str
    """Clean text for readers."""
    links: list[dict[str, str]] = field(default_factory=list)
    """Every link and image URL: ``{"url": ..., "text": ..., "kind": "link"|"image"|"email"}``."""
    hidden_link_count: int = 0
    """Guest placeholders ("[You must be registered …]") removed from the text."""
    collapsed_repeats: int = 0
    """Copies of a repeated block removed."""
    content_hash: str = ""
    """SHA-256 hex of ``body_text`` with all whitespace runs turned into one space: identical
    articles in different topics share it."""
    removed_chars: int = 0
    """NULs, lone surrogates, other C0 controls (not tab/newline), BOMs and U+FFFE/U+FFFF
    removed from the input and from character references."""


def clean_post(body_html: str, *, base_url: str | None = None) -> CleanPost:
    """Clean a post body HTML fragment; relative link URLs are resolved against ``base_url``.

    Never raises on a ``str`` and runs in time linear in the input.
    """
    html, removed_chars = scrub(body_html)
    walked = walk(parse_html(html, fragment=True), char_refs="&#" in body_html)
    stage = _TextStage(closed_tags(body_html))
    text = render(walked.blocks, stage.prose, stage.code)
    text, collapsed = collapse_repeats(text, normalized=True)
    return CleanPost(
        body_text=text,
        links=build_links(walked.link_events, base_url),
        hidden_link_count=stage.hidden,
        collapsed_repeats=collapsed,
        content_hash=content_hash(text),
        removed_chars=removed_chars + walked.removed_chars,
    )


@dataclass(frozen=True)
class CleanFailure:
    """A body whose cleaning raised (a bug, or memory exhausted): the post is still stored,
    with empty clean text that ``forumscraper reprocess`` fills in later."""

    error: str


def clean_bodies(
    bodies: Sequence[tuple[str, str | None]],
) -> list[CleanPost | CleanFailure]:
    """:func:`clean_post` over the bodies of one page (``(body_html, base_url)`` pairs), the
    unit sent to a worker process; a failure stays with its own post."""
    results: list[CleanPost | CleanFailure] = []
    for html, base_url in bodies:
        try:
            results.append(clean_post(html, base_url=base_url))
        except Exception as exc:  # reported per post by the caller
            results.append(CleanFailure(f"{type(exc).__name__}: {exc}"))
    return results


def content_hash(text: str) -> str:
    """SHA-256 hex of ``text`` with whitespace runs collapsed to single spaces."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


class _TextStage:
    """Placeholder and BBCode removal plus normalisation for each block; counts placeholders."""

    def __init__(self, closed: frozenset[str]) -> None:
        self.hidden = 0
        self.closed = closed
        """The BBCode tags the post closes: a bare ``[i]`` it never closes is prose."""

    def prose(self, text: str) -> str:
        text = unicodedata.normalize("NFC", text)
        text, placeholders = remove_placeholders(text)
        text, tags = strip_bbcode_once(text, self.closed)
        self.hidden += placeholders
        # A removal can join a letter and a combining mark, hence NFC again.
        text = normalize_text(text) if placeholders or tags else normalize_whitespace(text)
        # Removing a tag or a placeholder (or folding spaces) can join brackets and words into
        # a new one ("[[b]b]"): check passes run until nothing is removed, so the result is a
        # fixpoint and cleaning the output again changes nothing.
        for _ in range(MAX_PASSES):
            stripped, placeholders = remove_placeholders(text)
            stripped, tags = strip_bbcode_once(stripped, self.closed)
            if not placeholders and not tags:
                break
            self.hidden += placeholders
            text = normalize_text(stripped)
        return text

    def code(self, text: str) -> str:
        text, placeholders = remove_placeholders(text)
        self.hidden += placeholders
        return tidy_code(text)
