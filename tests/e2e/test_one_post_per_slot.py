"""Two drafts of one slot are alternatives of one post: approving the second while the first is
queued, being sent or out on the same account is refused, naming the other draft and how to
switch; retrying the first by hand after the second was approved is refused the same way. The
real CLI in a subprocess (and the store under it), on SQLite and on Postgres."""

from __future__ import annotations

import json
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.store.sql import SqlStore
from bot.domain import PublicationState
from bot.domain.errors import StateConflict
from tests.conftest import run_cli


def _ok(*args: str, config: Path) -> str:
    result = run_cli(*args, config=config)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def _slot_with_two_drafts(config: Path) -> tuple[int, int]:
    _ok("db", "upgrade", config=config)
    _ok("campaigns", "sync", config=config)
    fired = json.loads(_ok("campaigns", "fire", "promo", "--at", "2030-01-04 10:00", "--json", config=config))
    assert len(fired["drafts"]) >= 2, fired
    return fired["drafts"][0], fired["drafts"][1]


def test_the_second_draft_of_a_slot_is_refused_naming_the_first(write_config: Any, db_url: str) -> None:
    config = write_config(database_url=db_url)
    first, second = _slot_with_two_drafts(config)
    _ok("queue", "approve", str(first), config=config)
    (pub,) = json.loads(_ok("publications", "list", "--json", config=config))

    refused = run_cli("queue", "approve", str(second), config=config)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
    assert f"draft {second} is not approved" in refused.stderr
    assert f"outbox: publication {pub['id']} of draft {first}, queued" in refused.stderr
    assert f"`bot queue reject {first} --withdraw --reason TEXT`" in refused.stderr
    assert len(json.loads(_ok("publications", "list", "--json", config=config))) == 1
    assert json.loads(_ok("queue", "show", str(second), "--json", config=config))["state"] == "pending_review"

    # the switch the message names
    _ok("queue", "reject", str(first), "--withdraw", "--reason", "the other one", config=config)
    _ok("queue", "approve", str(second), config=config)
    pubs = json.loads(_ok("publications", "list", "--json", config=config))
    assert sorted((p["draft_id"], p["state"]) for p in pubs) == [(first, "cancelled"), (second, "queued")]


def test_a_published_draft_of_a_slot_cannot_be_doubled(write_config: Any, db_url: str) -> None:
    config = write_config(database_url=db_url)
    first, second = _slot_with_two_drafts(config)
    _ok("queue", "approve", str(first), config=config)
    now = datetime(2030, 1, 4, 10, 1, tzinfo=UTC)  # after the slot: the first one goes out
    passed = json.loads(_ok_at(now, "run", "--once", "--json", config=config))
    assert len(passed["published"]) == 1
    refused = run_cli("queue", "approve", str(second), config=config, env=_at(now))
    assert refused.returncode == 1
    assert "published" in refused.stderr and "bot campaigns fire" in refused.stderr, refused.stderr
    outbox = (config.parent / "data" / "outbox.jsonl").read_text().splitlines()
    assert len(outbox) == 1


def test_retrying_the_first_after_the_second_was_approved_is_refused(write_config: Any, db_url: str) -> None:
    config = write_config(database_url=db_url)
    first, second = _slot_with_two_drafts(config)
    _ok("queue", "approve", str(first), config=config)
    with closing(SqlStore.open(db_url)) as store:  # the first one's send failed for good
        now = datetime(2030, 1, 4, 10, 1, tzinfo=UTC)
        (claimed,) = store.claim_publications("w1", now, timedelta(minutes=2))
        store.finish_publication(claimed.id, "w1", PublicationState.FAILED, now=now, reason="refused")
    _ok("queue", "approve", str(second), config=config)  # the first is not live: allowed
    refused = run_cli("publications", "retry", str(claimed.id), config=config)
    assert refused.returncode == 1, refused.stdout
    assert f"publication {claimed.id} is not queued again" in refused.stderr
    assert f"of draft {second}, queued" in refused.stderr
    with closing(SqlStore.open(db_url)) as store:
        assert store.get_publication(claimed.id).state is PublicationState.FAILED
        with pytest.raises(StateConflict):
            store.move_publication(
                claimed.id, [PublicationState.FAILED], PublicationState.QUEUED, now=now, actor="t"
            )


def _at(now: datetime) -> dict[str, str]:
    return {"BOT_FAKE_NOW": now.isoformat()}


def _ok_at(now: datetime, *args: str, config: Path) -> str:
    result = run_cli(*args, config=config, env=_at(now))
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def test_the_queue_says_a_slots_drafts_are_alternatives(write_config: Any) -> None:
    """`queue`, `queue show` and `queue review` say that a slot's drafts are alternatives of one
    post, and once one is approved, that the other is refused and how to switch; --json gives
    slot_id and slot_drafts beside the keys it had."""
    config = write_config()
    first, second = _slot_with_two_drafts(config)
    lines = _ok("queue", config=config).splitlines()
    assert lines[0].split("\t")[-1] == "alternatives"
    assert [line.split("\t")[-1] for line in lines[1:3]] == [str(second), str(first)]
    assert lines[-1].startswith("Drafts with alternatives share a slot, which posts once per account")
    for args in (("queue", "--json"), ("queue", "list", "--json"), ("queue", "list", "--all", "--json")):
        listed = json.loads(_ok(*args, config=config))
        assert {d["id"]: d["slot_drafts"] for d in listed} == {
            first: [first, second],
            second: [first, second],
        }
        assert listed[0]["slot_id"] == listed[1]["slot_id"] is not None
        assert list(listed[0])[-2:] == ["slot_id", "slot_drafts"]  # added after the keys it had
    shown = _ok("queue", "show", str(first), config=config)
    assert (
        f"alternatives of this slot: draft {second}; the slot posts once per account: approve one, "
        "and the others are not sent"
    ) in shown

    _ok("queue", "approve", str(first), config=config)
    assert _ok("queue", "list", "--all", config=config).splitlines()[2].endswith(f"\t{first} (approved)")
    detail = json.loads(_ok("queue", "show", str(second), "--json", config=config))
    assert detail["slot_drafts"] == [first, second]
    note = (
        f"alternatives of this slot: draft {first} (approved); the slot posts once per account and "
        f"draft {first} is approved, so approving this one is refused while that is queued or out "
        f"(to switch: `bot queue reject {first} --withdraw --reason TEXT` first)"
    )
    assert detail["slot_note"] == note
    walk = run_cli("queue", "review", "--as", "ann", config=config, input="s\n")
    assert walk.returncode == 0, walk.stderr
    assert note in walk.stdout, walk.stdout
