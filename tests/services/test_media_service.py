"""Which pictures a slot gets (rotate, random, by-holiday), and the media checks per platform,
with real files fitted by Pillow."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.adapters.media import PillowMedia
from bot.config import load_settings
from bot.domain.errors import MediaError
from bot.services.media import MediaService, holiday_files

SKY = """
[[accounts]]
name = "sky"
platform = "bluesky"
handle = "lotus.example"

[[accounts]]
name = "reddit"
platform = "reddit"
subreddit = "tea"
"""
AT = datetime(2026, 9, 24, 1, 0, tzinfo=UTC)


def _service(
    write_config: Any, tmp_path: Path, media: str, accounts: str = '["outbox", "sky"]'
) -> MediaService:
    folder = tmp_path / "pics"
    folder.mkdir(exist_ok=True)
    for i, name in enumerate(("a-tea.png", "b-moon.png", "c-cake.png", "mid-autumn-1.png", "spring.png")):
        Image.new("RGB", (20 + i, 20), (10 * i, 80, 120)).save(folder / name)
    config = write_config(SKY).read_text().replace('accounts = ["outbox"]', f"accounts = {accounts}")
    brief = 'brief = "Write a promo for {{ brand }}."'
    config = config.replace(brief, f"{brief}\nmedia = {media}")
    path = tmp_path / "bot.toml"
    path.write_text(config)
    settings = load_settings(path)
    return MediaService(settings, PillowMedia(settings.data_dir))


def _names(service: MediaService, **kw: Any) -> list[str]:
    campaign = service.settings.campaigns[0]
    return [p.path.name for p in service.picks(campaign, **kw)]


def test_rotate_goes_through_the_folder_one_slot_after_another(write_config: Any, tmp_path: Path) -> None:
    service = _service(write_config, tmp_path, '{ folder = "pics", count = 2, alt = "A {{ picture }}" }')
    assert _names(service, holiday="", seed=1, ordinal=0) == ["a-tea.png", "b-moon.png"]
    assert _names(service, holiday="", seed=1, ordinal=1) == ["c-cake.png", "mid-autumn-1.png"]
    assert _names(service, holiday="", seed=1, ordinal=2) == ["spring.png", "a-tea.png"]


def test_random_is_the_same_for_the_same_slot(write_config: Any, tmp_path: Path) -> None:
    service = _service(
        write_config, tmp_path, '{ folder = "pics", pick = "random", alt = "A {{ picture }}" }'
    )
    picks = {tuple(_names(service, holiday="", seed=s, ordinal=0)) for s in range(20)}
    assert len(picks) > 1
    assert _names(service, holiday="", seed=7, ordinal=0) == _names(service, holiday="", seed=7, ordinal=5)


def test_by_holiday_matches_file_names_to_the_holiday(tmp_path: Path) -> None:
    files = [tmp_path / n for n in ("mid-autumn-1.png", "Mid_Autumn.jpg", "spring.png", "tea.png")]
    assert [p.name for p in holiday_files(files, "Mid-Autumn Festival")] == [
        "mid-autumn-1.png",
        "Mid_Autumn.jpg",
    ]
    assert [p.name for p in holiday_files(files, "Chinese New Year (Spring Festival)")] == ["spring.png"]
    assert holiday_files(files, "") == []


def test_alt_texts_are_rendered_and_checked_per_platform(write_config: Any, tmp_path: Path) -> None:
    service = _service(
        write_config,
        tmp_path,
        '[{ path = "pics/b-moon.png", alt = "The moon over {{ brand }}" }]',
        accounts='["outbox", "sky", "reddit"]',
    )
    campaign = service.settings.campaigns[0]
    media = service.prepare(campaign, {"brand": "Lotus Leaf"}, seed=0, ordinal=0)
    assert [m.alt for m in media] == ["The moon over Lotus Leaf"]
    assert set(media[0].fitted) == {"dryrun", "bluesky", "reddit"}
    checks = {c.name: c for c in service.checks(campaign, media)}
    assert all(c.passed for c in checks.values()), checks
    assert "alt 24/2000" in checks["media:bluesky"].detail
    long_alt = replace(media[0], alt="x" * 200)
    checks = {c.name: c for c in service.checks(campaign, [long_alt])}
    assert (
        not checks["media:reddit"].passed and "alt text 200 characters > 180" in checks["media:reddit"].detail
    )
    assert checks["media:bluesky"].passed
    five = [media[0]] * 5
    assert "5 pictures > 4" in {c.name: c for c in service.checks(campaign, five)}["media:bluesky"].detail


def test_a_missing_alt_at_drafting_names_the_campaign_and_the_file(write_config: Any, tmp_path: Path) -> None:
    service = _service(write_config, tmp_path, '[{ path = "pics/b-moon.png", alt = "{{ promo_code }}" }]')
    with pytest.raises(MediaError, match=r"campaign 'promo': media\[0\] b-moon\.png: the alt text renders"):
        service.prepare(service.settings.campaigns[0], {"promo_code": ""}, seed=0, ordinal=0)


def test_a_platform_that_joined_after_drafting_needs_its_pictures_fitted_again(
    write_config: Any, tmp_path: Path
) -> None:
    from bot.adapters.store import engine as engines
    from bot.domain import CampaignSpec, DraftState
    from bot.domain.errors import BotError
    from bot.domain.ports import FixedClock
    from bot.wiring import Wiring

    _service(
        write_config, tmp_path, '[{ path = "pics/b-moon.png", alt = "The moon" }]', accounts='["outbox"]'
    )
    path = tmp_path / "bot.toml"
    settings = load_settings(path)
    engines.upgrade(settings.database_url)
    clock = FixedClock(AT)
    app = Wiring(settings, clock=clock)
    try:
        app.store.sync_campaigns([CampaignSpec("promo", settings.campaigns[0].kind, {})], AT, "test")
        slot = app.store.create_slot(app.store.get_campaign("promo").id, AT, AT, "test")
        assert slot is not None
        draft_id = app.drafting.draft_slot(slot)[0]
        assert set(app.store.get_draft(draft_id).media[0].fitted) == {"dryrun"}
        path.write_text(path.read_text().replace('accounts = ["outbox"]', 'accounts = ["outbox", "sky"]'))
        later = Wiring(load_settings(path), clock=clock, store=app.store)
        with pytest.raises(BotError, match=r"picture 1 \(b-moon\.png\) was not fitted for bluesky"):
            _approve(later, draft_id)
        moon = str(tmp_path / "pics" / "b-moon.png")

        def words(draft_id: int) -> list[tuple[str, bool, str]]:
            checked = app.store.get_draft(draft_id).checks
            return [
                (c["name"], c["passed"], c["detail"]) for c in checked if not c["name"].startswith("media:")
            ]

        before = words(draft_id)
        later.review.edit_media(draft_id, "ann", swap={1: (moon, "The moon")})
        assert set(app.store.get_draft(draft_id).media[0].fitted) == {"dryrun", "bluesky"}
        # only the pictures changed: the words' checks stand (a template's text failed "facts"
        # and "adds" as a reviewer's words once its alt text was edited)
        assert words(draft_id) == before
        approved = _approve(later, draft_id)
        assert approved.state is DraftState.APPROVED
        # an alt text is published too: the gate scores what a reviewer types into it
        rude = later.review.edit_media(draft_id, "bob", alts={1: "Mooncakes for every idiot out there"})
        assert rude.state is DraftState.FLAGGED
        assert [a.decision.value for a in app.store.approvals(draft_id)][-1] == "invalidated"
    finally:
        app.close()


def _approve(app: Any, draft_id: int) -> Any:
    """Approve, waiving failed text checks (the text is not what these tests are about)."""
    from bot.services.review import failed_checks

    failed = failed_checks(app.store.get_draft(draft_id))
    return app.review.approve(
        draft_id, "ann", override=bool(failed), reason="not the point" if failed else ""
    )


def test_sync_scores_the_alt_texts_with_the_brief(write_config: Any, tmp_path: Path) -> None:
    from bot.services.briefs import campaign_fields

    service = _service(
        write_config, tmp_path, '[{ path = "pics/b-moon.png", alt = "The moon over {{ brand }}" }]'
    )
    assert ("media[0].alt", "The moon over {{ brand }}") in campaign_fields(service.settings.campaigns[0])
    folder = _service(write_config, tmp_path, '{ folder = "pics", alt = "A {{ picture }}" }')
    assert ("media.alt", "A {{ picture }}") in campaign_fields(folder.settings.campaigns[0])
