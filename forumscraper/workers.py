"""Worker processes beside the crawl: topic pages are read and their posts cleaned there.

The crawling process is the crawl's bottleneck: Scrapy's engine, the spiders' bookkeeping and the
store's Python side share its one core (threads share the GIL). Reading a topic page (parsing
about 60 KB of HTML, extracting its posts) and cleaning the posts' text are pure CPU work whose
inputs and outputs are cheap to send to another process, so they run in worker processes on the
other cores, in one call per page (``forumscraper.reading.read_and_clean_topic_page``: the page's
HTML crosses to a worker once and comes back as posts read and cleaned).

Each worker is one process and one socket pair, driven by the crawl's asyncio event loop
(length-prefixed pickles, :func:`frame` and :func:`take_frames` on both ends, written and read
without blocking on the crawl's end): no helper threads in the crawling process, where
``concurrent.futures.ProcessPoolExecutor`` (and ``pebble`` and ``loky``, measured too) run helper
threads that compete with the reactor for the GIL: about 250 µs of the crawling process's CPU a
call against 110 µs here. A call goes to the worker with the fewest calls waiting; a worker
answers its calls in order, so the oldest call a worker has not answered is the one it runs.

A failure stays with its own call:

- an exception raised by the call comes back to the caller (as a :class:`WorkerError` with the
  worker's traceback when it does not survive pickling); an answer that cannot be read fails that
  call only, and the worker goes on answering the others;
- a call that runs longer than the timeout (``FORUMSCRAPER_WORKERS_TIMEOUT``) fails with
  :class:`WorkerTimeout`; its worker is killed and replaced;
- a worker that dies (killed, out of memory, a crash in a C library) is replaced; the call it was
  running is sent to a worker again, once: a call that kills two workers fails with
  :class:`WorkerDied`. The calls that were waiting behind it go to the other workers. No call runs
  in the crawling process once workers are on, so no page can kill the crawl.

``FORUMSCRAPER_WORKERS`` sets how many (default: one per CPU, at most four; 0: everything runs
in the crawling process, as a one-CPU machine wants, with no timeout). A worker whose crawl dies
outright (SIGKILL) sees its socket close and exits.
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
import traceback
import types
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_DEFAULT_WORKERS = 4
"""Reading and cleaning are a share of a crawl's work: more workers than this would idle."""
DEFAULT_TIMEOUT = 60.0
"""Seconds a call may run (a topic page takes milliseconds, a pathological one of several MB
about a second): beyond, the worker is taken for hung."""
MAX_DEATHS = 2
"""Workers a call may kill before it fails (the first death may be another's fault: the OOM
killer picks the largest process, not the guilty one)."""
_PRELOAD = [
    "forumscraper.workers",
    "forumscraper.reading",
    "forumscraper.pages.topic",
    "forumscraper.text.clean",
]
"""Imported once by the fork server, so that every worker shares them. This module imports no
Scrapy at its top (a worker has no use for it: it would cost each one 20 MB)."""
_HEADER = struct.Struct("!I")
"""A frame's header: the payload's length."""
_READ_SIZE = 256 * 1024
"""Bytes read at once, into a buffer kept for the purpose: ``os.read`` of a size this large
would allocate (and fault in) a new buffer on every call, which cost the crawling process about
400 µs a page."""
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


class WorkerError(RuntimeError):
    """A call failed in a worker in a way its own exception cannot tell (it does not pickle or
    unpickle), or its answer could not be read."""


class WorkerDied(WorkerError):
    """The call killed the worker processes that ran it (:data:`MAX_DEATHS` of them), or the
    workers were closed before it was answered."""


class WorkerTimeout(WorkerError):
    """The call ran longer than the timeout: its worker was killed."""


class _RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker (the ``__cause__`` of the exception the
    caller gets), so that the crawl's log shows where it was raised."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f"\n\nin the worker process:\n{self.text}"


# -- frames: one format, both ends --------------------------------------------------------------


def frame(payload: bytes) -> bytes:
    """``payload`` as one frame: its length, then itself."""
    return _HEADER.pack(len(payload)) + payload


def take_frames(inbox: bytearray) -> Iterator[memoryview]:
    """The complete frames at the start of ``inbox``, in order; each is removed from ``inbox``
    once the loop asks for the next one (a frame is a view into ``inbox``: use it, don't keep
    it). An incomplete frame stays for the next bytes read."""
    while len(inbox) >= _HEADER.size:
        (size,) = _HEADER.unpack_from(inbox)
        end = _HEADER.size + size
        if len(inbox) < end:
            return
        with memoryview(inbox) as view, view[_HEADER.size : end] as payload:
            yield payload
        del inbox[:end]


class FrameReader:
    """Reads a socket's bytes into :attr:`inbox`, through one buffer reused for every read."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.inbox = bytearray()
        self._buffer = bytearray(_READ_SIZE)
        self._view = memoryview(self._buffer)

    def read(self) -> int:
        """Read what the socket holds (up to :data:`_READ_SIZE`); 0 at its end. Raises
        ``BlockingIOError`` on a non-blocking socket with nothing to read, ``OSError``."""
        count = os.readv(self.fd, [self._buffer])
        self.inbox += self._view[:count]
        return count

    def frames(self) -> Iterator[memoryview]:
        """The complete frames read so far (:func:`take_frames`)."""
        return take_frames(self.inbox)


# -- the worker's end ---------------------------------------------------------------------------


def default_workers() -> int:
    """One per CPU the process may use (the crawl's own core included, since it is idle a
    good part of the time), at most four; none on a one-CPU machine."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return 0 if cpus < 2 else min(cpus, MAX_DEFAULT_WORKERS)


def _serve(connection: Connection) -> None:
    """A worker's life: answer calls until the crawl closes its end of the socket (or dies).

    SIGINT and SIGTERM are left to the crawl, which finishes its current work on them and then
    closes the socket (a terminal's Ctrl-C reaches the whole process group)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.nice(WORKER_NICENESS)
    fd = connection.fileno()
    reader = FrameReader(fd)
    while True:
        try:
            count = reader.read()
        except OSError:
            count = 0
        if not count:
            os._exit(0)
        for request in reader.frames():
            answer = frame(_answer(request))
            try:
                _write_all(fd, answer)
            except OSError:
                os._exit(0)


def _write_all(fd: int, data: bytes) -> None:
    with memoryview(data) as view:
        while view:
            view = view[os.write(fd, view) :]


def _answer(request: memoryview) -> bytes:
    """The pickled answer to one pickled call: ``(True, result)`` or ``(False, exception,
    traceback)``; never raises."""
    try:
        func, args = pickle.loads(request)
        result = func(*args)
        return pickle.dumps((True, result), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # every failure goes back to the caller
        return _failure(exc)


def _failure(exc: BaseException) -> bytes:
    """An exception as an answer: itself if it survives pickling, else a :class:`WorkerError`
    naming it (an exception class whose ``__init__`` wants other arguments than its ``args``
    pickles but does not unpickle: the crawl must not be the one to find out)."""
    text = "".join(traceback.format_exception(exc))
    try:
        answer = pickle.dumps((False, exc, text), protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(answer)
        return answer
    except Exception:
        stand_in = WorkerError(f"{type(exc).__qualname__}: {exc}")
        return pickle.dumps((False, stand_in, text), protocol=pickle.HIGHEST_PROTOCOL)


# -- the crawl's end ----------------------------------------------------------------------------


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


@dataclass(eq=False)
class _Call:
    """One call on its way: its frame (kept until answered, to be sent again if its worker
    dies), what it runs (for messages) and the future the caller awaits."""

    request: bytes
    name: str
    answer: asyncio.Future[Any]
    deaths: int = 0


class _Channel:
    """One worker process and the crawl's end of its socket pair, on the event loop."""

    def __init__(
        self,
        context: multiprocessing.context.BaseContext,
        timeout: float | None,
        died: Callable[[_Channel, list[_Call], _Call | None], None],
    ) -> None:
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
        self.reader = FrameReader(self.fd)
        self.loop = asyncio.get_running_loop()
        self.timeout = timeout
        self.died = died
        """Told the calls left unanswered when the worker dies, and the one it was running."""
        self.waiting: deque[_Call] = deque()
        """Sent and not answered, oldest first: the first is the one the worker runs."""
        self.outbox: deque[memoryview] = deque()
        self.writing = False
        self.dead = False
        self.timer: asyncio.TimerHandle | None = None
        self.timed_out = False
        self.pid = process.pid
        self.loop.add_reader(self.fd, self._readable)

    def send(self, call: _Call) -> None:
        self.waiting.append(call)
        if len(self.waiting) == 1:
            self._start_timer()
        self.outbox.append(memoryview(call.request))
        self._write()

    def _start_timer(self) -> None:
        """Time the call the worker runs now (the oldest unanswered one)."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.waiting and self.timeout is not None:
            self.timer = self.loop.call_later(self.timeout, self._timed_out, self.waiting[0])

    def _write(self) -> None:
        while self.outbox and not self.dead:
            try:
                sent = os.write(self.fd, self.outbox[0])
            except BlockingIOError:
                break
            except OSError as exc:
                self._die(f"its socket failed: {exc}")
                return
            if sent == len(self.outbox[0]):
                self.outbox.popleft()
            else:
                self.outbox[0] = self.outbox[0][sent:]
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
            count = self.reader.read()
        except BlockingIOError:
            return
        except OSError as exc:
            self._die(f"its socket failed: {exc}")
            return
        if not count:
            self._die("it exited")
            return
        answered = False
        for payload in self.reader.frames():
            if not self.waiting:
                self._die("it answered a call it was not sent")
                return
            call = self.waiting.popleft()
            answered = True
            if not call.answer.done():
                _settle(call, payload)
        if answered:
            self._start_timer()

    def _timed_out(self, call: _Call) -> None:
        self.timer = None
        if self.dead or not self.waiting or self.waiting[0] is not call:
            return
        self.waiting.popleft()
        self.timed_out = True
        if not call.answer.done():
            call.answer.set_exception(
                WorkerTimeout(
                    f"{call.name} ran more than {self.timeout:g} s in worker process "
                    f"{self.pid}, which was killed"
                )
            )
        self._die("it ran a call past the timeout", running=False)

    def _die(self, reason: str, running: bool = True) -> None:
        """The worker is gone (or must go): kill it, and hand its unanswered calls back,
        naming the one it was running (``running``: the oldest unanswered call, as a rule;
        not after a timeout, whose call failed already)."""
        if self.dead:
            return
        self.dead = True
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.loop.remove_reader(self.fd)
        if self.writing:
            self.loop.remove_writer(self.fd)
        self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(_JOIN_SECONDS)
        exitcode = self.process.exitcode
        if exitcode is not None:
            self.process.close()  # its sentinel's file descriptor
        calls = list(self.waiting)
        self.waiting.clear()
        self.outbox.clear()
        suspect = calls[0] if calls and running else None
        logger.warning(
            "Worker process %s is gone (%s; exit code %s)%s; a new one takes its calls",
            self.pid,
            reason,
            exitcode,
            f" while running {suspect.name}" if suspect is not None else "",
        )
        self.died(self, calls, suspect)

    def close(self) -> None:
        """Close the socket (the worker exits when it sees that) and wait for the process;
        calls still unanswered fail."""
        if self.dead:
            return
        self.dead = True
        if self.timer is not None:
            self.timer.cancel()
        self.loop.remove_reader(self.fd)
        if self.writing:
            self.loop.remove_writer(self.fd)
        self.connection.close()
        for call in self.waiting:
            if not call.answer.done():
                call.answer.set_exception(WorkerDied("the workers were closed"))
        self.waiting.clear()
        self.process.join(_JOIN_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(_JOIN_SECONDS)


def _settle(call: _Call, payload: memoryview) -> None:
    """Give a call its answer; one that cannot be read fails this call only."""
    try:
        answer = pickle.loads(payload)
    except Exception as exc:
        call.answer.set_exception(
            WorkerError(f"the answer to {call.name} could not be read: {type(exc).__name__}: {exc}")
        )
        return
    if answer[0]:
        call.answer.set_result(answer[1])
        return
    error: BaseException = answer[1]
    error.__cause__ = _RemoteTraceback(answer[2])
    call.answer.set_exception(error)


class Workers:
    """Worker processes, started on first use; ``processes=0`` runs calls inline.

    ``timeout``: seconds a call may run in a worker before the worker is killed (``None``: no
    bound)."""

    def __init__(
        self,
        processes: int,
        timeout: float | None = DEFAULT_TIMEOUT,
        on_restart: Callable[[bool], None] | None = None,
    ) -> None:
        self.processes = max(0, processes)
        self.timeout = timeout
        self.on_restart = on_restart
        """Told of every worker that died or was killed (``True``: for a timeout)."""
        self._channels: list[_Channel] = []
        self._context: multiprocessing.context.BaseContext | None = None
        self._closed = False
        self.restarts = 0
        """Workers that died or were killed (each is replaced on the next call)."""
        self.timeouts = 0
        """Calls that ran past the timeout."""

    def _channel(self) -> _Channel | None:
        """The live worker with the fewest calls waiting (started if need be)."""
        if not self.processes or self._closed:
            return None
        self._channels = [channel for channel in self._channels if not channel.dead]
        if len(self._channels) < self.processes:
            if self._context is None:
                self._context = _context()
            self._channels.append(_Channel(self._context, self.timeout, self._died))
        return min(self._channels, key=lambda channel: len(channel.waiting))

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """``func(*args)`` in a worker process (or here without one); its exceptions propagate,
        and a failure of the worker itself raises a :class:`WorkerError` (see the module).

        ``func`` and its arguments must pickle (a module-level function, plain data)."""
        channel = self._channel()
        if channel is None:
            return func(*args)
        request = frame(pickle.dumps((func, args), protocol=pickle.HIGHEST_PROTOCOL))
        call = _Call(
            request, getattr(func, "__qualname__", repr(func)), channel.loop.create_future()
        )
        channel.send(call)
        result: T = await call.answer
        return result

    def _died(self, channel: _Channel, calls: list[_Call], suspect: _Call | None) -> None:
        """A worker is gone: send its calls to the others (a new worker replaces it), except a
        call that has now killed :data:`MAX_DEATHS` workers, which fails."""
        self.restarts += 1
        self.timeouts += channel.timed_out
        if self.on_restart is not None:
            self.on_restart(channel.timed_out)
        if suspect is not None:
            suspect.deaths += 1
        for call in calls:
            if call.answer.done():
                continue
            if call.deaths >= MAX_DEATHS:
                call.answer.set_exception(
                    WorkerDied(f"{call.name} killed {call.deaths} worker processes")
                )
                continue
            try:
                replacement = self._channel()
            except Exception as exc:  # no new worker could start (out of memory, ...)
                call.answer.set_exception(WorkerDied(f"no worker to run {call.name}: {exc}"))
                continue
            if replacement is None:
                call.answer.set_exception(WorkerDied("the workers were closed"))
            else:
                replacement.send(call)

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
        workers = Workers(
            default_workers() if setting is None else setting,
            timeout=config.workers_timeout(crawler.settings),
            on_restart=_counter(weakref.ref(crawler)),
        )
        _BY_CRAWLER[crawler] = workers
        crawler.signals.connect(workers.close, signal=signals.spider_closed, weak=False)
    return workers


def _counter(crawler: weakref.ref[Any]) -> Callable[[bool], None]:
    """Counts restarts in the crawl's stats (``forumscraper/workers/restarts``, ``…/timeouts``);
    the crawler weakly held, as :data:`_BY_CRAWLER` holds it."""

    def count(timed_out: bool) -> None:
        try:
            stats = getattr(crawler(), "stats", None)
        except RuntimeError:  # Scrapy's: the crawl has not started
            return
        if stats is None:
            return
        stats.inc_value("forumscraper/workers/restarts")
        if timed_out:
            stats.inc_value("forumscraper/workers/timeouts")

    return count
