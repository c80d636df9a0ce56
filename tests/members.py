"""The member account the member-crawl tests share: a fixture forum with Rocky's account, a
member-only forum and links hidden from guests (what a page read from a guest view would show
in the rows)."""

from __future__ import annotations

from forumscraper.demo.content import Board
from forumscraper.demo.server import FixtureForumServer

TZ = "Asia/Baghdad"
PASSWORD = "correct horse battery staple 42"
MEMBER_FORUM = 6


def member_server(board: Board, *, member_only_forum: bool = True) -> FixtureForumServer:
    """A (not yet started) fixture forum where Rocky can log in with :data:`PASSWORD`."""
    server = FixtureForumServer(board)
    server.members.accounts["Rocky"] = PASSWORD
    if member_only_forum:
        server.members.member_only_forums.add(MEMBER_FORUM)
    server.members.hide_links_from_guests = True
    return server
