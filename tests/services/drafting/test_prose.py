"""The reviewer's prose checks: echoed instructions, loops, cut or run-on sentences, and the
wrong kind of post."""

from __future__ import annotations

import pytest

from bot.services.drafting import catalog
from bot.services.drafting.checks import CheckSpec, run_checks
from bot.services.drafting.prose import articles, echo, kind, loop, sentences, voice

BRIEF = (
    "Write a Christmas greeting from Nonna Rosa Pizzeria to our members. Remind them that pre-ordered "
    "family pizza box orders can be picked up until 16:00 on Christmas Eve."
)


@pytest.mark.parametrize(
    "body",
    [
        "Merry Christmas from Nonna Rosa Pizzeria! Remind them that pre-orders can be picked up until 16:00.",
        "Mention our family pizza box. Merry Christmas!",
        "Merry Christmas to our members from Nonna Rosa Pizzeria!",
        "Merry Christmas! Let everyone know that orders can be picked up until 16:00 on Christmas Eve.",
        "Write a warm Christmas greeting. Nonna Rosa Pizzeria wishes you joy.",
    ],
)
def test_echoed_instructions_fail(body: str) -> None:
    assert not echo(body, BRIEF).passed


def test_a_post_speaking_to_its_readers_passes() -> None:
    body = (
        "Merry Christmas from Nonna Rosa Pizzeria! Your family pizza box is ready to pick up until 16:00 "
        "on Christmas Eve."
    )
    assert echo(body, BRIEF).passed
    assert loop(body, ("Nonna Rosa Pizzeria",)).passed
    assert sentences(body).passed
    assert kind(body, "greeting", (BRIEF,)).passed


@pytest.mark.parametrize(
    "body",
    [
        "Hi there, Hi there, Hi there! Come to Crux Climbing Gym.",
        "Climb with us today. Climb with us today.",
        "Happy New Year 🎉🎉🎉 from Crux Climbing Gym!",
        "Fresh routes, fresh routes everywhere at Crux Climbing Gym!",
        "Climb and climb: the wall, the climb, the climbers, climb, climb more at the gym!",
        "Join the fun at the gym. The fun at the gym never stops!",
    ],
)
def test_loops_fail(body: str) -> None:
    assert not loop(body, ("Crux Climbing Gym",)).passed


def test_the_brand_may_appear_twice() -> None:
    body = "Crux Climbing Gym says happy new year! See you soon at Crux Climbing Gym."
    assert loop(body, ("Crux Climbing Gym",)).passed


@pytest.mark.parametrize(
    "body",
    [
        "Happy Labor Day from Crux Climbing Gym! Come and join us for a climb and",
        "Happy Labor Day from Crux Climbing Gym! We hope you and your.",
        "Happy Labor Day from Crux Climbing Gym, " + "and we hope you climb and rest and " * 6 + "smile!",
    ],
)
def test_cut_and_run_on_sentences_fail(body: str) -> None:
    assert not sentences(body).passed


def test_an_announcement_turned_into_a_sale_fails() -> None:
    brief = "Announce that Nonna Rosa Pizzeria now delivers."
    body = "Nonna Rosa Pizzeria now delivers! Use the code PIZZA10 at checkout."
    assert not kind(body, "announcement", (brief,)).passed
    assert kind(body, "promo", (brief,)).passed
    assert kind("Nonna Rosa Pizzeria now delivers every evening!", "announcement", (brief,)).passed


@pytest.mark.parametrize(
    "body",
    [
        "Dear Nonna Rosa Pizzeria, I hope this message finds you well.",
        "Happy Fourth of July! I'm so proud of our pizza.",
        "Warmest Thanksgiving to Nonna Rosa Pizzeria, thanks for your support.",
        "Thanks, Nonna Rosa Pizzeria, for your wonderful gift.",
    ],
)
def test_letters_first_person_and_posts_to_the_brand_fail(body: str) -> None:
    assert not voice(body, "Nonna Rosa Pizzeria").passed


def test_a_post_from_the_brand_to_its_readers_has_the_right_voice() -> None:
    body = "Happy Thanksgiving from Nonna Rosa Pizzeria! New to the Nonna Rosa Pizzeria menu: tiramisu."
    assert voice(body, "Nonna Rosa Pizzeria").passed


def test_a_post_describing_itself_echoes_the_brief() -> None:
    brief = "Write a short spring promotion for Spoke & Chain Cycles."
    assert not echo("A great spring promotion for Spoke & Chain Cycles! Tune-ups for $49.", brief).passed
    assert not echo("Our regulars will love it. Happy New Year!", "Write a greeting to our regulars.").passed


def test_a_greeting_addressed_to_the_readers_named_in_the_brief_is_no_echo() -> None:
    brief = "Write a warm Thanksgiving greeting from Harbor Light Locksmiths to our neighbors in Portland."
    body = "Happy Thanksgiving from Harbor Light Locksmiths to our neighbors in Portland!"
    assert echo(body, brief).passed


@pytest.mark.parametrize(
    "body",
    [
        "Happy Thanksgiving to all of you at Harbor Light Locksmiths!",
        "Awesome, Harbor Light Locksmiths for the wedding season! Locks from $49.",
    ],
)
def test_greeting_the_shop_s_own_staff_or_hailing_it_fails(body: str) -> None:
    assert not voice(body, "Harbor Light Locksmiths").passed


def _holiday_spec(names: tuple[str, ...], facts: tuple[str, ...] = ()) -> CheckSpec:
    return CheckSpec(
        brand="Maple Mugs",
        language="en",
        allowed_festivals=frozenset(catalog.mentioned_festivals(" ".join(names))),
        holiday_names=names,
        facts=facts,
        backing=facts,
        kind="greeting",
    )


@pytest.mark.parametrize(
    ("body", "names", "wrong"),
    [
        ("Wishing you a happy Canada! From all of us at Maple Mugs.", ("Canada Day",), "happy Canada"),
        ("Enjoy the festive Canadian Day with Maple Mugs!", ("Canada Day",), "Canadian Day"),
        ("Your labor day is just around the corner!", ("Labor Day", "Labour Day"), "labor day"),
        ("merry christmas from Maple Mugs!", ("Christmas", "Christmas Day"), "christmas"),
    ],
)
def test_a_holiday_s_name_written_wrong_fails(body: str, names: tuple[str, ...], wrong: str) -> None:
    spec = _holiday_spec(names)
    results = {c.name: c for c in run_checks(body, body, spec)}
    assert not results["festival"].passed
    assert repr(wrong) in results["festival"].detail


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ("Happy Canada Day from Maple Mugs! Proudly Canadian since 1990.", ("Canada Day",)),
        ("Happy Christmas from Maple Mugs!", ("Christmas", "Christmas Day")),
        ("Happy New Year from Maple Mugs, and happy new beginnings!", ("New Year's Day", "New Year")),
        ("Happy Fourth from Maple Mugs!", ("Independence Day", "Fourth of July")),
        ("Wishing you a wonderful Christmas from Maple Mugs.", ("Christmas", "Christmas Day")),
    ],
)
def test_a_holiday_s_name_written_right_or_shortened_as_people_do_passes(
    body: str, names: tuple[str, ...]
) -> None:
    spec = _holiday_spec(names)
    failed = {c.name: c.detail for c in run_checks(body, body, spec) if not c.passed}
    assert "festival" not in failed and "grammar" not in failed, failed


def test_a_holiday_written_in_lower_case_by_the_campaign_itself_passes() -> None:
    spec = _holiday_spec(("Labor Day",), facts=("closed on labor day",))
    body = "Maple Mugs is closed on labor day. Enjoy the long weekend!"
    assert {c.name for c in run_checks(body, body, spec) if not c.passed}.isdisjoint({"festival"})


def test_a_sentence_pushed_into_an_invitation_fails() -> None:
    assert not sentences("Happy New Year! Stop by for the practice is closed on January 1.").passed
    assert sentences("Happy New Year! Stop by for a slice of cake and good company.").passed


def test_the_readers_named_as_the_brief_names_them_fail_unless_greeted() -> None:
    brief = "Write a gentle greeting. Wish our students a bright full moon."
    assert not echo("Kiln & Clay wishes our students a happy full moon.", brief).passed
    assert echo("Happy Mid-Autumn Festival from Kiln & Clay to our students!", brief).passed


def test_a_possessive_before_an_article_fails() -> None:
    assert "Our a flight" in sentences("Our a flight of four beers for $12.").detail
    assert sentences("Our flight of four beers is $12.").passed


def test_a_fact_stated_inside_a_longer_sentence_is_no_echo() -> None:
    brief = "Send a merry Christmas message and thank the families who shopped with us this year."
    fact = "thank you to the families who shopped with us this year"
    body = "Happy Christmas! From all of us at Maple Mugs: " + fact + "."
    assert echo(body, brief, (fact,)).passed
    assert not echo(body, brief).passed


@pytest.mark.parametrize(
    "body",
    [
        "Blessed Crumb & Co Bakery! Cinnamon buns 2 for $5 today.",
        "Crumb & Co Bakery, welcome to the party! Cinnamon buns 2 for $5 today.",
        "Awesome, Crumb & Co Bakery for the wedding season!",
    ],
)
def test_hailing_the_business_fails_voice(body: str) -> None:
    assert not voice(body, "Crumb & Co Bakery").passed


def test_a_greeting_does_not_invite_people_in_on_a_day_the_shop_is_closed() -> None:
    backing = ("we are closed on 25 and 26 December",)
    invite = "Happy Christmas! Celebrate with us at Crumb & Co Bakery. We are closed on 25 and 26 December."
    assert "closed" in kind(invite, "greeting", backing).detail
    plain = "Happy Christmas from Crumb & Co Bakery! We are closed on 25 and 26 December. See you soon!"
    assert kind(plain, "greeting", backing).passed
    reopening = ("closed on January 1", "we reopen on January 2 at 8:00")
    assert kind(
        "Happy New Year! Closed on January 1; stop by from January 2 at 8:00.", "greeting", reopening
    ).passed


def test_a_day_named_twice_in_one_sentence_is_a_loop_unless_a_fact_does_it() -> None:
    assert "saturday" in loop("Saturdays at Steady Step now opens on Saturdays from 8:00.").detail
    assert loop("Open on Saturdays from 8:00, and on Sundays from 10:00.").passed
    fact = ("every Friday, and this Friday too, from 19:00",)
    assert loop("Mug night every Friday, and this Friday too, from 19:00.", facts=fact).passed


def test_my_is_the_owner_speaking_not_the_business() -> None:
    assert not voice("Half my customers love Hemline Tailors.", "Hemline Tailors").passed


def test_an_order_carried_on_after_and_with_no_one_to_do_it_is_an_echo() -> None:
    brief = "Wish everyone a cosy Christmas and say we're closed Dec 25."
    assert not echo("Happy Christmas from Rind & Wheel, and wish everyone a cozy Christmas.", brief).passed
    assert echo("We thank you and wish everyone a cozy Christmas.", brief).passed


def test_two_swapped_letters_are_a_misspelling_but_the_campaign_s_own_words_are_not() -> None:
    from bot.services.drafting.prose import spelling

    assert not spelling("Hope you had a lovley Easter!").passed
    assert spelling("Hope you had a lovely Easter!").passed
    assert spelling("Try our new brioche loaves and croissants.").passed
    assert spelling("Meet Doris, our sourdough starter.", own=("Doris",)).passed


@pytest.mark.parametrize(
    ("body", "passes"),
    [
        ("Any latte plus an hour with the cats for $12. Treats!", False),
        ("Any latte plus an hour with the cats for $12. Enjoy!", True),
        ("Dr. Priya Shah has joined us. She sees children and adults.", True),
        # facts stated as written: a price, a day, an apology
        ("Bottomless pancakes at Copper Kettle Diner: $9.99. Weekdays before 11am.", True),
        ("Chicken pot pie at Rolling Pin Pies: buy 2 get 1 free. Wednesdays.", True),
        ("Fuel dock's out of service until Thursday. Sorry!", True),
    ],
)
def test_a_word_left_on_its_own_is_a_fragment_unless_it_is_an_exclamation(body: str, passes: bool) -> None:
    assert sentences(body).passed is passes


def test_the_same_price_twice_in_one_sentence_is_a_loop() -> None:
    body = "A latte and cat hour is $12, any latte plus an hour with the cats for $12, Tuesday to Thursday."
    assert not loop(body).passed
    assert loop("A latte and cat hour is $12, Tuesday to Thursday.").passed


@pytest.mark.parametrize(
    "body",
    [
        "Come visit Spoke Street Bike Co-op and have a bright the season.",
        "Happy the season from Spoke Street Bike Co-op!",
        "Here at Spoke Street Bike Co-op we wish you peace and happiness this the season.",
        "Wishing you a joyful the season, with love from everyone at Spoke Street Bike Co-op.",
        "Thanks for riding with us. Happy the holidays!",
        "Have a the best day at Spoke Street Bike Co-op.",
    ],
)
def test_the_after_a_word_that_takes_none_fails_grammar(body: str) -> None:
    result = articles(body, ())
    assert not result.passed and "'the' after" in result.detail, result


@pytest.mark.parametrize(
    "body",
    [
        "We're so happy the new workshop is open!",
        "Is this the best bike shop in Brunswick? Come and see.",
        "Give a friend the gift of a tune-up.",
        "Grab a coffee the way you like it while we fix your flat.",
        "Happy Mid-Autumn Festival from Spoke Street Bike Co-op!",
        "We're glad that the season is here. Enjoy the season!",
        "Season's greetings from Spoke Street Bike Co-op!",
    ],
)
def test_the_where_it_belongs_passes_grammar(body: str) -> None:
    assert articles(body, ()).passed, body
