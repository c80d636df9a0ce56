"""Member sessions of the fixture forum: a login form, session cookies, and what guests lose.

Forumotion shows guests a placeholder instead of external links ("[You must be registered and
logged in to see this link.]", when the board's ACP option says so) and hides member-only
forums; a member logged in through ``/login`` sees both, and the real links of a post copied
from a guest's view (the seed post, :attr:`Post.member_body_html
<forumscraper.demo.content.Post.member_body_html>`). The server keeps sessions in memory and
ends them as a real forum does, after some requests or some time (``expire_every_requests``,
``expire_after_seconds``), or all at once (``expire_all``): tests of sessions that expire
mid-run. Members see the posts of the members their profile ignores (``ignored``) as a message
in the post's place.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs

from forumscraper.demo.content import Board

COOKIE = "fa_demo_sid"
HIDDEN_LINK = "[You must be registered and logged in to see this link.]"
_POSTLINK = re.compile(r'<a\s[^>]*class="postlink"[^>]*>.*?</a>', re.IGNORECASE | re.DOTALL)
_GUEST_FLAG = '_userdata["session_logged_in"] = 0'
_MEMBER_FLAG = '_userdata["session_logged_in"] = 1'


def login_page(message: str = "") -> bytes:
    """Forumotion's login form (phpBB3 layout), with the hidden fields the real one carries."""
    error = f'<p class="error">{message}</p>' if message else ""
    return f"""<!DOCTYPE html>
<html><head><title>Log in</title>
<script type="text/javascript">{_GUEST_FLAG};</script></head>
<body id="phpbb"><div id="page-body">{error}
<form action="/login" method="post" name="form_login">
<div class="panel"><div class="inner"><h2 class="h3">Log in</h2>
<fieldset class="fields1">
<dl><dt><label for="username">Username:</label></dt>
<dd><input type="text" id="username" name="username" size="25" value="" class="inputbox autowidth" /></dd></dl>
<dl><dt><label for="password">Password:</label></dt>
<dd><input type="password" id="password" name="password" size="25" class="inputbox autowidth" /></dd></dl>
<dl><dd><label for="autologin"><input type="checkbox" name="autologin" id="autologin" />Log me in automatically each visit</label></dd></dl>
<dl><dt>&nbsp;</dt><dd><input type="hidden" name="redirect" value="" />
<input type="hidden" name="query" value="" />
<input type="hidden" name="tid" value="{secrets.token_hex(8)}" />
<input type="submit" name="login" value="Log in" class="button1" /></dd></dl>
</fieldset></div></div></form></div></body></html>""".encode()  # noqa: E501


@dataclass
class MemberArea:
    """Accounts, open sessions and what guests may not see."""

    accounts: dict[str, str] = field(default_factory=dict)
    """User name -> password."""
    member_only_forums: set[int] = field(default_factory=set)
    hide_links_from_guests: bool = False
    profile_timezone: str | None = None
    """The zone the members' profiles set (Forumotion's profile "Timezone"), when not the
    board's: member pages print their dates on it."""
    ignored: set[str] = field(default_factory=set)
    """Members on the accounts' ignore list (Forumotion's profile "Ignore list"): a member's
    pages print their posts as the ``postrow.hidden`` block, a message in the post's place."""
    sessions: set[str] = field(default_factory=set)
    logins: int = 0
    """Successful logins (tests count renewals)."""
    expire_every_requests: int | None = None
    """A session serves this many member requests (the page after the login included), then
    ends: the next request is a guest's."""
    expire_after_seconds: float | None = None
    """A session ends this many seconds after its login."""
    clock: Callable[[], float] = field(default_factory=lambda: time.monotonic, repr=False)
    """Seconds, for ``expire_after_seconds`` (tests may drive it)."""
    expired: int = 0
    """Sessions ended by either limit."""
    _opened: dict[str, tuple[float, int]] = field(default_factory=dict, repr=False)
    """Session token -> when it logged in, member requests served."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def login(self, body: bytes) -> str | None:
        """Check a posted login form; a new session token, or ``None`` for wrong credentials."""
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        if not form.get("login"):
            return None
        user, password = form.get("username", ""), form.get("password", "")
        if user not in self.accounts or self.accounts[user] != password:
            return None
        token = secrets.token_hex(16)
        with self._lock:
            self.sessions.add(token)
            self._opened[token] = (self.clock(), 0)
            self.logins += 1
        return token

    def member_request(self, cookie_header: str | None) -> bool:
        """Whether a request is a member's, counting it against its session's limits: once a
        session served ``expire_every_requests`` requests, or ``expire_after_seconds`` after
        its login, it ends and the request is a guest's."""
        match = re.search(rf"{COOKIE}=([0-9a-f]+)", cookie_header or "")
        if match is None:
            return False
        token = match.group(1)
        with self._lock:
            if token not in self.sessions:
                return False
            opened, served = self._opened.get(token, (self.clock(), 0))
            if (
                self.expire_every_requests is not None and served >= self.expire_every_requests
            ) or (
                self.expire_after_seconds is not None
                and self.clock() - opened >= self.expire_after_seconds
            ):
                self.sessions.discard(token)
                self._opened.pop(token, None)
                self.expired += 1
                return False
            self._opened[token] = (opened, served + 1)
            return True

    def expire_all(self) -> None:
        """Every open session ends (the forum logged everybody out)."""
        with self._lock:
            self.sessions.clear()
            self._opened.clear()

    def forbidden(self, board: Board, path: str, member: bool) -> bool:
        """Whether a guest asks for a member-only forum or topic (Forumotion then shows the
        login form instead)."""
        if member or not self.member_only_forums:
            return False
        match = re.match(r"^/([ft])(\d+)(?:p\d*)?-", path)
        if not match:
            return False
        if match.group(1) == "f":
            forum = board.forum(int(match.group(2)))
        else:
            topic = board.topic(int(match.group(2)))
            forum = board.forum(topic.forum_id) if topic else None
        if forum is None:
            return False
        return forum.id in self.member_only_forums or forum.parent_id in self.member_only_forums

    def board_for(self, board: Board, member: bool) -> Board:
        """The board a guest may see: without member-only forums and their topics."""
        if member or not self.member_only_forums:
            return board
        hidden = self.member_only_forums
        forums = [f for f in board.forums if f.id not in hidden and f.parent_id not in hidden]
        kept = {f.id for f in forums}
        return replace(board, forums=forums, topics=[t for t in board.topics if t.forum_id in kept])

    def finish(self, html: bytes, member: bool, board: Board | None = None) -> bytes:
        """A page as this viewer gets it: member flag set and, with ``board``, the real links of
        posts copied from a guest's view (:meth:`Board.member_views`); or links hidden from
        guests."""
        if member:
            html = html.replace(_GUEST_FLAG.encode(), _MEMBER_FLAG.encode())
            if board is not None:
                with board.lock:
                    views = board.member_views()
                for guest_body, member_body in views:
                    html = html.replace(guest_body.encode("utf-8"), member_body.encode("utf-8"))
            return html
        if self.hide_links_from_guests:
            return hide_links(html.decode("utf-8")).encode("utf-8")
        return html


def hide_links(html: str) -> str:
    """``html`` as a guest gets it when the board hides links: each post link (``a.postlink``,
    its text included) replaced by the guest placeholder."""
    return _POSTLINK.sub(HIDDEN_LINK, html)
