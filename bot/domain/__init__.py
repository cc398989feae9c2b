"""The domain: states, transition tables and frozen records. Pure: no I/O imports.

State machines (DESIGN.md)::

    Draft:        (new) -> pending_review -> approved | rejected | expired (also: campaign removed)
                  (new) -> flagged -> approved (override only) | rejected | expired
                  (new) -> approved (approval = "auto", passed every check and the gate)
                  approved  -> pending_review | flagged (text edited: the approval is void)
                  approved  -> rejected (withdrawn before it was published)
                  pending_review | flagged -> expired also when a person tries to approve,
                  edit or regenerate it past its expires_at (refused: DraftExpired)

    Publication:  queued -> claimed -> published | queued (retryable) | failed
                                     | needs_check | cancelled
                  claimed -> failed also when it is claimed at or after its draft's expires_at
                                     (stale: never sent late unless a person retries --force)
                  queued -> failed (its account was removed from the config)
                  needs_check -> published | queued (checked, not found) | failed | cancelled

    Slot:         pending -> drafted | failed | skipped

Every change of state is a compare-and-set in the store; the tables below say which
changes are legal so the store can refuse the rest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.domain.media import DraftMedia, MediaItem, media_sha256


class CampaignKind(StrEnum):
    GREETING = "greeting"
    PROMO = "promo"
    ANNOUNCEMENT = "announcement"


class ApprovalPolicy(StrEnum):
    MANUAL = "manual"
    AUTO = "auto"


class DraftState(StrEnum):
    PENDING_REVIEW = "pending_review"
    FLAGGED = "flagged"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


class DraftOrigin(StrEnum):
    MODEL = "model"
    #: The campaign's facts as written, framed by a model-written (or stock) opening line.
    COMPOSED = "composed"
    TEMPLATE = "template"
    HUMAN = "human"


class PublicationState(StrEnum):
    QUEUED = "queued"
    CLAIMED = "claimed"
    PUBLISHED = "published"
    FAILED = "failed"
    NEEDS_CHECK = "needs_check"
    CANCELLED = "cancelled"
    #: A thread stopped part-way: its first parts are on the platform, the rest are not (or
    #: may not be). Never sent again as a whole; a person finishes or removes it.
    PARTIAL = "partial"


class SlotState(StrEnum):
    PENDING = "pending"
    DRAFTED = "drafted"
    FAILED = "failed"
    SKIPPED = "skipped"


class RejectionCategory(StrEnum):
    """Why a reviewer rejected a draft (``bot queue reject --because``); ``toxic`` rejections
    teach the moderation gate (``bot moderation export``)."""

    TOXIC = "toxic"
    OFF_BRAND = "off-brand"
    WRONG_FACTS = "wrong-facts"
    OTHER = "other"


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    OVERRIDDEN = "overridden"
    INVALIDATED = "invalidated"


class ModerationDecision(StrEnum):
    PASS = "pass"
    #: Under every flag threshold but over a review threshold: a person may approve it as it
    #: is; ``approval = "auto"`` never approves it by itself.
    REVIEW = "review"
    FLAG = "flag"


DRAFT_TRANSITIONS: dict[DraftState, frozenset[DraftState]] = {
    DraftState.PENDING_REVIEW: frozenset(
        {
            DraftState.PENDING_REVIEW,
            DraftState.APPROVED,
            DraftState.REJECTED,
            DraftState.EXPIRED,
            DraftState.FLAGGED,
        }
    ),
    DraftState.FLAGGED: frozenset(
        {
            DraftState.FLAGGED,
            DraftState.PENDING_REVIEW,
            DraftState.APPROVED,
            DraftState.REJECTED,
            DraftState.EXPIRED,
        }
    ),
    DraftState.APPROVED: frozenset({DraftState.PENDING_REVIEW, DraftState.FLAGGED, DraftState.REJECTED}),
    DraftState.REJECTED: frozenset(),
    DraftState.EXPIRED: frozenset(),
}

PUBLICATION_TRANSITIONS: dict[PublicationState, frozenset[PublicationState]] = {
    # queued -> failed: its account was removed from the config (sync records it)
    PublicationState.QUEUED: frozenset(
        {PublicationState.CLAIMED, PublicationState.CANCELLED, PublicationState.FAILED}
    ),
    PublicationState.CLAIMED: frozenset(
        {
            PublicationState.PUBLISHED,
            PublicationState.QUEUED,
            PublicationState.FAILED,
            PublicationState.NEEDS_CHECK,
            PublicationState.CANCELLED,
            PublicationState.PARTIAL,
        }
    ),
    PublicationState.NEEDS_CHECK: frozenset(
        {
            PublicationState.PUBLISHED,
            PublicationState.PARTIAL,  # a check found only a thread's first part
            PublicationState.QUEUED,
            PublicationState.FAILED,
            PublicationState.CANCELLED,
        }
    ),
    # failed -> published | partial: a person's check found the post of a send reported failed
    PublicationState.FAILED: frozenset(
        {
            PublicationState.QUEUED,
            PublicationState.CANCELLED,
            PublicationState.PUBLISHED,
            PublicationState.PARTIAL,
        }
    ),
    PublicationState.PUBLISHED: frozenset(),
    PublicationState.CANCELLED: frozenset(),
    # a person removed the posted parts and sends it again, or leaves it as it is
    PublicationState.PARTIAL: frozenset({PublicationState.QUEUED, PublicationState.CANCELLED}),
}

#: Draft states a human still has to act on.
OPEN_DRAFT_STATES = frozenset({DraftState.PENDING_REVIEW, DraftState.FLAGGED})
#: Draft states of a slot's drafts that may still be what the slot posts: a slot posts once per
#: account, so these are alternatives (the queue's ``slot_drafts``).
SLOT_DRAFT_STATES = (DraftState.PENDING_REVIEW, DraftState.FLAGGED, DraftState.APPROVED)


def can_move_draft(old: DraftState, new: DraftState) -> bool:
    """Whether the draft state machine allows ``old -> new``."""
    return new in DRAFT_TRANSITIONS[old]


def can_move_publication(old: PublicationState, new: PublicationState) -> bool:
    """Whether the publication state machine allows ``old -> new``."""
    return new in PUBLICATION_TRANSITIONS[old]


def past_expiry(expires_at: datetime | None, now: datetime) -> bool:
    """Whether a draft expiring at ``expires_at`` has expired at ``now`` (at or before it): it
    is no longer approved or edited (the daemon's pass moves an open one to ``expired``)."""
    return expires_at is not None and expires_at <= now


def too_late(state: DraftState, expires_at: datetime | None, now: datetime, *, approved_too: bool) -> bool:
    """Whether an approval, edit or regeneration of a draft in ``state`` is refused for its
    expiry: it is past it at ``now`` and open, already expired, or (``approved_too``: an edit,
    which would void an approval it cannot get again) approved. A rejected draft, or an
    approved one being approved again, is refused for its state as usual."""
    if not past_expiry(expires_at, now):
        return False
    return (
        state in OPEN_DRAFT_STATES
        or state is DraftState.EXPIRED
        or (approved_too and state is DraftState.APPROVED)
    )


def text_sha256(text: str) -> str:
    """The digest an approval is bound to: any edit of the text changes it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CheckResult:
    """One rule applied to one candidate text."""

    name: str
    passed: bool
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


@dataclass(frozen=True)
class ModerationVerdict:
    """What the moderation gate decided for one text, with everything needed to audit it."""

    decision: ModerationDecision
    scores: dict[str, dict[str, float]]
    thresholds: dict[str, dict[str, float]]
    scorers: dict[str, str]
    reasons: tuple[str, ...] = ()
    #: Why the text is held for a person (labels over their review threshold; with
    #: ``approval = "auto"``, also a candidate of the same slot that was flagged).
    holds: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        return self.decision is ModerationDecision.FLAG

    @property
    def held(self) -> bool:
        """Passes for a person, but not for ``approval = "auto"``."""
        return self.decision is ModerationDecision.REVIEW

    @property
    def auto_approvable(self) -> bool:
        """Nothing over a flag or a review threshold."""
        return self.decision is ModerationDecision.PASS

    def held_for(self, why: str) -> ModerationVerdict:
        """This verdict with one more reason to wait for a person (``why``: not about this
        text's scores, e.g. a flagged slot-mate): ``review``, or still ``flag``."""
        decision = self.decision if self.flagged else ModerationDecision.REVIEW
        return replace(self, decision=decision, holds=(*self.holds, why))

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "scores": self.scores,
            "thresholds": self.thresholds,
            "scorers": self.scorers,
            "reasons": list(self.reasons),
            "holds": list(self.holds),
        }


@dataclass(frozen=True)
class Candidate:
    """A text the generator (or a curated template) proposed for a slot."""

    text: str
    origin: DraftOrigin
    model_id: str
    settings: dict[str, Any] = field(default_factory=dict)
    checks: tuple[CheckResult, ...] = ()
    score: float = 0.0

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


@dataclass(frozen=True)
class CampaignRecord:
    """A campaign as the store knows it (the config's copy, plus its id and status)."""

    id: int
    name: str
    kind: CampaignKind
    active: bool
    spec: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True)
class Slot:
    """One firing of a campaign at one instant (UTC); unique per (campaign, slot_at)."""

    id: int
    campaign_id: int
    campaign_name: str
    slot_at: datetime
    state: SlotState
    created_at: datetime
    error: str | None = None


@dataclass(frozen=True)
class Draft:
    """A candidate post saved for review."""

    id: int
    campaign_id: int
    campaign_name: str
    slot_id: int | None
    slot_at: datetime | None
    text: str
    state: DraftState
    origin: DraftOrigin
    model_id: str
    generation: dict[str, Any]
    checks: list[dict[str, Any]]
    rank_score: float
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None
    #: The pictures chosen for the draft, in order (see :mod:`bot.domain.media`).
    media: tuple[DraftMedia, ...] = ()

    @property
    def sha256(self) -> str:
        return text_sha256(self.text)

    @property
    def media_sha256(self) -> str | None:
        """The digest of the pictures and their alt texts an approval binds (None: none)."""
        return media_sha256(self.media)


@dataclass(frozen=True)
class ModerationRecord:
    """An audit record: one moderation verdict for one exact text of a draft."""

    id: int
    draft_id: int
    text_sha256: str
    verdict: ModerationVerdict
    created_at: datetime


@dataclass(frozen=True)
class Approval:
    """Append-only record of a reviewer's decision on the exact text (by sha256)."""

    id: int
    draft_id: int
    decision: Decision
    reviewer: str
    note: str
    text_sha256: str
    created_at: datetime
    #: :func:`bot.domain.media.media_sha256` of the pictures approved with the text (None: none).
    media_sha256: str | None = None


@dataclass(frozen=True)
class Publication:
    """One approved draft going to one account."""

    id: int
    draft_id: int
    account: str
    platform: str
    state: PublicationState
    not_before: datetime
    attempts: int
    claimed_by: str | None
    claimed_until: datetime | None
    sending_at: datetime | None
    idempotency_key: str
    remote_id: str | None
    url: str | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    #: When the first send started (reconciliation looks back to it), None if never sent.
    first_sent_at: datetime | None = None
    #: When the latest send started.
    last_sent_at: datetime | None = None
    #: Automatic checks of a needs_check publication so far; when the next is due (None: a
    #: person decides).
    check_tries: int = 0
    check_at: datetime | None = None
    #: The platform's ids of the pictures uploaded for this publication, in the draft's order
    #: (recorded before the send stamp, reused on a retry where the platform allows); None:
    #: nothing uploaded yet. An adapter whose id is not a string stores it as JSON text.
    media_ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Event:
    """One line of the append-only event log."""

    id: int
    at: datetime
    actor: str
    entity: str
    entity_id: int
    from_state: str | None
    to_state: str | None
    reason: str
    details: dict[str, Any]


@dataclass(frozen=True)
class OutgoingPost:
    """What a publisher sends: the approved text and where it goes."""

    publication_id: int
    draft_id: int
    account: str
    text: str
    idempotency_key: str
    campaign: str
    options: dict[str, Any] = field(default_factory=dict)
    #: The pictures, fitted for this publication's platform, in order.
    media: tuple[MediaItem, ...] = ()
    #: What :attr:`Publication.media_ids` held when the post was read (uploads to reuse).
    media_ids: tuple[str, ...] | None = None
    #: The draft's expiry: the post is not sent at or after it (it would go out late, e.g. a
    #: weekend offer on a Wednesday) unless a person asked to send it late (``retry --force``).
    expires_at: datetime | None = None


@dataclass(frozen=True)
class PublishResult:
    """What a platform answered for a post that is on it."""

    remote_id: str
    url: str | None = None


@dataclass(frozen=True)
class CampaignSpec:
    """A campaign as the config has it, ready to sync (its settings as JSON)."""

    name: str
    kind: CampaignKind
    spec: dict[str, Any]
    active: bool = True


@dataclass(frozen=True)
class SyncReport:
    """What a sync changed, by campaign name, and the open drafts of campaigns no longer in
    the config that it expired (reason "campaign removed")."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    deactivated: tuple[str, ...]
    unchanged: tuple[str, ...]
    expired_drafts: tuple[int, ...] = ()
    #: Approved posts of campaigns removed or disabled, stopped by this sync.
    held: tuple[HeldPublication, ...] = ()
    #: Publications of a campaign removed or disabled by this sync that it cannot stop: being
    #: sent right now (``claimed``) or waiting for a check (``needs_check``).
    in_flight: tuple[HeldPublication, ...] = ()


@dataclass(frozen=True)
class HeldPublication:
    """A queued publication a sync cancelled because its campaign left the config or was
    disabled (``removed`` says which): approved posts of a pulled campaign never go out by
    themselves. ``reopened``: its draft went back to review (its approval is void), so
    approving it again once the campaign is back queues the same publication again.
    ``needs_override``: why that approval needs ``--override --reason`` (the draft is flagged
    by moderation, or failed checks its first approval waived); empty when it does not."""

    publication_id: int
    draft_id: int
    account: str
    campaign: str
    removed: bool
    reopened: bool = False
    state: str = "queued"
    needs_override: str = ""


@dataclass(frozen=True)
class CampaignHistory:
    """What the scheduler needs to know about a campaign's past slots."""

    created_at: datetime
    last_slot_at: datetime | None


@dataclass(frozen=True)
class SlotSummary:
    """A stored slot with the states of its drafts (``bot calendar``)."""

    slot_id: int
    state: str
    drafts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """An account an approved draft goes to."""

    account: str
    platform: str


@dataclass(frozen=True)
class DaemonInfo:
    """One daemon as its last heartbeat describes it."""

    worker_id: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime
    state: str
    details: dict[str, Any]
