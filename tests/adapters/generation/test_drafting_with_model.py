"""The drafting stage end to end on a real SQLite store: canned and tiny-model generators."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.store import engine as engines
from bot.config import load_settings
from bot.domain import CampaignSpec, DraftOrigin, DraftState
from bot.domain.errors import TemplateError
from bot.domain.ports import FixedClock
from bot.services.drafting.service import regenerate
from bot.wiring import Wiring
from tests.adapters.generation.gen_configs import write

SLOT = datetime(2026, 9, 24, 1, 0, tzinfo=UTC)


def app_for(config: Path) -> Wiring:
    settings = load_settings(config)
    engines.upgrade(settings.database_url)
    app = Wiring(settings, clock=FixedClock(SLOT))
    specs = [CampaignSpec(c.name, c.kind, c.model_dump(mode="json")) for c in settings.campaigns]
    app.store.sync_campaigns(specs, SLOT, "test")
    return app


def slot(app: Wiring, name: str, at: datetime = SLOT):  # type: ignore[no-untyped-def]
    record = app.store.get_campaign(name)
    made = app.store.create_slot(record.id, at, SLOT, "test")
    assert made is not None
    return made


def test_canned_drafts_record_model_settings_and_checks(tmp_path: Path) -> None:
    app = app_for(write(tmp_path, extra="[campaigns.sampling]\ncandidates = 3\nseed = 11"))
    ids = app.drafting.draft_slot(slot(app, "mid-autumn"))
    drafts = [app.store.get_draft(i) for i in ids]
    assert drafts and all(d.origin is DraftOrigin.MODEL for d in drafts)
    first = drafts[0]
    assert first.state is DraftState.PENDING_REVIEW
    assert first.model_id == "canned" and first.generation["seed"] == 11
    assert first.generation["candidates"] == 3 and "index" in first.generation
    names = {c["name"] for c in first.checks}
    assert {
        "brand",
        "festival",
        "emoji",
        "language",
        "limit:outbox",
        "limit:teahouse-x",
        "not_duplicate",
    } <= names
    assert first.text.endswith("https://lotusleaf.example/shop #MidAutumnFestival #LotusLeafTea")
    app.close()


def test_same_seed_twice_is_a_near_duplicate_so_templates_step_in(tmp_path: Path) -> None:
    app = app_for(write(tmp_path, extra="[campaigns.sampling]\nseed = 5\ncandidates = 1"))
    app.drafting.draft_slot(slot(app, "mid-autumn"))
    second = app.drafting.draft_slot(slot(app, "mid-autumn", SLOT.replace(year=2027)))
    drafts = [app.store.get_draft(i) for i in second]
    assert all(d.origin is DraftOrigin.TEMPLATE for d in drafts)
    assert all(
        d.model_id == "template" and d.generation["template"].startswith("mid-autumn:en:") for d in drafts
    )
    app.close()


def test_chinese_with_the_bundled_model_uses_templates_without_loading(tmp_path: Path) -> None:
    app = app_for(write(tmp_path, model='backend = "embedded"'))
    ids = app.drafting.draft_slot(slot(app, "spring-zh"))
    drafts = [app.store.get_draft(i) for i in ids]
    assert drafts and all(d.origin is DraftOrigin.TEMPLATE for d in drafts)
    assert all("Lotus Leaf Tea House" in d.text for d in drafts)
    assert all(d.generation["template"].startswith("spring-festival:zh:") for d in drafts)
    assert app._generator is None  # the model was never built
    app.close()


def test_tiny_model_gibberish_fails_checks_and_falls_back(tmp_path: Path, tiny_gguf: Path) -> None:
    model = (
        f'backend = "transformers"\npath = "{tiny_gguf}"\ndtype = "float32"\nthreads = 1\nmax_new_tokens = 12'
    )
    app = app_for(write(tmp_path, model=model))
    scored = app.drafting.candidates(app.settings.campaign("mid-autumn"), SLOT)
    model_made = [s for s in scored if s.candidate.origin is DraftOrigin.MODEL]
    assert len(model_made) == 16 and not any(s.candidate.passed for s in model_made)  # the default
    assert model_made[0].candidate.model_id == "tiny-llama"
    ids = app.drafting.draft_slot(slot(app, "mid-autumn"))
    assert all(app.store.get_draft(i).origin is DraftOrigin.TEMPLATE for i in ids)
    app.close()


def test_regenerate_rejects_and_writes_new_drafts(tmp_path: Path) -> None:
    app = app_for(write(tmp_path))
    ids = app.drafting.draft_slot(slot(app, "mid-autumn"))
    new = regenerate(app.drafting, ids[0], "alice")
    assert new and set(new).isdisjoint(ids)
    assert app.store.get_draft(ids[0]).state is DraftState.REJECTED
    app.close()


def test_template_error_names_campaign_and_line(tmp_path: Path) -> None:
    app = app_for(write(tmp_path))
    with pytest.raises(TemplateError, match=r"campaign 'broken': brief line 2"):
        app.drafting.candidates(app.settings.campaign("broken"), SLOT)
    app.close()
