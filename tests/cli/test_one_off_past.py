"""A one-off campaign (``when = { at = ... }``) whose time is already past: ``config check``
and ``campaigns sync`` refuse it when it would never fire (a campaign never fires for a time
before it was first synced), and accept it once the store shows it fired or will still be
caught up. Real SQLite, the real CLI in-process, the clock set by ``BOT_FAKE_NOW``."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.adapters.store import engine as engines
from bot.adapters.store.sql import SqlStore
from bot.cli.main import cli
from tests.scheduling_helpers import campaign

#: 2026-03-01 09:00 in Asia/Shanghai (the base config's zone).
AT = "2026-03-01 09:00"
INSTANT = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def setup(write_config: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in ("BOT_CONFIG", "BOT_DATABASE_URL", "BOT_CLOCK_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_CRASH_LOG", str(tmp_path / "crash.log"))
    monkeypatch.chdir(tmp_path)

    def config(at: str = AT, enabled: bool = True) -> Path:
        extra = campaign("launch", f'{{ at = "{at}" }}', enabled=str(enabled).lower())
        return write_config("\n" + extra)  # type: ignore[no-any-return]

    return config


def run(monkeypatch: pytest.MonkeyPatch, config: Path, now: str, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("BOT_FAKE_NOW", now)
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=True)
    output = result.stdout + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output, output
    return result.exit_code, output


def database(config: Path) -> str:
    return f"sqlite:///{config.parent / 'data' / 'bot.db'}"


def test_a_past_one_off_never_synced_is_refused_by_check_and_sync(
    setup: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = setup()
    for args in (["config", "check"], ["campaigns", "sync"]):
        if args[0] == "campaigns":
            assert not (config.parent / "data" / "bot.db").exists()  # the check made none
            engines.upgrade(database(config))
        code, output = run(monkeypatch, config, "2026-03-02T00:00:00+00:00", *args)
        assert code == 1, output
        assert "campaigns[1] (launch).when.at = '2026-03-01 09:00' (Asia/Shanghai) is already past" in output
        assert "would never fire" in output
        assert "set a future time" in output
    with closing(SqlStore.open(database(config))) as store:
        assert [c.name for c in store.list_campaigns()] == []


def test_a_future_one_off_syncs_and_stays_valid_while_it_can_still_fire(
    setup: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = setup()
    engines.upgrade(database(config))
    code, output = run(monkeypatch, config, "2026-02-01T00:00:00+00:00", "campaigns", "sync")
    assert code == 0, output
    # a day late, no daemon ran: the daemon still catches it up or records it as skipped
    for args in (["config", "check"], ["campaigns", "sync"]):
        code, output = run(monkeypatch, config, "2026-03-02T00:00:00+00:00", *args)
        assert code == 0, output
    # a month late and never fired: too old to be caught up or recorded
    code, output = run(monkeypatch, config, "2026-04-01T00:00:00+00:00", "config", "check")
    assert code == 1 and "(launch).when.at" in output, output
    # once its slot exists (it fired), the campaign is fine for good
    with closing(SqlStore.open(database(config))) as store:
        launch = store.get_campaign("launch")
        assert store.create_slot(launch.id, INSTANT, INSTANT, "test") is not None
    for args in (["config", "check"], ["campaigns", "sync"]):
        code, output = run(monkeypatch, config, "2027-01-01T00:00:00+00:00", *args)
        assert code == 0, output


def test_a_disabled_past_one_off_is_accepted(setup: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    config = setup(enabled=False)
    engines.upgrade(database(config))
    for args in (["config", "check"], ["campaigns", "sync"]):
        code, output = run(monkeypatch, config, "2026-03-02T00:00:00+00:00", *args)
        assert code == 0, output
