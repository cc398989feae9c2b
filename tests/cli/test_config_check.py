"""``bot config check`` and ``bot config show`` through the real CLI: --json on both, and the
secrets files that would fail when a credential is read (found before a post is due)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import BASE_CONFIG, run_cli

MASTODON = (
    '[[accounts]]\nname = "{name}"\nplatform = "mastodon"\nbase_url = "http://127.0.0.1:9"\n'
    'secrets_file = "{file}"\n'
)


def test_show_and_check_take_json(write_config: Any) -> None:
    config = write_config()
    shown = run_cli("config", "show", "--json", config=config)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == json.loads(run_cli("config", "show", config=config).stdout)
    checked = run_cli("config", "check", "--json", config=config)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout) == {
        "config": str(config),
        "ok": True,
        "problems": [],
        "warnings": [],
        "campaigns": 1,
        "accounts": 1,
        "database": f"sqlite:///{config.parent / 'data' / 'bot.db'}",
        "database_from": "default (SQLite in data_dir)",
    }


def test_check_json_of_a_config_that_does_not_load(write_config: Any, tmp_path: Path) -> None:
    broken = write_config("[bot]\nwhat = 1\n", base="")
    out = run_cli("config", "check", "--json", config=broken)
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] is False and report["campaigns"] is None and report["database"] is None
    assert len(report["problems"]) == 1 and "bot.what: unknown key (value not shown)" in report["problems"][0]
    missing = run_cli("config", "check", "--json", config=tmp_path / "none.toml")
    assert missing.returncode == 1 and "config file not found" in json.loads(missing.stdout)["problems"][0]


def test_secrets_files_that_cannot_be_read_are_problems(write_config: Any, tmp_path: Path) -> None:
    """Missing, a directory, a line that is not NAME=value: each names the account and the path
    (never the line: it may be a token), exit 1; the permission warning is not given for a directory."""
    config = write_config(
        MASTODON.format(name="gone", file="gone.env")
        + MASTODON.format(name="folder", file="folder.env")
        + MASTODON.format(name="garbled", file="garbled.env")
    )
    (tmp_path / "folder.env").mkdir()
    garbled = tmp_path / "garbled.env"
    garbled.write_text("# mastodon\naccess_token sekrit-token-value\n", encoding="utf-8")
    garbled.chmod(0o600)
    expected = [
        f"accounts.gone.secrets_file: {tmp_path / 'gone.env'} does not exist",
        f"accounts.folder.secrets_file: {tmp_path / 'folder.env'} is a directory, not a file of NAME=value "
        "lines",
        f"accounts.garbled.secrets_file: {garbled} line 2 is not NAME=value",
    ]

    out = run_cli("config", "check", config=config)
    assert out.returncode == 1, out.stdout + out.stderr
    assert (
        out.stderr
        == f"Error: {config}: secrets files that cannot be read:\n  " + "\n  ".join(expected) + "\n"
    )

    out = run_cli("config", "check", "--json", config=config)
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["ok"] is False and report["warnings"] == []
    assert report["problems"] == [f"secrets files that cannot be read: {line}" for line in expected]
    assert "sekrit" not in out.stdout + out.stderr

    garbled.write_text("# mastodon\naccess_token=sekrit-token-value\n", encoding="utf-8")
    (tmp_path / "folder.env").rmdir()
    for name in ("gone.env", "folder.env"):
        (tmp_path / name).write_text("access_token=x\n", encoding="utf-8")
        (tmp_path / name).chmod(0o600)
    out = run_cli("config", "check", config=config)
    assert out.returncode == 0 and out.stderr == "", out.stderr


def test_a_notify_secret_that_is_not_set_is_an_error_naming_where_it_goes(write_config: Any) -> None:
    """The daemon refuses to start without it, so `config check` must not say ok."""
    config = write_config('[notify.webhook]\nurl_secret = "hook_url"\n')
    out = run_cli("config", "check", config=config, env={"BOT_NOTIFY_HOOK_URL": ""})
    assert out.returncode == 1, out.stderr
    assert "notify.webhook.url_secret = 'hook_url': secret not found; set $BOT_NOTIFY_HOOK_URL" in out.stderr
    out = run_cli("config", "check", config=config, env={"BOT_NOTIFY_HOOK_URL": "not a url"})
    assert (
        out.returncode == 1 and "the secret is not a web URL" in out.stderr and "not a url" not in out.stderr
    )
    out = run_cli(
        "config", "check", config=config, env={"BOT_NOTIFY_HOOK_URL": "https://hooks.example.com/T0k3n"}
    )
    assert out.returncode == 0 and out.stderr == "", out.stderr


def test_a_data_dir_that_cannot_be_made_is_a_problem_and_run_says_so(write_config: Any) -> None:
    config = write_config(base=BASE_CONFIG.replace('data_dir = "data"', 'data_dir = "/proc/bot-test-data"'))
    out = run_cli("config", "check", config=config)
    assert out.returncode == 1
    assert "bot.data_dir = '/proc/bot-test-data': cannot write in /proc" in out.stderr, out.stderr
    out = run_cli("run", "--once", config=config)
    assert out.returncode == 1 and "Traceback" not in out.stderr and "unexpected" not in out.stderr
    assert "/proc/bot-test-data" in out.stderr


def test_wrong_types_say_what_the_key_expects(write_config: Any) -> None:
    """``link = true`` on a campaign: one line naming the key and what it takes, not pydantic's
    union branches (``link.function-after[check_web_url(), ...]``, ``link.literal[False]``)."""
    config = write_config('link = true\nhashtags = "#tea"\nrequired_words = 3\n')
    out = run_cli("config", "check", config=config)
    assert out.returncode == 1, out.stdout
    assert out.stderr == (
        f"Error: {config}: invalid config\n"
        "  campaigns[0] (promo).link = true: expected a web link in quotes "
        '("https://example.com/shop") or false\n'
        "  campaigns[0] (promo).hashtags = '#tea': expected a list: write [\"#tea\"]\n"
        '  campaigns[0] (promo).required_words = 3: expected a list, such as ["a", "b"]\n'
    )
