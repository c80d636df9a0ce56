"""Scrapyd, the Scrapy ecosystem's job server: the project deployed as an egg and crawled there.

A real Scrapyd on 127.0.0.1 (its own folder and port), the egg that ``scrapyd-deploy`` builds
from this checkout, added and scheduled through Scrapyd's HTTP API (``addversion.json``,
``schedule.json``, ``listjobs.json``), the demo forum as the board. The egg is a zip file: its
migrations must work from there (``forumscraper.db.migrate``).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import CrawlRun, Post
from forumscraper.demo.content import build_demo_board
from forumscraper.demo.server import FixtureForumServer
from tests.processes import SHARED_MACHINE
from tests.processes import environment as clean_environment

pytestmark = SHARED_MACHINE

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def call(base: str, endpoint: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Scrapyd API call: GET without ``fields``, else a form POST (bytes as a file part)."""
    if fields is None:
        request = urllib.request.Request(f"{base}{endpoint}")
    else:
        boundary = uuid.uuid4().hex
        body = b""
        for name, value in fields.items():
            body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'.encode()
            if isinstance(value, bytes):
                body += b'; filename="project.egg"\r\nContent-Type: application/octet-stream'
            body += b"\r\n\r\n" + (value if isinstance(value, bytes) else str(value).encode())
            body += b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(
            f"{base}{endpoint}",
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer: dict[str, Any] = json.load(response)
    assert answer["status"] == "ok", answer
    return answer


@pytest.fixture
def scrapyd(tmp_path: Path, sqlite_url: str) -> Iterator[str]:
    """A Scrapyd server whose jobs store into ``sqlite_url``; its base URL."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.5\n"
        "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\nitems_dir =\n"
    )
    environment = clean_environment()
    server = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"],
        cwd=home,
        env=environment | {"DATABASE_URL": sqlite_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                call(base, "daemonstatus.json")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_project_deploys_to_scrapyd_and_crawls_there(
    scrapyd: str, sqlite_url: str, tmp_path: Path
) -> None:
    egg = tmp_path / "forumscraper.egg"
    built = subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", "--build-egg", str(egg)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    call(
        scrapyd,
        "addversion.json",
        {"project": "forumscraper", "version": "1", "egg": egg.read_bytes()},
    )
    spiders = call(scrapyd, "listspiders.json?project=forumscraper")["spiders"]
    assert sorted(spiders) == ["forum", "recent"]

    board = FixtureForumServer(build_demo_board())
    board.start()
    try:
        job = call(
            scrapyd,
            "schedule.json",
            {
                "project": "forumscraper",
                "spider": "forum",
                "base_url": board.base_url,
                "setting": "AUTOTHROTTLE_ENABLED=0",
            },
        )["jobid"]
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            jobs = call(scrapyd, "listjobs.json?project=forumscraper")
            if any(j["id"] == job for j in jobs["finished"]):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"job {job} did not finish: {jobs}")
    finally:
        board.stop()
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            run = connection.execute(select(CrawlRun)).one()
            posts = connection.execute(select(func.count()).select_from(Post)).scalar_one()
    finally:
        engine.dispose()
    assert (run.spider, run.status, run.base_url) == ("forum", "finished", board.base_url)
    assert posts > 100
