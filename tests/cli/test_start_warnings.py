"""What ``bot web`` and ``bot run`` warn about at start, one line each, through the real CLI: a
review page served beyond loopback without an https ``[web] url``, and secrets files that their
group or others can read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import run_cli

#: TEST-NET-1 (RFC 5737): not an address of this machine, so the server cannot bind it and
#: exits after the warning, and nothing ever listens beyond loopback.
ELSEWHERE = "192.0.2.1"


def _web(config: Path, host: str) -> Any:
    return run_cli("web", "--host", host, "--port", "18089", config=config, timeout=120)


def test_bot_web_beyond_loopback_without_https_warns_once(write_config: Any) -> None:
    config = write_config()
    assert run_cli("db", "upgrade", config=config).returncode == 0
    served = _web(config, ELSEWHERE)
    assert served.returncode == 1 and "cannot listen on 192.0.2.1:18089" in served.stderr
    assert "serving on http" not in served.stderr and "Traceback" not in served.stderr
    warnings = [line for line in served.stderr.splitlines() if line.startswith("warning: serving on")]
    assert len(warnings) == 1, served.stderr
    assert ELSEWHERE in warnings[0] and "[web] url is not https" in warnings[0]
    assert "clear text" in warnings[0]

    secure = write_config('[web]\nurl = "https://review.example"\n')
    assert "warning: serving on" not in _web(secure, ELSEWHERE).stderr


def test_bot_web_on_loopback_says_nothing(write_config: Any) -> None:
    """Loopback is quiet; a port in use is one line and exit 1 (uvicorn logged an error and
    exited 3, after "serving on" was said)."""
    import socket

    config = write_config()
    assert run_cli("db", "upgrade", config=config).returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for host in ("127.0.0.1", "localhost"):
            served = run_cli("web", "--host", host, "--port", port, config=config, timeout=120)
            assert "warning:" not in served.stderr, served.stderr
            assert served.returncode == 1, served.stderr
            assert served.stderr.strip() == (
                f"Error: bot web cannot listen on {host}:{port}: Address already in use "
                "(another server on that port? an address of this machine? see --host, --port)"
            )


def test_secrets_files_readable_by_others_are_named_at_start(write_config: Any, tmp_path: Path) -> None:
    notify_secrets = tmp_path / "notify.env"
    notify_secrets.write_text("HOOK=http://127.0.0.1:9/hook\n", encoding="utf-8")
    notify_secrets.chmod(0o644)
    account_secrets = tmp_path / "masto.env"
    account_secrets.write_text("access_token=tok\n", encoding="utf-8")
    account_secrets.chmod(0o640)
    config = write_config(
        '[notify]\nsecrets_file = "notify.env"\n[notify.webhook]\nurl_secret = "HOOK"\n'
        '[[accounts]]\nname = "masto"\nplatform = "mastodon"\nbase_url = "http://127.0.0.1:9"\n'
        'secrets_file = "masto.env"\n'
    )
    assert run_cli("db", "upgrade", config=config).returncode == 0
    ran = run_cli("run", "--once", config=config, env={"BOT_NOTIFY_HOOK": ""})
    assert ran.returncode == 0, ran.stderr
    warnings = [line for line in ran.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: accounts.masto.secrets_file: {account_secrets} is readable by its group (mode 0640); "
        f"run: chmod 600 {account_secrets}",
        f"warning: notify.secrets_file: {notify_secrets} is readable by its group and others (mode 0644); "
        f"run: chmod 600 {notify_secrets}",
    ], ran.stderr
    assert "tok" not in ran.stderr and "hook" not in ran.stderr.lower().replace("notify", "")

    notify_secrets.chmod(0o600)
    account_secrets.chmod(0o600)
    quiet = run_cli("run", "--once", config=config)
    assert quiet.returncode == 0 and "warning:" not in quiet.stderr, quiet.stderr

    web_secrets = tmp_path / "web.env"
    web_secrets.write_text(f"web_session_secret={'ab' * 32}\n", encoding="utf-8")
    web_secrets.chmod(0o604)
    web = write_config('[web]\nsecrets_file = "web.env"\n')
    served = _web(web, ELSEWHERE)
    assert f"warning: web.secrets_file: {web_secrets} is readable by others (mode 0604)" in served.stderr


def test_config_check_and_run_name_loose_files_of_secrets_dirs(write_config: Any, tmp_path: Path) -> None:
    """Every file of a secrets_dir is a secret; `bot config check` names the loose ones of every
    section (exit 0: a warning, not a refusal), `bot run` those it reads, each once."""
    creds = tmp_path / "masto-creds"
    creds.mkdir()
    (creds / "access_token").write_text("tok\n", encoding="utf-8")
    (creds / "access_token").chmod(0o640)
    (creds / "client_secret").write_text("cs\n", encoding="utf-8")
    (creds / "client_secret").chmod(0o600)
    web_dir = tmp_path / "web-creds"
    web_dir.mkdir()
    (web_dir / "web_session_secret").write_text("ab" * 32, encoding="utf-8")
    (web_dir / "web_session_secret").chmod(0o604)
    config = write_config(
        '[web]\nsecrets_dir = "web-creds"\n'
        '[[accounts]]\nname = "masto"\nplatform = "mastodon"\nbase_url = "http://127.0.0.1:9"\n'
        'secrets_dir = "masto-creds"\n'
    )
    token, session = creds / "access_token", web_dir / "web_session_secret"
    account_line = (
        f"warning: accounts.masto.secrets_dir: {token} is readable by its group (mode 0640); "
        f"run: chmod 600 {token}"
    )
    checked = run_cli("config", "check", config=config)
    assert checked.returncode == 0, checked.stderr
    assert [line for line in checked.stderr.splitlines() if line.startswith("warning:")] == [
        account_line,
        f"warning: web.secrets_dir: {session} is readable by others (mode 0604); run: chmod 600 {session}",
    ], checked.stderr
    assert "tok" not in checked.stderr.replace("access_token", "")

    assert run_cli("db", "upgrade", config=config).returncode == 0
    ran = run_cli("run", "--once", config=config)
    assert ran.returncode == 0, ran.stderr
    assert [line for line in ran.stderr.splitlines() if "readable by" in line] == [account_line], ran.stderr


def test_a_scorers_list_without_rules_is_a_warning_of_check_and_run(write_config: Any) -> None:
    """An explicit ``[moderation] scorers`` without "rules" is valid (the default keeps it), but
    ``config check`` and ``bot run`` name the list, what is missing and what then gets through."""
    quiet = write_config()
    assert run_cli("db", "upgrade", config=quiet).returncode == 0
    checked = run_cli("config", "check", config=quiet)
    assert checked.returncode == 0 and "warning" not in checked.stderr, checked.stderr
    ran = run_cli("run", "--once", config=quiet)
    assert ran.returncode == 0 and "warning" not in ran.stderr, ran.stderr

    config = write_config('[moderation]\nscorers = ["wordlist", "semantic"]\n')
    expected = (
        'moderation.scorers = ["wordlist", "semantic"] has no "rules" (the default list is '
        '["wordlist", "rules", "semantic"]): nothing then flags a group of people turned away'
    )
    checked = run_cli("config", "check", config=config)
    assert checked.returncode == 0, checked.stderr
    warnings = [line for line in checked.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and warnings[0].startswith(f"warning: {expected}"), checked.stderr
    assert "We know where you live" in warnings[0]
    report = json.loads(run_cli("config", "check", "--json", config=config).stdout)
    assert report["ok"] is True and [w[: len(expected)] for w in report["warnings"]] == [expected]
    ran = run_cli("run", "--once", config=config)
    assert ran.returncode == 0, ran.stderr
    assert [line for line in ran.stderr.splitlines() if line.startswith("warning:")] == warnings
