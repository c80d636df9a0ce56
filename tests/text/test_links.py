"""Tests for forumscraper.text.links: guest placeholders and the links of a post."""

from __future__ import annotations

import pytest
from lxml import etree

from forumscraper.text.links import extract_links, is_placeholder, remove_placeholders

BASE = "https://iraqidinar.forumotion.com/t61234-the-war-of-leaks"


class TestRemovePlaceholders:
    def test_seed_post_byline(self) -> None:
        text = (
            "Posted on[You must be registered and logged in to see this link.] by "
            "[You must be registered and logged in to see this link.]"
        )
        assert remove_placeholders(text) == ("Posted on by ", 2)

    @pytest.mark.parametrize(
        "placeholder",
        [
            "[You must be registered and logged in to see this link.]",
            "[You must be registered and logged in to see this image.]",
            "[You must be registered and logged in to see this link]",
            "[YOU MUST BE REGISTERED AND LOGGED IN TO SEE THIS LINK.]",
            "[you must be registered and logged in to see this link.]",
            "[ You  must be registered and\u00a0logged in to see this link . ]",
            "You must be registered and logged in to see this link.",
            "[Vous devez être inscrit et connecté pour voir ce lien]",
            "[Vous devez être inscrit et connecté pour voir cette image]",
            "[VOUS DEVEZ ÊTRE INSCRIT ET CONNECTÉ POUR VOIR CE LIEN.]",
            "[Vous devez etre inscrit et connecte pour voir ce lien]",
        ],
    )
    def test_variants_are_removed(self, placeholder: str) -> None:
        assert remove_placeholders(f"see {placeholder} now") == ("see  now", 1)

    @pytest.mark.parametrize(
        "sentence",
        [
            "Why does it say You must be registered and logged in to see this link? I am!",
            "it says you must be registered and logged in to see this image, odd",
        ],
    )
    def test_the_words_in_a_sentence_stay(self, sentence: str) -> None:
        assert remove_placeholders(sentence) == (sentence, 0)

    def test_other_brackets_stay(self) -> None:
        text = "[size=45] [Post 1 of 2] You must be joking"
        assert remove_placeholders(text) == (text, 0)

    def test_never_spans_lines(self) -> None:
        text = "You must be registered\nand logged in to see this link."
        assert remove_placeholders(text) == (text, 0)

    def test_is_placeholder(self) -> None:
        assert is_placeholder(" [You must be registered and logged in to see this link.] ")
        assert not is_placeholder(
            "the report [You must be registered and logged in to see this link.]"
        )


class TestHtmlLinks:
    def test_postlink_resolved_against_base_url(self) -> None:
        html = 'Read <a class="postlink" href="/t12-budget-2024">the budget topic</a>.'
        assert extract_links(html, BASE) == [
            {
                "url": "https://iraqidinar.forumotion.com/t12-budget-2024",
                "text": "the budget topic",
                "kind": "link",
            }
        ]

    def test_without_base_url_relative_urls_stay(self) -> None:
        assert extract_links('<a href="/u5">Rocky</a>')[0]["url"] == "/u5"

    def test_image_has_empty_text(self) -> None:
        html = '<img src="https://i.servimg.com/u/f11/leaks.jpg" alt="The War of Leaks leaks" />'
        assert extract_links(html, BASE) == [
            {"url": "https://i.servimg.com/u/f11/leaks.jpg", "text": "", "kind": "image"}
        ]

    def test_mailto_is_email(self) -> None:
        html = '<a href="mailto:editor@shafaq.com">write to us</a>'
        assert extract_links(html, BASE) == [
            {"url": "mailto:editor@shafaq.com", "text": "write to us", "kind": "email"}
        ]

    @pytest.mark.parametrize(
        "smiley",
        [
            '<img src="https://2img.net/i/fa/i/smiles/icon_smile.gif" alt=":)" />',
            '<img src="https://illiweb.com/fa/smiles/icon_cool.gif" alt="8)" />',
            '<img src="/users/3713/12/icon.png" longdesc="42" alt=":yes:" />',
        ],
    )
    def test_smilies_are_not_links(self, smiley: str) -> None:
        assert extract_links(f"Great {smiley}", BASE) == []

    @pytest.mark.parametrize(
        "href", ["javascript:void(0)", "#top", "", "data:image/png;base64,AAAA"]
    )
    def test_non_links_are_skipped(self, href: str) -> None:
        assert extract_links(f'<a href="{href}">x</a>', BASE) == []

    def test_hidden_link_anchor_is_skipped(self) -> None:
        html = '<a href="/register">[You must be registered and logged in to see this link.]</a>'
        assert extract_links(html, BASE) == []

    def test_embedded_player_is_a_link(self) -> None:
        html = '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" width="560"></iframe>'
        assert extract_links(html) == [
            {"url": "https://www.youtube.com/embed/dQw4w9WgXcQ", "text": "", "kind": "link"}
        ]

    def test_deduplicated_in_document_order(self) -> None:
        html = (
            '<a href="https://a.example/1">one</a> <img src="https://b.example/p.png" /> '
            '<a href="https://a.example/1">again</a> <a href="https://c.example/">three</a>'
        )
        assert [(link["url"], link["text"]) for link in extract_links(html)] == [
            ("https://a.example/1", "one"),
            ("https://b.example/p.png", ""),
            ("https://c.example/", "three"),
        ]

    def test_linked_image_gives_link_and_image(self) -> None:
        html = '<a href="https://x.example/big.jpg"><img src="https://x.example/big.jpg" /></a>'
        assert [link["kind"] for link in extract_links(html)] == ["link", "image"]

    def test_accepts_a_parsed_tree(self) -> None:
        tree = etree.fromstring("<div><a href='/t1-x'>topic</a></div>", etree.HTMLParser())
        assert extract_links(tree, BASE)[0]["url"] == "https://iraqidinar.forumotion.com/t1-x"

    def test_invalid_url_is_kept_as_written(self) -> None:
        assert extract_links('<a href="http://[broken/x">x</a>', BASE)[0]["url"] == (
            "http://[broken/x"
        )


class TestLeakedBbcodeLinks:
    def test_url_img_email_and_youtube(self) -> None:
        text = (
            "[url=https://shafaq.com/en/x]the report[/url] [url]https://ina.iq/y[/url] "
            "[img]https://i.servimg.com/u/f11/z.jpg[/img] [email]news@ina.iq[/email] "
            "[youtube]dQw4w9WgXcQ[/youtube] [flash]/player.swf[/flash]"
        )
        assert extract_links(text, BASE) == [
            {"url": "https://shafaq.com/en/x", "text": "the report", "kind": "link"},
            {"url": "https://ina.iq/y", "text": "https://ina.iq/y", "kind": "link"},
            {"url": "https://i.servimg.com/u/f11/z.jpg", "text": "", "kind": "image"},
            {"url": "mailto:news@ina.iq", "text": "news@ina.iq", "kind": "email"},
            {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "text": "", "kind": "link"},
            {"url": "https://iraqidinar.forumotion.com/player.swf", "text": "", "kind": "link"},
        ]

    def test_bbcode_inside_link_text_is_stripped(self) -> None:
        text = '[url="https://x.example/"][b]bold[/b] title[/url]'
        assert extract_links(text) == [
            {"url": "https://x.example/", "text": "bold title", "kind": "link"}
        ]

    def test_unclosed_url_still_gives_its_address(self) -> None:
        assert extract_links("[url=https://x.example/]never closed") == [
            {"url": "https://x.example/", "text": "", "kind": "link"}
        ]

    def test_html_and_bbcode_links_in_document_order(self) -> None:
        html = (
            '<a href="https://first.example/">first</a><br />'
            "[url=https://second.example/]second[/url]<br />"
            '<img src="https://third.example/t.png" />'
        )
        assert [link["url"] for link in extract_links(html)] == [
            "https://first.example/",
            "https://second.example/",
            "https://third.example/t.png",
        ]

    def test_bbcode_in_code_blocks_is_not_a_link(self) -> None:
        html = '<dl class="codebox"><dt>Code:</dt><dd><code>[url]https://x.example/[/url]</code></dd></dl>'
        assert extract_links(html) == []
