"""The state machines of the domain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import (
    DRAFT_TRANSITIONS,
    PUBLICATION_TRANSITIONS,
    DraftState,
    PublicationState,
    can_move_draft,
    can_move_publication,
    past_expiry,
    text_sha256,
    too_late,
)


def test_every_state_has_a_row() -> None:
    assert set(DRAFT_TRANSITIONS) == set(DraftState)
    assert set(PUBLICATION_TRANSITIONS) == set(PublicationState)


@pytest.mark.parametrize("final", [DraftState.REJECTED, DraftState.EXPIRED])
def test_final_draft_states_are_final(final: DraftState) -> None:
    assert not any(can_move_draft(final, new) for new in DraftState)


def test_flagged_drafts_are_never_auto_passed_to_review_without_a_decision() -> None:
    assert can_move_draft(DraftState.PENDING_REVIEW, DraftState.FLAGGED)  # an edit re-scored
    assert can_move_draft(DraftState.FLAGGED, DraftState.APPROVED)  # only through --override
    assert not can_move_draft(DraftState.EXPIRED, DraftState.APPROVED)


def test_published_and_cancelled_are_final() -> None:
    for final in (PublicationState.PUBLISHED, PublicationState.CANCELLED):
        assert not any(can_move_publication(final, new) for new in PublicationState)


def test_an_unknown_outcome_is_never_requeued_without_passing_through_a_check() -> None:
    assert can_move_publication(PublicationState.CLAIMED, PublicationState.NEEDS_CHECK)
    assert not can_move_publication(PublicationState.NEEDS_CHECK, PublicationState.CLAIMED)


def test_the_approval_digest_changes_with_any_edit() -> None:
    assert text_sha256("Happy Mid-Autumn!") != text_sha256("Happy Mid-Autumn! ")
    assert len(text_sha256("中秋快乐")) == 64


def test_a_draft_is_past_its_expiry_at_the_instant_itself() -> None:
    at = datetime(2026, 9, 3, 2, 0, tzinfo=UTC)
    assert past_expiry(at, at) and past_expiry(at, at + timedelta(seconds=1))
    assert not past_expiry(at, at - timedelta(microseconds=1))
    assert not past_expiry(None, at)  # a draft without an expiry never expires


@pytest.mark.parametrize(
    ("state", "approved_too", "late"),
    [
        (DraftState.PENDING_REVIEW, False, True),
        (DraftState.FLAGGED, False, True),
        (DraftState.EXPIRED, False, True),
        (DraftState.APPROVED, False, False),  # approving it again: refused for its state
        (DraftState.APPROVED, True, True),  # an edit would void an approval it cannot get again
        (DraftState.REJECTED, True, False),
    ],
)
def test_what_is_refused_for_its_expiry(state: DraftState, approved_too: bool, late: bool) -> None:
    at = datetime(2026, 9, 3, 2, 0, tzinfo=UTC)
    assert too_late(state, at, at, approved_too=approved_too) is late
    assert not too_late(state, at, at - timedelta(minutes=1), approved_too=approved_too)
