"""The package as users install it (a wheel, not this checkout): it carries its migrations and
crawls from any folder.

The wheel is built by pip from the checkout, installed without its dependencies into a folder
of its own (the test's virtualenv provides those), and run from a folder outside the checkout,
so that neither ``migrations/`` at the top of the repository nor ``scrapy.cfg`` can help.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.processes import SHARED_MACHINE, stored_posts
from tests.processes import environment as clean_environment

pytestmark = SHARED_MACHINE

ROOT = Path(__file__).resolve().parents[1]


def test_a_wheel_ships_the_migrations_and_crawls_the_demo_outside_the_checkout(
    tmp_path: Path,
) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        timeout=600,
        capture_output=True,
    )
    (wheel,) = wheels.glob("forumscraper-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(n for n in names if n.startswith("forumscraper/migrations/versions/"))
    assert [Path(n).name for n in shipped] == sorted(
        p.name for p in (ROOT / "migrations" / "versions").glob("*.py")
    )
    assert "forumscraper/migrations/env.py" in names

    installed = tmp_path / "installed"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(installed),
            str(wheel),
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    database = f"sqlite:///{elsewhere / 'archive.sqlite3'}"
    environment = clean_environment()
    environment |= {"PYTHONPATH": str(installed), "DATABASE_URL": database}
    where = subprocess.run(
        [sys.executable, "-c", "import forumscraper; print(forumscraper.__file__)"],
        cwd=elsewhere,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(installed))  # the wheel's copy, not the checkout's
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "forumscraper.cli",
            "crawl",
            "forum",
            "-s",
            "AUTOTHROTTLE_ENABLED=0",
            "-s",
            "DOWNLOAD_DELAY=0",
        ],
        cwd=elsewhere,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Run 1 of 'forum' finished" in done.stdout
    assert stored_posts(database) > 100
