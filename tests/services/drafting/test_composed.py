"""The composed fallback: when no model-written candidate states the campaign's facts, a draft
that states them word for word (framed by a usable model sentence, or a stock lead) comes
before the generic templates; the facts are rendered like the brief."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.adapters.generation.canned import CannedGenerator
from bot.config.settings import Settings
from bot.domain import DraftOrigin
from bot.domain.ports import FixedClock, GeneratedText, GenerationRequest
from bot.services.drafting import composing
from bot.services.drafting.service import DraftingService
from bot.wiring import build_gate

SLOT = datetime(2026, 9, 24, 1, 0, tzinfo=UTC)


def _service(tmp_path: Path, **campaign: Any) -> tuple[DraftingService, Settings]:
    base = {
        "name": "promo",
        "kind": "promo",
        "when": {"cron": "0 10 * * FRI"},
        "accounts": ["x"],
        "brief": "Write a short Friday promotion for {{ brand }}.",
        "products": ["Tieguanyin oolong"],
        "variables": {"promo_code": "FRIDAYTEA"},
        "facts": ["second pot of {{ product }} half price", "Friday and Saturday", "code {{ promo_code }}"],
    }
    base.update(campaign)
    settings = Settings.model_validate(
        {
            "bot": {"data_dir": str(tmp_path)},
            "brand": {"name": "Lotus Leaf Tea House", "products": ["mooncake gift box"]},
            "model": {"backend": "canned"},
            "moderation": {"scorers": ["profanity"]},
            "accounts": [{"name": "x", "platform": "x"}],
            "campaigns": [base],
        }
    )
    service = DraftingService(
        settings, None, CannedGenerator, lambda: build_gate(settings.moderation), FixedClock(SLOT), "test"
    )
    return service, settings


def test_facts_are_rendered_and_shown_to_the_model(tmp_path: Path) -> None:
    service, settings = _service(tmp_path)
    plan = service.plan(settings.campaigns[0], SLOT)
    assert plan.facts == (
        "second pot of Tieguanyin oolong half price",
        "Friday and Saturday",
        "code FRIDAYTEA",
    )
    last = service.request(plan).chat_for(0)[-1].content
    assert "- code FRIDAYTEA" in last and "Facts to state" in last


def test_composed_draft_states_the_facts_when_the_model_does_not(tmp_path: Path) -> None:
    service, settings = _service(tmp_path)
    scored = service.candidates(settings.campaigns[0], SLOT)
    best = scored[0].candidate
    assert best.origin is DraftOrigin.COMPOSED and best.passed
    assert "Second pot of Tieguanyin oolong half price. Friday and Saturday. Code FRIDAYTEA." in best.text
    models = [s.candidate for s in scored if s.candidate.origin is DraftOrigin.MODEL]
    assert models and not any(c.passed for c in models)  # the canned posts leave the facts out
    assert all(s.candidate.origin is not DraftOrigin.TEMPLATE for s in scored)


def test_no_facts_no_composed_drafts(tmp_path: Path) -> None:
    service, settings = _service(tmp_path, facts=[], brief="Write a short promotion for {{ brand }}.")
    scored = service.candidates(settings.campaigns[0], SLOT)
    assert not any(s.candidate.origin is DraftOrigin.COMPOSED for s in scored)


def test_openings_skip_sentences_that_fail_and_prefer_the_brand() -> None:
    bodies = [
        "Weekend treat! Lotus Leaf Tea House has 10% off.",
        "Lotus Leaf Tea House welcomes you this Friday. More below.",
        "Hello tea friends! Come by.",
    ]
    lines = composing.openings(bodies, lambda s: "%" not in s, "Lotus Leaf Tea House")
    assert lines == ["Lotus Leaf Tea House welcomes you this Friday.", "Weekend treat!", "Hello tea friends!"]
    bodies_out = composing.compose_facts(
        ["code FRIDAYTEA"], lines, brand="Lotus Leaf Tea House", kind="promo", holiday=""
    )
    assert bodies_out == [
        "Lotus Leaf Tea House welcomes you this Friday. Code FRIDAYTEA.",
        "Lotus Leaf Tea House offer: code FRIDAYTEA.",
    ]


class Mumbler:
    """A model that writes nothing usable, so no opening line of its own frames the facts."""

    model_id = "mumbler"

    def generate(self, request: GenerationRequest) -> list[GeneratedText]:
        return [GeneratedText("zzz qqq zzz", 3) for _ in range(request.n)]


def test_a_weekly_promo_gets_a_passing_composed_draft_every_week(tmp_path: Path, db_url: str) -> None:
    """The same facts every Friday: the second firing's composed draft must not be dropped as a
    near duplicate of the first (it once left the slot with only failing drafts)."""
    from tests.scheduling_helpers import fixed_app, write_config

    promo = """
[[campaigns]]
name = "friday"
kind = "promo"
when = { cron = "0 10 * * FRI" }
accounts = ["outbox"]
brief = "Write a short Friday promotion for {{ brand }}."
facts = ["second pot of jasmine pearls half price", "Friday and Saturday", "code TWOPOTS"]
"""
    path = write_config(tmp_path, promo, database_url=db_url)
    app, clock = fixed_app(path, SLOT, generator=Mumbler())
    app.sync.sync("test")
    firings = [datetime(2026, 9, 25, 10, tzinfo=UTC), datetime(2026, 10, 2, 10, tzinfo=UTC)]
    tops = []
    for at in firings:
        clock.advance(seconds=(at - clock.now()).total_seconds())
        slot = app.store.create_slot(app.store.get_campaign("friday").id, at, at, "test")
        assert slot is not None
        ids = app.drafting.draft_slot(slot)
        top = app.store.get_draft(ids[0])
        assert top.origin is DraftOrigin.COMPOSED
        assert all(c["passed"] for c in top.checks), top.checks
        tops.append(top.text)
    assert tops[0] != tops[1]
    assert all("econd pot of jasmine pearls half price" in t for t in tops)
    app.close()


def test_a_promo_names_what_it_promotes(tmp_path: Path) -> None:
    """ "Invite people to paint-your-own mug night at <brand>: ...". A draft that calls it "the
    perfect night" or "Mug day" has not said what the promo is for; the composed draft names it."""
    service, settings = _service(
        tmp_path,
        products=["paint-your-own mug night"],
        facts=[],
        brief="Invite people to {{ product }} at {{ brand }}: every Friday from 19:00, $28 per person.",
    )
    plan = service.plan(settings.campaigns[0], SLOT)
    for text, named in [
        ("Mug night at Lotus Leaf Tea House: every Friday from 19:00, $28 per person.", True),
        ("The perfect night at Lotus Leaf Tea House: every Friday from 19:00, $28 per person.", False),
        ("Mug day at Lotus Leaf Tea House: every Friday from 19:00, $28 per person.", False),
    ]:
        candidate = service.from_model(plan, text, "test", {})
        assert candidate.passed is named, (text, candidate.checks)
    best = service.candidates(settings.campaigns[0], SLOT)[0].candidate
    assert best.passed and "paint-your-own mug night" in best.text.casefold()


def test_an_announcement_whose_facts_never_name_its_product_names_it_in_the_lead() -> None:
    texts = composing.compose_facts(
        ["free to use, up to 20 minutes at a time", "headphones provided"],
        [],
        brand="Groove Cellar Records",
        kind="announcement",
        holiday="",
        product="listening booth",
    )
    assert texts[-1].startswith("Listening booth at Groove Cellar Records: free to use")


def test_a_plain_word_after_the_lead_s_colon_is_written_in_lower_case() -> None:
    texts = composing.compose_facts(
        ["Alterations start from $45"],
        [],
        brand="Hemline Tailors",
        kind="promo",
        holiday="",
        product="suit alterations",
    )
    assert texts[-1] == "Suit alterations at Hemline Tailors: alterations start from $45."


def test_a_composed_draft_too_long_for_x_drops_reasons_and_asides_not_statements(tmp_path: Path) -> None:
    service, settings = _service(
        tmp_path,
        name="hybrid",
        kind="announcement",
        products=[],
        variables={},
        facts=[],
        brief=(
            "Starting in January {{ brand }} will run every evening class both in the classroom and "
            "on Zoom, so nobody has to miss a lesson because of snow or a sick kid (we heard you!). "
            "Same teachers, same price; you can switch between the two from one week to the next."
        ),
    )
    scored = service.candidates(settings.campaigns[0], SLOT)
    best = scored[0].candidate
    assert best.origin is DraftOrigin.COMPOSED and best.passed, best.checks
    assert "on Zoom." in best.text and "snow" not in best.text and "we heard you" not in best.text
    assert "You can switch between the two from one week to the next." in best.text


def test_shorter_forms_lose_asides_first_then_reasons_longest_first() -> None:
    from bot.services.drafting import trimming

    text = "Closed on Sundays so the bakers can sleep (sad but true). Open at 8:00 because it's dark."
    forms = list(trimming.shorter(text))
    assert forms[0] == text
    assert forms[1] == "Closed on Sundays so the bakers can sleep. Open at 8:00 because it's dark."
    assert forms[2] == "Closed on Sundays. Open at 8:00 because it's dark."
    assert forms[-1] == "Closed on Sundays. Open at 8:00."
    # a number in brackets is no aside; "since" is a time; "so" before an ask is the ask
    assert trimming.core("Back tomorrow (27th), here since 2019, so book early.") == (
        "Back tomorrow (27th), here since 2019, so book early."
    )


def test_a_fact_stated_without_its_reason_is_stated() -> None:
    from bot.services.drafting.facts import fact_stated

    fact = "we're still closed on Sundays so the bakers can sleep"
    assert fact_stated(fact, "Good news. We're still closed on Sundays. See you Monday.")
    assert not fact_stated(fact, "Good news. We're open every day. See you Monday.")


def test_the_link_goes_before_a_statement_when_nothing_else_makes_it_fit(tmp_path: Path) -> None:
    service, settings = _service(
        tmp_path,
        name="xmaseve",
        kind="greeting",
        when={"holiday": "Christmas Day", "country": "GB", "offset": "-1d", "at": "07:00"},
        products=[],
        variables={},
        facts=[],
        brief=(
            "Something festive for xmas eve from {{ brand }}. Thank everyone who queued in the cold for "
            "their orders this week, remind people we close at 2pm today and we're shut on Christmas "
            "Day and Boxing Day, back on the 27th at 8am. Also mention the oolong gift tins are half "
            "price after midday."
        ),
        link="https://lotusleaf.example/shop",
    )
    scored = service.candidates(settings.campaigns[0], datetime(2026, 12, 24, 7, 0, tzinfo=UTC))
    best = scored[0].candidate
    assert best.origin is DraftOrigin.COMPOSED and best.passed, best.checks
    assert best.text.endswith("The oolong gift tins are half price after midday.")
    assert "https://" not in best.text


def test_a_fact_that_only_says_from_when_opens_the_next_facts_sentence() -> None:
    assert composing.state(["from Monday, June 2", "Tuesdays 5 to 10pm at the brewery", "walk-ins only"]) == (
        "From Monday, June 2, Tuesdays 5 to 10pm at the brewery. Walk-ins only."
    )
    assert composing.state(["prices go up", "from June 2"]) == "Prices go up. From June 2."


def test_a_longer_aside_with_a_number_goes_after_the_reasons() -> None:
    from bot.services.drafting import trimming

    text = "We cater weddings (did 3 last month!) because we love it. From $14 a person (usually $16)."
    assert list(trimming.shorter(text))[-1] == "We cater weddings. From $14 a person (usually $16)."


def test_the_date_is_there_as_a_post_writes_it(tmp_path: Path) -> None:
    service, settings = _service(tmp_path)
    context = service.context(settings.campaigns[0], datetime(2026, 12, 12, 9, 0, tzinfo=UTC))
    assert context["date"] == "2026-12-12"
    assert (context["day_month"], context["month_day"]) == ("12 December", "December 12")


def test_a_promo_need_not_name_the_brands_first_product_it_does_not_list(tmp_path: Path) -> None:
    service, settings = _service(
        tmp_path,
        products=[],
        variables={},
        facts=[],
        brief="Kids bikes are 15% off this week. Mooncake gift boxes are NOT discounted, people keep asking.",
    )
    best = service.candidates(settings.campaigns[0], SLOT)[0].candidate
    assert best.passed, best.checks
    assert "Kids bikes are 15% off this week" in best.text


#: A promo whose facts need two posts on X (with or without the link).
SNOW = {
    "name": "snow",
    "products": ["seasonal snow clearing contract"],
    "variables": {},
    "brief": (
        "Snow contracts are open!! With the {{ product }} we clear your driveway + front walk every "
        "time we get 5cm or more, done before 7am, November 1 to April 15."
    ),
    "facts": [
        "early-bird price $549 for a single driveway, regular $649",
        "early bird ends October 15",
        "we only serve Winnipeg south of the Assiniboine River",
    ],
}


def test_facts_too_long_for_one_post_become_a_thread_not_a_loss(tmp_path: Path) -> None:
    service, settings = _service(tmp_path, **SNOW, link="https://prairieedge.example")
    best = service.candidates(settings.campaigns[0], SLOT)[0].candidate
    assert best.origin is DraftOrigin.COMPOSED and best.passed, best.checks
    parts = best.text.split("\n---\n")
    assert len(parts) == 2 and all(len(p) <= 280 for p in parts)
    assert "before 7am, November 1 to April 15." in parts[0]  # cut at a sentence's end
    assert parts[1].startswith("Early-bird price $549") and parts[1].endswith("https://prairieedge.example")


def test_a_thread_is_cut_at_sentence_ends_only_and_as_evenly_as_fits() -> None:
    body = "One costs £5.50 today. Two is 4.45am sharp. Three is here. Four is there."
    fits = lambda text: all(len(p) <= 45 for p in text.split("\n---\n"))  # noqa: E731
    assert composing.thread(body, fits) == (
        "One costs £5.50 today. Two is 4.45am sharp.\n---\nThree is here. Four is there."
    )
    assert composing.thread(body, lambda text: False) is None
    assert composing.thread("One sentence only.", fits) is None


def test_a_reason_is_not_a_sentence_of_its_own() -> None:
    from bot.services.drafting import trimming

    text = "The cableway is closed until 2 August. So our hikes are up and down on foot, about 5 hrs."
    assert trimming.core(text) == text


def test_an_order_naming_the_topic_leads_the_post_when_the_facts_do_not_name_it(tmp_path: Path) -> None:
    service, settings = _service(
        tmp_path,
        name="studio",
        kind="announcement",
        products=[],
        variables={},
        brief=(
            "can u write something about the new podcast studio?? months of work but its finally done. "
            "say its good for zoom interviews too"
        ),
        facts=["₹800 an hour for members"],
        required_words=["podcast studio"],
    )
    best = service.candidates(settings.campaigns[0], SLOT)[0].candidate
    assert best.origin is DraftOrigin.COMPOSED and best.passed, best.checks
    assert best.text.startswith(
        "The new podcast studio at Lotus Leaf Tea House: months of work but it's finally done."
    )
    assert "The new podcast studio is good for zoom interviews too." in best.text


def test_the_owners_swapped_letters_and_lower_case_names_are_put_right(tmp_path: Path) -> None:
    service, settings = _service(
        tmp_path,
        name="ramen",
        products=["tonkotsu ramen"],
        variables={},
        brief=(
            "tell ppl to make sure we have thier cell number. "
            "the {{ product }} deal is on in march and april."
        ),
        facts=["$16 instead of $18 on mondays"],
    )
    plan = service.plan(settings.campaigns[0], SLOT)
    assert "we have their cell number" in plan.brief and "in March and April" in plan.brief
    assert "tonkotsu ramen" in plan.brief  # the campaign's own words are never respelled ("armen")
    from bot.services.drafting import words

    assert words.respelled("hope you had a lovley week, ramen") == "hope you had a lovely week, armen"
    assert words.respelled("a lovley ramen", own=frozenset({"ramen"})) == "a lovely ramen"
    assert words.capitalized("open mondays, we march on, may 3, sat in the sun") == (
        "open Mondays, we march on, may 3, sat in the sun"
    )


def test_a_campaign_without_a_link_gets_its_thread_too(tmp_path: Path) -> None:
    facts = [
        *SNOW["facts"][:2],
        "we only serve Winnipeg south of the Assiniboine River, east of the Red River",
    ]
    service, settings = _service(tmp_path, **{**SNOW, "facts": facts})
    best = service.candidates(settings.campaigns[0], SLOT)[0].candidate
    assert best.origin is DraftOrigin.COMPOSED and best.passed, best.checks
    assert "https://" not in best.text and len(best.text.split("\n---\n")) == 2
