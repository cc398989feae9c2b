"""Curated fallback drafts: used when no model-written candidate passes the checks, and for
languages the model cannot write. Texts come from the campaign's own ``templates`` first, then
from the greetings and promo templates shipped in ``bot/services/drafting/templates``.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import Any

from bot.domain.errors import TemplateError
from bot.services.drafting import catalog, prompts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TemplateText:
    """A rendered curated text and where it came from (``campaign:0``, ``mid-autumn:en:1``)."""

    template_id: str
    body: str


def curated(
    kind: str,
    language: str,
    holiday: str,
    own: tuple[str, ...],
    variables: dict[str, Any],
    seed: int,
) -> list[TemplateText]:
    """Every usable curated text for a slot: the campaign's own, then the shipped ones
    (shuffled by ``seed`` so successive slots do not repeat the same greeting)."""
    found = _render_all([(f"campaign:{i}", t) for i, t in enumerate(own)], variables, own=True)
    shipped = _shipped(kind, language, holiday)
    random.Random(seed).shuffle(shipped)
    return found + _render_all(shipped, variables)


def _shipped(kind: str, language: str, holiday: str) -> list[tuple[str, str]]:
    festival = catalog.find_festival(holiday) if holiday else None
    if kind == "greeting" and festival is not None:
        texts = festival.templates.get(language, ())
        return [(f"{festival.key}:{language}:{i}", t) for i, t in enumerate(texts)]
    texts = catalog.kind_templates().get(kind, {}).get(language, ())
    return [(f"{kind}:{language}:{i}", t) for i, t in enumerate(texts)]


def _render_all(
    items: list[tuple[str, str]], variables: dict[str, Any], own: bool = False
) -> list[TemplateText]:
    out = []
    for template_id, template in items:
        try:
            body = prompts.render_template(template, variables, f"template {template_id}")
        except TemplateError as exc:
            if own:  # shipped ones may need a variable this campaign does not have
                log.warning("%s", exc)
            continue
        if body:
            out.append(TemplateText(template_id, body))
    return out
