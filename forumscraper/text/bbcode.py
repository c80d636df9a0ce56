"""Remove BBCode tags that leaked into post text, keeping their content.

Forumotion's phpBB2-era parser leaves tags it does not accept as literal text (``[size=45]``
and ``[size=52]`` never match its ``[size=0-29]`` rule), and copy-pasted articles bring
unclosed or mis-nested tags with them. :func:`strip_bbcode` removes the known tags in one
linear regex pass; it never pairs tags across lines, so unclosed, mis-nested and 10,000-deep
input cost the same as well-formed input. Unknown ``[tags]`` and brackets in prose
("[sic]", "[1]", "[Post 1 of 2]") are left alone, and so is a bare known tag the text never
closes ("a[i] = b[i]", "cat[s]"): it is how the writer typed it.
"""

from __future__ import annotations

import re

TAG_NAMES: tuple[str, ...] = (
    "b", "i", "u", "s", "strike", "size", "color", "colour", "font", "center", "left",
    "right", "justify", "align", "sup", "sub", "quote", "code", "spoiler", "hide", "url",
    "img", "email", "list", "*", "youtube", "flash", "dailymotion", "table", "tr", "td", "th",
    "hr", "scroll", "updown",
)  # fmt: skip
"""Tags removed wherever they appear, in any case, with or without an ``=argument``."""

MEDIA_TAG_NAMES: tuple[str, ...] = ("img", "youtube", "flash", "dailymotion")
"""Tags whose content is a URL rather than text: ``[img]URL[/img]`` leaves nothing behind."""

# phpBB stores tags with a uid suffix ("[b:1a2b3c4d]", "[/*:m]"); it sometimes leaks too.
_UID = r"(?::[0-9a-z]{1,10})?"
# An argument: "=value" (quoted or not) or attributes after a space / "(" ("[img(200px,auto)]").
# Bounded repetitions keep every attempt short, so a line full of "[b=" stays linear.
_ARGUMENT = (
    r"(?:[ \t]*=[ \t]*(?P<arg>\"[^\"\]\n]{0,300}+\"|'[^'\]\n]{0,300}+'|[^\]\n]{0,300}+)"
    r"|[ \t(][^\]\n]{0,300}+)?"
)
_NAMES_PATTERN = "|".join(re.escape(name) for name in sorted(TAG_NAMES, key=len, reverse=True))
_MEDIA_PATTERN = "|".join(MEDIA_TAG_NAMES)

_TOKEN_RE = re.compile(
    # [img]URL[/img] and friends, removed with their content; the content may not hold
    # brackets or newlines, so a failed attempt stops at the next bracket.
    rf"\[(?P<media>{_MEDIA_PATTERN}){_UID}(?:[ \t]*=[^\]\n]{{0,300}}+|[ \t(][^\]\n]{{0,300}}+)?\]"
    rf"[^\[\]\n]{{0,2048}}+\[/(?P=media){_UID}\]"
    # any single known tag
    rf"|\[(?P<close>/?)(?P<name>{_NAMES_PATTERN}){_UID}{_ARGUMENT}\]",
    re.IGNORECASE,
)
_CLOSING_RE = re.compile(rf"\[/({_NAMES_PATTERN}){_UID}\]", re.IGNORECASE)
_STANDALONE_TAGS = frozenset({"*", "hr"})
_LINE_BREAK_TAGS = frozenset({"hr", "list", "table", "tr", "quote"})
_CELL_TAGS = frozenset({"td", "th"})
_QUOTE_ENTITY_RE = re.compile(r"&(?:quot|#0*34|#x0*22);", re.IGNORECASE)

MAX_PASSES = 32
"""Removing a tag can join brackets into a new tag ("[[b]b]"); passes stop at a fixpoint."""


def strip_bbcode(text: str) -> str:
    """Remove leaked BBCode tags and keep their content.

    ``[url=X]T[/url]`` keeps T, ``[url]X[/url]`` keeps X, ``[img]X[/img]``,
    ``[youtube]X[/youtube]`` and ``[flash]X[/flash]`` leave nothing, ``[*]`` starts a "- " list
    line, ``[hr]``, ``[list]``, ``[table]``, ``[tr]`` and ``[quote]`` break the line and
    ``[quote="X"]`` becomes an "X wrote:" line. Runs to a fixpoint, so the result holds no
    known tag even when removal joined brackets into a new one.
    """
    closed = closed_tags(text)
    for _ in range(MAX_PASSES):
        text, removed = strip_bbcode_once(text, closed)
        if not removed:
            break
    return text


def closed_tags(text: str) -> frozenset[str]:
    """The known tags ``text`` closes somewhere (``[/b]`` -> ``b``), lower case."""
    if "[/" not in text:
        return frozenset()
    return frozenset(name.lower() for name in _CLOSING_RE.findall(text))


def strip_bbcode_once(text: str, closed: frozenset[str] | None = None) -> tuple[str, int]:
    """One linear pass of :func:`strip_bbcode`; returns the text and the number of tags removed.

    ``closed``: the tags the whole post closes (:func:`closed_tags`), when ``text`` is a part
    of it; by default the ones ``text`` closes."""
    if "[" not in text:
        return text, 0
    out: list[str] = []
    pos = 0
    removed = 0
    line_start = True  # the output so far ends a line (ignoring spaces)
    if closed is None:
        closed = closed_tags(text)
    for match in _TOKEN_RE.finditer(text):
        name = (match.group("name") or "").lower()
        if name and _is_prose(match, name, closed):
            continue
        start = match.start()
        if start > pos:
            before = text[pos:start]
            out.append(before)
            visible = before.rstrip(" \t")
            if visible:
                line_start = visible.endswith("\n")
        pos = match.end()
        removed += 1
        if match.group("media"):
            continue
        closing = bool(match.group("close"))
        if name == "*":
            if not closing:
                out.append("- " if line_start else "\n- ")
                line_start = False
        elif name == "quote" and not closing and (who := _attribution(match.group("arg"))):
            out.append(f"{who} wrote:\n" if line_start else f"\n{who} wrote:\n")
            line_start = True
        elif name in _LINE_BREAK_TAGS:
            if not line_start:
                out.append("\n")
                line_start = True
        elif name in _CELL_TAGS and not closing:
            out.append(" ")
    out.append(text[pos:])
    return "".join(out), removed


def _is_prose(match: re.Match[str], name: str, closed: frozenset[str]) -> bool:
    """A bare opening tag never closed in the text is the writer's brackets ("a[i] = b[i]",
    "cat[s]"): phpBB's parser leaves an unclosed ``[i]`` as typed, and so do we. Closing tags,
    tags with an argument (``[size=45]``) and the tags that stand alone (``[*]``, ``[hr]``)
    are BBCode wherever they are."""
    return (
        name not in closed
        and name not in _STANDALONE_TAGS
        and not match.group("close")
        and len(match[0]) == len(name) + 2
    )


def _attribution(argument: str | None) -> str:
    """The author name of ``[quote="X"]`` / ``[quote=X]`` (quotes and &quot; removed)."""
    if not argument:
        return ""
    name = _QUOTE_ENTITY_RE.sub('"', argument).strip()
    if name[:1] in "\"'" and len(name) >= 2:
        quote = name[0]
        end = name.find(quote, 1)
        name = name[1:end] if end > 0 else name[1:]
    return " ".join(name.replace("[", " ").replace("]", " ").split())
