"""Tests for forumscraper.text.html: post HTML to readable text."""

from __future__ import annotations

import pytest

from forumscraper.text.html import html_to_text

PHPBB2_QUOTE = (
    "Je suis d'accord.<br />"
    '<dl class="codebox"><dt>Rocky wrote:</dt><dd>The Central Bank sells '
    "<strong>$285 million</strong> today.<br />Second line of the quote.</dd></dl>"
    "Thanks for posting."
)


class TestParagraphsAndLineBreaks:
    def test_br_is_a_line_break(self) -> None:
        assert html_to_text("First line<br />Second line") == "First line\nSecond line"

    @pytest.mark.parametrize("breaks", [2, 3, 7])
    def test_br_runs_give_at_most_one_blank_line(self, breaks: int) -> None:
        html = "Today at 9:59 by Rocky" + "<br />" * breaks + "» Stop government loans"
        assert html_to_text(html) == "Today at 9:59 by Rocky\n\n» Stop government loans"

    def test_paragraphs_are_separated_by_a_blank_line(self) -> None:
        html = "<p>Investigation into the leaks</p><p>The Integrity Commission began.</p>"
        assert (
            html_to_text(html) == "Investigation into the leaks\n\nThe Integrity Commission began."
        )

    def test_divs_are_lines(self) -> None:
        html = "<div>Maliki leaks</div><div>Leaks on the way</div>"
        assert html_to_text(html) == "Maliki leaks\nLeaks on the way"

    def test_source_newlines_are_spaces(self) -> None:
        html = "The spokesman\n   for the coalition,\n\n\nAqil al-Rudaini, said"
        assert html_to_text(html) == "The spokesman for the coalition, Aqil al-Rudaini, said"

    def test_no_leading_or_trailing_blank_lines(self) -> None:
        html = "<br /><br /><p></p>&nbsp;<br />Body<br /><br /><div> </div>"
        assert html_to_text(html) == "Body"

    def test_inline_markup_keeps_words_together(self) -> None:
        html = 'Al-<strong>Sudani</strong>: We have <span style="font-size: 18px">12</span> firms'
        assert html_to_text(html) == "Al-Sudani: We have 12 firms"

    def test_table_rows_are_lines(self) -> None:
        html = (
            "<table><tr><td>Dinar</td><td>1310</td></tr><tr><td>Euro</td><td>1.05</td></tr></table>"
        )
        assert html_to_text(html) == "Dinar 1310\nEuro 1.05"


class TestWhitespaceAndUnicode:
    def test_non_breaking_spaces_are_spaces(self) -> None:
        assert html_to_text("Iraq&nbsp;&nbsp;Dinar\u00a0News\u202fToday") == "Iraq Dinar News Today"

    def test_tabs_and_space_runs_collapse(self) -> None:
        assert html_to_text("a \t  b") == "a b"

    def test_text_is_nfc(self) -> None:
        assert html_to_text("Cre\u0301dit re\u0301el") == "Crédit réel"

    def test_arabic_and_bidi_marks_untouched(self) -> None:
        arabic = "السوداني: لدينا 12 شركة جاهزة لبناء المدارس \u200fRTL\u200e"
        assert html_to_text(f"<p>{arabic}</p>") == arabic

    def test_entities_are_decoded(self) -> None:
        assert html_to_text("Q&amp;A &lt;b&gt; &quot;x&quot; &#8217;") == 'Q&A <b> "x" \u2019'


class TestLists:
    def test_list_items_are_dash_lines(self) -> None:
        html = "Risks:<ul><li>loss of confidence</li><li>blackmail</li></ul>End"
        assert html_to_text(html) == "Risks:\n- loss of confidence\n- blackmail\nEnd"

    def test_ordered_lists_use_dashes_too(self) -> None:
        assert html_to_text("<ol><li>one</li><li>two</li></ol>") == "- one\n- two"


class TestQuotes:
    def test_phpbb2_codebox_quote(self) -> None:
        assert html_to_text(PHPBB2_QUOTE) == (
            "Je suis d'accord.\n\n"
            "Rocky wrote:\n"
            "> The Central Bank sells $285 million today.\n"
            "> Second line of the quote.\n\n"
            "Thanks for posting."
        )

    def test_blockquote_with_cite(self) -> None:
        html = (
            "<blockquote><cite>Jean a écrit:</cite><div>Le deal à ne pas rater</div></blockquote>"
            "Merci Jean"
        )
        assert html_to_text(html) == "Jean a écrit:\n> Le deal à ne pas rater\n\nMerci Jean"

    def test_nested_quotes_get_double_prefix(self) -> None:
        html = (
            '<dl class="codebox"><dt>Alice wrote:</dt><dd>'
            '<dl class="codebox"><dt>Bob wrote:</dt><dd>inner words</dd></dl>'
            "outer words</dd></dl>"
        )
        assert html_to_text(html) == (
            "Alice wrote:\n> Bob wrote:\n> > inner words\n>\n> outer words"
        )

    def test_quote_without_attribution(self) -> None:
        assert html_to_text("<blockquote><div>just quoted</div></blockquote>") == "> just quoted"


class TestCode:
    def test_codebox_is_verbatim_without_label(self) -> None:
        html = (
            'Try this:<dl class="codebox"><dt>Code:</dt><dd><code>'
            "for post in posts:<br />&nbsp; &nbsp; print( [b]post[/b] )</code></dd></dl>"
        )
        assert html_to_text(html) == "Try this:\n\nfor post in posts:\n    print( [b]post[/b] )"

    def test_pre_keeps_spaces_and_newlines(self) -> None:
        assert html_to_text("<pre>x  =  1\n\n    y = 2</pre>") == "x  =  1\n\n    y = 2"

    def test_inline_code_stays_in_its_line(self) -> None:
        assert html_to_text("Run <code>ls  -la</code> first") == "Run ls -la first"

    def test_code_inside_a_quote_is_prefixed(self) -> None:
        html = "<blockquote><cite>Al wrote:</cite><pre>a\n  b</pre></blockquote>"
        assert html_to_text(html) == "Al wrote:\n> a\n>   b"


class TestDroppedAndKeptContent:
    def test_image_alt_and_title_dropped(self) -> None:
        html = (
            'Rule book <img src="/users/empty.gif" alt="Rule Book v.1.0.0 Empty" '
            'title="Rule Book v.1.0.0 Empty" /> page'
        )
        assert html_to_text(html) == "Rule book page"

    def test_smilies_dropped(self) -> None:
        html = 'Great <img src="https://illiweb.com/fa/i/smiles/icon_smile.gif" longdesc="1" />'
        assert html_to_text(html) == "Great"

    def test_script_and_style_dropped(self) -> None:
        html = "<style>.x{color:red}</style>Text<script>var _userdata = {};</script> more"
        assert html_to_text(html) == "Text more"

    @pytest.mark.parametrize(
        "html",
        [
            '<dl class="codebox spoiler"><dt>Spoiler:</dt>'
            '<dd class="spoiler_closed">The end</dd></dl>',
            '<dl class="spoiler"><dt>Spoiler:</dt><dd class="spoiler_closed">The end</dd></dl>',
            '<dl class="hidecode"><dt>Spoiler:</dt><dd>The end</dd></dl>',
        ],
    )
    def test_spoilers_and_hidden_blocks_are_text(self, html: str) -> None:
        assert html_to_text(html) == "Spoiler:\nThe end"


class TestMalformedAndDeepHtml:
    @pytest.mark.parametrize(
        ("html", "expected"),
        [
            ("<b>unclosed <i>mis</b>nested</i> words", "unclosed misnested words"),
            ("</div></dd></dl>stray end tags", "stray end tags"),
            ("<p>one<p>two", "one\n\ntwo"),
            ("before</body>after</html>end", "beforeafterend"),
            ('<?xml version="1.0" encoding="utf-8"?><p>declared</p>', "declared"),
            ('<meta charset="iso-8859-1">déjà €', "déjà €"),
            ("<a href='x'>never closed", "never closed"),
            ("", ""),
            ("   \n ", ""),
        ],
    )
    def test_malformed_html(self, html: str, expected: str) -> None:
        assert html_to_text(html) == expected

    def test_control_characters_and_surrogates_removed(self) -> None:
        assert html_to_text("a\x00b\x01c\ud800d&#1;e\ufeff") == "abcde"

    @pytest.mark.parametrize("depth", [300, 3000, 10_000])
    def test_deep_div_nesting_loses_nothing(self, depth: int) -> None:
        html = "<div>" * depth + "deepest" + "</div>" * depth + "after"
        assert html_to_text(html) == "deepest\nafter"

    def test_deep_blockquotes_lose_nothing(self) -> None:
        html = "<blockquote>" * 10_000 + "deepest" + "</blockquote>" * 10_000 + "after"
        text = html_to_text(html)
        assert text.splitlines()[0].endswith("> deepest")
        assert text.splitlines()[-1] == "after"
