"""The store's contract (the protocols of ``bot.domain.ports``), run on real SQLite and Postgres."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import (
    CampaignKind,
    CampaignSpec,
    Candidate,
    Decision,
    Draft,
    DraftOrigin,
    DraftState,
    ModerationDecision,
    ModerationVerdict,
    PublicationState,
    SlotState,
    Target,
    text_sha256,
)
from bot.domain.errors import NotFound, StateConflict
from bot.domain.ports import Store

NOW = datetime(2026, 9, 24, 1, 0, tzinfo=UTC)
PASS = ModerationVerdict(
    ModerationDecision.PASS, {"wordlist": {"match": 0.0}}, {"wordlist": {"match": 0.5}}, {"wordlist": "test"}
)
FLAG = ModerationVerdict(
    ModerationDecision.FLAG, {"wordlist": {"match": 1.0}}, {"wordlist": {"match": 0.5}}, {"wordlist": "test"}
)
SPEC = CampaignSpec("promo", CampaignKind.PROMO, {"brief": "x"})


def _draft(
    store: Store, text: str = "Happy Mid-Autumn!", state: DraftState = DraftState.PENDING_REVIEW
) -> int:
    store.sync_campaigns([SPEC], NOW, "test")
    campaign = store.get_campaign("promo")
    slot = store.create_slot(campaign.id, NOW + timedelta(minutes=len(store.list_slots())), NOW, "test")
    assert slot is not None
    candidate = Candidate(text=text, origin=DraftOrigin.MODEL, model_id="canned")
    return store.add_draft(
        campaign_id=campaign.id,
        slot_id=slot.id,
        candidate=candidate,
        verdict=FLAG if state is DraftState.FLAGGED else PASS,
        state=state,
        expires_at=NOW + timedelta(days=1),
        now=NOW,
        actor="test",
    )


def _approve(
    store: Store,
    draft_id: int,
    accounts: tuple[str, ...] = ("outbox",),
    reviewer: str = "ann",
    *,
    override: bool = False,
) -> None:
    draft = store.get_draft(draft_id)
    store.approve_draft(
        draft_id,
        expected=[DraftState.FLAGGED] if override else [DraftState.PENDING_REVIEW],
        sha256=draft.sha256,
        reviewer=reviewer,
        note="a false alarm" if override else "",
        decision=Decision.OVERRIDDEN if override else Decision.APPROVED,
        targets=[Target(a, "dryrun") for a in accounts],
        not_before=NOW,
        now=NOW,
    )


def _edit(store: Store, draft_id: int, text: str, *, expected: list[DraftState], sha: str) -> Draft:
    return store.edit_draft(
        draft_id,
        expected=expected,
        expected_sha256=sha,
        text=text,
        new_state=DraftState.PENDING_REVIEW,
        verdict=PASS,
        checks=None,
        reviewer="bob",
        now=NOW,
    )


def test_sync_is_idempotent_and_deactivates_removed_campaigns(store: Store) -> None:
    other = CampaignSpec("greeting", CampaignKind.GREETING, {"brief": "y"})
    first = store.sync_campaigns([SPEC, other], NOW, "test")
    assert sorted(first.added) == ["greeting", "promo"]
    again = store.sync_campaigns([SPEC, other], NOW, "test")
    assert sorted(again.unchanged) == ["greeting", "promo"] and not again.added and not again.updated
    removed = store.sync_campaigns([SPEC], NOW, "test")
    assert removed.deactivated == ("greeting",)
    assert [c.name for c in store.list_campaigns(active_only=True)] == ["promo"]
    assert {c.name: c.active for c in store.list_campaigns()} == {"greeting": False, "promo": True}
    changed = store.sync_campaigns([CampaignSpec("promo", CampaignKind.PROMO, {"brief": "z"})], NOW, "test")
    assert changed.updated == ("promo",)


def test_a_slot_is_created_once(store: Store) -> None:
    store.sync_campaigns([SPEC], NOW, "test")
    campaign = store.get_campaign("promo")
    first = store.create_slot(campaign.id, NOW, NOW, "a")
    second = store.create_slot(campaign.id, NOW, NOW, "b")
    assert first is not None and second is None
    store.finish_slot(first.id, SlotState.DRAFTED, NOW, "a")
    with pytest.raises(StateConflict):
        store.finish_slot(first.id, SlotState.FAILED, NOW, "b")


def test_two_reviewers_get_one_winner(store: Store) -> None:
    draft_id = _draft(store)
    _approve(store, draft_id)
    with pytest.raises(StateConflict, match="approved"):
        store.reject_draft(
            draft_id, expected=[DraftState.PENDING_REVIEW], reviewer="bob", reason="no", now=NOW
        )
    assert store.get_draft(draft_id).state is DraftState.APPROVED
    assert len(store.list_publications(draft_id=draft_id)) == 1


def test_approval_is_bound_to_the_exact_text(store: Store) -> None:
    draft_id = _draft(store)
    with pytest.raises(StateConflict, match="edited"):
        store.approve_draft(
            draft_id,
            expected=[DraftState.PENDING_REVIEW],
            sha256=text_sha256("other text"),
            reviewer="ann",
            note="",
            decision=Decision.APPROVED,
            targets=[],
            not_before=NOW,
            now=NOW,
        )
    assert store.get_draft(draft_id).state is DraftState.PENDING_REVIEW


def test_editing_an_approved_draft_voids_the_approval(store: Store) -> None:
    draft_id = _draft(store)
    _approve(store, draft_id)
    before = store.get_draft(draft_id)
    edited = _edit(
        store, draft_id, "Happy Mid-Autumn Festival!", expected=[DraftState.APPROVED], sha=before.sha256
    )
    assert edited.state is DraftState.PENDING_REVIEW and edited.origin is DraftOrigin.HUMAN
    [pub] = store.list_publications(draft_id=draft_id)
    assert pub.state is PublicationState.CANCELLED
    assert len(store.moderation_records(draft_id)) == 2
    _approve(store, draft_id)  # re-approval re-queues the same publication row with a new key
    [again] = store.list_publications(draft_id=draft_id)
    assert again.state is PublicationState.QUEUED and again.idempotency_key != pub.idempotency_key


def test_claims_do_not_overlap_and_are_recorded(store: Store) -> None:
    for i in range(4):
        _approve(store, _draft(store, text=f"post {i}"))
    first = store.claim_publications("w1", NOW, timedelta(minutes=1), limit=3)
    second = store.claim_publications("w2", NOW, timedelta(minutes=1), limit=3)
    assert len(first) == 3 and len(second) == 1
    assert not {p.id for p in first} & {p.id for p in second}
    store.mark_sending(first[0].id, "w1", NOW)
    store.finish_publication(first[0].id, "w1", PublicationState.PUBLISHED, now=NOW, remote_id="r1")
    with pytest.raises(StateConflict):  # w2 never held it
        store.finish_publication(first[1].id, "w2", PublicationState.PUBLISHED, now=NOW)
    assert store.release_claims("w1", NOW) == 2
    assert store.get_publication(first[0].id).state is PublicationState.PUBLISHED
    assert store.get_publication(first[1].id).state is PublicationState.QUEUED


def test_expired_claims_are_requeued_or_need_a_check(store: Store) -> None:
    for i in range(2):
        _approve(store, _draft(store, text=f"post {i}"))
    unsent, sent = store.claim_publications("dead", NOW, timedelta(seconds=30), limit=2)
    store.mark_sending(sent.id, "dead", NOW)
    requeued, to_check = store.recover_expired_claims(NOW + timedelta(minutes=1), "rescuer")
    assert requeued == [unsent.id] and to_check == [sent.id]
    checked = store.get_publication(sent.id)
    assert checked.state is PublicationState.NEEDS_CHECK and "outcome unknown" in (checked.last_error or "")


def test_paused_accounts_are_not_claimed(store: Store) -> None:
    _approve(store, _draft(store), accounts=("outbox", "x"))
    store.pause_account("x", "401 unauthorized", NOW, "w")
    claimed = store.claim_publications("w", NOW, timedelta(minutes=1), limit=5)
    assert [p.account for p in claimed] == ["outbox"]
    assert store.resume_account("x", NOW, "ann")
    assert [p.account for p in store.claim_publications("w", NOW, timedelta(minutes=1), limit=5)] == ["x"]


def test_expiry_moves_open_drafts_only(store: Store) -> None:
    open_id = _draft(store)
    approved_id = _draft(store, text="other")
    _approve(store, approved_id)
    assert store.expire_drafts(NOW + timedelta(days=2), "daemon") == [open_id]
    assert store.get_draft(approved_id).state is DraftState.APPROVED


def test_every_transition_is_in_the_event_log(store: Store) -> None:
    draft_id = _draft(store)
    _approve(store, draft_id)
    events = store.events(entity="draft", entity_id=draft_id)
    assert [(e.from_state, e.to_state, e.actor) for e in events] == [
        (None, "pending_review", "test"),
        ("pending_review", "approved", "ann"),
    ]


def test_unknown_ids_are_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.get_draft(404)
    with pytest.raises(NotFound):
        store.get_publication(404)


def test_a_rejection_and_its_record_commit_together(store: Store) -> None:
    draft_id = _draft(store)
    store.reject_draft(draft_id, expected=[DraftState.PENDING_REVIEW], reviewer="bob", reason="dull", now=NOW)
    [record] = store.approvals(draft_id)
    assert (record.decision, record.reviewer, record.note) == (Decision.REJECTED, "bob", "dull")
    with pytest.raises(StateConflict):  # a second reviewer loses and records nothing
        store.reject_draft(draft_id, expected=[DraftState.PENDING_REVIEW], reviewer="cy", reason="x", now=NOW)
    assert len(store.approvals(draft_id)) == 1


def test_withdrawing_an_approval_cancels_its_queued_publications(store: Store) -> None:
    draft_id = _draft(store)
    _approve(store, draft_id)
    store.reject_draft(draft_id, expected=[DraftState.APPROVED], reviewer="ann", reason="late", now=NOW)
    [pub] = store.list_publications(draft_id=draft_id)
    assert pub.state is PublicationState.CANCELLED
    assert [a.decision for a in store.approvals(draft_id)] == [Decision.APPROVED, Decision.REJECTED]


def test_cancelling_every_publication_puts_the_approved_draft_back_in_the_queue(store: Store) -> None:
    """An approved draft with nothing left to post was stranded: not approvable again, and its
    slot's alternatives refused as rivals. Back to review it can be approved again or rejected."""
    draft_id = _draft(store)
    _approve(store, draft_id, accounts=("outbox", "other"))
    first, second = store.list_publications(draft_id=draft_id)
    store.move_publication(
        first.id, [PublicationState.QUEUED], PublicationState.CANCELLED, now=NOW, actor="ann"
    )
    assert store.get_draft(draft_id).state is DraftState.APPROVED  # one account still posts it
    store.move_publication(
        second.id, [PublicationState.QUEUED], PublicationState.CANCELLED, now=NOW, actor="ann"
    )
    assert store.get_draft(draft_id).state is DraftState.PENDING_REVIEW
    assert store.events(entity="draft", entity_id=draft_id)[-1].reason.startswith(
        "every publication cancelled"
    )
    assert [a.decision for a in store.approvals(draft_id)] == [Decision.APPROVED, Decision.INVALIDATED]
    _approve(store, draft_id, accounts=("outbox",))  # approved again: its publication queued again
    assert [p.state for p in store.list_publications(draft_id=draft_id)] == [
        PublicationState.QUEUED,
        PublicationState.CANCELLED,
    ]


def test_a_flagged_draft_approved_by_override_goes_back_flagged(store: Store) -> None:
    draft_id = _draft(store, state=DraftState.FLAGGED)
    _approve(store, draft_id, override=True)
    [pub] = store.list_publications(draft_id=draft_id)
    store.move_publication(
        pub.id, [PublicationState.QUEUED], PublicationState.CANCELLED, now=NOW, actor="ann"
    )
    assert store.get_draft(draft_id).state is DraftState.FLAGGED  # an override is needed again


def test_an_edit_invalidates_the_approval_in_the_same_transaction(store: Store) -> None:
    draft_id = _draft(store)
    _approve(store, draft_id)
    old = store.get_draft(draft_id)
    _edit(
        store,
        draft_id,
        "A new text",
        expected=[DraftState.PENDING_REVIEW, DraftState.APPROVED],
        sha=old.sha256,
    )
    decisions = [(a.decision, a.text_sha256) for a in store.approvals(draft_id)]
    assert decisions == [(Decision.APPROVED, old.sha256), (Decision.INVALIDATED, old.sha256)]


def test_an_edit_of_a_text_being_sent_changes_nothing(store: Store) -> None:
    draft_id = _draft(store)
    _approve(store, draft_id)
    [pub] = store.claim_publications("w1", NOW, timedelta(minutes=1))
    old = store.get_draft(draft_id)
    with pytest.raises(StateConflict, match="being published"):
        _edit(store, draft_id, "Too late", expected=[DraftState.APPROVED], sha=old.sha256)
    assert store.get_draft(draft_id).text == old.text
    assert [a.decision for a in store.approvals(draft_id)] == [Decision.APPROVED]
    assert store.get_publication(pub.id).state is PublicationState.CLAIMED


def test_an_edit_of_a_text_changed_since_it_was_read_loses(store: Store) -> None:
    draft_id = _draft(store)
    with pytest.raises(StateConflict, match="edited"):
        _edit(
            store,
            draft_id,
            "Mine",
            expected=[DraftState.PENDING_REVIEW],
            sha=text_sha256("what the reviewer saw long ago"),
        )
    assert len(store.moderation_records(draft_id)) == 1
