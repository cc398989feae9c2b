"""``[brand]`` and ``[[campaigns]]``: what to post, when, where, and under which rules."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from bot.config.model import SamplingSettings
from bot.config.triggers import Trigger
from bot.config.types import Hashtag, PositiveDuration, Strict, TemplateSource, TimeZoneName, WebUrl
from bot.domain import ApprovalPolicy, CampaignKind
from bot.domain.media import MAX_MEDIA

_NAME = r"^[a-z0-9][a-z0-9_-]*$"


class BrandSettings(Strict):
    """Facts about the brand that every prompt may use."""

    #: Required: what every post calls the business (``{{ brand }}``; the ``brand`` check).
    name: str = Field(min_length=1)
    products: tuple[str, ...] = ()
    link: WebUrl | None = None
    hashtags: tuple[Hashtag, ...] = ()
    voice: str = "warm, concise, friendly"


class MediaFile(Strict):
    """One picture: ``{ path = "media/mid-autumn.jpg", alt = "..." }`` (path relative to the
    config file)."""

    path: str = Field(min_length=1, max_length=4096)
    #: What the picture shows, for people who cannot see it: required (``bot config check``
    #: names a picture without it). A Jinja2 template with the brief's variables.
    alt: TemplateSource | None = None


class MediaFolder(Strict):
    """Pictures picked from a folder for each post: ``rotate`` goes through them in name
    order, one slot after another; ``random`` picks by the slot (the same slot, the same
    pick); ``by-holiday`` takes the files whose names match the holiday's
    (``mid-autumn*.jpg`` for the Mid-Autumn Festival)."""

    folder: str = Field(min_length=1, max_length=4096)
    pick: Literal["rotate", "random", "by-holiday"] = "rotate"
    count: int = Field(default=1, ge=1, le=MAX_MEDIA)
    #: One alt text for every picture of the folder (Jinja2; ``{{ picture }}`` is the file's
    #: name without its extension). Required.
    alt: TemplateSource | None = None


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
    #: The link every post ends with: the campaign's own, else ``[brand] link``; ``false``: no
    #: link on this campaign's posts (``{{ link }}`` is then empty).
    link: WebUrl | Literal[False] | None = None
    #: Hashtags every post ends with, followed by ``[brand] hashtags`` (unless
    #: ``brand_hashtags = false``). An explicit empty list, ``hashtags = []``: no hashtags at all.
    hashtags: tuple[Hashtag, ...] | None = None
    #: Add ``[brand] hashtags`` after the campaign's own (false: only the campaign's).
    brand_hashtags: bool = True
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
    #: Pending drafts expire this long after their slot; an approved post not sent by then is
    #: not sent late (stale).
    expiry: PositiveDuration | None = None
    sampling: SamplingSettings = SamplingSettings()
    #: Pictures for every post: a list of files with their alt texts, or a folder to pick from.
    media: tuple[MediaFile, ...] | MediaFolder = ()

    @field_validator("facts")
    @classmethod
    def _distinct_facts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Each fact says something, once (a repeated fact is a copy-paste slip: the post would
        have to state it twice). Compared without case and extra spaces."""
        seen: dict[str, int] = {}
        for i, fact in enumerate(value):
            key = " ".join(fact.split()).casefold()
            if not key:
                raise ValueError(f"facts[{i}] is empty: remove it, or write what the post must state")
            if key in seen:
                first = seen[key]
                raise ValueError(f"facts[{i}] repeats facts[{first}] ({value[first]!r}): list each fact once")
            seen[key] = i
        return value

    @field_validator("media")
    @classmethod
    def _at_most_four(cls, value: tuple[MediaFile, ...] | MediaFolder) -> tuple[MediaFile, ...] | MediaFolder:
        if isinstance(value, tuple) and len(value) > MAX_MEDIA:
            raise ValueError(f"{len(value)} pictures: a post carries at most {MAX_MEDIA}")
        return value
