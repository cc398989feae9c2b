"""``bot queue approve / edit / regenerate`` of a draft past its expiry, through the real CLI
with the clock the tests set (``BOT_FAKE_NOW``): exit 1, a message naming the draft, when it
expired and what to do, no traceback; the draft is ``expired`` as the daemon would make it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import run_cli

#: Over a week after the first two slots below (their drafts expired), before the third expires.
CLOCK = {"BOT_FAKE_NOW": "2026-01-10T00:00:00+00:00"}


def _bot(config: Path, *args: str) -> Any:
    return run_cli(*args, config=config, env=CLOCK)


def _fire(config: Path, at: str) -> int:
    fired = _bot(config, "campaigns", "fire", "promo", "--at", at, "--json")
    assert fired.returncode == 0, fired.stderr
    return int(json.loads(fired.stdout)["drafts"][0])


def _refused(result: Any, draft_id: int, action: str, expired: str = "2026-01-04 10:00") -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(
        f"Error: draft {draft_id} expired at {expired} UTC (its slot's time plus the draft expiry) "
        f"and cannot be {action}"
    ), result.stderr
    assert "`bot campaigns fire promo`" in result.stderr


def test_approve_edit_and_regenerate_of_an_expired_draft_are_refused(write_config: Any) -> None:
    config = write_config()
    for args in (("db", "upgrade"), ("campaigns", "sync")):
        assert _bot(config, *args).returncode == 0
    first, second = _fire(config, "2026-01-02 10:00"), _fire(config, "2026-01-01 10:00")

    approve = _bot(config, "queue", "approve", str(first), "--as", "ann")
    _refused(approve, first, "approved")
    shown = json.loads(_bot(config, "queue", "show", str(first), "--json").stdout)
    assert shown["state"] == "expired" and shown["publications"] == []
    assert shown["expires_at"].startswith("2026-01-04T10:00")

    edit = _bot(config, "queue", "edit", str(second), "--text", "A new text", "--as", "ann")
    _refused(edit, second, "edited", "2026-01-03 10:00")
    regen = _bot(config, "queue", "regenerate", str(second), "--json", "--as", "ann")
    # the refused approve above already marked it expired: regenerate says so and names the
    # slot's draft that is still waiting
    assert regen.returncode == 1 and "Traceback" not in regen.stderr, regen.stderr
    assert regen.stderr.startswith(f"Error: draft {second} is expired; only a draft waiting for review"), (
        regen.stderr
    )
    assert regen.stdout == ""  # no half JSON on a refusal

    # the JSON listings agree: refused drafts are expired, their untouched slot-mates wait for
    # the daemon's pass
    states = {
        d["id"]: d["state"] for d in json.loads(_bot(config, "queue", "list", "--all", "--json").stdout)
    }
    assert states[first] == states[second] == "expired"
    waiting = [d["id"] for d in json.loads(_bot(config, "queue", "list", "--json").stdout)]
    assert first not in waiting and second not in waiting

    in_time = _fire(config, "2026-01-09 10:00")  # expires 2026-01-11 10:00: still in time
    approved = _bot(config, "queue", "approve", str(in_time), "--as", "ann")
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.startswith(f"draft {in_time} approved; queued for outbox")
