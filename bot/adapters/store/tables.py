"""SQLAlchemy 2 models. Times are stored as naive UTC and read back as aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, naive UTC in the database, aware UTC out."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class CampaignRow(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    spec_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SlotRow(Base):
    __tablename__ = "slots"
    __table_args__ = (UniqueConstraint("campaign_id", "slot_at", name="uq_slots_campaign_slot_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    slot_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    error: Mapped[str | None] = mapped_column(Text)


class DraftRow(Base):
    __tablename__ = "drafts"
    #: ``slot_id``: a slot's drafts are alternatives of one post, read together (the queue's
    #: ``slot_drafts``, a draft's page, approving one of them).
    __table_args__ = (Index("ix_drafts_state", "state"), Index("ix_drafts_slot_id", "slot_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id"))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(20))
    model_id: Mapped[str] = mapped_column(String(200))
    generation: Mapped[dict[str, Any]] = mapped_column(JSON)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    rank_score: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    #: The pictures chosen for the draft (``bot.domain.media.media_to_json``; None: none) and
    #: their digest (``media_sha256``), which approvals bind and compare-and-sets check.
    media: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    media_sha256: Mapped[str | None] = mapped_column(String(64))


class ModerationRow(Base):
    __tablename__ = "moderation_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    text_sha256: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(10))
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class ApprovalRow(Base):
    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    decision: Mapped[str] = mapped_column(String(20))
    reviewer: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    text_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    #: The draft's ``media_sha256`` the decision was made on (None: no pictures).
    media_sha256: Mapped[str | None] = mapped_column(String(64))


class PublicationRow(Base):
    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("draft_id", "account", name="uq_publications_draft_account"),
        Index("ix_publications_state_not_before", "state", "not_before"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"))
    account: Mapped[str] = mapped_column(String(100))
    platform: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    not_before: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None]
    sending_at: Mapped[datetime | None]
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    remote_id: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    #: When the first send of this publication started: reconciliation looks back to it.
    first_sent_at: Mapped[datetime | None]
    #: When the latest send started: listings are trusted only a settle delay after it.
    last_sent_at: Mapped[datetime | None]
    #: Automatic checks of a needs_check publication so far, and when the next one is due
    #: (None: no automatic check; a person decides).
    check_tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    check_at: Mapped[datetime | None]
    #: The lease of the worker checking it now, so two daemons do not both check.
    checking_by: Mapped[str | None] = mapped_column(String(200))
    checking_until: Mapped[datetime | None]
    #: The platform's ids of the pictures uploaded for this publication (a JSON list of
    #: strings, in the draft's order); None: nothing uploaded yet.
    media_ids: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))


class AccountStateRow(Base):
    """Per-account pause (bad credentials) and pacing state."""

    __tablename__ = "account_states"

    account: Mapped[str] = mapped_column(String(100), primary_key=True)
    paused_reason: Mapped[str | None] = mapped_column(Text)
    paused_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class DaemonRow(Base):
    """Heartbeats of running daemons (``bot status``)."""

    __tablename__ = "daemons"

    worker_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class DraftRequestRow(Base):
    """Work a person asked of the daemon for a draft (``regenerate`` from the web page: the
    web server never loads the model). Claimed with a lease like a publication."""

    __tablename__ = "draft_requests"
    __table_args__ = (Index("ix_draft_requests_state", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None]
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
