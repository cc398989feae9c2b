"""Drafting: a due slot -> candidates (one batched call) -> checks -> moderation -> drafts.

Flagged drafts are never auto-approved; drafts that pass the gate go to ``pending_review``
(or straight to ``approved`` for campaigns with ``approval = "auto"``).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.config.campaigns import CampaignSettings
from bot.domain import Candidate, CheckResult, DraftOrigin, DraftState, ModerationVerdict, Slot, SlotState
from bot.errors import BotError
from bot.generation import prompts
from bot.moderation.gate import ModerationGate
from bot.ports import Clock, GenerationRequest, Generator
from bot.store.sql import SqlStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScoredCandidate:
    candidate: Candidate
    verdict: ModerationVerdict


class DraftingService:
    """Turns due slots into drafts. The generator is built lazily (it may load a model)."""

    def __init__(
        self,
        settings: Settings,
        store: SqlStore,
        generator: Callable[[], Generator],
        gate: Callable[[], ModerationGate],
        clock: Clock,
        actor: str,
        on_approved: Callable[[int, CampaignSettings], object] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self._generator = generator
        self._gate = gate
        self.clock = clock
        self.actor = actor
        self._on_approved = on_approved

    def candidates(
        self, campaign: CampaignSettings, slot_at: datetime, seed_salt: int = 0
    ) -> list[ScoredCandidate]:
        """Generate, check and moderate the candidates for one slot, best first (no saving)."""
        context = self.context(campaign, slot_at)
        brief = prompts.render_brief(campaign.name, campaign.brief, context)
        request = self._request(campaign, slot_at, brief, context, seed_salt)
        generator = self._generator()
        texts = generator.generate(request)
        settings = _settings_record(request)
        found = [
            self._checked(campaign, t.text, DraftOrigin.MODEL, generator.model_id, settings) for t in texts
        ]
        verdicts = self._gate().check([c.text for c in found])
        scored = [ScoredCandidate(c, v) for c, v in zip(found, verdicts, strict=True)]
        return sorted(scored, key=_rank, reverse=True)

    def draft_slot(self, slot: Slot, seed_salt: int = 0) -> list[int]:
        """Write the drafts for a slot and mark it drafted; return the new draft ids."""
        campaign = self.settings.campaign(slot.campaign_name)
        try:
            scored = self.candidates(campaign, slot.slot_at, seed_salt)
        except Exception as exc:
            self.store.finish_slot(slot.id, SlotState.FAILED, self.clock.now(), self.actor, str(exc))
            raise
        ids = self.save(campaign, slot, scored)
        self.store.finish_slot(slot.id, SlotState.DRAFTED, self.clock.now(), self.actor)
        return ids

    def save(self, campaign: CampaignSettings, slot: Slot, scored: list[ScoredCandidate]) -> list[int]:
        keep = campaign.sampling.keep or self.settings.model.keep
        chosen = [s for s in scored if s.candidate.passed][:keep] or scored[:1]
        record = self.store.get_campaign(campaign.name)
        expiry = campaign.expiry or self.settings.bot.draft_expiry
        ids = []
        for item in chosen:
            state = DraftState.FLAGGED if item.verdict.flagged else DraftState.PENDING_REVIEW
            draft_id = self.store.add_draft(
                campaign_id=record.id,
                slot_id=slot.id,
                candidate=item.candidate,
                verdict=item.verdict,
                state=state,
                expires_at=slot.slot_at + expiry,
                now=self.clock.now(),
                actor=self.actor,
            )
            ids.append(draft_id)
            if state is DraftState.PENDING_REVIEW and self._on_approved and campaign.approval == "auto":
                self._on_approved(draft_id, campaign)
        log.info("slot %d of %s: %d drafts %s", slot.id, campaign.name, len(ids), ids)
        return ids

    def context(self, campaign: CampaignSettings, slot_at: datetime) -> dict[str, Any]:
        """The variables a brief can use."""
        brand = self.settings.brand
        zone = ZoneInfo(self.settings.zone_of(campaign))
        local = slot_at.astimezone(zone)
        holiday = getattr(campaign.when, "holiday", None)
        products = campaign.products or brand.products
        return {
            "brand": brand.name,
            "products": list(products),
            "product": products[0] if products else "",
            "link": campaign.link or brand.link or "",
            "voice": brand.voice,
            "campaign": campaign.name,
            "kind": campaign.kind.value,
            "language": campaign.language,
            "holiday": holiday or "",
            "date": local.date().isoformat(),
            "weekday": local.strftime("%A"),
            **campaign.variables,
        }

    def _request(
        self, campaign: CampaignSettings, slot_at: datetime, brief: str, context: dict[str, Any], salt: int
    ) -> GenerationRequest:
        model, over = self.settings.model, campaign.sampling
        seed = over.seed if over.seed is not None else model.seed
        if seed is None:
            seed = zlib.crc32(f"{campaign.name}@{slot_at.isoformat()}".encode())
        return GenerationRequest(
            messages=prompts.chat(brief),
            n=over.candidates or model.candidates,
            temperature=over.temperature if over.temperature is not None else model.temperature,
            top_p=over.top_p or model.top_p,
            top_k=over.top_k if over.top_k is not None else model.top_k,
            max_new_tokens=over.max_new_tokens or model.max_new_tokens,
            seed=seed + salt,
            context=context,
        )

    def _checked(
        self,
        campaign: CampaignSettings,
        text: str,
        origin: DraftOrigin,
        model_id: str,
        settings: dict[str, Any],
    ) -> Candidate:
        text = text.strip().strip('"').strip()
        checks = [
            CheckResult("not_empty", bool(text)),
            *(CheckResult(f"required:{w}", w.casefold() in text.casefold()) for w in campaign.required_words),
            *(
                CheckResult(f"forbidden:{w}", w.casefold() not in text.casefold())
                for w in campaign.forbidden_words
            ),
        ]
        score = sum(c.passed for c in checks) / len(checks)
        return Candidate(
            text=text, origin=origin, model_id=model_id, settings=settings, checks=tuple(checks), score=score
        )


def _settings_record(request: GenerationRequest) -> dict[str, Any]:
    return {
        "temperature": request.temperature,
        "top_p": request.top_p,
        "top_k": request.top_k,
        "max_new_tokens": request.max_new_tokens,
        "candidates": request.n,
        "seed": request.seed,
    }


def _rank(item: ScoredCandidate) -> tuple[bool, bool, float]:
    return (not item.verdict.flagged, item.candidate.passed, item.candidate.score)


def regenerate(service: DraftingService, draft_id: int, reviewer: str) -> list[int]:
    """Reject a draft and write fresh candidates for its slot with a new seed."""
    draft = service.store.get_draft(draft_id)
    campaign = service.settings.campaign(draft.campaign_name)
    slot_at = draft.slot_at or service.clock.now()
    salt = 1 + len(service.store.list_drafts(campaign=campaign.name, slot_id=draft.slot_id))
    scored = service.candidates(campaign, slot_at, seed_salt=salt)
    service.store.move_draft(
        draft_id,
        (DraftState.PENDING_REVIEW, DraftState.FLAGGED),
        DraftState.REJECTED,
        now=service.clock.now(),
        actor=reviewer,
        reason="regenerated",
    )
    slot = service.store.get_slot(draft.slot_id) if draft.slot_id else None
    if slot is None:
        raise BotError(f"draft {draft_id} has no slot to regenerate for")
    return service.save(campaign, slot, scored)
