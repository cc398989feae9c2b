"""Checks of needs_check publications in the store: the send stamps, the check lease, the
outcomes (on SQLite and Postgres)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.store.sql import SqlStore
from bot.domain.errors import StateConflict
from tests.adapters.store.test_publication_store import _P, LEASE, NOW, approved


def needs_check(store: SqlStore) -> int:
    """One publication sent twice (stamps kept) and left needs_check; its id."""
    approved(store, 1)
    [pub] = store.claim_publications("w", NOW, LEASE, 1)
    store.mark_sending(pub.id, "w", NOW)
    store.finish_publication(pub.id, "w", _P.QUEUED, now=NOW, reason="429")
    later = NOW + timedelta(minutes=1)
    [pub] = store.claim_publications("w", later, LEASE, 1)
    store.mark_sending(pub.id, "w", later)
    store.finish_publication(pub.id, "w", _P.NEEDS_CHECK, now=later, reason="timeout", check_at=later)
    return pub.id


def test_stamps_and_the_check_lease(store: SqlStore) -> None:
    pub_id = needs_check(store)
    pub = store.get_publication(pub_id)
    assert pub.first_sent_at == NOW and pub.last_sent_at == NOW + timedelta(minutes=1)
    assert pub.check_at == NOW + timedelta(minutes=1) and pub.check_tries == 0
    assert store.claim_checks("d1", NOW, LEASE, 5) == []  # not due yet
    at = NOW + timedelta(minutes=2)
    [taken] = store.claim_checks("d1", at, LEASE, 5)
    assert taken.id == pub_id
    assert store.claim_checks("d2", at, LEASE, 5) == []  # leased: another daemon skips it
    assert store.claim_checks("person", at, LEASE, 1, pub_id=pub_id) == []
    with pytest.raises(StateConflict):
        store.finish_check(pub_id, "d2", _P.QUEUED, now=at, reason="absent")
    again = store.finish_check(pub_id, "d1", _P.NEEDS_CHECK, now=at, reason="unknown", check_at=at + LEASE)
    assert again.check_tries == 1 and again.check_at == at + LEASE and again.last_error == "unknown"
    # an expired lease may be taken over; the old holder then loses its compare-and-set
    [taken] = store.claim_checks("d1", at + LEASE, LEASE, 5)
    [taken] = store.claim_checks("d2", at + 3 * LEASE, LEASE, 5)
    with pytest.raises(StateConflict):
        store.finish_check(pub_id, "d1", _P.QUEUED, now=at, reason="absent")
    queued = store.finish_check(pub_id, "d2", _P.QUEUED, now=at + 3 * LEASE, reason="absent")
    assert queued.state is _P.QUEUED and queued.attempts == 2 and queued.check_tries == 0
    assert queued.first_sent_at == NOW  # the search still reaches back to the first send


def test_found_and_a_persons_move_clear_the_check(store: SqlStore) -> None:
    pub_id = needs_check(store)
    at = NOW + timedelta(minutes=2)
    [taken] = store.claim_checks("person", at, LEASE, 1, pub_id=pub_id)  # not due matters not
    published = store.finish_check(pub_id, "person", _P.PUBLISHED, now=at, reason="found", remote_id="r9")
    assert published.state is _P.PUBLISHED and published.remote_id == "r9" and published.published_at == at
    other = needs_check(store)
    [taken] = store.claim_checks("d1", at, LEASE, 5)
    store.move_publication(other, [_P.NEEDS_CHECK], _P.CANCELLED, now=at, actor="alice")
    with pytest.raises(StateConflict):  # cancelled by hand while the daemon searched
        store.finish_check(taken.id, "d1", _P.QUEUED, now=at, reason="absent")
