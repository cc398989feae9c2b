"""A deterministic generator for tests and demos without a model: no torch import.

It writes ordinary, clearly different posts from the request context, so that the real
checks (brand name, required words, near-duplicates of recent drafts) apply to it as they do
to a model's output. The same seed gives the same texts.
"""

from __future__ import annotations

import random

from bot.domain.ports import GeneratedText, GenerationRequest, GeneratorBackend

_POSTS = (
    "{brand} sends warm wishes for {subject}! Stop by for a warm cup and good company.",
    "Make time for {subject} with {brand}. Our {product} is ready and waiting for you.",
    "From everyone at {brand}: thank you for sharing another season of tea with us. Enjoy {subject}!",
    "Slow down a little. {brand} has a quiet corner, a fresh pot and {product} for {subject}.",
    "Bring a friend to {brand} and make {subject} a little brighter over a pot of tea.",
    "Good news from {brand}: {subject} is almost here, and so is our {product}.",
    "A toast with teacups! {brand} is celebrating {subject} with you.",
    "Looking for a gift? {brand} recommends {product}, wrapped and ready for {subject}.",
    "Tea lovers, gather round: {brand} marks {subject} with something special on the menu.",
    "Steam, aroma and a moment of calm. Enjoy {subject} at {brand}.",
    "Here at {brand} we are brewing up {subject} cheer. Come taste our {product}.",
    "Nothing says {subject} like sharing {product} with the people you love. Love, {brand}.",
)


class CannedGenerator:
    """Writes ``n`` different short posts; the same seed gives the same texts."""

    model_id = "canned"

    def generate(self, request: GenerationRequest) -> list[GeneratedText]:
        rng = random.Random(request.seed)
        ctx = {key: str(value) for key, value in request.context.items()}
        brand = ctx.get("brand") or "our shop"
        product = ctx.get("product") or "our tea"
        subject = ctx.get("holiday") or "the season"
        code = ctx.get("promo_code")
        chosen = rng.sample(_POSTS, k=min(request.n, len(_POSTS)))
        chosen += [rng.choice(_POSTS) for _ in range(request.n - len(chosen))]
        texts = []
        for template in chosen:
            text = template.format(brand=brand, product=product, subject=subject)
            if code:
                text += f" Use the code {code}."
            texts.append(GeneratedText(text=text, new_tokens=len(text.split())))
        return texts


#: The ``canned`` backend: no model at all (tests, demos, benches of everything but the model).
BACKEND = GeneratorBackend("canned", build=lambda _settings, _reporter=None: CannedGenerator())
