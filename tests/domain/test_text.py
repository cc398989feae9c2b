"""Text at the edge: invisible characters are refused where they hide words, kept where they
make an emoji or a script's spelling, and shown escaped on a terminal."""

from __future__ import annotations

import pytest

from bot.domain.text import TextError, clean_text, for_display, invisible_character, unpostable

HIDDEN = {
    "\u200b": "ZERO WIDTH SPACE",
    "\u200c": "ZERO WIDTH NON-JOINER",
    "\u200d": "ZERO WIDTH JOINER",
    "\u2060": "WORD JOINER",
    "\ufeff": "ZERO WIDTH NO-BREAK SPACE",
    "\u00ad": "SOFT HYPHEN",
    "\u200e": "LEFT-TO-RIGHT MARK",
    "\u3164": "HANGUL FILLER",
}


@pytest.mark.parametrize("char", sorted(HIDDEN))
def test_invisible_characters_are_refused_by_name_and_position(char: str) -> None:
    text = f"Tea is fr{char}ee today"
    with pytest.raises(TextError) as caught:
        clean_text(text, "the edited text")
    message = str(caught.value)
    assert f"the edited text contains the invisible character U+{ord(char):04X} {HIDDEN[char]}" in message
    assert "at position 9" in message and "remove it" in message
    assert invisible_character(text) == unpostable(text)
    escaped = f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"\\u{ord(char):04x}"
    assert escaped in for_display(text)


@pytest.mark.parametrize(
    "text",
    [
        "family \U0001f468\u200d\U0001f469\u200d\U0001f467",  # ZWJ sequence
        "pride \U0001f3f3\ufe0f\u200d\U0001f308",  # flag with the emoji selector before ZWJ
        "coder \U0001f469\U0001f3fd\u200d\U0001f4bb",  # skin tone before ZWJ
        "England \U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # tags
        "Persian \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # ZWNJ between letters
        "中秋节快乐 \u2764\ufe0f",
    ],
)
def test_visible_uses_are_kept(text: str) -> None:
    assert unpostable(text) is None
    assert clean_text(text) == text
    assert for_display(text) == text


def test_a_joiner_at_either_end_of_an_emoji_is_still_refused() -> None:
    assert unpostable("\u200d\U0001f600") is not None
    assert unpostable("\U0001f600\u200d") is not None
    assert unpostable("a\U000e0067") is not None  # a tag character not after a black flag
