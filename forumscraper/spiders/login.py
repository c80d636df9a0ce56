"""Logging in as a member, so pages show real links and member-only forums.

With ``FORUMSCRAPER_USERNAME`` and ``FORUMSCRAPER_PASSWORD`` (or ``FORUMSCRAPER_PASSWORD_FILE``)
set, a spider first loads ``/login``, fills the form the page itself carries (hidden fields
included, nothing hard-coded but the field names ``username``, ``password`` and ``autologin``),
and checks that the next page shows the member logged in (``_userdata["session_logged_in"] = 1``).
A wrong password, a captcha or a ban page stops the run before any page is crawled as a guest by
mistake. A session that expires mid-run (pages turn back into guest pages) is renewed once; if
that fails too, the run fails. The password travels only in the login request's body: it is never
logged, put in stats, or stored in the HTTP cache (``dont_cache``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from form2request import form2request
from scrapy.exceptions import CloseSpider
from scrapy.http import Request, Response, TextResponse

from forumscraper.db.config import read_secret
from forumscraper.secrets import add_secrets

logger = logging.getLogger(__name__)

_LOGGED_IN = re.compile(r'_userdata\["session_logged_in"\]\s*=\s*1')
_CAPTCHA = re.compile(r"g-recaptcha|h-captcha|captcha", re.IGNORECASE)
_BANNED = re.compile(
    r"you (?:have been|are) banned|banned from this (?:forum|board)|vous (?:avez été|êtes) banni",
    re.IGNORECASE,
)
_FORM = "//form[.//input[@type='password']]"


@dataclass
class Credentials:
    """A member's name and password, from the environment or a secrets file."""

    username: str
    password: str = field(repr=False)

    @classmethod
    def from_environment(cls) -> Credentials | None:
        username = read_secret("FORUMSCRAPER_USERNAME")
        password = read_secret("FORUMSCRAPER_PASSWORD")
        if not username:
            return None
        if not password:
            raise CloseSpider("login_misconfigured")
        add_secrets([password])
        return cls(username=username, password=password)


def is_logged_in(html: str) -> bool:
    """Whether a Forumotion page was rendered for a logged-in member."""
    return bool(_LOGGED_IN.search(html))


LOGIN_PRIORITY = 10
"""Above every page request (topic pages have 1): after a session expires, each page fetched
before the new login comes back as a guest page and is fetched again, so the login must not wait
behind the pages queued meanwhile."""


class LoginFlow:
    """The requests that log a spider in, and what happens once it is (or is not)."""

    def __init__(self, credentials: Credentials, base_url: str, stats: Any) -> None:
        self.credentials = credentials
        self.base_url = base_url
        self.stats = stats
        self.renewals = 0
        self.generation = 0
        """Increases with every successful login; requests carry the one they were made under."""

    def start(self, then: Callable[[], Iterable[Request]]) -> Request:
        """The first request: the login page; ``then`` gives the requests to make once in."""
        return Request(
            self.base_url.rstrip("/") + "/login",
            callback=self._fill_form,
            cb_kwargs={"then": then},
            meta={"dont_cache": True},
            dont_filter=True,
            priority=LOGIN_PRIORITY,
        )

    def _fill_form(self, response: Response, then: Callable[[], Iterable[Request]]) -> Any:
        if not isinstance(response, TextResponse) or not response.xpath(_FORM):
            self._fail("the login page holds no login form", response)
        formdata = {
            "username": self.credentials.username,
            "password": self.credentials.password,
            "autologin": "on",
        }
        form = response.xpath(_FORM)[:1]
        yield form2request(form, formdata).to_scrapy(
            callback=self._check,
            cb_kwargs={"then": then},
            meta={"dont_cache": True},
            dont_filter=True,
            priority=LOGIN_PRIORITY,
        )

    def _check(self, response: Response, then: Callable[[], Iterable[Request]]) -> Any:
        html = response.text if isinstance(response, TextResponse) else ""
        if is_logged_in(html):
            self.generation += 1
            self.stats.inc_value("forumscraper/login/success")
            logger.info("Logged in as %s", self.credentials.username)
            yield from then()
            return
        if _CAPTCHA.search(html):
            self._fail("the forum asks for a captcha", response)
        if _BANNED.search(html):
            self._fail("the member is banned", response)
        self._fail("wrong user name or password", response)

    def _fail(self, why: str, response: Response) -> NoReturn:
        self.stats.set_value("forumscraper/login/failed", why)
        logger.error("Login as %s failed at %s: %s", self.credentials.username, response.url, why)
        raise CloseSpider("login_failed")

    def renew(self, then: Callable[[], Iterable[Request]]) -> Request:
        """The session turned back into a guest session: log in again, once per run."""
        if self.renewals >= 1:
            self.stats.set_value("forumscraper/login/failed", "the session expired again")
            logger.error("The member session expired twice: stopping rather than crawl as guest")
            raise CloseSpider("login_failed")
        self.renewals += 1
        self.stats.inc_value("forumscraper/login/renewed")
        logger.warning("The member session expired: logging in again")
        return self.start(then)
