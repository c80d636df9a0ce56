"""Near-duplicate articles on a labelled set: precision and recall, and the cost per new post.

    python -m bench.near_duplicates [--json result.json]

The set is built from real articles and variants of them, the way boards show copies:

- families (one article each): the seed post (``/work/shared/seed/forum-post-sample.txt`` when
  present, else the demo board's seed post, as the crawl cleans it); four sections of the demo
  board's seed post cut apart (different articles on the same subject: hard negatives of each
  other and of the whole); and articles of the benchmark board's generator
  (same vocabulary and grammar: negatives that share many word triples by chance);
- members of a family: the article, and its variants with another source line, a trimmed
  sentence, BBCode leftovers, and all three at once;
- replies quoting a whole article (``> `` lines, as the cleaner writes quotes) with a comment
  of their own: one-post families, negatives of the article they quote.

Two posts of one family are a near-duplicate pair, of two families not. The pairs found are
those the database step finds (:mod:`forumscraper.db.near_duplicates`: a shared LSH band, then
the signatures' agreement at ``dedup.THRESHOLD``), counted over every pair of the set; the
table around the threshold shows the margin. The cost: posts written to a SQLite archive with
the store, then ``near_duplicates.update`` timed over all of them, and again over 50 new ones.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from forumscraper import dedup
from forumscraper.db import near_duplicates
from forumscraper.db.board import register_board
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.store import Batch, Store
from forumscraper.demo.content import DEMO_SEED_TOPIC_ID, build_board, build_demo_board
from forumscraper.text.clean import clean_post

SEED_FILE = Path("/work/shared/seed/forum-post-sample.txt")
SOURCES = (
    "Source: Tigris News",
    "Source: Baghdad Observer, politics desk",
    "Via: Shafaq News agency",
)
BBCODE = ("[/size]", "[size=45]", "[b]", "[/b]", "[color=red]", "[/color]", "[url]", "[/url]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def variants(text: str, rng: random.Random) -> list[str]:
    """The article and its four variants."""
    source = f"{text}\n{rng.choice(SOURCES)}"
    sentences = _SENTENCE.split(text)
    cut = rng.randrange(1, len(sentences)) if len(sentences) > 2 else 0
    trimmed = (
        " ".join(sentences[:cut] + sentences[cut + 1 :]) if cut else text[: len(text) * 9 // 10]
    )
    words = text.split(" ")
    for _ in range(4):
        words.insert(rng.randrange(len(words)), rng.choice(BBCODE))
    leftovers = " ".join(words)
    both = " ".join(_SENTENCE.split(leftovers)[:cut] + _SENTENCE.split(leftovers)[cut + 1 :])
    return [text, source, trimmed, leftovers, f"{both}\n{rng.choice(SOURCES)}"]


def families(generated: int = 40) -> list[tuple[str, list[str]]]:
    rng = random.Random(20)
    demo = build_demo_board()
    topic = demo.topic(DEMO_SEED_TOPIC_ID)
    assert topic is not None
    seed_clean = clean_post(topic.first_post.body_html).body_text
    # The seed post as published (the file: the article pasted twice, from two sites) when
    # present, else the demo board's copy of it (one copy): one article either way; pairing the
    # two would pair a post with a third of itself, which is containment, not a copy.
    seed_texts = (
        [clean_post(SEED_FILE.read_text(encoding="utf-8")).body_text]
        if SEED_FILE.exists()
        else [seed_clean]
    )
    seed_members = [v for text in seed_texts for v in variants(text, rng)]
    found: list[tuple[str, list[str]]] = []
    found.append(("seed", seed_members))
    # the first copy of the article only: the seed post holds it twice
    lines = [line for line in seed_clean.splitlines() if len(line) > 40]
    half = lines[: len(lines) // 2]
    size = -(-len(half) // 4)
    for n in range(4):
        section = "\n".join(half[n * size : (n + 1) * size])
        if dedup.is_article(section):
            found.append((f"seed section {n + 1}", variants(section, rng)))
    board = build_board(n_forums=4, n_topics=60, posts_per_topic=15, seed=3)
    bodies = [clean_post(post.body_html).body_text for t in board.topics for post in t.posts]
    bodies = [body for body in bodies if dedup.is_article(body)]
    # unrelated articles: the generator reuses paragraphs, so a body sharing a fifth of its
    # shingles with one chosen before is left out (it would be a partial copy, not a negative)
    chosen: list[str] = []
    picked: list[dedup.Shingles] = []
    for body in rng.sample(bodies, len(bodies)):
        own = dedup.shingles(body)
        if dedup.is_article(body) and all(dedup.jaccard(own, other) < 0.2 for other in picked):
            chosen.append(body)
            picked.append(own)
        if len(chosen) == generated + 3:
            break
    for n, body in enumerate(chosen[:generated]):
        found.append((f"generated {n + 1}", variants(body, rng)))
    # replies quoting a whole article and adding a long comment of their own: not copies
    for n, (name, members) in enumerate(found[:3]):
        quoted = "\n".join(f"> {line}" for line in members[0].splitlines() if line.strip())
        found.append((f"reply quoting {name}", [f"Rocky wrote:\n{quoted}\n{chosen[-1 - n]}"]))
    return found


def evaluate(found: list[tuple[str, list[str]]]) -> dict[str, Any]:
    docs = [(name, text) for name, members in found for text in members]
    docs = [(name, text) for name, text in docs if dedup.is_article(text)]
    started = time.perf_counter()
    signatures = [dedup.signature(text) for _, text in docs]
    sign_us = (time.perf_counter() - started) / len(docs) * 1e6
    keys = [set(dedup.band_keys(values)) for values in signatures]
    sets = [dedup.shingles(text) for _, text in docs]
    rows = []
    for threshold in (0.3, 0.4, dedup.THRESHOLD, 0.6, 0.7, 0.8):
        tp = fp = fn = 0
        low_positive = 1.0
        high_negative = 0.0
        for i, j in itertools.combinations(range(len(docs)), 2):
            same = docs[i][0] == docs[j][0]
            score = dedup.similarity(signatures[i], signatures[j])
            # as forumscraper.db.near_duplicates decides: a shared band, signatures close,
            # then the texts' own similarity
            found_pair = bool(keys[i] & keys[j]) and (
                score >= max(dedup.SURE_ABOVE, threshold)
                or (score >= dedup.CANDIDATE_FLOOR and dedup.jaccard(sets[i], sets[j]) >= threshold)
            )
            if same:
                low_positive = min(low_positive, score)
            else:
                high_negative = max(high_negative, score)
            tp += same and found_pair
            fp += (not same) and found_pair
            fn += same and not found_pair
        rows.append(
            {
                "threshold": threshold,
                "precision": tp / (tp + fp) if tp + fp else 1.0,
                "recall": tp / (tp + fn) if tp + fn else 1.0,
                "true_pairs": tp + fn,
                "false_positives": fp,
                "missed": fn,
                "lowest_positive": low_positive,
                "highest_negative": high_negative,
            }
        )
    return {
        "documents": len(docs),
        "families": len(found),
        "pairs": len(docs) * (len(docs) - 1) // 2,
        "signature_us": sign_us,
        "table": rows,
        "chosen": next(row for row in rows if row["threshold"] == dedup.THRESHOLD),
    }


def cost(found: list[tuple[str, list[str]]], folder: Path) -> dict[str, float]:
    """ms per post of ``near_duplicates.update`` on a SQLite archive: all posts new, then 50."""
    engine = make_engine(f"sqlite:///{folder / 'dedup.sqlite3'}")
    upgrade_to_head(engine)
    store = Store(engine, register_board(engine, "https://bench.forumotion.com/")[0])
    texts = [text for _, members in found for text in members]
    rng = random.Random(5)
    extra = [v for text in rng.sample(texts, 10) for v in variants(text, rng)]

    def write(first_id: int, bodies: list[str]) -> None:
        posts = [
            {
                "id": first_id + n,
                "topic_id": first_id + n,
                "position": 0,
                "body_html": body,
                "body_text": body,
                "content_hash": f"{first_id + n}",
                "links": [],
                "hidden_link_count": 0,
                "collapsed_repeats": 0,
                "edit_count": 0,
            }
            for n, body in enumerate(bodies)
        ]
        topics = [{"id": post["topic_id"], "title": "t"} for post in posts]
        store.write(Batch(topics=topics, posts=posts))

    write(1, texts)
    first = near_duplicates.update(engine, store.board_id)
    write(100_000, extra)
    second = near_duplicates.update(engine, store.board_id)
    engine.dispose()
    return {
        "all_new_posts": first.signed,
        "all_new_ms_per_post": first.seconds / max(first.signed, 1) * 1000,
        "new_posts": second.signed,
        "new_ms_per_post": second.seconds / max(second.signed, 1) * 1000,
        "grouped": second.grouped,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.near_duplicates")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    found = families()
    result = evaluate(found)
    with tempfile.TemporaryDirectory(prefix="forumscraper-dedup-") as folder:
        result["cost"] = cost(found, Path(folder))
    print(
        f"near-duplicate articles: {result['documents']} posts in {result['families']} "
        f"families, {result['pairs']:,} pairs; signature {result['signature_us']:.0f} µs/post"
    )
    print("threshold  precision  recall  false+  missed  lowest same  highest other")
    for row in result["table"]:
        mark = "  <- chosen" if row["threshold"] == dedup.THRESHOLD else ""
        print(
            f"{row['threshold']:>9.2f}  {row['precision']:>9.3f}  {row['recall']:>6.3f}  "
            f"{row['false_positives']:>6}  {row['missed']:>6}  {row['lowest_positive']:>11.2f}  "
            f"{row['highest_negative']:>13.2f}{mark}"
        )
    c = result["cost"]
    print(
        f"cost of the crawl's step (SQLite): {c['all_new_ms_per_post']:.2f} ms/post for "
        f"{c['all_new_posts']} new posts, {c['new_ms_per_post']:.2f} ms/post for "
        f"{c['new_posts']} more"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
