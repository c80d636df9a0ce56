"""Collapse a block of text repeated in one post (an article pasted twice into one post).

A *paragraph* is a non-blank line; a *block* is a run of consecutive paragraphs; blank lines
are ignored and whitespace is normalised for the comparison. Two kinds of repeat are collapsed:

* **Back to back**: a block immediately followed by one or more copies of itself. Only blocks of
  at least 200 characters or at least 3 paragraphs count, and only blocks that are not
  themselves a repetition of something shorter, so "Thank you" written five times, "-----"
  rulers and short list items stay.
* **After a short gap**: a block followed by a copy of itself once at most 3 paragraphs and 500
  characters sit between them: what a real paste puts after each copy (its own source link, a
  "Source:" or "via" line, the byline of the next copy). Only long prose counts here: at least
  500 characters in at least 2 paragraphs averaging at least 80 characters, so a list or a
  table repeated under two headings, a refrain, or one long sentence shared by two paragraphs
  stays. A longer gap (a real reply between the copies) keeps both copies.

Quoted lines ("> …", how :mod:`forumscraper.text.html` renders a quote) are never part of a
repeat: a multi-quote of two replies that both quoted the same post keeps both quotes.

Only the paragraphs equal to the first copy are removed. Whatever sits between the copies or
after the last one stays where it is, so every copy's own source link (its text) is still in
the text, after the first copy: "article, source A, source B". Links themselves never depend on
this module: :func:`forumscraper.text.clean.clean_post` lists them from the body HTML, every
copy's included. The copies must be equal apart from their last few paragraphs (which then
count as part of the gap and stay): copies that differ further inside (an edited paragraph in
the middle of the second one) are both kept.

The search is near-linear: paragraphs are interned to integers and compared through rolling
hashes; candidate periods come from the next few occurrences of each paragraph; a copy after a
gap is found with one hash comparison per candidate (it can be at most 3 paragraphs shorter than
the distance to it); a match is confirmed element by element before anything is removed.
"""

from __future__ import annotations

MIN_BLOCK_CHARS = 200
MIN_BLOCK_PARAGRAPHS = 3
MAX_CANDIDATES = 16
"""Later occurrences of a paragraph tried as the start of its repeat."""
MAX_ROUNDS = 16
"""Removing copies can put two other copies side by side; rounds stop at a fixpoint."""
MAX_GAP_PARAGRAPHS = 3
"""Paragraphs allowed between a block and a copy of it that is not back to back."""
MAX_GAP_CHARS = 500
"""Characters allowed in those paragraphs."""
MIN_GAPPED_BLOCK_CHARS = 500
"""A block repeated after a gap counts from this many characters ..."""
MIN_GAPPED_BLOCK_PARAGRAPHS = 2
"""... in this many paragraphs ..."""
MIN_GAPPED_AVERAGE_CHARS = 80
"""... of this many characters on average (prose, not list items or table rows)."""
MAX_GAPPED_CANDIDATES = 4
"""Later occurrences of a paragraph tried as the start of its copy after a gap (a block's first
paragraph rarely recurs inside it; when it does, the next paragraph starts the block)."""

_MODULUS = (1 << 61) - 1
_BASE = 1_000_000_007


def collapse_repeats(text: str, *, normalized: bool = False) -> tuple[str, int]:
    """Keep one copy of every block repeated back to back; returns the text and the number of
    copies removed. Text without repeats comes back unchanged.

    ``normalized=True`` says the lines are already whitespace-normalised (saves re-doing it).
    """
    lines = text.split("\n")
    total = 0
    for _ in range(MAX_ROUNDS):
        lines, removed = collapse_repeat_lines(lines, normalized=normalized)
        if not removed:
            break
        total += removed
    return ("\n".join(lines) if total else text), total


def collapse_repeat_lines(lines: list[str], *, normalized: bool = False) -> tuple[list[str], int]:
    """One left-to-right round of :func:`collapse_repeats` over a list of lines."""
    keys = lines if normalized else [" ".join(line.split()) for line in lines]
    units = [index for index, key in enumerate(keys) if key]
    count = len(units)
    if count < 2:
        return lines, 0
    interned: dict[str, int] = {}
    # A quoted line ("> …") gets an id of its own: two replies quoting the same post are both
    # quoted, never a paste to collapse (interned ids are at most ``count``).
    ids = [
        count + 1 + index
        if keys[index].startswith(">")
        else interned.setdefault(keys[index], len(interned) + 1)
        for index in units
    ]
    if len(interned) == count:  # every paragraph is unique: nothing can repeat
        return lines, 0
    spans = _Spans(ids, [len(keys[index]) for index in units])
    following = [-1] * count
    last_seen: dict[int, int] = {}
    for position in range(count - 1, -1, -1):
        following[position] = last_seen.get(ids[position], -1)
        last_seen[ids[position]] = position

    keep = [True] * len(lines)
    removed = 0
    start = 0
    while start < count:
        period, smallest = _find_period(spans, following, start)
        if not period and not smallest and following[start] >= 0:
            copy, length = _find_gapped_copy(spans, following, start)
            if length:
                # From just after the gap's last paragraph (blank lines included) to the copy's end.
                for index in range(units[copy - 1] + 1, units[copy + length - 1] + 1):
                    keep[index] = False
                removed += 1
                start = copy + length
                continue
        if not period:
            start = _skip_periodic_run(ids, start, smallest)
            continue
        copies = 2
        while spans.same(start, start + copies * period, period):
            copies += 1
        first_removed_line = units[start + period - 1] + 1
        last_removed_line = units[start + copies * period - 1]
        for index in range(first_removed_line, last_removed_line + 1):
            keep[index] = False
        removed += copies - 1
        start += copies * period
    if not removed:
        return lines, 0
    return [line for line, kept in zip(lines, keep, strict=True) if kept], removed


def _skip_periodic_run(ids: list[int], start: int, smallest: int) -> int:
    """Next start position to examine after ``start`` found no qualifying repeat.

    When a short block repeats from ``start`` (period ``smallest``, too short to count), every
    later start inside that periodic run would find only multiples of the same short block
    among its candidates, so the run is skipped up to where candidates reach past its end.
    """
    if not smallest:
        return start + 1
    end = start + smallest
    count = len(ids)
    while end < count and ids[end] == ids[end - smallest]:
        end += 1
    return max(start + 1, end - 2 * MAX_CANDIDATES * smallest)


def _find_period(spans: _Spans, following: list[int], start: int) -> tuple[int, int]:
    """Smallest qualifying period of a block starting at ``start`` and repeated right after,
    and the smallest period of any repeat there (0 when none).

    Candidates are the next occurrences of the block's first paragraph, nearest first. The
    first one whose repeat matches is the smallest period, and a smallest period is never a
    repetition of a shorter block; later matches that are multiples of it are skipped with one
    hash comparison, so periodic runs of short lines stay cheap.
    """
    hashes, powers, count = spans.hashes, spans.powers, spans.count
    smallest = 0
    candidate = following[start]
    for _ in range(MAX_CANDIDATES):
        if candidate < 0:
            break
        period = candidate - start
        end = candidate + period
        if end > count:
            break  # later candidates are farther still
        power = powers[period]
        if (hashes[candidate] - hashes[start] * power) % _MODULUS == (
            hashes[end] - hashes[candidate] * power
        ) % _MODULUS:
            qualifies = period >= MIN_BLOCK_PARAGRAPHS or (
                spans.chars(start, period) >= MIN_BLOCK_CHARS
            )
            if not smallest:
                smallest = period
                if qualifies and spans.same(start, candidate, period):
                    return period, smallest
            elif period % smallest == 0 and spans.hash(start, period - smallest) == spans.hash(
                start + smallest, period - smallest
            ):
                pass  # the shorter block repeated, not a block of its own
            elif (
                qualifies
                and spans.is_primitive(start, period)
                and spans.same(start, candidate, period)
            ):
                return period, smallest
        candidate = following[candidate]
    return 0, smallest


def _find_gapped_copy(spans: _Spans, following: list[int], start: int) -> tuple[int, int]:
    """Start and length of a copy of the long block starting at ``start`` that follows it after
    a gap of 1 to :data:`MAX_GAP_PARAGRAPHS` paragraphs; ``(0, 0)`` when there is none.

    A candidate ``c`` (a later occurrence of the first paragraph) leaves room for a copy of at
    least ``c - start - MAX_GAP_PARAGRAPHS`` paragraphs, so one hash comparison of that length
    rejects it; the copy is then extended paragraph by paragraph (at most the gap's length) and
    confirmed element by element.
    """
    ids, count = spans.ids, spans.count
    candidate = following[start]
    for _ in range(MAX_GAPPED_CANDIDATES):
        if candidate < 0:
            break
        period = candidate - start
        length = max(MIN_GAPPED_BLOCK_PARAGRAPHS, period - MAX_GAP_PARAGRAPHS)
        if candidate + length > count:
            break  # later candidates leave even less room after them
        if (
            length < period
            # cheap rejections first: second and last paragraphs, room for a long block
            and ids[start + 1] == ids[candidate + 1]
            and ids[start + length - 1] == ids[candidate + length - 1]
            and spans.chars(start, period - 1) >= MIN_GAPPED_BLOCK_CHARS
            and spans.hash(start, length) == spans.hash(candidate, length)
        ):
            while (
                length < period
                and candidate + length < count
                and ids[start + length] == ids[candidate + length]
            ):
                length += 1
            gap = period - length
            chars = spans.chars(start, length)
            if (
                gap  # no gap: a back-to-back repeat, which _find_period judged
                and chars >= MIN_GAPPED_BLOCK_CHARS
                and chars >= MIN_GAPPED_AVERAGE_CHARS * length
                and spans.chars(start + length, gap) <= MAX_GAP_CHARS
                and spans.same(start, candidate, length)
            ):
                return candidate, length
        candidate = following[candidate]
    return 0, 0


class _Spans:
    """Rolling hashes, character counts and comparisons over runs of paragraph ids."""

    def __init__(self, ids: list[int], lengths: list[int]) -> None:
        self.ids = ids
        self.count = len(ids)
        hashes = [0] * (self.count + 1)
        powers = [1] * (self.count + 1)
        chars = [0] * (self.count + 1)
        for index, value in enumerate(ids):
            hashes[index + 1] = (hashes[index] * _BASE + value) % _MODULUS
            powers[index + 1] = (powers[index] * _BASE) % _MODULUS
            chars[index + 1] = chars[index] + lengths[index]
        self.hashes = hashes
        self.powers = powers
        self._chars = chars

    def hash(self, start: int, length: int) -> int:
        return (self.hashes[start + length] - self.hashes[start] * self.powers[length]) % _MODULUS

    def chars(self, start: int, length: int) -> int:
        return self._chars[start + length] - self._chars[start]

    def same(self, first: int, second: int, length: int) -> bool:
        """ids[first:first+length] == ids[second:second+length] (False past the end)."""
        if second + length > self.count:
            return False
        if self.hash(first, length) != self.hash(second, length):
            return False
        return self.ids[first : first + length] == self.ids[second : second + length]

    def is_primitive(self, start: int, length: int) -> bool:
        """False when the block is a shorter block repeated (it has a period dividing it)."""
        divisor = 1
        while divisor * divisor <= length:
            if length % divisor == 0:
                for period in (divisor, length // divisor):
                    if period < length and self.hash(start, length - period) == self.hash(
                        start + period, length - period
                    ):
                        return False
            divisor += 1
        return True
