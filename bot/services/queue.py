"""The read model of the approval queue and the listings beside it: what a reviewer sees, as
plain JSON-ready dicts with stable keys (the CLI prints them; a web page could serve them).

It reads through :class:`~bot.domain.ports.StoreReader` only, so the listing commands can use
the lean reader; ``detail`` needs the full store (moderation records and approvals).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from bot.domain import (
    OPEN_DRAFT_STATES,
    SLOT_DRAFT_STATES,
    Approval,
    CampaignRecord,
    Decision,
    Draft,
    DraftState,
    Event,
    Publication,
    PublicationState,
)
from bot.domain.ports import DraftsJson, DraftStore, PublicationStore, ReviewStore, StoreReader


class DetailStore(ReviewStore, PublicationStore, Protocol):
    """What one draft's full record is read from."""


def draft_json(draft: Draft, slot_drafts: Sequence[int] = ()) -> dict[str, Any]:
    """A draft with stable keys. ``slot_drafts``: the ids of its slot's drafts that may still be
    what the slot posts (:data:`~bot.domain.SLOT_DRAFT_STATES`, this one too if it is one):
    alternatives, since a slot posts once per account (:meth:`QueueView.slot_drafts`)."""
    return {
        "id": draft.id,
        "campaign": draft.campaign_name,
        "state": draft.state.value,
        "origin": draft.origin.value,
        "text": draft.text,
        "sha256": draft.sha256,
        "slot_at": draft.slot_at,
        "model_id": draft.model_id,
        "generation": draft.generation,
        "checks": draft.checks,
        "rank_score": draft.rank_score,
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
        "expires_at": draft.expires_at,
        "media": [m.to_dict() for m in draft.media],
        "media_sha256": draft.media_sha256,
        "slot_id": draft.slot_id,
        "slot_drafts": list(slot_drafts),
    }


def drafts_json(drafts: Sequence[Draft], slots: dict[int, list[Draft]]) -> list[dict[str, Any]]:
    """:func:`draft_json` of each draft, with its slot's drafts from ``slots``
    (:meth:`QueueView.slot_drafts`)."""
    return [draft_json(d, [o.id for o in slots.get(d.slot_id or 0, [])]) for d in drafts]


def cli_withdraw(draft_id: int) -> str:
    """How to withdraw a draft's approval, on the command line."""
    return f"`bot queue reject {draft_id} --withdraw --reason TEXT`"


def slot_note(
    draft: Draft, slot_drafts: Sequence[Draft], withdraw: Callable[[int], str] = cli_withdraw
) -> str | None:
    """For a person: that the other drafts of ``draft``'s slot are alternatives to it (a slot
    posts once per account), and whether one of them is already approved (``withdraw``: how to
    take back its approval, where the person reads this). None when it has none."""
    others = [d for d in slot_drafts if d.id != draft.id]
    if not others:
        return None
    listed = _listed(others)
    approved = [d.id for d in others if d.state is DraftState.APPROVED]
    if draft.state is DraftState.APPROVED:
        return f"alternatives of this slot: {listed}; this approved draft is the one it posts, not them"
    if approved:
        switch = " and ".join(withdraw(i) for i in approved)
        return (
            f"alternatives of this slot: {listed}; the slot posts once per account and draft "
            f"{', '.join(map(str, approved))} is approved, so approving this one is refused while "
            f"that is queued or out (to switch: {switch} first)"
        )
    return (
        f"alternatives of this slot: {listed}; the slot posts once per account: approve one, "
        "and the others are not sent"
    )


def _listed(drafts: Sequence[Draft]) -> str:
    return ("draft " if len(drafts) == 1 else "drafts ") + ids_with_states(drafts)


def ids_with_states(drafts: Sequence[Draft]) -> str:
    """``13 (flagged), 14`` (the state said when it is not pending_review)."""
    return ", ".join(
        str(d.id) if d.state is DraftState.PENDING_REVIEW else f"{d.id} ({d.state.value})" for d in drafts
    )


def alternatives_of(draft: Draft, slots: dict[int, list[Draft]]) -> str:
    """``13, 14 (approved)``: the other drafts of ``draft``'s slot still in the running, from
    ``slots`` (:meth:`QueueView.slot_drafts`); "" when none."""
    return ids_with_states([d for d in slots.get(draft.slot_id or 0, []) if d.id != draft.id])


def publication_json(pub: Publication) -> dict[str, Any]:
    """A publication with stable keys."""
    return {
        "id": pub.id,
        "draft_id": pub.draft_id,
        "account": pub.account,
        "platform": pub.platform,
        "state": pub.state.value,
        "attempts": pub.attempts,
        "not_before": pub.not_before,
        "claimed_by": pub.claimed_by,
        "claimed_until": pub.claimed_until,
        "sending_at": pub.sending_at,
        "idempotency_key": pub.idempotency_key,
        "remote_id": pub.remote_id,
        "url": pub.url,
        "last_error": pub.last_error,
        "created_at": pub.created_at,
        "updated_at": pub.updated_at,
        "published_at": pub.published_at,
        "media_ids": list(pub.media_ids) if pub.media_ids is not None else None,
    }


def event_json(event: Event) -> dict[str, Any]:
    """An event-log line with stable keys."""
    return {
        "id": event.id,
        "at": event.at,
        "actor": event.actor,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "from": event.from_state,
        "to": event.to_state,
        "reason": event.reason,
        "details": event.details,
    }


def campaign_json(record: CampaignRecord) -> dict[str, Any]:
    """A stored campaign with the parts of its spec a listing shows."""
    spec = record.spec
    return {
        "name": record.name,
        "kind": record.kind.value,
        "active": record.active,
        "when": spec.get("when"),
        "timezone": spec.get("timezone"),
        "accounts": spec.get("accounts", []),
        "approval": spec.get("approval"),
        "language": spec.get("language"),
    }


#: Up to this many slots, :meth:`QueueView.slot_drafts` reads only theirs (``slot_id IN``,
#: one parameter each); beyond, every running draft once.
_SLOTS_BY_ID = 500


class QueueView:
    """The listings: drafts waiting for review, publications, campaigns, the event log."""

    def __init__(self, reader: StoreReader) -> None:
        self._reader = reader

    def drafts(
        self,
        states: Iterable[DraftState] = (),
        *,
        every_state: bool = False,
        campaign: str | None = None,
        limit: int | None = None,
        after: int | None = None,
    ) -> list[Draft]:
        """Drafts in ``states`` (default: those waiting for a reviewer), by id (above ``after``)."""
        wanted = None if every_state else (list(states) or list(OPEN_DRAFT_STATES))
        return self._reader.list_drafts(states=wanted, campaign=campaign, limit=limit, after=after)

    def slot_drafts(self, drafts: Sequence[Draft]) -> dict[int, list[Draft]]:
        """Per slot of ``drafts``: its drafts that may still be what it posts (pending,
        flagged or approved, by id), whether listed or not. One query: for a page of slots,
        every draft of those (by the slot index; a slot has a few), for more, every running
        draft."""
        slots = {d.slot_id for d in drafts if d.slot_id is not None}
        found: dict[int, list[Draft]] = {slot: [] for slot in slots}
        if not slots:
            return found
        if len(slots) <= _SLOTS_BY_ID:
            # no state in the query: SQLite would read every running draft by the state index
            read = self._reader.list_drafts(slot_id=sorted(slots))
        else:
            read = self._reader.list_drafts(states=SLOT_DRAFT_STATES)
        for draft in read:
            if draft.slot_id in found and draft.state in SLOT_DRAFT_STATES:
                found[draft.slot_id].append(draft)
        return found

    def drafts_json(
        self,
        states: Iterable[DraftState] = (),
        *,
        every_state: bool = False,
        campaign: str | None = None,
        limit: int | None = None,
    ) -> str | None:
        """:meth:`drafts` as one JSON array of :func:`draft_json` objects, when the reader can
        write it itself (fast); None when it cannot (then shape :meth:`drafts`)."""
        if not isinstance(self._reader, DraftsJson):
            return None
        wanted = None if every_state else (list(states) or list(OPEN_DRAFT_STATES))
        return self._reader.drafts_json(states=wanted, campaign=campaign, limit=limit)

    def publications(
        self,
        states: Iterable[PublicationState] = (),
        *,
        account: str | None = None,
        draft_id: int | None = None,
        limit: int | None = None,
    ) -> list[Publication]:
        """Publications (every state unless ``states`` says), by id."""
        wanted = list(states) or None
        return self._reader.list_publications(states=wanted, account=account, draft_id=draft_id, limit=limit)

    def stored_campaign(self, name: str) -> bool:
        """Whether the store knows a campaign ``name`` (active or not)."""
        return any(c.name == name for c in self._reader.list_campaigns())

    def has_draft(self, draft_id: int) -> bool:
        """Whether draft ``draft_id`` exists (every draft has an event from its first moment)."""
        return bool(self._reader.events(entity="draft", entity_id=draft_id, limit=1))

    def campaigns(self, *, every_campaign: bool = False) -> list[CampaignRecord]:
        """Stored campaigns by name (active ones unless ``every_campaign``)."""
        return self._reader.list_campaigns(active_only=not every_campaign)

    def history(
        self,
        *,
        draft_id: int | None = None,
        publication_id: int | None = None,
        entity: str | None = None,
        limit: int = 50,
    ) -> list[Event]:
        """The latest events (of one draft, one publication or one kind of entity), oldest first."""
        entity_id = None
        if draft_id is not None:
            entity, entity_id = "draft", draft_id
        elif publication_id is not None:
            entity, entity_id = "publication", publication_id
        return self._reader.events(entity=entity, entity_id=entity_id, limit=limit)


def draft_detail(
    store: DetailStore, draft_id: int, draft: Draft | None = None, slot: Sequence[Draft] | None = None
) -> dict[str, Any]:
    """One draft with its moderation audit records, approvals and publications (``draft``: the
    draft already read, so it is not read twice; ``slot``: its :func:`slot_alternatives`, the
    same)."""
    draft = draft if draft is not None and draft.id == draft_id else store.get_draft(draft_id)
    slot = slot_alternatives(store, draft) if slot is None else slot
    data = draft_json(draft, [d.id for d in slot])
    data["slot_note"] = slot_note(draft, slot)
    data["moderation"] = [
        {
            "id": m.id,
            "text_sha256": m.text_sha256,
            "created_at": m.created_at,
            "current": m.text_sha256 == draft.sha256,
            **m.verdict.to_dict(),
        }
        for m in store.moderation_records(draft_id)
    ]
    approvals = store.approvals(draft_id)
    data["approvals"] = [
        {
            "decision": a.decision.value,
            "reviewer": a.reviewer,
            "note": a.note,
            "text_sha256": a.text_sha256,
            "media_sha256": a.media_sha256,
            "current": _current(a, draft),
            "void": _void(a, approvals[i + 1 :], draft),
            "created_at": a.created_at,
        }
        for i, a in enumerate(approvals)
    ]
    data["publications"] = [
        {
            "id": p.id,
            "account": p.account,
            "state": p.state.value,
            "remote_id": p.remote_id,
            "url": p.url,
            "last_error": p.last_error,
        }
        for p in store.list_publications(draft_id=draft_id)
    ]
    return data


def slot_alternatives(store: DraftStore | StoreReader, draft: Draft) -> list[Draft]:
    """The drafts of ``draft``'s slot that may still be what it posts (it too, if it is one),
    by id: its alternatives (:func:`slot_note`)."""
    if draft.slot_id is None:
        return []
    return store.list_drafts(states=SLOT_DRAFT_STATES, slot_id=draft.slot_id)


def _current(record: Approval, draft: Draft) -> bool:
    """Whether a decision was made on the draft's present text and pictures."""
    return record.text_sha256 == draft.sha256 and record.media_sha256 == draft.media_sha256


def _void(record: Approval, later: list[Approval], draft: Draft) -> bool:
    """An approval no longer stands when its text or pictures were replaced, or a later record
    of the same content invalidated or rejected it (an edit back to it needs a new approval)."""
    if record.decision not in (Decision.APPROVED, Decision.OVERRIDDEN):
        return False
    undone = any(
        r.text_sha256 == record.text_sha256
        and r.media_sha256 == record.media_sha256
        and r.decision in (Decision.INVALIDATED, Decision.REJECTED)
        for r in later
    )
    return undone or not _current(record, draft)


def not_regenerable(store: DraftStore, draft: Draft) -> str | None:
    """Why ``draft`` cannot be regenerated (it is not waiting for review) and the way on: its
    slot's draft that is waiting or approved, or, when nothing of its slot is left, firing the
    campaign again. None for an open draft."""
    if draft.state in OPEN_DRAFT_STATES:
        return None
    head = f"draft {draft.id} is {draft.state.value}; only a draft waiting for review can be regenerated"
    others = (
        [d for d in store.list_drafts(slot_id=draft.slot_id) if d.id != draft.id] if draft.slot_id else []
    )
    waiting = [d.id for d in others if d.state in OPEN_DRAFT_STATES]
    if waiting:
        first = waiting[0]
        return (
            f"{head}. Its slot's draft {first} is waiting: review or regenerate it (`bot queue show {first}`)"
        )
    approved = [d.id for d in others if d.state is DraftState.APPROVED]
    if approved:
        return f"{head}. Its slot's draft {approved[0]} is approved (`bot queue show {approved[0]}`)"
    return (
        f"{head}, and nothing else of its slot is waiting. For a new draft, fire the campaign again: "
        f"`bot campaigns fire {draft.campaign_name}`"
    )
