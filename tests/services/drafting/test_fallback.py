"""The curated catalogue: festival names, and fallback templates that pass the checks."""

from __future__ import annotations

import holidays
import pytest

from bot.adapters.platforms import x_platform
from bot.services.drafting import catalog, fallback
from bot.services.drafting.checks import CheckSpec, run_checks
from bot.services.drafting.cleaning import compose

BRAND = "Lotus Leaf Tea House"
X = x_platform.limit(x_platform.XAccount(name="x", platform="x"))
MAJOR = {
    "spring-festival",
    "lantern-festival",
    "dragon-boat",
    "mid-autumn",
    "qixi",
    "national-day",
    "new-year",
    "valentines",
    "easter",
    "mothers-day",
    "halloween",
    "thanksgiving",
    "christmas",
}


def test_major_festivals_have_english_and_chinese_templates() -> None:
    keys = {f.key: f for f in catalog.festivals()}
    for key in MAJOR:
        assert keys[key].templates["en"], key
        assert keys[key].templates["zh"], key


@pytest.mark.parametrize("country", ["CN", "US"])
def test_holiday_names_from_the_calendar_are_known(country: str) -> None:
    names = {
        n
        for v in holidays.country_holidays(country, years=2026, language="en_US").values()
        for n in v.split("; ")
    }
    wanted = {
        "Chinese New Year (Spring Festival)",
        "Mid-Autumn Festival",
        "Dragon Boat Festival",
        "Thanksgiving Day",
        "Christmas Day",
        "New Year's Day",
        "National Day",
        "Labor Day",
    }
    for name in names & wanted:
        assert catalog.find_festival(name) is not None, name


@pytest.mark.parametrize(
    "festival", [f for f in catalog.festivals() if any(f.templates.values())], ids=lambda f: f.key
)
def test_every_shipped_greeting_passes_the_checks(festival: catalog.Festival) -> None:
    for language in ("en", "zh"):
        texts = fallback.curated(
            "greeting",
            language,
            festival.names[0],
            (),
            {"brand": BRAND, "product": "mooncake gift box", "holiday": ""},
            1,
        )
        assert len(texts) == len(festival.templates[language])
        spec = CheckSpec(
            brand=BRAND,
            language=language,
            allowed_festivals=frozenset({festival.key}),
            festival_ok_names=festival.also_ok,
            limits=(("x", X),),
            neutral=(BRAND, "mooncake gift box", "https://lotusleaf.example/shop", "#LotusLeafTea"),
        )
        for t in texts:
            text = compose(t.body, "https://lotusleaf.example/shop", ["#LotusLeafTea"])
            bad = [c for c in run_checks(text, t.body, spec) if not c.passed]
            assert not bad, (t.template_id, t.body, bad)


def test_promo_templates_and_campaign_templates_first() -> None:
    variables = {"brand": BRAND, "product": "oolong", "promo_code": "FRIDAYTEA", "holiday": ""}
    texts = fallback.curated("promo", "en", "", ("Only {{ product }} today at {{ brand }}!",), variables, 3)
    assert texts[0].template_id == "campaign:0" and texts[0].body == f"Only oolong today at {BRAND}!"
    assert all("FRIDAYTEA" in t.body for t in texts[1:])


def test_templates_missing_a_variable_are_skipped() -> None:
    assert fallback.curated("announcement", "en", "", (), {"brand": BRAND, "product": ""}, 1) == []
    assert fallback.curated("announcement", "en", "", (), {"brand": BRAND, "announcement": "We moved."}, 1)


def test_seed_rotates_the_order() -> None:
    variables = {"brand": BRAND, "product": "", "holiday": ""}
    orders = {
        tuple(t.template_id for t in fallback.curated("greeting", "en", "Christmas", (), variables, s))
        for s in range(10)
    }
    assert len(orders) > 1
