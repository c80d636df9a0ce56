"""Tests for forumscraper.text.clean: the seed post end to end, and the CleanPost fields."""

from __future__ import annotations

import dataclasses
import hashlib
import html
from importlib.resources import files

import pytest

from forumscraper.demo.content import SEED_POST_LINKS, seed_post_as_member
from forumscraper.text.clean import CleanPost, clean_post, content_hash

TITLE = (
    "\u201cThe War of Leaks\u201d Confuses the Political Scene... "
    "Blackmail or Expose of Corruption?"
)
LAST_SENTENCE = "were leaked of prominent figures.\u201d"
BASE = "https://iraqidinar.forumotion.com/t61234-the-war-of-leaks"


@pytest.fixture(scope="module")
def seed_html() -> str:
    return (files("forumscraper.demo") / "data" / "seed_post.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(seed_html: str) -> CleanPost:
    return clean_post(seed_html, base_url=BASE)


class TestSeedPost:
    def test_title_present_exactly_once(self, seed: CleanPost) -> None:
        assert seed.body_text.count(TITLE) == 1

    def test_one_copy_of_the_article(self, seed: CleanPost) -> None:
        assert seed.body_text.count("Investigation into the leaks") == 1
        assert seed.body_text.count(LAST_SENTENCE) == 1

    def test_one_copy_removed(self, seed: CleanPost) -> None:
        assert seed.collapsed_repeats == 1

    def test_four_placeholders_removed(self, seed: CleanPost) -> None:
        assert seed.hidden_link_count == 4
        assert "You must be registered" not in seed.body_text

    def test_no_leaked_size_tags(self, seed: CleanPost) -> None:
        assert "[size" not in seed.body_text
        assert "[/size]" not in seed.body_text

    def test_byline_is_only_whitespace_normalised(self, seed: CleanPost) -> None:
        assert seed.body_text.splitlines()[:2] == ["Posted on by", TITLE]

    def test_ends_with_the_article(self, seed: CleanPost) -> None:
        assert seed.body_text.endswith(LAST_SENTENCE)

    def test_paragraphs_kept_as_lines(self, seed: CleanPost) -> None:
        lines = seed.body_text.splitlines()
        assert "Maliki leaks" in lines
        assert "Leaks on the way" in lines
        assert len(lines) == 38

    def test_no_links_left_for_guests(self, seed: CleanPost) -> None:
        assert seed.links == []

    def test_nothing_removed_as_junk(self, seed: CleanPost) -> None:
        assert seed.removed_chars == 0

    def test_hash_is_of_the_normalised_body(self, seed: CleanPost) -> None:
        expected = hashlib.sha256(" ".join(seed.body_text.split()).encode()).hexdigest()
        assert seed.content_hash == expected

    def test_idempotent(self, seed: CleanPost) -> None:
        again = clean_post(html.escape(seed.body_text).replace("\n", "<br />"))
        assert again.body_text == seed.body_text

    def test_same_article_in_another_topic_shares_the_hash(
        self, seed: CleanPost, seed_html: str
    ) -> None:
        other = clean_post(
            seed_html.replace("<br />", "<br />\n  "), base_url="https://x.example/t9"
        )
        assert other.content_hash == seed.content_hash


@pytest.fixture(scope="module")
def member(seed_html: str) -> CleanPost:
    """The seed post as a member sees it: a different real source link after each copy."""
    return clean_post(seed_post_as_member(seed_html), base_url=BASE)


class TestSeedPostAsMember:
    def test_article_once_both_source_links_kept(self, member: CleanPost) -> None:
        first_source, second_source = (text for _, text in SEED_POST_LINKS[2:])
        assert first_source != second_source
        assert member.body_text.count(TITLE) == 1
        assert member.body_text.count("Investigation into the leaks") == 1
        assert member.body_text.count(LAST_SENTENCE) == 1
        assert member.body_text.splitlines()[-3:] == [
            member.body_text.splitlines()[-3],
            first_source,
            second_source,
        ]
        assert member.body_text.splitlines()[-3].endswith(LAST_SENTENCE)
        assert [link["url"] for link in member.links] == [href for href, _ in SEED_POST_LINKS]
        assert {link["kind"] for link in member.links} == {"link"}
        assert (member.collapsed_repeats, member.hidden_link_count) == (1, 0)

    def test_byline_links_are_text(self, member: CleanPost) -> None:
        assert member.body_text.splitlines()[0] == (
            "Posted on December 1, 2024 by Baghdad Observer newsdesk"
        )

    def test_same_article_as_the_guest_sees(self, member: CleanPost, seed: CleanPost) -> None:
        # Byline and the two source lines aside, member and guest keep the same single copy.
        assert member.body_text.splitlines()[1:-2] == seed.body_text.splitlines()[1:]

    def test_idempotent(self, member: CleanPost) -> None:
        again = clean_post(html.escape(member.body_text).replace("\n", "<br />"))
        assert (again.body_text, again.collapsed_repeats) == (member.body_text, 0)

    def test_links_of_a_removed_copy_stay_in_links(self) -> None:
        # Same text in both copies, different targets: the text collapses, the links do not.
        paragraph = "Legal experts confirm that audio leaks must be investigated by the judiciary."
        copy = (
            "{p} (1)<br />{p} (2)<br />{p} (3)<br />{p} (4)<br />"
            '<a class="postlink" href="{href}">Read the original</a>'
        )
        body = "<br />".join(
            copy.format(p=paragraph * 2, href=href)
            for href in ("https://a.example/1", "https://b.example/2")
        )
        result = clean_post(body)
        assert result.body_text.count("Read the original") == 1
        assert result.collapsed_repeats == 1
        assert [link["url"] for link in result.links] == [
            "https://a.example/1",
            "https://b.example/2",
        ]

    def test_leaked_bbcode_source_between_the_copies(self) -> None:
        article = "<br />".join(
            f"[size=45]Paragraph {n} of the pasted article, long enough to read as prose "
            f"in a news report about the war of leaks.[/size]"
            for n in range(6)
        )
        body = (
            f"{article}<br />[size=45][url=https://a.example/x]Source: A[/url]<br /><br />"
            f'{article}<br />[size=45]<a class="postlink" href="https://b.example/y">via B</a>'
        )
        result = clean_post(body)
        assert result.collapsed_repeats == 1
        assert result.body_text.count("Paragraph 5 of the pasted article") == 1
        assert result.body_text.splitlines()[-2:] == ["Source: A", "via B"]
        assert [link["url"] for link in result.links] == [
            "https://a.example/x",
            "https://b.example/y",
        ]


class TestCleanPostFields:
    def test_links_collected_and_resolved(self) -> None:
        body = (
            'See <a class="postlink" href="/t12-budget">the budget</a> '
            '<img src="/users/leaks.jpg" alt="leaks" /> '
            '<img src="https://illiweb.com/fa/i/smiles/icon_smile.gif" longdesc="1" />'
        )
        assert clean_post(body, base_url=BASE).links == [
            {
                "url": "https://iraqidinar.forumotion.com/t12-budget",
                "text": "the budget",
                "kind": "link",
            },
            {
                "url": "https://iraqidinar.forumotion.com/users/leaks.jpg",
                "text": "",
                "kind": "image",
            },
        ]

    def test_leaked_bbcode_links_collected(self) -> None:
        result = clean_post(
            "[url=https://shafaq.com/x]Shafaq[/url] [img]https://i.example/a.png[/img]"
        )
        assert result.body_text == "Shafaq"
        assert [link["kind"] for link in result.links] == ["link", "image"]

    def test_removed_chars_counts_controls_and_surrogates(self) -> None:
        result = clean_post("a\x00b\x07c\ud800d&#1;e")
        assert (result.body_text, result.removed_chars) == ("abcde", 4)

    def test_tabs_and_newlines_are_not_junk(self) -> None:
        assert clean_post("a\tb\r\nc").removed_chars == 0

    def test_placeholder_in_a_quote_counted(self) -> None:
        body = (
            '<dl class="codebox"><dt>Rocky wrote:</dt><dd>Source: '
            "[You must be registered and logged in to see this link.]</dd></dl>"
        )
        result = clean_post(body)
        assert (result.body_text, result.hidden_link_count) == ("Rocky wrote:\n> Source:", 1)

    def test_quote_bbcode_code_and_repeats_together(self) -> None:
        paragraph = (
            "Al-Sudani stresses the importance of urgent action to end regional crises. " * 3
        )
        body = (
            f"<blockquote><cite>Rocky a écrit:</cite>[b]{paragraph}[/b]</blockquote>"
            f"{paragraph}<br />{paragraph}<br />"
            '<dl class="codebox"><dt>Code:</dt><dd><code>x  =  [b]1[/b]</code></dd></dl>'
        )
        assert clean_post(body).body_text == (
            f"Rocky a écrit:\n> {paragraph.strip()}\n\n{paragraph.strip()}\n\nx  =  [b]1[/b]"
        )

    def test_is_frozen(self) -> None:
        with pytest.raises(dataclasses.FrozenInstanceError):
            clean_post("x").body_text = "y"  # type: ignore[misc]

    def test_empty_input(self) -> None:
        result = clean_post("")
        assert (result.body_text, result.links, result.content_hash) == (
            "",
            [],
            hashlib.sha256(b"").hexdigest(),
        )

    def test_content_hash_ignores_whitespace_layout(self) -> None:
        assert content_hash("a  b\n\nc") == content_hash("a b c")
