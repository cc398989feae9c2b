"""A campaign pulled from the config (removed, or ``enabled = false``) stops its approved posts:
``campaigns sync`` cancels their queued publications, says so with how to undo it, and the
daemon's pass sends nothing of it. A disabled campaign's drafts cannot be approved, a stale slot
of it is not drafted on takeover, and rejecting an approved draft names the command that stops
it. The real CLI in a subprocess, on SQLite and on Postgres."""

from __future__ import annotations

import json
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import update

from bot.adapters.store.sql import SqlStore
from bot.adapters.store.tables import CampaignRow
from bot.config import load_settings
from bot.domain import PublicationState
from bot.domain.ports import FixedClock
from bot.services.catchup import STALE_AFTER, Scheduling, take_stale_slots
from bot.wiring import Wiring
from tests.conftest import run_cli
from tests.scheduling_helpers import campaign, fixed_app
from tests.scheduling_helpers import write_config as write_scheduling_config

DISABLED = "\nenabled = false\n"  # appended to the base config's campaign "promo"


def _ok(*args: str, config: Path) -> str:
    result = run_cli(*args, config=config)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stdout


def _fire_and_approve(config: Path) -> tuple[int, int, int]:
    """Fire promo for a slot in 2030, approve its first draft: (approved, other draft, publication)."""
    _ok("db", "upgrade", config=config)
    _ok("campaigns", "sync", config=config)
    fired = json.loads(_ok("campaigns", "fire", "promo", "--at", "2030-01-04 10:00", "--json", config=config))
    approved, other = fired["drafts"][0], fired["drafts"][1]
    _ok("queue", "approve", str(approved), config=config)
    (pub,) = json.loads(_ok("publications", "list", "--json", config=config))
    assert pub["state"] == "queued"
    return approved, other, pub["id"]


def _pub(config: Path, pub_id: int) -> dict[str, Any]:
    return dict(json.loads(_ok("publications", "show", str(pub_id), "--json", config=config)))


def _draft(config: Path, draft_id: int) -> dict[str, Any]:
    return dict(json.loads(_ok("queue", "show", str(draft_id), "--json", config=config)))


def test_disabling_a_campaign_holds_its_approved_posts(write_config: Any, db_url: str) -> None:
    config = write_config(database_url=db_url)
    approved, other, pub = _fire_and_approve(config)

    write_config(DISABLED, database_url=db_url)
    synced = run_cli("campaigns", "sync", config=config)
    assert synced.returncode == 0, synced.stderr
    assert f"publication {pub} (draft {approved} to outbox) cancelled: promo is disabled" in synced.stdout
    # once: the sync service logged it as a warning too (stderr), twice on a terminal
    assert (synced.stdout + synced.stderr).count(f"publication {pub} (draft {approved} to outbox)") == 1
    assert f"`bot queue approve {approved}`" in synced.stdout and "enabled = true" in synced.stdout
    assert _pub(config, pub)["state"] == "cancelled"
    assert _draft(config, approved)["state"] == "pending_review"  # back in review, approval void
    passed = json.loads(_ok("run", "--once", "--json", config=config))
    assert passed["published"] == []

    for draft in (approved, other):  # a disabled campaign's drafts are not approvable
        refused = run_cli("queue", "approve", str(draft), config=config)
        assert refused.returncode == 1, refused.stdout
        assert (
            "promo" in refused.stderr and "disabled" in refused.stderr and "Traceback" not in refused.stderr
        )
        assert "enabled = true" in refused.stderr
    # a second sync changes nothing more and says nothing more
    again = json.loads(_ok("campaigns", "sync", "--json", config=config))
    assert again["held_publications"] == [] and again["unchanged"] == ["promo"]

    write_config("", database_url=db_url)  # enabled again: the undo the sync printed
    _ok("campaigns", "sync", config=config)
    _ok("queue", "approve", str(approved), config=config)
    assert _pub(config, pub)["state"] == "queued"  # the same publication, queued again


def test_a_held_draft_that_was_flagged_goes_back_flagged_and_the_hint_says_override(
    write_config: Any, db_url: str
) -> None:
    """An approval that overrode moderation's flag is void with the rest: the draft goes back
    to ``flagged`` (not to ``pending_review``, where a plain approve would pass it), and the
    sync's hint names the approval it needs: ``--override --reason``, and why."""
    config = write_config(database_url=db_url)
    _ok("db", "upgrade", config=config)
    _ok("campaigns", "sync", config=config)
    fired = json.loads(_ok("campaigns", "fire", "promo", "--at", "2030-01-04 10:00", "--json", config=config))
    draft = fired["drafts"][0]
    rude = "Our mooncakes are fucking great, get a box at Lotus Leaf Tea House."
    _ok("queue", "edit", str(draft), "--text", rude, config=config)
    assert _draft(config, draft)["state"] == "flagged"
    _ok("queue", "approve", str(draft), "--override", "--reason", "our slang", config=config)
    (pub,) = json.loads(_ok("publications", "list", "--json", config=config))

    write_config(DISABLED, database_url=db_url)
    synced = _ok("campaigns", "sync", config=config)
    hint = f"then `bot queue approve {draft} --override --reason TEXT` (it is flagged by moderation"
    assert hint in synced, synced
    assert _draft(config, draft)["state"] == "flagged"  # the override went with the approval

    write_config("", database_url=db_url)
    _ok("campaigns", "sync", config=config)
    plain = run_cli("queue", "approve", str(draft), config=config)
    assert plain.returncode == 1 and "flagged by moderation" in plain.stderr, plain.stderr
    _ok("queue", "approve", str(draft), "--override", "--reason", "our slang", config=config)
    assert _pub(config, pub["id"])["state"] == "queued"  # the same publication, queued again


def test_the_hint_of_a_held_draft_with_waived_checks_says_override(write_config: Any, db_url: str) -> None:
    """A draft approved with a failed check waived goes back to review with the check still
    failed: the hint says --override (and which check), and --json says it too."""
    config = write_config(database_url=db_url)
    _ok("db", "upgrade", config=config)
    _ok("campaigns", "sync", config=config)
    fired = json.loads(_ok("campaigns", "fire", "promo", "--at", "2030-01-04 10:00", "--json", config=config))
    draft = fired["drafts"][0]
    _ok("queue", "edit", str(draft), "--text", "Tea.", config=config)  # too short: fails a check
    failed = [c["name"] for c in _draft(config, draft)["checks"] if not c["passed"]]
    assert failed and _draft(config, draft)["state"] == "pending_review"
    assert run_cli("queue", "approve", str(draft), config=config).returncode == 1
    _ok("queue", "approve", str(draft), "--override", "--reason", "short on purpose", config=config)
    write_config(DISABLED, database_url=db_url)
    synced = json.loads(_ok("campaigns", "sync", "--json", config=config))
    (held,) = synced["held_publications"]
    assert held["needs_override"] == f"it failed its checks: {', '.join(failed)}", held
    assert _draft(config, draft)["state"] == "pending_review"


def test_removing_a_campaign_holds_its_approved_posts(write_config: Any, db_url: str) -> None:
    config = write_config(database_url=db_url)
    approved, _, pub = _fire_and_approve(config)
    write_config(database_url=db_url, base=_without_promo())
    synced = json.loads(_ok("campaigns", "sync", "--json", config=config))
    assert synced["deactivated"] == ["promo"]
    (held,) = synced["held_publications"]
    assert held["publication_id"] == pub and held["draft_id"] == approved and held["removed"] is True
    assert approved in synced["expired_drafts"]
    shown = _pub(config, pub)
    assert shown["state"] == "cancelled" and shown["last_error"] == "campaign removed from the config"
    assert json.loads(_ok("run", "--once", "--json", config=config))["published"] == []


def test_rejecting_an_approved_draft_names_what_stops_it(write_config: Any, db_url: str) -> None:
    config = write_config(database_url=db_url)
    approved, _, pub = _fire_and_approve(config)
    refused = run_cli("queue", "reject", str(approved), "--reason", "price wrong", config=config)
    assert refused.returncode == 1
    assert f"bot publications cancel {pub}" in refused.stderr, refused.stderr
    assert f"bot queue reject {approved} --withdraw" in refused.stderr
    assert f"publication {pub} to outbox: queued" in refused.stderr
    assert _pub(config, pub)["state"] == "queued"  # nothing changed


def test_a_stale_slot_of_a_disabled_campaign_is_not_drafted(tmp_path: Path, db_url: str) -> None:
    enabled = write_scheduling_config(
        tmp_path, campaign("hello", '{ cron = "0 9 * * *" }'), database_url=db_url
    )
    start = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
    app, _ = fixed_app(enabled, start)
    app.sync.sync("test")
    record = app.store.get_campaign("hello")
    slot = app.store.create_slot(record.id, start, start, "ghost-1-abc")  # its maker died mid-draft
    app.close()  # its Postgres connections must not outlive the test
    assert slot is not None
    write_scheduling_config(
        tmp_path, campaign("hello", '{ cron = "0 9 * * *" }', enabled="false"), database_url=db_url
    )
    later, _ = fixed_app(enabled, start + STALE_AFTER + timedelta(minutes=1))
    later.sync.sync("test")
    todo = take_stale_slots(
        Scheduling(later.settings, later.store, "w2"), start + STALE_AFTER + timedelta(minutes=1)
    )
    assert todo == []
    after = later.store.get_slot(slot.id)
    assert after.state.value == "skipped" and "disabled" in (after.error or "")
    assert later.store.list_drafts(slot_id=slot.id) == []
    later.close()


def _without_promo() -> str:
    from tests.conftest import BASE_CONFIG

    return BASE_CONFIG[: BASE_CONFIG.index("[[campaigns]]")]


def test_a_pulled_campaigns_post_never_goes_out_by_another_path(write_config: Any, db_url: str) -> None:
    """The config changed but nobody synced yet (or the post was queued again after the sync:
    a check that proved it absent, a backoff): the pass itself does not send it; and a failed
    one is not retried by hand while the campaign is disabled."""
    config = write_config(database_url=db_url)
    _, other, pub = _fire_and_approve(config)
    write_config(DISABLED, database_url=db_url)  # no sync
    after_slot = {"BOT_FAKE_NOW": "2030-01-04T10:01:00+00:00"}
    passed = run_cli("run", "--once", "--json", config=config, env=after_slot)
    assert passed.returncode == 0, passed.stderr
    assert json.loads(passed.stdout)["published"] == []
    assert not (config.parent / "data" / "outbox.jsonl").exists()
    shown = _pub(config, pub)
    assert shown["state"] == "cancelled" and shown["last_error"] == "campaign disabled in the config"

    write_config(database_url=db_url)  # enabled: the other draft is approved, its send fails
    _ok("queue", "approve", str(other), config=config)
    with closing(SqlStore.open(db_url)) as store:
        (failed,) = store.claim_publications(
            "w1", datetime(2030, 1, 4, 10, 2, tzinfo=UTC), timedelta(minutes=2)
        )
        at = datetime(2030, 1, 4, 10, 2, tzinfo=UTC)
        store.finish_publication(failed.id, "w1", PublicationState.FAILED, now=at, reason="refused")
    write_config(DISABLED, database_url=db_url)
    refused = run_cli("publications", "retry", str(failed.id), config=config)
    assert refused.returncode == 1 and "campaign disabled in the config" in refused.stderr, refused.stderr
    assert _pub(config, failed.id)["state"] == "failed"


AFTER_SLOT = datetime(2030, 1, 5, tzinfo=UTC)


def test_a_daemon_on_the_old_config_does_not_send_a_post_synced_out_after_its_claim(
    write_config: Any, db_url: str
) -> None:
    """The daemon (started with promo in its config, not reloaded) claimed promo's post; then
    promo is removed from the config and `bot campaigns sync` runs before the send. The sync
    cannot cancel a claimed post (it says so); the daemon reads the campaign's state in the
    store at the send, not its own config, and cancels it instead of sending it."""
    config = write_config(database_url=db_url)
    approved, _, pub = _fire_and_approve(config)
    daemon = Wiring(load_settings(config), clock=FixedClock(AFTER_SLOT))  # the old config
    write_config(database_url=db_url, base=_without_promo())
    synced: list[dict[str, Any]] = []

    def sync_once_claimed() -> bool:  # asked between the claim and each send
        if not synced and daemon.store.get_publication(pub).state is PublicationState.CLAIMED:
            synced.append(json.loads(_ok("campaigns", "sync", "--json", config=config)))
        return False

    try:
        report = daemon.publishing.run_once(stopping=sync_once_claimed)
    finally:
        daemon.close()
    (sync,) = synced
    assert sync["deactivated"] == ["promo"] and sync["held_publications"] == []
    assert [p["publication_id"] for p in sync["in_flight_publications"]] == [pub]
    assert report.published == [] and report.cancelled == [pub]
    assert not (config.parent / "data" / "outbox.jsonl").exists()
    shown = _pub(config, pub)
    assert shown["state"] == "cancelled", shown
    assert shown["last_error"] == "campaign removed from the config (inactive in the store)"
    assert _draft(config, approved)["state"] == "approved"  # its post never went out


def test_a_daemon_on_the_old_config_does_not_send_a_post_of_a_campaign_inactive_in_the_store(
    write_config: Any, db_url: str
) -> None:
    """The campaign is inactive in the store (as a sync from another config left it) while its
    post is still queued; a daemon whose config still lists it enabled does not send it."""
    config = write_config(database_url=db_url)
    _, _, pub = _fire_and_approve(config)
    daemon = Wiring(load_settings(config), clock=FixedClock(AFTER_SLOT))
    try:
        store = cast(SqlStore, daemon.store)
        with store.engine.begin() as conn:
            conn.execute(update(CampaignRow).where(CampaignRow.name == "promo").values(active=False))
        report = daemon.publishing.run_once()
    finally:
        daemon.close()
    assert report.published == [] and report.cancelled == [pub]
    assert not (config.parent / "data" / "outbox.jsonl").exists()
    assert _pub(config, pub)["last_error"] == "campaign removed from the config (inactive in the store)"
