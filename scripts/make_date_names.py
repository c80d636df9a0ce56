"""Write ``forumscraper/text/date_names.py``: the date words of every Forumotion board language.

The date reader (``forumscraper/text/dates.py``) must know the month and weekday names, the
"Today"/"Yesterday" words and the little words printed between a date and its time ("at", "à",
"um", "في") of each language a Forumotion board can be set to. They are not typed by hand: this
script takes them from two kept sources,

- CLDR, as shipped by ``babel``: month and weekday names, wide, abbreviated and (weekdays) short,
  in their format (genitive: Russian "января") and stand-alone (nominative: "январь") forms;
- ``dateparser``'s locale data: more spellings (Turkish "pzt", Greek genitives…), "today" and
  "yesterday" (``relative-type``) and the words it skips ("at", "à", "في", "в"…);

then adds the Forumotion spellings that neither source has, each with where it was seen
(``FORUMOTION`` below, from ``shared/forumotion/DATES.md``). Run it after upgrading either source
or adding a language, and commit the result with the babel and dateparser versions it names::

    .venv/bin/pip install -e '.[dates]'          # babel and dateparser
    .venv/bin/python scripts/make_date_names.py   # rewrites forumscraper/text/date_names.py
    .venv/bin/ruff format forumscraper/text/date_names.py

Nothing here runs during a crawl: the generated module is plain data.
"""

from __future__ import annotations

import sys
import unicodedata
from importlib.metadata import version
from pathlib import Path

from babel import Locale
from dateparser.languages.loader import default_loader

OUTPUT = Path(__file__).resolve().parent.parent / "forumscraper" / "text" / "date_names.py"

LANGUAGES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # board language: (CLDR locales, dateparser locales), merged
    "ar": (("ar",), ("ar",)),
    "bg": (("bg",), ("bg",)),
    "bs": (("bs",), ("bs", "bs-Latn")),
    "ca": (("ca",), ("ca",)),
    "cs": (("cs",), ("cs",)),
    "da": (("da",), ("da",)),
    "de": (("de", "de_AT", "de_CH"), ("de",)),
    "el": (("el",), ("el",)),
    "en": (("en", "en_GB"), ("en",)),
    "es": (("es", "es_419"), ("es",)),
    "et": (("et",), ("et",)),
    "eu": (("eu",), ("eu",)),
    "fa": (("fa",), ("fa",)),
    "fi": (("fi",), ("fi",)),
    "fil": (("fil",), ("fil", "tl")),
    "fr": (("fr",), ("fr",)),
    "gl": (("gl",), ("gl",)),
    "he": (("he",), ("he",)),
    "hr": (("hr",), ("hr",)),
    "hu": (("hu",), ("hu",)),
    "id": (("id",), ("id",)),
    "is": (("is",), ("is",)),
    "it": (("it",), ("it",)),
    "ja": (("ja",), ("ja",)),
    "ko": (("ko",), ("ko",)),
    "lt": (("lt",), ("lt",)),
    "lv": (("lv",), ("lv",)),
    "mk": (("mk",), ("mk",)),
    "ms": (("ms",), ("ms",)),
    "nb": (("nb", "nn"), ("nb", "nn")),
    "nl": (("nl",), ("nl",)),
    "pl": (("pl",), ("pl",)),
    "pt": (("pt", "pt_PT"), ("pt",)),
    "ro": (("ro",), ("ro",)),
    "ru": (("ru",), ("ru",)),
    "sk": (("sk",), ("sk",)),
    "sl": (("sl",), ("sl",)),
    "sq": (("sq",), ("sq",)),
    "sr": (("sr",), ("sr", "sr-Cyrl")),
    "sr-Latn": (("sr_Latn",), ("sr-Latn",)),
    "sv": (("sv",), ("sv",)),
    "th": (("th",), ("th",)),
    "tr": (("tr",), ("tr",)),
    "uk": (("uk",), ("uk",)),
    "vi": (("vi",), ("vi",)),
    "zh-Hans": (("zh_Hans",), ("zh-Hans", "zh")),
    "zh-Hant": (("zh_Hant",), ("zh-Hant",)),
}
"""The board languages Forumotion offers (its language list, as close as the sources name
them; Serbian and Chinese in both scripts)."""

MONTH_KEYS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
BABEL_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

FORUMOTION: dict[str, dict[str, dict[int, tuple[str, ...]]]] = {
    # Spellings real boards print that the sources lack (DATES.md, "Names seen, per language").
    "tr": {
        # yetkin-forum: "Ptsi Eyl. 21, 2009", "Perş. Ocak 01, 1970"; the weekdays DATES.md
        # lists that are not prefixes of CLDR's names (or not obviously so)
        "weekdays": {0: ("ptsi",), 2: ("çarş.",), 3: ("perş.",), 5: ("c.tesi",)},
    },
    "de": {
        # German "Mrz" (März): read by earlier versions of the date table, kept.
        "months": {3: ("mrz",)},
    },
}

CONNECTORS: dict[str, tuple[str, ...]] = {
    # "<date> at <time>" words the sources do not skip; grammar, not seen on Forumotion pages.
    "da": ("kl",),
    "el": ("στις",),
    "fi": ("klo",),
    "hr": ("u",),
    "bs": ("u",),
    "sr": ("\u0443",),  # Cyrillic u
    "sr-Latn": ("u",),
    "it": ("all'",),
    "nb": ("kl",),
    "ro": ("ora",),
    "sl": ("ob",),
    "sv": ("kl",),
    "tr": ("saat",),
    "vi": ("lúc",),
    "es": ("a la",),
}

_INNER = frozenset(" .'-\u05f3\u05f4\u200c\u200d")
"""Marks a name may hold besides letters and digits: space, dot, apostrophe, hyphen, Hebrew
geresh and gershayim, the zero-width (non-)joiners of Persian."""


def _keep(word: str, *, single_letter: bool) -> bool:
    """Whether a source's word is a name to keep: it starts with a letter or digit and holds
    nothing but letters, digits, combining marks (Thai, Arabic, decomposed accents) and
    ``_INNER``."""
    if not word or not word[0].isalnum():
        return False
    if not all(c.isalnum() or c in _INNER or unicodedata.category(c)[0] == "M" for c in word):
        return False
    # Single Latin letters (dateparser's narrow forms, Roman numerals "I", "V") name nothing
    # with confidence; CLDR's abbreviated single letters (Hungarian "H", "K", "P") are kept.
    return single_letter or len(word) > 1 or not word.isascii()


def _add(found: list[str], words: object, *, single_letter: bool = False) -> None:
    for word in words if isinstance(words, (list, tuple)) else [words]:
        if not isinstance(word, str):
            continue
        text = word.strip().casefold()
        if _keep(text, single_letter=single_letter) and text not in found:
            found.append(text)


def names_of(language: str) -> dict[str, object]:
    cldr_locales, dateparser_locales = LANGUAGES[language]
    months: list[list[str]] = [[] for _ in range(12)]
    weekdays: list[list[str]] = [[] for _ in range(7)]
    today: list[str] = []
    yesterday: list[str] = []
    connectors: list[str] = []
    meridiems: list[str] = []
    for code in cldr_locales:
        locale = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number in range(1, 13):
                    name = locale.months[context][width][number]
                    _add(months[number - 1], name, single_letter=True)
            for width in ("wide", "abbreviated", "short"):
                for day in range(7):
                    _add(weekdays[day], locale.days[context][width][day], single_letter=True)
    for code in dateparser_locales:
        info = default_loader.get_locale(code).info
        for number, key in enumerate(MONTH_KEYS):
            _add(months[number], info.get(key, []))
        for day, key in enumerate(WEEKDAY_KEYS):
            _add(weekdays[day], info.get(key, []))
        relative = info.get("relative-type", {})
        _add(today, relative.get("0 day ago", []))
        _add(yesterday, relative.get("1 day ago", []))
        _add(connectors, info.get("skip", []), single_letter=True)
        _add(meridiems, info.get("am", []) + info.get("pm", []))
    extra = FORUMOTION.get(language, {})
    for number, words in extra.get("months", {}).items():
        _add(months[number - 1], words)
    for day, words in extra.get("weekdays", {}).items():
        _add(weekdays[day], words)
    _add(connectors, CONNECTORS.get(language, ()), single_letter=True)
    # Never skip an am/pm word (Arabic "مساءً" is in dateparser's skip list): it moves the hour.
    connectors = [word for word in connectors if word not in meridiems]
    return {
        "months": tuple(tuple(names) for names in months),
        "weekdays": tuple(tuple(names) for names in weekdays),
        "today": tuple(today),
        "yesterday": tuple(yesterday),
        "connectors": tuple(connectors),
    }


HEADER = '''# ruff: noqa: RUF001 (Cyrillic, Greek… letters that look Latin are the point)
"""Date words of every Forumotion board language, for :mod:`forumscraper.text.dates`.

GENERATED by ``scripts/make_date_names.py`` from CLDR (babel {babel}) and dateparser {dateparser}
locale data, plus the Forumotion spellings of ``shared/forumotion/DATES.md``: edit the script and
run it again, never this file. Names are lower case as the sources spell them; the reader
normalises them (accents, case) the way it normalises a page's text.
"""

from __future__ import annotations

from typing import NamedTuple


class DateNames(NamedTuple):
    """The date words of one language."""

    months: tuple[tuple[str, ...], ...]
    """Twelve tuples, January first: every spelling of each month."""
    weekdays: tuple[tuple[str, ...], ...]
    """Seven tuples, Monday first (``date.weekday()`` order)."""
    today: tuple[str, ...]
    yesterday: tuple[str, ...]
    connectors: tuple[str, ...]
    """Words printed around a date that are not part of it ("at", "à", "في", "в")."""


NAMES: dict[str, DateNames] = {{
'''


def main() -> int:
    lines = [HEADER.format(babel=version("babel"), dateparser=version("dateparser"))]
    for language in sorted(LANGUAGES):
        names = names_of(language)
        lines.append(f"    {language!r}: DateNames(\n")
        for key, value in names.items():
            lines.append(f"        {key}={value!r},\n")
        lines.append("    ),\n")
    lines.append("}\n")
    OUTPUT.write_text("".join(lines), encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(LANGUAGES)} languages)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
