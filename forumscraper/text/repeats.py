"""Collapse a block of text repeated back to back (an article pasted twice into one post).

A *paragraph* is a non-blank line; a *block* is a run of consecutive paragraphs. When a block
is immediately followed by one or more copies of itself (blank lines between them ignored,
whitespace normalised for the comparison), the copies are removed. Only blocks of at least
200 characters or at least 3 paragraphs count, and only blocks that are not themselves a
repetition of something shorter, so "Thank you" written five times, "-----" rulers and short
list items stay.

The search is near-linear: paragraphs are interned to integers and compared through rolling
hashes; candidate periods come from the next few occurrences of each paragraph; a match is
confirmed element by element before anything is removed.
"""

from __future__ import annotations

MIN_BLOCK_CHARS = 200
MIN_BLOCK_PARAGRAPHS = 3
MAX_CANDIDATES = 16
"""Later occurrences of a paragraph tried as the start of its repeat."""
MAX_ROUNDS = 16
"""Removing copies can put two other copies side by side; rounds stop at a fixpoint."""

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
    ids = [interned.setdefault(keys[index], len(interned) + 1) for index in units]
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
