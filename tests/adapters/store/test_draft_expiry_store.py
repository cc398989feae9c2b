"""A draft past its expiry is neither approved nor edited by the store: the expiry is part of the
compare-and-set (at the caller's ``now``), and an open draft becomes ``expired`` as the daemon's
pass would make it. On real SQLite and Postgres."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from bot.domain import Decision, Draft, DraftState, PublicationState, Target
from bot.domain.errors import DraftExpired, StateConflict
from bot.domain.ports import Store
from tests.adapters.store.test_store_contract import NOW, PASS, _draft

#: When the drafts of :func:`_draft` expire.
EXPIRES = NOW + timedelta(days=1)
TICK = timedelta(microseconds=1)


def _approve(store: Store, draft_id: int, now: datetime) -> Draft:
    draft = store.get_draft(draft_id)
    return store.approve_draft(
        draft_id,
        expected=[DraftState.PENDING_REVIEW, DraftState.FLAGGED],
        sha256=draft.sha256,
        reviewer="ann",
        note="",
        decision=Decision.APPROVED,
        targets=[Target("outbox", "dryrun")],
        not_before=now,
        now=now,
    )


def _edit(store: Store, draft_id: int, now: datetime) -> Draft:
    draft = store.get_draft(draft_id)
    return store.edit_draft(
        draft_id,
        expected=[DraftState.PENDING_REVIEW, DraftState.FLAGGED, DraftState.APPROVED],
        expected_sha256=draft.sha256,
        text="A new text",
        new_state=DraftState.PENDING_REVIEW,
        verdict=PASS,
        checks=None,
        reviewer="bob",
        now=now,
    )


@pytest.mark.parametrize("state", [DraftState.PENDING_REVIEW, DraftState.FLAGGED])
def test_an_approval_at_or_after_the_expiry_is_refused_and_the_draft_expires(
    store: Store, state: DraftState
) -> None:
    draft_id = _draft(store, state=state)
    with pytest.raises(DraftExpired, match=rf"draft {draft_id} expired at 2026-09-25 01:00 UTC") as info:
        _approve(store, draft_id, EXPIRES)  # at the expiry is too late already
    assert info.value.draft_id == draft_id and info.value.expires_at == EXPIRES
    assert "bot campaigns fire promo" in str(info.value)
    assert store.get_draft(draft_id).state is DraftState.EXPIRED
    assert store.list_publications(draft_id=draft_id) == []
    assert store.approvals(draft_id) == []
    last = store.events(entity="draft", entity_id=draft_id)[-1]
    assert (last.from_state, last.to_state, last.actor) == (state.value, "expired", "ann")
    # the daemon's pass finds nothing more to do, and asking again says the same
    assert store.expire_drafts(EXPIRES + timedelta(hours=1), "daemon") == []
    with pytest.raises(DraftExpired, match="expired at"):
        _approve(store, draft_id, EXPIRES + timedelta(hours=1))


def test_an_approval_just_before_the_expiry_goes_through(store: Store) -> None:
    draft_id = _draft(store)
    assert _approve(store, draft_id, EXPIRES - TICK).state is DraftState.APPROVED
    [pub] = store.list_publications(draft_id=draft_id)
    assert pub.state is PublicationState.QUEUED
    # approved in time, it is not expired later by the daemon's pass
    assert store.expire_drafts(EXPIRES + timedelta(days=1), "daemon") == []


def test_an_edit_of_an_open_draft_past_its_expiry_is_refused_and_it_expires(store: Store) -> None:
    draft_id = _draft(store)
    before = store.get_draft(draft_id)
    with pytest.raises(DraftExpired, match="cannot be edited"):
        _edit(store, draft_id, EXPIRES + timedelta(minutes=1))
    after = store.get_draft(draft_id)
    assert (after.state, after.text) == (DraftState.EXPIRED, before.text)
    assert len(store.moderation_records(draft_id)) == 1  # no record of a text never saved


def test_an_edit_of_an_approved_draft_past_its_expiry_leaves_it_approved(store: Store) -> None:
    draft_id = _draft(store)
    _approve(store, draft_id, NOW)
    with pytest.raises(DraftExpired, match=rf"stays approved.*bot queue reject {draft_id} --withdraw"):
        _edit(store, draft_id, EXPIRES)
    draft = store.get_draft(draft_id)
    assert draft.state is DraftState.APPROVED and draft.text == "Happy Mid-Autumn!"
    assert [p.state for p in store.list_publications(draft_id=draft_id)] == [PublicationState.QUEUED]
    assert [a.decision for a in store.approvals(draft_id)] == [Decision.APPROVED]


def test_a_rejected_draft_past_its_expiry_is_refused_as_rejected(store: Store) -> None:
    draft_id = _draft(store)
    store.reject_draft(draft_id, expected=[DraftState.PENDING_REVIEW], reviewer="ann", reason="no", now=NOW)
    with pytest.raises(StateConflict, match="is rejected") as info:
        _approve(store, draft_id, EXPIRES)
    assert not isinstance(info.value, DraftExpired)
    assert store.get_draft(draft_id).state is DraftState.REJECTED


def test_a_rejection_past_the_expiry_is_still_allowed(store: Store) -> None:
    """Rejecting lets nothing go out: it stays possible (the queue is cleared by hand)."""
    draft_id = _draft(store)
    store.reject_draft(
        draft_id, expected=[DraftState.PENDING_REVIEW], reviewer="ann", reason="late", now=EXPIRES
    )
    assert store.get_draft(draft_id).state is DraftState.REJECTED


def test_expire_draft_moves_one_open_draft_past_its_expiry(store: Store) -> None:
    early, approved = _draft(store), _draft(store, text="other")
    _approve(store, approved, NOW)
    assert not store.expire_draft(early, now=EXPIRES - TICK, actor="ann", reason="expired")
    assert not store.expire_draft(approved, now=EXPIRES, actor="ann", reason="expired")
    assert store.expire_draft(early, now=EXPIRES, actor="ann", reason="expired")
    assert not store.expire_draft(early, now=EXPIRES, actor="ann", reason="expired")  # once
    assert store.get_draft(early).state is DraftState.EXPIRED
    assert store.get_draft(approved).state is DraftState.APPROVED


def _race(store: Store, draft_id: int) -> dict[str, object]:
    """Approve a moment before the expiry while a daemon's pass expires a moment after it, at
    once; what each got."""
    barrier, outcome = threading.Barrier(2), dict[str, object]()

    def approve() -> None:
        barrier.wait()
        try:
            _approve(store, draft_id, EXPIRES - TICK)
            outcome["approve"] = "ok"
        except StateConflict as exc:
            outcome["approve"] = str(exc)

    def expire() -> None:
        barrier.wait()
        outcome["expire"] = store.expire_drafts(EXPIRES + TICK, "daemon")

    threads = [threading.Thread(target=approve), threading.Thread(target=expire)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcome


def test_approval_racing_the_daemons_expiry_has_one_winner(store: Store) -> None:
    """A reviewer approves a moment before the expiry while a daemon's pass, a moment after it,
    expires the open drafts: the draft ends approved with its publication, or expired without
    one, never both."""
    for round_ in range(4):
        draft_id = _draft(store, text=f"Round {round_}")
        outcome = _race(store, draft_id)
        expired = outcome["expire"]
        assert isinstance(expired, list), outcome
        draft = store.get_draft(draft_id)
        pubs = store.list_publications(draft_id=draft_id)
        if draft.state is DraftState.APPROVED:
            assert outcome["approve"] == "ok" and draft_id not in expired
            assert [p.state for p in pubs] == [PublicationState.QUEUED]
        else:
            assert draft.state is DraftState.EXPIRED, outcome
            assert outcome["approve"] != "ok" and draft_id in expired
            assert pubs == [] and store.approvals(draft_id) == []
