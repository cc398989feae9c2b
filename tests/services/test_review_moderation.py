"""Moderation in the draft life cycle, on a real store: flagged drafts are never
auto-approved, an override needs a reason and is in the event log, an edit is re-scored and
its record kept beside the old one, and a failing scorer holds the draft."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.moderation.wordlist import WordlistScorer
from bot.adapters.store import engine as engines
from bot.config import load_settings
from bot.domain import CampaignSpec, Decision, DraftState, text_sha256
from bot.domain.errors import BotError, StateConflict
from bot.domain.ports import FixedClock
from bot.services.moderation import ModerationGate
from bot.wiring import Wiring
from tests.conftest import run_cli
from tests.fixtures.moderation_doubles import BrokenScorer, FixedScorer

NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
#: The CLI reads the same clock as the Wiring (its drafts expire two days after NOW).
CLOCK = {"BOT_FAKE_NOW": NOW.isoformat()}


def _app(
    write_config: Any, extra: str = "", url: str | None = None, gate: ModerationGate | None = None
) -> Wiring:
    path = write_config(extra, database_url=url)
    settings = load_settings(path)
    engines.upgrade(settings.database_url)
    app = Wiring(settings, clock=FixedClock(NOW), gate=gate)
    specs = [CampaignSpec(c.name, c.kind, c.model_dump(mode="json")) for c in settings.campaigns]
    app.store.sync_campaigns(specs, NOW, "test")
    return app


@pytest.fixture
def app(write_config: Any) -> Iterator[Wiring]:
    a = _app(write_config)
    yield a
    a.close()


def _draft(app: Wiring, campaign: str = "promo") -> int:
    record = app.store.get_campaign(campaign)
    slot = app.store.create_slot(record.id, NOW, NOW, "test")
    assert slot is not None
    return app.drafting.draft_slot(slot)[0]


def _flagged(app: Wiring) -> int:
    """A draft flagged by the real gate (the reviewer typed a slur into it)."""
    draft_id = _draft(app)
    return app.review.edit(draft_id, "ann", "Mooncakes for every idiot out there").id


def test_edit_is_rescored_and_the_new_record_sits_beside_the_old(app: Wiring) -> None:
    draft_id = _draft(app)
    original = app.store.get_draft(draft_id)
    assert original.state is DraftState.PENDING_REVIEW
    edited = app.review.edit(draft_id, "ann", "Mooncakes for every idiot out there")
    assert edited.state is DraftState.FLAGGED
    first, second = app.store.moderation_records(draft_id)
    assert first.text_sha256 == original.sha256 and not first.verdict.flagged
    assert second.text_sha256 == text_sha256(edited.text) and second.verdict.flagged
    assert "wordlist.match 1.00 >= 0.50 (idiot)" in second.verdict.reasons
    assert set(second.verdict.scorers) == {"semantic", "wordlist", "rules"}
    assert second.verdict.thresholds["wordlist"] == {"match": 0.5}
    cleaned = app.review.edit(draft_id, "ann", "Mooncakes for everyone out there")
    assert cleaned.state is DraftState.PENDING_REVIEW
    assert [r.verdict.flagged for r in app.store.moderation_records(draft_id)] == [False, True, False]


def test_flagged_draft_needs_override_and_reason(app: Wiring) -> None:
    draft_id = _flagged(app)
    with pytest.raises(StateConflict, match="flagged by moderation; approve it with --override --reason"):
        app.review.approve(draft_id, "ann")
    with pytest.raises(BotError, match="--override needs --reason"):
        app.review.approve(draft_id, "ann", override=True, reason="  ")
    assert app.store.get_draft(draft_id).state is DraftState.FLAGGED
    assert app.store.list_publications(draft_id=draft_id) == []


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_override_with_reason_is_recorded_in_the_event_log(
    write_config: Any, db: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("pg_url") if db == "postgres" else None
    app = _app(write_config, url=url)
    try:
        draft_id = _flagged(app)
        approved = app.review.approve(draft_id, "ann", override=True, reason="quote from a customer review")
        assert approved.state is DraftState.APPROVED
        (approval,) = app.store.approvals(draft_id)
        assert approval.decision is Decision.OVERRIDDEN
        assert approval.note == "quote from a customer review"
        assert approval.text_sha256 == approved.sha256
        event = app.store.events(entity="draft", entity_id=draft_id)[-1]
        assert (event.actor, event.from_state, event.to_state) == ("ann", "flagged", "approved")
        assert event.reason == "quote from a customer review"
        assert [p.account for p in app.store.list_publications(draft_id=draft_id)] == ["outbox"]
    finally:
        app.close()


AUTO = """
[[campaigns]]
name = "auto"
kind = "promo"
when = { cron = "0 9 * * *" }
accounts = ["outbox"]
brief = "Write a promo."
approval = "auto"
"""


def test_auto_approval_approves_clean_text(write_config: Any) -> None:
    app = _app(write_config, AUTO)
    try:
        assert app.store.get_draft(_draft(app, "auto")).state is DraftState.APPROVED
    finally:
        app.close()


def test_auto_approval_never_approves_toxic_text(write_config: Any) -> None:
    # the canned generator puts the brand name into every text
    path = write_config(AUTO)
    path.write_text(path.read_text().replace("Lotus Leaf Tea House", "Dumbass Tea"), encoding="utf-8")
    app = _app(lambda extra, database_url=None: path)
    try:
        draft_id = _draft(app, "auto")
        draft = app.store.get_draft(draft_id)
        assert "Dumbass Tea" in draft.text
        assert draft.state is DraftState.FLAGGED
        assert app.store.approvals(draft_id) == []
        assert app.store.list_publications(draft_id=draft_id) == []
    finally:
        app.close()


def test_a_failing_scorer_holds_the_draft_even_with_auto_approval(write_config: Any) -> None:
    # the gate, with a second scorer that crashes on every call
    app = _app(write_config, AUTO, gate=ModerationGate([WordlistScorer(), BrokenScorer()]))
    try:
        draft_id = _draft(app, "auto")
        assert app.store.get_draft(draft_id).state is DraftState.FLAGGED
        (record,) = app.store.moderation_records(draft_id)
        assert record.verdict.reasons == ("scorer broken failed: model crashed",)
        assert record.verdict.scores == {"wordlist": {"match": 0.0}}
        assert app.store.approvals(draft_id) == []
        assert app.store.list_publications(draft_id=draft_id) == []
    finally:
        app.close()


def _two_auto_drafts(write_config: Any, gate: ModerationGate | None = None) -> tuple[Wiring, list[int]]:
    """The "auto" campaign keeping two drafts per slot, and the drafts of one slot."""
    extra = AUTO.replace('accounts = ["outbox"]', 'accounts = ["outbox"]\nsampling = { keep = 2 }')
    app = _app(write_config, extra, gate=gate)
    record = app.store.get_campaign("auto")
    slot = app.store.create_slot(record.id, NOW, NOW, "test")
    assert slot is not None
    ids = app.drafting.draft_slot(slot)
    assert len(ids) == 2
    return app, ids


def test_auto_approval_approves_one_draft_per_slot(write_config: Any) -> None:
    # two kept drafts of one slot: one auto-approved (one post per slot and account)
    app, ids = _two_auto_drafts(write_config)
    try:
        states = [app.store.get_draft(i).state for i in ids]
        assert states == [DraftState.APPROVED, DraftState.PENDING_REVIEW]
        assert len(app.store.list_publications(draft_id=ids[0])) == 1
        assert app.store.list_publications(draft_id=ids[1]) == []
    finally:
        app.close()


def test_a_draft_that_failed_its_checks_needs_override_and_is_marked_in_the_queue(write_config: Any) -> None:
    path = write_config()
    app = _app(lambda extra, database_url=None: path)
    try:
        draft_id = _draft(app)
        edited = app.review.edit(draft_id, "ann", "Mooncakes for everyone out there")  # no brand name
        assert edited.state is DraftState.PENDING_REVIEW
        assert any(c["name"] == "brand" and not c["passed"] for c in edited.checks)
        with pytest.raises(StateConflict, match=r"failed its checks \(brand: .*--override --reason"):
            app.review.approve(draft_id, "ann")
        with pytest.raises(BotError, match="--override needs --reason"):
            app.review.approve(draft_id, "ann", override=True, reason=" ")
        assert app.store.list_publications(draft_id=draft_id) == []
        listing = run_cli("queue", config=path, env=CLOCK)
        assert listing.returncode == 0, listing.stderr
        assert "FAILED: brand" in listing.stdout
        shown = run_cli("queue", "show", str(draft_id), config=path, env=CLOCK)
        assert "CHECKS FAILED: brand" in shown.stdout
        refused = run_cli("queue", "approve", str(draft_id), config=path, env=CLOCK)
        assert refused.returncode == 1 and "failed its checks" in refused.stderr
        approved = app.review.approve(draft_id, "ann", override=True, reason="the brand is in the image")
        assert approved.state is DraftState.APPROVED
        (approval,) = app.store.approvals(draft_id)
        assert approval.decision is Decision.OVERRIDDEN
    finally:
        app.close()


def test_auto_approval_leaves_a_held_draft_to_a_person(write_config: Any) -> None:
    # every text scores over the review threshold (0.5) and under the flag threshold (0.7)
    app, ids = _two_auto_drafts(write_config, ModerationGate([FixedScorer("semantic", {"toxic": 0.55})]))
    try:
        for draft_id in ids:
            assert app.store.get_draft(draft_id).state is DraftState.PENDING_REVIEW
            assert app.store.approvals(draft_id) == []
            assert app.store.list_publications(draft_id=draft_id) == []
            (record,) = app.store.moderation_records(draft_id)
            assert record.verdict.holds == ("semantic.toxic 0.55 >= review 0.50",)
            assert app.store.events(entity="draft", entity_id=draft_id)[-1].reason == "review"
        with pytest.raises(StateConflict, match=r"is held for a person, not auto-approved: semantic\.toxic"):
            app.review.auto_approve(ids[0])
        # a person may approve it as it is
        assert app.review.approve(ids[0], "ann").state is DraftState.APPROVED
    finally:
        app.close()


def _all_but_the_first_flagged(texts: Sequence[str]) -> list[dict[str, float]]:
    """The semantic scorer's answer when the model wrote one clean candidate and toxic others."""
    return [{"toxic": 0.0 if i == 0 else 0.9} for i, _ in enumerate(texts)]


@pytest.mark.parametrize("keep", [2, 1])
def test_auto_approval_waits_for_a_person_when_a_slot_mate_was_flagged(write_config: Any, keep: int) -> None:
    """The slot's clean draft is not auto-approved while another candidate of the slot was
    flagged, whether that one was kept as a draft (keep = 2) or not (keep = 1); the audit
    record `bot queue show` prints says why, and a person may still approve it."""
    extra = AUTO.replace('accounts = ["outbox"]', f'accounts = ["outbox"]\nsampling = {{ keep = {keep} }}')
    app = _app(
        write_config, extra, gate=ModerationGate([FixedScorer("semantic", _all_but_the_first_flagged)])
    )
    try:
        slot = app.store.create_slot(app.store.get_campaign("auto").id, NOW, NOW, "test")
        assert slot is not None
        ids = app.drafting.draft_slot(slot)
        assert [app.store.get_draft(i).state for i in ids] == [
            DraftState.PENDING_REVIEW,
            *[DraftState.FLAGGED] * (keep - 1),
        ]
        clean = ids[0]
        assert app.store.approvals(clean) == [] and app.store.list_publications(draft_id=clean) == []
        (record,) = app.store.moderation_records(clean)
        assert record.verdict.scores["semantic"] == {"toxic": 0.0}
        (hold,) = record.verdict.holds
        assert f"of slot {slot.id} flagged by moderation (semantic.toxic 0.90 >= 0.70)" in hold
        shown = run_cli("queue", "show", str(clean), config=app.settings.source, env=CLOCK)
        assert shown.returncode == 0, shown.stderr
        assert (
            "held (never auto-approved):" in shown.stdout and "every draft of the slot waits" in shown.stdout
        )
        assert app.review.approve(clean, "ann").state is DraftState.APPROVED  # a person may
    finally:
        app.close()


def test_auto_approval_leaves_a_draft_read_from_the_brief_to_a_person(write_config: Any) -> None:
    # the canned model states no fact; the composed draft states what was read from the brief
    extra = AUTO.replace(
        'brief = "Write a promo."',
        'brief = "Write a promo. Remind people we close at 2pm today, '
        "don't let anyone think we are open late.\"",
    )
    app = _app(write_config, extra)
    try:
        draft_id = _draft(app, "auto")
        draft = app.store.get_draft(draft_id)
        assert draft.state is DraftState.PENDING_REVIEW, draft.text
        assert "we close at 2pm today" in draft.text.casefold() and "open late" not in draft.text
        assert app.store.approvals(draft_id) == []
        assert app.store.list_publications(draft_id=draft_id) == []
    finally:
        app.close()
