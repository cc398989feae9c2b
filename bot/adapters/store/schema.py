"""Where the Alembic migrations are and which revision this code expects, without importing
SQLAlchemy or Alembic (the lean reader checks the revision on every listing).

``migrations/`` lives at the top of the source tree; a built wheel carries the same files as
``bot/_migrations`` (see ``setup.py``). Revisions are named ``NNNN_slug.py`` with revision id
``NNNN``, so the newest file names the head.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[2]


def migrations_dir() -> Path:
    """The migrations packaged inside the wheel, else those of the source tree."""
    for candidate in (_PACKAGE / "_migrations", _PACKAGE.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError(f"no migrations beside or inside {_PACKAGE}")


def expected_revision() -> str:
    """The head revision by file name (a test checks it is Alembic's head)."""
    names = sorted(p.name for p in (migrations_dir() / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    return names[-1][:4]
