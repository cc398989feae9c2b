"""A deterministic generator for tests and demos without a model: no torch import."""

from __future__ import annotations

import random

from bot.ports import GeneratedText, GenerationRequest

_OPENERS = ("Warm wishes", "Happy days", "Good news", "Hello friends", "A little treat")


class CannedGenerator:
    """Writes short posts from the request context; the same seed gives the same texts."""

    model_id = "canned"

    def generate(self, request: GenerationRequest) -> list[GeneratedText]:
        rng = random.Random(request.seed)
        ctx = request.context
        brand = ctx.get("brand", "our shop")
        subject = ctx.get("holiday") or ctx.get("product") or ctx.get("campaign", "this week")
        texts = []
        for i in range(request.n):
            opener = _OPENERS[rng.randrange(len(_OPENERS))]
            text = f"{opener} from {brand}! Celebrate {subject} with us (#{i + 1})."
            texts.append(GeneratedText(text=text, new_tokens=len(text.split())))
        return texts
