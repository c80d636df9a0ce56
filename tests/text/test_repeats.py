"""Tests for forumscraper.text.repeats: back-to-back repeated blocks collapsed."""

from __future__ import annotations

import time

import pytest

from forumscraper.text.repeats import collapse_repeats

TITLE = "\u201cThe War of Leaks\u201d Confuses the Political Scene"
ARTICLE = [
    TITLE,
    "Audio leaks have dominated the scene in Iraq, further complicating the political equation.",
    "Opinions on the audio leaks file in Iraq varied between revealing the facts and blackmail.",
    "Investigation into the leaks",
    "The Integrity Commission began investigating an audio recording attributed to an adviser.",
]


def _text(*lines: str) -> str:
    return "\n".join(lines)


class TestCollapsed:
    def test_article_pasted_twice(self) -> None:
        text = _text("Posted on by", *ARTICLE, "", *ARTICLE, "")
        assert collapse_repeats(text) == (_text("Posted on by", *ARTICLE, ""), 1)

    def test_three_copies_count_two(self) -> None:
        assert collapse_repeats(_text(*ARTICLE, *ARTICLE, *ARTICLE)) == (_text(*ARTICLE), 2)

    def test_blank_lines_between_copies_are_ignored(self) -> None:
        text = _text(*ARTICLE, "", "", *ARTICLE[:2], "", *ARTICLE[2:], "", "Reply")
        assert collapse_repeats(text) == (_text(*ARTICLE, "", "Reply"), 1)

    def test_whitespace_differences_are_ignored(self) -> None:
        spaced = [f"  {line.replace(' ', '   ')} " for line in ARTICLE]
        assert collapse_repeats(_text(*ARTICLE, *spaced)) == (_text(*ARTICLE), 1)

    def test_one_long_paragraph_repeated(self) -> None:
        paragraph = "Legal experts confirm that audio leaks must be investigated. " * 4
        assert collapse_repeats(_text("Intro", paragraph, paragraph, "End")) == (
            _text("Intro", paragraph, "End"),
            1,
        )

    def test_three_short_paragraphs_count_as_a_block(self) -> None:
        block = ["Maliki leaks", "Leaks on the way", "True leaks"]
        assert collapse_repeats(_text(*block, *block)) == (_text(*block), 1)

    def test_block_starting_with_a_repeated_line(self) -> None:
        block = ["-----", "-----", TITLE, "Second paragraph here", "Third"]
        assert collapse_repeats(_text(*block, *block)) == (_text(*block), 1)

    def test_copies_brought_together_by_a_removal(self) -> None:
        # A B A B | C | A B A B C: collapsing the inner runs exposes a repeat of the whole.
        a = "Alpha paragraph of the article that is long enough to count by its own length " * 3
        b = "Beta paragraph, just as long, so that the pair of them is a block on its own " * 3
        text = _text(a, b, a, b, "C", "D", "E", a, b, a, b, "C", "D", "E")
        assert collapse_repeats(text) == (_text(a, b, "C", "D", "E"), 3)


class TestKept:
    @pytest.mark.parametrize(
        "lines",
        [
            ["Thank you"] * 6,
            ["-----"] * 10,
            ["- yes", "- no"] * 4,
            ["Today at 9:59 by Rocky", "Today at 9:54 by Rocky"],
            ["short", "short"],
        ],
    )
    def test_short_repeats_stay(self, lines: list[str]) -> None:
        text = _text(*lines)
        assert collapse_repeats(text) == (text, 0)

    def test_repeat_not_back_to_back_stays(self) -> None:
        text = _text(*ARTICLE, "A reply in between", *ARTICLE)
        assert collapse_repeats(text) == (text, 0)

    def test_unique_text_comes_back_identical(self) -> None:
        text = "  odd   spacing \n\n\n kept "
        assert collapse_repeats(text) == (text, 0)


class TestScaling:
    def test_many_paragraphs_are_fast(self) -> None:
        paragraphs = [
            f"Paragraph number {index} of a long thread export" for index in range(20_000)
        ]
        text = _text(*paragraphs, *paragraphs)
        start = time.perf_counter()
        assert collapse_repeats(text) == (_text(*paragraphs), 1)
        assert time.perf_counter() - start < 2.0

    def test_periodic_short_lines_are_fast(self) -> None:
        text = _text(*(["Thank you", "-----"] * 20_000))
        start = time.perf_counter()
        assert collapse_repeats(text)[1] == 0
        assert time.perf_counter() - start < 2.0
