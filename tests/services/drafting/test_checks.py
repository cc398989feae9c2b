"""The strict checks on a candidate and the platform limits they use."""

from __future__ import annotations

from bot.adapters.platforms.bluesky_platform import BlueskyAccount
from bot.adapters.platforms.dryrun import DryRunAccount
from bot.adapters.platforms.limits import grapheme_count, limit_for, x_weighted_length
from bot.adapters.platforms.mastodon_platform import MastodonAccount
from bot.adapters.platforms.reddit_platform import RedditAccount
from bot.adapters.platforms.x_platform import XAccount
from bot.domain import CheckResult
from bot.services.drafting.checks import CheckSpec, language_of, run_checks, similarity

BRAND = "Lotus Leaf Tea House"


def spec(**kw: object) -> CheckSpec:
    base: dict[str, object] = {
        "brand": BRAND,
        "language": "en",
        "allowed_festivals": frozenset({"mid-autumn"}),
    }
    base.update(kw)
    return CheckSpec(**base)  # type: ignore[arg-type]


def failed(text: str, s: CheckSpec) -> dict[str, CheckResult]:
    return {c.name: c for c in run_checks(text, text, s) if not c.passed}


GOOD = "Happy Mid-Autumn Festival from Lotus Leaf Tea House! Share a mooncake under the full moon."


def test_good_post_passes() -> None:
    assert failed(GOOD, spec()) == {}


def test_brand_must_be_exact() -> None:
    bad = failed(GOOD.replace(BRAND, "Lotus leaf tea house"), spec())
    assert "written exactly" in bad["brand"].detail
    assert "missing" in failed(GOOD.replace(BRAND, "our shop"), spec())["brand"].detail


def test_required_and_forbidden_words() -> None:
    bad = failed(GOOD, spec(required_words=("FRIDAYTEA",), forbidden_words=("moon",)))
    assert set(bad) == {"required:FRIDAYTEA", "forbidden:moon"}


def test_wrong_festival() -> None:
    bad = failed(GOOD + " Merry Christmas!", spec())
    assert "Christmas" in bad["festival"].detail


def test_new_year_is_fine_for_spring_festival() -> None:
    s = spec(allowed_festivals=frozenset({"spring-festival"}), festival_ok_names=("New Year",))
    text = f"Happy Chinese New Year from {BRAND}! A happy new year to every family out there."
    assert "festival" not in failed(text, s)
    assert "festival" in failed(text + " Merry Christmas.", s)


def test_emoji_cap() -> None:
    assert "emoji" in failed(GOOD + " 🌕🥮🍵", spec(max_emoji=2))
    assert "emoji" not in failed(GOOD + " 🌕", spec(max_emoji=2))


def test_language() -> None:
    assert language_of("Lotus Leaf Tea House祝您中秋快乐，阖家团圆", [BRAND]) == "zh"
    assert language_of(GOOD) == "en"
    zh = spec(language="zh", neutral=(BRAND,))
    assert "language" in failed(GOOD, zh)
    assert "language" not in failed(f"{BRAND}祝您中秋快乐，阖家团圆！", zh)


def test_platform_limits() -> None:
    x = limit_for(XAccount(name="x", platform="x"))
    assert x_weighted_length("中" * 10) == 20
    assert x.fits("a" * 280) and not x.fits("a" * 281) and not x.fits("中" * 141)
    assert x_weighted_length("see https://example.com/" + "a" * 200) == 4 + 23
    bsky = limit_for(BlueskyAccount(name="b", platform="bluesky", handle="a.example"))
    family = "👨‍👩‍👧"
    assert grapheme_count(family * 300) == 300 and bsky.fits("e\u0301" * 300)
    assert not bsky.fits(family * 300)  # 5,400 UTF-8 bytes: over Bluesky's 3,000
    assert not bsky.fits("a" * 301)
    masto = limit_for(MastodonAccount(name="m", platform="mastodon", max_chars=1000))
    assert masto.maximum == 1000
    assert limit_for(MastodonAccount(name="m", platform="mastodon")).maximum == 500
    assert limit_for(RedditAccount(name="r", platform="reddit", subreddit="tea")).maximum == 300
    assert limit_for(DryRunAccount(name="d", platform="dryrun")).maximum is None


def test_limit_check_names_the_account() -> None:
    x = limit_for(XAccount(name="teahouse-x", platform="x"))
    bad = failed(GOOD + " More words." * 30, spec(limits=(("teahouse-x", x),)))
    assert "x)" in bad["limit:teahouse-x"].detail


def test_a_post_too_long_says_how_long_its_text_may_be_beside_the_link_and_hashtags() -> None:
    """The hostile pass's finding 10: "307/280" said nothing of the 75 the tail takes."""
    x = limit_for(XAccount(name="teahouse-x", platform="x"))
    body = GOOD + " More words." * 17  # about 295 characters
    text = f"{body} https://lotusleaf.com/shop #TeaTime #MidAutumn"  # 23 for the link
    (check,) = (
        c for c in run_checks(text, body, spec(limits=(("teahouse-x", x),))) if c.name == "limit:teahouse-x"
    )
    tail = x_weighted_length(text) - x_weighted_length(body)
    assert tail == 1 + 23 + 1 + 8 + 1 + 10 and x_weighted_length(text) > 280
    assert not check.passed
    assert check.detail == (
        f"{x_weighted_length(text)}/280 weighted (x): the text may have at most {280 - tail} characters "
        f"on teahouse-x (the link and hashtags added after it take {tail}); it has {x_weighted_length(body)}"
    )
    bare = [
        c for c in run_checks(body, body, spec(limits=(("teahouse-x", x),))) if c.name.startswith("limit")
    ]
    room = "the text may have at most 280 characters on teahouse-x"
    assert bare[0].detail == f"{len(body)}/280 weighted (x): {room}; it has {len(body)}"
    fits = [
        c for c in run_checks(GOOD, GOOD, spec(limits=(("teahouse-x", x),))) if c.name.startswith("limit")
    ]
    assert fits[0].passed and fits[0].detail == f"{len(GOOD)}/280 weighted (x)"


def test_near_duplicate_of_recent() -> None:
    assert similarity(GOOD, GOOD + "!") > 0.9
    assert "not_duplicate" in failed(GOOD, spec(recent=(GOOD.replace("Share", "share"),)))
    other = "Lotus Leaf Tea House brews Tieguanyin oolong every Friday afternoon for friends."
    assert "not_duplicate" not in failed(GOOD, spec(recent=(other,)))


def test_leftovers_fail_clean() -> None:
    assert "clean" in failed("Here is a post for Lotus Leaf Tea House and the Mid-Autumn Festival.", spec())
    assert "clean" in failed(GOOD + " [Your Name]", spec())
    assert "length" in failed("Hi", spec(brand=""))


def test_example_copy_and_gloomy_words() -> None:
    bad = failed(GOOD + " Happy reading!", spec(example_words=("reading", "apple pie")))
    assert "reading" in bad["not_example"].detail
    assert "not_example" not in failed(GOOD + " Spreading joy.", spec(example_words=("reading",)))
    assert (
        "gloomy"
        in failed("Mournful Mid-Autumn Festival from Lotus Leaf Tea House to you all!", spec())[
            "clean"
        ].detail
    )


def test_shorten_drops_trailing_sentences_to_fit() -> None:
    from bot.services.drafting.cleaning import shorten

    body = "Happy day from us! We love tea. Come by soon."
    assert shorten(body, lambda b: len(b) <= 32) == "Happy day from us! We love tea."
    assert shorten(body, lambda b: False) == "Happy day from us!"


def test_echo_of_the_brief_fails() -> None:
    text = "Mentioning a mooncake is a way to celebrate the Mid-Autumn Festival at Lotus Leaf Tea House."
    assert "instructions" in failed(text, spec())["clean"].detail


def test_invisible_characters_fail_a_generated_draft() -> None:
    """A zero-width space hides "free" from the offer-word check and the reviewer's eye."""
    for hidden in ("\u200b", "\u200c", "\u2060", "\ufeff", "\u00ad", "\x1b"):
        bad = failed(GOOD.replace("mooncake", f"moon{hidden}cake"), spec())
        assert "characters" in bad, repr(hidden)
        assert f"U+{ord(hidden):04X}" in bad["characters"].detail or "\\x1b" in bad["characters"].detail
    # an emoji sequence joined by ZWJ is a visible emoji, not a hidden character
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert "characters" not in failed(f"{GOOD} {family}", spec())


def test_a_curly_apostrophe_is_the_brand_s_own() -> None:
    """Phones type "Mabel’s"; the brand is written "Mabel's" in the config (and the other way)."""
    text = "Happy Christmas from Mabel’s Bakehouse! Thank you to everyone who sang carols with us."
    assert failed(text, spec(brand="Mabel's Bakehouse", allowed_festivals=frozenset({"christmas"}))) == {}
    assert (
        failed(
            text.replace("’", "'"),
            spec(brand="Mabel’s Bakehouse", allowed_festivals=frozenset({"christmas"})),
        )
        == {}
    )


def test_a_date_whose_month_is_its_day_is_no_loop() -> None:
    from bot.services.drafting.prose import loop

    for body in (
        "We're open today, Saturday 2026-12-12, from 8am.",
        "Doors open at 12:12 on 1/1.",
        "See you on 03.03.2027 at the shop.",
    ):
        assert loop(body).passed, body
    assert not loop("We're open today today, from 8am.").passed
