"""Scrapy settings of forumscraper: polite defaults and the ``FORUMSCRAPER_*`` settings.

Every ``FORUMSCRAPER_*`` setting below is documented where it is defined, and can also be given
as the environment variable of the same name or per run with ``scrapy crawl forum -s NAME=value``
(the command line wins over the environment, which wins over this module): see
``forumscraper.config``, which reads the environment and checks every value.
``DATABASE_URL`` (or ``DATABASE_URL_FILE``) selects the database and is read by
``forumscraper.db.config``; it is deliberately not a Scrapy setting, so that Scrapy's
"Overridden settings" log line can never print its password.

This module only defines values: importing it changes nothing (log masking is installed by the
``forumscraper.secrets.LogMasking`` extension when a crawl starts).
"""

from __future__ import annotations

from scrapy.settings import default_settings as _scrapy_defaults

BOT_NAME = "forumscraper"
SPIDER_MODULES = ["forumscraper.spiders"]
NEWSPIDER_MODULE = "forumscraper.spiders"
COMMANDS_MODULE = "forumscraper.scrapy_commands"

ADDONS = {"forumscraper.config.EnvironmentSettings": 0}
"""Applies the ``FORUMSCRAPER_*`` environment variables (and the Scrapy settings derived from
``FORUMSCRAPER_LOG_LEVEL``, ``FORUMSCRAPER_USER_AGENT`` and ``FORUMSCRAPER_MAX_RUNTIME``) before a
crawl is built."""

# -- What to crawl ---------------------------------------------------------------------------

FORUMSCRAPER_BASE_URL: str | None = None
"""The forum to crawl (``-a base_url=…`` wins). Unset: ``scrapy crawl`` serves the bundled demo
forum on 127.0.0.1 and crawls it, so a first ``scrapy crawl forum`` works with no forum at hand."""

FORUMSCRAPER_TIMEZONE: str | None = None
"""The board's timezone (IANA name such as ``Asia/Baghdad``, or ``+03:00``). Unset: inferred
from the page's "Current date/time is …" line against the HTTP ``Date`` header, else UTC."""

FORUMSCRAPER_DEMO_VERSION = "prosilver"
"""Template version the bundled demo forum is rendered in when no forum URL is given."""

FORUMSCRAPER_DEMO_PORT = 8000
"""Port on 127.0.0.1 the bundled demo forum is served on when no forum URL is given (0: any free
port). When it is taken, the demo gets another free port and the run says so: the links stored
by earlier runs then do not answer, so give a port nothing else uses."""

FORUMSCRAPER_POSTS_PER_PAGE = 15
"""Posts per topic page until a topic page shows the board's own value (Forumotion: 15)."""

FORUMSCRAPER_BOARDS_AT_ONCE = 8
"""Boards a multi-board run (``-a boards=due|all|…``) crawls at the same time, one crawler each."""

FORUMSCRAPER_MAX_RUNTIME = 0
"""Stop a run after this many seconds (0: no bound); the run is recorded as interrupted.
Scrapy's ``CLOSESPIDER_TIMEOUT`` takes its value (``forumscraper.config.DERIVED``)."""

FORUMSCRAPER_TEMPLATE_VERSION: str | None = None
"""Force a template version (``prosilver``, ``subsilver``, ``punbb``, ``invision``, ``modernbb``,
``awesomebb``, ``mobile``): every request gets ``change_version=<version>``, for forums whose own
template is customised beyond recognition. Unset: the version is detected on each page."""

FORUMSCRAPER_MAX_EMPTY_PAGE_SHARE = 0.0
"""Share of pages that may hold nothing readable (unknown markup, error pages) before the run
is ``failed``; 0: any such page fails the run (each is always logged and counted)."""

# -- Storage ---------------------------------------------------------------------------------

FORUMSCRAPER_DATABASE_URL: str | None = None
"""The database of one crawl, as a Scrapy setting: it wins over ``DATABASE_URL``. For programs
that run crawls in-process, several databases in one process (the tests do); the environment
does not set it (``DATABASE_URL`` is the environment's). Its password is masked in logs."""

FORUMSCRAPER_DB_BATCH_SIZE = 500
"""Rows written per transaction."""

FORUMSCRAPER_DB_RETRIES = 3
"""Retries of a database write or read that failed for want of the database (connection lost,
server restarting), before the run stops (``forumscraper.db.retry``)."""

FORUMSCRAPER_DB_RETRY_DELAY = 2.0
"""Seconds before the first such retry; the pause doubles at each one."""

FORUMSCRAPER_REFUSE_NEW_BOARDS = False
"""Refuse to crawl an address not in ``boards`` (register boards with ``forumscraper boards add``)
instead of registering it: a typo in a scheduled job then fails instead of starting a new board."""

FORUMSCRAPER_DB_MIGRATE = True
"""Run ``alembic upgrade head`` at start when the database is empty or behind."""

FORUMSCRAPER_NEAR_DUPLICATES = True
"""At the end of a run, sign the board's new articles and group their near-duplicates
(``forumscraper.db.near_duplicates``); 0 leaves it to ``forumscraper dedup``."""

# -- Workers on the queue (``forumscraper worker``, PostgreSQL only) ------------------------

FORUMSCRAPER_DEFAULT_EVERY = "15m"
"""How often a worker checks (``recent``) a board added without ``--every``: 15m, 1h, 900s."""
FORUMSCRAPER_QUEUE_CHECK_CRON = "* * * * *"
"""When workers look for due boards to enqueue and for the jobs of lost workers (cron, UTC;
a sixth field gives seconds)."""
FORUMSCRAPER_QUEUE_FORUM_CRON = "30 3 * * *"
"""When every board's ``forum`` crawl is enqueued (cron, UTC)."""
FORUMSCRAPER_QUEUE_HEARTBEAT = 10.0
"""Seconds between a worker's heartbeats in the queue's tables."""
FORUMSCRAPER_QUEUE_STALLED_AFTER = 60.0
"""Seconds without a heartbeat after which a worker is taken as lost and its jobs run again
elsewhere (several heartbeats: a busy database must not make a live worker look lost)."""

# -- Work beside the crawl -------------------------------------------------------------------

FORUMSCRAPER_WORKERS: int | None = None
"""Worker processes that read topic pages and clean post text beside the crawl (0: all in the
crawling process). Unset: one per CPU, at most 4; none on a one-CPU machine."""
FORUMSCRAPER_WORKERS_TIMEOUT = 60.0
"""Seconds a worker may spend on one topic page (milliseconds as a rule): beyond, the worker is
killed and replaced, and the page counts as failed (0: no bound)."""
FORUMSCRAPER_MALLOC_ARENAS = 2
"""glibc malloc arenas the crawling process's threads share (0: glibc's default, up to eight
per CPU); see ``forumscraper.memory``: with one arena per thread the heap grows with the crawl."""

# -- Politeness (on by default) --------------------------------------------------------------

FORUMSCRAPER_USER_AGENT = (
    "forumscraper/0.1 (+https://github.com/forumscraper/forumscraper; archiving bot)"
)
"""The User-Agent sent (Scrapy's ``USER_AGENT`` takes its value)."""
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 60
METAREFRESH_ENABLED = False
"""Forumotion serves content without ``<meta http-equiv="refresh">``; the pages that carry one
are information boxes ("you will be redirected"), which must be seen for what they are (and the
page retried or failed loudly), not followed silently to the index. The middleware also decoded
every page in the crawling process just to look for the tag."""
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
"""Scrapy's remote-control server runs code sent to it; an archiver run from cron needs none."""

# -- Components ------------------------------------------------------------------------------

ITEM_PIPELINES = {
    "forumscraper.pipelines.clean.CleanPipeline": 300,
    "forumscraper.pipelines.dates.UnreadableDatesPipeline": 310,
    "forumscraper.pipelines.store.DatabasePipeline": 800,
}
DOWNLOADER_MIDDLEWARES = {
    # Before RetryMiddleware (550) sees the response: slow down on 429/503 first.
    "forumscraper.middlewares.RetryAfterMiddleware": 560,
}
SPIDER_MIDDLEWARES = {
    "forumscraper.middlewares.SessionStampMiddleware": 100,
    "forumscraper.middlewares.TemplateVersionMiddleware": 110,
    # Depth limits make no sense for an archiver (every page is wanted) and the middleware
    # wraps every request and item a callback yields.
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
}
FORUMSCRAPER_RETRY_AFTER_MAX = 300.0
"""Longest pause (seconds) a ``Retry-After`` header may impose on the forum's download slot."""

EXTENSIONS = {
    # First of all: masks secrets in every log line from then on ("Overridden settings" too).
    "forumscraper.secrets.LogMasking": -100,
    "forumscraper.memory.MallocArenaLimit": 0,
    "forumscraper.memory.FrozenStartupHeap": 0,  # the collector skips what the crawl started with
    "forumscraper.logs.QuietNetworkErrors": 0,  # a network failure is one line, not a traceback
    # log_count/* per board: one crawler's errors do not fail the other boards' runs
    "scrapy.extensions.logcount.LogCount": None,
    "forumscraper.logs.BoardLogCount": 0,
    "forumscraper.runs.CrawlRunRecorder": 100,
}
EXTENSIONS_BASE = {
    path: order
    for path, order in _scrapy_defaults.EXTENSIONS_BASE.items()
    if path != "scrapy.extensions.remote_control.RemoteControl"
}
"""Scrapy's own extensions but its remote control: off (``REMOTE_CONTROL_ENABLED``), and not even
imported, which naming it in ``EXTENSIONS`` (as ``None``) would still do, since Scrapy loads
every class it finds there: its module loads aiohttp's web server, a tenth of a second of every
run's start."""

CONCURRENT_ITEMS = 4
"""Items of one response processed at once. Scrapy starts this many tasks for every response
(default 100); a topic page yields one or two items. Items wait in the pipelines only while a
page is cleaned in a worker process: parallelism comes from the many responses in flight."""
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 2_000_000
"""Bytes of responses being processed (callbacks and their items in the pipelines) above which
Scrapy stops downloading (default 5,000,000). Each topic page in there also holds its posts read
and cleaned, three to four times the page's size; 2 MB (about 30 topic pages) keeps the workers
and the database busy and the crawling process about 15 MB smaller."""

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
FORUMSCRAPER_LOG_LEVEL = "INFO"
"""Scrapy's log level (Scrapy's ``LOG_LEVEL`` takes its value)."""
