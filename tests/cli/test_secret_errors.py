"""A secret written where the config does not expect it is never printed back (the hostile
pass's finding 4): not by `bot config check`, by another command loading the config, nor by
`bot run` at start. Real config files, the real CLI in a subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.domain.errors import ConfigError
from tests.conftest import BASE_CONFIG, run_cli

SECRET = "SEKRIT-9f3a7c"

#: (TOML added to the base config, texts the error must contain)
CASES = [
    ("[notify]\nsmtp_password = '{s}'\n", ["notify.smtp_password", "README, Notifications", "BOT_NOTIFY_"]),
    ("[web]\nweb_session_secret = '{s}'\n", ["web.web_session_secret", "$BOT_WEB_SESSION_SECRET"]),
    ("[publishing]\ntoken = '{s}'\n", ["publishing.token", "README, Secrets"]),
    ("[brand.extra]\napi_key = '{s}'\n", ["brand.extra", "unknown table"]),
    ("[moderation]\ncolour = '{s}'\n", ["moderation.colour: unknown key (value not shown)"]),
    # a known key whose name is a credential's: the value (a secret's name) is not shown either
    (
        "[notify.email]\nhost = 'h'\nfrom = 'a@b.c'\nto = ['a@b.c']\npassword_secret = '{s} !'\n",
        ["notify.email.password_secret: this looks like the secret itself", "it holds characters"],
    ),
    # a password or token pasted where the secret's NAME goes (it would be printed as the name)
    (
        "[notify.email]\nhost = 'h'\nfrom = 'a@b.c'\nto = ['a@b.c']\npassword_secret = '{s}'\n",
        ["notify.email.password_secret: this looks like the secret itself", "it looks random", "change it"],
    ),
    (
        "[notify.webhook]\nurl_secret = 'https://hooks.example/services/{s}'\n",
        ["notify.webhook.url_secret: this looks like the secret itself", "value not shown"],
    ),
    (
        "[notify.webhook]\nurl_secret = '{s}' # padding\n".replace("{s}", "{s}" * 6),
        ["notify.webhook.url_secret: this looks like the secret itself", "a name is at most 64"],
    ),
    # an invisible character in an unknown key's value: refused as an unknown key, unseen
    ('[notify]\nsmtp_password = "{s}\\u200b"\n', ["notify.smtp_password", "value not shown"]),
    (
        '[notify.email]\nhost = "h"\nfrom = "a@b.c"\nto = ["a@b.c"]\npassword_secret = "{s}\\u200b"\n',
        ["notify.email.password_secret (value not shown): contains the invisible character"],
    ),
]

X_ACCOUNT = """
[[accounts]]
name = "spoke-x"
platform = "x"
{key} = "{s}"
"""


def _write(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "bot.toml"
    path.write_text(BASE_CONFIG.format() + "\n" + extra.format(s=SECRET), encoding="utf-8")
    return path


@pytest.mark.parametrize(("extra", "says"), CASES)
def test_config_check_names_the_key_never_the_value(tmp_path: Path, extra: str, says: list[str]) -> None:
    config = _write(tmp_path, extra)
    done = run_cli("config", "check", config=config)
    assert done.returncode == 1, done.stdout + done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert str(config) in done.stderr or config.name in done.stderr
    for text in says:
        assert text in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("access_tokn", "did you mean the credential access_token?"),
        ("api_secret_key", "did you mean the credential api_secret?"),
        ("oauth_password", "README, Secrets"),
    ],
)
def test_a_misspelled_account_credential_is_named_with_where_it_goes(
    tmp_path: Path, key: str, says: str
) -> None:
    config = _write(tmp_path, X_ACCOUNT.replace("{key}", key))
    with pytest.raises(ConfigError) as err:
        load_settings(config)
    message = str(err.value)
    assert SECRET not in message
    assert f"accounts[1] (spoke-x).{key}: unknown key" in message and says in message, message
    if "did you mean" in says:
        variable = "$BOT_SPOKE_X_" + says.rsplit(" ", 1)[1].rstrip("?").upper()
        assert variable in message and "secrets_file" in message, message


@pytest.mark.parametrize(
    "args", [("accounts", "list"), ("db", "upgrade"), ("campaigns", "sync"), ("calendar",), ("run", "--once")]
)
def test_every_command_loading_the_config_keeps_the_value_out(tmp_path: Path, args: tuple[str, ...]) -> None:
    config = _write(tmp_path, "[notify]\nsmtp_password = '{s}'\n" + X_ACCOUNT.replace("{key}", "access_tokn"))
    done = run_cli(*args, config=config)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "notify.smtp_password" in done.stderr and "access_tokn" in done.stderr, done.stderr
    assert SECRET not in done.stdout + done.stderr


@pytest.mark.parametrize("name", ["smtp_password", "SMTP_PASSWORD", "webhookUrl2024", "mail.relay-pw2"])
def test_names_that_look_like_names_are_taken(tmp_path: Path, name: str) -> None:
    """A secret's name as people write them is kept, and named when the secret is missing."""
    config = _write(tmp_path, f"[notify.webhook]\nurl_secret = '{name}'\n")
    done = run_cli("notify", "test", config=config)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"notify.webhook.url_secret = '{name}': secret not found" in done.stderr, done.stderr
