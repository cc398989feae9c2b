"""Secrets files that their group or others can read: used, and named once in the log when read
(as ssh names an unprotected private key), never with their value."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.adapters.platforms.credentials import Credentials
from bot.adapters.platforms.mastodon_platform import MastodonAccount

CREDENTIALS = "bot.adapters.platforms.credentials"


def _account(**secrets: Path) -> MastodonAccount:
    return MastodonAccount(name="masto", platform="mastodon", base_url="http://127.0.0.1:9", **secrets)


def _named(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == CREDENTIALS and r.levelno == logging.WARNING]


def test_a_loose_secrets_dir_file_is_read_and_named_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token = tmp_path / "creds" / "access_token"
    token.parent.mkdir()
    token.write_text("s3cret-token\n", encoding="utf-8")
    token.chmod(0o644)
    creds = Credentials(_account(secrets_dir=token.parent), environ={})
    with caplog.at_level(logging.WARNING, logger=CREDENTIALS):
        assert creds.get("access_token") == "s3cret-token"
        assert creds.get("access_token") == "s3cret-token"
    assert _named(caplog) == [
        f"accounts.masto.secrets_dir: {token} is readable by its group and others (mode 0644); "
        f"run: chmod 600 {token}"
    ]
    assert "s3cret" not in caplog.text


def test_a_loose_secrets_file_is_named_and_a_private_one_is_not(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    loose, private = tmp_path / "loose.env", tmp_path / "private.env"
    for path, mode in ((loose, 0o640), (private, 0o600)):
        path.write_text("access_token=tok\n", encoding="utf-8")
        path.chmod(mode)
    with caplog.at_level(logging.WARNING, logger=CREDENTIALS):
        assert Credentials(_account(secrets_file=private), environ={}).get("access_token") == "tok"
        assert _named(caplog) == []
        assert Credentials(_account(secrets_file=loose), environ={}).get("access_token") == "tok"
    assert _named(caplog) == [
        f"accounts.masto.secrets_file: {loose} is readable by its group (mode 0640); run: chmod 600 {loose}"
    ]
