"""Member sessions that end again and again during a crawl (after some requests, or some time):
each expiry is met by a new login, every page served as a guest meanwhile is fetched again as
a member, nothing is stored from a guest view, and a session that dies right after each login
fails the run instead of looping."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import CloseSpider
from scrapy.http import HtmlResponse, Request
from scrapy.utils.defer import deferred_f_from_coro_f, maybe_deferred_to_future
from sqlalchemy import func, select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import Post, Topic
from forumscraper.demo.content import Board
from forumscraper.demo.faults import Fault
from forumscraper.demo.members import MemberArea, login_page
from forumscraper.demo.server import FixtureForumServer
from forumscraper.middlewares import SESSION_META
from forumscraper.spiders.login import GIVE_UP, LOGIN_META, Credentials, LoginFlow
from tests.crawling import crawl, stat
from tests.members import MEMBER_FORUM, PASSWORD, TZ, member_server

EVERY = 7
"""Requests a session serves in the end-to-end tests: few, so that a crawl logs in many times."""


@pytest.fixture
def server(board: Board) -> Iterator[FixtureForumServer]:
    """The fixture forum with a member, a member-only forum and links hidden from guests: a
    page read from a guest view would show in the rows."""
    with member_server(board) as server:
        yield server


def stored_rows(db_url: str) -> tuple[dict[int, str], dict[int, int], set[int]]:
    """Post id -> body, post id -> hidden link count, and the topic ids in the database."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Post.id, Post.body_html, Post.hidden_link_count))
            bodies, hidden = {}, {}
            for post_id, body, count in rows:
                bodies[post_id] = body
                hidden[post_id] = count
            topics = set(connection.execute(select(Topic.id)).scalars())
    finally:
        engine.dispose()
    return bodies, hidden, topics


def member_view(board: Board) -> dict[int, str]:
    """Post id -> its body as a member sees it."""
    return {
        post.id: post.body_html if post.member_body_html is None else post.member_body_html
        for post in board.live_posts()
    }


def placeholders(board: Board) -> dict[int, int]:
    """Post id -> guest placeholders written literally in its text as a member sees it."""
    return {
        post_id: body.count("You must be registered and logged in")
        for post_id, body in member_view(board).items()
    }


# -- end to end -------------------------------------------------------------------------------


@deferred_f_from_coro_f
async def test_a_forum_crawl_outlives_sessions_that_expire_every_few_requests(
    as_member: None, board: Board, server: FixtureForumServer, db_url: str
) -> None:
    server.members.expire_every_requests = EVERY
    crawler = await crawl("forum", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    renewed = stat(crawler, "forumscraper/login/renewed")
    assert renewed >= 10
    assert stat(crawler, "forumscraper/login/success") == renewed + 1 == server.members.logins
    assert stat(crawler, "forumscraper/login/guest_pages") >= renewed
    assert stat(crawler, "forumscraper/login/failed") is None
    bodies, hidden, topics = stored_rows(db_url)
    # Every post of the board, as a member sees it: real links, no placeholder added.
    assert bodies == member_view(board)
    assert hidden == placeholders(board)
    assert topics == {topic.id for topic in board.live_topics()}
    assert {t.id for t in board.live_topics() if t.forum_id == MEMBER_FORUM} <= topics


@deferred_f_from_coro_f
async def test_a_guests_error_page_in_a_member_crawl_is_fetched_again_as_a_member(
    as_member: None, board: Board, server: FixtureForumServer, sqlite_url: str
) -> None:
    # Some boards answer a guest's request for a member-only topic with an error status: in a
    # member crawl whose session ended, that is not a deleted topic nor a lost page.
    topic = next(t for t in board.live_topics() if t.forum_id == MEMBER_FORUM)
    guest_403 = login_page().replace(b"<h2", b"<p>Not allowed.</p><h2", 1)
    server.faults.add(f"/t{topic.id}-", Fault(kind="body", status=403, body=guest_403, times=1))
    crawler = await crawl("forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert server.faults.applied == [(f"/t{topic.id}-{topic.slug}", "body")]
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/fetch/gone_topics") is None
    bodies, _, topics = stored_rows(sqlite_url)
    assert topic.id in topics
    assert {p.id for p in topic.live_posts} <= bodies.keys()


@deferred_f_from_coro_f
async def test_a_recent_crawl_outlives_sessions_that_expire_every_few_requests(
    as_member: None, board: Board, server: FixtureForumServer, db_url: str, tmp_path: Path
) -> None:
    reference_url = f"sqlite:///{tmp_path / 'reference.sqlite3'}"
    reference = await crawl(
        "recent", reference_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ
    )
    assert stat(reference, "forumscraper/login/renewed") is None
    expected_bodies, expected_hidden, expected_topics = stored_rows(reference_url)
    assert {t.id for t in board.live_topics() if t.forum_id == MEMBER_FORUM} & expected_topics

    server.members.expire_every_requests = EVERY
    crawler = await crawl("recent", db_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    renewed = stat(crawler, "forumscraper/login/renewed")
    assert renewed >= 3
    assert stat(crawler, "forumscraper/login/success") == renewed + 1
    bodies, hidden, topics = stored_rows(db_url)
    assert topics == expected_topics
    assert bodies == expected_bodies
    assert hidden == expected_hidden
    members_see = member_view(board)
    assert bodies == {post_id: members_see[post_id] for post_id in bodies}


@deferred_f_from_coro_f
async def test_a_crawl_outlives_sessions_that_expire_on_a_timer(
    as_member: None, board: Board, server: FixtureForumServer, sqlite_url: str
) -> None:
    server.members.expire_after_seconds = 0.3  # the crawl takes a second or more
    crawler = await crawl("forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/login/renewed") >= 1
    bodies, hidden, topics = stored_rows(sqlite_url)
    assert bodies == member_view(board)
    assert hidden == placeholders(board)
    assert topics == {topic.id for topic in board.live_topics()}


@deferred_f_from_coro_f
async def test_a_session_that_dies_right_after_each_login_fails_the_run(
    as_member: None, server: FixtureForumServer, sqlite_url: str
) -> None:
    # The page that shows the login worked is the only one a session serves.
    server.members.expire_every_requests = 1
    crawler = await crawl("forum", sqlite_url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=TZ)
    assert stat(crawler, "forumscraper/run/status") == "failed"
    assert stat(crawler, "forumscraper/login/failed") == GIVE_UP
    assert stat(crawler, "forumscraper/login/renewed") == 1
    assert server.members.logins == 2
    assert len(server.requests) < 20, server.requests
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(Post)).scalar_one() == 0
    finally:
        engine.dispose()


# -- the fixture's sessions --------------------------------------------------------------------


def log_in(members: MemberArea) -> str:
    token = members.login(f"username=Rocky&password={PASSWORD}&login=1".encode())
    assert token is not None
    return f"fa_demo_sid={token}"


def test_a_fixture_session_ends_after_so_many_requests() -> None:
    members = MemberArea(accounts={"Rocky": PASSWORD}, expire_every_requests=3)
    cookie = log_in(members)
    assert [members.member_request(cookie) for _ in range(5)] == [True, True, True, False, False]
    assert members.expired == 1
    assert members.member_request(log_in(members))


def test_a_fixture_session_ends_after_so_many_seconds() -> None:
    now = [100.0]
    members = MemberArea(
        accounts={"Rocky": PASSWORD}, expire_after_seconds=60, clock=lambda: now[0]
    )
    cookie = log_in(members)
    assert members.member_request(cookie)
    now[0] += 59
    assert members.member_request(cookie)
    now[0] += 1
    assert not members.member_request(cookie)
    assert not members.member_request("fa_demo_sid=0123abcd")


# -- the renewal policy ------------------------------------------------------------------------


class Stats(dict[str, Any]):
    def inc_value(self, key: str, count: int = 1) -> None:
        self[key] = self.get(key, 0) + count

    def set_value(self, key: str, value: Any) -> None:
        self[key] = value


SITE = "http://forum.test/"
LOGGED_IN = b'<script>_userdata["session_logged_in"] = 1;</script>'
GUEST = b'<script>_userdata["session_logged_in"] = 0;</script>'


def answer(url: str, body: bytes, request: Request) -> HtmlResponse:
    """The forum's answer to ``request``, its encoding declared in the header as Forumotion does
    (Scrapy guesses an undeclared one through an API that w3lib 2.6 deprecates)."""
    return HtmlResponse(
        url, body=body, request=request, headers={"Content-Type": "text/html; charset=utf-8"}
    )


class Engine:
    """What the login flow uses of Scrapy's engine; the forum answers each login at once."""

    def __init__(self) -> None:
        self.running = True
        self.paused = False
        self.crawled: list[Request] = []
        self.closed: str | None = None
        self.after_login = LOGGED_IN
        self.unreachable = False

    def pause(self) -> None:
        self.paused = True

    def unpause(self) -> None:
        self.paused = False

    def crawl(self, request: Request) -> None:
        self.crawled.append(request)

    async def download_async(self, request: Request) -> HtmlResponse:
        assert self.paused, "nothing else is fetched while logging in again"
        if self.unreachable:
            raise ConnectionRefusedError("the forum is down")
        if request.method == "POST":
            return answer(SITE, self.after_login, request)
        return answer(request.url, login_page(), request)

    async def close_spider_async(self, *, reason: str) -> None:
        self.closed = reason


@pytest.fixture
def crawl_engine() -> Engine:
    return Engine()


@pytest.fixture
def flow() -> LoginFlow:
    """A member crawl logged in (the first login goes through the scheduler, as requests)."""
    flow = LoginFlow(Credentials("Rocky", PASSWORD), SITE, Stats())
    login = flow.start(lambda: [Request(SITE)])
    assert login.meta[LOGIN_META] and login.callback is not None
    form = answer(login.url, login_page(), login)
    (post,) = login.callback(form, **login.cb_kwargs)
    assert post.method == "POST" and post.callback is not None
    (first,) = post.callback(answer(SITE, LOGGED_IN, post), **post.cb_kwargs)
    assert first.url == SITE
    return flow


def page(path: str, flow: LoginFlow) -> Request:
    """A crawled page's request, as the downloader stamps it now."""
    return Request(SITE + path, meta={SESSION_META: flow.generation})


def arrives(flow: LoginFlow, engine: Engine, request: Request, body: bytes) -> None:
    """The page of ``request`` arrives (seen before its callback reads it)."""
    flow.page_received(answer(request.url, body, request), engine)  # type: ignore[arg-type]


def guest(flow: LoginFlow, engine: Engine, request: Request) -> list[Request]:
    """A callback hands over the guest page of ``request``: what to ask for at once."""
    again = request.replace(dont_filter=True)
    return list(flow.guest_page(again, request.meta[SESSION_META], engine))  # type: ignore[arg-type]


async def logged_in_again(flow: LoginFlow) -> None:
    assert flow.logging_in_again is not None
    await maybe_deferred_to_future(flow.logging_in_again)


@deferred_f_from_coro_f
async def test_each_expiry_logs_in_again_while_sessions_serve_pages(
    flow: LoginFlow, crawl_engine: Engine
) -> None:
    for renewal in range(1, 6):
        arrives(flow, crawl_engine, page(f"t{renewal}-served", flow), LOGGED_IN)
        expired = page(f"t{renewal}-expired", flow)
        assert guest(flow, crawl_engine, expired) == []
        assert crawl_engine.paused
        await logged_in_again(flow)
        assert not crawl_engine.paused
        assert [r.url for r in crawl_engine.crawled] == [expired.url]
        crawl_engine.crawled.clear()
    assert flow.stats["forumscraper/login/renewed"] == flow.renewals == 5
    assert flow.stats["forumscraper/login/success"] == 6
    assert crawl_engine.closed is None


@deferred_f_from_coro_f
async def test_pages_back_as_guests_during_the_login_wait_for_it(
    flow: LoginFlow, crawl_engine: Engine
) -> None:
    first, second, third = (page(f"t{n}-x", flow) for n in (1, 2, 3))
    assert guest(flow, crawl_engine, first) == []
    assert guest(flow, crawl_engine, second) == []
    late = page("t4-x", flow)  # reached the downloader after the expiry was seen
    assert guest(flow, crawl_engine, late) == guest(flow, crawl_engine, third) == []
    await logged_in_again(flow)
    assert [r.url for r in crawl_engine.crawled] == [first.url, second.url, late.url, third.url]
    assert flow.stats["forumscraper/login/renewed"] == 1
    assert flow.stats["forumscraper/login/guest_pages"] == 4


@deferred_f_from_coro_f
async def test_a_guest_page_starts_the_login_before_its_callback_reads_it(
    flow: LoginFlow, crawl_engine: Engine
) -> None:
    expired, meanwhile = page("t1-x", flow), page("t2-x", flow)
    arrives(flow, crawl_engine, expired, GUEST)
    assert crawl_engine.paused and flow.waiting == []
    arrives(flow, crawl_engine, meanwhile, GUEST)
    # The callbacks hand the pages over later: they wait for that login, no second one.
    assert guest(flow, crawl_engine, expired) == guest(flow, crawl_engine, meanwhile) == []
    await logged_in_again(flow)
    assert [r.url for r in crawl_engine.crawled] == [expired.url, meanwhile.url]
    assert flow.renewals == 1


@deferred_f_from_coro_f
async def test_a_login_done_before_the_callback_reads_the_page_fetches_it_at_once(
    flow: LoginFlow, crawl_engine: Engine
) -> None:
    expired = page("t1-x", flow)
    arrives(flow, crawl_engine, expired, GUEST)
    await logged_in_again(flow)
    assert crawl_engine.crawled == []
    (again,) = guest(flow, crawl_engine, expired)
    assert again.url == expired.url
    assert flow.renewals == 1


def test_pages_without_a_session_flag_change_nothing(flow: LoginFlow, crawl_engine: Engine) -> None:
    feed = page("feed/", flow)
    arrives(flow, crawl_engine, feed, b"<?xml version='1.0'?><rss><channel/></rss>")
    assert flow.waiting is None and flow.renewals == 0 and not crawl_engine.paused


@deferred_f_from_coro_f
async def test_a_guest_page_asked_for_before_the_new_session_is_just_fetched_again(
    flow: LoginFlow, crawl_engine: Engine
) -> None:
    old = page("t1-old", flow)
    arrives(flow, crawl_engine, page("t2-x", flow), LOGGED_IN)
    assert guest(flow, crawl_engine, page("t3-x", flow)) == []
    await logged_in_again(flow)
    (again,) = guest(flow, crawl_engine, old)
    assert again.url == old.url
    assert flow.renewals == 1


@deferred_f_from_coro_f
async def test_sessions_that_never_serve_a_member_page_stop_the_run_at_the_second_login(
    flow: LoginFlow, crawl_engine: Engine
) -> None:
    guest(flow, crawl_engine, page("t1-x", flow))
    await logged_in_again(flow)
    expired_again = page("t2-x", flow)
    arrives(flow, crawl_engine, expired_again, GUEST)
    assert not crawl_engine.paused and flow.renewals == 1  # no third login
    with pytest.raises(CloseSpider) as stopped:
        guest(flow, crawl_engine, expired_again)
    assert stopped.value.reason == "login_failed"
    assert flow.stats["forumscraper/login/failed"] == GIVE_UP


@deferred_f_from_coro_f
async def test_two_sessions_in_a_row_without_a_member_page_stop_the_run(
    flow: LoginFlow, crawl_engine: Engine
) -> None:
    arrives(flow, crawl_engine, page("t1-served", flow), LOGGED_IN)
    guest(flow, crawl_engine, page("t2-x", flow))
    await logged_in_again(flow)
    login_page_again = page("t3-login", flow)  # the login's own pages serve nothing
    login_page_again.meta[LOGIN_META] = True
    arrives(flow, crawl_engine, login_page_again, LOGGED_IN)
    guest(flow, crawl_engine, page("t4-x", flow))  # one barren session: worth another login
    await logged_in_again(flow)
    with pytest.raises(CloseSpider):
        guest(flow, crawl_engine, page("t5-x", flow))
    assert flow.renewals == 2
    assert flow.stats["forumscraper/login/failed"] == GIVE_UP


@deferred_f_from_coro_f
async def test_a_member_page_that_arrives_late_counts_for_its_session(
    flow: LoginFlow, crawl_engine: Engine
) -> None:
    arrives(flow, crawl_engine, page("t1-served", flow), LOGGED_IN)
    guest(flow, crawl_engine, page("t2-x", flow))
    await logged_in_again(flow)
    served, expired = page("t3-served", flow), page("t4-x", flow)
    arrives(flow, crawl_engine, expired, GUEST)  # before the page the session served
    arrives(flow, crawl_engine, served, LOGGED_IN)
    await logged_in_again(flow)
    guest(flow, crawl_engine, page("t5-x", flow))  # the next session served nothing yet
    assert flow.renewals == 3 and crawl_engine.paused
    await logged_in_again(flow)
    assert crawl_engine.closed is None


@deferred_f_from_coro_f
async def test_a_renewal_that_fails_closes_the_spider(
    flow: LoginFlow, crawl_engine: Engine
) -> None:
    crawl_engine.after_login = GUEST
    guest(flow, crawl_engine, page("t1-x", flow))
    await logged_in_again(flow)
    assert crawl_engine.closed == "login_failed" and not crawl_engine.paused
    assert flow.stats["forumscraper/login/failed"] == "wrong user name or password"
    assert crawl_engine.crawled == []


@deferred_f_from_coro_f
async def test_a_renewal_that_cannot_reach_the_forum_closes_the_spider(
    flow: LoginFlow, crawl_engine: Engine
) -> None:
    crawl_engine.unreachable = True
    guest(flow, crawl_engine, page("t1-x", flow))
    await logged_in_again(flow)
    assert crawl_engine.closed == "login_failed" and not crawl_engine.paused
    assert "ConnectionRefusedError" in flow.stats["forumscraper/login/failed"]
