"""Tests for forumscraper.text.bbcode: leaked BBCode tags removed, content kept."""

from __future__ import annotations

import time

import pytest

from forumscraper.text.bbcode import TAG_NAMES, strip_bbcode, strip_bbcode_once
from forumscraper.text.clean import clean_post


class TestKnownTagsRemoved:
    def test_seed_post_title(self) -> None:
        leaked = (
            "[size=52]\u201cThe War of Leaks\u201d Confuses the Political Scene... "
            "Blackmail or Expose of Corruption?[/size]"
        )
        assert strip_bbcode(leaked) == (
            "\u201cThe War of Leaks\u201d Confuses the Political Scene... "
            "Blackmail or Expose of Corruption?"
        )

    @pytest.mark.parametrize(
        ("leaked", "expected"),
        [
            ("[b]Maliki leaks[/b]", "Maliki leaks"),
            ("[B]upper[/B] and [I]mixed[/i]", "upper and mixed"),
            ("[color=#FF0000]red[/color]", "red"),
            ('[color="red"]quoted[/color]', "quoted"),
            ("[font=Arial Black]font name with a space[/font]", "font name with a space"),
            ("[size=45]unclosed size", "unclosed size"),
            ("closed without opening[/size]", "closed without opening"),
            ("[center][u]Leaks on the way[/u][/center]", "Leaks on the way"),
            ("[align=justify]justified[/align]", "justified"),
            ("H[sub]2[/sub]O and x[sup]2[/sup]", "H2O and x2"),
            ("[s]struck[/s] [strike]out[/strike]", "struck out"),
            ("[spoiler]ending[/spoiler] [hide]secret[/hide]", "ending secret"),
            ("[code]x = 1[/code]", "x = 1"),
            ("[b:1a2b3c4d]phpBB uid[/b:1a2b3c4d]", "phpBB uid"),
            ("[b][i]mis[/b]nested[/i]", "misnested"),
        ],
    )
    def test_tags_removed_content_kept(self, leaked: str, expected: str) -> None:
        assert strip_bbcode(leaked) == expected

    @pytest.mark.parametrize("name", [name for name in TAG_NAMES if name != "*"])
    def test_every_listed_tag_is_removed(self, name: str) -> None:
        text = strip_bbcode(f"a[{name}]b[/{name.upper()}]c[{name}=x]")
        assert f"[{name}" not in text.lower()


class TestLinksAndMedia:
    def test_url_with_argument_keeps_the_link_text(self) -> None:
        assert strip_bbcode("See [url=https://shafaq.com/x]the report[/url].") == "See the report."

    def test_bare_url_keeps_the_address(self) -> None:
        assert strip_bbcode("[url]https://shafaq.com/x[/url]") == "https://shafaq.com/x"

    @pytest.mark.parametrize(
        "leaked",
        [
            "[img]https://i.servimg.com/u/f11/photo.jpg[/img]",
            "[IMG]https://i.servimg.com/u/f11/photo.jpg[/img]",
            "[img(200px,auto)]https://i.servimg.com/u/f11/photo.jpg[/img]",
            "[youtube]dQw4w9WgXcQ[/youtube]",
            "[flash]https://example.com/player.swf[/flash]",
        ],
    )
    def test_media_tags_leave_no_text(self, leaked: str) -> None:
        assert strip_bbcode(f"before {leaked} after") == "before  after"

    def test_email_keeps_the_address(self) -> None:
        assert strip_bbcode("[email]rocky@example.com[/email]") == "rocky@example.com"


class TestStructure:
    def test_list_items_become_dash_lines(self) -> None:
        assert strip_bbcode("[list][*]oil[*]gas[/list]Budget") == "- oil\n- gas\nBudget"

    def test_list_items_already_on_lines(self) -> None:
        assert strip_bbcode("[*]oil\n[*]gas") == "- oil\n- gas"

    def test_hr_breaks_the_line(self) -> None:
        assert strip_bbcode("above[hr]below") == "above\nbelow"

    def test_quote_with_name_gives_attribution_line(self) -> None:
        assert strip_bbcode('I agree[quote="Rocky"]Stop loans[/quote]Yes') == (
            "I agree\nRocky wrote:\nStop loans\nYes"
        )

    @pytest.mark.parametrize("argument", ["Rocky", '"Rocky"', "'Rocky'", "&quot;Rocky&quot;"])
    def test_quote_argument_forms(self, argument: str) -> None:
        assert strip_bbcode(f"[quote={argument}]x[/quote]").startswith("Rocky wrote:\nx")

    def test_table_cells_are_separated(self) -> None:
        assert strip_bbcode("[table][tr][td]Dinar[/td][td]1310[/td][/tr][/table]") == (
            " Dinar 1310\n"
        )


class TestLeftAlone:
    @pytest.mark.parametrize(
        "prose",
        [
            "[Post 1 of 2]",
            "He said [sic] it",
            "as shown in [1] and [23]",
            "[foo]unknown tag[/foo]",
            "[bold]not a tag[/bold]",
            "[size=45",
            "a [ b ] c",
            "[url=never closed",
        ],
    )
    def test_prose_brackets_untouched(self, prose: str) -> None:
        assert strip_bbcode(prose) == prose

    def test_text_without_brackets_is_returned_as_is(self) -> None:
        text = "Opinions on the audio leaks file varied."
        assert strip_bbcode(text) is text


class TestRobustness:
    def test_brackets_joined_by_a_removal_are_removed_too(self) -> None:
        assert strip_bbcode("[[b]b]x[/[/b]b]") == "x"

    def test_one_pass_counts_removed_tags(self) -> None:
        assert strip_bbcode_once("[b]x[/b] [sic]") == ("x [sic]", 2)

    @pytest.mark.parametrize(
        "leaked",
        [
            "[quote]" * 10_000 + "x" + "[/quote]" * 10_000,
            "[b]" * 10_000 + "x" + "[/b]" * 10_000,
            "[size=45]" * 10_000 + "x",
            "[/size]" * 10_000 + "x",
        ],
    )
    def test_deep_nesting_is_fast(self, leaked: str) -> None:
        start = time.perf_counter()
        assert strip_bbcode(leaked).strip() == "x"
        assert time.perf_counter() - start < 1.0

    @pytest.mark.parametrize(
        "pathological", ["[b=" * 50_000, "[img]" * 50_000, "[url=x]" * 50_000, "[" * 100_000]
    )
    def test_unterminated_tags_are_linear(self, pathological: str) -> None:
        start = time.perf_counter()
        strip_bbcode(pathological)
        assert time.perf_counter() - start < 1.0


class TestWritersBrackets:
    """phpBB's parser prints a bare tag nobody closes as typed: it is the writer's text."""

    @pytest.mark.parametrize(
        "prose", ["a[i] = b[i] + c[i]; then print a[i].", "cat[s] and dog[s]", "see [u] below"]
    )
    def test_a_bare_tag_never_closed_stays(self, prose: str) -> None:
        assert strip_bbcode(prose) == prose

    def test_a_tag_closed_anywhere_in_the_text_is_bbcode(self) -> None:
        assert strip_bbcode("[i]one\nline later[/i] and x[i]") == "one\nline later and x"

    @pytest.mark.parametrize(
        ("leaked", "left"),
        [("[size=45]no close", "no close"), ("tail[/size]", "tail"), ("[*]a[*]b", "- a\n- b")],
    )
    def test_arguments_closings_and_standalone_tags_go_unpaired(
        self, leaked: str, left: str
    ) -> None:
        assert strip_bbcode(leaked) == left

    def test_a_post_closing_the_tag_in_another_block_strips_it(self) -> None:
        result = clean_post("<p>[b]Title</p><p>Body[/b]</p><p>x[i]</p>")
        assert result.body_text == "Title\n\nBody\n\nx[i]"
