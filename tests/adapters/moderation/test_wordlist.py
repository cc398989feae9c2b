"""The word-list scorer: masking undone, innocent words left alone, user lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.moderation.wordlist import WordlistScorer, forms
from bot.domain.errors import ConfigError


@pytest.fixture(scope="module")
def words() -> WordlistScorer:
    return WordlistScorer()


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("You are an idiot", "idiot"),
        ("what an id*ot", "idiot"),
        ("i.d.i.o.t", "idiot"),
        ("I D I O T", "idiot"),
        ("1d10t", "idiot"),
        ("ｉｄｉｏｔ", "idiot"),  # full width
        ("іdiot", "idiot"),  # Cyrillic і
        ("ídíót", "idiot"),  # accents
        ("id\u200biot", "idiot"),  # zero-width space
        ("idiooooot", "idiot"),
        ("f u c k you", "*fuck*"),
        ("f-u-c-k off", "*fuck*"),
        ("you are a f u c k i n g joke", "*fuck*"),
        ("F**K this", "*fuck*"),
        ("dipsh*t", "*shit*"),
        ("kiss my a**", "kiss my ass"),
        ("motherf***er", "*fuck*"),
        ("$hit happens", "shit*"),
        ("sh!t", "shit*"),
        ("@sshole", "asshole"),
        ("a$$hole", "asshole"),
        ("ur a b1tch", "bitch*"),
        ("idiots everywhere", "idiot"),
        ("#fuckthis", "*fuck*"),
        ("you're stupid", "you are stupid"),
        ("k y s", "kys"),
        ("你是个白痴", "白痴"),
        ("傻*逼", "傻逼"),
        ("傻 逼", "傻逼"),
        ("傻.逼", "傻逼"),
        ("你就是个SB", "sb"),
        ("nmsl", "nmsl"),
        ("他媽的", "他媽的"),
    ],
)
def test_masked_and_plain_terms_match(words: WordlistScorer, text: str, term: str) -> None:
    assert term in words.explain(text)
    assert words.score([text]) == [{"match": 1.0}]


@pytest.mark.parametrize(
    "text",
    [
        "Scunthorpe United fans get 10% off",
        "Classic assam with free shipping",
        "Spicy chai is back",
        "Our rapeseed honey cake",
        "Cocktail hour starts at six",
        "Fresh shiitake dumplings",
        "Spic and span: our shop had a makeover",
        "Killer deals on mooncakes",
        "Insane prices this weekend",
        "This sale is sick",
        "Damn good coffee",
        "*New* arrivals every Friday",
        "Rated 5* by our guests",
        "Dickens readings in the tea room",
        "今日你可享受双倍积分",  # 日你 inside 今日你
        "去死皮磨砂膏买一送一",  # exfoliation, not 去死
        "操作简单，一键下单",  # 操 in 操作
        "清仓贱卖",  # 贱 in 贱卖
        "用滚开的水冲泡",  # boiling water
        "逼真的画面",
        "垃圾分类从我做起",
        "废物利用：茶叶罐改造成花盆",
        "母亲节快乐，给你妈的礼物准备好了吗？",
        "牛杂碎汤配茉莉花茶",
    ],
)
def test_innocent_words_pass(words: WordlistScorer, text: str) -> None:
    assert words.explain(text) == []
    assert words.score([text]) == [{"match": 0.0}]


def test_endings_do_not_reach_into_other_words() -> None:
    assert "spicy" not in forms("spic")
    assert {"idiots", "raped", "raping"} <= forms("idiot") | forms("rape")


def test_user_lists_add_terms_and_allowed_phrases(tmp_path: Path) -> None:
    extra = tmp_path / "brand.txt"
    extra.write_text("# our own\ncompetitorx\n\n!damn fine\n竞品垃圾\n", encoding="utf-8")
    scorer = WordlistScorer([extra])
    assert scorer.explain("Don't buy CompetitorX") == ["competitorx"]
    assert scorer.explain("这是竞品垃圾") == ["竞品垃圾"]
    assert scorer.explain("you idiot") == ["idiot"]  # bundled lists still apply
    assert scorer.version != WordlistScorer().version


def test_version_names_term_count_and_content_digest(words: WordlistScorer) -> None:
    assert words.version.startswith("wordlist ")
    assert "terms sha256:" in words.version


def test_unreadable_user_list_is_a_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(ConfigError, match=r"moderation\.wordlist\.files: cannot read .*nope\.txt"):
        WordlistScorer([missing])
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ConfigError, match="not UTF-8"):
        WordlistScorer([binary])


def test_user_terms_are_read_like_the_texts(tmp_path: Path) -> None:
    extra = tmp_path / "extra.txt"
    extra.write_text("You're a Muppet\nTeaSnob*\n*Leafhater*\n", encoding="utf-8")
    scorer = WordlistScorer([extra])
    assert scorer.explain("honestly, you are a muppet") == ["you are a muppet"]
    assert scorer.explain("#teasnobbery") == ["teasnob*"]
    assert scorer.explain("superleafhaters unite") == ["*leafhater*"]


@pytest.mark.parametrize("text", ["Prices that kill. You win!", "我们不去，死心吧"])
def test_phrases_do_not_run_across_sentences(words: WordlistScorer, text: str) -> None:
    assert words.explain(text) == []


def test_phrase_at_the_end_of_a_sentence_still_matches(words: WordlistScorer) -> None:
    assert words.explain("I will kill you!") == ["kill you"]
