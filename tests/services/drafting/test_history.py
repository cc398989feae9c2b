"""What a slot's drafts are compared with, on a real store with the real services: the
campaign's drafts of other slots. A preview of a slot already fired shows the candidates the
firing saw (its own drafts are not near-duplicates of themselves); regenerating a slot still
counts the slot's drafts, so the text just rejected does not come back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot.domain import DraftOrigin
from bot.services.drafting.ranking import ScoredCandidate
from bot.services.drafting.service import regenerate
from bot.wiring import Wiring
from tests.services.test_review_moderation import NOW
from tests.services.test_review_moderation import _app as synced_app

SLOT = NOW + timedelta(days=3)

#: A promo with facts: its composed draft (the facts as written) is the same text every time
#: the slot is drafted, the case that failed as a near-duplicate of itself.
CAMPAIGN = """
[[campaigns]]
name = "rekey"
kind = "promo"
when = { cron = "0 9 * * TUE" }
accounts = ["outbox"]
brief = "Write a promotion for {{ brand }}."
facts = ["house lock rekeying from $49 per door", "code REKEY15"]
sampling = { keep = 2 }
"""


@pytest.fixture
def app(write_config: Any) -> Iterator[Wiring]:
    wiring = synced_app(write_config, CAMPAIGN)
    yield wiring
    wiring.close()


def _seen(scored: list[ScoredCandidate]) -> list[tuple[str, bool, tuple[str, ...]]]:
    """Each candidate's text, whether it passed, and its failed checks."""
    return [
        (s.candidate.text, s.candidate.passed, tuple(c.name for c in s.candidate.checks if not c.passed))
        for s in scored
    ]


def _fire(app: Wiring) -> list[int]:
    record = app.store.get_campaign("rekey")
    slot = app.store.create_slot(record.id, SLOT, NOW, "test")
    assert slot is not None
    return app.drafting.draft_slot(slot)


def test_a_fired_slot_previews_the_candidates_its_firing_saw(app: Wiring) -> None:
    campaign = app.settings.campaign("rekey")
    before = _seen(app.drafting.candidates(campaign, SLOT))
    ids = _fire(app)
    drafted = [app.store.get_draft(i).text for i in ids]
    after = _seen(app.drafting.candidates(campaign, SLOT))
    assert after == before
    passed = {text for text, ok, _ in after if ok}
    assert set(drafted) <= passed, (drafted, after)  # no queued draft shown failing not_duplicate


def test_a_later_slot_still_compares_with_the_earlier_slots_drafts(app: Wiring) -> None:
    ids = _fire(app)
    drafts = [app.store.get_draft(i) for i in ids]
    composed = next(d.text for d in drafts if d.origin is DraftOrigin.COMPOSED)
    later = _seen(app.drafting.candidates(app.settings.campaign("rekey"), SLOT + timedelta(days=7)))
    # the next slot's composed draft takes the next lead, and a repeat would fail not_duplicate
    assert all(text != composed or "not_duplicate" in failed for text, _, failed in later)


def test_regenerating_does_not_bring_back_the_rejected_text(app: Wiring) -> None:
    ids = _fire(app)
    rejected = app.store.get_draft(ids[0]).text
    fresh = regenerate(app.drafting, ids[0], "ann")
    assert fresh and rejected not in [app.store.get_draft(i).text for i in fresh]
    again = _seen(app.drafting.candidates(app.settings.campaign("rekey"), SLOT, own_slot=True))
    assert all(not ok for text, ok, _ in again if text == rejected)


def test_regenerating_a_draft_of_a_slot_that_already_posts_is_refused(app: Wiring) -> None:
    """Its new drafts could never be approved (the slot posts once per account): it rejected
    the draft and wrote drafts that sat in the queue until they expired (hostile user)."""
    from bot.domain import DraftState
    from bot.domain.errors import StateConflict
    from bot.services.review import failed_checks

    ids = _fire(app)
    assert len(ids) == 2
    failed = failed_checks(app.store.get_draft(ids[0]))
    app.review.approve(ids[0], "ann", override=bool(failed), reason="not the point" if failed else "")
    with pytest.raises(StateConflict, match=r"its slot already posts .* on every account of rekey"):
        regenerate(app.drafting, ids[1], "ann")
    assert app.store.get_draft(ids[1]).state is DraftState.PENDING_REVIEW
    assert len(app.store.list_drafts(campaign="rekey")) == 2


def test_a_weekly_promo_has_a_passing_draft_every_week_of_a_quarter(app: Wiring) -> None:
    """The same facts every Tuesday: the composed leads come round again after a few weeks, and
    a post like one of a month ago is no spam (the near-duplicate check looks at the last few
    slots, not at a whole year of a weekly campaign)."""
    record = app.store.get_campaign("rekey")
    tops = []
    for week in range(13):
        slot = app.store.create_slot(record.id, SLOT + timedelta(days=7 * week), NOW, "test")
        assert slot is not None
        ids = app.drafting.draft_slot(slot)
        top = app.store.get_draft(ids[0])
        failed = [c["name"] for c in top.checks if not c["passed"]]
        assert not failed, (week, top.text, failed)
        tops.append(top.text)
    for week in range(1, len(tops)):
        assert tops[week] != tops[week - 1]  # never last week's post again


def test_ctrl_c_while_drafting_fails_the_slot_instead_of_leaving_it_pending(app: Wiring) -> None:
    """Ctrl-C in `bot campaigns fire` (here: while the model loads) left a pending slot that
    nothing drafted; it is failed, saying why, and the interrupt goes on to the CLI."""
    from bot.domain import SlotState
    from bot.services.drafting.service import DraftingService

    def loading() -> Any:
        raise KeyboardInterrupt

    gate = app.drafting._gate
    drafting = DraftingService(app.settings, app.store, loading, gate, app.clock, "cli")
    slot = app.store.create_slot(app.store.get_campaign("rekey").id, SLOT, NOW, "cli")
    assert slot is not None
    with pytest.raises(KeyboardInterrupt):
        drafting.draft_slot(slot)
    [failed] = [s for s in app.store.list_slots() if s.id == slot.id]
    assert failed.state is SlotState.FAILED
    assert app.store.events(entity="slot", entity_id=slot.id)[-1].reason.startswith("interrupted (Ctrl-C)")
