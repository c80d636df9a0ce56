"""Member sessions of the fixture forum: a login form, session cookies, and what guests lose.

Forumotion shows guests a placeholder instead of external links ("[You must be registered and
logged in to see this link.]", when the board's ACP option says so) and hides member-only
forums; a member logged in through ``/login`` sees both. The server keeps sessions in memory and
can expire them all at once (tests of a session that expires mid-run).
"""

from __future__ import annotations

import re
import secrets
import threading
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
    sessions: set[str] = field(default_factory=set)
    logins: int = 0
    """Successful logins (tests count renewals)."""
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
            self.logins += 1
        return token

    def is_member(self, cookie_header: str | None) -> bool:
        match = re.search(rf"{COOKIE}=([0-9a-f]+)", cookie_header or "")
        with self._lock:
            return bool(match and match.group(1) in self.sessions)

    def expire_all(self) -> None:
        """Every open session ends (the forum logged everybody out)."""
        with self._lock:
            self.sessions.clear()

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

    def finish(self, html: bytes, member: bool) -> bytes:
        """A page as this viewer gets it: member flag set, or links hidden from guests."""
        if member:
            return html.replace(_GUEST_FLAG.encode(), _MEMBER_FLAG.encode())
        if self.hide_links_from_guests:
            return _POSTLINK.sub(HIDDEN_LINK, html.decode("utf-8")).encode("utf-8")
        return html
