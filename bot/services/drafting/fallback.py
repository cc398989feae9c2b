"""Curated fallback drafts: used when no model-written candidate passes the checks, and for
languages the model cannot write. Texts come from the campaign's own ``templates`` first, then
from the greetings and promo templates shipped in ``bot/services/drafting/templates``.

Templates see the campaign's facts as ``facts`` (:func:`state_facts`: stated as written), so a
curated draft still says what the campaign must say. The shipped ones are taken in a rotation
(:func:`rotated`): the drafting service gives each slot the position after the previous slot's,
so a campaign's successive slots start from successive templates and a festival greeting with
``n`` templates repeats one only after ``n`` slots.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.domain.errors import TemplateError
from bot.services.drafting import catalog, composing, prompts

T = TypeVar("T")

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
    rotation: int,
) -> list[TemplateText]:
    """Every usable curated text for a slot: the campaign's own, then the shipped ones in the
    order that starts at position ``rotation`` of the rotation (:func:`rotated`)."""
    variables = {"facts": "", **variables}
    found = _render_all([(f"campaign:{i}", t) for i, t in enumerate(own)], variables, own=True)
    shipped = rotated(_shipped(kind, language, holiday), rotation)
    return found + _render_all(shipped, variables)


def rotated(items: list[T], rotation: int) -> list[T]:
    """``items`` starting from position ``rotation`` (modulo their number), then wrapping."""
    if not items:
        return items
    start = rotation % len(items)
    return items[start:] + items[:start]


def state_facts(facts: Sequence[str], language: str) -> str:
    """The facts as one text, each as written: "第二杯半价，每天上午11点前。" in Chinese,
    "Second coffee half price. Mornings until 11:00." otherwise."""
    if language != "zh":
        return composing.state(facts)
    parts = [f.strip().rstrip("。.;；，,、") for f in facts if f.strip()]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    text = "，".join(parts)
    return text if text[-1] in "！？!?" else f"{text}。"


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
