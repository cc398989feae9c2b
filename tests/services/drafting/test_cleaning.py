"""Cleaning raw model output into a post body, and composing the final post."""

from __future__ import annotations

import pytest

from bot.services.drafting.cleaning import bare, clean_body, compose, finished, has_placeholder


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"Happy Mid-Autumn Festival from us!"', "Happy Mid-Autumn Festival from us!"),
        ("“Warm wishes to all of you today!”", "Warm wishes to all of you today!"),
        ("Sure! Here is a post: Enjoy the full moon with us.", "Enjoy the full moon with us."),
        ("Post: Enjoy the full moon with family tonight.", "Enjoy the full moon with family tonight."),
        ("Enjoy tea tonight #MidAutumn #Tea", "Enjoy tea tonight"),
        ("Thanks @lotus_tea for the tea, friends!", "Thanks for the tea, friends!"),
        ("Visit https://spam.example/x today, friends!", "Visit today, friends!"),
        ("A calm cup for a calm evening. And then we will go to the", "A calm cup for a calm evening."),
        ("First post here, a nice one.\n\nPost 2: another variant.", "First post here, a nice one."),
    ],
)
def test_clean_body(raw: str, expected: str) -> None:
    assert clean_body(raw) == expected


def test_clean_keeps_email_like_and_cjk() -> None:
    assert clean_body("中秋快乐！#中秋") == "中秋快乐！"


def test_compose_adds_link_and_tags_once() -> None:
    text = compose("Hello there.", "https://a.example/shop", ["#Tea", "Moon", "#Tea"])
    assert text == "Hello there.\n\nhttps://a.example/shop #Tea #Moon"
    assert compose("See https://a.example/shop now.", "https://a.example/shop", []) == (
        "See https://a.example/shop now."
    )
    assert compose("Plain.", None, []) == "Plain."


@pytest.mark.parametrize(
    ("cut", "kept"),
    [
        ("Happy Mid-Autumn! Our tasting runs until 5 p.m.", "Happy Mid-Autumn!"),
        ("Happy Mid-Autumn! Tickets are $3.", "Happy Mid-Autumn!"),
        ("Happy Mid-Autumn! Open from 9 a.m. to 5", "Happy Mid-Autumn!"),  # "a.m. to" goes on
        ("Our teas (green and black) are", None),
        ("Enjoy tea 🍵 with", None),
        ("Happy Mid-Autumn! 🎉 Our mooncakes are", "Happy Mid-Autumn!"),
        ("“Happy Mid-Autumn!” Our mooncakes are", "“Happy Mid-Autumn!”"),
        ("First post, a nice one.\n\nPost 2: another var", "First post, a nice one."),
        ("中秋快乐！愿您阖家团圆，月", "中秋快乐！"),
        ("Open until 5 p.m.", None),
    ],
)
def test_a_cut_text_keeps_the_sentences_the_model_wrote_past(cut: str, kept: str | None) -> None:
    assert finished(cut) == kept


@pytest.mark.parametrize(
    ("body", "added"),
    [
        ("Brewing now #teatime", "#tea"),  # a longer tag is another tag
        ("Brewing now #tea_time", "#tea"),
        ("Brewing now #TeaHouse #greentea", "#tea"),  # nor is a tag that ends with it
        ("Brewing now #tea", ""),
        ("Brewing now #TEA.", ""),  # platforms match tags in any case
        ("#Tea: brewing now", ""),
        ("Brewing now (#tea)", ""),
    ],
)
def test_compose_matches_whole_hashtags_in_any_case(body: str, added: str) -> None:
    assert compose(body, None, ["tea"]) == (f"{body}\n\n{added}" if added else body)
    assert compose(body, None, ["#tea"]) == (f"{body}\n\n{added}" if added else body)


def test_bare_removes_whole_hashtags_only() -> None:
    post = "Brewing #teatime now #Tea. #tea_time #TEA"
    assert bare(post, None, ["#tea"]) == "Brewing #teatime now . #tea_time"
    assert bare("Zoë's #straße #STRASSE", None, ["straße"]) == "Zoë's"


def test_placeholders_detected() -> None:
    assert has_placeholder("Happy holidays from [Your Name]!")
    assert has_placeholder("Hi {{ brand }}")
    assert not has_placeholder("Happy holidays from us!")


def test_drop_sentences_copied_from_the_example() -> None:
    from bot.services.drafting.cleaning import drop_sentences

    body = "Oolong is 10% off with FRIDAYTEA. Happy reading!"
    assert drop_sentences(body, lambda s: "reading" in s) == "Oolong is 10% off with FRIDAYTEA."
    assert drop_sentences("Happy reading!", lambda s: "reading" in s) == "Happy reading!"


@pytest.mark.parametrize("raw", ["", "   ", '""', "#tag @who", "\n\n"])
def test_empty_or_decoration_only_output_cleans_to_empty(raw: str) -> None:
    assert clean_body(raw) == ""
