"""Throughput of :func:`forumscraper.text.clean.clean_post` (a benchmark script, not a test).

Prints MB/s on realistic Forumotion post HTML of about 10 KB, 100 KB and 1 MB (paragraphs
joined by ``<br />``, bold and sized spans, links, smilies, quotes, a code box, leaked BBCode
and guest placeholders), and the time for 10,000-deep nestings of quotes and BBCode.

Run: ``.venv/bin/python bench/bench_clean.py``
"""

from __future__ import annotations

import statistics
import time

from forumscraper.text.clean import clean_post

_SENTENCE = (
    "The Integrity Commission began investigating an audio recording attributed to the head "
    "of the advisory board regarding receiving bribes in exchange for an investment opportunity"
)


def _paragraph(number: int) -> str:
    kind = number % 8
    text = f"{number}. {_SENTENCE}, according to source {number * 7919 % 1000}."
    if kind == 0:
        return f'<span style="font-size: 18px; line-height: normal"><strong>{text}</strong></span>'
    if kind == 1:
        return f'{text} <a href="/t{number}-topic" class="postlink">related topic {number}</a>'
    if kind == 2:
        return f'{text} <img src="https://illiweb.com/fa/i/smiles/icon_smile.gif" longdesc="1" />'
    if kind == 3:
        return f"[size=45]{text}[/size] [You must be registered and logged in to see this link.]"
    if kind == 4:
        return (
            f'<dl class="codebox"><dt>Rocky wrote:</dt><dd>{text}<br />'
            f"and a second quoted line {number}</dd></dl>"
        )
    if kind == 5:
        return (
            f'<dl class="codebox"><dt>Code:</dt><dd><code>x = {number}<br />'
            "print(x)</code></dd></dl>"
        )
    if kind == 6:
        return f"<ul><li>{text}</li><li>item {number}</li></ul>"
    return f"<em>{text}</em> &nbsp;[b]leaked bold {number}[/b]"


def make_post(size: int) -> str:
    """Post HTML of about ``size`` characters (no two paragraphs alike)."""
    parts: list[str] = []
    total = 0
    number = 0
    while total < size:
        paragraph = _paragraph(number)
        parts.append(paragraph)
        total += len(paragraph) + 6
        number += 1
    return "<br />".join(parts)


def _row(label: str, html: str, repeat: int) -> None:
    """Time ``clean_post(html)`` (minimum of a few runs, median of many) and print a row."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        clean_post(html)
        times.append(time.perf_counter() - start)
    seconds = min(times) if repeat < 5 else statistics.median(times)
    rate = len(html) / seconds / 1e6
    print(f"{label:<28} {len(html):>10,} {seconds * 1e3:>9.2f} ms {rate:>7.1f}")


def main() -> None:
    print(f"{'input':<28} {'chars':>10} {'time':>12} {'MB/s':>7}")
    _row("post 10 KB", make_post(10_000), 200)
    _row("post 100 KB", make_post(100_000), 20)
    _row("post 1 MB", make_post(1_000_000), 5)
    depth = 10_000
    _row("10,000 x [quote]", "[quote]" * depth + "x" + "[/quote]" * depth, 3)
    _row("10,000 x [b]", "[b]" * depth + "x" + "[/b]" * depth, 3)
    _row("10,000 x <blockquote>", "<blockquote>" * depth + "x" + "</blockquote>" * depth, 3)
    quote = '<dl class="codebox"><dt>A wrote:</dt><dd>'
    _row("10,000 x dl.codebox quote", quote * depth + "x" + "</dd></dl>" * depth, 3)


if __name__ == "__main__":
    main()
