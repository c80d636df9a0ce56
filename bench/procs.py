"""Run a child process and measure it: wall time, CPU seconds and peak memory of the process
and of everything it starts (forumscraper's worker processes, the fork server).

The process tree is sampled from ``/proc`` every :data:`SAMPLE_SECONDS`. Peak memory is the
largest sum of the tree's proportional set sizes at one sample (PSS: a page shared by N
processes counts 1/N in each, so the workers' pages shared with the fork server are not counted
twice as summed RSS would), and never less than the child's own peak RSS. CPU is the larger of
``os.wait4``'s rusage of the child (itself plus the descendants it reaped) and the sum of the
last CPU time sampled from each member of the tree (descendants reaped by someone else, such as
workers of a fork server, are only seen this way; at most one sample interval of each is
missed). The benchmark server's CPU time over the same interval also comes from
``/proc/<pid>/stat``.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20
SAMPLE_SECONDS = 0.1


@dataclass(frozen=True)
class Measured:
    """What one child process cost."""

    returncode: int
    wall: float
    cpu: float
    """User plus system CPU seconds of the child."""
    peak_rss_mb: float
    """Of the whole tree: the child and its descendants' PSS summed at one sample (at least the
    child's own peak RSS)."""
    server_cpu: float | None = None
    """CPU seconds the benchmark server spent meanwhile."""
    child_peak_rss_mb: float = 0.0
    """Of the child process alone."""
    processes: int = 1
    """How many processes the tree held, over the run."""

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


def _stat(pid: int) -> tuple[int, float, float] | None:
    """Parent pid, CPU seconds and RSS (MB) of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS, int(fields[21]) * _PAGE_MB


def _pss_mb(pid: int, rss_mb: float) -> float:
    """Proportional set size of a process (its RSS where the kernel does not report PSS)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return rss_mb


class TreeSampler:
    """CPU and resident memory of a process and its descendants, from ``/proc``."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.cpu: dict[int, float] = {}
        """Last CPU seconds seen of every member ever seen."""
        self.peak_rss_mb = 0.0

    def sample(self) -> None:
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                stat = _stat(int(entry))
                if stat is not None:
                    stats[int(entry)] = stat
        members = {self.root} if self.root in stats else set()
        grew = True
        while grew:  # descendants: anything whose parent is a member
            grew = False
            for pid, (parent, _cpu, _rss) in stats.items():
                if parent in members and pid not in members:
                    members.add(pid)
                    grew = True
        for pid in members | (self.cpu.keys() & stats.keys()):
            self.cpu[pid] = stats[pid][1]
        self.peak_rss_mb = max(
            self.peak_rss_mb, sum(_pss_mb(pid, stats[pid][2]) for pid in members)
        )

    @property
    def total_cpu(self) -> float:
        return sum(self.cpu.values())


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
        tree = TreeSampler(child.pid)
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                break
            tree.sample()
            time.sleep(SAMPLE_SECONDS)
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
    own_cpu = usage.ru_utime + usage.ru_stime
    return Measured(
        returncode=child.returncode,
        wall=wall,
        cpu=max(own_cpu, tree.total_cpu),
        peak_rss_mb=max(usage.ru_maxrss / 1024, tree.peak_rss_mb),
        server_cpu=server_cpu,
        child_peak_rss_mb=usage.ru_maxrss / 1024,
        processes=max(1, len(tree.cpu)),
    )
