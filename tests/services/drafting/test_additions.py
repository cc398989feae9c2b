"""What a reviewer rejects that no number or code gives away: a draft that rambles in the
model's own words, calls the business "the brand", puts "The" before its name, or "a" before a
plural; and a brief whose facts follow a colon. Briefs of our own (a bakery, a bookshop)."""

from __future__ import annotations

import pytest

from bot.services.drafting import catalog
from bot.services.drafting.additions import MOST, additions
from bot.services.drafting.checks import CheckSpec, run_checks, soft_score
from bot.services.drafting.composing import compose_facts
from bot.services.drafting.facts import implied, reminders, told, unbacked
from bot.services.drafting.prose import echo, kind, loop, voice

BRAND = "Crumb & Co Bakery"
FACTS = ("sourdough loaves baked fresh every morning", "open from 7:00")
BRIEF = "Write a warm Easter greeting from Crumb & Co Bakery. Mention our hot cross buns."


def spec(facts: tuple[str, ...] = FACTS, brief: str = BRIEF, kind: str = "greeting") -> CheckSpec:
    return CheckSpec(
        brand=BRAND,
        language="en",
        allowed_festivals=frozenset(catalog.mentioned_festivals("Easter")),
        facts=facts,
        mentions=("hot cross buns",),
        nice_words=("hot cross buns", "Easter"),
        backing=(*facts, brief, "Easter", "Easter Sunday", BRAND, "hot cross buns"),
        brief=brief,
        kind=kind,
    )


def failing(body: str, s: CheckSpec) -> dict[str, str]:
    return {c.name: c.detail for c in run_checks(body, body, s) if not c.passed}


PLAIN = (
    "Happy Easter from Crumb & Co Bakery! Our sourdough loaves are baked fresh every morning, and the "
    "hot cross buns are waiting. We open from 7:00."
)


def test_a_greeting_in_stock_phrasing_passes() -> None:
    assert failing(PLAIN, spec()) == {}
    assert (
        failing(
            PLAIN + " May your day be filled with warmth, joy and laughter with family and friends.", spec()
        )
        == {}
    )


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            PLAIN + " Baking is a tradition passed down through generations.",
            {"baking", "tradition", "passed", "generations"},
        ),
        (
            PLAIN + " We always make sure to give them to our neighbours.",
            {"always", "make", "sure", "give", "neighbours"},
        ),
        (PLAIN + " Praise the Lord with your loved ones.", {"praise", "lord"}),
    ],
)
def test_a_draft_rambling_in_its_own_words_fails(body: str, words: set[str]) -> None:
    found = set(additions(body, spec().backing))
    assert words <= found
    if len(found) >= MOST:
        assert "adds" in failing(body, spec())


def test_each_added_word_lowers_the_rank_of_a_passing_draft() -> None:
    rambling = PLAIN + " Enjoy a cozy corner."
    s = spec()
    tight = soft_score(PLAIN, run_checks(PLAIN, PLAIN, s), s)
    loose = soft_score(rambling, run_checks(rambling, rambling, s), s)
    assert "adds" not in failing(rambling, s)
    assert loose < tight


def test_curated_templates_are_not_judged_for_their_wording() -> None:
    body = PLAIN + " Baking is a tradition passed down through generations."
    assert "adds" not in failing(body, CheckSpec(**{**spec().__dict__, "model_wording": False}))


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("The Crumb & Co Bakery: hot cross buns and sourdough loaves baked fresh every morning.", "brand"),
        ("Happy Easter! The Crumb & Co Bakery wishes you well.", "brand"),
        ("A new chapter for the brand: Crumb & Co Bakery bakes hot cross buns.", "voice"),
        ("Easter is here! Crumb & Co Bakery reminds us that we open from 7:00.", "voice"),
        ("Happy Easter from Crumb & Co Bakery! Stop by for a warm hot cross buns.", "grammar"),
    ],
)
def test_slips_a_reviewer_rejects(body: str, check: str) -> None:
    assert check in failing(body, spec(facts=()))


@pytest.mark.parametrize(
    "body",
    [
        "Happy Easter from the Crumb & Co Bakery team! Hot cross buns and sourdough loaves baked fresh every "
        "morning, open from 7:00.",
        "Happy Easter from Crumb & Co Bakery! A box of hot cross buns is waiting for you. Open from 7:00, "
        "sourdough loaves baked fresh every morning.",
    ],
)
def test_english_that_only_looks_like_a_slip_passes(body: str) -> None:
    assert failing(body, spec()) == {}


def test_what_follows_the_colon_of_an_instruction_is_a_fact_when_none_are_listed() -> None:
    brief = "Write a short promotion for Chapter One Books: signed first editions 20% off, this weekend only."
    assert reminders(brief) == ("signed first editions 20% off, this weekend only",)
    assert reminders(brief, colon=False) == ()
    assert implied(brief, colon=False) == ()
    s = CheckSpec(
        brand="Chapter One Books",
        language="en",
        facts=implied(brief),
        backing=(brief, "Chapter One Books"),
        brief=brief,
        kind="promo",
    )
    assert "facts" in failing("Chapter One Books: signed first editions, 20% off today!", s)
    assert failing("Chapter One Books: signed first editions 20% off, this weekend only!", s) == {}


def test_today_is_a_claim_a_promo_must_not_invent() -> None:
    promo = ("Write a short promotion for Chapter One Books: bookmarks free with every order.",)
    assert unbacked("Today only: bookmarks free with every order!", promo) == ["when:today"]
    assert unbacked("Happy World Book Day! Today we celebrate readers.", (*promo, "today")) == []


def test_two_sentences_may_end_on_the_holiday_name() -> None:
    body = "Happy New Year's Day! From all of us at Crumb & Co Bakery: open from 12:00 on New Year's Day."
    assert loop(body, (BRAND, "New Year's Day")).passed
    assert not loop("We bake with love. You eat with love.", (BRAND,)).passed
    assert loop("News from Crumb & Co Bakery: from Monday we open at 6:30.", (BRAND,)).passed


# Found by the first run on the new final split (2026-12-06); each is a rule, not a label.


def test_a_fact_written_as_an_order_to_the_reader_is_not_an_echo() -> None:
    brief = "Write a short promotion for Silver Birch Spa."
    stated = ("massage for $60", "mention code CALM60 when you book")
    assert echo("Silver Birch Spa: massage for $60. Mention code CALM60 when you book.", brief, stated).passed
    assert not echo("Mention our massage. Silver Birch Spa: massage for $60.", brief, stated).passed


def test_a_required_weekday_is_held_by_its_plural() -> None:
    s = CheckSpec(brand="Silver Birch Spa", language="en", required_words=("Saturday",))
    results = {c.name: c.passed for c in run_checks("Silver Birch Spa: Saturdays 9:00-13:00.", "x", s)}
    assert results["required:Saturday"]


@pytest.mark.parametrize(
    ("body", "passed"),
    [
        ("Happy Paws Grooming is closed until December 28. Book online.", False),  # the brand wishes nothing
        ("Merry Christmas from Happy Paws Grooming! We are closed until December 28.", True),
        ("Wishing you a cosy Christmas, from Happy Paws Grooming.", True),
    ],
)
def test_a_greeting_must_wish_something(body: str, passed: bool) -> None:
    assert kind(body, "greeting", (), "Happy Paws Grooming").passed is passed


@pytest.mark.parametrize(
    "body",
    [
        "Awesome, Happy Paws Grooming! Two dogs, second one 20% off.",
        "Serves ya right, Happy Paws Grooming: two dogs, second one 20% off.",
    ],
)
def test_hailing_the_business_is_the_wrong_voice(body: str) -> None:
    assert not voice(body, "Happy Paws Grooming").passed


def test_a_post_that_describes_itself_without_an_article_is_an_echo() -> None:
    assert not echo(
        "Awesome promotion for Happy Paws Grooming! Two dogs, one price.", "Write a promo."
    ).passed
    assert echo("Good news from Happy Paws Grooming! Two dogs, one price.", "Write a promo.").passed


def test_a_composed_draft_leads_with_what_the_brief_asks_to_tell() -> None:
    bodies = compose_facts(
        ("Silver Birch Spa has new opening hours", "from Monday we open at 8:00"),
        (),
        brand="Silver Birch Spa",
        kind="announcement",
        holiday="",
    )
    assert bodies == ["Silver Birch Spa has new opening hours. From Monday we open at 8:00."]
    greeting = compose_facts(("we open at 8:00",), (), brand="Silver Birch Spa", kind="greeting", holiday="")
    assert greeting == ["Warm wishes! From all of us at Silver Birch Spa: we open at 8:00."]


# Found by a hostile new-user pass (2026-12-06): a post that turns a fact around passed.


@pytest.mark.parametrize(
    ("body", "fact"),
    [
        (
            "Pinewood Hardware: we are open on December 24 and December 25.",
            "closed on December 24 and December 25",
        ),
        ("Pinewood Hardware: sale not this Saturday and Sunday.", "sale this Saturday and Sunday"),
    ],
)
def test_a_post_that_turns_a_fact_around_fails(body: str, fact: str) -> None:
    s = CheckSpec(
        brand="Pinewood Hardware",
        language="en",
        facts=(fact,),
        backing=(fact, "Write a short notice for Pinewood Hardware.", "Pinewood Hardware"),
        kind="announcement",
    )
    bad = failing(body, s)
    assert "facts" in bad or "invented" in bad
    right = body.replace("open on", "closed on").replace("not this", "this")
    assert failing(right, s) == {}


def test_loop_messages_name_no_internal_placeholder() -> None:
    found = loop("Come to Crumb & Co Bakery's shop. Love from Crumb & Co Bakery's shop.", (BRAND,))
    assert not found.passed and "qqname" not in found.detail


def test_two_sentences_may_both_end_on_a_time_phrase() -> None:
    body = "Pinewood Hardware wishes you a merry Christmas this year. Thank you for shopping local this year."
    assert loop(body, ("Pinewood Hardware",)).passed


def test_a_reminder_that_repeats_a_listed_fact_is_not_a_second_fact() -> None:
    brief = (
        "Write a Fourth of July greeting from Pinewood Hardware. Remind them we are closed on the holiday."
    )
    assert told(brief, ("closed all day on July 4",)) == ()
    assert told(brief, ("rock salt 2 for $10",)) == ("we are closed on the holiday",)


def test_an_announcement_written_as_a_sale_is_named_with_its_article() -> None:
    found = kind("Use the code SAVE10 at checkout!", "announcement", ())
    assert not found.passed and found.detail.startswith("an announcement")


def test_a_brief_without_facts_states_its_offer_in_plain_sentences() -> None:
    """Hostile finding: everything in the brief, no `facts`, and an empty template passed."""
    brief = (
        "Write a short promotion for Suds Laundromat's wash-and-fold service.\n"
        "Drop off your laundry by 10am and pick it up folded the same day after 6pm.\n"
        "It costs $1.75 per pound, with a 10 pound minimum. Keep it short."
    )
    assert reminders(brief) == (
        "Drop off your laundry by 10am and pick it up folded the same day after 6pm",
        "It costs $1.75 per pound, with a 10 pound minimum",
    )
    # with listed facts, the brief's own statements are read too (not its "Write ...: X" colon)
    assert reminders(brief, colon=False) == reminders(brief)
    s = CheckSpec(
        brand="Suds Laundromat",
        language="en",
        facts=implied(brief),
        backing=(brief, "Suds Laundromat", "wash-and-fold service"),
        brief=brief,
        kind="promo",
    )
    assert "facts" in failing("Good news from Suds Laundromat: wash-and-fold service, ready for you.", s)


def test_a_day_of_remembrance_gets_no_happy_wish() -> None:
    """Found on the second fresh final split: "Happy Memorial Day!" for a respectful greeting."""
    bodies = compose_facts(
        ("we are open from 9:00 to 14:00",),
        (),
        brand="Pine Nursery",
        kind="greeting",
        holiday="Memorial Day",
        solemn=True,
    )
    assert bodies == [
        "Wishing you a peaceful Memorial Day. From all of us at Pine Nursery: we are open from 9:00 to 14:00."
    ]
    s = CheckSpec(
        brand="Pine Nursery",
        language="en",
        allowed_festivals=frozenset({"memorial-day"}),
        kind="greeting",
    )
    assert "festival" in failing("Happy Memorial Day from Pine Nursery!", s)
    assert "festival" not in failing("Wishing you a peaceful Memorial Day, from Pine Nursery.", s)


def test_a_promo_whose_facts_never_name_the_product_is_led_by_it() -> None:
    bodies = compose_facts(
        ("It costs $89 instead of $120",),
        (),
        brand="Bay Car Wash",
        kind="promo",
        holiday="",
        product="full detail",
    )
    assert bodies == ["Full detail at Bay Car Wash: it costs $89 instead of $120."]


def test_product_leads_are_taken_in_turn_too() -> None:
    made = {
        compose_facts(
            ("It costs $89",),
            (),
            brand="Bay Car Wash",
            kind="promo",
            holiday="",
            product="full detail",
            turn=t,
        )[0]
        for t in range(4)
    }
    assert len(made) == 4 and all("full detail" in m.casefold() for m in made)


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (PLAIN + " Pop in to see Elm Road's new mural.", "Elm Road"),
        (
            "Happy Easter from Crumb & Co Bakery and everyone at Sunny Side Cafe! " + PLAIN[28:],
            "Sunny Side Cafe",
        ),
        ("Tina's favourite: hot cross buns! " + PLAIN, "Tina"),
    ],
)
def test_a_name_the_campaign_never_gives_fails(body: str, name: str) -> None:
    assert failing(body, spec()).get("unknown_name") == f"names what the campaign does not: {name}"


def test_names_the_campaign_gives_days_and_sentence_starts_are_not_unknown() -> None:
    backed = spec(facts=(*FACTS, "Maya bakes the hot cross buns on Friday"))
    body = PLAIN + " Maya bakes the hot cross buns on Friday, fresh for Easter Sunday. Enjoy!"
    assert "unknown_name" not in failing(body, backed)
    assert "unknown_name" not in failing(PLAIN + " Wonderful buns, Crumb & Co Bakery style.", spec())
