"""``python -m forumscraper.guard WORKER_PID COMMAND…``: run a worker's crawl and stop it cleanly,
once, when the worker asks (SIGTERM, forwarded) or dies (SIGKILL, host lost).

Between ``forumscraper worker`` and its crawl process, because Linux's parent-death signal
(``PR_SET_PDEATHSIG``) is sent each time a *thread* of the parent ends while the child is
reparented to the next one: a crawl whose multi-threaded worker is killed would receive several
SIGTERMs, and Scrapy takes a second one as "stop now, without finishing the batch". This process
has one thread: it takes the worker's death signals (SIGUSR1, any number) and sends the crawl
one SIGTERM; the crawl has this process's death as its own (SIGTERM, sent once). Each SIGTERM
the worker sends is forwarded (a second one is the worker's second Ctrl-C). The exit status is
the crawl's (128 + the signal when a signal ended it). Only the standard library: it starts in
milliseconds.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from types import FrameType

PR_SET_PDEATHSIG = 1


def die_with_parent(signum: int, parent: int) -> None:
    """This process gets ``signum`` when ``parent`` dies (Linux; elsewhere nothing)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signum)
        if os.getppid() != parent:  # it died before prctl
            os.kill(os.getpid(), signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2 or not args[0].isdigit():
        print("usage: python -m forumscraper.guard WORKER_PID COMMAND...", file=sys.stderr)
        return 2
    worker, command = int(args[0]), args[1:]
    child: subprocess.Popen[bytes] | None = None
    stop_requested = False
    worker_lost = False

    def on_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stop_requested
        stop_requested = True
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)

    def on_worker_death(signum: int, frame: FrameType | None) -> None:
        nonlocal worker_lost
        if worker_lost:
            return
        worker_lost = True
        on_stop(signum, frame)

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGUSR1, on_worker_death)
    die_with_parent(signal.SIGUSR1, worker)
    if stop_requested:
        return 128 + signal.SIGTERM
    guard = os.getpid()
    child = subprocess.Popen(
        command,
        preexec_fn=lambda: die_with_parent(signal.SIGTERM, guard),
        restore_signals=True,
    )
    if stop_requested:  # asked between the fork and here
        child.send_signal(signal.SIGTERM)
    status = child.wait()
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main())
