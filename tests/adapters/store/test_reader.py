"""The lean reader answers every read exactly as the full store does, on SQLite and Postgres;
the listing commands it serves never import SQLAlchemy."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.adapters.store import engine as engines
from bot.adapters.store import schema
from bot.adapters.store.reader import SqlReader, open_reader
from bot.adapters.store.sql import SqlStore
from bot.cli.output import _default
from bot.domain import CampaignKind, CampaignSpec, Candidate, DraftOrigin, DraftState, PublicationState
from bot.domain.errors import SchemaOutdated
from bot.domain.ports import DraftsJson
from bot.services import queue
from bot.services.queue import QueueView, drafts_json
from tests.adapters.store.test_store_contract import NOW, PASS, SPEC, _approve, _draft


def _fill(store: SqlStore) -> None:
    """Campaigns (one inactive), drafts in three states, publications, a daemon, a pause."""
    first = _draft(store, "Tea for everyone this Friday.")
    _draft(store, "A flagged one.", DraftState.FLAGGED)
    _draft(store, "Still waiting.")
    _approve(store, first, accounts=("outbox", "mastodon"))
    other = CampaignSpec("zz-old", CampaignKind.GREETING, {"when": {"cron": "0 9 * * *"}, "accounts": ["x"]})
    store.sync_campaigns([SPEC, other], NOW, "test")
    store.sync_campaigns([SPEC], NOW + timedelta(hours=1), "test")
    store.register_daemon("w1", "host", 42, NOW, {"poll_interval_s": 10, "config": "/etc/bot.toml"})
    store.heartbeat("w1", NOW + timedelta(seconds=5), "running")
    store.pause_account("mastodon", "401 Unauthorized", NOW, "test")


def test_every_read_matches_the_full_store(db_url: str) -> None:
    engines.upgrade(db_url)
    store = SqlStore.open(db_url)
    _fill(store)
    reader = open_reader(db_url)
    assert isinstance(reader, SqlReader)
    try:
        for active_only in (True, False):
            assert reader.list_campaigns(active_only=active_only) == store.list_campaigns(
                active_only=active_only
            )
        for kwargs in (
            {},
            {"states": [DraftState.PENDING_REVIEW, DraftState.FLAGGED]},
            {"states": []},
            {"campaign": "promo", "limit": 2},
            {"states": [DraftState.PENDING_REVIEW, DraftState.FLAGGED], "campaign": "promo", "limit": 1},
            {"states": [DraftState.PENDING_REVIEW, DraftState.FLAGGED], "after": 1, "limit": 1},
            {"after": 2},
            {"slot_id": 1},
            {"slot_id": [1, 3]},
            {"slot_id": []},
            {"states": [DraftState.FLAGGED], "slot_id": [1, 2, 3]},
        ):
            assert reader.list_drafts(**kwargs) == store.list_drafts(**kwargs), kwargs  # type: ignore[arg-type]
        for limited in (reader, store):  # a limit keeps the first drafts of the whole listing
            waiting = [DraftState.PENDING_REVIEW, DraftState.FLAGGED]
            assert limited.list_drafts(states=waiting, limit=2) == limited.list_drafts(states=waiting)[:2]
            assert len(limited.list_drafts(limit=2)) == 2
            assert [d.id for d in limited.list_drafts(after=1, limit=1)] == [2]  # the next page
        for pkwargs in ({}, {"states": [PublicationState.QUEUED]}, {"account": "outbox"}, {"draft_id": 1}):
            assert reader.list_publications(**pkwargs) == store.list_publications(**pkwargs), pkwargs  # type: ignore[arg-type]
        for ekwargs in ({}, {"entity": "draft"}, {"entity": "draft", "entity_id": 1}, {"limit": 3}):
            assert reader.events(**ekwargs) == store.events(**ekwargs), ekwargs  # type: ignore[arg-type]
        assert reader.list_daemons() == store.list_daemons()
        assert reader.queue_sizes() == store.queue_sizes()
        assert reader.paused_accounts() == store.paused_accounts() == {"mastodon": "401 Unauthorized"}
        assert reader.list_drafts()[0].created_at.tzinfo is not None
    finally:
        reader.close()
        store.close()


def test_the_queue_json_written_by_the_database_is_the_read_models(db_url: str) -> None:
    engines.upgrade(db_url)
    store = SqlStore.open(db_url)
    _fill(store)
    _draft(store, 'Quotes " and \\ back\\slashes, 中文, emoji 🍵\nand a second line.')
    # NOW has no microseconds (isoformat leaves them out); these times have some
    odd = NOW + timedelta(days=3, microseconds=120034)
    slot = store.create_slot(store.get_campaign("promo").id, odd, odd, "test")
    assert slot is not None
    store.add_draft(
        campaign_id=slot.campaign_id,
        slot_id=slot.id,
        candidate=Candidate(text="Odd times.", origin=DraftOrigin.TEMPLATE, model_id="t", score=0.25),
        verdict=PASS,
        state=DraftState.PENDING_REVIEW,
        expires_at=None,
        now=odd,
        actor="test",
    )
    _one_slot(store)  # a slot of several drafts: its slot_drafts
    reader = open_reader(db_url)
    assert isinstance(reader, DraftsJson)
    try:
        for kwargs in (
            {},
            {"states": [DraftState.FLAGGED]},
            {"states": []},
            {"campaign": "promo", "limit": 2},
            {"states": [DraftState.PENDING_REVIEW]},
        ):
            fast = json.loads(reader.drafts_json(**kwargs))  # type: ignore[arg-type]
            listed = store.list_drafts(**kwargs)  # type: ignore[arg-type]
            slots = QueueView(store).slot_drafts(listed)
            slow = json.loads(json.dumps(drafts_json(listed, slots), default=_default))
            assert fast == slow, kwargs
            assert [list(d) for d in fast] == [list(d) for d in slow]  # the same keys, in order
    finally:
        reader.close()
        store.close()


def _one_slot(store: SqlStore) -> list[int]:
    """Five drafts of one slot, written out of id order with other slots' drafts between them:
    pending, flagged, approved, rejected, pending. Returns their ids."""
    store.sync_campaigns([SPEC], NOW, "test")
    campaign = store.get_campaign("promo")
    slot = store.create_slot(campaign.id, NOW + timedelta(days=9), NOW, "test")
    assert slot is not None
    ids = []
    for index, state in enumerate(
        [DraftState.PENDING_REVIEW, DraftState.FLAGGED, *[DraftState.PENDING_REVIEW] * 3]
    ):
        _draft(store, f"Between {index}.")  # another slot's draft between them
        candidate = Candidate(text=f"Alternative {index}.", origin=DraftOrigin.MODEL, model_id="t")
        ids.append(
            store.add_draft(
                campaign_id=slot.campaign_id,
                slot_id=slot.id,
                candidate=candidate,
                verdict=PASS,
                state=state,
                expires_at=None,
                now=NOW,
                actor="test",
            )
        )
    _approve(store, ids[2])
    store.reject_draft(ids[3], expected=[DraftState.PENDING_REVIEW], reviewer="ann", reason="no", now=NOW)
    return ids


def test_a_slots_drafts_are_listed_as_alternatives(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``slot_drafts``: the slot's drafts still pending, flagged or approved, by id, the same on
    every draft of the slot (a rejected one too: it shows what replaced it); a slot of one
    draft lists that one. The same whether read by the slots' ids (a page) or from every
    running draft (more slots than a page)."""
    engines.upgrade(db_url)
    store = SqlStore.open(db_url)
    ids = _one_slot(store)
    reader = open_reader(db_url)
    try:
        by_ids = QueueView(reader).slot_drafts(store.list_drafts())
        monkeypatch.setattr(queue, "_SLOTS_BY_ID", 1)
        assert QueueView(reader).slot_drafts(store.list_drafts()) == by_ids
        for listing in (
            json.loads(reader.drafts_json(states=None)),  # type: ignore[attr-defined]
            drafts_json(store.list_drafts(), by_ids),
        ):
            by_id = {d["id"]: d for d in listing}
            running = [ids[0], ids[1], ids[2], ids[4]]
            assert [by_id[i]["slot_drafts"] for i in ids] == [running] * 5
            assert len({by_id[i]["slot_id"] for i in ids}) == 1
            between = [d for d in listing if d["id"] not in ids]
            assert all(d["slot_drafts"] == [d["id"]] for d in between)
    finally:
        reader.close()
        store.close()


def test_an_empty_or_old_database_says_run_upgrade(db_url: str) -> None:
    from alembic import command

    if db_url.startswith("sqlite"):
        with pytest.raises(SchemaOutdated, match="bot db upgrade"):
            open_reader(db_url)  # no file at all: nothing is created either
    engines.upgrade(db_url)
    reader = open_reader(db_url)
    reader.close()
    command.downgrade(engines.alembic_config(db_url), "base")
    with pytest.raises(SchemaOutdated, match="bot db upgrade"):
        open_reader(db_url)


def test_the_expected_revision_is_alembics_head() -> None:
    assert schema.expected_revision() == engines.SCHEMA_REVISION == engines.head_revision()
