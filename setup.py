"""Ships the top-level ``migrations/`` inside the wheel as ``bot/_migrations`` (everything else
is in pyproject.toml). ``bot.adapters.store.schema.migrations_dir`` finds either copy."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class BuildWithMigrations(build_py):
    """``build_py`` that also copies the Alembic migrations into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads migrations/ from the source tree
        target = Path(self.build_lib) / "bot" / "_migrations"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(MIGRATIONS, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithMigrations})
