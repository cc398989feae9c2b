"""A draft past its expiry is not acted on: the one rule approve, edit and regenerate share,
and its approved post is not sent any more (stale, :func:`stale_reason`).

Drafts expire at their slot's time plus the draft expiry (``expires_at``); the daemon's pass
moves open ones to ``expired``. Until it runs, a person could still approve or edit such a
draft and a post for a slot long past would go out late: :func:`refuse_late` refuses first,
with the injected clock, and moves an open draft to ``expired`` as the pass would. The store
checks the expiry again in its compare-and-set, so a draft that expires between this look and
the write is refused too (:class:`~bot.domain.errors.DraftExpired` either way).

An approved post waits for its slot and its account (paused, paced, capped, the daemon or
the database away); once its draft's expiry has passed it would go out late (a weekend offer
on a Wednesday, a greeting days after the holiday), so the daemon fails it instead of sending
it (:mod:`bot.services.publishing`), and ``bot publications retry`` says so: ``--force`` sends
it anyway, as it is, or ``bot campaigns fire`` drafts a fresh post.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain import OPEN_DRAFT_STATES, Draft, DraftState, Publication, too_late
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


def _expired(draft_id: int, expires_at: datetime) -> str:
    return (
        f"its draft {draft_id} expired at {expires_at:%Y-%m-%d %H:%M} UTC (its slot's time plus "
        "the draft expiry)"
    )


def _ways(pub: Publication, campaign: str) -> str:
    return (
        f"To send it anyway, as it is: `bot publications retry {pub.id} --force`; for a fresh post: "
        f"`bot campaigns fire {campaign}` and review its drafts"
    )


def stale_reason(pub: Publication, expires_at: datetime, campaign: str) -> str:
    """Why the daemon failed a publication it claimed past its draft's expiry (its last error
    and its event), with the two ways on."""
    return (
        f"stale, not sent: {_expired(pub.draft_id, expires_at)} before it could go out to "
        f"{pub.account}, and a late post may say the wrong day or offer. {_ways(pub, campaign)}"
    )


def stale_refusal(pub: Publication, expires_at: datetime, campaign: str) -> str:
    """Why ``bot publications retry`` (without ``--force``) does not queue a stale publication."""
    return (
        f"publication {pub.id} is stale: {_expired(pub.draft_id, expires_at)}, so the bot does not "
        f"send it late to {pub.account} (a dated offer or greeting would be wrong by now). "
        f"{_ways(pub, campaign)}"
    )
