"""Where the web page's secrets come from (never the TOML) and how ``[web]`` is validated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.adapters.websecrets import WebSecrets, password_key
from bot.config import load_settings
from bot.config.web import Role, WebSettings
from bot.domain.errors import ConfigError


def test_a_password_set_in_a_secrets_dir_is_verified_and_never_stored_plain(tmp_path: Path) -> None:
    secrets = WebSecrets(WebSettings(secrets_dir=Path("secrets")), tmp_path, tmp_path / "data", environ={})
    where = secrets.set_password("Mei", "a long passphrase")
    assert where == str(tmp_path / "secrets" / password_key("Mei"))
    stored = Path(where).read_text()
    assert stored.startswith("$argon2id$") and "passphrase" not in stored
    assert oct(Path(where).stat().st_mode & 0o777) == "0o600"
    assert secrets.verify("Mei", "a long passphrase")
    assert not secrets.verify("Mei", "a long passphrasE")
    assert not secrets.verify("nobody", "a long passphrase")


def test_the_environment_comes_first_and_the_default_file_is_in_the_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    plain = WebSecrets(WebSettings(), tmp_path, data, environ={})
    plain.set_password("sam", "first password!")
    assert (data / "web-secrets").read_text().startswith("web_password_sam=$argon2id$")
    other = WebSecrets(WebSettings(), tmp_path, tmp_path / "elsewhere", environ={})
    env = {"BOT_WEB_PASSWORD_SAM": plain.find("web_password_sam") or ""}
    from_env = WebSecrets(WebSettings(), tmp_path, tmp_path / "elsewhere", environ=env)
    assert not other.verify("sam", "first password!")
    assert from_env.verify("sam", "first password!")


def test_setting_a_password_keeps_the_other_lines_of_the_file(tmp_path: Path) -> None:
    file = tmp_path / "web-secrets"
    file.write_text("# kept\nweb_password_ann=$argon2id$old\n")
    secrets = WebSecrets(WebSettings(secrets_file=file), None, tmp_path, environ={})
    secrets.set_password("bob", "bobs password 1")
    secrets.set_password("bob", "bobs password 2")
    lines = file.read_text().splitlines()
    assert lines[:2] == ["# kept", "web_password_ann=$argon2id$old"]
    assert len([line for line in lines if line.startswith("web_password_bob=")]) == 1
    assert secrets.verify("bob", "bobs password 2") and not secrets.verify("bob", "bobs password 1")


def test_the_session_secret_is_made_once_and_a_short_one_is_refused(tmp_path: Path) -> None:
    secrets = WebSecrets(WebSettings(), None, tmp_path, environ={})
    first = secrets.session_secret()
    assert len(first) >= 32 and secrets.session_secret() == first
    short = WebSecrets(WebSettings(), None, tmp_path, environ={"BOT_WEB_SESSION_SECRET": "short"})
    with pytest.raises(ConfigError, match="too short"):
        short.session_secret()


WEB = """
[web]
port = 8443
url = "https://review.example.com"
[[web.reviewers]]
name = "mei"
role = "admin"
"""


def test_the_web_section(write_config: Any) -> None:
    web = load_settings(write_config(WEB)).web
    assert (web.host, web.port, web.secure_cookies) == ("127.0.0.1", 8443, True)
    reviewer = web.reviewer("mei")
    assert reviewer is not None and reviewer.role is Role.ADMIN


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[web]\npassword = "hunter2hunter2"\n', "web.password: credentials do not belong in the config"),
        (
            '[web]\n[[web.reviewers]]\nname = "mei"\npassword_hash = "$argon2id$x"\n',
            "web.reviewers[0].password_hash: credentials do not belong",
        ),
        ('[web]\n[[web.reviewers]]\nname = "mei"\nrole = "owner"\n', "role"),
        ('[web]\n[[web.reviewers]]\nname = "mei"\n[[web.reviewers]]\nname = "MEI"\n', "duplicate reviewer"),
        ("[web]\nport = 70000\n", "port"),
        ('[web]\nurl = "not a url"\n', "url"),
    ],
)
def test_bad_web_sections_are_refused_by_name(write_config: Any, extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("$", r"\$")) as info:
        load_settings(write_config(extra))
    assert "hunter2" not in str(info.value) and "$argon2id$x" not in str(info.value)
