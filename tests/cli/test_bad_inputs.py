"""The bad-input corpus (``bad_inputs.toml``): every case runs the real CLI in-process against a
real store and must end with a one-line error, the expected exit status, no traceback, no hang,
and nothing changed in the database (no half work); plus a property test feeding arbitrary text
to ``bot queue edit``.

A case (see the comments at the top of the corpus) names the command line, the exit status and
words the message must contain; optionally what ``$EDITOR`` saves, how the database file is
damaged first, which config variant and environment to use, and a follow-up command.
"""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import sys
import textwrap
import tomllib
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select

from bot.adapters.store.tables import Base, DraftRow
from bot.cli.main import cli
from bot.config import load_settings
from bot.services.review import with_tail
from tests.conftest import BASE_CONFIG, fresh_pg_database

CORPUS = Path(__file__).with_name("bad_inputs.toml")
CASES: list[dict[str, Any]] = tomllib.loads(CORPUS.read_text(encoding="utf-8"))["case"]

#: conftest's config with a Mastodon account (500 characters) beside the dry-run outbox.
CONFIG = (
    BASE_CONFIG.replace('accounts = ["outbox"]', 'accounts = ["outbox", "masto"]').replace(
        'name = "promo"', 'name = "{campaign}"'
    )
    + '\n[[accounts]]\nname = "masto"\nplatform = "mastodon"\nbase_url = "http://127.0.0.1:9"\n'
)

#: Config variants a case can ask for.
CONFIGS = {"base": {"campaign": "promo"}, "renamed": {"campaign": "promo-2027"}}

FAKE_EDITOR = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    payload, target = sys.argv[1], sys.argv[2]
    if payload == "fail":
        sys.exit(3)
    Path(target).write_bytes(b"" if payload == "empty" else bytes.fromhex(payload))
    """
)


def run(args: list[str], env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    """The real ``bot`` command, in this process (click's runner); stdin empty unless given."""
    return CliRunner().invoke(cli, args, env=env, input=stdin, catch_exceptions=True)


def _setup(config: Path, env: dict[str, str]) -> None:
    """Database at head, the campaign synced, fired once (drafts 1 and 2), draft 2 approved
    (publications 1 and 2)."""
    base = ["--config", str(config)]
    for step in (
        ["db", "upgrade"],
        ["campaigns", "sync"],
        ["campaigns", "fire", "promo", "--at", "2026-09-24 01:00:00"],
        ["queue", "approve", "2", "--as", "alice"],
    ):
        result = run(base + step, env)
        assert result.exit_code == 0, (step, result.output, result.exception)
        if step[:2] == ["campaigns", "fire"]:  # ids, not a count
            assert result.output.rstrip().endswith("UTC: draft ids: 1, 2"), result.output


#: The world's clock: an hour after the slot it fires, so its drafts are in time (they expire
#: two days after the slot; on the real clock they would be long past and refused).
WORLD_NOW = "2026-09-24T02:00:00+00:00"


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    return {
        "BOT_FAKE_NOW": WORLD_NOW,
        "BOT_CONFIG": "",
        "BOT_DATABASE_URL": "",
        "BOT_DEBUG": "",
        "BOT_CRASH_LOG": str(tmp / "crash.log"),
        "EDITOR": f"{sys.executable} {tmp / 'editor.py'} 00",
        "VISUAL": "",
        **extra,
    }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite world built once; every case gets a copy of it."""
    root = tmp_path_factory.mktemp("world")
    config = root / "bot.toml"
    config.write_text(CONFIG.format(**CONFIGS["base"]), encoding="utf-8")
    _setup(config, _env(root))
    return root


@pytest.fixture(scope="module")
def pg_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The same world on a fresh Postgres database, shared by the Postgres cases."""
    with fresh_pg_database() as url:
        root = tmp_path_factory.mktemp("pgworld")
        config = root / "bot.toml"
        config.write_text(CONFIG.format(**CONFIGS["base"]), encoding="utf-8")
        _setup(config, _env(root, BOT_DATABASE_URL=url))
        yield root, url


def _params() -> list[Any]:
    params = []
    for case in CASES:
        for store in case.get("stores", ["sqlite"]):
            marks = [pytest.mark.postgres] if store == "postgres" else []
            params.append(pytest.param(case, store, id=f"{store}-{case['id']}", marks=marks))
    return params


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("case", "store"), _params())
def test_bad_input(case: dict[str, Any], store: str, template: Path, tmp_path: Path, request: Any) -> None:
    world = tmp_path / "world"
    env_extra: dict[str, str] = {}
    if store == "postgres":
        pg_root, url = request.getfixturevalue("pg_world")
        shutil.copytree(pg_root, world)
        env_extra["BOT_DATABASE_URL"] = url
        target = url
    else:
        shutil.copytree(template, world)
        target = f"sqlite:///{world / 'data' / 'bot.db'}"
    config = world / "bot.toml"
    config.write_text(CONFIG.format(**CONFIGS[case.get("config", "base")]), encoding="utf-8")
    _damage(world, case.get("db"))
    env = _env(world, **env_extra, **case.get("env", {}))
    _editor(world, case, env)
    if "database_url" in case:
        env["BOT_DATABASE_URL"] = case["database_url"]
    before = _snapshot(target, world)

    result = run(["--config", str(config), *map(_arg, case["args"])], env, case.get("stdin"))

    _assert_outcome(case, result, case.get("exit", 1), case.get("expect", []))
    if case.get("unchanged", case.get("exit", 1) != 0 and not case.get("may_change")):
        assert _snapshot(target, world) == before, "a refused command changed the database"
    if "then" in case:
        then = case["then"]
        again = run(["--config", str(config), *map(_arg, then["args"])], env)
        _assert_outcome(case, again, then.get("exit", 1), then.get("expect", []))


def _assert_outcome(case: dict[str, Any], result: Result, code: int, expect: str | list[str]) -> None:
    output = result.output
    where = f"{case['id']}: exit {result.exit_code}\n{output[-2000:]}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{where}\ntraceback:") from result.exception
    assert "Traceback" not in output, where
    assert result.exit_code == code, where
    assert result.exit_code != 70, f"{where}\nthe last-resort handler caught it: a bug, not a message"
    for words in [expect] if isinstance(expect, str) else expect:
        assert words.casefold() in output.casefold(), f"{where}\nmissing: {words!r}"
    if code != 0:
        assert len(output) < 2000, f"{where}\nnot one short message"
    if code == 1:  # a user error: the message alone, no usage banner (README, "When something goes wrong")
        assert "Usage:" not in output and "Try 'bot" not in output, f"{where}\na usage banner"


def _arg(value: str | dict[str, Any]) -> str:
    """A plain string, ``{ py = "'...'" }`` (a Python literal: lone surrogates, controls) or
    ``{ repeat = "a", times = N }``."""
    if isinstance(value, str):
        return value
    if "py" in value:
        parsed = ast.literal_eval(value["py"])
        assert isinstance(parsed, str)
        return parsed
    return str(value["repeat"]) * int(value["times"])


def _editor(world: Path, case: dict[str, Any], env: dict[str, str]) -> None:
    script = world / "editor.py"
    script.write_text(FAKE_EDITOR, encoding="utf-8")
    if "editor" in case:
        payload = case["editor"]
        if isinstance(payload, dict):
            payload = _arg(payload).encode("utf-8", "surrogatepass").hex()
        elif payload.startswith("text:"):
            payload = payload[5:].encode("utf-8").hex()
        elif payload.startswith("hex:"):
            payload = payload[4:].replace(" ", "")
        env["EDITOR"] = f"{sys.executable} {script} {payload or 'empty'}"


def _damage(world: Path, how: str | None) -> None:
    """Damage the copied SQLite file the way the case says."""
    db = world / "data" / "bot.db"
    if how is None:
        return
    for extra in ("bot.db-wal", "bot.db-shm"):
        (world / "data" / extra).unlink(missing_ok=True)
    if how in _CONTENT:
        db.write_bytes(_CONTENT[how](db.read_bytes()))
    elif how == "directory":
        db.unlink()
        db.mkdir()
    elif how == "data-dir-is-a-file":
        shutil.rmtree(world / "data")
        (world / "data").write_text("not a folder", encoding="utf-8")
    elif how.startswith("revision:"):
        _sql(db, f"UPDATE alembic_version SET version_num = '{how.split(':', 1)[1]}'")
    elif how == "no-version-table":
        _sql(db, "DROP TABLE alembic_version")
    elif how == "tables-dropped":
        _sql(db, "DROP TABLE events")
    else:
        raise AssertionError(f"unknown damage {how!r}")


#: New contents of the database file, from its old contents.
_CONTENT = {
    "garbage": lambda _old: bytes(range(256)) * 64,
    "truncated": lambda old: old[:3000],
    "zeroed-header": lambda old: bytes(100) + old[100:],
    "empty": lambda _old: b"",
    "text-file": lambda _old: b"this is my shopping list\n",
}


def _sql(db: Path, statement: str) -> None:
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute(statement)
    conn.close()


def _snapshot(url: str, world: Path) -> Any:
    """Row counts of every table and every draft's state and text; for a damaged SQLite file,
    the file's bytes (a refused command must not have touched it)."""
    if url.startswith("sqlite"):
        db = world / "data" / "bot.db"
        if not db.is_file():
            return ("not a file", db.exists())
        try:
            return _rows(url)
        except Exception:
            return ("bytes", hashlib.sha256(db.read_bytes()).hexdigest())
    return _rows(url)


def _rows(url: str) -> Any:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            counts = {
                t.name: conn.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
            }
            drafts = conn.execute(
                select(DraftRow.id, DraftRow.state, DraftRow.text).order_by(DraftRow.id)
            ).all()
            return counts, [tuple(d) for d in drafts]
    finally:
        engine.dispose()


def test_corpus_is_big_and_covers_every_category() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    by_category: dict[str, int] = {}
    for case in CASES:
        by_category[case["category"]] = by_category.get(case["category"], 0) + 1
    assert len(CASES) >= 100, by_category
    assert set(by_category) >= {"ids", "counts", "instants", "names", "text", "editor", "database", "config"}


# -- the property: any text given to `queue edit` is refused with a message or stored clean -------


@pytest.fixture(scope="module")
def edit_world(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    world = tmp_path_factory.mktemp("editworld") / "w"
    shutil.copytree(template, world)
    return world


@pytest.mark.timeout(300)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(st.characters(codec=None), max_size=600)
    | st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=600)
)
def test_any_text_to_queue_edit_is_refused_or_stored_clean(edit_world: Path, text: str) -> None:
    config = edit_world / "bot.toml"
    url = f"sqlite:///{edit_world / 'data' / 'bot.db'}"
    result = run(["--config", str(config), "queue", "edit", "1", "--text", text], _env(edit_world))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(result.output) from result.exception
    assert "Traceback" not in result.output
    stored = _draft_text(url)
    if result.exit_code == 0:
        body = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()
        assert stored == with_tail(load_settings(config), "promo", body)  # the link stays on
        assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in stored)
        assert "\x1b" not in run(["--config", str(config), "queue", "show", "1"], _env(edit_world)).output
    else:
        assert result.exit_code in (1, 2), result.output
        assert len(result.output) < 2000
        assert "\x1b" not in result.output


def _draft_text(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.scalar(select(DraftRow.text).where(DraftRow.id == 1)))
    finally:
        engine.dispose()


def test_unexpected_errors_are_one_line_and_exit_70(tmp_path: Path) -> None:
    """The last-resort handler: a bug in a command is one line naming the log file, exit 70;
    with --debug (or BOT_DEBUG) the traceback is shown."""
    import click

    from bot.cli.main import BotGroup

    class Group(BotGroup):
        """BotGroup's error handling over ordinary (not lazily loaded) commands."""

        list_commands = click.Group.list_commands  # type: ignore[assignment]
        get_command = click.Group.get_command  # type: ignore[assignment]

    @click.group(cls=Group)
    @click.option("--debug", is_flag=True)
    def group(debug: bool) -> None:
        pass

    @group.command("boom")
    def boom() -> None:
        raise ZeroDivisionError("a bug")

    log = tmp_path / "crash.log"
    result = CliRunner().invoke(group, ["boom"], env={"BOT_CRASH_LOG": str(log), "BOT_DEBUG": ""})
    assert result.exit_code == 70
    assert (
        result.output.count("\n") == 1 and str(log) in result.output and "ZeroDivisionError" in result.output
    )
    assert "Traceback" in log.read_text(encoding="utf-8")
    shown = CliRunner().invoke(group, ["--debug", "boom"], env={"BOT_CRASH_LOG": str(log)})
    assert isinstance(shown.exception, ZeroDivisionError)
    env_debug = CliRunner().invoke(group, ["boom"], env={"BOT_CRASH_LOG": str(log), "BOT_DEBUG": "1"})
    assert isinstance(env_debug.exception, ZeroDivisionError)


def test_an_approval_of_a_replaced_text_is_shown_void(template: Path, tmp_path: Path) -> None:
    """Approve, then edit (and edit back): the approval is shown void, and an invalidated record
    exists, in the same view that shows the text."""
    import json

    world = tmp_path / "w"
    shutil.copytree(template, world)
    config, env = str(world / "bot.toml"), _env(world)
    original = json.loads(run(["--config", config, "queue", "show", "1", "--json"], env).output)["text"]
    # one post per slot and account: draft 2 of the slot is approved and queued; withdraw it first
    withdraw = ["queue", "reject", "2", "--withdraw", "--reason", "draft 1 instead", "--as", "alice"]
    assert run(["--config", config, *withdraw], env).exit_code == 0
    assert run(["--config", config, "queue", "approve", "1", "--as", "alice"], env).exit_code == 0
    for text in (_new_text(), original):
        edited = run(["--config", config, "queue", "edit", "1", "--as", "bob", "--text", text], env)
        assert edited.exit_code == 0, edited.output
        shown = run(["--config", config, "queue", "show", "1"], env).output
        approved = [line for line in shown.splitlines() if line.startswith("approved by alice")]
        assert approved and all("void" in line for line in approved), shown
        assert any(line.startswith("invalidated by bob") for line in shown.splitlines()), shown
    data = json.loads(run(["--config", config, "queue", "show", "1", "--json"], env).output)
    assert [a["void"] for a in data["approvals"] if a["decision"] == "approved"] == [True]


def _new_text() -> str:
    return (
        "Lotus Leaf Tea House: our mooncake gift box is back for the season. https://lotusleaf.example/shop"
    )


def test_stored_control_characters_are_never_printed_raw(template: Path, tmp_path: Path) -> None:
    """Text already in the store (from the model, an older version, a platform's error) is
    shown escaped by every view: a reviewer sees the escape sequence, the terminal never runs it."""
    world = tmp_path / "w"
    shutil.copytree(template, world)
    db = world / "data" / "bot.db"
    hostile = "Lotus Leaf \x1b[2J\x1b]0;owned\x07Tea \x9b31m House \u202eesuoh"
    _sql(db, f"UPDATE drafts SET text = '{hostile}' WHERE id = 1")
    _sql(db, "UPDATE publications SET last_error = 'bad \x1b[31mred\x1b[0m' WHERE id = 1")
    config, env = str(world / "bot.toml"), _env(world)
    for args in (
        ["queue", "show", "1"],
        ["queue", "list"],
        ["queue", "list", "--json"],
        ["queue", "show", "1", "--json"],
        ["publications", "show", "1"],
        ["publications", "list"],
    ):
        result = run(["--config", config, *args], env)
        assert result.exit_code == 0, (args, result.output)
        raw = [c for c in result.output if c in "\x1b\x07\x9b\u202e"]
        assert not raw, (args, result.output)
    shown = run(["--config", config, "queue", "show", "1"], env).output
    assert "\\x1b[2J" in shown and "\\u202e" in shown


@pytest.mark.parametrize(
    "args", [["history"], ["calendar", "--days", "400"], ["status", "--json"], ["--help"]]
)
def test_a_reader_that_goes_away_stops_the_command_quietly(
    template: Path, tmp_path: Path, args: list[str]
) -> None:
    """``bot history | head -1``: the closed pipe ends the command with 141, not a crash report."""
    import subprocess

    from tests.conftest import subprocess_env

    world = tmp_path / "w"
    shutil.copytree(template, world)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(world / "bot.toml"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=subprocess_env(BOT_CRASH_LOG=str(world / "crash.log")),
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command writes anything
    with proc.stderr:
        stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, stderr
    assert stderr == "" and not (world / "crash.log").exists()


def test_tables_on_a_terminal_show_stored_markup_and_escapes_as_text(template: Path, tmp_path: Path) -> None:
    """On a TTY listings are rich tables: stored ``[black on black]`` is printed as written (not
    rich markup that hides text) and stored escape sequences are escaped."""
    import subprocess

    from tests.conftest import subprocess_env

    world = tmp_path / "w"
    shutil.copytree(template, world)
    _sql(
        world / "data" / "bot.db", "UPDATE drafts SET text = '[black on black]hid\x1b[8mden[/]' WHERE id = 1"
    )
    main, replica = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "--config", str(world / "bot.toml"), "queue", "list"],
            stdout=replica,
            stderr=subprocess.PIPE,
            env=subprocess_env(COLUMNS="200", TERM="xterm"),
            timeout=120,
            check=False,
        )
        os.close(replica)
        output = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(main)
    assert done.returncode == 0, done.stderr
    text = output.decode("utf-8", "replace")
    assert "[black on black]hid\\x1b[8mden[/]" in text, text


def test_config_show_names_the_database_in_effect(template: Path, tmp_path: Path) -> None:
    """$BOT_DATABASE_URL wins over the config: show it (password masked) and where it came from."""
    import json

    config = str(template / "bot.toml")
    url = "postgresql+psycopg://bot:s3cret@db.example:5432/bot"
    shown = run(["--config", config, "config", "show"], _env(tmp_path, BOT_DATABASE_URL=url))
    assert shown.exit_code == 0, shown.output
    section = json.loads(shown.output)["bot"]
    assert section["database_url"] == "postgresql+psycopg://bot:***@db.example:5432/bot"
    assert section["database_url_from"] == "environment ($BOT_DATABASE_URL)"
    assert "s3cret" not in shown.output
    default = json.loads(run(["--config", config, "config", "show"], _env(tmp_path)).output)["bot"]
    assert default["database_url"].startswith("sqlite:///")
    assert default["database_url_from"].startswith("default")
