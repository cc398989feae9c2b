"""The canned backend (tests and demos) writes grammatical posts with and without a holiday:
no "Happy the season" (the hostile pass's finding 16), and its texts pass the grammar check."""

from __future__ import annotations

import pytest

from bot.adapters.generation.canned import CannedGenerator
from bot.domain.ports import GenerationRequest
from bot.services.drafting.prose import articles


@pytest.mark.parametrize("holiday", ["", "Mid-Autumn Festival"])
def test_canned_posts_read_right_with_and_without_a_holiday(holiday: str) -> None:
    request = GenerationRequest(
        messages=(),
        n=24,
        temperature=0.7,
        top_p=0.9,
        top_k=40,
        max_new_tokens=64,
        seed=7,
        context={"brand": "Spoke Street Bike Co-op", "product": "tune-up", "holiday": holiday},
    )
    texts = [g.text for g in CannedGenerator().generate(request)]
    assert len(set(texts)) == 12
    for text in texts:
        assert articles(text, ()).passed, text
        assert "the season" not in text or not holiday, text
    if not holiday:
        assert any(t.startswith("Season's greetings from Spoke Street Bike Co-op!") for t in texts)
        assert any("have a bright season." in t for t in texts)
