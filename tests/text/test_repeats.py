"""Tests for forumscraper.text.repeats: back-to-back repeated blocks collapsed."""

from __future__ import annotations

import time

import pytest

from forumscraper.text.clean import clean_post
from forumscraper.text.repeats import collapse_repeats

TITLE = "\u201cThe War of Leaks\u201d Confuses the Political Scene"
ARTICLE = [
    TITLE,
    "Audio leaks have dominated the scene in Iraq, further complicating the political equation.",
    "Opinions on the audio leaks file in Iraq varied between revealing the facts and blackmail.",
    "Investigation into the leaks",
    "The Integrity Commission began investigating an audio recording attributed to an adviser.",
]


LONG_ARTICLE = [
    TITLE,
    "Audio leaks have dominated the scene in Iraq, further complicating the political equation "
    "less than a year before the parliamentary elections scheduled for October 2025.",
    "Investigation into the leaks",
    "The Integrity Commission began investigating an audio recording attributed to the head of "
    "the advisory board in the Prime Minister's office regarding receiving bribes.",
    "The commission explained that the investigation came under the direction of the Prime "
    "Minister and in cooperation with the judge of the Central Criminal Court.",
]
"""A pasted article long enough (over 500 characters of prose) to collapse after a gap."""
SOURCE_A = "https://baghdad-observer.example/politics/the-war-of-leaks/"
SOURCE_B = "https://tigris-news.example/en/iraq/war-of-leaks"


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


class TestCollapsedAfterAGap:
    """A long block and its copy with a short gap between them (each copy's own source)."""

    def test_each_copy_followed_by_its_own_source_link(self) -> None:
        text = _text("Posted on by", *LONG_ARTICLE, SOURCE_A, *LONG_ARTICLE, SOURCE_B)
        assert collapse_repeats(text) == (
            _text("Posted on by", *LONG_ARTICLE, SOURCE_A, SOURCE_B),
            1,
        )

    def test_copies_surrounded_by_bylines_and_via_lines(self) -> None:
        first = ["Posted on December 1 by A", *LONG_ARTICLE, "via A", ""]
        text = _text(*first, "Posted on December 2 by B", *LONG_ARTICLE, "via B", "", "Reply")
        assert collapse_repeats(text) == (
            _text(*first, "Posted on December 2 by B", "via B", "", "Reply"),
            1,
        )

    def test_blank_lines_and_spacing_in_the_gap(self) -> None:
        text = _text(*LONG_ARTICLE, "", "  Source:   A ", "", "", *LONG_ARTICLE, "", "Source: B")
        assert collapse_repeats(text) == (
            _text(*LONG_ARTICLE, "", "  Source:   A ", "", "Source: B"),
            1,
        )

    def test_gap_of_three_paragraphs(self) -> None:
        gap = ["Source: A", "Translated by the forum", "Posted on December 2 by B"]
        text = _text(*LONG_ARTICLE, *gap, *LONG_ARTICLE)
        assert collapse_repeats(text) == (_text(*LONG_ARTICLE, *gap), 1)

    def test_second_copy_without_the_title(self) -> None:
        text = _text(*LONG_ARTICLE, SOURCE_A, *LONG_ARTICLE[1:], SOURCE_B)
        assert collapse_repeats(text) == (_text(*LONG_ARTICLE, SOURCE_A, SOURCE_B), 1)

    def test_copies_differing_in_their_last_paragraph(self) -> None:
        first = [*LONG_ARTICLE, "Read more at A."]
        second = [*LONG_ARTICLE, "Read more at B."]
        assert collapse_repeats(_text(*first, *second)) == (
            _text(*first, "Read more at B."),
            1,
        )

    def test_three_copies_each_with_its_source(self) -> None:
        text = _text(*LONG_ARTICLE, "Source: A", *LONG_ARTICLE, "Source: B", *LONG_ARTICLE, "C")
        assert collapse_repeats(text) == (
            _text(*LONG_ARTICLE, "Source: A", "Source: B", "C"),
            2,
        )

    def test_one_pass_is_a_fixpoint(self) -> None:
        text = _text(*LONG_ARTICLE, SOURCE_A, *LONG_ARTICLE, SOURCE_B)
        once, _ = collapse_repeats(text)
        assert collapse_repeats(once) == (once, 0)


class TestNotARepeat:
    """Text that shares lines without being a pasted copy is never collapsed."""

    def test_two_paragraphs_sharing_a_sentence(self) -> None:
        shared = (
            "The Integrity Commission began investigating an audio recording attributed to the "
            "head of the advisory board in the Prime Minister's office regarding bribes. " * 2
        )
        text = _text(
            "First point, about the commission. " + shared + "That is why it matters.",
            "A line in between.",
            "Second point, about the courts. " + shared + "Nobody was charged.",
        )
        assert collapse_repeats(text) == (text, 0)

    def test_two_replies_quoting_the_same_post_keep_both_quotes(self) -> None:
        first = "The council announced that the road works on the bridge go on all year. " * 3
        second = "Residents said the detour adds forty minutes to every commute, and more. " * 3
        quoted = ["> Xavier wrote:", f"> > {first}", "> >", f"> > {second}", ">"]
        text = _text("Anna wrote:", *quoted, "> I agree.", "Ben wrote:", *quoted, "> Nonsense.")
        assert collapse_repeats(text) == (text, 0)
        html = (
            f"<blockquote><cite>Xavier wrote:</cite><div>{first}<br /><br />{second}</div>"
            "</blockquote>"
        )
        post = (
            f"<blockquote><cite>Anna wrote:</cite><div>{html}I agree.</div></blockquote>"
            f"<blockquote><cite>Ben wrote:</cite><div>{html}Nonsense.</div></blockquote>Both."
        )
        cleaned = clean_post(post)
        assert (cleaned.body_text.count("Xavier wrote:"), cleaned.collapsed_repeats) == (2, 0)

    def test_one_long_sentence_on_its_own_line_in_two_places(self) -> None:
        shared = "Legal experts confirm that audio leaks must be investigated by judges. " * 8
        text = _text("What the first expert said:", shared, "What the second one said:", shared)
        assert collapse_repeats(text) == (text, 0)

    def test_a_quote_of_an_earlier_post(self) -> None:
        quoted = [f"> {line}" for line in LONG_ARTICLE]
        text = _text("Rocky wrote:", *quoted, "", "Here it is again for those who missed it:",
                     *LONG_ARTICLE)  # fmt: skip
        assert collapse_repeats(text) == (text, 0)

    def test_a_quote_then_the_reply(self) -> None:
        quoted = [f"> {line}" for line in LONG_ARTICLE]
        text = _text("Rocky wrote:", *quoted, "", *LONG_ARTICLE[:2], "And nobody was charged.")
        assert collapse_repeats(text) == (text, 0)

    @pytest.mark.parametrize(
        "lines",
        [
            ["Thanks!", "Great article, Rocky.", "Thanks!"],
            [*LONG_ARTICLE, "Thanks!", "Thanks!"],
            [*LONG_ARTICLE, "Thanks!", SOURCE_A, "Thanks!"],
        ],
    )
    def test_a_short_line_written_twice(self, lines: list[str]) -> None:
        text = _text(*lines)
        assert collapse_repeats(text) == (text, 0)

    def test_a_list_repeated_under_two_headings(self) -> None:
        items = [f"- {hour}:00 generator hours in district {hour}, Babylon" for hour in range(12)]
        text = _text("Monday:", *items, "Tuesday:", *items)
        assert collapse_repeats(text) == (text, 0)

    def test_a_real_reply_between_the_copies(self) -> None:
        reply = ["I read it twice.", "It says the same thing.", "Nobody was charged.", "Sad."]
        text = _text(*LONG_ARTICLE, *reply, *LONG_ARTICLE)
        assert collapse_repeats(text) == (text, 0)

    def test_a_long_paragraph_between_the_copies(self) -> None:
        between = "My own analysis of what the article leaves out, point by point. " * 9
        text = _text(*LONG_ARTICLE, between, *LONG_ARTICLE)
        assert collapse_repeats(text) == (text, 0)


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

    def test_one_mb_of_articles_pasted_twice_is_fast(self) -> None:
        lines: list[str] = []
        articles = 0
        while len("\n".join(lines)) < 1_000_000:
            article = [f"{line} ({articles})" for line in LONG_ARTICLE]
            lines += [*article, f"{SOURCE_A}{articles}", *article, f"{SOURCE_B}{articles}"]
            articles += 1
        start = time.perf_counter()
        text, removed = collapse_repeats(_text(*lines))
        assert time.perf_counter() - start < 2.0
        assert removed == articles
        assert len(text.splitlines()) == len(lines) - articles * len(LONG_ARTICLE)

    def test_one_mb_of_long_lines_from_a_few_is_fast(self) -> None:
        # Lines drawn from 40 long ones: every line recurs soon, most candidates fail.
        vocabulary = [f"{line} ({n})" for n in range(8) for line in LONG_ARTICLE]
        lines = [vocabulary[(n * 7919 + n // 13) % len(vocabulary)] for n in range(8_000)]
        start = time.perf_counter()
        collapse_repeats(_text(*lines))
        assert time.perf_counter() - start < 2.0

    def test_periodic_short_lines_are_fast(self) -> None:
        text = _text(*(["Thank you", "-----"] * 20_000))
        start = time.perf_counter()
        assert collapse_repeats(text)[1] == 0
        assert time.perf_counter() - start < 2.0
