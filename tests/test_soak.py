"""Soak: random changes to the demo board between incremental runs, the rows checked after each.

Each seed crawls the demo board whole (one template version, lists of 20 or 10 topics a page),
then for each round makes one change a moderator or member makes (a reply, a new topic, an edit
or a deletion followed by a reply, a topic moved, merged, split or made a global announcement,
a topic deleted, a topic moved without a reply into a forum where another is deleted), adds up
to two replies elsewhere, and runs ``recent`` or an incremental ``forum``. After every
``forum`` run the archive's live topics and posts must be the board's (forum, title, reply
count, last post, author; topic, position, author, dates, edits, body), and after a last
``-a full=1`` run too. The first round that differs fails the seed, with the
history of changes that led to it.

It found the defects mended by f9b4e4e, d41304e and 98e1cb7 (posts split off an old topic, a
visit joined by an earlier page, a post deleted and one added in one minute; by the topic's
last poster too, since listings' "last post" links are read). Changes no listing can show are
left out: a topic merged away while its old row stays listed (rows are dropped), and two
changes between two ``forum`` runs that balance a forum's count with neither shown by its pages
(the README's limits): a topic that leaves a forum while another comes in unseen (posts split
off into a new topic listed far down, or a topic moved in without a reply from a forum whose
count is balanced the same way). A round makes one
change, so only a round whose change keeps every count explained may run ``recent``
(:meth:`Changes.recent_may_follow`), and never two in a row: the next round's change then falls
between the same two ``forum`` runs. New topics and topics moved (then replied to) are among
them: what a ``recent`` run changed in the archive's forums is counted with the last ``forum``
run's counts, so a topic deleted in the next round beside one ``recent`` stored or found moved
in is found.

Slow (about 5 seconds a seed on SQLite), so skipped unless seeds are given:
``FORUMSCRAPER_SOAK_SEEDS=1-40 .venv/bin/pytest tests/test_soak.py`` (``FORUMSCRAPER_SOAK_ROUNDS``,
12 by default).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import Post, Topic
from forumscraper.demo.content import Board, Member, build_demo_board
from forumscraper.demo.content import Topic as BoardTopic
from forumscraper.demo.server import FixtureForumServer
from forumscraper.pages.versions import VERSIONS
from tests.crawling import crawl, stat


def _seeds(text: str) -> list[int]:
    """``"1-3,7"`` as ``[1, 2, 3, 7]``."""
    seeds: list[int] = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        first, _, last = part.partition("-")
        seeds.extend(range(int(first), int(last or first) + 1))
    return seeds


SEEDS = _seeds(os.environ.get("FORUMSCRAPER_SOAK_SEEDS", ""))
ROUNDS = int(os.environ.get("FORUMSCRAPER_SOAK_ROUNDS", "12"))
DESKTOP = [version for version in VERSIONS if version != "mobile"]
"""Mobile prints no counts or views: its lists prove less, and its rows are checked elsewhere."""

Rows = tuple[dict[int, tuple[Any, ...]], dict[int, tuple[Any, ...]]]


def stored_rows(engine: Engine) -> Rows:
    """The archive's live topics and posts, as the fields :func:`board_rows` gives."""
    with engine.connect() as connection:
        topics = {
            row[0]: tuple(row[1:])
            for row in connection.execute(
                select(
                    Topic.id,
                    Topic.forum_id,
                    Topic.title,
                    Topic.reply_count,
                    Topic.last_post_at,
                    Topic.author_name,
                ).where(Topic.deleted_at.is_(None), Topic.moved_to_id.is_(None))
            )
        }
        posts = {
            row[0]: tuple(row[1:])
            for row in connection.execute(
                select(
                    Post.id,
                    Post.topic_id,
                    Post.position,
                    Post.author_name,
                    Post.posted_at,
                    Post.edited_at,
                    Post.edit_count,
                    Post.body_html,
                ).where(Post.deleted_at.is_(None))
            )
        }
    return topics, posts


def board_rows(board: Board) -> Rows:
    topics = {
        t.id: (t.forum_id, t.title, t.reply_count, t.last_post_at, t.author_name)
        for t in board.live_topics()
    }
    posts = {
        p.id: (t.id, i, p.author_name, p.posted_at, p.edited_at, p.edit_count, p.body_html)
        for t in board.live_topics()
        for i, p in enumerate(t.live_posts)
    }
    return topics, posts


def differences(stored: Rows, board: Rows) -> list[str]:
    found = []
    for kind, have, want in zip(("topic", "post"), stored, board, strict=True):
        for key in sorted(have.keys() | want.keys()):
            if have.get(key) != want.get(key):
                found.append(f"{kind} {key}: stored {have.get(key)}, board {want.get(key)}"[:400])
    return found


class Changes:
    """Random changes to a board, each said in :attr:`log`."""

    def __init__(self, board: Board, rng: random.Random) -> None:
        self.board = board
        self.rng = rng
        self.log: list[str] = []
        self.count = 0

    def kinds(self) -> list[Callable[[], None]]:
        return [
            self.reply,
            self.new_topic,
            self.edit_then_reply,
            self.delete_then_reply,
            self.move_then_reply,
            self.split,
            self.merge_then_reply,
            self.announce_then_reply,
            self.delete_topic,
            self.leave_while_one_starts,
            self.move_beside_deletion,
        ]

    def recent_may_follow(self) -> list[Callable[[], None]]:
        """The changes that leave every forum's count explained by the topics stored (``recent``
        may follow them: the next round's change then falls in the same ``forum`` runs' gap)."""
        return [
            self.reply,
            self.new_topic,
            self.edit_then_reply,
            self.delete_then_reply,
            self.move_then_reply,
            self.announce_then_reply,
        ]

    def topic(self) -> BoardTopic:
        return self.rng.choice([t for t in self.board.live_topics() if t.live_posts])

    def member(self) -> Member:
        return self.rng.choice(self.board.members)

    def when(self, topic: BoardTopic) -> datetime:
        """Now or up to 3 minutes before, never before any post the topic had (deleted ones
        included: a reply is written after the deletion it follows)."""
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        latest = max(post.posted_at for post in topic.posts)
        return max(now - timedelta(minutes=self.rng.randint(0, 3)), latest)

    def reply(self, topic: BoardTopic | None = None) -> None:
        topic = topic or self.topic()
        self.count += 1
        body = f"<p>Soak reply {self.count}</p>"
        self.board.add_post(topic.id, self.member(), body, self.when(topic))
        self.log.append(f"reply t{topic.id}")

    def new_topic(self) -> None:
        forum = self.rng.choice(self.board.forums)
        self.count += 1
        now = datetime.now(UTC)
        title = f"Soak topic {self.count}"
        topic = self.board.add_topic(forum.id, title, self.member(), "<p>First.</p>", now)
        self.log.append(f"new topic t{topic.id} in f{forum.id}")

    def edit_then_reply(self) -> None:
        topic = self.topic()
        last = topic.live_posts[-1]
        self.board.edit_post(
            last.id, f"<p>Edited {self.count}</p>", self.member(), self.when(topic)
        )
        self.log.append(f"edit p{last.id}")
        self.reply(topic)

    def delete_then_reply(self) -> None:
        topic = self.topic()
        if len(topic.live_posts) < 2:
            return
        victim = self.rng.choice(topic.live_posts[1:])
        self.board.delete_post(victim.id)
        self.log.append(f"delete p{victim.id} of t{topic.id}")
        self.reply(topic)

    def move_then_reply(self) -> None:
        topic = self.topic()
        forum = self.rng.choice([f for f in self.board.forums if f.id != topic.forum_id])
        shadow = self.rng.random() < 0.5
        self.board.move_topic(topic.id, forum.id, shadow=shadow)
        self.log.append(f"move t{topic.id} to f{forum.id}, shadow {shadow}")
        self.reply(topic)

    def split(self) -> None:
        topic = self.topic()
        posts = topic.live_posts
        if len(posts) < 3:
            return
        moving = {post.id for post in posts[-self.rng.randint(1, len(posts) - 1) :]}
        forum = self.rng.choice(self.board.forums).id if self.rng.random() < 0.5 else None
        self.count += 1
        new = self.board.split_topic(topic.id, moving, f"Split {self.count}", forum)
        self.log.append(f"split {sorted(moving)} of t{topic.id} into t{new.id} in f{new.forum_id}")

    def merge_then_reply(self) -> None:
        old, into = self.topic(), self.topic()
        if old is into:
            return
        self.board.merge_topic(old.id, into.id, keep_row=False)
        self.log.append(f"merge t{old.id} into t{into.id}")
        self.reply(into)

    def announce_then_reply(self) -> None:
        topic = self.topic()
        on = not topic.global_announcement
        self.board.make_global_announcement(topic.id, on)
        self.log.append(f"global announcement t{topic.id} {on}")
        self.reply(topic)

    def delete_topic(self) -> None:
        topic = self.topic()
        self.board.delete_topic(topic.id)
        self.log.append(f"delete t{topic.id} of f{topic.forum_id}")

    def move_beside_deletion(self) -> None:
        """A topic moved with no reply and no shadow row into a forum where another is deleted:
        that forum's count stays as it was, and its pages show the moved one only if it is
        recent; the forum it left is a topic short. (Not a global announcement: it heads every
        list, so its old forum's list still shows it.)"""
        topic = self.rng.choice(
            [t for t in self.board.live_topics() if t.live_posts and not t.global_announcement]
        )
        forum = self.rng.choice([f for f in self.board.forums if f.id != topic.forum_id])
        victims = self.board.forum_topics(forum.id)
        self.board.move_topic(topic.id, forum.id, shadow=False)
        self.log.append(f"move t{topic.id} to f{forum.id}, no reply")
        if victims:
            victim = self.rng.choice(victims)
            self.board.delete_topic(victim.id)
            self.log.append(f"delete t{victim.id} of f{forum.id}")

    def leave_while_one_starts(self) -> None:
        """A topic deleted or merged away while another is started in its forum: the forum's
        count stays as it was."""
        topic = self.topic()
        forum_id = topic.forum_id
        into = self.topic()
        if into is not topic and self.rng.random() < 0.5:
            self.board.merge_topic(topic.id, into.id, keep_row=False)
            self.log.append(f"merge t{topic.id} of f{forum_id} into t{into.id}")
        else:
            self.board.delete_topic(topic.id)
            self.log.append(f"delete t{topic.id} of f{forum_id}")
        self.count += 1
        title = f"Soak topic {self.count}"
        new = self.board.add_topic(
            forum_id, title, self.member(), "<p>First.</p>", datetime.now(UTC)
        )
        self.log.append(f"new topic t{new.id} in f{forum_id}")


@pytest.mark.skipif(not SEEDS, reason="set FORUMSCRAPER_SOAK_SEEDS (e.g. 1-40) to run the soak")
@pytest.mark.parametrize("seed", SEEDS or [0])
@deferred_f_from_coro_f
async def test_random_changes_between_incremental_runs_leave_the_board_s_rows(
    seed: int, sqlite_url: str
) -> None:
    rng = random.Random(seed)
    version = rng.choice(DESKTOP)
    board = build_demo_board(datetime.now(UTC) - timedelta(hours=2))
    board.topics_per_page = rng.choice([10, 20])
    board.changed()
    changes = Changes(board, rng)
    engine = make_engine(sqlite_url)
    try:
        with FixtureForumServer(board, version=version) as server:

            async def run(spider: str, **arguments: str) -> Crawler:
                crawler = await crawl(
                    spider,
                    sqlite_url,
                    base_url=server.base_url,
                    spider_args=arguments or None,
                    FORUMSCRAPER_TIMEZONE=board.timezone,
                )
                assert stat(crawler, "forumscraper/run/status") == "finished", changes.log
                return crawler

            await run("forum")
            spider = "forum"
            for round_ in range(ROUNDS):
                change = rng.choice(changes.kinds())
                change()
                for _ in range(rng.randint(0, 2)):
                    changes.reply()
                if (
                    change not in changes.recent_may_follow()
                    or spider == "recent"
                    or rng.random() >= 0.3
                ):
                    spider = "forum"
                else:
                    spider = "recent"
                await run(spider)
                if spider == "forum":
                    found = differences(stored_rows(engine), board_rows(board))
                    assert not found, (
                        f"seed {seed} ({version}), round {round_}: changes {changes.log}\n"
                        + "\n".join(found[:20])
                    )
            await run("forum", full="1")
            found = differences(stored_rows(engine), board_rows(board))
            assert not found, f"seed {seed} ({version}), full run\n" + "\n".join(found[:20])
    finally:
        engine.dispose()
