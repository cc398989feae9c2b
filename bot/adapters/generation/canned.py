"""A deterministic generator for tests and demos without a model: no torch import.

It writes ordinary, clearly different posts from the request context, so that the real
checks (brand name, required words, near-duplicates of recent drafts) apply to it as they do
to a model's output. The same seed gives the same texts.
"""

from __future__ import annotations

import random

from bot.domain.ports import GeneratedText, GenerationRequest, GeneratorBackend

_POSTS = (
    "{brand} sends warm wishes for {subject}! Stop by and see us soon.",
    "Enjoy {subject} with {brand}. Our {product} is ready for you.",
    "From everyone at {brand}: thank you for another season together. Enjoy {subject}!",
    "{happy} from {brand}! May your day be filled with warmth and laughter.",
    "Come visit {brand} and have a bright {season}.",
    "Good news from {brand}: {subject} is almost here, and so is our {product}. Enjoy!",
    "Cheers to {subject}! {brand} is celebrating with you.",
    "Looking for a treat? {brand} has {product}, ready for {subject}. Have a lovely day!",
    "Wishing you a joyful {season}, with love from everyone at {brand}.",
    "A warm welcome awaits at {brand}. Enjoy {subject}!",
    "Here at {brand} we wish you peace and happiness this {season}. Come enjoy our {product}.",
    "{happy}! Share {product} with the people you love. Love, {brand}.",
)


class CannedGenerator:
    """Writes ``n`` different short posts; the same seed gives the same texts."""

    model_id = "canned"

    def generate(self, request: GenerationRequest) -> list[GeneratedText]:
        rng = random.Random(request.seed)
        ctx = {key: str(value) for key, value in request.context.items()}
        brand = ctx.get("brand") or "our shop"
        product = ctx.get("product") or "our tea"
        holiday = ctx.get("holiday")
        # "{subject}" stands alone ("Enjoy the season!"); "{season}" follows "a bright" or
        # "this" ("this season"), "{happy}" is the greeting ("Season's greetings").
        subject = holiday or "the season"
        season = holiday or "season"
        happy = f"Happy {holiday}" if holiday else "Season's greetings"
        code = ctx.get("promo_code")
        chosen = rng.sample(_POSTS, k=min(request.n, len(_POSTS)))
        chosen += [rng.choice(_POSTS) for _ in range(request.n - len(chosen))]
        texts = []
        for template in chosen:
            text = template.format(brand=brand, product=product, subject=subject, season=season, happy=happy)
            if code:
                text += f" Use the code {code}."
            texts.append(GeneratedText(text=text, new_tokens=len(text.split())))
        return texts


#: The ``canned`` backend: no model at all (tests, demos, benches of everything but the model).
BACKEND = GeneratorBackend("canned", build=lambda _settings, _reporter=None: CannedGenerator())
