"""Run a child process and measure it: wall time, CPU seconds and peak RSS of that process.

CPU and peak RSS come from ``os.wait4`` (the rusage of exactly that child, not a sum over
every child the benchmark started); the benchmark server's CPU time over the same interval
comes from ``/proc/<pid>/stat``.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Measured:
    """What one child process cost."""

    returncode: int
    wall: float
    cpu: float
    """User plus system CPU seconds of the child."""
    peak_rss_mb: float
    server_cpu: float | None = None
    """CPU seconds the benchmark server spent meanwhile."""

    @property
    def server_share(self) -> float | None:
        """The server's CPU seconds per wall second (1.0 = one core busy)."""
        if self.server_cpu is None or self.wall <= 0:
            return None
        return self.server_cpu / self.wall


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by a running process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS


def run_measured(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    log: Path | None = None,
    timeout: float = 3600,
    server_pid: int | None = None,
) -> Measured:
    """Run ``command`` to its end (killed after ``timeout`` seconds) and measure it."""
    server_before = process_cpu(server_pid) if server_pid else None
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    try:
        started = time.perf_counter()
        child = subprocess.Popen(
            list(command), env=dict(env) if env is not None else None, cwd=cwd,
            stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            output.close()  # type: ignore[union-attr]
    server_after = process_cpu(server_pid) if server_pid else None
    server_cpu = (
        server_after - server_before
        if server_before is not None and server_after is not None
        else None
    )
    return Measured(
        returncode=child.returncode,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,
        server_cpu=server_cpu,
    )
