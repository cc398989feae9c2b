"""Chinese campaigns without a Chinese-capable model: the curated Simplified Chinese templates.

Every template renders with a campaign's facts, states them as written and passes the real
checks (through the drafting service, on the bundled model's settings, which write no Chinese),
and the rotation gives a campaign a different template at each slot of a year.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.store import engine as engines
from bot.config import load_settings
from bot.config.settings import Settings
from bot.domain import CampaignSpec, DraftOrigin
from bot.domain.ports import FixedClock
from bot.services.drafting import catalog, fallback
from bot.services.drafting.service import DraftingService, rotation
from bot.wiring import Wiring, build_gate

#: The Chinese festivals the project knows (bot/services/drafting/templates/festivals.toml).
CHINESE_FESTIVALS = (
    "spring-festival",
    "lantern-festival",
    "qingming",
    "labor-day",
    "dragon-boat",
    "qixi",
    "mid-autumn",
    "national-day",
    "double-ninth",
    "winter-solstice",
    "new-year",
)
FACTS = ("第二杯半价", "每天上午11点前", "结账时出示优惠码 BREW2")
SLOT = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)

CONFIG = """
[bot]
timezone = "Asia/Shanghai"
data_dir = "data"

[brand]
name = "Moonrise Bakery"
products = ["桂花糕"]
link = "https://moonrise.example/order"
hashtags = ["#MoonriseBakery"]

[model]
backend = "embedded"
keep = {keep}

[moderation]
scorers = ["wordlist"]

[[accounts]]
name = "x-zh"
platform = "x"
{campaigns}
"""

CAMPAIGN = """
[[campaigns]]
name = "{name}"
kind = "{kind}"
language = "zh"
when = {{ cron = "{cron}" }}
accounts = ["x-zh"]  # the tightest limit: Chinese counts double on X
brief = "为{{{{ brand }}}}写一条{kind}。"
facts = {facts}
variables = {{ holiday = "{holiday}" }}
"""


def campaign(
    name: str, kind: str, holiday: str = "", facts: tuple[str, ...] = FACTS, cron: str = "0 9 1 * *"
) -> str:
    listed = "[" + ", ".join(f'"{f}"' for f in facts) + "]"
    return CAMPAIGN.format(name=name, kind=kind, cron=cron, facts=listed, holiday=holiday)


def settings_for(tmp_path: Path, campaigns: str, keep: int = 2) -> Settings:
    path = tmp_path / "bot.toml"
    path.write_text(CONFIG.format(campaigns=campaigns, keep=keep), encoding="utf-8")
    return load_settings(path)


def festival_name(key: str) -> str:
    return next(f for f in catalog.festivals() if f.key == key).names_zh[0]


def service_for(settings: Settings) -> DraftingService:
    gate = build_gate(settings.moderation)

    def no_model() -> object:
        raise AssertionError("the bundled model writes no Chinese: it must not be built")

    return DraftingService(settings, None, no_model, lambda: gate, FixedClock(SLOT), "test")  # type: ignore[arg-type]


def test_every_chinese_festival_and_kind_has_at_least_eight() -> None:
    festivals = {f.key: f for f in catalog.festivals()}
    for key in CHINESE_FESTIVALS:
        assert len(festivals[key].templates["zh"]) >= 8, key
    for kind in ("greeting", "promo", "announcement"):
        assert len(catalog.kind_templates()[kind]["zh"]) >= 8, kind


@pytest.mark.parametrize("facts", [FACTS, ()], ids=["with-facts", "no-facts"])
def test_every_chinese_template_renders_states_the_facts_and_passes(
    tmp_path: Path, facts: tuple[str, ...]
) -> None:
    campaigns = "".join(campaign(key, "greeting", festival_name(key), facts) for key in CHINESE_FESTIVALS)
    campaigns += campaign("plain-greeting", "greeting", "", facts)
    campaigns += campaign("promo", "promo", "", facts)
    if facts:  # an announcement says something: with no facts it needs an `announcement` variable
        campaigns += campaign("notice", "announcement", "", facts)
    settings = settings_for(tmp_path, campaigns)
    service = service_for(settings)
    for item in settings.campaigns:
        scored = service.candidates(item, SLOT)
        shipped = [s.candidate for s in scored if s.candidate.origin is DraftOrigin.TEMPLATE]
        key = (
            item.name
            if item.name in CHINESE_FESTIVALS
            else {"plain-greeting": "greeting", "notice": "announcement"}.get(item.name, item.name)
        )
        festival = next((f for f in catalog.festivals() if f.key == key), None)
        expected = len(festival.templates["zh"]) if festival else len(catalog.kind_templates()[key]["zh"])
        assert len(shipped) == expected, item.name
        for candidate in shipped:
            failed = [c for c in candidate.checks if not c.passed]
            assert not failed, (candidate.settings["template"], candidate.text, failed)
            assert all(fact in candidate.text for fact in facts), candidate.text
            assert "Moonrise Bakery" in candidate.text and candidate.text.count("。。") == 0
        assert not any(s.verdict.flagged for s in scored), item.name


def test_facts_are_stated_as_written() -> None:
    assert fallback.state_facts(FACTS, "zh") == "第二杯半价，每天上午11点前，结账时出示优惠码 BREW2。"
    assert fallback.state_facts(("周日店休。", "欢迎来玩！"), "zh") == "周日店休，欢迎来玩！"
    assert fallback.state_facts((), "zh") == ""
    assert fallback.state_facts(("second coffee half price",), "en") == "Second coffee half price."


def test_a_festival_greeting_does_not_repeat_for_eight_years(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, campaign("chunjie", "greeting", "春节", cron="0 9 1 2 *"), keep=1)
    service = service_for(settings)
    item = settings.campaigns[0]
    chosen = [
        service.candidates(item, datetime(year, 2, 1, 1, 0, tzinfo=UTC))[0].candidate.settings["template"]
        for year in range(2027, 2035)
    ]
    assert len(set(chosen)) == 8 and all(c.startswith("spring-festival:zh:") for c in chosen), chosen


def test_rotation_is_deterministic_and_steps_once_per_slot(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, campaign("weekly", "promo", cron="0 10 * * FRI"))
    item = settings.campaigns[0]
    zone = settings.zone_of(item)
    slots = list(
        item.when.fire_times(datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC), zone)
    )
    assert len(slots) == 53  # 2027 has 53 Fridays
    positions = [rotation(item, at, zone) for at in slots]
    assert positions == [positions[0] + i for i in range(len(slots))]
    assert positions == [rotation(item, at, zone) for at in slots]  # the same every time
    assert rotation(item, slots[3], zone, keep=2) - rotation(item, slots[2], zone, keep=2) == 2


def synced_app(settings: Settings) -> Wiring:
    """The real services on a migrated store with the config's campaigns synced."""
    engines.upgrade(settings.database_url)
    app = Wiring(settings, clock=FixedClock(SLOT))
    app.store.sync_campaigns(
        [CampaignSpec(c.name, c.kind, c.model_dump(mode="json")) for c in settings.campaigns], SLOT, "test"
    )
    return app


def test_a_year_of_slots_on_a_real_store_repeats_no_template(tmp_path: Path) -> None:
    """Four slots in 2027, two drafts kept per slot: no template is used twice in the year."""
    settings = settings_for(tmp_path, campaign("seasons", "greeting", cron="0 9 1 1,4,7,10 *"), keep=2)
    app = synced_app(settings)
    record = app.store.get_campaign("seasons")
    item = settings.campaigns[0]
    year = list(
        item.when.fire_times(
            datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC), "Asia/Shanghai"
        )
    )
    used = []
    for at in year:
        made = app.store.create_slot(record.id, at, at, "test")
        assert made is not None
        ids = app.drafting.draft_slot(made)
        assert ids
        for draft_id in ids:
            draft = app.store.get_draft(draft_id)
            assert draft.origin is DraftOrigin.TEMPLATE and all(c["passed"] for c in draft.checks)
            used.append(draft.generation["template"])
    assert len(year) == 4 and len(used) == 8 and len(set(used)) == len(used), used
    app.close()


def test_a_brand_written_against_chinese_characters_is_not_a_misspelling() -> None:
    from bot.services.drafting.checks import CheckSpec, run_checks

    body = "欢迎来Moonrise Bakery坐坐，桂花糕已经准备好了。"
    spec = CheckSpec(brand="Moonrise Bakery", language="zh", backing=("Moonrise Bakery", "桂花糕"))
    names = next(c for c in run_checks(body, body, spec) if c.name == "names")
    assert names.passed, names
    english = "Come to Moonrose Bakery today."
    spec = CheckSpec(brand="Moonrise Bakery", language="en", backing=("Moonrise Bakery",))
    assert not next(c for c in run_checks(english, english, spec) if c.name == "names").passed


def test_rotation_still_moves_for_a_campaign_firing_every_few_minutes(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, campaign("busy", "promo", cron="*/5 * * * *"))
    item = settings.campaigns[0]
    zone = settings.zone_of(item)
    late = datetime(2027, 12, 1, tzinfo=UTC)  # past the most firings counted in a year
    slots = list(item.when.fire_times(late, late.replace(hour=1), zone))
    positions = {rotation(item, at, zone) % 8 for at in slots[:8]}
    assert len(positions) == 8


#: Facts every draft of a slot states as written, as it states the brand, link and hashtag:
#: most of the characters of a short Chinese greeting.
LONG_FACTS = ("中秋月饼礼盒买二送一", "九月三十日前到店自取有效", "会员再享九折优惠，欢迎提前预订")


@pytest.mark.parametrize("keep", [2, 3])
def test_a_yearly_festival_keeps_keep_drafts_taking_templates_in_turn(tmp_path: Path, keep: int) -> None:
    """Each year's slot keeps `keep` drafts, the next templates of the rotation: what every draft
    shares (the facts, link, hashtag) does not make two templates near-duplicates of each other,
    so none is skipped and none comes back before every template was used; after that the
    rotation starts again (a post repeats nothing of the last year)."""
    greeting = campaign("zhongqiu", "greeting", "中秋节", LONG_FACTS, cron="0 9 15 8 *")
    settings = settings_for(tmp_path, greeting, keep=keep)
    app = synced_app(settings)
    record = app.store.get_campaign("zhongqiu")
    count = len(next(f for f in catalog.festivals() if f.key == "mid-autumn").templates["zh"])
    used: list[list[int]] = []
    for year in range(2027, 2027 + count // keep + 2):
        made = app.store.create_slot(record.id, datetime(year, 8, 15, 1, 0, tzinfo=UTC), SLOT, "test")
        assert made is not None
        drafts = [app.store.get_draft(i) for i in app.drafting.draft_slot(made)]
        assert all(d.origin is DraftOrigin.TEMPLATE and all(c["passed"] for c in d.checks) for d in drafts)
        used.append([int(d.generation["template"].rsplit(":", 1)[1]) for d in drafts])
    app.close()
    flat = [t for year in used for t in year]
    assert all(len(year) == keep for year in used), used
    assert flat == [(flat[0] + i) % count for i in range(len(flat))], used
    # once every template was used, the rotation comes round again: a template last used more
    # than a year before is no near-duplicate, so the slot still keeps `keep` passing drafts
    assert len(used) > count // keep


def test_a_weekly_promo_keeps_two_passing_drafts_every_week(tmp_path: Path) -> None:
    """Eight templates, two a week: the rotation comes round in week five, and a post like one
    of a month ago is not a near-duplicate (it was, until the check looked at the last 3 slots)."""
    settings = settings_for(tmp_path, campaign("weekly", "promo", cron="0 10 * * FRI"), keep=2)
    app = synced_app(settings)
    record = app.store.get_campaign("weekly")
    item = settings.campaigns[0]
    weeks = list(
        item.when.fire_times(
            datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 3, 26, tzinfo=UTC), "Asia/Shanghai"
        )
    )
    for at in weeks:
        made = app.store.create_slot(record.id, at, at, "test")
        assert made is not None
        drafts = [app.store.get_draft(i) for i in app.drafting.draft_slot(made)]
        assert len(drafts) == 2 and all(all(c["passed"] for c in d.checks) for d in drafts), (at, drafts)
    assert len(weeks) == 12
    app.close()
