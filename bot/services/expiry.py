"""A draft past its expiry is not acted on: the one rule approve, edit and regenerate share.

Drafts expire at their slot's time plus the draft expiry (``expires_at``); the daemon's pass
moves open ones to ``expired``. Until it runs, a person could still approve or edit such a
draft and a post for a slot long past would go out late: :func:`refuse_late` refuses first,
with the injected clock, and moves an open draft to ``expired`` as the pass would. The store
checks the expiry again in its compare-and-set, so a draft that expires between this look and
the write is refused too (:class:`~bot.domain.errors.DraftExpired` either way).
"""

from __future__ import annotations

from datetime import datetime

from bot.domain import OPEN_DRAFT_STATES, Draft, DraftState, too_late
from bot.domain.errors import DraftExpired
from bot.domain.ports import DraftStore


def refuse_late(
    store: DraftStore, draft: Draft, now: datetime, actor: str, action: str, *, approved_too: bool = False
) -> None:
    """Raise :class:`DraftExpired` if ``draft`` is past its expiry at ``now`` and ``action``
    ("approved", "edited", "regenerated") would apply to it: an open draft (made ``expired``
    first, the event naming ``actor``), an expired one, or with ``approved_too`` an approved one
    (an edit; it stays approved): :func:`~bot.domain.too_late`. Any other state is left to the
    caller's usual refusal."""
    if not too_late(draft.state, draft.expires_at, now, approved_too=approved_too):
        return
    assert draft.expires_at is not None
    if draft.state in OPEN_DRAFT_STATES:
        store.expire_draft(draft.id, now=now, actor=actor, reason=f"expired: past its expiry, not {action}")
    raise DraftExpired(
        draft.id,
        draft.expires_at,
        draft.campaign_name,
        action=action,
        approved=draft.state is DraftState.APPROVED,
    )
