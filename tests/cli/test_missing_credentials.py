"""An account whose credentials are not all set is a warning of `bot config check` (still ok,
rc 0) and of `bot run` at its start, looked up as `bot accounts check` does (environment,
secrets file), never printing a value (the hostile pass's finding 11: "ok" while an account
could not post). Real CLI in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import run_cli

ACCOUNTS = """
[[accounts]]
name = "teahouse-x"
platform = "x"
secrets_file = "x.env"

[[accounts]]
name = "teahouse-masto"
platform = "mastodon"
base_url = "http://127.0.0.1:9"
secrets_file = "masto.env"
"""


def _secrets(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)


def test_config_check_and_run_warn_of_an_account_without_its_credentials(
    write_config: Any, tmp_path: Path
) -> None:
    config = write_config(ACCOUNTS)
    _secrets(tmp_path, "x.env", "api_key=kkkk-secret-1\napi_secret=ssss-secret-2\n")
    _secrets(tmp_path, "masto.env", "access_token=mmmm-secret-3\n")
    x_env = tmp_path / "x.env"
    warning = (
        "warning: accounts.teahouse-x: missing credentials access_token, access_token_secret; "
        f"set $BOT_TEAHOUSE_X_ACCESS_TOKEN or add access_token=... to {x_env}; "
        f"set $BOT_TEAHOUSE_X_ACCESS_TOKEN_SECRET or add access_token_secret=... to {x_env}; "
        "its posts cannot be published until then (`bot accounts check teahouse-x` tries them)\n"
    )

    checked = run_cli("config", "check", config=config)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(f"{config}: ok (1 campaigns, 3 accounts)")
    assert checked.stderr == warning
    as_json = run_cli("config", "check", "--json", config=config)
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["warnings"] == [
        warning.removeprefix("warning: ").rstrip("\n")
    ]

    assert run_cli("db", "upgrade", config=config).returncode == 0
    ran = run_cli("run", "--once", config=config)
    assert ran.returncode == 0, ran.stderr
    assert warning in ran.stderr
    for out in (checked, as_json, ran):
        assert "secret-" not in out.stdout + out.stderr

    # set in the environment, as `bot accounts check` reads them: no warning
    env = {
        "BOT_TEAHOUSE_X_ACCESS_TOKEN": "tttt-secret-4",
        "BOT_TEAHOUSE_X_ACCESS_TOKEN_SECRET": "uuuu-secret-5",
    }
    complete = run_cli("config", "check", config=config, env=env)
    assert complete.returncode == 0 and complete.stderr == "", complete.stderr
