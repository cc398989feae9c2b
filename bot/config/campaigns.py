"""``[brand]`` and ``[[campaigns]]``: what to post, when, where, and under which rules."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.config.model import SamplingSettings
from bot.config.triggers import Trigger
from bot.config.types import PositiveDuration, Strict, TemplateSource, TimeZoneName, WebUrl
from bot.domain import ApprovalPolicy, CampaignKind

_NAME = r"^[a-z0-9][a-z0-9_-]*$"


class BrandSettings(Strict):
    """Facts about the brand that every prompt may use."""

    name: str = ""
    products: tuple[str, ...] = ()
    link: WebUrl | None = None
    hashtags: tuple[str, ...] = ()
    voice: str = "warm, concise, friendly"


class CampaignSettings(Strict):
    """One campaign: a trigger, a brief, rules, and the accounts it posts to."""

    name: str = Field(pattern=_NAME)
    kind: CampaignKind
    when: Trigger
    accounts: tuple[str, ...] = Field(min_length=1)
    #: A Jinja2 template (sandboxed) that tells the model what to write.
    brief: TemplateSource = Field(min_length=1)
    timezone: TimeZoneName | None = None
    language: Literal["en", "zh"] = "en"
    enabled: bool = True
    approval: ApprovalPolicy = ApprovalPolicy.MANUAL
    #: Extra template variables (promo_code, event name, ...).
    variables: dict[str, str] = Field(default_factory=dict)
    #: What the post must state, each a Jinja2 template like the brief ("second pot half
    #: price", "until Sunday", "code {{ promo_code }}"). The prompt gives them to the model as
    #: facts to state; a draft that leaves one out, or adds a number, date, time, code or
    #: offer that no fact, the brief or the holiday backs, fails the checks.
    facts: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    link: WebUrl | None = None
    hashtags: tuple[str, ...] = ()
    required_words: tuple[str, ...] = ()
    forbidden_words: tuple[str, ...] = ()
    max_emoji: int = Field(default=4, ge=0)
    #: The brand name must appear, spelled exactly as in ``[brand] name``.
    require_brand: bool = True
    #: Curated fallback texts for this campaign (Jinja2, same variables as the brief); used
    #: before the shipped templates when no model-written candidate passes the checks.
    templates: tuple[TemplateSource, ...] = ()
    #: Fall back to curated templates when no candidate passes (false: keep the best
    #: failing candidate, marked as failing, for a human to fix).
    fallback: bool = True
    #: Pending drafts expire this long after their slot.
    expiry: PositiveDuration | None = None
    sampling: SamplingSettings = SamplingSettings()
