"""Build hook: the Alembic migrations, kept in ``migrations/`` at the top of the repository, are
shipped inside the package as ``forumscraper/migrations`` (a wheel, ``pipx install``, a Scrapyd
egg), where ``forumscraper.db.migrate.migrations_dir`` finds them. Everything else about the
package is in ``pyproject.toml``."""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithMigrations(build_py):
    """``build_py``, then ``migrations/`` copied to ``<build>/forumscraper/migrations``."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "forumscraper" / "migrations"
        for source in Path("migrations").rglob("*"):
            if source.is_file() and "__pycache__" not in source.parts:
                destination = target / source.relative_to("migrations")
                self.mkpath(str(destination.parent))
                self.copy_file(str(source), str(destination))


setup(cmdclass={"build_py": BuildWithMigrations})
