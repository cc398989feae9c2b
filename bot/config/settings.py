"""The root of the settings tree: ``[bot]``, ``[publishing]`` and the sections beside them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from bot.config import location
from bot.config.accounts import AccountSettings
from bot.config.campaigns import BrandSettings, CampaignSettings
from bot.config.model import ModelSettings
from bot.config.moderation import ModerationSettings
from bot.config.notify import DaemonSettings, NotifySettings
from bot.config.types import (
    Duration,
    LogLevel,
    PollInterval,
    PositiveDuration,
    Strict,
    TimeZoneName,
    format_duration,
)
from bot.config.web import WebSettings
from bot.domain.errors import ConfigError, NotConfigured


class BotSettings(Strict):
    """``[bot]``: where data lives and the defaults every campaign inherits."""

    timezone: TimeZoneName = "UTC"
    #: Relative paths are relative to the config file.
    data_dir: Path = Path("data")
    #: Default: SQLite in data_dir. Postgres: ``postgresql+psycopg://user@host/db``.
    #: ``BOT_DATABASE_URL`` overrides it (keep passwords out of the TOML).
    database_url: str | None = None
    #: Slots missed while the daemon was down are still drafted within this window.
    catch_up_grace: Duration = timedelta(hours=6)
    #: Pending drafts expire this long after their slot unless the campaign says otherwise; an
    #: approved post not sent by then is not sent late (stale: failed, ``retry --force`` sends it).
    draft_expiry: PositiveDuration = timedelta(hours=48)
    #: How often the daemon looks for due work (more than zero, at most a day).
    poll_interval: PollInterval = timedelta(seconds=10)
    #: DEBUG, INFO, WARNING, ERROR or CRITICAL (any case).
    log_level: LogLevel = "INFO"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        return None if value is None else location.check_database_url(value)


class PublishingSettings(Strict):
    """``[publishing]``: retries, backoff and leases."""

    max_attempts: int = Field(default=5, ge=1, le=100)
    backoff_base: PositiveDuration = timedelta(seconds=30)
    backoff_max: PositiveDuration = timedelta(hours=1)
    #: How long a claim on a publication lasts before another worker may take it over.
    lease: PositiveDuration = timedelta(minutes=2)
    batch: int = Field(default=10, ge=1, le=1000)
    #: Reconciliation of ``needs_check`` publications (README, "Publishing and recovery").
    #: How long after a send a listing is trusted to show the post (platforms list late).
    settle: Duration = timedelta(minutes=2)
    #: How far the platform's clock may be from ours: the search looks this much further back.
    clock_skew: Duration = timedelta(minutes=5)
    #: Bounds of one search of the account's posts: pages read and time spent.
    check_pages: int = Field(default=30, ge=1, le=1000)
    check_time: Duration = timedelta(seconds=60)
    #: Searches the daemon makes before a person decides, and the wait between them.
    check_tries: int = Field(default=5, ge=0, le=100)
    check_backoff: Duration = timedelta(minutes=2)

    @model_validator(mode="after")
    def _bounded_durations(self) -> PublishingSettings:
        positive = {"lease": self.lease, "check_time": self.check_time, "check_backoff": self.check_backoff}
        for name, value in positive.items():
            if value <= timedelta(0):
                raise ValueError(f"publishing.{name} must be positive, got {value}")
        for name, value in {"settle": self.settle, "clock_skew": self.clock_skew}.items():
            if value < timedelta(0):
                raise ValueError(f"publishing.{name} must not be negative, got {value}")
        limits = {
            "settle": timedelta(days=1),
            "clock_skew": timedelta(days=1),
            "check_time": timedelta(hours=1),
        }
        for name, limit in limits.items():
            if getattr(self, name) > limit:
                raise ValueError(f"publishing.{name} must be at most {limit}, got {getattr(self, name)}")
        return self

    @model_validator(mode="after")
    def _backoff_order(self) -> PublishingSettings:
        if self.backoff_max < self.backoff_base:
            raise ValueError("backoff_max: must be at least backoff_base")
        return self


class Settings(Strict):
    """The whole configuration, validated and frozen."""

    bot: BotSettings = BotSettings()
    #: Required: one config is one brand (README), and every post names it.
    brand: BrandSettings
    model: ModelSettings = Field(default_factory=ModelSettings)
    moderation: ModerationSettings = ModerationSettings()
    publishing: PublishingSettings = PublishingSettings()
    web: WebSettings = WebSettings()
    accounts: tuple[AccountSettings, ...] = ()
    campaigns: tuple[CampaignSettings, ...] = ()
    notify: NotifySettings = NotifySettings()
    daemon: DaemonSettings = DaemonSettings()
    #: The file these settings were read from (set by the loader).
    source: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _cross_references(self) -> Settings:
        _unique("accounts", [a.name for a in self.accounts])
        _unique("campaigns", [c.name for c in self.campaigns])
        known = {a.name for a in self.accounts}
        for i, campaign in enumerate(self.campaigns):
            for j, name in enumerate(campaign.accounts):
                if name in campaign.accounts[:j]:
                    raise ValueError(
                        f"campaigns[{i}] ({campaign.name}).accounts: account {name!r} is listed twice; "
                        "list each account once (a campaign posts once per account)"
                    )
                if name not in known:
                    raise ValueError(
                        f"campaigns[{i}] ({campaign.name}).accounts: unknown account {name!r}; "
                        f"defined accounts: {', '.join(sorted(known)) or 'none'}"
                    )
        for i, campaign in enumerate(self.campaigns):
            self._passable(i, campaign)
        _per_campaign_keys(self.accounts, {c.name for c in self.campaigns})
        _lease_over_timeouts(self.publishing.lease, self.accounts)
        return self

    def _passable(self, i: int, campaign: CampaignSettings) -> None:
        """A forbidden word inside what every post of the campaign holds (its required words,
        the brand name, its link, its hashtags) fails every draft: refused here, not found
        out slot after slot."""
        held = [(f"the required word {w!r}", w) for w in campaign.required_words]
        if campaign.require_brand:
            held.append((f"the brand name {self.brand.name!r} (require_brand)", self.brand.name))
        if link := self.link_of(campaign):
            held.append((f"the link {link!r}", link))
        held += [(f"the hashtag {tag!r}", tag) for tag in self.hashtags_of(campaign)]
        for word in campaign.forbidden_words:
            for what, text in held:
                if word.casefold() in text.casefold():
                    raise ValueError(
                        f"campaigns[{i}] ({campaign.name}).forbidden_words: {word!r} is in {what}, "
                        "which every post of the campaign holds, so no draft could pass; drop one of them"
                    )

    def campaign(self, name: str) -> CampaignSettings:
        """The configured campaign ``name``. Raises NotConfigured naming it."""
        for campaign in self.campaigns:
            if campaign.name == name:
                return campaign
        where = f" in {self.source}" if self.source else ""
        raise NotConfigured(
            f"campaign {name!r} is not in the config{where} (renamed or removed?); "
            "put it back, or reject its pending drafts with `bot queue reject ID --reason ...`"
        )

    def named_campaign(self, name: str) -> CampaignSettings:
        """The campaign a person named (``bot campaigns fire NAME``, ``bot drafts preview NAME``).
        Raises ConfigError "no campaign named ..." with the close names, if any: a typo, not
        stored work whose campaign went away (that is :meth:`campaign`)."""
        for campaign in self.campaigns:
            if campaign.name == name:
                return campaign
        raise ConfigError(self.no_campaign([name]))

    def no_campaign(self, names: list[str]) -> str:
        """The message for campaign names that are not in the config, with close names."""
        from bot.domain.text import did_you_mean

        known = [c.name for c in self.campaigns]
        hints = "".join(did_you_mean(name, known) for name in names)
        where = f" in {self.source}" if self.source else " in the config"
        return f"no campaign named {', '.join(map(repr, sorted(names)))}{where}{hints}"

    def account(self, name: str) -> AccountSettings:
        """The configured account ``name``. Raises NotConfigured naming it."""
        for account in self.accounts:
            if account.name == name:
                return account
        where = f" in {self.source}" if self.source else ""
        raise NotConfigured(f"account {name!r} is not in the config{where} (renamed or removed?)")

    def zone_of(self, campaign: CampaignSettings) -> str:
        return campaign.timezone or self.bot.timezone

    def link_of(self, campaign: CampaignSettings) -> str | None:
        """The link every post of the campaign ends with (its own, else the brand's; none when
        the campaign says ``link = false``)."""
        if campaign.link is False:
            return None
        return campaign.link or self.brand.link

    def hashtags_of(self, campaign: CampaignSettings) -> tuple[str, ...]:
        """The hashtags every post of the campaign ends with (its own, then the brand's; once
        each). ``hashtags = []`` on the campaign: none; ``brand_hashtags = false``: its own only."""
        if campaign.hashtags is not None and not campaign.hashtags:
            return ()
        brand = self.brand.hashtags if campaign.brand_hashtags else ()
        return tuple(dict.fromkeys((*(campaign.hashtags or ()), *brand)))

    @property
    def data_dir(self) -> Path:
        return location.data_dir(self.source, self.bot.data_dir)

    def config_relative(self, path: str) -> Path:
        """A path from the config (a campaign's pictures), relative to the config file."""
        return location.data_dir(self.source, Path(path).expanduser())

    @property
    def database_url(self) -> str:
        """The database in effect: ``$BOT_DATABASE_URL`` > ``[bot] database_url`` > SQLite in
        the data directory (see :func:`bot.config.location.database_url`)."""
        return location.database_url(self.bot.database_url, self.data_dir, self.source)


def _unique(section: str, names: list[str]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise ValueError(f"{section}[{i}].name: duplicate name {name!r}")
        seen.add(name)


def _lease_over_timeouts(lease: timedelta, accounts: tuple[AccountSettings, ...]) -> None:
    """A claim must outlive the send it covers: a send still waiting for its answer when the
    lease ends is taken over by recovery and marked ``needs_check`` though it may succeed."""
    for i, account in enumerate(accounts):
        if lease <= account.timeout:
            raise ValueError(
                f"publishing.lease = {format_duration(lease)!r} must be longer than "
                f"accounts[{i}] ({account.name}).timeout = {format_duration(account.timeout)!r}: "
                "a send still waiting for the platform when its lease ends would be taken for lost; "
                "raise publishing.lease or lower the timeout"
            )


def _per_campaign_keys(accounts: tuple[AccountSettings, ...], campaigns: set[str]) -> None:
    """A per-campaign option (a Reddit account's ``titles``, ``subreddits``) names a campaign."""
    for i, account in enumerate(accounts):
        for key in ("titles", "subreddits"):
            for name in getattr(account, key, {}):
                if name not in campaigns:
                    raise ValueError(
                        f"accounts[{i}] ({account.name}).{key}: unknown campaign {name!r}; "
                        f"defined campaigns: {', '.join(sorted(campaigns)) or 'none'}"
                    )
