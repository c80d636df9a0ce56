"""Logging in as a member, so pages show real links and member-only forums.

With ``FORUMSCRAPER_USERNAME`` and ``FORUMSCRAPER_PASSWORD`` (or ``FORUMSCRAPER_PASSWORD_FILE``)
set, a spider first loads ``/login``, fills the form the page itself carries (hidden fields
included, nothing hard-coded but the field names ``username``, ``password`` and ``autologin``),
and checks that the next page shows the member logged in (``_userdata["session_logged_in"] = 1``).
A wrong password, a captcha or a ban page stops the run before any page is crawled as a guest by
mistake.

Sessions end, on a timer or after some requests, many times in a long crawl. A page that comes
back as a guest page is never read: it is fetched again once the member is logged in again.
The first such page logs in again at once (:meth:`LoginFlow.page_received`), as often as
needed, with the crawl paused meanwhile (every page fetched then would be a guest page). The
run fails only when logging in buys nothing: two sessions in a row that end before serving a
single member page. Every request is stamped, as it reaches the downloader with its cookies,
with the session it is sent under (``SESSION_META``, see ``forumscraper.middlewares``), so a
guest page asked for before the current session began is just fetched again, not taken for a
new expiry.

The password travels only in the login request's body: it is never logged, put in stats, or
stored in the HTTP cache (``dont_cache``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

from form2request import form2request
from scrapy.core.engine import ExecutionEngine
from scrapy.exceptions import CloseSpider
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.defer import Deferred

from forumscraper.db.config import read_secret
from forumscraper.middlewares import SESSION_META
from forumscraper.secrets import add_secrets

logger = logging.getLogger(__name__)

_LOGGED_IN = re.compile(r'_userdata\["session_logged_in"\]\s*=\s*1')
_CAPTCHA = re.compile(r"g-recaptcha|h-captcha|captcha", re.IGNORECASE)
_BANNED = re.compile(
    r"you (?:have been|are) banned|banned from this (?:forum|board)|vous (?:avez été|êtes) banni",
    re.IGNORECASE,
)
_FORM = "//form[.//input[@type='password']]"


class LoginMisconfigured(CloseSpider):
    """The login's variables are not both set; the message says which (never a value)."""

    def __init__(self, why: str) -> None:
        super().__init__("login_misconfigured")
        self.why = why


@dataclass
class Credentials:
    """A member's name and password, from the environment or a secrets file."""

    username: str
    password: str = field(repr=False)

    @classmethod
    def from_environment(
        cls,
        username_var: str = "FORUMSCRAPER_USERNAME",
        password_var: str = "FORUMSCRAPER_PASSWORD",
        *,
        named_by_board: bool = False,
    ) -> Credentials | None:
        """The login held by ``username_var`` and ``password_var`` (or their ``*_FILE``
        files); ``None`` when the name is not set, unless the board's row names the variables
        (``named_by_board``): a board that logs in never falls back to a guest crawl."""
        username = read_secret(username_var)
        password = read_secret(password_var)
        if not username and not named_by_board:
            return None
        missing = [
            name
            for name, value in ((username_var, username), (password_var, password))
            if not value
        ]
        if missing:
            raise LoginMisconfigured(
                f"{' and '.join(missing)} not set "
                f"(nor {' and '.join(f'{name}_FILE' for name in missing)})"
            )
        assert username and password
        add_secrets([password])
        return cls(username=username, password=password)


def is_logged_in(html: str) -> bool:
    """Whether a Forumotion page was rendered for a logged-in member."""
    return bool(_LOGGED_IN.search(html))


LOGIN_PRIORITY = 10
"""Above every page request (topic pages have 1): the login never waits behind pages."""
LOGIN_SLOT = "forumscraper-login"
"""The download slot of the login's requests: not the forum's own, where a dozen requests the
engine already took from the scheduler wait for one of its few connections (each a guest page
once the session has expired)."""
LOGIN_META = "forumscraper_login"
"""Request meta key: the request is one of the login's own (its page is not a crawled page)."""

_SESSION_FLAG = re.compile(rb'_userdata\["session_logged_in"\]\s*=\s*([01])')
GIVE_UP = "the session expires again right after each login"
"""``forumscraper/login/failed`` when logging in again buys no member page."""


class LoginFlow:
    """The requests that log a spider in, and what happens when a session ends.

    Requests are stamped with :attr:`generation` as they reach the downloader (see
    ``forumscraper.middlewares.SessionStampMiddleware``). The generation moves on when a session
    is found expired and again when the next login succeeds, so a page's stamp tells whether it
    was asked for before the current session began (a guest page: just ask again) or under it
    (a guest page: the session expired), and which session a member page was served by.

    Logging in again is given up when two sessions in a row (the first login's included) end
    without serving a single member page. Not one: pages fetched at the same time come back in
    any order, so the guest page that shows a session ended may arrive before the member pages
    it served; they then count for it, late, and the next session is the one to show whether
    logging in still works.
    """

    def __init__(
        self, credentials: Credentials, base_url: str, stats: Any, spider: Any = None
    ) -> None:
        self.credentials = credentials
        self.log_extra = {"spider": spider} if spider is not None else {}
        """Ties the flow's log records to its crawl (``forumscraper.logs.BoardLogCount``)."""
        self.base_url = base_url
        self.stats = stats
        self.renewals = 0
        self.generation = 0
        """Moves on when a session is found expired and when a login succeeds."""
        self.session_began = 0
        """The generation at which the current session's login succeeded."""
        self.session_from = 0
        """The first generation of the current session: it was seen to be needed then (the
        previous one had expired), and requests stamped since are its."""
        self.served = False
        """Whether the current session served a member page."""
        self.previous_from = 0
        self.previous_served: bool | None = None
        """Whether the previous session served a member page (``None``: there was none)."""
        self.waiting: list[Request] | None = None
        """While logging in again, the pages to ask for once in (``None``: not logging in)."""
        self.logging_in_again: Deferred[None] | None = None
        """The latest renewal (:meth:`_log_in_again`), done or under way."""

    # -- logging in ------------------------------------------------------------------------------

    def start(self, then: Callable[[], Iterable[Request]]) -> Request:
        """The first request: the login page; ``then`` gives the requests to make once in."""
        return self._login_page().replace(callback=self._fill_form, cb_kwargs={"then": then})

    def _login_page(self) -> Request:
        return Request(
            self.base_url.rstrip("/") + "/login",
            meta={"dont_cache": True, LOGIN_META: True, "download_slot": LOGIN_SLOT},
            dont_filter=True,
            priority=LOGIN_PRIORITY,
        )

    def _fill_form(self, response: Response, then: Callable[[], Iterable[Request]]) -> Any:
        yield self._form_request(response).replace(callback=self._check, cb_kwargs={"then": then})

    def _form_request(self, response: Response) -> Request:
        """The login form of ``response`` (the login page), filled in and ready to post."""
        if not isinstance(response, TextResponse) or not response.xpath(_FORM):
            self._fail("the login page holds no login form", response)
        formdata = {
            "username": self.credentials.username,
            "password": self.credentials.password,
            "autologin": "on",
        }
        form = response.xpath(_FORM)[:1]
        return form2request(form, formdata).to_scrapy(
            callback=None,
            meta={"dont_cache": True, LOGIN_META: True, "download_slot": LOGIN_SLOT},
            dont_filter=True,
            priority=LOGIN_PRIORITY,
        )

    def _check(self, response: Response, then: Callable[[], Iterable[Request]]) -> Any:
        self._verify(response)
        yield from then()

    def _verify(self, response: Response) -> None:
        """The page after posting the form shows the member logged in: a new session begins;
        else the run stops, saying why."""
        html = response.text if isinstance(response, TextResponse) else ""
        if is_logged_in(html):
            self.generation += 1
            self.session_began = self.generation
            self.stats.inc_value("forumscraper/login/success")
            logger.info("Logged in as %s", self.credentials.username)
            return
        if _CAPTCHA.search(html):
            self._fail("the forum asks for a captcha", response)
        if _BANNED.search(html):
            self._fail("the member is banned", response)
        self._fail("wrong user name or password", response)

    def _fail(self, why: str, response: Response) -> NoReturn:
        self.stats.set_value("forumscraper/login/failed", why)
        logger.error(
            "Login as %s failed at %s: %s",
            self.credentials.username,
            response.url,
            why,
            extra=self.log_extra,
        )
        raise CloseSpider("login_failed")

    # -- sessions that end -----------------------------------------------------------------------

    def page_received(self, response: Response, engine: ExecutionEngine) -> None:
        """See each crawled page as it arrives, before its callback reads it (a topic page is
        read in a worker process meanwhile): a member page counts for the session it was asked
        for under; a guest page under the current session starts a new login at once, unless one
        is under way or logging in again buys nothing (then :meth:`guest_page`, when the
        callback hands the page over, stops the run)."""
        if response.meta.get(LOGIN_META):
            return
        flag = _SESSION_FLAG.search(response.body)
        if flag is None:
            return  # not a Forumotion page (the RSS feed, an image): no session shown
        sent_under = int(response.meta.get(SESSION_META, 0))
        if flag.group(1) == b"1":
            if sent_under >= self.session_from:
                self.served = True
            elif sent_under >= self.previous_from:
                self.previous_served = True
        elif self.waiting is None and sent_under >= self.session_began and self._worth_renewing():
            self._renew(engine)

    def guest_page(
        self, again: Request, sent_under: int, engine: ExecutionEngine
    ) -> Iterator[Request]:
        """A callback received a guest page; ``again`` asks for it once more, as a member: at
        once if it was sent before the current session began, else once the login under way (or
        a new one: the session expired) is done. When this session and the one before it both
        ended without serving a single member page, the run stops: logging in again buys
        nothing."""
        self.stats.inc_value("forumscraper/login/guest_pages")
        if self.waiting is None and sent_under < self.session_began:
            yield again
            return
        if self.waiting is None:
            if not self._worth_renewing():
                self.stats.set_value("forumscraper/login/failed", GIVE_UP)
                logger.error(
                    "Two member sessions of %s in a row expired before serving a single page: "
                    "stopping rather than crawl as a guest",
                    self.credentials.username,
                    extra=self.log_extra,
                )
                raise CloseSpider("login_failed")
            self._renew(engine)
        assert self.waiting is not None
        self.waiting.append(again)

    def _worth_renewing(self) -> bool:
        """Whether the current session or the one before it served a member page."""
        return self.served or self.previous_served is not False

    def _renew(self, engine: ExecutionEngine) -> None:
        self.renewals += 1
        self.generation += 1
        self.previous_from, self.previous_served = self.session_from, self.served
        self.session_from, self.served = self.generation, False
        self.waiting = []
        self.stats.inc_value("forumscraper/login/renewed")
        logger.info("The member session expired: logging in again (renewal %d)", self.renewals)
        engine.pause()
        self.logging_in_again = deferred_from_coro(self._log_in_again(engine))

    async def _log_in_again(self, engine: ExecutionEngine) -> None:
        """Log in with the crawl paused: every page fetched meanwhile would be a guest page, and
        one fetched between the answer that sets the new session cookie and the page that
        checks the login would use the new session up. Then ask again for the pages that came
        back as guest pages meanwhile; a failed login closes the spider."""
        reason: str | None = None
        try:
            login_page = await engine.download_async(self._login_page())
            self._verify(await engine.download_async(self._form_request(login_page)))
        except CloseSpider as stop:
            reason = stop.reason
        except Exception as exc:
            engine.unpause()
            if not engine.running:
                return  # the crawl is being stopped (Ctrl-C, SIGTERM): not a login failure
            why = f"logging in again failed ({type(exc).__name__})"
            self.stats.set_value("forumscraper/login/failed", why)
            logger.error(
                "Logging in again as %s failed: %s",
                self.credentials.username,
                exc,
                extra=self.log_extra,
            )
            reason = "login_failed"
        engine.unpause()
        if reason is not None:
            await engine.close_spider_async(reason=reason)
            return
        waiting, self.waiting = self.waiting or [], None
        for request in waiting:
            engine.crawl(request)
