"""A throw-away PostgreSQL server for the test run: initdb in a temporary folder, pg_ctl start.

PostgreSQL refuses to run as root, so when the tests run as root the server runs as the
``postgres`` system user (``runuser -u postgres``). It listens on 127.0.0.1 on a free port,
with trust authentication, fsync off (a test server), and is stopped and deleted at the end.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def find_bindir() -> Path | None:
    """The newest installed PostgreSQL's bin folder (``PG_BINDIR`` wins)."""
    configured = os.environ.get("PG_BINDIR")
    if configured and (Path(configured) / "pg_ctl").exists():
        return Path(configured)
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """A PostgreSQL server started for the tests."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="forumscraper-pg-"))
        self.datadir = self.root / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            str(self.bindir / "initdb"),
            "-D", str(self.datadir),
            "-U", "postgres",
            "--auth=trust",
            "-E", "UTF8",
            "--locale=C.UTF-8",
        )  # fmt: skip
        settings = {
            "port": str(self.port),
            "unix_socket_directories": f"'{self.root}'",
            "listen_addresses": "'127.0.0.1'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        config = "".join(f"{name} = {value}\n" for name, value in settings.items())
        with open(self.datadir / "postgresql.conf", "a", encoding="utf-8") as handle:
            handle.write(config)
        self.resume()

    def halt(self) -> None:
        """Stop the server but keep its data (a database outage)."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "stop")

    def resume(self) -> None:
        """Start it again on the same port after :meth:`halt`."""
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D", str(self.datadir),
            "-l", str(self.root / "server.log"),
            "-w",
            "start",
        )  # fmt: skip

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"
            )
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""
