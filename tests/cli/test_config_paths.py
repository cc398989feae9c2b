"""Relative paths in the config are relative to the config file (README, "Where the config is"),
whatever directory the command runs in: secrets files and directories of accounts and of
``[model]``, a dry-run outbox. Each test runs the CLI from a directory beside the config's."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.conftest import run_cli
from tests.e2e.test_cli_pipeline import _due_campaign
from tests.fakeopenai import running
from tests.fakeplatform import FakeServer
from tests.fakeplatform.world import make_world
from tests.fixtures.clock import ClockFile


def _elsewhere(tmp_path: Path) -> Path:
    """A working directory that is not the config file's."""
    folder = tmp_path / "elsewhere"
    folder.mkdir(exist_ok=True)
    return folder


def _secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)


def test_an_accounts_relative_secrets_file_and_dir_are_read_beside_the_config(
    tmp_path: Path, fake: FakeServer
) -> None:
    masto = make_world(tmp_path / "m", fake.url, ["mastodon"], account_extra='secrets_file = "masto.env"\n')
    _secret(tmp_path / "m" / "masto.env", "access_token=tok-m\n")
    bsky = make_world(tmp_path / "b", fake.url, ["bluesky"], account_extra='secrets_dir = "creds"\n')
    _secret(tmp_path / "b" / "creds" / "app_password", "app-pw-b\n")
    # the credentials come from the files only (make_world exported them as variables)
    env = {"BOT_TEA_MASTO_ACCESS_TOKEN": "", "BOT_TEA_BSKY_APP_PASSWORD": ""}
    for world, account in ((masto, "tea-masto"), (bsky, "tea-bsky")):
        done = run_cli(
            "accounts", "check", account, "--json", config=world.settings.source, env=env,
            cwd=_elsewhere(tmp_path),
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert json.loads(done.stdout)[0]["ok"] is True, done.stdout
        world.app.close()


def test_the_models_relative_secrets_file_is_read_beside_the_config(tmp_path: Path) -> None:
    key = "sk-test-relative-0123456789"
    folder = tmp_path / "conf"
    _secret(folder / "model.env", f"api_key={key}\n")
    with running(replies=("Hello from Lotus Leaf.",), api_key=key) as server:
        config = folder / "bot.toml"
        config.write_text(
            f'[brand]\nname = "Lotus Leaf"\n[model]\nbackend = "openai"\nbase_url = "{server.url}"\n'
            'model = "qwen2.5:7b"\n'
            'secrets_file = "model.env"\n',
            encoding="utf-8",
        )
        done = run_cli(
            "model", "check", config=config, env={"BOT_MODEL_API_KEY": ""}, cwd=_elsewhere(tmp_path)
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert server.requests and all(
            r["headers"].get("Authorization") == f"Bearer {key}" for r in server.requests
        )


def test_config_check_names_a_missing_secrets_file_by_its_resolved_path(
    write_config: Any, tmp_path: Path
) -> None:
    config = write_config(
        '[[accounts]]\nname = "masto"\nplatform = "mastodon"\nbase_url = "http://127.0.0.1:9"\n'
        'secrets_file = "secrets/masto.env"\n'
    )
    done = run_cli("config", "check", config=config, cwd=_elsewhere(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    resolved = config.parent / "secrets" / "masto.env"
    assert f"accounts.masto.secrets_file: {resolved} does not exist" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr

    _secret(resolved, "access_token=tok\n")
    done = run_cli("config", "check", config=config, cwd=_elsewhere(tmp_path))
    assert done.returncode == 0 and "warning" not in done.stderr, done.stderr


def test_a_relative_dry_run_outbox_is_written_beside_the_config(
    write_config: Any, clock_file: ClockFile, tmp_path: Path
) -> None:
    outbox = '[[accounts]]\nname = "sent"\nplatform = "dryrun"\noutbox = "out/sent.jsonl"\n'
    config = write_config(outbox)
    here = _elsewhere(tmp_path)
    assert run_cli("db", "upgrade", config=config, cwd=here).returncode == 0
    due = clock_file.now + timedelta(minutes=1)
    config = write_config(outbox + _due_campaign(due, "auto").replace('["outbox"]', '["sent"]'))
    assert run_cli("campaigns", "sync", config=config, cwd=here).returncode == 0
    clock_file.set(due + timedelta(seconds=1))
    for _ in range(2):  # draft (approved by the campaign's policy), then publish
        done = run_cli("run", "--once", config=config, cwd=here)
        assert done.returncode == 0, done.stderr
    lines = (config.parent / "out" / "sent.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["account"] == "sent"
    assert not (here / "out").exists()


def test_the_listing_commands_and_the_others_read_the_same_database(tmp_path: Path, monkeypatch: Any) -> None:
    """``~`` in data_dir is the home directory for the full settings and for the lean reader
    of the listing commands alike (one database, not two)."""
    from bot.config import load_settings
    from bot.config.location import database_url_of

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    config = tmp_path / "conf" / "bot.toml"
    config.parent.mkdir()
    for folder in ("~/bot-data", "data"):
        config.write_text(f'[bot]\ndata_dir = "{folder}"\n[brand]\nname = "Lotus Leaf"\n', encoding="utf-8")
        settings = load_settings(config)
        assert settings.database_url == database_url_of(config)
    assert load_settings(config).data_dir == config.parent / "data"
    config.write_text('[bot]\ndata_dir = "~/bot-data"\n[brand]\nname = "Lotus Leaf"\n', encoding="utf-8")
    assert load_settings(config).data_dir == tmp_path / "home" / "bot-data"


def test_a_relative_sqlite_url_is_the_file_beside_the_config_wherever_the_command_runs(
    write_config: Any, clock_file: ClockFile, tmp_path: Path
) -> None:
    """``database_url = "sqlite:///db/bot.db"`` (or ``$BOT_DATABASE_URL``) names one file, beside
    the config: a daemon started in another directory (systemd's WorkingDirectory) drafts into
    the database the reviewer's CLI reads, not into a new empty one, and ``config check`` says
    which file that is."""
    (tmp_path / "db").mkdir()
    here = _elsewhere(tmp_path)
    (here / "db").mkdir()  # a folder of that name where the daemon runs: still not its database
    outbox = '[[accounts]]\nname = "sent"\nplatform = "dryrun"\noutbox = "out/sent.jsonl"\n'
    config = write_config(outbox, database_url="sqlite:///db/bot.db")
    assert run_cli("db", "upgrade", config=config).returncode == 0  # in the config's directory
    due = clock_file.now + timedelta(minutes=1)
    config = write_config(
        outbox + _due_campaign(due, "auto").replace('["outbox"]', '["sent"]'),
        database_url="sqlite:///db/bot.db",
    )
    assert run_cli("campaigns", "sync", config=config).returncode == 0
    clock_file.set(due + timedelta(seconds=1))
    for _ in range(2):  # the daemon elsewhere: draft (approved by the policy), then publish
        done = run_cli("run", "--once", config=config, cwd=here)
        assert done.returncode == 0, done.stderr
    assert len((config.parent / "out" / "sent.jsonl").read_text(encoding="utf-8").splitlines()) == 1
    assert not list((here / "db").iterdir())
    listed = run_cli("publications", "list", "--json", config=config)
    assert [p["state"] for p in json.loads(listed.stdout)] == ["published"], listed.stdout

    resolved = f"sqlite:///{tmp_path / 'db' / 'bot.db'}"
    checked = run_cli("config", "check", config=config, cwd=here)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines()[-1] == f"database: {resolved} (from: config)"
    report = json.loads(run_cli("config", "check", "--json", config=config, cwd=here).stdout)
    assert (report["database"], report["database_from"]) == (resolved, "config")
    env = {"BOT_DATABASE_URL": "sqlite:///db/bot.db"}
    checked = run_cli("config", "check", config=write_config(outbox), env=env, cwd=here)
    assert checked.stdout.splitlines()[-1] == f"database: {resolved} (from: environment ($BOT_DATABASE_URL))"
