"""Near-duplicate articles: the MinHash signature of a post's text and its LSH band keys.

The same article pasted in several topics with small differences (another source line, a
trimmed sentence, BBCode leftovers) shares no ``content_hash``. Two such copies share most of
their *word shingles* (every run of :data:`SHINGLE_WORDS` consecutive words, lower-cased), so
the Jaccard similarity of their shingle sets stays high, while two different articles on the
same subject share few. A MinHash signature (``datasketch``, :data:`NUM_PERM` permutations)
estimates that similarity from :data:`NUM_PERM` numbers per post; locality-sensitive hashing
cuts each signature into ``b`` bands of ``r`` numbers, and two posts become candidates when
one of their bands is equal (``datasketch.MinHashLSH`` chooses ``b`` and ``r`` for
:data:`THRESHOLD`, weighted towards recall: every candidate pair is then checked on its
signatures, so a false candidate costs a comparison, a missed pair is lost).

Only *articles* are compared: posts whose clean text is at least :data:`MIN_ARTICLE_CHARS`
characters long. Shorter posts ("I agree", a two-line reply) share whole shingle sets by chance
and are not what people mean by "the same article".

The functions are pure (no database) except :func:`after_crawl`, the crawl's step at its
close; :mod:`forumscraper.db.near_duplicates` stores the signatures and
bands and keeps the groups; ``bench/near_duplicates.py`` measures precision and recall.
"""

from __future__ import annotations

import hashlib
import logging
import re
import zlib
from functools import cache, partial
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

logger = logging.getLogger(__name__)

MIN_ARTICLE_CHARS = 500
"""The shortest ``body_text`` (characters) that counts as an article. The demo board's longest
chatter post is 369 characters, a news article is thousands."""
SHINGLE_WORDS = 3
"""Words per shingle: single words would make any two texts on one subject similar, long
shingles would let each small edit break many of them."""
NUM_PERM = 64
"""MinHash permutations: the signature is this many 32-bit numbers (256 bytes). The estimate's
standard error is about 0.06 at a similarity of 0.5, small beside the gap between copies (0.7 and
more) and different articles on one subject (0.2 and less)."""
THRESHOLD = 0.5
"""Two articles are near-duplicates when the Jaccard similarity of their shingle sets is at
least this (chosen on the labelled set of ``bench/near_duplicates.py``)."""
CANDIDATE_FLOOR = 0.35
SURE_ABOVE = 0.7
"""A pair whose signatures agree on at least :data:`CANDIDATE_FLOOR` of their values, and on
less than :data:`SURE_ABOVE`, has its exact similarity computed from the two texts
(:func:`jaccard`): the estimate alone would let pairs near :data:`THRESHOLD` in or out by its
error. Above :data:`SURE_ABOVE` (3 standard errors over the threshold) it is a copy."""
LSH_WEIGHTS = (0.2, 0.8)
"""``MinHashLSH``'s (false positive, false negative) weights: candidates are checked anyway."""
SEED = 1
SCHEME = "affine32"
"""datasketch's permutation scheme (2.0 and later): stored signatures stay comparable only
with the same seed, scheme and shingle hash."""

_WORD = re.compile(r"\w+")


def own_text(body_text: str) -> str:
    """The post's own words: its quoted lines (``> …``, as the cleaner writes a quote) left
    out. A reply quoting a whole article is not a copy of it."""
    if ">" not in body_text:
        return body_text
    return "\n".join(line for line in body_text.split("\n") if not line.startswith(">"))


def is_article(body_text: str | None) -> bool:
    """Whether a post's own text (:func:`own_text`) is long enough to be compared
    (:data:`MIN_ARTICLE_CHARS`)."""
    return body_text is not None and len(own_text(body_text)) >= MIN_ARTICLE_CHARS


Shingles = set[tuple[str, ...]]
"""A text's shingles as word tuples (for the exact similarity, inside one process)."""


def _words(text: str) -> list[str]:
    return _WORD.findall(own_text(text).lower())


def shingles(text: str) -> Shingles:
    """The word shingles of ``text``'s own words (:func:`own_text`): runs of
    :data:`SHINGLE_WORDS` words (``\\w+``, any script), lower-cased. A text shorter than a
    shingle is one shingle."""
    words = _words(text)
    if len(words) < SHINGLE_WORDS:
        return {tuple(words)} if words else set()
    return set(zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False))


def jaccard(a: str | Shingles, b: str | Shingles) -> float:
    """The exact Jaccard similarity of two texts' shingle sets (a set given is taken as the
    text's :func:`shingles`): what a pair the signatures found close is confirmed on."""
    first = a if isinstance(a, set) else shingles(a)
    second = b if isinstance(b, set) else shingles(b)
    union = len(first | second)
    return len(first & second) / union if union else 0.0


_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(1))
"""Odd multipliers combining the three words' CRC-32 of a shingle (arithmetic modulo 2**64)."""


def shingle_hashes(text: str) -> np.ndarray:
    """The shingles of ``text`` as distinct 32-bit numbers, stable across processes and
    machines (unlike ``hash()``): each word's CRC-32, three of them mixed with odd multipliers
    and folded to 32 bits, in numpy (about ten times cheaper than hashing each shingle's text
    in Python)."""
    words = _words(text)
    if not words:
        return np.zeros(0, dtype=np.uint64)
    codes = np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64, count=len(words))
    if len(codes) < SHINGLE_WORDS:
        codes = np.concatenate([codes, np.zeros(SHINGLE_WORDS - len(codes), dtype=np.uint64)])
    n = len(codes) - SHINGLE_WORDS + 1
    mixed = np.zeros(n, dtype=np.uint64)
    for offset, factor in enumerate(_MIX):
        mixed += codes[offset : offset + n] * factor
    return np.unique((mixed ^ (mixed >> np.uint64(32))) & np.uint64(0xFFFFFFFF))


def _identity(value: int) -> int:
    return int(value)


def signature(text: str) -> np.ndarray:
    """The MinHash signature of ``text``'s shingles (:func:`shingle_hashes`, given to
    datasketch as they are): :data:`NUM_PERM` unsigned 32-bit numbers."""
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=_identity,
        permutations=_prototype().permutations,
        scheme=_prototype().scheme,
    )
    minhash.update_batch(shingle_hashes(text).tolist())
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def to_bytes(values: np.ndarray) -> bytes:
    """A signature as stored (little-endian 32-bit numbers)."""
    return values.astype("<u4").tobytes()


def from_bytes(stored: bytes) -> np.ndarray:
    return np.frombuffer(stored, dtype="<u4")


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The estimated Jaccard similarity of two signatures (``MinHash.jaccard``: the share of
    equal positions)."""
    return float(np.count_nonzero(a == b)) / len(a)


@cache
def _prototype() -> MinHash:
    """A MinHash whose permutations every signature reuses (drawing them costs more than
    hashing an article)."""
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_identity, scheme=SCHEME)


@cache
def bands() -> tuple[int, int]:
    """(``b``, ``r``): the bands and rows per band ``MinHashLSH`` chooses for
    :data:`THRESHOLD` and :data:`NUM_PERM` (computed once: it integrates the collision curve)."""
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, weights=LSH_WEIGHTS)
    return lsh.b, lsh.r


def band_keys(values: np.ndarray) -> list[tuple[int, int]]:
    """``(band, bucket)`` for each band of a signature: ``bucket`` is a signed 64-bit digest
    of the band's numbers, equal for equal bands (what ``MinHashLSH`` keys its tables on)."""
    b, r = bands()
    raw = values.astype("<u4")
    return [
        (
            band,
            int.from_bytes(
                hashlib.blake2b(raw[band * r : (band + 1) * r].tobytes(), digest_size=8).digest(),
                "little",
                signed=True,
            ),
        )
        for band in range(b)
    ]


ARTICLES_PER_RUN = 2000
"""At most about this many articles signed at the end of one crawl (whole batches): the first
crawl of a large board leaves the rest to the next runs (each signs the next ones, oldest
first) or to ``forumscraper dedup``, so that no crawl's end grows with the board."""


async def after_crawl(crawler: Any, database: Any) -> None:
    """The crawl's step at its close (``forumscraper.runs``): sign the board's new articles and
    merge the groups of their near-duplicates, in a thread, with the run lock still held.

    Skipped when ``FORUMSCRAPER_NEAR_DUPLICATES`` is 0 or the crawl's board is unknown; not
    called for a run that stored no new or changed post (``forumscraper.runs``: articles a capped
    earlier step left are signed by the next run that stores posts, or by ``forumscraper
    dedup``). A failure is logged as an error (the run then counts as failed) and loses
    nothing: the next run, or ``forumscraper dedup``, signs what this one did not."""
    from scrapy.utils.asyncio import run_in_thread

    from forumscraper import config
    from forumscraper.db import near_duplicates

    stats = crawler.stats
    if not config.near_duplicates(crawler.settings) or database.board_id is None:
        return
    try:
        counts = await run_in_thread(
            partial(near_duplicates.update, limit=ARTICLES_PER_RUN),
            database.engine,
            database.board_id,
        )
    except Exception as exc:
        logger.error(
            "Near-duplicate articles not updated: %s",
            _first_line(exc),
            extra={"spider": crawler.spider},
        )
        return
    stats.set_value("forumscraper/near_duplicates/signed", counts.signed)
    stats.set_value("forumscraper/near_duplicates/pairs", counts.pairs)
    stats.set_value("forumscraper/near_duplicates/grouped", counts.grouped)
    stats.set_value("forumscraper/near_duplicates/seconds", round(counts.seconds, 3))
    logger.info(
        "Near-duplicate articles: %d articles signed, %d pairs found in %.1f s",
        counts.signed,
        counts.pairs,
        counts.seconds,
    )


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
