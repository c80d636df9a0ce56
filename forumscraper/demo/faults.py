"""Faults the fixture forum can be told to throw, as a real forum and its network do.

A :class:`Fault` applies to requests whose path starts with a prefix, a given number of times
(``times=None``: forever): an HTTP status (500, 503 or 429 with ``Retry-After``), a stall past
the client's timeout, a connection reset, a page cut off mid-HTML, a redirect, a page served
in another encoding than it declares, or any replacement body (a maintenance page). A fault
may also be no fault of the network: the board changing (a moderator at work) between two pages
the crawl reads (``then``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(kw_only=True)
class Fault:
    """One kind of misbehaviour for the matching requests."""

    kind: str
    """``status``, ``stall``, ``reset``, ``truncate``, ``redirect``, ``encoding``, ``body`` or
    ``then``."""
    times: int | None = 1
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    """``stall``: how long to wait before answering."""
    location: str = ""
    """``redirect``: where to."""
    body: bytes = b""
    """``body``: what to send instead of the page (with ``status``)."""
    keep: float = 0.5
    """``truncate``: the share of the page that is sent (with a correct Content-Length)."""
    encoding: str = "windows-1256"
    """``encoding``: the bytes' real encoding; the header keeps declaring UTF-8."""
    meta: bool = True
    """``encoding``: whether the page's ``<meta charset>`` states the real encoding."""
    then: Callable[[], None] | None = None
    """``then``: what happens to the board once the page is made, before it is sent (so the
    crawl's next page sees it)."""


class FaultPlan:
    """Faults by path prefix, consumed thread-safely as requests arrive."""

    def __init__(self) -> None:
        self._faults: list[tuple[str, Fault]] = []
        self._lock = threading.Lock()
        self.applied: list[tuple[str, str]] = []
        """(path, kind) of every fault thrown, in order."""

    def add(self, prefix: str, fault: Fault) -> None:
        with self._lock:
            self._faults.append((prefix, fault))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, path: str) -> Fault | None:
        """The fault for this request, if any (and count it as used)."""
        with self._lock:
            for prefix, fault in self._faults:
                if path.startswith(prefix) and (fault.times is None or fault.times > 0):
                    if fault.times is not None:
                        fault.times -= 1
                    self.applied.append((path, fault.kind))
                    return fault
        return None


def reencode(body: bytes, fault: Fault) -> bytes:
    """A UTF-8 page re-encoded in ``fault.encoding``, its meta charset stating it or not."""
    text = body.decode("utf-8")
    meta_from = 'charset="utf-8"' if 'charset="utf-8"' in text else "charset=utf-8"
    if fault.meta:
        text = text.replace(meta_from, f"charset={fault.encoding}", 1)
        if f"charset={fault.encoding}" not in text:
            text = text.replace("<head>", f'<head><meta charset="{fault.encoding}" />', 1)
    return text.encode(fault.encoding, errors="xmlcharrefreplace")
