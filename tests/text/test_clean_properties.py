"""Property tests for forumscraper.text.clean: never raises, idempotent, deep nesting is safe."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forumscraper.text.bbcode import closed_tags
from forumscraper.text.clean import CleanPost, clean_post

# Pieces of real-looking post HTML, leaked BBCode, placeholders and awkward characters.
# Code blocks are left out of the idempotence soup: they are kept verbatim on the first run,
# so their spacing and any BBCode in them is only normalised on a second run (documented).
PIECES = [
    "<br />", "<p>", "</p>", "<div>", "</div>", "<strong>", "</strong>", "<em>", "</em>",
    '<span style="font-size: 18px; line-height: normal">', "</span>",
    '<dl class="codebox"><dt>Rocky wrote:</dt><dd>', "</dd></dl>",
    "<blockquote><cite>Jean a écrit:</cite><div>", "</div></blockquote>", "<blockquote>",
    '<dl class="codebox spoiler"><dt>Spoiler:</dt><dd class="spoiler_closed">',
    "<ul><li>", "</li><li>", "</li></ul>", "<table><tr><td>", "</td><td>", "</td></tr></table>",
    '<a href="/t12-slug" class="postlink">', '<a href="mailto:x@y.z">', "</a>",
    '<img src="/users/p.png" alt="Title p" />', '<img src="x" longdesc="3" />',
    "<script>var x = 1;</script>", "<style>p {}</style>",
    "[b]", "[/b]", "[size=45]", "[/size]", '[quote="Rocky"]', "[/quote]", "[*]", "[hr]",
    "[url=https://a.example/]", "[url]", "[/url]", "[img]", "[/img]", "[list]", "[td]",
    "[", "]", "b", "=", "/", '"', "[sic]", "[1]",
    "[You must be registered and logged in to see this link.]",
    "[Vous devez être inscrit et connecté pour voir ce lien]",
    "You must be", " registered and logged in to see this image",
    "Thank you", "-----", " ", "  ", "\n", "\t", "\u00a0", "&nbsp;", "&amp;", "&lt;", "&#1;",
    "&#xD800;", "\x00", "\x0c", "\ud800", "\ufeff", "\u200f", "\u2028", "e\u0301", "\u0338",
    "<", ">", "&", "مرحبا بالعالم", "Today at 9:59 by Rocky",
    "The Integrity Commission began investigating an audio recording attributed to the head "
    "of the advisory board in the Prime Minister's office regarding receiving bribes. ",
]  # fmt: skip
_SP = r"[^\S\n]+"
_PLACEHOLDER_WORDS = re.compile(
    r"(\[[^\S\n]*)?"
    + _SP.join(["You", "must", "be", "registered", "and", "logged", "in", "to", "see", "this"])
    + _SP
    + r"(?:link|image)([^\S\n]*\.)?([^\S\n]*\])?",
    re.IGNORECASE,
)
"""The English placeholder's words on one line, with what would make them a placeholder."""
SOUP = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)
ANY_TEXT = st.text(st.characters(codec=None), max_size=300)


def _as_html(text: str) -> str:
    """Plain text as a post body: escaped, newlines as <br />."""
    return html.escape(text).replace("\n", "<br />")


def _check(result: CleanPost) -> None:
    assert isinstance(result.body_text, str)
    assert result.body_text == result.body_text.strip("\n")
    assert "\n\n\n" not in result.body_text
    assert len(result.content_hash) == 64


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_never_raises_on_arbitrary_text(text: str) -> None:
    _check(clean_post(text, base_url="https://x.forumotion.com/t1-a"))


@settings(max_examples=300, deadline=None)
@given(SOUP)
def test_never_raises_on_html_bbcode_soup(soup: str) -> None:
    result = clean_post(soup, base_url="https://x.forumotion.com/t1-a")
    _check(result)
    # No placeholder is left; the same words with neither a bracket nor the full stop are a
    # sentence of the post's own ("… to see this image, odd"), and stay.
    for left in _PLACEHOLDER_WORDS.finditer(result.body_text):
        assert not any(left.groups()), result.body_text
    assert all(link["kind"] in {"link", "image", "email"} for link in result.links)


@settings(max_examples=300, deadline=None)
@given(st.one_of(SOUP, ANY_TEXT))
def test_idempotent_on_its_own_output(source: str) -> None:
    first = clean_post(source).body_text
    assert clean_post(_as_html(first)).body_text == first


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40))
def test_no_leaked_known_tags_remain(pieces: list[str]) -> None:
    source = "".join(pieces)
    text = clean_post(source).body_text.lower()
    assert not any(tag in text for tag in ("[/b]", "[size=45]", "[/size]", "[/img]"))
    # A bare opening tag stays only where the post never closes it ("a[i]", "cat[s]").
    closed = closed_tags(source)
    assert not any(f"[{name}]" in text for name in ("b", "img") if name in closed)


@pytest.mark.parametrize(
    ("opening", "closing"),
    [
        ("[quote]", "[/quote]"),
        ('[quote="Rocky"]', "[/quote]"),
        ("[b]", "[/b]"),
        ("<blockquote>", "</blockquote>"),
        ('<dl class="codebox"><dt>Rocky wrote:</dt><dd>', "</dd></dl>"),
        ("<div>", "</div>"),
    ],
)
def test_deep_nesting_does_not_raise(opening: str, closing: str) -> None:
    result = clean_post(opening * 10_000 + "deepest" + closing * 10_000 + "after")
    assert "deepest" in result.body_text
    assert result.body_text.endswith("after")
