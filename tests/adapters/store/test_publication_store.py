"""The leased-claim protocol in the store, on SQLite and Postgres (``store`` runs on both)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.store.publications import _Expected
from bot.adapters.store.sql import SqlStore
from bot.domain import (
    CampaignKind,
    CampaignSpec,
    Candidate,
    Decision,
    DraftOrigin,
    DraftState,
    ModerationDecision,
    ModerationVerdict,
    PublicationState,
    Target,
    text_sha256,
)
from bot.domain.errors import StateConflict

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
ACCOUNTS = [Target("a", "mastodon"), Target("b", "x")]
_P = PublicationState


def approved(store: SqlStore, n: int, targets: list[Target] = ACCOUNTS) -> list[int]:
    """n approved drafts, one publication per target each; returns the draft ids."""
    spec = CampaignSpec("promo", CampaignKind.PROMO, {"name": "promo"})
    store.sync_campaigns([spec], NOW, "t")
    campaign = store.get_campaign("promo")
    verdict = ModerationVerdict(ModerationDecision.PASS, {}, {}, {})
    ids = []
    for i in range(n):
        text = f"post {i}"
        draft_id = store.add_draft(
            campaign_id=campaign.id, slot_id=None, candidate=Candidate(text, DraftOrigin.HUMAN, "m"),
            verdict=verdict, state=DraftState.PENDING_REVIEW, expires_at=None, now=NOW, actor="t",
        )  # fmt: skip
        store.approve_draft(
            draft_id, expected=[DraftState.PENDING_REVIEW], sha256=text_sha256(text), reviewer="r", note="",
            decision=Decision.APPROVED, targets=targets, not_before=NOW, now=NOW,
        )  # fmt: skip
        ids.append(draft_id)
    return ids


def test_claim_send_finish(store: SqlStore) -> None:
    approved(store, 2)
    batch = store.claim_publications("w1", NOW, LEASE, limit=3)
    assert len(batch) == 3 and all(p.claimed_by == "w1" for p in batch)
    assert len(store.claim_publications("w2", NOW, LEASE, limit=10)) == 1
    pub = batch[0]
    store.mark_sending(pub.id, "w1", NOW + timedelta(seconds=10), LEASE)
    renewed = store.get_publication(pub.id)
    assert renewed.attempts == 1 and renewed.claimed_until == NOW + timedelta(seconds=40)
    with pytest.raises(StateConflict):
        store.mark_sending(pub.id, "w1", NOW, LEASE)  # stamped once only
    with pytest.raises(StateConflict):
        store.finish_publication(pub.id, "w2", _P.PUBLISHED, now=NOW)
    store.finish_publication(pub.id, "w1", _P.PUBLISHED, now=NOW, remote_id="r1", url="u")
    done = store.get_publication(pub.id)
    assert done.state is _P.PUBLISHED and done.remote_id == "r1" and done.claimed_by is None
    assert store.published_since(done.account, NOW - timedelta(hours=1)) == [NOW]
    posts = store.outgoing_posts(batch)
    assert {p.text for p in posts.values()} == {"post 0", "post 1"}
    assert posts[pub.id].idempotency_key == pub.idempotency_key


def test_expired_claims_are_requeued_or_need_a_check(store: SqlStore) -> None:
    approved(store, 1)
    sent, unsent = store.claim_publications("w1", NOW, LEASE, limit=2)
    store.mark_sending(sent.id, "w1", NOW, LEASE)
    assert store.recover_expired_claims(NOW + timedelta(seconds=10), "w2") == ([], [])
    requeued, to_check = store.recover_expired_claims(NOW + timedelta(minutes=5), "w2")
    assert requeued == [unsent.id] and to_check == [sent.id]
    checked = store.get_publication(sent.id)
    assert checked.state is _P.NEEDS_CHECK and "outcome unknown" in (checked.last_error or "")
    assert store.get_publication(unsent.id).state is _P.QUEUED
    with pytest.raises(StateConflict):  # the old worker cannot record over the recovery
        store.finish_publication(sent.id, "w1", _P.PUBLISHED, now=NOW)


def test_a_renewed_claim_outlasts_its_first_lease_and_only_its_owner_renews(store: SqlStore) -> None:
    """A worker searching the account after the send renews its claim: a recovery after the
    first lease leaves it alone; another worker cannot renew it; once recovered, the old
    owner's renewal loses (StateConflict)."""
    approved(store, 1, [Target("a", "x")])
    [pub] = store.claim_publications("w1", NOW, LEASE)
    store.mark_sending(pub.id, "w1", NOW, LEASE)
    store.renew_claim(pub.id, "w1", NOW + timedelta(seconds=20), timedelta(minutes=2))
    assert store.get_publication(pub.id).claimed_until == NOW + timedelta(seconds=140)
    assert store.recover_expired_claims(NOW + timedelta(minutes=1), "w2") == ([], [])
    assert store.claim_publications("w2", NOW + timedelta(minutes=1), LEASE) == []
    with pytest.raises(StateConflict):
        store.renew_claim(pub.id, "w2", NOW, timedelta(minutes=10))
    assert store.recover_expired_claims(NOW + timedelta(minutes=3), "w2") == ([], [pub.id])
    with pytest.raises(StateConflict):
        store.renew_claim(pub.id, "w1", NOW + timedelta(minutes=3), timedelta(minutes=2))
    assert store.get_publication(pub.id).state is _P.NEEDS_CHECK


def test_a_stale_recovery_loses_to_a_send_that_started(store: SqlStore) -> None:
    """Recovery saw an expired, unsent claim; the owner stamped it first: the reset must lose."""
    approved(store, 1, [Target("a", "mastodon")])
    [pub] = store.claim_publications("w1", NOW, LEASE)
    late = NOW + timedelta(minutes=5)
    store.mark_sending(pub.id, "w1", late, LEASE)  # an expired claim nobody recovered is still ours
    stale_view = _Expected("w1", sending=False, before=late)
    with store._tx() as s:
        assert store._reset_claim(s, pub.id, _P.QUEUED.value, late, "w2", "stale", stale_view) is False
    assert store.get_publication(pub.id).state is _P.CLAIMED
    assert store.recover_expired_claims(late + timedelta(seconds=1), "w2") == ([], [])


def test_release_gives_back_only_unsent_claims(store: SqlStore) -> None:
    approved(store, 1)
    sent, unsent = store.claim_publications("w1", NOW, LEASE, limit=2)
    store.mark_sending(sent.id, "w1", NOW, LEASE)
    assert store.release_claims("w1", NOW) == 1
    assert store.get_publication(unsent.id).state is _P.QUEUED
    assert store.get_publication(sent.id).state is _P.CLAIMED


def test_paused_accounts_are_not_claimed(store: SqlStore) -> None:
    approved(store, 2)
    store.pause_account("a", "token revoked", NOW, "t")
    assert store.paused_accounts() == {"a": "token revoked"}
    assert {p.account for p in store.claim_publications("w", NOW, LEASE, limit=10)} == {"b"}
    assert store.resume_account("a", NOW, "t") is True
    assert {p.account for p in store.claim_publications("w", NOW, LEASE, limit=10)} == {"a"}
    assert store.queue_sizes()["publications"] == {"claimed": 4}


def test_move_publication_by_hand(store: SqlStore) -> None:
    approved(store, 1, [Target("a", "mastodon")])
    [pub] = store.claim_publications("w", NOW, LEASE)
    store.mark_sending(pub.id, "w", NOW, LEASE)
    store.finish_publication(pub.id, "w", _P.NEEDS_CHECK, now=NOW, reason="timeout")
    with pytest.raises(StateConflict):
        store.move_publication(pub.id, [_P.FAILED], _P.QUEUED, now=NOW, actor="me")
    moved = store.move_publication(
        pub.id, [_P.NEEDS_CHECK], _P.QUEUED, now=NOW, actor="me", reason="not found"
    )
    assert moved.state is _P.QUEUED and moved.attempts == 0


@pytest.mark.postgres
def test_concurrent_workers_claim_each_publication_once(pg_url: str) -> None:
    from bot.adapters.store import engine as engines

    engines.upgrade(pg_url)
    stores = [SqlStore.open(pg_url) for _ in range(4)]
    approved(stores[0], 30)
    claimed: list[list[int]] = [[] for _ in stores]

    def work(i: int) -> None:
        while batch := stores[i].claim_publications(f"w{i}", NOW, LEASE, limit=3):
            claimed[i].extend(p.id for p in batch)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [pub_id for ids in claimed for pub_id in ids]
    assert len(every) == 60 and len(set(every)) == 60
    for s in stores:
        s.close()
