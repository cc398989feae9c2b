"""Drafting: a due slot -> candidates (one batched call) -> clean -> checks -> moderation -> drafts.

The model writes ``candidates`` texts in one call; each is cleaned (quotes, invented hashtags,
mentions and links removed; the campaign's link and hashtags added) and checked strictly
(:mod:`bot.services.drafting.checks`). When none passes, or the campaign's language is one the model
does not write, curated templates (:mod:`bot.services.drafting.fallback`) are checked the same way
and saved with origin ``template``. The best passing candidates become drafts: ranked by the
checks, then by relevance to the brief, and kept distinct from each other
(:mod:`bot.services.drafting.ranking`).

Flagged drafts are never auto-approved; drafts that pass the gate go to ``pending_review``
(for campaigns with ``approval = "auto"``, the best-ranked one that passes every check and
that the gate neither flags nor holds for review goes straight to ``approved``: at most one
per slot; a held draft waits for a person). When moderation flags any candidate of a slot,
kept or not, no draft of that slot is auto-approved: each is held, its audit record saying why.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from itertools import islice
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.config.campaigns import CampaignSettings
from bot.domain import (
    Candidate,
    CheckResult,
    Draft,
    DraftOrigin,
    DraftState,
    PublicationState,
    Slot,
    SlotState,
)
from bot.domain.errors import (
    BotError,
    DraftExpired,
    ModelUnavailable,
    NotConfigured,
    StateConflict,
    StoreError,
)
from bot.domain.platforms import PlatformLimit
from bot.domain.ports import Clock, GenerationRequest, Generator, NoProgress, Progress, Store, TextEmbedder
from bot.plugins import limit_for
from bot.services.drafting import (
    additions,
    catalog,
    checks,
    cleaning,
    composing,
    facts,
    fallback,
    prompts,
    ranking,
    words,
)
from bot.services.drafting.ranking import ScoredCandidate, choose
from bot.services.expiry import refuse_late
from bot.services.moderation import ModerationGate
from bot.services.reviewers import authorize

if TYPE_CHECKING:
    from bot.domain.media import DraftMedia
    from bot.services.media import MediaService

log = logging.getLogger(__name__)

#: How many of the campaign's latest drafts the near-duplicate check compares against.
RECENT_DRAFTS = 50
#: The key of a fallback candidate's settings record saying why the model wrote nothing.
UNAVAILABLE = "model_unavailable"
#: The key of a composed candidate's settings record saying which accounts' limits made it
#: leave statements out, and how (see :func:`checks.too_long`).
TOO_LONG = "too_long"


@dataclass(frozen=True)
class SlotPlan:
    """Everything derived from a campaign and a slot before anything is generated."""

    campaign: CampaignSettings
    context: dict[str, Any]
    brief: str
    #: The campaign's facts, rendered like the brief.
    facts: tuple[str, ...]
    spec: checks.CheckSpec
    link: str | None
    hashtags: tuple[str, ...]
    seed: int
    #: Where the slot starts in the rotation of shipped templates (:func:`rotation`).
    rotation: int = 0
    #: The campaign's drafts that count as its history (near-duplicates, composed leads).
    history: tuple[Draft, ...] = ()


class DraftingService:
    """Turns due slots into drafts. The generator and the sentence encoder are built lazily
    (they load weights); without an encoder, candidates are ranked by the checks alone."""

    def __init__(
        self,
        settings: Settings,
        store: Store | None,
        generator: Callable[[], Generator],
        gate: Callable[[], ModerationGate],
        clock: Clock,
        actor: str,
        on_approved: Callable[[int, CampaignSettings], object] | None = None,
        media: MediaService | None = None,
        embedder: Callable[[], TextEmbedder] | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.settings = settings
        #: The stages of a slot for a person waiting (writing, checking, moderating, ranking);
        #: the CLI shares it with the generator, whose own bars (loading, tokens) take turns.
        self.progress: Progress = progress or NoProgress()
        self._embedder = embedder
        #: Chooses, fits and checks the campaign's pictures (None: drafts get no pictures).
        self.media = media
        self._store = store
        self._generator = generator
        self._gate = gate
        self.clock = clock
        self.actor = actor
        self._on_approved = on_approved

    @property
    def store(self) -> Store:
        if self._store is None:
            raise BotError("drafting without a store cannot save drafts")
        return self._store

    def candidates(
        self, campaign: CampaignSettings, slot_at: datetime, seed_salt: int = 0, *, own_slot: bool = False
    ) -> list[ScoredCandidate]:
        """Generate, check and moderate the candidates for one slot, best first (no saving).
        ``own_slot``: the slot's own drafts count as history too (see :meth:`plan`)."""
        plan = self.plan(campaign, slot_at, seed_salt, own_slot=own_slot)
        found: list[Candidate] = []
        unavailable = None
        try:
            if self.settings.model.writes(campaign.language):
                try:
                    found = self._model_candidates(plan)
                except ModelUnavailable as exc:  # a model server is down or refusing: fall back
                    unavailable = str(exc)
                    log.warning(
                        "campaign %s, slot %s: the model is unavailable, drafting from curated texts: %s",
                        campaign.name,
                        slot_at.isoformat(),
                        unavailable,
                    )
            scored = self.finish(plan, found)
        finally:
            self.progress.finish()
        if unavailable is None:
            return scored
        return [replace(s, candidate=_marked(s.candidate, unavailable)) for s in scored]

    def finish(self, plan: SlotPlan, found: list[Candidate]) -> list[ScoredCandidate]:
        """Add the fallbacks a slot needs (composed, then curated), moderate, rank best first."""
        campaign = plan.campaign
        found = list(found)
        if campaign.fallback and self._to_state(plan):
            # Always: a reviewer gets the facts as written beside the model's drafts (a passing
            # composed draft ranks first: see ranking).
            self.progress.start(f"{campaign.name}: composing drafts from the facts")
            found += self._composed_candidates(plan, found)
        if campaign.fallback and not any(c.passed for c in found):
            found += self._template_candidates(plan)
        if not found:
            raise BotError(
                f"campaign {campaign.name}: the model does not write {campaign.language!r} "
                "and no curated template fits"
            )
        self.progress.start(f"{campaign.name}: moderating {len(found)} candidates")
        verdicts = self._gate().check([c.text for c in found])
        scored = [
            ScoredCandidate(
                c, v, own_words=checks.own_words(_bare(c.text, plan.link, plan.hashtags), plan.spec.facts)
            )
            for c, v in zip(found, verdicts, strict=True)
        ]
        return ranking.rank(self._by_meaning(plan, scored))

    def _by_meaning(self, plan: SlotPlan, scored: list[ScoredCandidate]) -> list[ScoredCandidate]:
        """The candidates with their relevance to the brief and facts (``[model] ranking =
        "meaning"``); unchanged when ranking by the checks alone or the encoder fails (logged)."""
        if self._embedder is None or self.settings.model.ranking != "meaning":
            return scored
        bodies = [_bare(s.candidate.text, plan.link, plan.hashtags) for s in scored]
        self.progress.start(f"{plan.campaign.name}: ranking {len(scored)} candidates by meaning")
        try:
            return ranking.by_meaning(scored, bodies, " ".join((plan.brief, *plan.facts)), self._embedder())
        except BotError as exc:
            log.warning("campaign %s: ranked by the checks alone: %s", plan.campaign.name, exc)
            return scored

    def plan(
        self, campaign: CampaignSettings, slot_at: datetime, seed_salt: int = 0, *, own_slot: bool = False
    ) -> SlotPlan:
        """Render the brief and gather the rules for one slot.

        The campaign's history (what a near-duplicate is compared with, which composed lead
        comes next) is its drafts of other slots: a preview of a slot already fired shows what
        the firing drafted, not its drafts failing as near-duplicates of themselves. With
        ``own_slot`` the slot's drafts count too (regenerating, or re-checking an edit: the
        text just rejected and the slot's other drafts must not come back)."""
        limits = self._limits(campaign)
        history = tuple(d for d in self._history(campaign, "drafting") if own_slot or d.slot_at != slot_at)
        link, hashtags = self.settings.link_of(campaign), self.settings.hashtags_of(campaign)
        context = self.context(campaign, slot_at)
        context["max_chars"] = _body_budget(limits, link, hashtags, campaign.language)
        context["platforms"] = sorted({lim.platform for _, lim in limits})
        stated = tuple(
            text
            for i, fact in enumerate(campaign.facts)
            if (text := prompts.render_fact(campaign.name, i, fact, context))
        )
        # the owner's swapped letters put right ("thier", "lovley"), never in the campaign's
        # names, and the days, months and holidays typed in lower case capitalised
        own = (self.settings.brand.name, *self.settings.brand.products, *campaign.products, *stated)
        brief = words.capitalized(
            words.respelled(
                prompts.render_brief(campaign.name, campaign.brief, context),
                own=frozenset(
                    w.casefold() for text in (*own, *campaign.required_words) for w in text.split()
                ),
            )
        )
        # curated templates state the facts (or the brief's reminders) as written
        context["facts"] = fallback.state_facts(stated or facts.reminders(brief), campaign.language)
        keep = campaign.sampling.keep or self.settings.model.keep
        return SlotPlan(
            campaign=campaign,
            context=context,
            brief=brief,
            facts=stated,
            spec=self._spec(
                campaign, context, brief, stated, limits, link, hashtags, _recent_slots(history, slot_at)
            ),
            link=link,
            hashtags=hashtags,
            seed=self._seed(campaign, slot_at) + seed_salt,
            rotation=rotation(campaign, slot_at, self.settings.zone_of(campaign), keep) + seed_salt,
            history=history,
        )

    def recheck(self, draft: Draft, text: str) -> tuple[CheckResult, ...]:
        """Every check of the draft's campaign and slot on a reviewer's new ``text`` (the draft's
        own old text does not count as a near-duplicate of it). When only the pictures changed
        (``text`` is the draft's), the words' results stand and only the pictures are checked
        again: a curated template's text, judged as a template when drafted, failed as a
        reviewer's words once an alt text was edited."""
        campaign = self.settings.campaign(draft.campaign_name)
        if text == draft.text and draft.checks:
            words = [
                CheckResult(str(c["name"]), bool(c["passed"]), str(c.get("detail", "")))
                for c in draft.checks
                if not str(c["name"]).startswith("media:")
            ]
            return (*words, *self.media_checks(campaign, draft.media))
        plan = self.plan(campaign, draft.slot_at or self.clock.now(), own_slot=True)
        own = _bare(draft.text, plan.link, plan.hashtags)
        spec = replace(plan.spec, recent=tuple(r for r in plan.spec.recent if r != own))
        results = checks.run_checks(text, _bare(text, plan.link, plan.hashtags), spec)
        return (*results, *self.media_checks(campaign, draft.media))

    def media_checks(self, campaign: CampaignSettings, media: tuple[DraftMedia, ...]) -> list[CheckResult]:
        """The ``media:PLATFORM`` checks of a draft's pictures (none without pictures)."""
        return self.media.checks(campaign, media) if self.media is not None and media else []

    def slot_media(self, campaign: CampaignSettings, slot_at: datetime) -> tuple[DraftMedia, ...]:
        """The pictures of a slot, alt texts rendered and fitted per platform (none when the
        campaign names none). Raises MediaError naming the campaign and the file."""
        if self.media is None or not campaign.media:
            return ()
        context = self.context(campaign, slot_at)
        return self.media.prepare(
            campaign, context, seed=self._seed(campaign, slot_at), ordinal=self._ordinal(campaign, slot_at)
        )

    def _ordinal(self, campaign: CampaignSettings, slot_at: datetime) -> int:
        """How many earlier slots of the campaign have drafts (``pick = "rotate"`` turns on it)."""
        if self._store is None:
            return 0
        drafts = self._store.list_drafts(campaign=campaign.name)
        return len({d.slot_at for d in drafts if d.slot_at is not None and d.slot_at < slot_at})

    def draft_slot(self, slot: Slot, seed_salt: int = 0) -> list[int]:
        """Write the drafts for a slot and mark it drafted; return the new draft ids."""
        campaign = self.settings.campaign(slot.campaign_name)
        try:
            scored = self.candidates(campaign, slot.slot_at, seed_salt)
            ids = self.save(campaign, slot, scored)
        except Exception as exc:  # the slot never stays pending behind an error
            self.store.finish_slot(slot.id, SlotState.FAILED, self.clock.now(), self.actor, str(exc))
            raise
        except KeyboardInterrupt:  # Ctrl-C in `bot campaigns fire` (the daemon stops otherwise)
            why = "interrupted (Ctrl-C) while drafting; `bot campaigns fire NAME` makes a new slot"
            self.store.finish_slot(slot.id, SlotState.FAILED, self.clock.now(), self.actor, why)
            raise
        unavailable = next(
            (s.candidate.settings[UNAVAILABLE] for s in scored if UNAVAILABLE in s.candidate.settings), None
        )
        notes = [f"model unavailable, drafted from curated texts: {unavailable}"] if unavailable else []
        notes += too_long(scored)
        note = "; ".join(notes) or None
        self.store.finish_slot(slot.id, SlotState.DRAFTED, self.clock.now(), self.actor, note)
        return ids

    def save(self, campaign: CampaignSettings, slot: Slot, scored: list[ScoredCandidate]) -> list[int]:
        """Save the best candidates (passing ones, distinct from each other) as drafts."""
        keep = campaign.sampling.keep or self.settings.model.keep
        chosen = choose(scored, keep)
        record = self.store.get_campaign(campaign.name)
        expiry = campaign.expiry or self.settings.bot.draft_expiry
        media = self.slot_media(campaign, slot.slot_at)
        media_checks = tuple(self.media_checks(campaign, media))
        ids = []
        auto = self._on_approved is not None and campaign.approval == "auto"
        mates = flagged_mates(slot.id, scored) if auto else ""
        if mates:  # every draft of the slot waits for a person
            chosen = [
                c if c.verdict.flagged else replace(c, verdict=c.verdict.held_for(mates)) for c in chosen
            ]
        for item in chosen:
            state = DraftState.FLAGGED if item.verdict.flagged else DraftState.PENDING_REVIEW
            candidate = replace(item.candidate, checks=(*item.candidate.checks, *media_checks))
            draft_id = self.store.add_draft(
                campaign_id=record.id,
                slot_id=slot.id,
                candidate=candidate,
                verdict=item.verdict,
                state=state,
                expires_at=slot.slot_at + expiry,
                now=self.clock.now(),
                actor=self.actor,
                media=media,
            )
            ids.append(draft_id)
            if auto and item.verdict.held:
                log.info(
                    "slot %d of %s: draft %d is held for a person, not auto-approved: %s",
                    slot.id,
                    campaign.name,
                    draft_id,
                    "; ".join(item.verdict.holds),
                )
            elif auto and candidate.passed and candidate.settings.get("read_from_brief"):
                log.info(
                    "slot %d of %s: draft %d states what was read from the brief, not only the listed "
                    "facts: it waits for a person, not auto-approved",
                    slot.id,
                    campaign.name,
                    draft_id,
                )
                auto = False  # one post per slot: none goes out before a person has looked
            elif auto and state is DraftState.PENDING_REVIEW and candidate.passed:
                # one post per slot and account: only the best-ranked passing draft nothing
                # flags or holds; the slot's other drafts wait in the queue for a person
                assert self._on_approved is not None
                try:
                    self._on_approved(draft_id, campaign)
                except DraftExpired as exc:  # a slot drafted after its expiry: it never goes out
                    log.warning("slot %d of %s: not auto-approved: %s", slot.id, campaign.name, exc)
                auto = False
        log.info("slot %d of %s: %d drafts %s", slot.id, campaign.name, len(ids), ids)
        return ids

    def context(self, campaign: CampaignSettings, slot_at: datetime) -> dict[str, Any]:
        """The variables a brief can use."""
        brand = self.settings.brand
        zone = ZoneInfo(self.settings.zone_of(campaign))
        local = slot_at.astimezone(zone)
        holiday = campaign.when.holiday_name
        products = campaign.products or brand.products
        return {
            "brand": brand.name,
            "products": list(products),
            "product": products[0] if products else "",
            "link": self.settings.link_of(campaign) or "",
            "voice": brand.voice,
            "campaign": campaign.name,
            "kind": campaign.kind.value,
            "language": campaign.language,
            "holiday": holiday or "",
            "date": local.date().isoformat(),
            "weekday": local.strftime("%A"),
            # the date as a post writes it ("12 December", "December 12"), in English
            "day_month": f"{local.day} {local.strftime('%B')}",
            "month_day": f"{local.strftime('%B')} {local.day}",
            "promo_code": "",
            **campaign.variables,
        }

    def request(self, plan: SlotPlan) -> GenerationRequest:
        """The batched generation request for a slot."""
        campaign, model, over = plan.campaign, self.settings.model, plan.campaign.sampling
        variants = prompts.chat(
            plan.brief,
            kind=campaign.kind.value,
            holiday=_holiday_name(plan.context["holiday"]),
            language=campaign.language,
            max_chars=plan.context["max_chars"],
            facts=plan.facts,
        )
        return GenerationRequest(
            messages=variants[0],
            variants=tuple(variants),
            n=over.candidates or model.candidates,
            temperature=over.temperature if over.temperature is not None else model.temperature,
            top_p=over.top_p or model.top_p,
            top_k=over.top_k if over.top_k is not None else model.top_k,
            max_new_tokens=over.max_new_tokens or model.max_new_tokens,
            seed=plan.seed,
            repetition_penalty=(
                over.repetition_penalty if over.repetition_penalty is not None else model.repetition_penalty
            ),
            context=plan.context,
        )

    def _model_candidates(self, plan: SlotPlan) -> list[Candidate]:
        request = self.request(plan)
        generator = self._generator()
        self.progress.start(f"{plan.campaign.name}: writing {request.n} candidates with {generator.model_id}")
        texts = generator.generate(request)
        base = _settings_record(request, generator.model_id, self.settings.model.dtype)
        out = []
        self.progress.start(f"{plan.campaign.name}: checking {len(texts)} candidates", len(texts))
        for i, generated in enumerate(texts):
            record = {
                **base,
                "index": i,
                "example": i % max(1, len(request.variants)),
                "new_tokens": generated.new_tokens,
                "raw": generated.text,
            }
            if generated.cut:
                record["cut"] = True
            out.append(self.from_model(plan, generated.text, generator.model_id, record, cut=generated.cut))
            self.progress.advance(1)
        return out

    def from_model(
        self, plan: SlotPlan, raw: str, model_id: str, record: dict[str, Any], *, cut: bool = False
    ) -> Candidate:
        """A model's raw text for a slot, cleaned, shortened to fit and checked. A text ``cut``
        at the token limit keeps only the sentences the model finished; one that finished none
        fails ``sentences``, whatever its last character."""
        whole = cleaning.finished(raw) if cut else raw
        body = cleaning.clean_body(raw if whole is None else whole)
        body = cleaning.drop_sentences(body, lambda s: _copies(s, plan.spec.example_words))
        return self._candidate(plan, body, DraftOrigin.MODEL, model_id, record, unfinished=whole is None)

    def _composed_candidates(self, plan: SlotPlan, found: list[Candidate]) -> list[Candidate]:
        """The facts as written, each framed by a usable model-written opening (or a stock lead)."""
        if plan.campaign.language != "en":
            return []
        bodies = [cleaning.clean_body(_whole_raw(c)) for c in found if c.origin is DraftOrigin.MODEL]
        spec = replace(plan.spec, facts=(), recent=(), required_words=(), limits=())
        stated = self._to_state(plan)
        lines = composing.openings(
            bodies,
            lambda s: _usable_line(s, spec) and not facts.repeats_facts(s, stated),
            self.settings.brand.name,
        )
        texts = composing.compose_facts(
            stated,
            lines,
            brand=self.settings.brand.name,
            kind=plan.campaign.kind.value,
            holiday=_holiday_name(plan.context["holiday"]),
            turn=sum(d.origin is DraftOrigin.COMPOSED for d in plan.history),
            product=str(plan.context.get("product") or "") if plan.campaign.products else "",
            topic=facts.topic(plan.brief),
            solemn=catalog.is_solemn(plan.context["holiday"]),
        )
        model_id = found[0].model_id if found else "composed"
        # what the brief was read to say, beyond the listed facts (never auto-approved: reading
        # an owner's words is a guess a person confirms)
        read = len(stated) - len(plan.facts)
        return [
            self._candidate(
                plan,
                body,
                DraftOrigin.COMPOSED,
                model_id,
                {"composed": i, "seed": plan.seed, "read_from_brief": read},
                linked=linked,
            )
            for i, (body, linked) in enumerate(self._fitted(plan, t) for t in texts)
        ]

    def _fitted(self, plan: SlotPlan, body: str) -> tuple[str, bool]:
        """A composed body made to fit every account, and whether the campaign's link follows
        it: its asides and reasons go first; if it still does not fit, the link goes (a post
        without it still says everything); if that is not enough, it becomes a thread of up to
        three posts (with the link) before a statement is left out."""
        fitted = composing.fit(body, partial(self._fits, plan))
        if self._fits(plan, fitted):
            return fitted, True
        if plan.link:
            linkless = composing.fit(body, partial(self._fits, plan, linked=False))
            if self._fits(plan, linkless, linked=False):
                return linkless, False
        return composing.thread(body, partial(self._fits, plan)) or fitted, True

    def _to_state(self, plan: SlotPlan) -> tuple[str, ...]:
        """What a composed draft states: the brief's reminders that the facts do not already
        state ("Let people know that X has new opening hours"), then the facts."""
        product = str(plan.context.get("product") or "")
        return (*self._told(plan.campaign, plan.brief, plan.facts, product), *plan.facts)

    def _told(
        self, campaign: CampaignSettings, brief: str, stated: tuple[str, ...], product: str
    ) -> tuple[str, ...]:
        """What the brief asks to tell beyond the listed facts, unsigned ("... from <brand>"
        goes: the draft's lead names the brand); "it" is the campaign's product or the topic
        the owner asked to write about."""
        subject = (product if campaign.products else "") or facts.subject(brief)
        told = facts.told(brief, stated, subject=subject, required=campaign.required_words)
        return tuple(u for t in told if (u := facts.unsigned(t, self.settings.brand.name)))

    def _template_candidates(self, plan: SlotPlan) -> list[Candidate]:
        campaign = plan.campaign
        texts = fallback.curated(
            campaign.kind.value,
            campaign.language,
            plan.context["holiday"],
            campaign.templates,
            plan.context,
            plan.rotation,
        )
        return [
            self._candidate(
                plan,
                t.body,
                DraftOrigin.TEMPLATE,
                "template",
                {"template": t.template_id, "order": i, "rotation": plan.rotation, "seed": plan.seed},
            )
            for i, t in enumerate(texts)
        ]

    def _candidate(
        self,
        plan: SlotPlan,
        body: str,
        origin: DraftOrigin,
        model_id: str,
        record: dict[str, Any],
        *,
        unfinished: bool = False,
        linked: bool = True,
    ) -> Candidate:
        whole = body
        body = cleaning.shorten(body, partial(self._fits, plan, linked=linked))
        text = cleaning.compose(body, plan.link if linked else None, plan.hashtags)
        spec = plan.spec
        if origin is not DraftOrigin.MODEL:  # curated and composed texts cannot know what to mention
            spec = replace(spec, facts=tuple(f for f in spec.facts if f not in spec.mentions))
        if origin is DraftOrigin.TEMPLATE:  # written by a person, for any campaign
            spec = replace(spec, model_wording=False)
        results = checks.run_checks(text, body, spec)
        if unfinished:  # cut at the token limit before its first sentence ended
            cut_off = CheckResult("sentences", False, "cut off at the token limit before a sentence ended")
            results = (*(r for r in results if r.name != "sentences"), cut_off)
        if origin is DraftOrigin.COMPOSED and body != whole:  # statements left out to fit
            full = cleaning.compose(whole, plan.link if linked else None, plan.hashtags)
            over = [o for a, lim in plan.spec.limits if (o := checks.too_long(full, whole, a, lim))]
            if over:
                record = {**record, TOO_LONG: over}
                why = "; ".join(checks.too_long_message(o) for o in over)
                results = tuple(
                    replace(r, detail=f"{r.detail}; {why}") if r.name == "facts" and not r.passed else r
                    for r in results
                )
        score = checks.soft_score(body, results, spec)
        return Candidate(
            text=text, origin=origin, model_id=model_id, settings=record, checks=results, score=score
        )

    @staticmethod
    def _fits(plan: SlotPlan, body: str, *, linked: bool = True) -> bool:
        text = cleaning.compose(body, plan.link if linked else None, plan.hashtags)
        return all(limit.fits(text) for _, limit in plan.spec.limits)

    def _spec(
        self,
        campaign: CampaignSettings,
        context: dict[str, Any],
        brief: str,
        stated: tuple[str, ...],
        limits: list[tuple[str, PlatformLimit]],
        link: str | None,
        hashtags: tuple[str, ...],
        history: tuple[Draft, ...],
    ) -> checks.CheckSpec:
        festival = catalog.find_festival(context["holiday"]) if context["holiday"] else None
        allowed = set(catalog.mentioned_festivals(" ".join((brief, *stated))))
        ok_names: tuple[str, ...] = ()
        if festival is not None:
            allowed.add(festival.key)
            ok_names = festival.also_ok
        brand = self.settings.brand.name if campaign.require_brand else ""
        own = (
            self.settings.brand.name,
            *context["products"],
            link or "",
            *hashtags,
            *campaign.variables.values(),
        )
        neutral = (*own, *prompts.EXAMPLE_WORDS)
        holiday_names = festival.names if festival is not None else (context["holiday"],)
        # A greeting is posted on its day: "today" is true of it; a promo's "today only" is not.
        today = ("today",) if campaign.kind.value == "greeting" else ()
        backing = (*stated, brief, *holiday_names, *own, *today)
        # A promo names what it promotes ("The perfect night at <brand>" says nothing of the
        # paint-your-own mug night the brief is about; "Mug day" names another thing).
        product = context["product"] or ""
        promoted = (
            (product,)
            if campaign.kind.value == "promo"
            and campaign.products  # the brand's first product is no promo's subject by default
            and product
            and product.casefold() in brief.casefold()
            and not any(product.casefold() in f.casefold() for f in stated)
            else ()
        )
        return checks.CheckSpec(
            brand=brand,
            language=campaign.language,
            required_words=campaign.required_words,
            forbidden_words=campaign.forbidden_words,
            example_words=_example_words(" ".join(backing)),
            allowed_festivals=frozenset(allowed),
            festival_ok_names=ok_names,
            holiday_names=tuple(n for n in holiday_names if n),
            max_emoji=campaign.max_emoji,
            limits=tuple(limits),
            recent=tuple(_bare(d.text, link, hashtags) for d in history[-RECENT_DRAFTS:]),
            nice_words=(context["product"], _holiday_name(context["holiday"])),
            neutral=tuple(n for n in neutral if n),
            facts=tuple(
                dict.fromkeys(
                    (
                        *stated,
                        *self._told(campaign, brief, stated, product),
                        *facts.mentions(brief),
                        *promoted,
                    )
                )
            ),
            mentions=facts.mentions(brief),
            backing=tuple(b for b in backing if b),
            brief=brief,
            kind=campaign.kind.value,
        )

    def _limits(self, campaign: CampaignSettings) -> list[tuple[str, PlatformLimit]]:
        out = []
        for name in campaign.accounts:
            try:
                out.append((name, limit_for(self.settings.account(name))))
            except NotConfigured:
                continue
        return out

    def _history(self, campaign: CampaignSettings, purpose: str) -> list[Draft]:
        """The campaign's drafts; none without a store or when it cannot be read (logged)."""
        if self._store is None:
            return []
        try:
            return self._store.list_drafts(campaign=campaign.name)
        except StoreError as exc:
            log.warning("%s without history: %s", purpose, exc)
            return []

    def _seed(self, campaign: CampaignSettings, slot_at: datetime) -> int:
        over, model = campaign.sampling, self.settings.model
        seed = over.seed if over.seed is not None else model.seed
        if seed is None:
            seed = zlib.crc32(f"{campaign.name}@{slot_at.isoformat()}".encode())
        return seed


#: How far back a post must not repeat itself: a yearly greeting may take again, after a
#: year, the curated template it took years ago (its turn has come round again).
REPEAT_WINDOW = timedelta(days=365)
#: How many of the campaign's slots before (and after) this one a post must not repeat: a
#: weekly promo states the same facts every week, and its composed leads come round again
#: after a few weeks (with a year of slots, week five had no passing draft).
REPEAT_SLOTS = 3


def _recent_slots(history: tuple[Draft, ...], slot_at: datetime) -> tuple[Draft, ...]:
    """The drafts of the :data:`REPEAT_SLOTS` slots nearest before ``slot_at`` and after it (a
    draft with no slot counts by when it was written), all less than :data:`REPEAT_WINDOW`
    before it."""
    since = slot_at - REPEAT_WINDOW

    def when(draft: Draft) -> datetime:
        return draft.slot_at or draft.created_at

    times = sorted({when(d) for d in history if when(d) > since})
    before = [t for t in times if t <= slot_at][-REPEAT_SLOTS:]
    after = [t for t in times if t > slot_at][:REPEAT_SLOTS]
    kept = set(before) | set(after)
    return tuple(d for d in history if when(d) in kept)


def _whole_raw(candidate: Candidate) -> str:
    """A model candidate's raw text; of one cut at the token limit, the sentences it finished."""
    raw = str(candidate.settings.get("raw", ""))
    return (cleaning.finished(raw) or "") if candidate.settings.get("cut") else raw


def _marked(candidate: Candidate, unavailable: str) -> Candidate:
    """A fallback candidate whose settings say why the model wrote nothing."""
    return replace(candidate, settings={**candidate.settings, UNAVAILABLE: unavailable})


def too_long(scored: Sequence[ScoredCandidate]) -> list[str]:
    """When no candidate passes, why the composed drafts left statements out: the accounts
    whose limit the facts do not fit (each once), for the person who fired or previewed."""
    if any(s.candidate.passed for s in scored):
        return []
    shortest: dict[str, dict[str, Any]] = {}  # per account, the composed draft that needs least
    many: dict[str, int] = {}
    for s in scored:
        for over in s.candidate.settings.get(TOO_LONG, ()):
            account = over["account"]
            many[account] = many.get(account, 0) + 1
            if account not in shortest or over["needs"] < shortest[account]["needs"]:
                shortest[account] = over
    return [
        f"nothing passes: {checks.too_long_message(over, least=many[account] > 1)}"
        for account, over in shortest.items()
    ]


def _bare(text: str, link: str | None, hashtags: tuple[str, ...]) -> str:
    """A post without the campaign's link and hashtags (what the near-duplicate check compares:
    the tail every post of the campaign shares would make a repeated body look new)."""
    return cleaning.bare(text, link, hashtags)


def _example_words(brief: str) -> tuple[str, ...]:
    """Names from the worked examples: a post naming them copied the example."""
    return tuple(w for w in prompts.EXAMPLE_WORDS if w.casefold() not in brief.casefold())


def _copies(sentence: str, example_words: tuple[str, ...]) -> bool:
    return any(checks.contains_word(sentence, w) for w in example_words)


def _holiday_name(holiday: str) -> str:
    """The name to write in a post: "Chinese New Year (Spring Festival)" -> "Chinese New Year",
    "Eid al-Adha" -> "Eid al-Adha" (not the first name of its festival, "Eid al-Fitr")."""
    festival = catalog.find_festival(holiday) if holiday else None
    return festival.name_for(holiday) if festival is not None else holiday


def _body_budget(
    limits: list[tuple[str, PlatformLimit]], link: str | None, hashtags: tuple[str, ...], language: str
) -> int:
    """Characters left for the body after the link and hashtags, on the tightest platform."""
    tail = cleaning.compose("x", link, hashtags)
    budgets = [lim.maximum - lim.measure(tail) for _, lim in limits if lim.maximum is not None]
    budget = min([240, *budgets])
    return max(40, budget // 2 if language == "zh" else budget)


def _settings_record(request: GenerationRequest, model_id: str, dtype: str) -> dict[str, Any]:
    return {
        "model": model_id,
        "dtype": dtype,
        "temperature": request.temperature,
        "top_p": request.top_p,
        "top_k": request.top_k,
        "max_new_tokens": request.max_new_tokens,
        "repetition_penalty": request.repetition_penalty,
        "candidates": request.n,
        "seed": request.seed,
    }


#: Slots counted for the template rotation start in this year (any fixed year would do).
ROTATION_EPOCH = 2024
#: Most firings counted in one year (a campaign firing every minute is not walked through).
_MOST_PER_YEAR = 20_000


def rotation(campaign: CampaignSettings, slot_at: datetime, zone: str, keep: int = 1) -> int:
    """The slot's position in the rotation of shipped templates: the campaign's firings since
    :data:`ROTATION_EPOCH` before ``slot_at``, times ``keep`` (each slot may keep that many
    drafts), plus an offset from the campaign's name (so campaigns do not all start alike).

    Successive slots of a campaign get successive positions: with ``n`` templates, a campaign
    keeping one draft per slot repeats one only after ``n`` slots (a festival greeting, once a
    year: after ``n`` years). Deterministic: it depends on the campaign and the slot's time only.
    """
    year = slot_at.astimezone(UTC).year
    before = sum(_firings_in_year(campaign.when, zone, y) for y in range(ROTATION_EPOCH, year))
    start = datetime(max(year, ROTATION_EPOCH), 1, 1, tzinfo=UTC)
    this_year = sum(1 for _ in islice(campaign.when.fire_times(start, slot_at, zone), _MOST_PER_YEAR))
    offset = zlib.crc32(campaign.name.encode())
    if this_year >= _MOST_PER_YEAR:  # fires every few minutes: the minute still moves on
        return int(slot_at.timestamp() // 60) * keep + offset
    return (before + this_year) * keep + offset


@lru_cache(maxsize=256)
def _firings_in_year(trigger: Any, zone: str, year: int) -> int:
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    return sum(1 for _ in islice(trigger.fire_times(start, end, zone), _MOST_PER_YEAR))


#: Checks that judge a whole post, not one sentence of it (ignored for composed openings).
_WHOLE_POST = ("length", "brand", "facts", "required:", "limit:", "not_duplicate")


def _usable_line(sentence: str, spec: checks.CheckSpec) -> bool:
    """Whether a model-written sentence can open a composed draft."""
    results = checks.run_checks(sentence, sentence, spec)
    if spec.backing and additions.additions(sentence, spec.backing):
        return False  # an opening adds nothing of its own ("Tom Becker, a renowned physiotherapist")
    return all(r.passed or r.name.startswith(_WHOLE_POST) for r in results)


def regenerate(service: DraftingService, draft_id: int, reviewer: str) -> list[int]:
    """Reject a draft and write fresh candidates for its slot with a new seed (``reviewer``
    must be one the config lets review: :func:`~bot.services.reviewers.authorize`)."""
    authorize(service.settings.web, reviewer)
    draft = service.store.get_draft(draft_id)
    # its slot's new drafts would expire when it does: a draft past its expiry is refused
    refuse_late(service.store, draft, service.clock.now(), reviewer, "regenerated")
    campaign = service.settings.campaign(draft.campaign_name)
    _refuse_posted_slot(service.store, draft, campaign)
    slot_at = draft.slot_at or service.clock.now()
    salt = 1 + len(service.store.list_drafts(campaign=campaign.name, slot_id=draft.slot_id))
    scored = service.candidates(campaign, slot_at, seed_salt=salt, own_slot=True)
    service.store.reject_draft(
        draft_id,
        expected=(DraftState.PENDING_REVIEW, DraftState.FLAGGED),
        reviewer=reviewer,
        reason="regenerated",
        now=service.clock.now(),
    )
    slot = service.store.get_slot(draft.slot_id) if draft.slot_id else None
    if slot is None:
        raise BotError(f"draft {draft_id} has no slot to regenerate for")
    return service.save(campaign, slot, scored)


#: A slot's post is out, or on its way, on an account in these states (no other draft of it
#: can be approved there).
_SLOT_POSTS = frozenset(
    {
        PublicationState.QUEUED,
        PublicationState.CLAIMED,
        PublicationState.PUBLISHED,
        PublicationState.NEEDS_CHECK,
        PublicationState.PARTIAL,
    }
)


def _refuse_posted_slot(store: Store, draft: Draft, campaign: CampaignSettings) -> None:
    """A slot posts once per account: once another draft of it is out (or on its way) on
    every account of the campaign, new drafts for it could never be approved. StateConflict,
    with the way on (a new slot), before the draft is rejected or the model runs."""
    if draft.slot_id is None:
        return
    posting = {
        pub.account: other.id
        for other in store.list_drafts(slot_id=draft.slot_id)
        if other.id != draft.id
        for pub in store.list_publications(draft_id=other.id)
        if pub.state in _SLOT_POSTS
    }
    if campaign.accounts and all(account in posting for account in campaign.accounts):
        which = ", ".join(sorted({f"draft {d}" for d in posting.values()}))
        raise StateConflict(
            f"draft {draft.id} is not regenerated: its slot already posts ({which}) on every account "
            f"of {campaign.name}, so new drafts for it could not be approved. For another post, fire "
            f"a new slot (`bot campaigns fire {campaign.name}`), or reject this draft"
        )


def flagged_mates(slot_id: int, scored: list[ScoredCandidate]) -> str:
    """Why a slot's drafts all wait for a person when moderation flagged any candidate of it
    (kept as a draft or not): the model wrote something toxic for this slot, so a clean-looking
    sibling is not approved unread. "" when none was flagged."""
    flagged = [s.verdict for s in scored if s.verdict.flagged]
    if not flagged:
        return ""
    why = "; ".join(flagged[0].reasons) or "flagged"
    return (
        f"{len(flagged)} of the {len(scored)} candidates of slot {slot_id} flagged by moderation "
        f"({why}): every draft of the slot waits for a person"
    )
