"""Throughput of :func:`forumscraper.text.clean.clean_post` (a benchmark script, not a test).

Prints MB/s on realistic Forumotion post HTML of about 10 KB, 100 KB and 1 MB (paragraphs
joined by ``<br />``, bold and sized spans, links, smilies, quotes, a code box, leaked BBCode
and guest placeholders), and the time for 10,000-deep nestings of quotes and BBCode.

Run: ``.venv/bin/python bench/bench_clean.py``. ``python -m bench`` runs :func:`measure` (the
"clean" row of its table: one core, the three sizes and the post bodies of the benchmark forum)
through ``python -m bench.bench_clean --json PATH``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

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


def _time(html: str, repeat: int) -> float:
    """Seconds of CPU for ``clean_post(html)`` (minimum of a few runs, median of many)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        clean_post(html)
        times.append(time.process_time() - start)
    return min(times) if repeat < 5 else statistics.median(times)


def _row(label: str, html: str, repeat: int) -> None:
    """Time ``clean_post(html)`` and print a row."""
    seconds = _time(html, repeat)
    rate = len(html) / seconds / 1e6
    print(f"{label:<28} {len(html):>10,} {seconds * 1e3:>9.2f} ms {rate:>7.1f}")


def measure(fixture_topics: int = 300) -> dict[str, Any]:
    """MB/s of ``clean_post`` on one core: synthetic posts of 10 KB, 100 KB and 1 MB, and every
    post body of a benchmark forum of ``fixture_topics`` topics (:mod:`bench.fixture`)."""
    from bench.fixture import iter_post_bodies, make_board

    sizes: dict[str, float] = {}
    for label, size, repeat in (
        ("10KB", 10_000, 200),
        ("100KB", 100_000, 20),
        ("1MB", 1_000_000, 5),
    ):
        html = make_post(size)
        sizes[label] = len(html.encode("utf-8")) / _time(html, repeat) / 1e6
    bodies = list(iter_post_bodies(make_board(fixture_topics)))
    total = sum(len(body.encode("utf-8")) for body in bodies)
    start = time.process_time()
    for body in bodies:
        clean_post(body)
    seconds = time.process_time() - start
    return {
        "mb_per_s": sizes,
        "fixture_posts": len(bodies),
        "fixture_mb": total / 1e6,
        "fixture_mb_per_s": total / seconds / 1e6,
        "us_per_post": seconds / len(bodies) * 1e6,
        "linearity": sizes["1MB"] / sizes["10KB"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Throughput of clean_post.")
    parser.add_argument("--json", help="run measure() and write its result to this file")
    parser.add_argument("--fixture-topics", type=int, default=300)
    args = parser.parse_args()
    if args.json:
        Path(args.json).write_text(json.dumps(measure(args.fixture_topics)), encoding="utf-8")
        return
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
    if not __package__:  # run as a script: make the ``bench`` package importable
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
