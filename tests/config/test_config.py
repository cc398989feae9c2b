"""Config: valid files load into frozen settings; bad ones name the file, the key and the value."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.config import config_path, load_settings
from bot.domain.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_config_is_valid_and_complete() -> None:
    settings = load_settings(ROOT / "config.example.toml")
    kinds = {c.kind.value for c in settings.campaigns}
    assert {"greeting", "promo"} <= kinds
    assert settings.bot.catch_up_grace == timedelta(hours=6)
    assert settings.data_dir == (ROOT / "data").resolve()


def test_the_packaged_example_is_the_same_file() -> None:
    packaged = ROOT / "bot" / "data" / "config.example.toml"
    assert packaged.read_text() == (ROOT / "config.example.toml").read_text()


def test_settings_are_frozen(settings: Any) -> None:
    with pytest.raises(ValidationError):
        settings.bot.timezone = "UTC"


def test_defaults_fill_in(settings: Any) -> None:
    assert settings.model.candidates == 4
    assert settings.database_url.startswith("sqlite:///")
    assert settings.zone_of(settings.campaigns[0]) == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("model", "candidates"),
    [
        ({}, 16),  # the bundled model: the prompt processed once, 16 cost what 4 did
        ({"backend": "transformers", "path": "m.gguf"}, 16),
        ({"backend": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m"}, 4),
        ({"backend": "canned"}, 4),
        ({"candidates": 3}, 3),
    ],
)
def test_candidates_default_to_the_backends(model: dict[str, Any], candidates: int) -> None:
    from bot.config.model import ModelSettings

    assert ModelSettings(**model).candidates == candidates


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("[moderation]\ncolour = 'blue'\n", "moderation.colour: unknown key (value not shown)"),
        ("[publishing]\nmax_attempts = 'many'\n", "publishing.max_attempts = 'many'"),
        ("[publishing]\nlease = 'soon'\n", "publishing.lease = 'soon': expected a duration"),
    ],
)
def test_bad_sections_name_the_key_and_value(write_config: Any, extra: str, expected: str) -> None:
    base = write_config().read_text()
    path = write_config()
    path.write_text(extra + base)
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


CAMPAIGN = """
[[campaigns]]
name = "{name}"
kind = "greeting"
when = {when}
accounts = ["{account}"]
brief = "Hello"
timezone = "{tz}"
"""


def _campaign(**overrides: str) -> str:
    values = {"name": "second", "when": '{ cron = "0 9 * * *" }', "account": "outbox", "tz": "Europe/Berlin"}
    values.update(overrides)
    return CAMPAIGN.format(**values)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"when": '{ cron = "0 25 * * *" }'}, "campaigns[1] (second).when.cron = '0 25 * * *': bad cron"),
        ({"when": '{ cron = "every day" }'}, "expected five crontab fields"),
        (
            {"when": '{ sometimes = "yes" }'},
            "campaigns[1] (second).when: expected one of cron, at, every or holiday",
        ),
        (
            {"tz": "Europe/Berlln"},
            "timezone = 'Europe/Berlln': unknown time zone (did you mean Europe/Berlin",
        ),
        ({"account": "nowhere"}, "unknown account 'nowhere'"),
        ({"name": "promo"}, "campaigns[1].name: duplicate name 'promo'"),
        ({"name": "Bad Name!"}, "campaigns[1] (Bad Name!).name = 'Bad Name!'"),
    ],
)
def test_bad_campaigns_name_the_key_and_value(
    write_config: Any, overrides: dict[str, str], expected: str
) -> None:
    path = write_config(_campaign(**overrides))
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert expected in str(err.value)


def test_secrets_in_the_toml_are_refused(write_config: Any) -> None:
    path = write_config('\n[[accounts]]\nname = "x"\nplatform = "x"\naccess_token = "abc"\n')
    with pytest.raises(ConfigError, match="credentials do not belong in the config") as err:
        load_settings(path)
    assert "abc" not in str(err.value)
    assert "(x).access_token: credentials" in str(err.value)  # the key, named


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[bot\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(broken)


def test_config_path_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_CONFIG", "/etc/bot/env.toml")
    assert config_path("cli.toml") == Path("cli.toml")
    assert config_path(None) == Path("/etc/bot/env.toml")
    monkeypatch.delenv("BOT_CONFIG")
    assert config_path(None) == Path("bot.toml")


def test_database_url_from_environment(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_DATABASE_URL", "postgresql+psycopg://bot@db/bot")
    assert settings.database_url == "postgresql+psycopg://bot@db/bot"


@pytest.mark.parametrize("tag", ["TeaTime", "#TeaTime", "#中秋节", "#Tea_Time2026", "#Café"])
def test_hashtags_of_any_script_are_one_word(tag: str) -> None:
    from bot.config.types import check_hashtag

    assert check_hashtag(tag) == tag
