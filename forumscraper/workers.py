"""Worker processes beside the crawl: topic pages are read and post bodies cleaned there.

The crawling process is the crawl's bottleneck: Scrapy's engine, the spiders' bookkeeping and the
store's Python side share its one core (threads share the GIL). Reading a topic page (parsing
about 60 KB of HTML, extracting its posts) and cleaning the posts' text are pure CPU work whose
inputs and outputs are cheap to send to another process, so they run in worker processes on the
other cores, one call per page each (``forumscraper.pages.topic.read_topic_page`` for the
spiders, ``forumscraper.text.clean.clean_bodies`` for the cleaning pipeline).

Each worker is one process and one socket pair, driven by the crawl's asyncio event loop
(length-prefixed pickles, written and read without blocking): no helper threads in the crawling
process, where ``concurrent.futures.ProcessPoolExecutor`` runs two that compete with the reactor
for the GIL on every call. A call goes to the worker with the fewest calls waiting; a worker
answers its calls in order.

``FORUMSCRAPER_WORKERS`` sets how many (default: one per CPU, at most four; 0: everything runs
in the crawling process, as a one-CPU machine wants). A worker that dies (killed, out of memory)
is replaced and the calls it held run again in the crawl, so no page is lost to it; a worker
whose crawl dies outright (SIGKILL) sees its socket close and exits.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import multiprocessing
import os
import pickle
import signal
import struct
import sys
import types
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_DEFAULT_WORKERS = 4
"""Reading and cleaning are a share of a crawl's work: more workers than this would idle."""
_PRELOAD = ["forumscraper.workers", "forumscraper.pages.topic", "forumscraper.text.clean"]
"""Imported once by the fork server, so that every worker shares them. This module imports no
Scrapy at its top (a worker has no use for it: it would cost each one 20 MB)."""
_HEADER = struct.Struct("!i")
"""``multiprocessing.connection``'s frame header: the payload's length."""
_JOIN_SECONDS = 5.0
WORKER_NAME = "forumscraper-worker"
WORKER_NICENESS = 5
"""Workers yield the CPU to the crawl: a page handed to a worker must not preempt the event
loop that keeps the downloads going (the critical path), only use the time it leaves."""


def _kill_workers_at_exit() -> None:
    """At interpreter exit, before ``multiprocessing`` joins its children: kill the workers.

    They ignore SIGTERM (it is the crawl's to handle), so ``multiprocessing``'s own exit handler,
    which terminates daemon children then joins them, would wait forever on a worker whose
    socket only closes when this process is gone: the hang after a second Ctrl-C ("forcing
    unclean shutdown"). At exit the crawl has no more use for them."""
    for child in multiprocessing.active_children():
        if child.name == WORKER_NAME:
            child.kill()


atexit.register(_kill_workers_at_exit)  # after multiprocessing's: atexit runs it first


class WorkerDied(RuntimeError):
    """The worker process holding a call exited before answering it."""


def default_workers() -> int:
    """One per CPU the process may use (the crawl's own core included, since it is idle a
    good part of the time), at most four; none on a one-CPU machine."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return 0 if cpus < 2 else min(cpus, MAX_DEFAULT_WORKERS)


def _context() -> multiprocessing.context.BaseContext:
    """``forkserver`` where there is one: workers fork from a small single-threaded process that
    has the page and text modules imported already (quick to start, and safe from a threaded
    parent); else ``spawn``."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


@contextmanager
def _main_not_inherited() -> Iterator[None]:
    """Start a worker without the crawl's ``__main__``.

    ``spawn`` and ``forkserver`` children import their parent's main script first; for a crawl
    that is the ``scrapy`` console script, which imports all of Scrapy and Twisted (pytest's,
    under the tests): about 25 MB in every worker that never uses them. The worker's code lives
    in this module, so a bare ``__main__`` stands in while the process starts."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _serve(connection: Connection) -> None:
    """A worker's life: answer calls until the crawl closes its end of the socket (or dies).

    SIGINT and SIGTERM are left to the crawl, which finishes its current work on them and then
    closes the socket (a terminal's Ctrl-C reaches the whole process group)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.nice(WORKER_NICENESS)
    while True:
        try:
            func, args = pickle.loads(connection.recv_bytes())
        except (EOFError, OSError):
            os._exit(0)
        try:
            answer = pickle.dumps((True, func(*args)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # every failure goes back to the caller
            answer = _failure(exc)
        try:
            connection.send_bytes(answer)
        except OSError:
            os._exit(0)


def _failure(exc: BaseException) -> bytes:
    try:
        return pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # an exception that does not pickle
        return pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


class _Channel:
    """One worker process and the crawl's end of its socket pair, on the event loop."""

    def __init__(self, context: multiprocessing.context.BaseContext) -> None:
        ours, theirs = context.Pipe(duplex=True)
        process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(theirs,), daemon=True, name=WORKER_NAME
        )
        with _main_not_inherited():
            process.start()
        theirs.close()
        self.process = process
        self.connection = ours
        self.fd = ours.fileno()
        os.set_blocking(self.fd, False)
        self.loop = asyncio.get_running_loop()
        self.waiting: deque[asyncio.Future[Any]] = deque()
        self.inbox = bytearray()
        self.outbox = bytearray()
        self.writing = False
        self.dead = False
        self.loop.add_reader(self.fd, self._readable)

    def call(self, payload: bytes) -> asyncio.Future[Any]:
        answer: asyncio.Future[Any] = self.loop.create_future()
        self.waiting.append(answer)
        self.outbox += _HEADER.pack(len(payload))
        self.outbox += payload
        self._write()
        return answer

    def _write(self) -> None:
        while self.outbox and not self.dead:
            try:
                sent = os.write(self.fd, self.outbox)
            except BlockingIOError:
                break
            except OSError as exc:
                self._die(exc)
                return
            del self.outbox[:sent]
        if self.dead:
            return
        if self.outbox and not self.writing:
            self.loop.add_writer(self.fd, self._write)
            self.writing = True
        elif not self.outbox and self.writing:
            self.loop.remove_writer(self.fd)
            self.writing = False

    def _readable(self) -> None:
        try:
            chunk = os.read(self.fd, 1 << 20)
        except BlockingIOError:
            return
        except OSError as exc:
            self._die(exc)
            return
        if not chunk:
            self._die(EOFError("the worker process exited"))
            return
        self.inbox += chunk
        while len(self.inbox) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self.inbox)
            end = _HEADER.size + size
            if len(self.inbox) < end:
                break
            with memoryview(self.inbox) as view, view[_HEADER.size : end] as frame:
                ok, value = pickle.loads(frame)
            del self.inbox[:end]
            answer = self.waiting.popleft()
            if answer.done():
                continue
            if ok:
                answer.set_result(value)
            else:
                answer.set_exception(value)

    def _die(self, reason: BaseException) -> None:
        if self.dead:
            return
        self.dead = True
        self.loop.remove_reader(self.fd)
        if self.writing:
            self.loop.remove_writer(self.fd)
        self.connection.close()
        while self.waiting:
            answer = self.waiting.popleft()
            if not answer.done():
                answer.set_exception(WorkerDied(f"worker process {self.process.pid}: {reason}"))

    def close(self) -> None:
        """Close the socket (the worker exits when it sees that) and wait for the process."""
        self._die(EOFError("closed"))
        self.process.join(_JOIN_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(_JOIN_SECONDS)


class Workers:
    """Worker processes, started on first use; ``processes=0`` runs calls inline."""

    def __init__(self, processes: int) -> None:
        self.processes = max(0, processes)
        self._channels: list[_Channel] = []
        self._context: multiprocessing.context.BaseContext | None = None
        self._closed = False
        self.restarts = 0

    def _channel(self) -> _Channel | None:
        """The live worker with the fewest calls waiting (started if need be)."""
        if not self.processes or self._closed:
            return None
        self._channels = [channel for channel in self._channels if not channel.dead]
        if len(self._channels) < self.processes:
            if self._context is None:
                self._context = _context()
            self._channels.append(_Channel(self._context))
        return min(self._channels, key=lambda channel: len(channel.waiting))

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """``func(*args)`` in a worker process (or here without one); its exceptions propagate.

        ``func`` and its arguments must pickle (a module-level function, plain data)."""
        channel = self._channel()
        if channel is None:
            return func(*args)
        payload = pickle.dumps((func, args), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            result: T = await channel.call(payload)
        except WorkerDied as exc:
            logger.warning("%s; starting a new one and running its call here", exc)
            self.restarts += 1
            return func(*args)
        return result

    def close(self) -> None:
        """Stop the workers (they finish the call at hand first)."""
        self._closed = True
        channels, self._channels = self._channels, []
        for channel in channels:
            channel.close()


_BY_CRAWLER: weakref.WeakKeyDictionary[Any, Workers] = weakref.WeakKeyDictionary()


def workers_for(crawler: Any) -> Workers:
    """The crawl's workers (one set per crawler, shared by the spider and the pipelines),
    stopped when the spider closes."""
    from scrapy import signals  # here: the workers import this module and need no Scrapy

    from forumscraper import config

    workers = _BY_CRAWLER.get(crawler)
    if workers is None:
        setting = config.workers(crawler.settings)
        workers = Workers(default_workers() if setting is None else setting)
        _BY_CRAWLER[crawler] = workers
        crawler.signals.connect(workers.close, signal=signals.spider_closed, weak=False)
    return workers
