"""``bot campaigns fire --at`` a slot so far back that its drafts are already past their expiry
says so, through the real CLI (the drafts are written all the same; the daemon expires them)."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import run_cli


def test_fire_at_a_past_slot_says_its_drafts_are_past_their_expiry(write_config: Any) -> None:
    config = write_config()
    for args in (("db", "upgrade"), ("campaigns", "sync")):
        assert run_cli(*args, config=config).returncode == 0
    old = run_cli("campaigns", "fire", "promo", "--at", "2026-01-02 10:00", config=config)
    assert old.returncode == 0, old.stderr
    assert old.stdout.startswith("slot 1 at 2026-01-02 10:00 UTC: draft ids: ")
    assert old.stderr.startswith(
        "warning: these drafts are already past their expiry (2026-01-04 10:00 UTC, the slot's time plus "
        "the draft expiry)"
    ), old.stderr
    as_json = run_cli("campaigns", "fire", "promo", "--at", "2026-01-09 10:00", "--json", config=config)
    assert json.loads(as_json.stdout)["expired"] is True
    now = run_cli("campaigns", "fire", "promo", "--json", config=config)
    assert now.returncode == 0 and json.loads(now.stdout)["expired"] is False
    assert "expiry" not in now.stderr
