"""Where the database is: the one check every command's URL goes through
(``config.location.database_url``), run through the real CLI in a subprocess."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import run_cli


def test_a_given_sqlite_file_needs_its_folder_the_data_dir_is_made(write_config: Any, tmp_path: Path) -> None:
    """The data directory (the default database's folder) is created on demand; a SQLite file
    the user names in a folder that does not exist is an error naming the folder and the key,
    and the folder is not created (a typo would otherwise become a new, empty database)."""
    missing = tmp_path / "nowhere" / "deeper"
    config = write_config(database_url=f"sqlite:///{missing / 'bot.db'}")
    for args in (("db", "upgrade"), ("queue",), ("status",), ("config", "check")):
        out = run_cli(*args, config=config)
        assert out.returncode == 1, (args, out.stdout, out.stderr)
        assert out.stderr.strip() == (
            f"Error: {config}: bot.database_url: the folder {missing} of the database file does not "
            f"exist; create it (mkdir -p {missing}) or correct the URL"
        ), args
    assert not (tmp_path / "nowhere").exists()

    default = write_config().read_text(encoding="utf-8").replace('data_dir = "data"', 'data_dir = "new/data"')
    config.write_text(default, encoding="utf-8")
    out = run_cli("db", "upgrade", config=config)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "new" / "data" / "bot.db").is_file()


def test_every_command_refuses_an_unsupported_scheme_alike(write_config: Any) -> None:
    """`postgres://` (SQLAlchemy's name is postgresql) and `mysql://` are one message for the
    listings (lean reader) and the commands that build the whole app alike."""
    config = write_config()
    for url, scheme in (
        ("postgres://postgres@127.0.0.1:5432/bot", "postgres"),
        ("mysql://u@127.0.0.1/bot", "mysql"),
    ):
        said = set()
        for args in (("queue",), ("history",), ("publications", "list"), ("status",), ("db", "upgrade")):
            out = run_cli(*args, config=config, env={"BOT_DATABASE_URL": url})
            assert out.returncode == 1, (args, out.stderr)
            said.add(out.stderr.strip())
        assert said == {
            "Error: $BOT_DATABASE_URL: expected sqlite:///PATH or postgresql+psycopg://USER@HOST[:PORT]/DB "
            f"(scheme {scheme!r} is not supported)"
        }
